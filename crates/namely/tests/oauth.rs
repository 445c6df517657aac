//! Sign in with Namely (OAuth authorization code) over real HTTP on 127.0.0.1: against the
//! project's Namely simulator (`sandbox::namely`: consent page, token endpoint, refresh,
//! revocation, expiry), and against a wiremock server for the answers the simulator never
//! gives (a gateway's page, a redirect, a token answer of the wrong shape).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use namely::{
    Client, Config, Credential, Endpoint, Error, NewProfile, OAuth, OAuthApp, OAuthSession,
    RefreshTokenSaver, SignInError, Tokens, redirect_uri,
};
use sandbox::namely::consent::{self, Decision};
use sandbox::namely::oauth::{OAuthApp as SimApp, RefreshRotation};
use sandbox::namely::{
    self as sim, EMPLOYEE_ID, INACTIVE_ADMIN_ID, NamelySim, NamelySimConfig, OAUTH_CLIENT_SECRET,
    OAUTH_REDIRECT_URI, OLIVIA_OWNER_ID,
};
use secrecy::{ExposeSecret, SecretString};
use time::macros::date;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TIMEOUT: Duration = Duration::from_secs(10);

/// The app these tests register in the simulator, on a port of their own.
const TEST_PORT: u16 = 47611;
const TEST_CLIENT_ID: &str = "oauth-tests-client";
const TEST_SECRET: &str = "oauth-tests-secret-Q7w9Zk2";

async fn simulator() -> NamelySim {
    let sim = sim::start(NamelySimConfig::default(), &[])
        .await
        .expect("simulator");
    sim.register_oauth_app(SimApp {
        name: "OAuth tests".into(),
        client_id: TEST_CLIENT_ID.into(),
        client_secret: TEST_SECRET.into(),
        redirect_uris: vec![redirect_uri(TEST_PORT).to_string()],
    });
    sim
}

fn endpoint(base: &str) -> Endpoint {
    Endpoint::base_url(base).expect("loopback base")
}

fn app(client_id: &str, secret: &str) -> OAuthApp {
    OAuthApp {
        client_id: client_id.into(),
        client_secret: SecretString::from(secret),
    }
}

fn oauth_at(base: &str, app: OAuthApp, port: u16) -> OAuth {
    OAuth::new(&endpoint(base), app, redirect_uri(port), TIMEOUT).expect("oauth")
}

/// `app` at a wiremock server standing in for Namely.
fn oauth_on(server: &MockServer, app: OAuthApp) -> OAuth {
    oauth_at(&format!("{}/api/v1", server.uri()), app, TEST_PORT)
}

/// The tests' app in `sim`.
fn oauth(sim: &NamelySim) -> OAuth {
    oauth_at(&sim.url(), app(TEST_CLIENT_ID, TEST_SECRET), TEST_PORT)
}

/// Opens the authorize page like a browser, presses Accept as `user` (default: the one
/// selected), and reads the code from where the page sends the browser back to.
async fn accept(oauth: &OAuth, user: Option<&str>) -> String {
    let auth = oauth.authorize();
    let location = consent::answer(auth.url.as_str(), Decision::Accept, user)
        .await
        .expect("the consent page answers");
    let back = Url::parse(&location).expect("a redirect URI");
    assert_eq!(
        back.as_str().split('?').next(),
        Some(oauth.redirect().as_str()),
        "sent back to the registered redirect URI"
    );
    let get = |k: &str| {
        back.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(get("state").as_deref(), Some(auth.state.as_str()));
    assert_eq!(get("error"), None);
    get("code").expect("a code")
}

async fn sign_in_as(oauth: &OAuth, user: Option<&str>) -> Tokens {
    let code = accept(oauth, user).await;
    oauth.exchange_code(&code).await.expect("exchange")
}

fn client(base: &str, session: OAuthSession) -> Client {
    Client::new(
        Config::oauth(endpoint(base), session)
            .expect("config")
            .with_timeout(TIMEOUT),
    )
    .expect("client")
}

async fn signed_in(sim: &NamelySim, saver: Option<RefreshTokenSaver>) -> (OAuthSession, Client) {
    let oauth = oauth(sim);
    let tokens = sign_in_as(&oauth, None).await;
    let session = OAuthSession::signed_in(oauth, tokens, saver).expect("signed in");
    let client = client(&sim.url(), session.clone());
    (session, client)
}

/// A saver that keeps what it is given.
fn saver() -> (RefreshTokenSaver, Arc<Mutex<Vec<String>>>) {
    let saved = Arc::new(Mutex::new(Vec::new()));
    let kept = saved.clone();
    let saver: RefreshTokenSaver = Arc::new(move |token: SecretString| {
        let kept = kept.clone();
        Box::pin(async move {
            kept.lock().unwrap().push(token.expose_secret().to_string());
        })
    });
    (saver, saved)
}

/// Neither the error's text nor its debug form holds any of `secrets`.
fn assert_no_secret(e: &Error, secrets: &[&str]) {
    let text = format!("{e} | {e:?}");
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!text.contains(s), "a secret leaked into: {text}");
    }
}

