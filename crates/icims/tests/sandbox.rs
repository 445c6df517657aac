//! The client against the project's own iCIMS simulator (`sandbox::icims`) over real HTTP on
//! 127.0.0.1. The simulator verifies signatures with code of its own, so a request it accepts
//! was signed the way iCIMS expects; every refusal here is the simulator's, not a mock's.

use icims::{
    Client, Config, DEFAULT_PERSON_FIELDS, Endpoint, Error, PersonId, SearchProgress, SearchQuery,
    SecretString, WorkflowId,
};
use sandbox::icims::{self as sim, IcimsSim, IcimsSimConfig};
use sandbox::seed::{self, HIRED, SeedConfig, World};
use std::ops::ControlFlow;
use std::time::Duration;

/// Not the demo key, so a client that fell back to it would be refused.
const KEY: &str = "client-test-hmac-key-7f3a9c";

fn sim_config() -> IcimsSimConfig {
    IcimsSimConfig {
        hmac_key: KEY.to_string(),
        ..IcimsSimConfig::default()
    }
}

async fn start(world: &World) -> IcimsSim {
    sim::start(sim_config(), world).await.expect("simulator")
}

fn client_with(sim: &IcimsSim, customer_id: &str, key: &str) -> Client {
    let config = Config::new(
        Endpoint::BaseUrl(sim.url()),
        customer_id,
        &sim.config().username,
        SecretString::from(key),
    )
    .expect("valid config")
    .with_timeout(Duration::from_secs(10));
    Client::new(config).expect("client")
}

fn client(sim: &IcimsSim) -> Client {
    client_with(sim, &sim.config().customer_id, KEY)
}

fn small_world() -> World {
    World::generate(&SeedConfig::default())
}

/// (path suffix, status) of every request the simulator saw.
fn log(sim: &IcimsSim) -> Vec<(String, u16)> {
    sim.request_log()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect()
}

fn searches(sim: &IcimsSim) -> Vec<u16> {
    sim.request_log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/search/applicantworkflows"))
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn signed_ping_and_search_are_accepted() {
    let world = small_world();
    let sim = start(&world).await;
    let c = client(&sim);

    let ping = c.ping().await.expect("ping accepted");
    assert!(ping.rate_limit.is_some(), "{ping:?}");

    let page = c
        .search_workflows(&SearchQuery::statuses([HIRED.id]))
        .await
        .expect("search accepted")
        .value;
    let expected: Vec<WorkflowId> = world
        .workflows_in_status(&[HIRED.id])
        .iter()
        .map(|w| WorkflowId(w.id))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(page.ids, expected);
    assert_eq!(searches(&sim), [200, 200], "{:?}", log(&sim));
    assert_eq!(c.calls_made(), 2);
}

#[tokio::test]
async fn a_wrong_key_is_bad_credentials() {
    let sim = start(&small_world()).await;
    let wrong = "client-test-hmac-key-7f3a9d";
    let e = client_with(&sim, &sim.config().customer_id, wrong)
        .ping()
        .await
        .expect_err("a wrong key must be refused");
    assert!(matches!(e, Error::BadCredentials { .. }), "{e:?}");
    assert_eq!(e.http_status(), Some(401));
    let text = format!("{e} {e:?}");
    assert!(!text.contains(wrong) && !text.contains(KEY), "{text}");
    assert_eq!(searches(&sim), [401]);
    // The same simulator accepts the right key: it was the key, not the set-up.
    client(&sim).ping().await.expect("right key accepted");
    assert_eq!(searches(&sim), [401, 200]);
}

#[tokio::test]
async fn an_unknown_customer_is_not_found() {
    let sim = start(&small_world()).await;
    let other = format!("{}9", sim.config().customer_id);
    let e = client_with(&sim, &other, KEY)
        .ping()
        .await
        .expect_err("unknown customer");
    match &e {
        Error::NotFound { message, .. } => {
            assert!(message.contains("Customer not found"), "{message}")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let seen = log(&sim);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].1, 404);
    assert!(
        seen[0].0.starts_with(&format!("/customers/{other}/")),
        "{seen:?}"
    );
}

#[tokio::test]
async fn paging_2500_hires_takes_exactly_three_searches() {
    let mut world = World::default();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for i in 0..2_500 {
        world.add_hire(
            "Page",
            &format!("Hire{i:04}"),
            Some(&format!("hire{i}@example.com")),
            now,
        );
    }
    // Noise the status filter must leave out.
    let person = world.people[0].id;
    let job = world.jobs[0].id;
    world.add_workflow(person, job, seed::OFFER.id, now);
    let expected: Vec<WorkflowId> = world
        .workflows_in_status(&[HIRED.id])
        .iter()
        .map(|w| WorkflowId(w.id))
        .collect();
    assert_eq!(expected.len(), 2_500);

    let sim = start(&world).await;
    let c = client(&sim);
    let mut pages: Vec<(u32, usize, bool)> = Vec::new();
    let all = tokio::time::timeout(
        Duration::from_secs(30),
        c.search_all_workflows(
            &SearchQuery::statuses(["Hired"]),
            |p: &SearchProgress<'_>| {
                pages.push((p.page, p.ids.len(), p.more));
                ControlFlow::Continue(())
            },
        ),
    )
    .await
    .expect("paging finished")
    .expect("paging succeeded");

    assert_eq!(all.ids.len(), 2_500);
    assert_eq!(all.ids, expected, "every hired workflow, ascending, once");
    assert!(all.complete);
    assert_eq!(all.pages, 3);
    assert_eq!(pages, [(1, 1_000, true), (2, 1_000, true), (3, 500, false)]);
    assert_eq!(
        searches(&sim),
        [200, 200, 200],
        "exactly three search calls"
    );
    assert_eq!(c.calls_made(), 3);
}

