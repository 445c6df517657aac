//! Quoting what a person (or a vendor) typed inside a message, safely and briefly: control
//! characters are escaped, and anything longer than a sentence is cut with how long it was.
//! Every message that repeats outside input goes through [`quoted`].

/// The most characters of outside input a message repeats.
pub const MAX_QUOTED: usize = 40;

/// `input` in double quotes with control characters escaped (`\n`, `\u{7}`), cut to
/// [`MAX_QUOTED`] characters with "… (N characters)" when longer.
pub fn quoted(input: &str) -> String {
    let len = input.chars().count();
    let head: String = input.chars().take(MAX_QUOTED).collect();
    let shown = head.escape_debug().to_string();
    if len > MAX_QUOTED {
        format!("\"{shown}…\" ({len} characters)")
    } else {
        format!("\"{shown}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_quoted_whole_with_controls_escaped() {
        assert_eq!(quoted("Acme"), "\"Acme\"");
        assert_eq!(quoted("a\nb\u{7}"), "\"a\\nb\\u{7}\"");
    }

    #[test]
    fn long_input_is_cut_and_its_length_said() {
        let q = quoted(&"x".repeat(10_000));
        assert!(q.len() < 80, "{q}");
        assert!(q.ends_with("…\" (10000 characters)"), "{q}");
    }
}