fn secrets_of(sim: &NamelySim) -> Vec<String> {
    let mut all = sim.oauth_issued_values();
    all.push(TEST_SECRET.into());
    all.push(OAUTH_CLIENT_SECRET.into());
    all
}

fn profile_posts(sim: &NamelySim) -> Vec<u16> {
    sim.request_log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.trim_end_matches(".json") == "/api/v1/profiles")
        .map(|r| r.status)
        .collect()
}

fn hire(n: u32) -> NewProfile {
    NewProfile::active(
        "Ada",
        format!("Lovelace{n}"),
        format!("ada.lovelace{n}@example.com"),
        date!(2024 - 03 - 04),
    )
}

// ---- against the simulator ----

#[tokio::test]
async fn the_default_redirect_uri_is_the_one_the_sandbox_demo_app_registers() {
    assert_eq!(
        redirect_uri(namely::assumptions::DEFAULT_REDIRECT_PORT).as_str(),
        OAUTH_REDIRECT_URI
    );
    assert_eq!(
        redirect_uri(TEST_PORT).as_str(),
        "http://127.0.0.1:47611/namely/callback"
    );
}

#[tokio::test]
async fn authorize_url_asks_for_a_code_for_this_app_and_nothing_more() {
    let sim = simulator().await;
    let oauth = oauth(&sim);
    let auth = oauth.authorize();
    assert_eq!(auth.url.path(), "/api/v1/oauth2/authorize");
    let pairs: Vec<(String, String)> = auth.url.query_pairs().into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(get("client_id"), Some(TEST_CLIENT_ID));
    assert_eq!(
        get("redirect_uri"),
        Some("http://127.0.0.1:47611/namely/callback")
    );
    assert_eq!(get("state"), Some(auth.state.as_str()));
    assert!(
        auth.state.len() >= 16,
        "state {:?} is too short",
        auth.state
    );
    assert_eq!(get("scope"), None, "Namely documents no scope");
    assert_eq!(get("approve"), None, "the person must see the Accept page");
    assert!(!auth.url.as_str().contains(TEST_SECRET));
    assert_ne!(
        oauth.authorize().state,
        auth.state,
        "a new state every time"
    );
}

#[tokio::test]
async fn full_sign_in_through_the_consent_page_signs_the_client_in_as_the_chosen_person() {
    let sim = simulator().await;
    let oauth = oauth(&sim);
    let tokens = sign_in_as(&oauth, Some(EMPLOYEE_ID)).await;
    assert_eq!(tokens.expires_in, Some(Duration::from_secs(899)));
    assert!(tokens.refresh_token.is_some());
    let session = OAuthSession::signed_in(oauth, tokens, None).expect("signed in");
    let client = client(&sim.url(), session.clone());
    let me = client.me().await.expect("me");
    assert_eq!(me.id.as_str(), EMPLOYEE_ID);
    assert_eq!(session.refreshes(), 0, "a fresh access token is used as is");
    assert_eq!(sim.oauth_token_calls(), 1);
    // The default choice on the page is Olivia Owner.
    let tokens = sign_in_as(session.oauth(), None).await;
    let other = client_for(&sim, tokens);
    assert_eq!(other.me().await.expect("me").id.as_str(), OLIVIA_OWNER_ID);
}