#[tokio::test]
async fn a_person_with_the_default_fields_decodes_non_ascii_text_addresses_and_gender() {
    let mut world = small_world();
    let mut p = seed::Person::new(0, "Zoë", "Nguyễn-Wójcik");
    p.middlename = Some("Thị".into());
    p.email = Some("zoe.nguyen@example.com".into());
    p.hiredate = Some("2026-11-20".into());
    p.startdate = Some("2026-12-07".into());
    p.gender = Some("Female".into());
    p.addresses = vec![
        seed::Address {
            kind: "Work".into(),
            street1: "1 Corporate Plaza".into(),
            street2: None,
            city: "Austin".into(),
            state_abbrev: Some("TX".into()),
            state_name: Some("Texas".into()),
            country_abbrev: "US".into(),
            country_name: "United States".into(),
            zip: "78701".into(),
        },
        seed::Address {
            kind: "Home".into(),
            street1: "12 Rue de l’Église".into(),
            street2: Some("Bâtiment B, 3ᵉ étage".into()),
            city: "New York".into(),
            state_abbrev: Some("NY".into()),
            state_name: Some("New York".into()),
            country_abbrev: "US".into(),
            country_name: "United States".into(),
            zip: "10001".into(),
        },
    ];
    p.phones = vec![seed::Phone {
        kind: "Mobile".into(),
        number: "+1 212 555 0199".into(),
    }];
    p.custom_fields = vec![("rcf1234".into(), "not requested".into())];
    let id = world.add_person(p);
    let job = world.jobs[0].id;
    world.add_workflow(id, job, HIRED.id, seed::SEED_ANCHOR_UNIX);

    let sim = start(&world).await;
    let person = client(&sim)
        .person(PersonId(id), DEFAULT_PERSON_FIELDS)
        .await
        .expect("person")
        .value;

    assert_eq!(person.firstname.as_deref(), Some("Zoë"));
    assert_eq!(person.middlename.as_deref(), Some("Thị"));
    assert_eq!(person.lastname.as_deref(), Some("Nguyễn-Wójcik"));
    assert_eq!(person.email.as_deref(), Some("zoe.nguyen@example.com"));
    assert_eq!(person.hiredate.as_deref(), Some("2026-11-20"));
    assert_eq!(person.startdate.as_deref(), Some("2026-12-07"));
    // Gender is a list node, not a plain string.
    let gender = person.gender.as_ref().expect("gender");
    assert_eq!(gender.text(), Some("Female"));
    assert!(
        gender.id.as_deref().is_some_and(|i| !i.is_empty()),
        "{gender:?}"
    );

    assert_eq!(person.addresses.len(), 2);
    let home = person.address_of_type("Home").expect("home address");
    assert_eq!(home.addressstreet1.as_deref(), Some("12 Rue de l’Église"));
    assert_eq!(home.addressstreet2.as_deref(), Some("Bâtiment B, 3ᵉ étage"));
    assert_eq!(home.addresscity.as_deref(), Some("New York"));
    let state = home.addressstate.as_ref().expect("state");
    assert_eq!(state.abbrev.as_deref(), Some("NY"));
    assert_eq!(state.id.as_deref(), seed::us_state_node_id("NY"));
    assert_eq!(
        home.addresscountry
            .as_ref()
            .and_then(|c| c.abbrev.as_deref()),
        Some("US")
    );
    assert_eq!(home.addresszip.as_deref(), Some("10001"));
    let work = person.address_of_type("Work").expect("work address");
    assert_eq!(work.addresscity.as_deref(), Some("Austin"));

    let mobile = person.phone_of_type("Mobile").expect("mobile");
    assert_eq!(mobile.phonenumber.as_deref(), Some("+1 212 555 0199"));
    // Only the requested fields come back: the tenant custom field was not asked for.
    assert!(!person.extra.contains_key("rcf1234"), "{:?}", person.extra);

    let req = sim.request_log().pop().expect("one request");
    assert_eq!(req.path, format!("/customers/1234/people/{id}"));
    assert_eq!(req.status, 200);
    let query = req.query.unwrap_or_default();
    assert!(
        query.starts_with("fields=firstname%2C") && query.contains("addresses"),
        "{query}"
    );
}

