//! The canaries: secrets the test suite uses (the demo credentials of these simulators among
//! them) that must never show up in a file, a log, the output or the window. The list is
//! `crates/sandbox/canaries.txt`, read here, by `scripts/canary-scan.sh` (which looks for each
//! one after the whole suite ran) and by the browser tests' harness.

/// `crates/sandbox/canaries.txt` as it is.
pub const LIST: &str = include_str!("../canaries.txt");

/// One canary of [`LIST`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canary {
    /// A name for people (`icims-demo-hmac-key`); the scan reports this, never the value.
    pub name: &'static str,
    pub value: &'static str,
    /// Files of the repository that use `value` literally.
    pub files: Vec<&'static str>,
}

/// Every canary of [`LIST`], in its order.
pub fn all() -> Vec<Canary> {
    LIST.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let words: Vec<&'static str> = line.split_whitespace().collect();
            match words.as_slice() {
                [name, value, files @ ..] => Canary {
                    name,
                    value,
                    files: files.to_vec(),
                },
                _ => panic!("canaries.txt: no value on the line {line:?}"),
            }
        })
        .collect()
}

/// The value of the canary `name`; panics when there is none, naming the list.
pub fn value(name: &str) -> &'static str {
    all()
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.value)
        .unwrap_or_else(|| panic!("no canary named {name:?} in crates/sandbox/canaries.txt"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_demo_credentials_are_canaries() {
        assert_eq!(value("icims-demo-hmac-key"), crate::icims::DEFAULT_HMAC_KEY);
        assert_eq!(
            value("namely-demo-token-owner"),
            crate::namely::TOKEN_OLIVIA_OWNER
        );
        assert_eq!(
            value("namely-demo-token-inactive-admin"),
            crate::namely::TOKEN_INACTIVE_ADMIN
        );
        assert_eq!(
            value("namely-demo-token-employee"),
            crate::namely::TOKEN_EMPLOYEE
        );
        assert_eq!(
            value("namely-demo-token-revoked"),
            crate::namely::TOKEN_REVOKED
        );
        assert_eq!(
            value("namely-demo-oauth-client-secret"),
            crate::namely::OAUTH_CLIENT_SECRET
        );
        assert_eq!(
            value("namely-first-access-token"),
            crate::namely::FIRST_ACCESS_TOKEN
        );
        assert_eq!(
            value("namely-first-refresh-token"),
            crate::namely::FIRST_REFRESH_TOKEN
        );
        // What a sandbox hands out is covered too, whatever the configuration's defaults.
        let demo = crate::icims::IcimsSimConfig::default();
        assert_eq!(demo.hmac_key, value("icims-demo-hmac-key"));
        let apps = crate::namely::NamelySimConfig::default().oauth_apps;
        assert!(!apps.is_empty());
        for app in apps {
            assert_eq!(app.client_secret, value("namely-demo-oauth-client-secret"));
        }
    }

    #[test]
    fn names_and_values_are_unique_and_distinctive() {
        let list = all();
        assert!(list.len() >= 10, "{list:?}");
        let names: BTreeSet<_> = list.iter().map(|c| c.name).collect();
        let values: BTreeSet<_> = list.iter().map(|c| c.value).collect();
        assert_eq!(names.len(), list.len(), "a name twice");
        assert_eq!(values.len(), list.len(), "a value twice");
        for c in &list {
            // Short values would match by chance in binary files.
            assert!(
                c.value.len() >= 10,
                "{c:?} is too short to be found reliably"
            );
            assert!(
                c.value.bytes().all(|b| b.is_ascii_graphic()),
                "{c:?}: printable ASCII only, so every encoding the scan tries is well defined"
            );
            assert!(
                c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{c:?}: name in lower-case words"
            );
        }
    }

    #[test]
    fn every_file_named_uses_its_canary() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for c in all() {
            for file in &c.files {
                let text = std::fs::read_to_string(root.join(file))
                    .unwrap_or_else(|e| panic!("{}: canaries.txt names {file}: {e}", c.name));
                assert!(
                    text.contains(c.value),
                    "{file} no longer holds the canary {}: update crates/sandbox/canaries.txt",
                    c.name
                );
            }
        }
    }

    #[test]
    #[should_panic(expected = "no canary named \"nope\"")]
    fn an_unknown_name_says_so() {
        value("nope");
    }
}
