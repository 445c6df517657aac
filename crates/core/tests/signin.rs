//! Sign in with Namely through the engine, over real HTTP: the simulators' authorize page is
//! answered by `sandbox::namely::consent` (a browser that clicks Accept or Deny), its
//! redirect is delivered to the engine's listener on 127.0.0.1, and the engine exchanges the
//! code, checks the sign-in and keeps what it needs in a (mock) keychain.

mod quick;

use icims_namely_core::api::{ErrorCode, Field, SecretKind, SetupStep, SignInStart, StepState};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{Engine, EngineError, SyncRequest};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use sandbox::namely::consent::{self, Decision};
use sandbox::namely::{OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAuthApp, RefreshRotation};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::time::Duration;

const NAME: &str = "Acme";
/// The personal access token saved before signing in (Olivia Owner's demo token).
const TOKEN: &str = sandbox::namely::TOKEN_OLIVIA_OWNER;
/// A client secret Namely refuses (a canary: it must never be shown or kept).
const WRONG_SECRET: &str = "oauth-secret-WRONG-core-3f9a";

struct World {
    sb: sandbox::Sandbox,
    secrets: Secrets,
    dir: tempfile::TempDir,
    engine: Engine,
    port: u16,
}

/// A free port on 127.0.0.1 for the redirect URI (the test registers it with the app).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn open(dir: &Path, secrets: &Secrets) -> Engine {
    Engine::open(
        DataDir::new(dir),
        secrets.clone(),
        None,
        quick::engine_options(),
    )
    .unwrap()
}

impl World {
    /// Simulators with the demo app registered for a free port, a connection to them with
    /// the iCIMS key saved; Namely not signed in yet.
    async fn new() -> Self {
        let sb = quick::simulators().await;
        let port = free_port();
        let mut app = OAuthApp::demo();
        app.redirect_uris = vec![namely::redirect_uri(port).to_string()];
        sb.namely.register_oauth_app(app);
        let secrets = Secrets::mock();
        let dir = quick::data_dir("signin");
        let engine = open(dir.path(), &secrets);
        engine
            .add_connection(quick::connection_to(&sb, NAME))
            .unwrap();
        let saved = engine
            .save_icims(NAME, &quick::demo_icims(&sb))
            .await
            .unwrap();
        assert!(saved.passed, "{saved:?}");
        Self {
            sb,
            secrets,
            dir,
            engine,
            port,
        }
    }

    async fn begin(&self, secret: &str) -> SignInStart {
        self.engine
            .begin_namely_sign_in(
                NAME,
                OAUTH_CLIENT_ID,
                SecretString::from(secret.to_string()),
                Some(self.port),
            )
            .await
            .unwrap()
    }

    /// Saves Olivia Owner's personal access token, as part 2 does with a pasted one; it must
    /// sign in.
    async fn save_token(&self) {
        let saved = self
            .engine
            .save_namely_token(NAME, SecretString::from(TOKEN))
            .await
            .unwrap();
        assert!(saved.check.passed, "{:?}", saved.check);
    }

    fn secret(&self, kind: SecretKind) -> Option<String> {
        self.secrets
            .get(NAME, kind)
            .unwrap()
            .map(|s| s.expose_secret().to_string())
    }

    /// Every token and code the simulator handed out, and the client secret: none may be in
    /// a file the app wrote.
    fn assert_no_secret_in_files(&self) {
        let mut needles = self.sb.namely.oauth_issued_values();
        needles.push(OAUTH_CLIENT_SECRET.to_string());
        for needle in &needles {
            let hits = quick::files_containing(self.dir.path(), needle.as_bytes());
            assert!(hits.is_empty(), "{hits:?} hold a secret of the sign-in");
        }
    }
}

/// Setup part 2 (the Namely sign-in) checks out live on `engine`.
async fn assert_part2_passes(engine: &Engine) {
    let check = engine.check_namely_sign_in(NAME).await.unwrap();
    assert!(check.check.passed, "{:?}", check.check);
}

/// Like the browser after Namely's redirect: opens the address on the listener.
async fn deliver(location: &str) -> reqwest::StatusCode {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(location)
        .send()
        .await
        .unwrap()
        .status()
}

