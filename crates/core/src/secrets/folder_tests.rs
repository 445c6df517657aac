//! The secrets folder: what is read, what is refused and why, the read order, and that no
//! refusal ever shows a value.

use super::*;
use std::path::Path;

const K: SecretKind = SecretKind::NamelyToken;

fn value(v: Option<SecretString>) -> Option<String> {
    v.map(|s| s.expose_secret().to_string())
}

/// Writes `contents` to `dir/name` with `mode`.
fn write(dir: &Path, name: &str, contents: &[u8], mode: u32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    set_mode(&path, mode);
    path
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

fn folder_secrets(dir: &Path) -> Secrets {
    Secrets::session_only().with_folder(Some(dir.to_path_buf()))
}

#[test]
fn file_names_are_the_connection_key_with_spaces_as_underscores() {
    use folder::file_name;
    assert_eq!(file_name("acme", K).unwrap(), "acme.namely-token");
    assert_eq!(
        file_name("Acme Corp", SecretKind::IcimsHmacKey).unwrap(),
        "acme_corp.icims-hmac-key"
    );
    assert_eq!(
        file_name(" Müller-Co.1 ", SecretKind::AlertWebhook).unwrap(),
        "müller-co.1.alert-webhook"
    );
    for bad in [
        "",
        " ",
        "../etc/passwd",
        "a/b",
        "a\\b",
        "..",
        ".hidden",
        "a\nb",
    ] {
        assert_eq!(file_name(bad, K), None, "{bad:?}");
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            folder_secrets(dir.path()).get(bad, K).unwrap_err(),
            SecretsError::InvalidConnection,
            "{bad:?}"
        );
    }
}

#[test]
fn a_private_file_is_read_and_named_as_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "acme.namely-token", b"tok-from-file\n", 0o600);
    let s = folder_secrets(dir.path());
    let (v, source) = s.get_with_source("Acme", K).unwrap().unwrap();
    assert_eq!(
        v.expose_secret(),
        "tok-from-file",
        "one trailing newline dropped"
    );
    assert_eq!(source, SecretSource::Folder(path.clone()));
    assert_eq!(source.describe(), format!("from {}", path.display()));
    assert!(s.is_set("acme", K).unwrap());
    assert_eq!(s.folder_provides("ACME", K).unwrap(), Some(path.clone()));
    assert_eq!(s.folder_file("acme", K).unwrap(), Some(path));
    // Read-only for the owner, and readable by the group (a Kubernetes fsGroup), are fine.
    for mode in [0o400, 0o440, 0o640] {
        write(dir.path(), "acme.namely-token", b"t", mode);
        assert_eq!(value(s.get("acme", K).unwrap()).as_deref(), Some("t"));
    }
}

#[test]
fn one_trailing_newline_is_dropped_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let s = folder_secrets(dir.path());
    for (written, read) in [
        (&b"abc"[..], "abc"),
        (b"abc\n", "abc"),
        (b"abc\r\n", "abc"),
        (b"abc\n\n", "abc\n"),
        (b" abc \n", " abc "),
    ] {
        write(dir.path(), "acme.icims-hmac-key", written, 0o600);
        assert_eq!(
            value(s.get("acme", SecretKind::IcimsHmacKey).unwrap()).as_deref(),
            Some(read),
            "{written:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_file_others_can_read_or_write_is_refused_with_the_chmod_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let s = folder_secrets(dir.path());
    s.set("acme", K, &SecretString::from("from-the-session"))
        .unwrap();
    for mode in [0o644, 0o604, 0o602, 0o666, 0o601] {
        let path = write(dir.path(), "acme.namely-token", b"hunter2-in-file\n", mode);
        let e = s.get("acme", K).unwrap_err();
        assert_eq!(e.code(), "secret_file_exposed", "{mode:o}");
        let words = e.to_string();
        assert!(
            words.contains(&format!("chmod 600 {}", path.display())),
            "{words}"
        );
        assert!(!format!("{words} {e:?}").contains("hunter2"), "{words}");
        // Never a silent fall back to the keychain's value.
        assert!(s.is_set("acme", K).is_err());
        assert_eq!(
            s.folder_provides("acme", K).unwrap_err().code(),
            "secret_file_exposed"
        );
    }
    // A path with a space is quoted in the command to run.
    let spaced = tempfile::Builder::new()
        .prefix("secrets folder")
        .tempdir()
        .unwrap();
    let path = write(spaced.path(), "acme.namely-token", b"t", 0o644);
    let e = folder_secrets(spaced.path()).get("acme", K).unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("chmod 600 '{}'", path.display())),
        "{e}"
    );
}