fn client_for(sim: &NamelySim, tokens: Tokens) -> Client {
    client(
        &sim.url(),
        OAuthSession::signed_in(oauth(sim), tokens, None).expect("signed in"),
    )
}

#[tokio::test]
async fn a_code_works_once_and_is_refused_with_a_plain_next_step_after() {
    let sim = simulator().await;
    let oauth = oauth(&sim);
    let code = accept(&oauth, None).await;
    oauth.exchange_code(&code).await.expect("first exchange");
    let e = oauth.exchange_code(&code).await.expect_err("reused code");
    assert!(
        matches!(&e, Error::SignIn(SignInError::CodeRejected { code }) if code == "invalid_grant"),
        "{e:?}"
    );
    assert!(e.to_string().contains("Sign in with Namely again"), "{e}");
    assert_no_secret(&e, &[&code, TEST_SECRET]);
}

#[tokio::test]
async fn a_token_that_runs_out_within_the_margin_is_refreshed_before_every_call() {
    let sim = simulator().await;
    sim.set_access_token_ttl(Duration::from_secs(30));
    let (session, client) = signed_in(&sim, None).await;
    assert_eq!(sim.oauth_token_calls(), 1);
    for _ in 0..3 {
        client.me().await.expect("me");
    }
    assert_eq!(session.refreshes(), 3);
    assert_eq!(
        sim.oauth_token_calls(),
        4,
        "one exchange, then a refresh per call"
    );
    let refused = sim
        .request_log()
        .into_iter()
        .filter(|r| r.status == 401)
        .count();
    assert_eq!(refused, 0, "refreshed before Namely had to refuse");
}

#[tokio::test]
async fn a_token_namely_refuses_is_refreshed_once_and_the_request_sent_again_once() {
    let sim = simulator().await;
    let (session, client) = signed_in(&sim, None).await;
    client.me().await.expect("me");
    assert_eq!(session.refreshes(), 0);

    sim.expire_access_tokens();
    client.me().await.expect("me after a refresh");
    assert_eq!(session.refreshes(), 1);
    assert_eq!(sim.oauth_token_calls(), 2);
    let me_statuses: Vec<u16> = sim
        .request_log()
        .into_iter()
        .filter(|r| r.path.ends_with("/profiles/me"))
        .map(|r| r.status)
        .collect();
    assert_eq!(me_statuses, vec![200, 401, 200]);

    // A create refused for its token is sent again, once.
    sim.expire_access_tokens();
    let created = client.create_profile(&hire(1)).await.expect("created");
    assert_eq!(profile_posts(&sim), vec![401, 201]);
    assert_eq!(sim.created_profiles().len(), 1);
    assert_eq!(session.refreshes(), 2);
    assert_eq!(
        client.profile(&created.id).await.expect("read").id,
        created.id
    );
}

#[tokio::test]
async fn a_create_is_never_sent_a_third_time_when_the_new_token_is_refused_too() {
    let sim = simulator().await;
    let (session, client) = signed_in(&sim, None).await;
    // Every new access token is dead on arrival, and the current one expires.
    sim.set_access_token_ttl(Duration::ZERO);
    sim.expire_access_tokens();
    let e = client.create_profile(&hire(2)).await.expect_err("refused");
    assert!(matches!(e, Error::Unauthorized), "{e:?}");
    assert!(!e.may_have_been_applied());
    assert_eq!(profile_posts(&sim), vec![401, 401], "sent twice, not more");
    assert_eq!(session.refreshes(), 1);
    assert_eq!(sim.oauth_token_calls(), 2);
    assert!(sim.created_profiles().is_empty());
}

#[tokio::test]
async fn an_inactive_person_s_403_costs_one_refresh_and_reads_as_forbidden() {
    let sim = simulator().await;
    let oauth = oauth(&sim);
    let tokens = sign_in_as(&oauth, Some(INACTIVE_ADMIN_ID)).await;
    let session = OAuthSession::signed_in(oauth, tokens, None).expect("signed in");
    let client = client(&sim.url(), session.clone());
    let e = client.me().await.expect_err("inactive");
    assert!(matches!(e, Error::Forbidden), "{e:?}");
    assert!(e.is_auth());
    assert_eq!(session.refreshes(), 1);
    assert_eq!(sim.calls_to("GET", "/profiles/me"), 2);
}

