//! Quoting what a person (or a vendor) typed inside a message, safely and briefly: control
//! characters are escaped, and anything longer than a sentence is cut with how long it was.
//! Every message that repeats outside input goes through [`quoted`].

/// The most characters of outside input a message repeats.
pub const MAX_QUOTED: usize = 40;

/// `input` in double quotes with control characters escaped (`\n`, `\u{7}`), cut to
/// [`MAX_QUOTED`] characters as shown (an escape counts its own length, so 40 control
/// characters do not become 200) with "… (N characters)" when longer.
pub fn quoted(input: &str) -> String {
    let mut shown = String::new();
    let mut shown_chars = 0;
    for (i, c) in input.chars().enumerate() {
        // Escaped as `str::escape_debug` escapes it at this place: a combining mark only at
        // the start, where it has nothing to combine with.
        let piece: String = if i == 0 {
            c.escape_debug().collect()
        } else {
            let mut pair = String::from("a");
            pair.push(c);
            pair.escape_debug().skip(1).collect()
        };
        let n = piece.chars().count();
        if shown_chars + n > MAX_QUOTED {
            let len = input.chars().count();
            return format!("\"{shown}…\" ({len} characters)");
        }
        shown.push_str(&piece);
        shown_chars += n;
    }
    format!("\"{shown}\"")
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
    fn escapes_count_toward_the_cut() {
        let q = quoted(&"\u{1}".repeat(41));
        assert!(q.chars().count() < 80, "{q}");
        assert!(q.ends_with("…\" (41 characters)"), "{q}");
        assert_eq!(quoted("Mu\u{308}ller"), "\"Mu\u{308}ller\"");
    }

    #[test]
    fn long_input_is_cut_and_its_length_said() {
        let q = quoted(&"x".repeat(10_000));
        assert!(q.len() < 80, "{q}");
        assert!(q.ends_with("…\" (10000 characters)"), "{q}");
    }
}