/// The person answers `decision` in the browser while the engine waits for the answer.
async fn sign_in(
    w: &World,
    secret: &str,
    decision: Decision,
) -> Result<icims_namely_core::api::SignInResult, EngineError> {
    let start = w.begin(secret).await;
    answer_and_finish(w, start, decision, None).await
}

/// The person (`user`, else whoever the page selects) answers the sign-in `start` began,
/// while the engine waits for the answer.
async fn answer_and_finish(
    w: &World,
    start: SignInStart,
    decision: Decision,
    user: Option<&'static str>,
) -> Result<icims_namely_core::api::SignInResult, EngineError> {
    let browser = tokio::spawn(async move {
        let location = consent::answer(&start.authorize_url, decision, user)
            .await
            .unwrap();
        deliver(&location).await
    });
    let result = w
        .engine
        .finish_namely_sign_in(NAME, Duration::from_secs(10))
        .await;
    assert!(browser.await.unwrap().is_success());
    result
}

#[tokio::test]
async fn signing_in_keeps_the_client_secret_and_refresh_token_and_a_sync_runs_on_them() {
    let w = World::new().await;
    let start = w.begin(OAUTH_CLIENT_SECRET).await;
    let url = url::Url::parse(&start.authorize_url).unwrap();
    assert!(url.path().ends_with("/oauth2/authorize"), "{url}");
    assert_eq!(
        start.redirect_uri,
        format!("http://127.0.0.1:{}/namely/callback", w.port)
    );
    let result = answer_and_finish(&w, start, Decision::Accept, None)
        .await
        .unwrap();
    assert!(result.check.passed, "{:?}", result.check);
    let me = result.signed_in_as.unwrap();
    assert_eq!(me.full_name, "Olivia Owner");
    // Kept: the client secret and the refresh token; no personal access token.
    assert_eq!(
        w.secret(SecretKind::NamelyClientSecret).as_deref(),
        Some(OAUTH_CLIENT_SECRET)
    );
    let refresh = w.secret(SecretKind::NamelyRefreshToken).unwrap();
    assert!(w.sb.namely.oauth_issued_values().contains(&refresh));
    assert_eq!(w.secret(SecretKind::NamelyToken), None);
    let details = w.engine.connection(NAME).unwrap();
    assert_eq!(
        details.settings.namely_client_id.as_deref(),
        Some(OAUTH_CLIENT_ID)
    );
    assert!(details.health.namely_token_set);
    let kinds: Vec<SecretKind> = details.secrets.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&SecretKind::NamelyRefreshToken), "{kinds:?}");
    assert!(!kinds.contains(&SecretKind::NamelyToken), "{kinds:?}");
    // The person who signed in joined the possible owners and owns the connection.
    let owners = w.engine.owner_step(NAME).await.unwrap();
    assert!(
        owners
            .candidates
            .iter()
            .any(|c| c.full_name == "Olivia Owner"),
        "{owners:?}"
    );
    // The same access token serves the sync: no refresh needed within 15 minutes.
    let token_calls = w.sb.namely.oauth_token_calls();
    let run = w
        .engine
        .sync(NAME, SyncRequest::sync(Trigger::Manual), &|_| {}, None)
        .await
        .unwrap();
    assert!(
        run.summary.counts.created > 0,
        "the sync created nobody: {:?}",
        run.summary
    );
    assert_eq!(w.sb.namely.oauth_token_calls(), token_calls);
    w.assert_no_secret_in_files();
}

#[tokio::test]
async fn a_later_process_refreshes_from_the_kept_refresh_token_and_again_on_a_401() {
    let w = World::new().await;
    sign_in(&w, OAUTH_CLIENT_SECRET, Decision::Accept)
        .await
        .unwrap();
    // A new engine on the same data folder and keychain: a later command.
    let later = open(w.dir.path(), &w.secrets);
    let before = w.sb.namely.oauth_token_calls();
    assert_part2_passes(&later).await;
    assert_eq!(
        w.sb.namely.oauth_token_calls(),
        before + 1,
        "the first call of a new process refreshes once"
    );
    // Namely stops accepting the access token (expired early): one refresh, then it works.
    w.sb.namely.expire_access_tokens();
    let check = later.check_namely_field(NAME).await.unwrap();
    assert!(check.passed, "{check:?}");
    assert_eq!(w.sb.namely.oauth_token_calls(), before + 2);
    w.assert_no_secret_in_files();
}

