//! The company permalink: the subdomain in `https://{permalink}.namely.com`.
//!
//! People paste many shapes (`acme`, `ACME`, `acme.namely.com`, `https://acme.namely.com/people`).
//! [`Permalink::parse`] normalises all of them to one DNS label and rejects anything that could
//! point the client at a host other than `{label}.namely.com` (`docs/namely-api.md` §3).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

/// The only domain a permalink may live under.
const NAMELY_DOMAIN: &str = "namely.com";
/// Longest DNS label.
const MAX_LABEL_LEN: usize = 63;

/// A validated Namely company permalink, e.g. `acme` or `acme-sandbox`.
///
/// Always a lowercase DNS label (`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`), so
/// [`Permalink::base_url`] always points at a `*.namely.com` host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Permalink(String);

/// Why an input is not a usable permalink. The `Display` text is meant to be shown to a person
/// next to the field they typed into, and says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PermalinkError {
    /// Nothing (or only spaces) was typed.
    #[error(
        "Enter your company's Namely name: the part before .namely.com in your Namely web address (for example acme for acme.namely.com)."
    )]
    Empty,
    /// A character outside ASCII, e.g. a look-alike letter from another alphabet.
    #[error(
        "The name contains the character '{ch}', which is not a plain letter or digit (it may be a look-alike from another alphabet). Type the name using only a-z, 0-9 and '-', for example acme."
    )]
    NonAscii {
        /// The first offending character.
        ch: char,
    },
    /// Spaces or other whitespace inside the name.
    #[error(
        "The name contains a space. Type it without spaces, exactly as it appears before .namely.com (for example acme or acme-sandbox)."
    )]
    Whitespace,
    /// A `%` escape, which could hide other characters.
    #[error(
        "The name contains '%', which is not allowed. Type the plain name as it appears before .namely.com (for example acme)."
    )]
    PercentEscape,
    /// An `@`, as in `user@host`: would hand the address to another host.
    #[error(
        "The name contains '@', which is not part of a Namely address (it looks like an email or a login). Type only the company name before .namely.com (for example acme)."
    )]
    UserInfo,
    /// A scheme other than `http`/`https`.
    #[error(
        "Addresses starting with '{scheme}://' are not Namely addresses. Type just the company name (for example acme) or https://acme.namely.com."
    )]
    UnsupportedScheme {
        /// The scheme that was typed.
        scheme: String,
    },
    /// A port number such as `:8080`.
    #[error(
        "Namely addresses do not use a port number. Remove ':{port}' and type just the company name (for example acme)."
    )]
    Port {
        /// The port that was typed.
        port: String,
    },
    /// A path after a bare name (`a/b`): unclear what was meant.
    #[error(
        "The name contains '/'. Type just the company name (for example acme) or the full address https://acme.namely.com."
    )]
    Path,
    /// `namely.com` itself, with no company part.
    #[error(
        "namely.com alone does not name a company. Type the part before .namely.com (for example acme for acme.namely.com)."
    )]
    MissingCompany,
    /// Any host that is not a direct subdomain of `namely.com`.
    #[error(
        "{host} is not a Namely address. Type your company's name as it appears in https://<name>.namely.com (for example acme)."
    )]
    OtherHost {
        /// The host that was typed (lowercased).
        host: String,
    },
    /// A character that cannot appear in a subdomain.
    #[error(
        "The name contains '{ch}', which cannot appear in a Namely address. Use only letters a-z, digits 0-9 and '-' (for example acme-sandbox)."
    )]
    InvalidCharacter {
        /// The first offending character.
        ch: char,
    },
    /// Starts or ends with `-`.
    #[error(
        "The name cannot start or end with '-'. Type it exactly as it appears before .namely.com (for example acme-sandbox)."
    )]
    HyphenAtEdge,
    /// Longer than a DNS label allows.
    #[error(
        "The name is {len} characters long; a Namely name has at most 63. Type only the part before .namely.com."
    )]
    TooLong {
        /// Length of the normalised name.
        len: usize,
    },
}

