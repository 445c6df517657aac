//! Replies that did not come from the iCIMS API: a web page (a gateway's HTML error page, the
//! login page of a website the address points at) or a redirect. They are recognised so that
//! the error can say so plainly, quoting at most the page's title or the redirect's target,
//! cut short — never the page itself.

use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};

/// The most characters of a page title or a redirect target an [`crate::Error`] quotes.
pub const MAX_SNIPPET_CHARS: usize = 80;

/// How far into a body the `<title>` is looked for.
const TITLE_SEARCH_BYTES: usize = 64 * 1024;

/// Whether a reply is a web page rather than JSON: its `Content-Type` says HTML, or its body's
/// first non-blank character is `<` (JSON never starts so).
pub(crate) fn is_web_page(headers: &HeaderMap, body: &[u8]) -> bool {
    let html_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("html"));
    html_type
        || body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'<')
}

/// The page's `<title>` as a short single line, or `None` when it has none.
pub(crate) fn title(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(TITLE_SEARCH_BYTES)];
    let text = String::from_utf8_lossy(head);
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = snippet(&text[start..end]);
    (!title.is_empty()).then_some(title)
}

/// The `Location` header of a redirect as a short single line, without `key` (taken out
/// before the cut, so that no piece of it survives).
pub(crate) fn location(headers: &HeaderMap, key: &str) -> Option<String> {
    let raw = crate::error::without_key(headers.get(LOCATION)?.as_bytes(), key);
    let text = snippet(&String::from_utf8_lossy(&raw));
    (!text.is_empty()).then_some(text)
}

/// Whitespace runs become one space, control characters are dropped, and the text is cut to
/// [`MAX_SNIPPET_CHARS`] characters, ending in "…" when it was longer.
pub(crate) fn snippet(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let line: String = words
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if line.chars().count() <= MAX_SNIPPET_CHARS {
        return line;
    }
    let cut: String = line.chars().take(MAX_SNIPPET_CHARS - 1).collect();
    format!("{cut}…")
}

/// ` titled "…"` for a message, or nothing.
pub(crate) fn titled(title: Option<&str>) -> String {
    title
        .map(|t| format!(" titled {}", quote(t)))
        .unwrap_or_default()
}

/// `text` in double quotes, with quotes and backslashes inside escaped.
pub(crate) fn quote(text: &str) -> String {
    format!("\"{}\"", text.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn recognises_web_pages_by_type_or_first_character() {
        let mut h = HeaderMap::new();
        assert!(is_web_page(&h, b"  \n<!DOCTYPE html><html>"));
        assert!(!is_web_page(&h, br#"{"a":1}"#));
        assert!(!is_web_page(&h, b""));
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        assert!(is_web_page(&h, b"Bad gateway"));
    }

    #[test]
    fn title_is_found_cleaned_and_cut() {
        assert_eq!(
            title(b"<html><head><TITLE>\n  502 Bad\tGateway </TITLE></head>").as_deref(),
            Some("502 Bad Gateway")
        );
        assert_eq!(title(b"<html><title></title></html>"), None);
        assert_eq!(title(b"<html>no title</html>"), None);
        let long = format!("<title>{}\u{7}</title>", "x".repeat(500));
        let t = title(long.as_bytes()).unwrap();
        assert_eq!(t.chars().count(), MAX_SNIPPET_CHARS);
        assert!(t.ends_with('…'));
        assert_eq!(titled(Some("a \"b\"")), " titled \"a \\\"b\\\"\"");
        assert_eq!(titled(None), "");
    }
}
