//! Listing against the project's Namely simulator (`sandbox::namely`) over real HTTP on
//! 127.0.0.1: the legacy `after` cursor in both of the simulator's paging modes, and the
//! client-side pacer that keeps `GET /profiles` under the simulator's throttle, from one task
//! and from several sharing one client.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use namely::{Client, Config, Endpoint, ProfileFilter, ProfileId, ThrottlePolicy, UserStatus};
use sandbox::namely::{self as sim, NamelySim, NamelySimConfig, TOKEN_OLIVIA_OWNER};
use sandbox::seed::Employee;
use secrecy::SecretString;

fn employee(i: usize) -> Employee {
    Employee {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        first_name: "Listed".into(),
        last_name: format!("Person {i:03}"),
        email: format!("listed.{i}@example.com"),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: Some("2024-01-02".into()),
        icims_id: None,
    }
}

/// A simulator holding `n` employees plus the 3 default token owners.
async fn start(config: NamelySimConfig, n: usize) -> NamelySim {
    let employees: Vec<Employee> = (0..n).map(employee).collect();
    sim::start(config, &employees).await.expect("simulator")
}

/// The owner's client, paced at `limit` listings per `window` (0: not paced), waiting
/// `throttle_wait` after a 406, up to 50 times.
fn client(sim: &NamelySim, limit: u32, window: Duration, throttle_wait: Duration) -> Client {
    let config = Config::new(
        Endpoint::base_url(&sim.url()).expect("loopback base"),
        SecretString::from(TOKEN_OLIVIA_OWNER),
    )
    .expect("config")
    .with_timeout(Duration::from_secs(10))
    .with_throttle(ThrottlePolicy {
        wait: throttle_wait,
        max_retries: 50,
    })
    .with_listing_pace(limit, window);
    Client::new(config).expect("client")
}

fn all_ids(sim: &NamelySim) -> Vec<ProfileId> {
    sim.profiles()
        .iter()
        .map(|p| ProfileId::new(p["id"].as_str().expect("id")))
        .collect()
}

/// Statuses of the list requests the simulator saw, in order.
fn list_statuses(sim: &NamelySim) -> Vec<u16> {
    sim.request_log()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/api/v1/profiles"))
        .map(|r| r.status)
        .collect()
}

/// Reads with `after` = the last id of the previous page until an empty page (at most 20
/// pages); returns the ids and each page's size.
async fn walk(
    client: &Client,
    per_page: u32,
    filter: &ProfileFilter,
) -> (Vec<ProfileId>, Vec<usize>) {
    let mut ids = Vec::new();
    let mut sizes = Vec::new();
    let mut after: Option<ProfileId> = None;
    while sizes.len() < 20 {
        let page = client
            .profiles_after(after.as_ref(), per_page, filter)
            .await
            .expect("page");
        assert_eq!(
            page.meta.after.as_deref(),
            after.as_ref().map(ProfileId::as_str),
            "the cursor is echoed"
        );
        sizes.push(page.profiles.len());
        let Some(last) = page.profiles.last() else {
            break;
        };
        after = Some(last.id.clone());
        ids.extend(page.profiles.into_iter().map(|p| p.id));
    }
    (ids, sizes)
}

// ---------------------------------------------------------------------------------------------
// The cursor.