impl Permalink {
    /// Normalise and validate what a person typed.
    ///
    /// Accepts a bare name in any case (`acme`, ` ACME `), the host (`acme.namely.com`), or a
    /// URL on that host with `http`/`https` and any path (`https://acme.namely.com/people`).
    /// Rejects anything that names another host, carries credentials, a port, escapes or
    /// non-ASCII characters.
    pub fn parse(input: &str) -> Result<Self, PermalinkError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PermalinkError::Empty);
        }
        if let Some(ch) = trimmed.chars().find(|c| !c.is_ascii()) {
            return Err(PermalinkError::NonAscii { ch });
        }
        if trimmed.chars().any(|c| c.is_ascii_whitespace()) {
            return Err(PermalinkError::Whitespace);
        }
        if trimmed.contains('%') {
            return Err(PermalinkError::PercentEscape);
        }
        if trimmed.contains('@') {
            return Err(PermalinkError::UserInfo);
        }
        let lower = trimmed.to_ascii_lowercase();

        // Scheme: only when what precedes "://" looks like one.
        let (had_scheme, rest) = match lower.split_once("://") {
            Some((scheme, rest))
                if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                if scheme != "http" && scheme != "https" {
                    return Err(PermalinkError::UnsupportedScheme {
                        scheme: shown(scheme),
                    });
                }
                (true, rest)
            }
            _ => (false, lower.as_str()),
        };

        // Host is everything up to the first path, query or fragment delimiter.
        let (host, has_path) = match rest.find(['/', '?', '#', '\\']) {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        if host.is_empty() {
            return Err(if has_path {
                PermalinkError::Path
            } else {
                PermalinkError::Empty
            });
        }
        if let Some((_, port)) = host.rsplit_once(':') {
            if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) {
                return Err(PermalinkError::Port { port: shown(port) });
            }
            return Err(PermalinkError::InvalidCharacter { ch: ':' });
        }
        if host == NAMELY_DOMAIN {
            return Err(PermalinkError::MissingCompany);
        }

        let label = match host.strip_suffix(NAMELY_DOMAIN) {
            Some(sub) if sub.ends_with('.') => &sub[..sub.len() - 1],
            _ => {
                // Not on namely.com: a path is only tolerated after a full Namely host,
                // and a dot means some other host.
                if host.contains('.') {
                    if host.split('.').any(str::is_empty) {
                        return Err(PermalinkError::InvalidCharacter { ch: '.' });
                    }
                    return Err(PermalinkError::OtherHost { host: shown(host) });
                }
                if has_path && !had_scheme {
                    return Err(PermalinkError::Path);
                }
                host
            }
        };
        if label.contains('.') {
            // e.g. `a.b.namely.com`: a deeper subdomain is not a company permalink.
            if label.split('.').any(str::is_empty) {
                return Err(PermalinkError::InvalidCharacter { ch: '.' });
            }
            return Err(PermalinkError::OtherHost { host: shown(host) });
        }
        validate_label(label)?;
        // A label the URL parser refuses (an `xn--` label that is not valid punycode, such as
        // `xn--0`) names no host at all; without this, `base_url` would panic on it.
        if Url::parse(&format!("https://{label}.{NAMELY_DOMAIN}/")).is_err() {
            return Err(PermalinkError::OtherHost { host: shown(host) });
        }
        Ok(Self(label.to_owned()))
    }

    /// The permalink itself, e.g. `acme`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The API base, `https://{permalink}.namely.com/api/v1`.
    pub fn base_url(&self) -> Url {
        self.url("/api/v1")
    }

    /// The web address people open in a browser, `https://{permalink}.namely.com`.
    pub fn web_url(&self) -> Url {
        self.url("/")
    }

    fn url(&self, path: &str) -> Url {
        let text = format!("https://{}.{NAMELY_DOMAIN}{path}", self.0);
        // The label was validated as a DNS label, so this always parses.
        Url::parse(&text).unwrap_or_else(|_| unreachable!("validated permalink forms a URL"))
    }
}

