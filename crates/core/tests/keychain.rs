//! Real keychain tests: `Secrets::system()` against a real Secret Service (GNOME Keyring).
//!
//! The tests that touch the keychain are `#[ignore]`d, so a plain `cargo test` reports them as
//! ignored and never writes to a developer's own keychain. They run inside the private,
//! unlocked keyring that `scripts/with-secret-service.sh` provides (`scripts/test.sh` does):
//!
//! ```sh
//! scripts/with-secret-service.sh env ICIMS_NAMELY_SECRET_SERVICE_TEST=1 \
//!     cargo test -p icims-namely-core --test keychain -- --include-ignored
//! ```
//!
//! Run with `--include-ignored` / `--ignored` but without `ICIMS_NAMELY_SECRET_SERVICE_TEST=1`,
//! they fail and say how to run them.

mod quick;

use icims_namely_core::secrets::{Backend, SecretKind, Secrets};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;
use std::process::Command;

/// Fails the test unless it runs inside the private keyring of
/// `scripts/with-secret-service.sh` (never against a developer's own keychain).
fn needs_private_keychain() {
    assert!(
        std::env::var("ICIMS_NAMELY_SECRET_SERVICE_TEST").is_ok_and(|v| v == "1"),
        "this test writes to the keychain: run it with scripts/with-secret-service.sh env \
         ICIMS_NAMELY_SECRET_SERVICE_TEST=1 cargo test -p icims-namely-core --test keychain \
         -- --include-ignored"
    );
}

fn system() -> Secrets {
    let s = Secrets::system().unwrap_or_else(|e| panic!("{e} ({:?})", e.detail()));
    assert_eq!(s.backend(), Backend::System);
    assert!(s.is_persistent());
    s
}

/// A connection name unique to this test and process, so tests can run in parallel.
fn conn(test: &str) -> String {
    format!("kc-{test}-{}", std::process::id())
}

fn get(s: &Secrets, conn: &str, kind: SecretKind) -> Option<String> {
    s.get(conn, kind)
        .unwrap()
        .map(|v| v.expose_secret().to_string())
}