#[tokio::test]
async fn a_rotated_refresh_token_replaces_the_kept_one() {
    let w = World::new().await;
    w.sb.namely.set_refresh_rotation(RefreshRotation::Rotate);
    sign_in(&w, OAUTH_CLIENT_SECRET, Decision::Accept)
        .await
        .unwrap();
    let first = w.secret(SecretKind::NamelyRefreshToken).unwrap();
    let later = open(w.dir.path(), &w.secrets);
    assert_part2_passes(&later).await;
    let second = w.secret(SecretKind::NamelyRefreshToken).unwrap();
    assert_ne!(first, second, "the new refresh token was not kept");
    // And the one after that works from the kept token.
    let third_process = open(w.dir.path(), &w.secrets);
    assert_part2_passes(&third_process).await;
}

#[tokio::test]
async fn a_revoked_sign_in_says_to_sign_in_again_and_no_run_starts() {
    let w = World::new().await;
    sign_in(&w, OAUTH_CLIENT_SECRET, Decision::Accept)
        .await
        .unwrap();
    w.sb.namely.revoke_oauth_grants();
    let later = open(w.dir.path(), &w.secrets);
    let check = later.check_namely_sign_in(NAME).await.unwrap();
    assert!(!check.check.passed);
    let words = format!(
        "{} {}",
        check.check.summary,
        check.check.fix.unwrap_or_default()
    );
    assert!(words.contains("Sign in with Namely again"), "{words}");
    let run = later
        .sync(NAME, SyncRequest::sync(Trigger::Manual), &|_| {}, None)
        .await;
    let text = match run {
        Ok(run) => {
            assert_eq!(run.summary.counts.created, 0);
            run.summary.error.unwrap_or_default()
        }
        Err(e) => e.to_string(),
    };
    assert!(text.contains("Sign in with Namely again"), "{text}");
    assert!(w.sb.namely.created_profiles().is_empty());
}

