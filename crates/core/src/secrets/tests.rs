//! Round trips, namespacing, redaction and error wording of [`super::Secrets`], on the mock
//! store and the session-only store (the real keychain is tested in `tests/keychain.rs`).

use super::*;
use keyring_core::api::CredentialStoreApi;

fn secret(s: &str) -> SecretString {
    SecretString::from(s)
}

fn value(v: Option<SecretString>) -> Option<String> {
    v.map(|s| s.expose_secret().to_string())
}

fn round_trip(secrets: &Secrets) {
    let k = SecretKind::NamelyToken;
    assert_eq!(value(secrets.get("acme", k).unwrap()), None);
    assert!(!secrets.is_set("acme", k).unwrap());

    secrets.set("acme", k, &secret("tok-1")).unwrap();
    assert_eq!(
        value(secrets.get("acme", k).unwrap()).as_deref(),
        Some("tok-1")
    );
    assert!(secrets.is_set("acme", k).unwrap());

    secrets.set("acme", k, &secret("tok-2 ✓ naïve")).unwrap();
    assert_eq!(
        value(secrets.get("acme", k).unwrap()).as_deref(),
        Some("tok-2 ✓ naïve")
    );

    assert!(secrets.delete("acme", k).unwrap());
    assert!(
        !secrets.delete("acme", k).unwrap(),
        "second delete finds nothing"
    );
    assert_eq!(value(secrets.get("acme", k).unwrap()), None);
    assert!(!secrets.is_set("acme", k).unwrap());
}

fn namespacing(secrets: &Secrets) {
    use SecretKind::*;
    secrets
        .set("acme", IcimsHmacKey, &secret("acme-hmac"))
        .unwrap();
    secrets
        .set("acme", NamelyToken, &secret("acme-token"))
        .unwrap();
    secrets
        .set("globex", IcimsHmacKey, &secret("globex-hmac"))
        .unwrap();

    assert_eq!(
        value(secrets.get("acme", IcimsHmacKey).unwrap()).as_deref(),
        Some("acme-hmac")
    );
    assert_eq!(
        value(secrets.get("acme", NamelyToken).unwrap()).as_deref(),
        Some("acme-token")
    );
    assert_eq!(
        value(secrets.get("globex", IcimsHmacKey).unwrap()).as_deref(),
        Some("globex-hmac")
    );
    assert!(!secrets.is_set("globex", NamelyToken).unwrap());

    assert_eq!(secrets.delete_all("acme").unwrap(), 2);
    assert_eq!(secrets.delete_all("acme").unwrap(), 0);
    assert!(!secrets.is_set("acme", IcimsHmacKey).unwrap());
    assert!(
        secrets.is_set("globex", IcimsHmacKey).unwrap(),
        "other connections untouched"
    );
}

#[test]
fn mock_round_trip() {
    round_trip(&Secrets::mock());
}

#[test]
fn mock_namespacing_and_delete_all() {
    namespacing(&Secrets::mock());
}

#[test]
fn session_only_round_trip_and_namespacing() {
    let s = Secrets::session_only();
    assert!(!s.is_persistent());
    assert_eq!(s.backend(), Backend::SessionOnly);
    round_trip(&s);
    namespacing(&s);
    // Clones share the same session.
    let clone = s.clone();
    clone
        .set("shared", SecretKind::NamelyToken, &secret("x"))
        .unwrap();
    assert!(s.is_set("shared", SecretKind::NamelyToken).unwrap());
    // A new session starts empty.
    assert!(
        !Secrets::session_only()
            .is_set("shared", SecretKind::NamelyToken)
            .unwrap()
    );
}

#[test]
fn mock_counts_as_persistent() {
    let s = Secrets::mock();
    assert!(s.is_persistent());
    assert_eq!(s.backend(), Backend::Mock);
}

#[test]
fn entries_are_namespaced_by_connection() {
    assert_eq!(
        Secrets::account("acme", SecretKind::NamelyToken),
        "acme/namely-token"
    );
    assert_eq!(
        Secrets::account("acme", SecretKind::IcimsHmacKey),
        "acme/icims-hmac-key"
    );
    // The entry the mock store holds has exactly this service and user.
    let s = Secrets::mock();
    s.set("acme", SecretKind::NamelyToken, &secret("v"))
        .unwrap();
    let e = s.entry("acme", SecretKind::NamelyToken).unwrap();
    assert_eq!(
        e.get_specifiers(),
        Some(("icims-namely".to_string(), "acme/namely-token".to_string()))
    );
}

#[test]
fn blank_connection_is_refused() {
    let s = Secrets::mock();
    for bad in ["", "  ", "a\nb"] {
        let err = s
            .set(bad, SecretKind::NamelyToken, &secret("v"))
            .unwrap_err();
        assert_eq!(err, SecretsError::InvalidConnection);
        assert_eq!(err.code(), "invalid_connection");
    }
}

