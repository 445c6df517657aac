//! The cursor paging knob (`page_ignored`: `after`, `limit`, `meta.after`) and listing a large
//! tenant. Real HTTP with reqwest, helpers of `tests.rs`.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{self, employee, get, sim, sim_with};
use super::*;

fn ids(c: &tests::Call) -> Vec<String> {
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    c.body["profiles"]
        .as_array()
        .expect("profiles array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

/// Ids of every profile in the simulator, in creation order (the default listing order).
fn all_ids(sim: &NamelySim) -> Vec<String> {
    sim.profiles()
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

async fn cursor_sim(n: usize) -> NamelySim {
    sim_with(
        NamelySimConfig {
            page_ignored: true,
            ..NamelySimConfig::default()
        },
        n,
    )
    .await
}

/// Reads the list the way Namely's Ruby client did: `after` = the last id of the previous
/// page, until the first empty page. `query` holds the other parameters. Returns the ids and
/// the size of each page read (the last one 0).
async fn walk(sim: &NamelySim, query: &str) -> (Vec<String>, Vec<usize>) {
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(id) => format!("/profiles?{query}&after={id}"),
            None => format!("/profiles?{query}"),
        };
        let c = get(sim, &path).await;
        let page = ids(&c);
        assert_eq!(c.body["meta"]["count"], page.len());
        match &after {
            Some(id) => assert_eq!(c.body["meta"]["after"], id.as_str(), "echoed"),
            None => assert!(c.body["meta"].get("after").is_none(), "{}", c.body),
        }
        sizes.push(page.len());
        let Some(last) = page.last() else {
            return (seen, sizes);
        };
        after = Some(last.clone());
        seen.extend(page);
        assert!(sizes.len() < 100, "the walk does not end: {sizes:?}");
    }
}

#[tokio::test]
async fn page_ignored_answers_the_first_page_to_every_page_number() {
    // 120 employees + the 3 default token owners
    let sim = cursor_sim(120).await;
    let first = get(&sim, "/profiles?page=1&per_page=50").await;
    let second = get(&sim, "/profiles?page=2&per_page=50").await;
    let fifth = get(&sim, "/profiles?page=5&per_page=50").await;
    assert_eq!(ids(&first).len(), 50);
    assert_eq!(ids(&second), ids(&first), "page 2 repeats page 1");
    assert_eq!(ids(&fifth), ids(&first), "even past the end");
    assert_eq!(ids(&first), all_ids(&sim)[..50]);
    assert_eq!(second.body["meta"]["total_count"], 123);
    assert!(second.body["meta"].get("after").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn after_walks_the_whole_list_exactly_once() {
    let sim = cursor_sim(120).await;
    let (seen, sizes) = walk(&sim, "per_page=50").await;
    assert_eq!(sizes, [50, 50, 23, 0]);
    assert_eq!(
        seen,
        all_ids(&sim),
        "no gap, no repeat, in the listing's order"
    );
    let c = get(&sim, &format!("/profiles?per_page=50&after={}", seen[49])).await;
    assert_eq!(
        c.body["meta"]["total_count"], 123,
        "the total, not what is left"
    );

    // `limit` is the page size when `per_page` is absent, clamped like it.
    let (by_limit, sizes) = walk(&sim, "limit=40").await;
    assert_eq!(sizes, [40, 40, 40, 3, 0]);
    assert_eq!(by_limit, seen);
    let (_, sizes) = walk(&sim, "limit=500").await;
    assert_eq!(sizes, [50, 50, 23, 0]);
    let (_, sizes) = walk(&sim, "per_page=10&limit=40").await;
    assert_eq!(sizes.len(), 14, "per_page wins: {sizes:?}");
    let (_, sizes) = walk(&sim, "").await;
    assert_eq!(sizes, [30, 30, 30, 30, 3, 0], "default 30");

    // `page` changes nothing, with or without a cursor
    let (with_page, _) = walk(&sim, "per_page=50&page=3").await;
    assert_eq!(with_page, seen);
    sim.shutdown().await;
}

#[tokio::test]
async fn after_follows_filters_and_sort() {
    let sim = cursor_sim(60).await;
    sim.set_user_status(&employee(7).id, "inactive");
    // active only (60 employees - 1 + Olivia + Emma), newest last name first
    let (seen, sizes) = walk(
        &sim,
        "per_page=25&filter[user_status]=active&sort=-last_name",
    )
    .await;
    assert_eq!(sizes, [25, 25, 11, 0]);
    assert_eq!(seen.len(), 61);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 61, "no repeat");
    assert!(!seen.contains(&employee(7).id) && !seen.contains(&INACTIVE_ADMIN_ID.to_string()));
    let last_names: Vec<String> = seen
        .iter()
        .map(|id| {
            sim.profile(id).unwrap()["last_name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut sorted = last_names.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(last_names, sorted);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_after_id_not_in_the_list_answers_an_empty_page() {
    let sim = cursor_sim(20).await;
    for (after, filter) in [
        ("00000000-0000-4000-8000-999999999999", ""),
        ("not-an-id", ""),
        // exists, but the filter leaves it out
        (INACTIVE_ADMIN_ID, "&filter[user_status]=active"),
    ] {
        let c = get(
            &sim,
            &format!("/profiles?per_page=50&after={after}{filter}"),
        )
        .await;
        assert_eq!(ids(&c), Vec::<String>::new(), "{after}");
        assert_eq!(c.body["meta"]["count"], 0);
        assert_eq!(c.body["meta"]["after"], after);
        let total = c.body["meta"]["total_count"].as_u64().unwrap();
        assert!(total >= 22, "{total}: the total, as if nothing were wrong");
    }
    // the last id: also an empty page, the end of the walk
    let last = all_ids(&sim).pop().unwrap();
    let c = get(&sim, &format!("/profiles?after={last}")).await;
    assert!(ids(&c).is_empty());
    // an empty `after` is no cursor: the first page
    let c = get(&sim, "/profiles?per_page=5&after=").await;
    assert_eq!(ids(&c), all_ids(&sim)[..5]);
    assert!(c.body["meta"].get("after").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn by_default_after_and_limit_are_ignored_and_the_knob_switches_at_runtime() {
    let config = NamelySimConfig::default();
    assert!(!config.page_ignored);
    assert!(!NamelySimConfig::recorded().page_ignored);
    let sim = sim(60).await;
    let everyone = all_ids(&sim);
    let tenth = &everyone[9];
    let c = get(&sim, &format!("/profiles?per_page=50&after={tenth}")).await;
    assert_eq!(ids(&c), everyone[..50], "after is ignored");
    assert!(c.body["meta"].get("after").is_none(), "and not echoed");
    let c = get(&sim, "/profiles?limit=5").await;
    assert_eq!(ids(&c).len(), 30, "limit is ignored");
    let c = get(&sim, "/profiles?page=2&per_page=50").await;
    assert_eq!(ids(&c), everyone[50..], "page is honoured");

    sim.set_page_ignored(true);
    let c = get(&sim, &format!("/profiles?per_page=50&after={tenth}")).await;
    assert_eq!(ids(&c), everyone[10..60]);
    let c = get(&sim, "/profiles?page=2&per_page=50").await;
    assert_eq!(ids(&c), everyone[..50]);
    sim.set_page_ignored(false);
    let c = get(&sim, "/profiles?page=2&per_page=50").await;
    assert_eq!(ids(&c), everyone[50..]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_tenant_of_10000_profiles_lists_by_page_by_cursor_and_sorted() {
    let sim = cursor_sim(10_000).await;
    let everyone = all_ids(&sim);
    assert_eq!(everyone.len(), 10_003);
    let c = get(
        &sim,
        &format!("/profiles?per_page=50&after={}", everyone[9_979]),
    )
    .await;
    assert_eq!(ids(&c), everyone[9_980..10_003]);
    assert_eq!(c.body["meta"]["total_count"], 10_003);
    let c = get(&sim, "/profiles?per_page=50&sort=last_name").await;
    let names: Vec<&str> = c.body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p: &Value| p["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names[..3], ["Employee", "Inactive", "Last0"]);
    sim.set_page_ignored(false);
    let c = get(&sim, "/profiles?page=201&per_page=50").await;
    assert_eq!(ids(&c), everyone[10_000..]);
    let c = get(&sim, "/profiles?filter[email]=person9999@example.com").await;
    assert_eq!(ids(&c), [employee(9_999).id]);
    sim.shutdown().await;
}