/// Denial, a wrong state, a wrong client secret and no answer: an error with the next step,
/// and the connection as it was — the personal access token saved before still in use.
#[tokio::test]
async fn a_failed_sign_in_saves_nothing_and_keeps_the_token() {
    let w = World::new().await;
    w.save_token().await;
    let unchanged = |w: &World| {
        assert_eq!(w.secret(SecretKind::NamelyToken).as_deref(), Some(TOKEN));
        assert_eq!(w.secret(SecretKind::NamelyClientSecret), None);
        assert_eq!(w.secret(SecretKind::NamelyRefreshToken), None);
        let details = w.engine.connection(NAME).unwrap();
        assert_eq!(details.settings.namely_client_id, None);
    };

    // Deny.
    let e = sign_in(&w, OAUTH_CLIENT_SECRET, Decision::Deny)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Credentials, "{e}");
    assert!(e.to_string().contains("denied"), "{e}");
    unchanged(&w);

    // A wrong client secret: the exchange is refused.
    let e = sign_in(&w, WRONG_SECRET, Decision::Accept)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Credentials, "{e}");
    assert!(e.to_string().contains("client secret"), "{e}");
    assert_eq!(e.field(), Some(Field::NamelyClientSecret), "{e}");
    assert!(!e.to_string().contains(WRONG_SECRET), "{e}");
    unchanged(&w);

    // An answer carrying another state (not this sign-in's).
    let start = w.begin(OAUTH_CLIENT_SECRET).await;
    let browser = tokio::spawn(async move {
        let location = consent::answer(&start.authorize_url, Decision::Accept, None)
            .await
            .unwrap();
        let mut url = url::Url::parse(&location).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    "forged".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        deliver(url.as_str()).await
    });
    let e = w
        .engine
        .finish_namely_sign_in(NAME, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert_eq!(browser.await.unwrap(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(e.code(), ErrorCode::Credentials, "{e}");
    assert!(e.to_string().contains("state did not match"), "{e}");
    unchanged(&w);

    // Nobody answers.
    let start = w.begin(OAUTH_CLIENT_SECRET).await;
    let e = w
        .engine
        .finish_namely_sign_in(NAME, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Credentials, "{e}");
    assert!(e.to_string().contains(&start.redirect_uri), "{e}");
    unchanged(&w);

    // Cancelled while waiting.
    let _ = w.begin(OAUTH_CLIENT_SECRET).await;
    let engine = w.engine.clone();
    let cancel = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        engine.cancel_namely_sign_in(NAME)
    });
    let e = w
        .engine
        .finish_namely_sign_in(NAME, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(cancel.await.unwrap());
    assert!(e.to_string().contains("cancelled"), "{e}");
    unchanged(&w);

    // The token still works for a run.
    assert_part2_passes(&w.engine).await;
    w.assert_no_secret_in_files();
}

#[tokio::test]
async fn a_person_who_cannot_use_the_api_is_not_kept() {
    let w = World::new().await;
    w.save_token().await;
    let start = w.begin(OAUTH_CLIENT_SECRET).await;
    let result = answer_and_finish(
        &w,
        start,
        Decision::Accept,
        Some(sandbox::namely::INACTIVE_ADMIN_ID),
    )
    .await
    .unwrap();
    assert!(!result.check.passed, "{:?}", result.check);
    assert!(
        result.check.summary.contains("this sign-in"),
        "{:?}",
        result.check
    );
    assert_eq!(w.secret(SecretKind::NamelyRefreshToken), None);
    assert_eq!(w.secret(SecretKind::NamelyClientSecret), None);
    // The kept token still signs in, and part 2 still shows its last check, passed.
    assert_eq!(w.secret(SecretKind::NamelyToken).as_deref(), Some(TOKEN));
    let step = w
        .engine
        .connection(NAME)
        .unwrap()
        .steps
        .into_iter()
        .find(|s| s.step == SetupStep::NamelySignIn)
        .unwrap();
    assert_eq!(step.state, StepState::Passed, "{step:?}");
}

#[tokio::test]
async fn a_token_replaces_the_sign_in_and_a_sign_in_replaces_the_token() {
    let w = World::new().await;
    w.save_token().await;
    sign_in(&w, OAUTH_CLIENT_SECRET, Decision::Accept)
        .await
        .unwrap();
    assert_eq!(w.secret(SecretKind::NamelyToken), None);
    assert!(w.secret(SecretKind::NamelyRefreshToken).is_some());
    w.save_token().await;
    assert_eq!(w.secret(SecretKind::NamelyRefreshToken), None);
    assert_eq!(w.secret(SecretKind::NamelyClientSecret), None);
    assert_eq!(
        w.engine.connection(NAME).unwrap().settings.namely_client_id,
        None
    );
    // Signed with the token now: no refresh is asked for.
    let calls = w.sb.namely.oauth_token_calls();
    assert_part2_passes(&w.engine).await;
    assert_eq!(w.sb.namely.oauth_token_calls(), calls);
}

#[tokio::test]
async fn a_taken_port_or_an_empty_client_id_is_refused_before_anything_happens() {
    let w = World::new().await;
    let held = std::net::TcpListener::bind(("127.0.0.1", w.port)).unwrap();
    let e = w
        .engine
        .begin_namely_sign_in(
            NAME,
            OAUTH_CLIENT_ID,
            SecretString::from(OAUTH_CLIENT_SECRET),
            Some(w.port),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains(&format!("port {}", w.port)), "{e}");
    drop(held);
    let e = w
        .engine
        .begin_namely_sign_in(NAME, "  ", SecretString::from("x"), Some(w.port))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("client ID"), "{e}");
    let e = w
        .engine
        .begin_namely_sign_in(NAME, OAUTH_CLIENT_ID, SecretString::from(" "), Some(w.port))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    assert_eq!(w.sb.namely.oauth_token_calls(), 0);
}
