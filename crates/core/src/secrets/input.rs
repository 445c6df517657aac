//! [`SecretInput`]: a secret as it arrives from outside the process (the desktop app's IPC,
//! the wizard's inputs), deserialized straight into memory that is wiped when dropped.

use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A secret sent in: a JSON string on the wire (`string` in TypeScript), held as a
/// [`SecretString`] from the moment it is read — never a `String` that is wrapped later and
/// leaves a copy behind. `Debug` prints `[REDACTED]`; there is no `Serialize`.
#[derive(Clone)]
pub struct SecretInput(SecretString);

impl SecretInput {
    /// The secret, to hand to the engine.
    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

impl ExposeSecret<str> for SecretInput {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretInput([REDACTED])")
    }
}

impl From<SecretString> for SecretInput {
    fn from(secret: SecretString) -> Self {
        Self(secret)
    }
}

impl From<String> for SecretInput {
    fn from(value: String) -> Self {
        Self::owned(value)
    }
}

impl From<&str> for SecretInput {
    fn from(value: &str) -> Self {
        Self::borrowed(value)
    }
}

impl SecretInput {
    /// Copied once, into a box of exactly its size that is wiped on drop.
    fn borrowed(value: &str) -> Self {
        Self(SecretString::from(Box::<str>::from(value)))
    }

    /// Taken over; when the string has spare capacity (the box would be a new allocation),
    /// it is copied and the original wiped, spare capacity included.
    fn owned(mut value: String) -> Self {
        if value.len() == value.capacity() {
            return Self(SecretString::from(value.into_boxed_str()));
        }
        let secret = Self::borrowed(&value);
        value.zeroize();
        secret
    }
}

impl<'de> serde::Deserialize<'de> for SecretInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SecretInput;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SecretInput, E> {
                Ok(SecretInput::borrowed(v))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<SecretInput, E> {
                Ok(SecretInput::owned(v))
            }
        }
        deserializer.deserialize_string(Visitor)
    }
}

impl ts_rs::TS for SecretInput {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &ts_rs::Config) -> String {
        "string".to_string()
    }

    fn inline(cfg: &ts_rs::Config) -> String {
        <Self as ts_rs::TS>::name(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_json_string_whole_and_never_shows_it() {
        let plain: SecretInput = serde_json::from_str("\"s3cret-key\"").unwrap();
        assert_eq!(plain.expose_secret(), "s3cret-key");
        // Escapes make serde hand over an owned string.
        let escaped: SecretInput = serde_json::from_str(r#""a\"b\\c\u00e9""#).unwrap();
        assert_eq!(escaped.expose_secret(), "a\"b\\cé");
        assert_eq!(format!("{escaped:?}"), "SecretInput([REDACTED])");
        assert!(!format!("{plain:?}").contains("s3cret"));
        // Only a string is a secret.
        assert!(serde_json::from_str::<SecretInput>("42").is_err());
        assert!(serde_json::from_str::<SecretInput>("null").is_err());
        let none: Option<SecretInput> = serde_json::from_str("null").unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn from_a_string_with_spare_room_keeps_the_value() {
        let mut s = String::with_capacity(64);
        s.push_str("token");
        let secret = SecretInput::from(s);
        assert_eq!(secret.expose_secret(), "token");
        assert_eq!(SecretInput::from("k").into_secret().expose_secret(), "k");
    }

    #[test]
    fn typescript_sees_a_string() {
        let cfg = ts_rs::Config::new();
        assert_eq!(<SecretInput as ts_rs::TS>::name(&cfg), "string");
        assert_eq!(
            <Option<SecretInput> as ts_rs::TS>::name(&cfg),
            "string | null"
        );
    }
}
