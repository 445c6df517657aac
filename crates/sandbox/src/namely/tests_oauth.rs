//! The OAuth endpoints over real HTTP with reqwest, the consent page through
//! [`consent::answer`].

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, LOCATION, PRAGMA};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::consent::{self, Decision};
use super::tests::sim;
use super::*;

const STATE: &str = "st-0123456789";

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The authorize URL an app builds.
fn authorize_url(sim: &NamelySim, client_id: &str, redirect_uri: &str, state: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/oauth2/authorize", sim.url())).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("approve", "true");
    url.to_string()
}

fn demo_authorize_url(sim: &NamelySim, state: &str) -> String {
    authorize_url(sim, OAUTH_CLIENT_ID, OAUTH_REDIRECT_URI, state)
}

/// The query of a redirect `Location`, after checking it goes to `redirect_uri`.
fn callback_params(location: &str, redirect_uri: &str) -> HashMap<String, String> {
    let (base, _) = location.split_once('?').expect("a query");
    assert_eq!(base, redirect_uri, "{location}");
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Signs in as `user` (default: whoever the page selects) and returns the code.
async fn code_for(sim: &NamelySim, user: Option<&str>) -> String {
    let location = consent::answer(&demo_authorize_url(sim, STATE), Decision::Accept, user)
        .await
        .expect("accepted");
    let params = callback_params(&location, OAUTH_REDIRECT_URI);
    assert_eq!(params["state"], STATE);
    params["code"].clone()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

/// POST /oauth2/token with this form, `query` appended, client authentication by HTTP Basic
/// when `basic` is given.
async fn token_call(
    sim: &NamelySim,
    form: &[(&str, &str)],
    query: &str,
    basic: Option<(&str, &str)>,
) -> Answer {
    let mut req = client()
        .post(format!("{}/oauth2/token{query}", sim.url()))
        .form(form);
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// The code exchange as the oauth2 crate sends it: client credentials by HTTP Basic,
/// `redirect_uri` in the body.
async fn basic_exchange(sim: &NamelySim, code: &str, client: (&str, &str)) -> Answer {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", OAUTH_REDIRECT_URI),
    ];
    token_call(sim, &form, "", Some(client)).await
}

/// The code exchange as Namely's Ruby gem sends it: `redirect_uri` in the query, client
/// credentials in the body.
async fn exchange(sim: &NamelySim, code: &str) -> Answer {
    let query = format!(
        "?redirect_uri={}",
        url::form_urlencoded::byte_serialize(OAUTH_REDIRECT_URI.as_bytes()).collect::<String>()
    );
    token_call(
        sim,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("code", code),
        ],
        &query,
        None,
    )
    .await
}

async fn refresh(sim: &NamelySim, refresh_token: &str) -> Answer {
    token_call(
        sim,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("refresh_token", refresh_token),
            ("redirect_uri", OAUTH_REDIRECT_URI),
        ],
        "",
        None,
    )
    .await
}