#[tokio::test]
async fn a_revoked_sign_in_says_to_sign_in_again_and_asks_namely_only_once() {
    let sim = simulator().await;
    let (session, client) = signed_in(&sim, None).await;
    client.me().await.expect("me");
    sim.revoke_oauth_grants();
    let e = client.me().await.expect_err("revoked");
    assert!(
        matches!(&e, Error::SignIn(SignInError::RefreshRejected { code }) if code == "invalid_grant"),
        "{e:?}"
    );
    assert!(e.is_auth());
    let text = e.to_string();
    assert!(text.contains("Sign in with Namely again"), "{text}");
    assert!(text.contains("icims-namely signin"), "{text}");
    let secrets = secrets_of(&sim);
    assert_no_secret(&e, &secrets.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(sim.oauth_token_calls(), 2);

    // Later calls fail the same way without asking Namely again.
    let again = client
        .create_profile(&hire(3))
        .await
        .expect_err("still revoked");
    assert!(
        matches!(again, Error::SignIn(SignInError::RefreshRejected { .. })),
        "{again:?}"
    );
    assert!(!again.may_have_been_applied());
    assert_eq!(sim.oauth_token_calls(), 2);
    assert!(profile_posts(&sim).is_empty());

    // A new process holding only the stored refresh token hears the same.
    let stored = session.refresh_token().await;
    let fresh = OAuthSession::new(oauth(&sim), stored, None);
    let e = client_with(&sim, fresh).me().await.expect_err("revoked");
    assert!(
        matches!(e, Error::SignIn(SignInError::RefreshRejected { .. })),
        "{e:?}"
    );
}

fn client_with(sim: &NamelySim, session: OAuthSession) -> Client {
    client(&sim.url(), session)
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_at_sign_in_and_at_refresh() {
    let sim = simulator().await;
    let wrong = "oauth-tests-secret-WRONG-1";
    let bad = oauth_at(&sim.url(), app(TEST_CLIENT_ID, wrong), TEST_PORT);
    let code = accept(&bad, None).await;
    let e = bad.exchange_code(&code).await.expect_err("wrong secret");
    assert!(
        matches!(e, Error::SignIn(SignInError::ClientRejected)),
        "{e:?}"
    );
    assert!(e.is_auth());
    assert!(e.to_string().contains("client secret"), "{e}");
    assert_no_secret(&e, &[wrong, &code, TEST_SECRET]);

    // Signed in with the right secret; the stored secret is wrong later.
    let tokens = sign_in_as(&oauth(&sim), None).await;
    let refresh = tokens.refresh_token.clone().expect("refresh token");
    let e = bad.refresh(&refresh).await.expect_err("wrong secret");
    assert!(
        matches!(e, Error::SignIn(SignInError::ClientRejected)),
        "{e:?}"
    );
    let session = OAuthSession::new(bad, refresh.clone(), None);
    let e = client_with(&sim, session)
        .me()
        .await
        .expect_err("wrong secret");
    assert!(
        matches!(e, Error::SignIn(SignInError::ClientRejected)),
        "{e:?}"
    );
    assert_no_secret(&e, &[wrong, refresh.expose_secret(), TEST_SECRET]);
}

#[tokio::test]
async fn a_rotated_refresh_token_is_saved_once_and_the_old_one_dies() {
    let sim = simulator().await;
    let (save, saved) = saver();
    let (session, client) = signed_in(&sim, Some(save)).await;
    let first = session.refresh_token().await.expose_secret().to_string();
    sim.set_refresh_rotation(RefreshRotation::Rotate);
    sim.expire_access_tokens();
    client.me().await.expect("me");
    let kept = saved.lock().unwrap().clone();
    assert_eq!(kept.len(), 1, "saved exactly once");
    assert_ne!(kept[0], first);
    assert_eq!(session.refresh_token().await.expose_secret(), kept[0]);
    let e = session
        .oauth()
        .refresh(&SecretString::from(first.clone()))
        .await
        .expect_err("the old one is revoked");
    assert!(
        matches!(e, Error::SignIn(SignInError::RefreshRejected { .. })),
        "{e:?}"
    );
    // The next refresh uses the new one (and saves the next).
    sim.expire_access_tokens();
    client.me().await.expect("me with the rotated token");
    assert_eq!(saved.lock().unwrap().len(), 2);
    assert_eq!(session.refreshes(), 2);
}

#[tokio::test]
async fn without_rotation_nothing_is_saved_and_the_old_token_keeps_working() {
    for rotation in [RefreshRotation::Omit, RefreshRotation::Same] {
        let sim = simulator().await;
        sim.set_refresh_rotation(rotation);
        let (save, saved) = saver();
        let (session, client) = signed_in(&sim, Some(save)).await;
        let first = session.refresh_token().await.expose_secret().to_string();
        for _ in 0..2 {
            sim.expire_access_tokens();
            client.me().await.expect("me");
        }
        assert_eq!(session.refreshes(), 2, "{rotation:?}");
        assert!(
            saved.lock().unwrap().is_empty(),
            "{rotation:?}: nothing to save"
        );
        assert_eq!(session.refresh_token().await.expose_secret(), first);
        session
            .oauth()
            .refresh(&SecretString::from(first))
            .await
            .expect("the old refresh token still works");
    }
}

async fn eight_tasks(sim: &NamelySim, session: &OAuthSession) -> Vec<Result<String, Error>> {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = client_with(sim, session.clone());
        tasks.push(tokio::spawn(async move {
            client.me().await.map(|p| p.id.as_str().to_string())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_with_a_refused_token_share_one_refresh() {
    let sim = simulator().await;
    let (session, _) = signed_in(&sim, None).await;
    sim.expire_access_tokens();
    for r in eight_tasks(&sim, &session).await {
        assert_eq!(r.expect("me").as_str(), OLIVIA_OWNER_ID);
    }
    assert_eq!(session.refreshes(), 1);
    assert_eq!(sim.oauth_token_calls(), 2, "one exchange, one refresh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_starting_from_a_stored_refresh_token_share_one_refresh() {
    let sim = simulator().await;
    let tokens = sign_in_as(&oauth(&sim), None).await;
    let session = OAuthSession::new(oauth(&sim), tokens.refresh_token.expect("refresh"), None);
    for r in eight_tasks(&sim, &session).await {
        r.expect("me");
    }
    assert_eq!(session.refreshes(), 1);
    assert_eq!(sim.oauth_token_calls(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_with_a_revoked_sign_in_ask_namely_once() {
    let sim = simulator().await;
    let (session, _) = signed_in(&sim, None).await;
    sim.revoke_oauth_grants();
    for r in eight_tasks(&sim, &session).await {
        let e = r.expect_err("revoked");
        assert!(
            matches!(e, Error::SignIn(SignInError::RefreshRejected { .. })),
            "{e:?}"
        );
    }
    assert_eq!(
        sim.oauth_token_calls(),
        2,
        "one exchange, one refused refresh"
    );
}

#[tokio::test]
async fn no_secret_reaches_the_simulator_s_request_log() {
    let sim = simulator().await;
    let (_, client) = signed_in(&sim, None).await;
    sim.expire_access_tokens();
    client.me().await.expect("me");
    let log = format!("{:?}", sim.request_log());
    for s in secrets_of(&sim) {
        assert!(!log.contains(&s), "{s} in the request log");
    }
}

// ---- answers only a broken service gives (wiremock) ----

const WM_SECRET: &str = "wm-client-secret-ABCDEFGHIJ";
const WM_REFRESH: &str = "wm-refresh-token-KLMNOPQRST";
const WM_CODE: &str = "wm-code-UVWXYZ0123";

/// A server whose token endpoint gives `answer`, and the sign-in service pointing at it.
async fn token_server(answer: ResponseTemplate) -> (MockServer, OAuth) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/oauth2/token"))
        .respond_with(answer)
        .mount(&server)
        .await;
    let oauth = oauth_on(&server, app("wm-client", WM_SECRET));
    (server, oauth)
}

fn sign_in_error(e: &Error) -> &SignInError {
    match e {
        Error::SignIn(s) => s,
        other => panic!("not a sign-in error: {other:?}"),
    }
}

fn html(status: u16, page: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(page.as_bytes().to_vec(), "text/html; charset=utf-8")
}

fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn refresh_token() -> SecretString {
    SecretString::from(WM_REFRESH)
}

#[tokio::test]
async fn a_gateway_page_reads_as_unavailable_with_its_title() {
    let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let (_s, oauth) = token_server(html(502, page)).await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("502");
    assert_eq!(
        sign_in_error(&e),
        &SignInError::Unavailable {
            status: 502,
            title: Some("502 Bad Gateway".into())
        }
    );
    assert!(!e.is_auth());
    assert!(e.to_string().contains("Try again in a few minutes"), "{e}");
    let e = oauth.refresh(&refresh_token()).await.expect_err("502");
    assert!(matches!(
        sign_in_error(&e),
        SignInError::Unavailable { status: 502, .. }
    ));
}

#[tokio::test]
async fn a_bare_refusal_on_refresh_says_to_sign_in_again() {
    for answer in [
        json(401, serde_json::json!({"error": ""})),
        ResponseTemplate::new(401),
        json(400, serde_json::json!({})),
        ResponseTemplate::new(401).set_body_raw("Unauthorized", "text/plain"),
    ] {
        let (_s, oauth) = token_server(answer).await;
        let e = oauth.refresh(&refresh_token()).await.expect_err("refused");
        assert!(
            matches!(sign_in_error(&e), SignInError::RefreshRejected { .. }),
            "{e:?}"
        );
        assert!(e.is_auth());
        let text = e.to_string();
        assert!(text.contains("Sign in with Namely again"), "{text}");
        assert!(text.contains(", no error code)"), "{text}");
        assert!(
            !text.contains(WM_REFRESH) && !text.contains(WM_SECRET),
            "{text}"
        );
    }
    // At sign-in, a bare 401 is the client's authentication failing (RFC 6749 §5.2).
    let (_s, oauth) = token_server(json(401, serde_json::json!({"error": ""}))).await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("refused");
    assert_eq!(sign_in_error(&e), &SignInError::ClientRejected);
}

#[tokio::test]
async fn an_oauth_error_sent_with_status_200_is_still_a_refusal() {
    let (_s, oauth) = token_server(json(200, serde_json::json!({"error": "invalid_grant"}))).await;
    let e = oauth.refresh(&refresh_token()).await.expect_err("refused");
    assert_eq!(
        sign_in_error(&e),
        &SignInError::RefreshRejected {
            code: "invalid_grant".into()
        }
    );
}

#[tokio::test]
async fn a_web_page_with_status_200_is_not_a_token() {
    let page = "<!DOCTYPE html><html><head><title>Namely | Log in</title></head></html>";
    let (_s, oauth) = token_server(html(200, page)).await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("page");
    let SignInError::Unexpected { what } = sign_in_error(&e) else {
        panic!("{e:?}");
    };
    assert!(
        what.contains("web page") && what.contains("Namely | Log in"),
        "{what}"
    );
    assert!(e.to_string().contains("not with a token"), "{e}");
    let (_s, oauth) = token_server(ResponseTemplate::new(200)).await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("empty");
    assert!(
        matches!(sign_in_error(&e), SignInError::Unexpected { what } if what == "an empty answer")
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start().await;
    let elsewhere = format!("{}/elsewhere/token", server.uri());
    Mock::given(method("POST"))
        .and(path("/api/v1/oauth2/token"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", elsewhere.as_str()))
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere/token"))
        .respond_with(json(
            200,
            serde_json::json!({"access_token": "x", "token_type": "bearer"}),
        ))
        .expect(0)
        .mount(&server)
        .await;
    let oauth = oauth_on(&server, app("wm-client", WM_SECRET));
    let e = oauth.exchange_code(WM_CODE).await.expect_err("302");
    assert!(
        matches!(
            sign_in_error(&e),
            SignInError::Unavailable { status: 302, .. }
        ),
        "{e:?}"
    );
    let e = oauth.refresh(&refresh_token()).await.expect_err("302");
    assert!(matches!(
        sign_in_error(&e),
        SignInError::Unavailable { status: 302, .. }
    ));
    server.verify().await;
}

#[tokio::test]
async fn a_sign_in_without_a_refresh_token_fails_clearly() {
    let answer = json(
        200,
        serde_json::json!({"access_token": "wm-access-1", "token_type": "bearer", "expires_in": 899}),
    );
    let (_s, oauth) = token_server(answer).await;
    let tokens = oauth.exchange_code(WM_CODE).await.expect("a token");
    assert!(tokens.refresh_token.is_none());
    let e = OAuthSession::signed_in(oauth, tokens, None).expect_err("no refresh token");
    assert!(
        matches!(sign_in_error(&e), SignInError::NoRefreshToken),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("no refresh token") && text.contains("Sign in again"),
        "{text}"
    );
    assert!(!text.contains("wm-access-1"));
}

#[tokio::test]
async fn token_answers_of_the_wrong_shape_say_what_was_missing_without_quoting_values() {
    let (_s, oauth) = token_server(json(
        200,
        serde_json::json!({"token_type": "bearer", "expires_in": 899}),
    ))
    .await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("no token");
    assert_eq!(
        sign_in_error(&e),
        &SignInError::Unexpected {
            what: "it holds no access_token".into()
        }
    );
    // A refresh token that is a number: serde's words would quote it.
    let (_s, oauth) = token_server(json(
        200,
        serde_json::json!({"access_token": "a1", "token_type": "bearer", "refresh_token": 98765432101234_u64}),
    ))
    .await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("odd token");
    assert!(
        matches!(sign_in_error(&e), SignInError::Unexpected { .. }),
        "{e:?}"
    );
    assert!(!format!("{e} {e:?}").contains("98765432101234"), "{e}");
}

#[tokio::test]
async fn secrets_echoed_by_the_service_are_redacted() {
    let echo = format!("bad request: client_secret={WM_SECRET}&refresh_token={WM_REFRESH}");
    let (_s, oauth) = token_server(json(
        400,
        serde_json::json!({"error": "invalid_request", "error_description": echo}),
    ))
    .await;
    let e = oauth.refresh(&refresh_token()).await.expect_err("refused");
    let SignInError::Refused { code, description } = sign_in_error(&e) else {
        panic!("{e:?}");
    };
    assert_eq!(code, "invalid_request");
    assert!(description.contains("[redacted]"), "{description}");
    assert_no_secret(&e, &[WM_SECRET, WM_REFRESH]);

    // Form-encoded in the echo, and in an error code.
    let secret = "wm/secret+with=odd&chars";
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(
            400,
            serde_json::json!({"error": format!("x{WM_CODE}"), "error_description": format!("body was client_secret={encoded}")}),
        ))
        .mount(&server)
        .await;
    let odd = oauth_on(&server, app("wm", secret));
    let e = odd.exchange_code(WM_CODE).await.expect_err("refused");
    assert_no_secret(&e, &[secret, &encoded, WM_CODE]);

    // In a page title, right where the title is cut short: no piece of it survives.
    let title = format!("{}{WM_SECRET}", "x".repeat(75));
    let page = format!("<html><head><title>{title}</title></head></html>");
    let (_s, oauth) = token_server(html(503, &page)).await;
    let e = oauth.exchange_code(WM_CODE).await.expect_err("503");
    let text = format!("{e} {e:?}");
    assert!(!text.contains("wm-c"), "{text}");
}

#[tokio::test]
async fn token_requests_carry_the_client_in_the_form_and_the_redirect_uri_in_the_query() {
    let answer = json(
        200,
        serde_json::json!({"access_token": "wm-access-2", "refresh_token": "wm-refresh-2", "token_type": "bearer", "expires_in": 899}),
    );
    let (server, oauth) = token_server(answer).await;
    oauth.exchange_code(WM_CODE).await.expect("exchange");
    oauth.refresh(&refresh_token()).await.expect("refresh");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    let redirect = redirect_uri(TEST_PORT).to_string();
    for (r, grant) in requests.iter().zip(["authorization_code", "refresh_token"]) {
        assert_eq!(r.method.as_str(), "POST");
        assert_eq!(r.url.path(), "/api/v1/oauth2/token");
        let query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
        assert_eq!(query, vec![("redirect_uri".to_string(), redirect.clone())]);
        assert!(
            r.headers.get("authorization").is_none(),
            "client authentication goes in the body, not in a Basic header"
        );
        let content_type = r.headers.get("content-type").and_then(|v| v.to_str().ok());
        assert_eq!(content_type, Some("application/x-www-form-urlencoded"));
        let form: Vec<(String, String)> =
            url::form_urlencoded::parse(&r.body).into_owned().collect();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("grant_type"), Some(grant));
        assert_eq!(get("client_id"), Some("wm-client"));
        assert_eq!(get("client_secret"), Some(WM_SECRET));
        assert_eq!(get("scope"), None);
        if grant == "authorization_code" {
            assert_eq!(get("code"), Some(WM_CODE));
            assert_eq!(get("redirect_uri"), Some(redirect.as_str()));
        } else {
            assert_eq!(get("refresh_token"), Some(WM_REFRESH));
        }
    }
}

#[tokio::test]
async fn an_absurd_lifetime_is_read_as_no_lifetime() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/oauth2/token"))
        .respond_with(json(
            200,
            serde_json::json!({"access_token": "wm-access-3", "refresh_token": "wm-refresh-3", "token_type": "bearer", "expires_in": u64::MAX}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/me"))
        .respond_with(json(
            200,
            serde_json::json!({"profiles": [{"id": "p-1", "first_name": "A", "last_name": "B", "email": "a@b.c", "user_status": "active"}]}),
        ))
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let oauth = oauth_at(&base, app("wm-client", WM_SECRET), TEST_PORT);
    let tokens = oauth.exchange_code(WM_CODE).await.expect("exchange");
    let session = OAuthSession::signed_in(oauth, tokens, None).expect("no overflow");
    let me = client(&base, session.clone()).me().await.expect("me");
    assert_eq!(me.id.as_str(), "p-1");
    assert_eq!(session.refreshes(), 0);
}

#[tokio::test]
async fn a_refresh_that_times_out_before_a_create_says_the_create_was_not_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/oauth2/token"))
        .respond_with(
            json(
                200,
                serde_json::json!({"access_token": "late", "token_type": "bearer"}),
            )
            .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    let oauth = OAuth::new(
        &endpoint(&base),
        app("wm-client", WM_SECRET),
        redirect_uri(TEST_PORT),
        Duration::from_millis(300),
    )
    .expect("oauth");
    let session = OAuthSession::new(oauth, refresh_token(), None);
    let e = client(&base, session)
        .create_profile(&hire(4))
        .await
        .expect_err("timed out");
    assert!(
        matches!(
            e,
            Error::Transport {
                timed_out: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(!e.may_have_been_applied(), "the create was never sent: {e}");
    assert!(!e.to_string().contains("may have been added"), "{e}");
    server.verify().await;
}

// ---- nothing secret in debug output ----

#[tokio::test]
async fn debug_output_never_shows_a_secret() {
    let sim = simulator().await;
    let app = app(TEST_CLIENT_ID, TEST_SECRET);
    let tokens = Tokens {
        access_token: SecretString::from("dbg-access-token-1"),
        refresh_token: Some(SecretString::from("dbg-refresh-token-1")),
        expires_in: Some(Duration::from_secs(899)),
    };
    let oauth = oauth_at(&sim.url(), app.clone(), TEST_PORT);
    let session = OAuthSession::signed_in(oauth.clone(), tokens.clone(), None).expect("session");
    let config = Config::oauth(endpoint(&sim.url()), session.clone()).expect("config");
    let shown = format!(
        "{app:?} {tokens:?} {oauth:?} {session:?} {:?} {:?} {config:?} {:?}",
        Credential::from(session.clone()),
        Credential::from(SecretString::from("dbg-personal-token-1")),
        client(&sim.url(), session.clone()),
    );
    for secret in [
        TEST_SECRET,
        "dbg-access-token-1",
        "dbg-refresh-token-1",
        "dbg-personal-token-1",
    ] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
    assert!(
        shown.contains(TEST_CLIENT_ID),
        "the client id helps: {shown}"
    );
}