#[test]
fn no_file_falls_back_to_the_keychain_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mock = Secrets::mock().with_folder(Some(dir.path().to_path_buf()));
    mock.set("acme", K, &SecretString::from("from-keychain"))
        .unwrap();
    let (v, source) = mock.get_with_source("acme", K).unwrap().unwrap();
    assert_eq!(v.expose_secret(), "from-keychain");
    assert_eq!(source, SecretSource::Keychain);
    assert_eq!(mock.folder_provides("acme", K).unwrap(), None);
    assert!(
        mock.get("acme", SecretKind::IcimsHmacKey)
            .unwrap()
            .is_none()
    );

    let session = folder_secrets(dir.path());
    session
        .set("acme", K, &SecretString::from("from-session"))
        .unwrap();
    assert_eq!(
        session.get_with_source("acme", K).unwrap().unwrap().1,
        SecretSource::Session
    );

    // The folder's file wins once it is there; the keychain's value is untouched.
    write(dir.path(), "acme.namely-token", b"from-file", 0o600);
    assert_eq!(
        value(mock.get("acme", K).unwrap()).as_deref(),
        Some("from-file")
    );
    assert_eq!(
        value(mock.get_stored("acme", K).unwrap()).as_deref(),
        Some("from-keychain")
    );
    // Removing deletes the keychain's entry only; nothing is copied either way.
    assert!(mock.delete("acme", K).unwrap());
    assert!(dir.path().join("acme.namely-token").exists());
    assert!(mock.get_stored("acme", K).unwrap().is_none());
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = folder_secrets(dir.path());
    for empty in [&b""[..], b"\n", b"\r\n", b"  \n"] {
        write(dir.path(), "acme.namely-token", empty, 0o600);
        let e = s.get("acme", K).unwrap_err();
        assert_eq!(e.code(), "secret_file_empty", "{empty:?}");
        assert!(e.to_string().contains("is empty"), "{e}");
    }
}

#[test]
fn a_file_that_is_not_text_is_refused_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "acme.namely-token", b"hunter2\xff\xfe", 0o600);
    let e = folder_secrets(dir.path()).get("acme", K).unwrap_err();
    assert_eq!(e.code(), "secret_file_not_text");
    assert!(!format!("{e} {e:?}").contains("hunter2"));
}

#[test]
fn a_folder_where_the_file_should_be_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("acme.namely-token")).unwrap();
    let e = folder_secrets(dir.path()).get("acme", K).unwrap_err();
    assert_eq!(e.code(), "secret_file_not_a_file");
}

#[test]
fn a_missing_secrets_folder_is_an_error_not_a_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("not-there");
    let s = Secrets::mock().with_folder(Some(gone.clone()));
    s.set("acme", K, &SecretString::from("kc")).unwrap();
    let e = s.get("acme", K).unwrap_err();
    assert_eq!(e.code(), "secrets_folder_missing");
    assert!(e.to_string().contains(&gone.display().to_string()), "{e}");
}

/// Kubernetes mounts each key of a Secret as `<key> -> ..data/<key>`, `..data` being a link
/// to a timestamped folder beside it: links inside the folder are followed, links out of it
/// are not, whatever the target's mode.
#[cfg(unix)]
#[test]
fn links_are_followed_only_inside_the_folder() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let stamped = root.join("..2026_01_01_00_00_00.000000001");
    std::fs::create_dir(&stamped).unwrap();
    write(&stamped, "acme.namely-token", b"k8s-token\n", 0o400);
    symlink("..2026_01_01_00_00_00.000000001", root.join("..data")).unwrap();
    symlink("..data/acme.namely-token", root.join("acme.namely-token")).unwrap();
    let s = folder_secrets(root);
    let (v, source) = s.get_with_source("acme", K).unwrap().unwrap();
    assert_eq!(v.expose_secret(), "k8s-token");
    assert_eq!(
        source,
        SecretSource::Folder(root.join("acme.namely-token")),
        "the path in the folder, not the link's target"
    );
    // Through a folder given by a link too (the folder is compared resolved).
    let outer = tempfile::tempdir().unwrap();
    let linked_dir = outer.path().join("secrets");
    symlink(root, &linked_dir).unwrap();
    assert_eq!(
        value(folder_secrets(&linked_dir).get("acme", K).unwrap()).as_deref(),
        Some("k8s-token")
    );
    // The target's mode is what is judged.
    set_mode(&stamped.join("acme.namely-token"), 0o644);
    assert_eq!(s.get("acme", K).unwrap_err().code(), "secret_file_exposed");

    // A link out of the folder, even to a private file, is refused.
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = write(elsewhere.path(), "token", b"hunter2", 0o600);
    symlink(&outside, root.join("globex.namely-token")).unwrap();
    let e = s.get("globex", K).unwrap_err();
    assert_eq!(e.code(), "secret_file_outside");
    assert!(!e.to_string().contains("hunter2"));
    // A link that leads nowhere.
    symlink(root.join("nothing"), root.join("initech.namely-token")).unwrap();
    assert_eq!(
        s.get("initech", K).unwrap_err().code(),
        "secret_file_unreadable"
    );
}

#[test]
fn the_folder_is_made_absolute_and_shown_in_debug_without_values() {
    let s = Secrets::mock().with_folder(Some(PathBuf::from("relative/secrets")));
    let folder = s.folder().unwrap();
    assert!(folder.is_absolute(), "{}", folder.display());
    assert!(folder.ends_with("relative/secrets"));
    assert!(format!("{s:?}").contains("relative/secrets"));
    assert_eq!(Secrets::mock().with_folder(None).folder(), None);
}
