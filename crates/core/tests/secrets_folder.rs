//! A connection whose secrets come from a secrets folder (`ICIMS_NAMELY_SECRETS_DIR`, given
//! here explicitly) syncs with no keychain at all, and says where each secret came from; a
//! secret file others can read is refused, with the command that fixes it.
//!
//! "No keychain" is the session-only store the engine falls back to when there is none: it
//! starts empty, so every secret read here comes from the folder or from nowhere.

mod quick;

use icims_namely_core::api::{RunStatus, SecretKind, SecretStore, SyncProgress, Trigger};
use icims_namely_core::engine::{Engine, EngineError, SyncRequest};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use sandbox::Sandbox;
use secrecy::SecretString;
use std::path::Path;

const NAME: &str = "Acme Corp";

fn no_progress(_: &SyncProgress) {}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `echo "$value" > dir/file; chmod 600 dir/file`.
fn write_secret(dir: &Path, file: &str, value: &str) {
    let path = dir.join(file);
    std::fs::write(&path, format!("{value}\n")).unwrap();
    #[cfg(unix)]
    set_mode(&path, 0o600);
}

struct Server {
    engine: Engine,
    sb: Sandbox,
    secrets_dir: tempfile::TempDir,
    _data: tempfile::TempDir,
}

/// A server: no keychain, the simulators' demo credentials in a secrets folder, and a
/// connection to the simulators added as the command line adds it.
async fn server() -> Server {
    let sb = quick::simulators().await;
    let demo = sb.demo_credentials();
    let secrets_dir = tempfile::tempdir().unwrap();
    // "Acme Corp" reads acme_corp.<kind>.
    write_secret(
        secrets_dir.path(),
        "acme_corp.namely-token",
        &demo.namely_token,
    );
    write_secret(
        secrets_dir.path(),
        "acme_corp.icims-hmac-key",
        &demo.icims_hmac_key,
    );
    let secrets = Secrets::session_only().with_folder(Some(secrets_dir.path().to_path_buf()));
    assert!(!secrets.is_persistent(), "no keychain");
    let data = quick::data_dir("data");
    let engine = Engine::open(
        DataDir::new(data.path()),
        secrets,
        None,
        quick::engine_options(),
    )
    .unwrap();
    engine
        .add_connection(quick::connection_to(&sb, NAME))
        .unwrap();
    Server {
        engine,
        sb,
        secrets_dir,
        _data: data,
    }
}

async fn sync(e: &Engine) -> Result<icims_namely_core::api::RunDetails, EngineError> {
    e.sync(NAME, SyncRequest::sync(Trigger::Cli), &no_progress, None)
        .await
}

#[tokio::test]
async fn a_connection_with_its_secrets_in_the_folder_syncs_without_a_keychain() {
    let s = server().await;
    let e = &s.engine;

    // No "no keychain … session only" warning: the folder's secrets last.
    let info = e.app_info();
    assert!(
        !info
            .keychain
            .message
            .contains("No system keychain is running"),
        "{}",
        info.keychain.message
    );
    assert!(
        info.keychain
            .message
            .contains(&s.secrets_dir.path().display().to_string()),
        "{}",
        info.keychain.message
    );

    // Where each secret comes from, and that both are set.
    let d = e.connection(NAME).unwrap();
    assert!(d.health.namely_token_set && d.health.icims_key_set, "{d:?}");
    assert_eq!(
        d.secrets.len(),
        2,
        "no alert webhook listed when not set: {d:?}"
    );
    for kind in [SecretKind::NamelyToken, SecretKind::IcimsHmacKey] {
        let info = d.secrets.iter().find(|i| i.kind == kind).unwrap();
        assert!(info.set, "{info:?}");
        assert_eq!(info.store, Some(SecretStore::Folder), "{info:?}");
        let expected = s
            .secrets_dir
            .path()
            .join(format!("acme_corp.{}", kind.as_str()));
        assert_eq!(info.path.as_deref(), Some(&*expected.display().to_string()));
        assert!(info.saved_at.is_some(), "the file's last change");
        assert_eq!(info.problem, None);
    }

    // The setup checks sign in with the folder's token (choosing the owner), then it syncs.
    for c in e.check_all(NAME).await.unwrap() {
        assert!(c.passed, "{c:?}");
    }
    let run = sync(e).await.unwrap();
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    assert!(run.summary.counts.created > 0, "{:?}", run.summary);
    assert_eq!(
        s.sb.namely.created_profiles().len() as u64,
        run.summary.counts.created
    );

    // Saving a secret the folder provides is refused: the file would still win.
    let err = e
        .set_secret(NAME, SecretKind::NamelyToken, SecretString::from("other"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("acme_corp.namely-token"), "{err}");
    assert!(err.to_string().contains("change the file"), "{err}");
    // One it does not provide goes to the (session) store, and says so.
    e.set_secret(
        NAME,
        SecretKind::AlertWebhook,
        SecretString::from("https://hooks.example.com/services/x"),
    )
    .await
    .unwrap();
    let hook = e
        .connection(NAME)
        .unwrap()
        .secrets
        .into_iter()
        .find(|i| i.kind == SecretKind::AlertWebhook)
        .expect("listed once set");
    assert_eq!(hook.store, Some(SecretStore::Session));
    assert_eq!(hook.path, None);
}

#[cfg(unix)]
#[tokio::test]
async fn a_secret_file_others_can_read_is_refused_with_the_fix() {
    let s = server().await;
    let e = &s.engine;
    let file = s.secrets_dir.path().join("acme_corp.namely-token");
    set_mode(&file, 0o644);
    let chmod = format!("chmod 600 {}", file.display());

    let d = e.connection(NAME).unwrap();
    let token = d
        .secrets
        .iter()
        .find(|i| i.kind == SecretKind::NamelyToken)
        .unwrap();
    assert!(!token.set && !d.health.namely_token_set, "{d:?}");
    assert!(
        token.problem.as_deref().is_some_and(|p| p.contains(&chmod)),
        "{token:?}"
    );

    let err = e.check_all(NAME).await.unwrap_err();
    assert!(
        matches!(&err, EngineError::Keychain(k) if k.code() == "secret_file_exposed"),
        "{err:?}"
    );
    assert!(err.to_string().contains(&chmod), "{err}");
    let err = sync(e).await.unwrap_err();
    assert!(err.to_string().contains(&chmod), "{err}");
    let demo = s.sb.demo_credentials();
    assert!(!format!("{err} {err:?}").contains(&demo.namely_token));
    assert!(s.sb.namely.created_profiles().is_empty());

    // Fixed as told, it syncs.
    set_mode(&file, 0o600);
    for c in e.check_all(NAME).await.unwrap() {
        assert!(c.passed, "{c:?}");
    }
    assert_eq!(sync(e).await.unwrap().summary.status, RunStatus::Succeeded);
}