#[tokio::test]
async fn profiles_after_reads_every_profile_once_where_the_cursor_is_honoured() {
    let sim = start(
        NamelySimConfig {
            page_ignored: true,
            ..NamelySimConfig::default()
        },
        120,
    )
    .await;
    let c = client(&sim, 0, Duration::ZERO, Duration::from_millis(5));
    let (ids, sizes) = walk(&c, 50, &ProfileFilter::default()).await;
    assert_eq!(sizes, [50, 50, 23, 0]);
    assert_eq!(ids, all_ids(&sim), "in order, no gap, no repeat");

    // What was sent: per_page, then after from the second request on, never page.
    let queries: Vec<String> = sim.request_log().into_iter().map(|r| r.query).collect();
    assert_eq!(queries.len(), 4);
    assert_eq!(queries[0], "per_page=50");
    assert_eq!(queries[1], format!("per_page=50&after={}", ids[49]));
    assert_eq!(queries[3], format!("per_page=50&after={}", ids[122]));

    // Filters and sort travel with the cursor; a clamped page size too.
    let filter = ProfileFilter {
        user_status: Some(UserStatus::Active),
        ..ProfileFilter::default()
    }
    .sorted_by("-last_name");
    let (active, sizes) = walk(&c, 500, &filter).await;
    assert_eq!(sizes, [50, 50, 22, 0], "120 employees, Olivia and Emma");
    assert_eq!(active.iter().collect::<BTreeSet<_>>().len(), 122);
    assert_eq!(
        active[0],
        ProfileId::new(employee(119).id),
        "Person 119 sorts last"
    );
    let last = sim.request_log().pop().expect("a request").query;
    assert!(
        last.contains("filter%5Buser_status%5D=active") && last.contains("sort=-last_name"),
        "{last}"
    );
    assert!(last.starts_with("per_page=50&after="), "{last}");

    // An id the server does not know: an empty page, which looks like the end.
    let unknown = ProfileId::new("00000000-0000-4000-8000-999999999999");
    let page = c
        .profiles_after(Some(&unknown), 50, &ProfileFilter::default())
        .await
        .expect("page");
    assert!(page.profiles.is_empty());
    assert_eq!(page.meta.after.as_deref(), Some(unknown.as_str()));
    assert_eq!(page.meta.total_count, Some(123));
}

#[tokio::test]
async fn profiles_after_gets_the_first_page_again_where_the_cursor_is_ignored() {
    let sim = start(NamelySimConfig::default(), 120).await;
    let c = client(&sim, 0, Duration::ZERO, Duration::from_millis(5));
    let everyone = all_ids(&sim);
    let first = c
        .profiles_after(None, 50, &ProfileFilter::default())
        .await
        .expect("first page");
    let ids =
        |p: &namely::ProfilesPage| p.profiles.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), everyone[..50]);
    let next = c
        .profiles_after(Some(&everyone[49]), 50, &ProfileFilter::default())
        .await
        .expect("second page");
    assert_eq!(
        ids(&next),
        ids(&first),
        "after is ignored: the same page again"
    );
    assert_eq!(next.meta.after, None, "and not echoed");
    // The page-numbered listing works here, and repeats itself where `page` is ignored.
    let second = c
        .profiles_page(2, 50, &ProfileFilter::default())
        .await
        .expect("page 2");
    assert_eq!(ids(&second), everyone[50..100]);
    sim.set_page_ignored(true);
    let again = c
        .profiles_page(2, 50, &ProfileFilter::default())
        .await
        .expect("page 2");
    assert_eq!(ids(&again), ids(&first));
}

// ---------------------------------------------------------------------------------------------
// The pacer. The simulator allows 5 listings per second; the client is paced the same.

const LIMIT: u32 = 5;
const WINDOW: Duration = Duration::from_secs(1);

async fn throttled_sim() -> NamelySim {
    start(
        NamelySimConfig {
            profiles_get_per_minute: LIMIT,
            throttle_window: WINDOW,
            ..NamelySimConfig::default()
        },
        30,
    )
    .await
}