#[tokio::test]
async fn a_spent_budget_is_rate_limited() {
    let sim = start(&small_world()).await;
    let c = client(&sim);
    c.ping().await.expect("budget left");
    sim.set_remaining(0);
    let e = c.ping().await.expect_err("budget spent");
    match e {
        Error::RateLimited { reset_secs } => {
            let reset = reset_secs.expect("reset from x-ratelimit-reset");
            assert!((1..=86_400).contains(&reset), "{reset}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    let last = c.last_reply().expect("last reply");
    assert_eq!(last.status, 429);
    assert_eq!(last.rate_limit.and_then(|r| r.remaining), Some(0));
    assert_eq!(searches(&sim), [200, 429]);
}

#[tokio::test]
async fn rate_limit_headers_are_exposed_and_decrease() {
    let world = small_world();
    let sim = sim::start(
        IcimsSimConfig {
            daily_limit: 50,
            ..sim_config()
        },
        &world,
    )
    .await
    .expect("simulator");
    let c = client(&sim);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let rl = c.ping().await.expect("ping").rate_limit.expect("headers");
        assert_eq!(rl.limit, Some(50));
        assert!(rl.reset_secs.is_some_and(|s| s <= 86_400), "{rl:?}");
        remaining.push(rl.remaining.expect("remaining"));
    }
    let person = world.people[0].id;
    let rl = c
        .person(PersonId(person), &[])
        .await
        .expect("person")
        .rate_limit
        .expect("headers");
    remaining.push(rl.remaining.expect("remaining"));
    assert_eq!(remaining, [49, 48, 47, 46]);
    assert_eq!(sim.remaining(), 46);
}

#[tokio::test]
async fn a_client_clock_20_minutes_off_is_refused_and_the_server_date_is_reported() {
    let sim = start(&small_world()).await;
    for minutes in [20, -20] {
        let c = client(&sim).with_clock_offset(time::Duration::minutes(minutes));
        let e = c.ping().await.expect_err("skewed clock refused");
        assert!(
            matches!(e, Error::BadCredentials { .. }),
            "{minutes}: {e:?}"
        );
        let last = c.last_reply().expect("a reply was received");
        assert_eq!(last.status, 401);
        let server = last.server_date.expect("Date header on the refusal");
        let off = (server - time::OffsetDateTime::now_utc()).abs();
        assert!(off < time::Duration::minutes(1), "server date {server}");
    }
    // Within the simulator's 15-minute window the same client is accepted.
    let c = client(&sim).with_clock_offset(time::Duration::minutes(10));
    c.ping().await.expect("10 minutes off is tolerated");
    assert_eq!(searches(&sim), [401, 401, 200]);
}