/// Typed text repeated in a message: control characters escaped, at most [`MAX_SHOWN`]
/// characters shown, then "…" (a 5,000-character host is not echoed whole).
pub(crate) fn shown(typed: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for c in typed.chars() {
        let escaped = c.escape_debug();
        len += escaped.len();
        if len > MAX_SHOWN {
            out.push('…');
            break;
        }
        out.extend(escaped);
    }
    out
}

/// The most characters of typed text an error repeats.
const MAX_SHOWN: usize = 40;

fn validate_label(label: &str) -> Result<(), PermalinkError> {
    if label.is_empty() {
        return Err(PermalinkError::Empty);
    }
    if let Some(ch) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(PermalinkError::InvalidCharacter { ch });
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(PermalinkError::TooLong { len: label.len() });
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(PermalinkError::HyphenAtEdge);
    }
    Ok(())
}

impl fmt::Display for Permalink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Permalink {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Permalink {
    type Err = PermalinkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Permalink {
    type Error = PermalinkError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Permalink> for String {
    fn from(p: Permalink) -> Self {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Want {
        Ok(&'static str),
        Err(fn(&PermalinkError) -> bool),
    }
    use Want::*;

    macro_rules! err {
        ($p:pat) => {
            Want::Err(|e| matches!(e, $p))
        };
    }

    #[test]
    fn permalink_table() {
        let long_ok = "a".repeat(63);
        let long_bad = "a".repeat(64);
        let cases: Vec<(&str, Want)> = vec![
            // good
            ("acme", Ok("acme")),
            ("ACME", Ok("acme")),
            (" acme ", Ok("acme")),
            ("\tacme\n", Ok("acme")),
            ("acme.namely.com", Ok("acme")),
            ("ACME.Namely.COM", Ok("acme")),
            ("https://acme.namely.com/people", Ok("acme")),
            ("http://acme.namely.com/", Ok("acme")),
            ("https://acme.namely.com", Ok("acme")),
            ("HTTPS://acme.namely.com/api/v1/profiles?page=2", Ok("acme")),
            ("acme.namely.com/x", Ok("acme")),
            ("acme.namely.com#top", Ok("acme")),
            ("acme-sandbox", Ok("acme-sandbox")),
            ("https://acme-sandbox.namely.com/home", Ok("acme-sandbox")),
            ("verner-eng-homework", Ok("verner-eng-homework")),
            ("a", Ok("a")),
            ("0", Ok("0")),
            ("123corp", Ok("123corp")),
            (long_ok.as_str(), Ok("")), // checked separately below
            // hostile or malformed
            ("", err!(PermalinkError::Empty)),
            ("   ", err!(PermalinkError::Empty)),
            ("https://", err!(PermalinkError::Empty)),
            ("evil.com", err!(PermalinkError::OtherHost { .. })),
            ("acme.evil.com", err!(PermalinkError::OtherHost { .. })),
            (
                "acme.namely.com.evil.com",
                err!(PermalinkError::OtherHost { .. }),
            ),
            (
                "https://evil.com/acme.namely.com",
                err!(PermalinkError::OtherHost { .. }),
            ),
            ("evilnamely.com", err!(PermalinkError::OtherHost { .. })),
            ("a.b.namely.com", err!(PermalinkError::OtherHost { .. })),
            ("namely.com", err!(PermalinkError::MissingCompany)),
            (
                "https://namely.com/acme",
                err!(PermalinkError::MissingCompany),
            ),
            ("a/b", err!(PermalinkError::Path)),
            ("acme/people", err!(PermalinkError::Path)),
            ("/acme", err!(PermalinkError::Path)),
            ("//evil.com", err!(PermalinkError::Path)),
            ("user@host", err!(PermalinkError::UserInfo)),
            ("acme@evil.com", err!(PermalinkError::UserInfo)),
            ("acme.namely.com@evil.com", err!(PermalinkError::UserInfo)),
            (
                "https://acme.namely.com@evil.com/",
                err!(PermalinkError::UserInfo),
            ),
            ("acme.namely.com:8080", err!(PermalinkError::Port { .. })),
            (
                "https://acme.namely.com:443/",
                err!(PermalinkError::Port { .. }),
            ),
            ("acme:", err!(PermalinkError::InvalidCharacter { ch: ':' })),
            (
                "javascript:alert(1)",
                err!(PermalinkError::InvalidCharacter { ch: ':' }),
            ),
            ("ac me", err!(PermalinkError::Whitespace)),
            ("acme .namely.com", err!(PermalinkError::Whitespace)),
            ("..", err!(PermalinkError::InvalidCharacter { ch: '.' })),
            (
                "acme..namely.com",
                err!(PermalinkError::InvalidCharacter { ch: '.' }),
            ),
            ("-acme", err!(PermalinkError::HyphenAtEdge)),
            ("acme-", err!(PermalinkError::HyphenAtEdge)),
            ("ac%6De", err!(PermalinkError::PercentEscape)),
            ("acme%2eevil.com", err!(PermalinkError::PercentEscape)),
            // Cyrillic 'а' (U+0430) in place of Latin 'a'.
            (
                "\u{0430}cme",
                err!(PermalinkError::NonAscii { ch: '\u{0430}' }),
            ),
            // Fullwidth 'ａ'.
            ("\u{FF41}cme", err!(PermalinkError::NonAscii { .. })),
            ("acme\u{200B}", err!(PermalinkError::NonAscii { .. })),
            (
                "acme.namely.com\u{3002}evil.com",
                err!(PermalinkError::NonAscii { .. }),
            ),
            (
                "ftp://acme.namely.com",
                err!(PermalinkError::UnsupportedScheme { .. }),
            ),
            (
                "file:///etc/passwd",
                err!(PermalinkError::UnsupportedScheme { .. }),
            ),
            (
                "acme_corp",
                err!(PermalinkError::InvalidCharacter { ch: '_' }),
            ),
            ("acme!", err!(PermalinkError::InvalidCharacter { ch: '!' })),
            (
                "https://acme.namely.com\\@evil.com",
                err!(PermalinkError::UserInfo),
            ),
            ("acme\\evil", err!(PermalinkError::Path)),
            (long_bad.as_str(), err!(PermalinkError::TooLong { len: 64 })),
        ];
        assert!(cases.len() >= 25);
        let mut failures = Vec::new();
        for (input, want) in &cases {
            let got = Permalink::parse(input);
            let ok = match (want, &got) {
                (Ok(""), Result::Ok(p)) => p.as_str() == long_ok,
                (Ok(expected), Result::Ok(p)) => p.as_str() == *expected,
                (Err(check), Result::Err(e)) => check(e),
                _ => false,
            };
            if !ok {
                failures.push(format!("{input:?}: want {want:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    }

    #[test]
    fn urls_point_at_namely() {
        let p = Permalink::parse("https://Acme-Sandbox.namely.com/people").expect("valid");
        assert_eq!(
            p.base_url().as_str(),
            "https://acme-sandbox.namely.com/api/v1"
        );
        assert_eq!(p.web_url().as_str(), "https://acme-sandbox.namely.com/");
        assert_eq!(p.to_string(), "acme-sandbox");
    }

    #[test]
    fn messages_say_what_to_type() {
        for input in [
            "",
            "evil.com",
            "a/b",
            "user@host",
            "acme.namely.com:8080",
            "-acme",
        ] {
            let msg = Permalink::parse(input).expect_err(input).to_string();
            assert!(
                msg.contains("acme"),
                "message for {input:?} gives no example: {msg}"
            );
        }
        let msg = Permalink::parse("acme.evil.com")
            .expect_err("hostile")
            .to_string();
        assert!(
            msg.starts_with("acme.evil.com is not a Namely address"),
            "{msg}"
        );
    }

    #[test]
    fn serde_round_trip_validates() {
        let p: Permalink = serde_json::from_str("\"ACME.namely.com\"").expect("valid");
        assert_eq!(p.as_str(), "acme");
        assert_eq!(serde_json::to_string(&p).expect("ser"), "\"acme\"");
        assert!(serde_json::from_str::<Permalink>("\"evil.com\"").is_err());
    }
}