#[tokio::test]
async fn paced_listings_never_meet_the_406() {
    let sim = throttled_sim().await;
    // Were a 406 met, it would be waited out and show in the simulator's log.
    let c = client(&sim, LIMIT, WINDOW, Duration::from_millis(200));
    let filter = ProfileFilter::default();
    let started = Instant::now();
    for k in 0..12u32 {
        let page = c
            .profiles_page(1 + k % 2, 20, &filter)
            .await
            .expect("listed");
        assert!(!page.profiles.is_empty());
    }
    let took = started.elapsed();
    assert_eq!(list_statuses(&sim), [200; 12]);
    // The 6th and the 11th had to wait for a window each.
    assert!(took >= 2 * WINDOW, "{took:?}");
    assert!(c.listing_wait() > Duration::ZERO);
    assert!(
        c.listing_wait() <= took,
        "one task waits at most the time it took"
    );

    // Other profile reads are not listings: neither paced nor throttled.
    let before = c.listing_wait();
    let me = c.me().await.expect("me");
    c.profile(&me.id).await.expect("one profile");
    c.fields().await.expect("fields");
    assert_eq!(c.listing_wait(), before);
}

#[tokio::test]
async fn paced_listings_from_four_tasks_sharing_one_client_never_meet_the_406() {
    let sim = throttled_sim().await;
    let c = client(&sim, LIMIT, WINDOW, Duration::from_millis(200));
    let started = Instant::now();
    // Four tasks borrowing the one client: pages and lookups by email, both listings.
    let task = |task: u32| {
        let c = &c;
        async move {
            let mut found = 0;
            for k in 0..3u32 {
                found += if (task + k).is_multiple_of(2) {
                    c.profiles_page(1, 10, &ProfileFilter::default())
                        .await
                        .expect("listed")
                        .profiles
                        .len()
                } else {
                    c.find_by_email(&format!("listed.{task}@example.com"))
                        .await
                        .expect("looked up")
                        .len()
                };
            }
            found
        }
    };
    let (a, b, d, e) = tokio::join!(task(0), task(1), task(2), task(3));
    assert_eq!(a + b + d + e, 6 * 10 + 6, "{a} {b} {d} {e}");
    assert_eq!(list_statuses(&sim), [200; 12]);
    assert!(started.elapsed() >= 2 * WINDOW);
    assert!(c.listing_wait() > Duration::ZERO);

    // The same from spawned tasks holding clones (which share the pacer).
    let before = list_statuses(&sim).len();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                for _ in 0..3 {
                    c.profiles_page(1, 10, &ProfileFilter::default())
                        .await
                        .expect("listed");
                }
            })
        })
        .collect();
    for h in handles {
        h.await.expect("task");
    }
    assert_eq!(list_statuses(&sim)[before..], [200; 12]);
}

#[tokio::test]
async fn without_the_pacer_the_same_burst_meets_the_406() {
    let sim = throttled_sim().await;
    let c = client(&sim, 0, WINDOW, Duration::from_millis(100));
    let task = || async {
        for _ in 0..3 {
            c.profiles_page(1, 10, &ProfileFilter::default())
                .await
                .expect("listed after waiting out the 406");
        }
    };
    tokio::join!(task(), task(), task(), task());
    let statuses = list_statuses(&sim);
    assert!(statuses.contains(&406), "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 12);
    assert_eq!(c.listing_wait(), Duration::ZERO);
}

#[tokio::test]
async fn a_listing_beyond_the_pace_is_held_back_and_nothing_is_sent() {
    let sim = throttled_sim().await;
    // One listing a minute.
    let c = client(&sim, 1, Duration::from_secs(60), Duration::from_millis(5));
    c.profiles_page(1, 10, &ProfileFilter::default())
        .await
        .expect("the first goes at once");
    let held = tokio::time::timeout(
        Duration::from_millis(300),
        c.find_by_email("listed.3@example.com"),
    )
    .await;
    assert!(
        held.is_err(),
        "the lookup by email is a listing too: held back"
    );
    assert_eq!(sim.calls_to("GET", "/profiles"), 1, "nothing sent");
    assert!(c.listing_wait() >= Duration::from_millis(250));
    // Not listings: go at once.
    tokio::time::timeout(Duration::from_secs(5), c.me())
        .await
        .expect("me is not paced")
        .expect("me");
}