/// A full sign-in: (access token, refresh token).
async fn sign_in(sim: &NamelySim) -> (String, String) {
    let code = code_for(sim, None).await;
    let a = exchange(sim, &code).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    (
        a.body["access_token"].as_str().unwrap().to_string(),
        a.body["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// GET /profiles/me with this access token: status and the profile id, if any.
async fn me(sim: &NamelySim, token: &str) -> (StatusCode, Option<String>) {
    let resp = client()
        .get(format!("{}/profiles/me", sim.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    let id = body["profiles"][0]["id"].as_str().map(str::to_string);
    (status, id)
}

async fn page(url: &str) -> (StatusCode, HeaderMap, String) {
    let resp = client().get(url).send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

fn assert_oauth_error(a: &Answer, status: StatusCode, error: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["error"], error, "{}", a.body);
    assert!(a.body["error_description"].is_string(), "{}", a.body);
}

#[tokio::test]
async fn accept_code_token_and_the_api_as_the_chosen_person() {
    let sim = sim(2).await;
    let code = code_for(&sim, Some(EMPLOYEE_ID)).await;
    assert!(code.len() >= 32, "{code}");
    let a = exchange(&sim, &code).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers[CACHE_CONTROL], "no-store");
    assert_eq!(a.headers[PRAGMA], "no-cache");
    assert!(
        a.headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let keys: Vec<&str> = a
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>(),
        ["access_token", "expires_in", "refresh_token", "token_type"].into()
    );
    assert_eq!(a.body["token_type"], "bearer");
    assert_eq!(a.body["expires_in"], 899);
    let access = a.body["access_token"].as_str().unwrap();
    let refresh_token = a.body["refresh_token"].as_str().unwrap();
    assert!(access.len() >= 32 && refresh_token.len() >= 32 && access != refresh_token);

    // The access token is Emma Employee's, as chosen on the page (Olivia was the default).
    assert_eq!(
        me(&sim, access).await,
        (StatusCode::OK, Some(EMPLOYEE_ID.into()))
    );
    assert_eq!(sim.token_owner_id(access).as_deref(), Some(EMPLOYEE_ID));
    assert_eq!(sim.oauth_token_calls(), 1);
    assert_eq!(sim.calls_to("POST", "/api/v1/oauth2/token"), 1);

    // The default choice is Olivia Owner; the client may authenticate by HTTP Basic and send
    // redirect_uri in the body (as the oauth2 crate does).
    let code = code_for(&sim, None).await;
    let a = basic_exchange(&sim, &code, (OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let access = a.body["access_token"].as_str().unwrap();
    assert_eq!(
        me(&sim, access).await,
        (StatusCode::OK, Some(OLIVIA_OWNER_ID.into()))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_consent_page_offers_who_signs_in_and_two_buttons() {
    let sim = sim(1).await;
    let (status, headers, html) = page(&demo_authorize_url(&sim, STATE)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains("<title>Acme Corp (Sandbox) — Sign in to Namely</title>"));
    assert!(html.contains("<select name=\"user\" id=\"user\">"));
    assert!(html.contains(&format!(
        "<option value=\"{OLIVIA_OWNER_ID}\" selected>Olivia Owner"
    )));
    assert!(html.contains(&format!(
        "<option value=\"{INACTIVE_ADMIN_ID}\">Ivan Inactive"
    )));
    assert!(html.contains(&format!("<option value=\"{EMPLOYEE_ID}\">Emma Employee")));
    assert_eq!(html.matches("<option").count(), 3);
    assert!(html.contains("icims-namely (Sandbox demo) would like to use Namely as you"));
    assert!(html.contains("method=\"post\" action=\"/api/v1/oauth2/authorize\""));
    assert!(html.contains(
        "<button type=\"submit\" id=\"accept\" name=\"decision\" value=\"accept\">Accept</button>"
    ));
    assert!(html.contains(
        "<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>"
    ));
    for (name, value) in [
        ("client_id", OAUTH_CLIENT_ID),
        ("redirect_uri", OAUTH_REDIRECT_URI),
        ("state", STATE),
    ] {
        assert!(
            html.contains(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{value}\">"
            )),
            "{name}"
        );
    }

    // An unsupported response_type goes back to the app with an error (and the state).
    let url = demo_authorize_url(&sim, STATE).replace("response_type=code", "response_type=token");
    let resp = client().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let p = callback_params(
        resp.headers()[LOCATION].to_str().unwrap(),
        OAUTH_REDIRECT_URI,
    );
    assert_eq!(p["error"], "unsupported_response_type");
    assert_eq!(p["state"], STATE);
    // consent::answer hands such a redirect back as it is
    let location = consent::answer(&url, Decision::Accept, None).await.unwrap();
    assert!(
        location.contains("error=unsupported_response_type"),
        "{location}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn deny_sends_access_denied_and_the_state_back() {
    let sim = sim(1).await;
    let location = consent::answer(&demo_authorize_url(&sim, STATE), Decision::Deny, None)
        .await
        .unwrap();
    let p = callback_params(&location, OAUTH_REDIRECT_URI);
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["state"], STATE);
    assert!(!p["error_description"].is_empty());
    assert!(!p.contains_key("code"));
    assert!(sim.oauth_issued_values().is_empty(), "no code was issued");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unregistered_redirect_uri_or_client_gets_a_page_and_no_redirect() {
    let sim = sim(1).await;
    let elsewhere = "http://127.0.0.1:47601/namely/callback";
    for url in [
        authorize_url(&sim, OAUTH_CLIENT_ID, elsewhere, STATE),
        // not exactly the registered one: a trailing slash, another host name
        authorize_url(
            &sim,
            OAUTH_CLIENT_ID,
            &format!("{OAUTH_REDIRECT_URI}/"),
            STATE,
        ),
        authorize_url(
            &sim,
            OAUTH_CLIENT_ID,
            "http://localhost:47600/namely/callback",
            STATE,
        ),
        authorize_url(&sim, "no-such-client", OAUTH_REDIRECT_URI, STATE),
        format!(
            "{}/oauth2/authorize?response_type=code&client_id={OAUTH_CLIENT_ID}",
            sim.url()
        ),
    ] {
        let (status, headers, html) = page(&url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert!(headers.get(LOCATION).is_none(), "{url}");
        assert!(
            headers[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(html.contains("<p id=\"error\">"), "{html}");
        let err = consent::answer(&url, Decision::Accept, None)
            .await
            .unwrap_err();
        assert!(err.contains("HTTP 400"), "{err}");
    }
    let (_, _, html) = page(&authorize_url(&sim, OAUTH_CLIENT_ID, elsewhere, STATE)).await;
    assert!(
        html.contains("The redirect URI http://127.0.0.1:47601/namely/callback is not registered")
    );

    // Registering it makes it work; the old one is then refused.
    assert!(sim.set_oauth_redirect_uris(OAUTH_CLIENT_ID, vec![elsewhere.into()]));
    assert!(!sim.set_oauth_redirect_uris("no-such-client", vec![]));
    let location = consent::answer(
        &authorize_url(&sim, OAUTH_CLIENT_ID, elsewhere, STATE),
        Decision::Accept,
        None,
    )
    .await
    .unwrap();
    assert!(callback_params(&location, elsewhere).contains_key("code"));
    let (status, _, _) = page(&demo_authorize_url(&sim, STATE)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A POST is checked again: a forged redirect URI gets the page, not a code.
    let resp = client()
        .post(format!("{}/oauth2/authorize", sim.url()))
        .form(&[
            ("client_id", OAUTH_CLIENT_ID),
            ("redirect_uri", "https://evil.example/steal"),
            ("state", STATE),
            ("user", OLIVIA_OWNER_ID),
            ("decision", "accept"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get(LOCATION).is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn an_unknown_person_on_accept_gets_a_page() {
    let sim = sim(1).await;
    let err = consent::answer(
        &demo_authorize_url(&sim, STATE),
        Decision::Accept,
        Some("not-a-person"),
    )
    .await
    .unwrap_err();
    assert!(err.contains("HTTP 400") && err.contains("Nobody"), "{err}");
    // A profile without a login (a plain seeded employee) is no better.
    let err = consent::answer(
        &demo_authorize_url(&sim, STATE),
        Decision::Accept,
        Some("00000000-0000-4000-8000-000000000000"),
    )
    .await
    .unwrap_err();
    assert!(err.contains("HTTP 400"), "{err}");
    assert!(sim.oauth_issued_values().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_or_missing_client_secret_is_invalid_client() {
    let sim = sim(1).await;
    let code = code_for(&sim, None).await;
    let with = |id: &'static str, secret: &'static str| {
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", id),
            ("client_secret", secret),
            ("redirect_uri", OAUTH_REDIRECT_URI),
        ]
    };
    for form in [
        with(OAUTH_CLIENT_ID, "sandbox-oauth-secret-WRONG"),
        with("no-such-client", OAUTH_CLIENT_SECRET),
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_CLIENT_ID),
        ],
    ] {
        let mut form = form;
        form.push(("code", &code));
        let a = token_call(&sim, &form, "", None).await;
        assert_oauth_error(&a, StatusCode::UNAUTHORIZED, "invalid_client");
        assert_eq!(a.headers[CACHE_CONTROL], "no-store");
    }
    let a = basic_exchange(&sim, &code, (OAUTH_CLIENT_ID, "wrong")).await;
    assert_oauth_error(&a, StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(a.headers.get("www-authenticate").is_some());
    // The code was not used up by the refused attempts.
    assert_eq!(exchange(&sim, &code).await.status, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_what_it_gave() {
    let sim = sim(1).await;
    let code = code_for(&sim, None).await;
    let first = exchange(&sim, &code).await;
    assert_eq!(first.status, StatusCode::OK);
    let access = first.body["access_token"].as_str().unwrap();
    let refresh_token = first.body["refresh_token"].as_str().unwrap();
    assert_eq!(me(&sim, access).await.0, StatusCode::OK);
    // a refreshed token of the same sign-in goes too
    let refreshed = refresh(&sim, refresh_token).await;
    let refreshed = refreshed.body["access_token"].as_str().unwrap().to_string();

    assert_oauth_error(
        &exchange(&sim, &code).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    assert_eq!(me(&sim, access).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&sim, &refreshed).await.0, StatusCode::UNAUTHORIZED);
    assert_oauth_error(
        &refresh(&sim, refresh_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_grants_and_requests_are_named() {
    let sim = sim(1).await;
    // another redirect URI than the one the code was issued for
    let code = code_for(&sim, None).await;
    let a = token_call(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:47600/other"),
        ],
        "",
        None,
    )
    .await;
    assert_oauth_error(&a, StatusCode::BAD_REQUEST, "invalid_grant");
    // no redirect_uri at all, no code, no grant_type
    let base = [
        ("client_id", OAUTH_CLIENT_ID),
        ("client_secret", OAUTH_CLIENT_SECRET),
    ];
    for (extra, missing) in [
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
            ],
            "redirect_uri",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("redirect_uri", OAUTH_REDIRECT_URI),
            ],
            "code",
        ),
        (vec![("grant_type", "refresh_token")], "refresh_token"),
        (vec![("code", code.as_str())], "grant_type"),
    ] {
        let form: Vec<_> = base.iter().copied().chain(extra).collect();
        let a = token_call(&sim, &form, "", None).await;
        assert_oauth_error(&a, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(
            a.body["error_description"]
                .as_str()
                .unwrap()
                .contains(missing)
        );
    }
    let form: Vec<_> = base
        .iter()
        .copied()
        .chain([
            ("grant_type", "password"),
            ("username", "olivia"),
            ("password", "x"),
        ])
        .collect();
    let a = token_call(&sim, &form, "", None).await;
    assert_oauth_error(&a, StatusCode::BAD_REQUEST, "unsupported_grant_type");
    assert_oauth_error(
        &exchange(&sim, "no-such-code").await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // the code still works after all that...
    assert_eq!(exchange(&sim, &code).await.status, StatusCode::OK);
    // ...and a code expires after 10 minutes on the simulator's clock
    let late = code_for(&sim, None).await;
    sim.advance_clock(Duration::from_secs(601));
    assert_oauth_error(
        &exchange(&sim, &late).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // another app's code is no good to this one
    sim.register_oauth_app(OAuthApp {
        name: "Other".into(),
        client_id: "other-client".into(),
        client_secret: "other-secret-123".into(),
        redirect_uris: vec![OAUTH_REDIRECT_URI.into()],
    });
    let code = code_for(&sim, None).await;
    let a = basic_exchange(&sim, &code, ("other-client", "other-secret-123")).await;
    assert_oauth_error(&a, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(sim.oauth_apps().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn refresh_answers_per_rotation() {
    let sim = sim(1).await;
    let (access, refresh_token) = sign_in(&sim).await;

    // Omit (the default, as recorded): no refresh token; the old one keeps working.
    let a = refresh(&sim, &refresh_token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.headers[CACHE_CONTROL], "no-store");
    assert!(a.body.get("refresh_token").is_none(), "{}", a.body);
    assert_eq!(a.body["token_type"], "bearer");
    assert_eq!(a.body["expires_in"], 899);
    let new_access = a.body["access_token"].as_str().unwrap().to_string();
    assert_ne!(new_access, access);
    assert_eq!(
        me(&sim, &new_access).await,
        (StatusCode::OK, Some(OLIVIA_OWNER_ID.into()))
    );
    assert_eq!(
        me(&sim, &access).await.0,
        StatusCode::OK,
        "the old access token lives on"
    );
    assert_eq!(refresh(&sim, &refresh_token).await.status, StatusCode::OK);

    // Same: the same refresh token comes back.
    sim.set_refresh_rotation(RefreshRotation::Same);
    let a = refresh(&sim, &refresh_token).await;
    assert_eq!(a.body["refresh_token"], refresh_token.as_str());
    assert_eq!(refresh(&sim, &refresh_token).await.status, StatusCode::OK);

    // Rotate: a new one; the old one is refused from then on.
    sim.set_refresh_rotation(RefreshRotation::Rotate);
    let a = refresh(&sim, &refresh_token).await;
    assert_eq!(a.status, StatusCode::OK);
    let rotated = a.body["refresh_token"].as_str().unwrap().to_string();
    assert!(rotated != refresh_token && rotated.len() >= 32);
    assert_oauth_error(
        &refresh(&sim, &refresh_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    let a = refresh(&sim, &rotated).await;
    assert_eq!(a.status, StatusCode::OK);
    let access = a.body["access_token"].as_str().unwrap();
    assert_eq!(me(&sim, access).await.0, StatusCode::OK);

    // Configured from the start too.
    let config = NamelySimConfig {
        refresh_rotation: RefreshRotation::Rotate,
        ..NamelySimConfig::default()
    };
    let other = super::tests::sim_with(config, 0).await;
    let (_, r) = sign_in(&other).await;
    assert!(refresh(&other, &r).await.body["refresh_token"].is_string());
    other.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn revoking_the_apps_grants_stops_every_token() {
    let sim = sim(1).await;
    let (access, refresh_token) = sign_in(&sim).await;
    let pending_code = code_for(&sim, None).await;
    sim.revoke_oauth_grants();
    assert_eq!(me(&sim, &access).await.0, StatusCode::UNAUTHORIZED);
    assert_oauth_error(
        &refresh(&sim, &refresh_token).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    assert_oauth_error(
        &exchange(&sim, &pending_code).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // personal access tokens are not OAuth grants
    assert_eq!(me(&sim, TOKEN_OLIVIA_OWNER).await.0, StatusCode::OK);
    // signing in again works
    let (access, _) = sign_in(&sim).await;
    assert_eq!(me(&sim, &access).await.0, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn access_tokens_expire_on_the_simulators_clock_and_on_demand() {
    let sim = sim(1).await;
    let (access, refresh_token) = sign_in(&sim).await;
    sim.advance_clock(Duration::from_secs(898));
    assert_eq!(me(&sim, &access).await.0, StatusCode::OK);
    sim.advance_clock(Duration::from_secs(2));
    assert_eq!(me(&sim, &access).await.0, StatusCode::UNAUTHORIZED);
    let a = refresh(&sim, &refresh_token).await;
    let fresh = a.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(me(&sim, &fresh).await.0, StatusCode::OK);

    sim.expire_access_tokens();
    assert_eq!(me(&sim, &fresh).await.0, StatusCode::UNAUTHORIZED);
    let a = refresh(&sim, &refresh_token).await;
    let after = a.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        me(&sim, &after).await.0,
        StatusCode::OK,
        "issued after: works"
    );
    assert_eq!(me(&sim, TOKEN_OLIVIA_OWNER).await.0, StatusCode::OK);

    sim.set_access_token_ttl(Duration::from_secs(60));
    let a = refresh(&sim, &refresh_token).await;
    assert_eq!(a.body["expires_in"], 60);
    let short = a.body["access_token"].as_str().unwrap().to_string();
    sim.advance_clock(Duration::from_secs(61));
    assert_eq!(me(&sim, &short).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&sim, &after).await.0,
        StatusCode::OK,
        "899 s not over yet"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_inactive_person_may_accept_but_the_api_refuses_them() {
    let sim = sim(1).await;
    let code = code_for(&sim, Some(INACTIVE_ADMIN_ID)).await;
    let a = exchange(&sim, &code).await;
    let access = a.body["access_token"].as_str().unwrap();
    assert_eq!(me(&sim, access).await.0, StatusCode::FORBIDDEN);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hostile_state_is_escaped_in_the_page_and_verbatim_in_the_location() {
    let sim = sim(1).await;
    let hostile = "\"><script>alert('x')</script>&amp; +%20 é<b>";
    let url = demo_authorize_url(&sim, hostile);
    let (status, _, html) = page(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>"));
    assert!(html.contains(
        "value=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp; +%20 é&lt;b&gt;\""
    ));
    for decision in [Decision::Accept, Decision::Deny] {
        let location = consent::answer(&url, decision, None).await.unwrap();
        assert!(
            !location.contains(' ') && !location.contains('<'),
            "{location}"
        );
        assert!(
            location.contains("%20%2B%2520%20"),
            "space as %20: {location}"
        );
        assert_eq!(
            callback_params(&location, OAUTH_REDIRECT_URI)["state"],
            hostile
        );
    }
    // and so is a hostile redirect URI, registered or not
    let evil = "http://127.0.0.1:47600/cb?x=\"><script>1</script>";
    let (status, _, html) = page(&authorize_url(&sim, OAUTH_CLIENT_ID, evil, "s")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!html.contains("<script>"), "{html}");
    sim.set_oauth_redirect_uris(OAUTH_CLIENT_ID, vec![evil.into()]);
    let (status, _, html) = page(&authorize_url(&sim, OAUTH_CLIENT_ID, evil, "s")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<script>"), "{html}");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_request_log_holds_no_secret() {
    let sim = sim(1).await;
    let (access, refresh_token) = sign_in(&sim).await;
    sim.set_refresh_rotation(RefreshRotation::Rotate);
    let rotated = refresh(&sim, &refresh_token).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    // secrets sent in the query and as JSON are redacted too
    let resp = client()
        .post(format!(
            "{}/oauth2/token?client_secret={OAUTH_CLIENT_SECRET}&code=abc-secret-code&token={access}",
            sim.url()
        ))
        .json(&json!({ "refresh_token": rotated, "client_secret": OAUTH_CLIENT_SECRET }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = client()
        .post(format!("{}/oauth2/revoke", sim.url()))
        .basic_auth(OAUTH_CLIENT_ID, Some(OAUTH_CLIENT_SECRET))
        .form(&[
            ("token", rotated.as_str()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    let log = sim.request_log();
    let text = format!("{log:?}");
    let mut secrets = sim.oauth_issued_values();
    assert!(secrets.len() >= 4, "{secrets:?}");
    secrets.extend([
        OAUTH_CLIENT_SECRET.to_string(),
        "abc-secret-code".to_string(),
    ]);
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "{s} in the log: {text}");
    }
    let exchange = log
        .iter()
        .find(|r| r.path.ends_with("/oauth2/token"))
        .expect("logged");
    let body = exchange.body.as_ref().unwrap().as_str().unwrap();
    assert!(
        body.contains("client_secret=REDACTED") && body.contains("code=REDACTED"),
        "{body}"
    );
    assert!(body.contains("grant_type=authorization_code"), "{body}");
    let json_call = log
        .iter()
        .find(|r| r.query.contains("client_secret"))
        .unwrap();
    assert!(
        json_call
            .query
            .contains("client_secret=REDACTED&code=REDACTED&token=REDACTED")
    );
    assert_eq!(
        json_call.body.as_ref().unwrap()["refresh_token"],
        "REDACTED"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn revocation_takes_a_refresh_token_with_its_access_tokens_or_one_access_token() {
    let sim = sim(1).await;
    let revoke = |token: String, secret: &'static str| {
        let url = format!("{}/oauth2/revoke", sim.url());
        async move {
            let resp = client()
                .post(url)
                .form(&[
                    ("token", token.as_str()),
                    ("client_id", OAUTH_CLIENT_ID),
                    ("client_secret", secret),
                ])
                .send()
                .await
                .unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }
    };
    let (access, refresh_token) = sign_in(&sim).await;
    let (a2, r2) = sign_in(&sim).await;
    let (status, body) = revoke(access.clone(), "wrong-secret").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    assert_eq!(me(&sim, &access).await.0, StatusCode::OK);

    assert_eq!(
        revoke(access.clone(), OAUTH_CLIENT_SECRET).await,
        (StatusCode::OK, json!({}))
    );
    assert_eq!(me(&sim, &access).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh(&sim, &refresh_token).await.status,
        StatusCode::OK,
        "refresh lives on"
    );

    assert_eq!(
        revoke(r2.clone(), OAUTH_CLIENT_SECRET).await,
        (StatusCode::OK, json!({}))
    );
    assert_oauth_error(
        &refresh(&sim, &r2).await,
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    assert_eq!(me(&sim, &a2).await.0, StatusCode::UNAUTHORIZED);
    // unknown tokens: 200, nothing happens
    assert_eq!(
        revoke("nothing".into(), OAUTH_CLIENT_SECRET).await.0,
        StatusCode::OK
    );
    assert_eq!(refresh(&sim, &refresh_token).await.status, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_and_raw_answers_reach_the_token_endpoint() {
    let sim = sim(1).await;
    let code = code_for(&sim, None).await;
    sim.fail_next_on("POST", "/api/v1/oauth2/token", 1, 502);
    let a = exchange(&sim, &code).await;
    assert_eq!(a.status, StatusCode::BAD_GATEWAY);
    sim.answer_next_raw(
        "POST",
        "/oauth2/token",
        1,
        crate::raw::RawAnswer::html(502, "502 Bad Gateway"),
    );
    let a = exchange(&sim, &code).await;
    assert_eq!(a.status, StatusCode::BAD_GATEWAY);
    assert!(
        a.body
            .as_str()
            .unwrap()
            .contains("<title>502 Bad Gateway</title>")
    );
    sim.fail_next_on("POST", "/oauth2/token", 1, 503);
    assert_eq!(
        exchange(&sim, &code).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // none of that used the code up
    assert_eq!(exchange(&sim, &code).await.status, StatusCode::OK);
    assert_eq!(sim.oauth_token_calls(), 4);

    sim.set_latency(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let code = code_for(&sim, None).await; // a GET and a POST: 600 ms
    assert!(exchange(&sim, &code).await.status == StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(900));
    // and a GET to the token endpoint is the wrong method
    let resp = client()
        .get(format!("{}/oauth2/token", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_demo_app_is_the_default_configuration() {
    let config = NamelySimConfig::default();
    assert_eq!(config.oauth_apps, vec![OAuthApp::demo()]);
    assert_eq!(config.oauth_apps[0].redirect_uris, [OAUTH_REDIRECT_URI]);
    assert_eq!(config.access_token_ttl, Duration::from_secs(899));
    assert_eq!(config.refresh_rotation, RefreshRotation::Omit);
    let sim = sim(0).await;
    assert_eq!(sim.oauth_apps(), vec![OAuthApp::demo()]);
    sim.shutdown().await;
}

/// A simulator with the default seed hands out the same first tokens every time: they are
/// canaries (`crates/sandbox/canaries.txt`), so the scan finds them wherever a test that signs
/// in once (the command line's, the app window's) leaves them.
#[tokio::test]
async fn the_first_tokens_of_a_default_simulator_are_the_canaries() {
    for _ in 0..2 {
        let sim = sim(0).await;
        let (access, refresh) = sign_in(&sim).await;
        assert_eq!(access, FIRST_ACCESS_TOKEN);
        assert_eq!(refresh, FIRST_REFRESH_TOKEN);
    }
}