/// `secret-tool search --all service icims-namely username <user>`: what any other
/// Secret Service client sees.
fn secret_tool_search(user: &str) -> String {
    let out = Command::new("secret-tool")
        .args([
            "search",
            "--all",
            "service",
            "icims-namely",
            "username",
            user,
        ])
        .output()
        .expect("secret-tool (Debian: libsecret-tools) must be installed");
    assert!(out.status.success(), "secret-tool failed: {out:?}");
    // secret-tool prints attributes on stderr and label/secret on stdout.
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn round_trip_through_the_real_keychain() {
    needs_private_keychain();
    let s = system();
    let c = conn("round-trip");
    let k = SecretKind::NamelyToken;

    assert_eq!(get(&s, &c, k), None);
    assert!(!s.is_set(&c, k).unwrap());
    assert!(!s.delete(&c, k).unwrap());

    s.set(&c, k, &SecretString::from("first-token")).unwrap();
    assert_eq!(get(&s, &c, k).as_deref(), Some("first-token"));
    assert!(s.is_set(&c, k).unwrap());

    s.set(&c, k, &SecretString::from("second-token")).unwrap();
    assert_eq!(get(&s, &c, k).as_deref(), Some("second-token"));
    // Overwriting replaced the item; it did not add a second one (which would be ambiguous).
    let seen = secret_tool_search(&format!("{c}/namely-token"));
    assert_eq!(seen.matches("second-token").count(), 1, "{seen}");
    assert!(!seen.contains("first-token"), "{seen}");

    // A fresh handle (as after a restart of the app) reads the same value.
    assert_eq!(get(&system(), &c, k).as_deref(), Some("second-token"));

    assert!(s.delete(&c, k).unwrap());
    assert_eq!(get(&s, &c, k), None);
    assert!(!s.delete(&c, k).unwrap());
    assert!(!secret_tool_search(&format!("{c}/namely-token")).contains("second-token"));
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn connections_keep_separate_values() {
    needs_private_keychain();
    let s = system();
    let (a, b) = (conn("sep-a"), conn("sep-b"));
    let k = SecretKind::IcimsHmacKey;

    s.set(&a, k, &SecretString::from("hmac-of-a")).unwrap();
    s.set(&b, k, &SecretString::from("hmac-of-b")).unwrap();
    s.set(
        &a,
        SecretKind::NamelyToken,
        &SecretString::from("token-of-a"),
    )
    .unwrap();
    assert_eq!(get(&s, &a, k).as_deref(), Some("hmac-of-a"));
    assert_eq!(get(&s, &b, k).as_deref(), Some("hmac-of-b"));
    assert_eq!(
        get(&s, &a, SecretKind::NamelyToken).as_deref(),
        Some("token-of-a")
    );
    assert_eq!(get(&s, &b, SecretKind::NamelyToken), None);

    assert_eq!(s.delete_all(&a).unwrap(), 2);
    assert_eq!(get(&s, &a, k), None);
    assert_eq!(get(&s, &b, k).as_deref(), Some("hmac-of-b"));
    assert_eq!(s.delete_all(&b).unwrap(), 1);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn non_ascii_value_survives() {
    needs_private_keychain();
    let s = system();
    let c = conn("non-ascii");
    let value = "κλειδί-🔑-Ünïcødé-秘密 with spaces\tand tab";
    s.set(&c, SecretKind::IcimsHmacKey, &SecretString::from(value))
        .unwrap();
    assert_eq!(
        get(&s, &c, SecretKind::IcimsHmacKey).as_deref(),
        Some(value)
    );
    assert!(s.delete(&c, SecretKind::IcimsHmacKey).unwrap());
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn secret_tool_sees_the_entry_and_no_file_holds_the_value() {
    needs_private_keychain();
    let s = system();
    let c = conn("secret-tool");
    let value = format!("visible-to-secret-tool-{}", std::process::id());
    let home = tempfile::tempdir().unwrap();
    s.set(
        &c,
        SecretKind::NamelyToken,
        &SecretString::from(value.clone()),
    )
    .unwrap();

    let seen = secret_tool_search(&format!("{c}/namely-token"));
    assert!(seen.contains(&value), "secret-tool did not see it: {seen}");
    assert!(seen.contains("attribute.service = icims-namely"), "{seen}");
    assert!(
        seen.contains(&format!("attribute.username = {c}/namely-token")),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("label = icims-namely: Namely token for {c}")),
        "{seen}"
    );

    // Secrets never writes files: nothing under an app home, and the keyring on disk (in the
    // private XDG_DATA_HOME of with-secret-service.sh) holds it only encrypted.
    let mut dirs = vec![home.path().to_path_buf()];
    if let Some(app_home) = std::env::var_os("ICIMS_NAMELY_HOME") {
        dirs.push(app_home.into());
    }
    if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
        dirs.push(Path::new(&data).join("keyrings"));
    }
    for dir in &dirs {
        let hits = quick::files_containing(dir, value.as_bytes());
        assert!(hits.is_empty(), "secret found in plain text in {hits:?}");
    }

    assert!(s.delete(&c, SecretKind::NamelyToken).unwrap());
    assert!(!secret_tool_search(&format!("{c}/namely-token")).contains(&value));
}

/// With no session bus, `Secrets::system()` is a clear, typed error and the session-only
/// fallback works. Runs in every `cargo test` on Linux: the test re-runs itself in a child
/// process whose `DBUS_SESSION_BUS_ADDRESS` points nowhere, so no real keychain is touched.
#[cfg(target_os = "linux")]
#[test]
fn no_keychain_is_a_clear_error() {
    if std::env::var_os("ICIMS_NAMELY_NO_KEYCHAIN_CHILD").is_some() {
        let err = Secrets::system().expect_err("there is no bus to reach");
        assert_eq!(err.code(), "keychain_unavailable");
        assert!(
            err.to_string().starts_with(
                "No system keychain is running (Secret Service). Install and unlock GNOME Keyring or KWallet"
            ),
            "{err}"
        );
        let (fallback, why) = Secrets::system_or_session_only();
        assert_eq!(why.map(|e| e.code()), Some("keychain_unavailable"));
        assert!(!fallback.is_persistent());
        fallback
            .set("acme", SecretKind::NamelyToken, &SecretString::from("t"))
            .unwrap();
        assert!(fallback.is_set("acme", SecretKind::NamelyToken).unwrap());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "no_keychain_is_a_clear_error", "--nocapture"])
        .env("ICIMS_NAMELY_NO_KEYCHAIN_CHILD", "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.path().join("no-bus").display()),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
}