#[test]
fn debug_never_shows_values() {
    for s in [Secrets::mock(), Secrets::session_only()] {
        let v = secret("hunter2-very-secret");
        s.set("acme", SecretKind::IcimsHmacKey, &v).unwrap();
        let got = s.get("acme", SecretKind::IcimsHmacKey).unwrap().unwrap();
        for shown in [format!("{s:?}"), format!("{v:?}"), format!("{got:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }
    // The session store's own entries and credentials print no value either.
    let store = SessionStore::default();
    let entry = store.build(SERVICE, "acme/namely-token", None).unwrap();
    entry.set_password("hunter2-very-secret").unwrap();
    assert!(!format!("{entry:?} {store:?}").contains("hunter2"));
}

#[test]
fn kinds_parse_and_print() {
    for k in SecretKind::ALL {
        assert_eq!(k.as_str().parse::<SecretKind>().unwrap(), k);
        assert_eq!(k.to_string(), k.as_str());
        // The other spelling is serde's, for JSON, TypeScript and the database.
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_key());
        assert_eq!(
            serde_json::from_value::<SecretKind>(k.as_key().into()).unwrap(),
            k
        );
    }
    assert_eq!(
        " Namely-Token ".parse::<SecretKind>().unwrap(),
        SecretKind::NamelyToken
    );
    assert_eq!(
        "password".parse::<SecretKind>().unwrap_err().to_string(),
        "unknown secret \"password\": use icims-hmac-key, namely-token or alert-webhook"
    );
}

/// Errors from the store become plain words with a fix, and never include stored bytes.
#[test]
fn keyring_errors_are_mapped_to_plain_words() {
    use keyring_core::Error as K;
    let s = Secrets::mock();
    let k = SecretKind::NamelyToken;
    s.set("acme", k, &secret("v")).unwrap();
    let entry = s.entry("acme", k).unwrap();
    let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
    let boxed = |m: &str| -> keyring_core::error::PlatformError { m.to_string().into() };

    mock.set_error(K::PlatformFailure(boxed(
        "no secret service provider or dbus session found",
    )));
    let e = s.get("acme", k).unwrap_err();
    assert_eq!(e.code(), "keychain_unavailable");
    if cfg!(target_os = "linux") {
        assert!(
            e.to_string()
                .starts_with("No system keychain is running (Secret Service). Install and unlock GNOME Keyring or KWallet"),
            "{e}"
        );
    }
    assert_eq!(
        e.detail(),
        Some("no secret service provider or dbus session found")
    );

    mock.set_error(K::NoStorageAccess(boxed("SS Error: object locked")));
    let e = s.set("acme", k, &secret("w")).unwrap_err();
    assert_eq!(e.code(), "keychain_locked");
    assert_eq!(
        e.to_string(),
        "The system keychain is locked. Unlock it and try again."
    );

    mock.set_error(K::PlatformFailure(boxed("SS error: prompt dismissed")));
    assert_eq!(
        s.set("acme", k, &secret("w")).unwrap_err().code(),
        "keychain_locked"
    );

    mock.set_error(K::BadEncoding(b"hunter2\xff".to_vec()));
    let e = s.get("acme", k).unwrap_err();
    assert_eq!(e.code(), "secret_unreadable");
    assert_eq!(
        e.to_string(),
        "The Namely token saved for \"acme\" could not be read back. Replace it with a new one."
    );
    assert!(!format!("{e:?}").contains("hunter2"));

    mock.set_error(K::Ambiguous(vec![]));
    let e = s.delete("acme", k).unwrap_err();
    assert_eq!(e.code(), "keychain_ambiguous");
    assert!(e.to_string().contains("account acme/namely-token"), "{e}");

    mock.set_error(K::TooLong("user".into(), 255));
    assert_eq!(s.get("acme", k).unwrap_err().code(), "keychain_failed");

    // The injected errors did not disturb the stored value; NoEntry is simply "not set".
    assert_eq!(value(s.get("acme", k).unwrap()).as_deref(), Some("v"));
    mock.set_error(K::NoEntry);
    assert_eq!(value(s.get("acme", k).unwrap()), None);
}

#[test]
fn non_utf8_value_is_unreadable_not_leaked() {
    let s = Secrets::mock();
    let k = SecretKind::IcimsHmacKey;
    s.entry("acme", k)
        .unwrap()
        .set_secret(b"hunter2\xff\xfe")
        .unwrap();
    let e = s.get("acme", k).unwrap_err();
    assert_eq!(e.code(), "secret_unreadable");
    assert!(!format!("{e:?} {e}").contains("hunter2"));
}
