//! A "test browser" for the simulator's consent page, for tests of other crates: it opens
//! the authorize URL an app built, picks who signs in, presses Accept or Deny, and hands back
//! where the page sends the browser — without going there, so the test delivers that address
//! to the app's callback listener itself (a GET), as the system browser would.
//!
//! ```no_run
//! # async fn demo(authorize_url: &str) -> Result<(), String> {
//! use sandbox::namely::consent::{self, Decision};
//! let location = consent::answer(authorize_url, Decision::Accept, None).await?;
//! // location = "http://127.0.0.1:47600/namely/callback?code=…&state=…"
//! # Ok(()) }
//! ```

use std::time::Duration;

use reqwest::redirect::Policy;

/// Which button to press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Deny,
}

/// Opens `authorize_url` (no redirect followed), reads the consent form — its hidden fields
/// and the person selected by default — chooses `user_id` instead when given (any value is
/// sent as is, so an unknown one tests the 400 page), presses the button of `decision`, and
/// returns the `Location` the answer redirects to.
///
/// When the authorize URL itself redirects (an unsupported `response_type`), that `Location`
/// is returned without a form being sent. `Err` says what went wrong instead: the page
/// refused the request (its status and message, e.g. an unregistered redirect URI), no
/// consent form on it, or the simulator could not be reached.
pub async fn answer(
    authorize_url: &str,
    decision: Decision,
    user_id: Option<&str>,
) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("could not set up the test browser: {e}"))?;
    let page_url = url::Url::parse(authorize_url)
        .map_err(|e| format!("the authorize URL is not a URL ({e})"))?;
    let resp = client
        .get(page_url.clone())
        .header("accept", "text/html")
        .send()
        .await
        .map_err(|e| format!("could not open the authorize page: {e}"))?;
    if let Some(location) = redirect_location(&resp) {
        return Ok(location);
    }
    let status = resp.status();
    let html = resp
        .text()
        .await
        .map_err(|e| format!("could not read the authorize page: {e}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(refusal("the authorize page", status, &html));
    }
    let form = Form::parse(&html).ok_or("the authorize page holds no consent form")?;
    let mut fields = form.hidden;
    let user = user_id
        .map(str::to_string)
        .or(form.selected_user)
        .ok_or("the consent form offers nobody to sign in as")?;
    fields.push(("user".into(), user));
    let value = match decision {
        Decision::Accept => "accept",
        Decision::Deny => "deny",
    };
    fields.push(("decision".into(), value.into()));
    let action = page_url
        .join(&form.action)
        .map_err(|e| format!("the consent form's action is not a URL ({e})"))?;
    let resp = client
        .post(action)
        .form(&fields)
        .send()
        .await
        .map_err(|e| format!("could not send the decision: {e}"))?;
    if let Some(location) = redirect_location(&resp) {
        return Ok(location);
    }
    let status = resp.status();
    let html = resp.text().await.unwrap_or_default();
    Err(refusal("the decision", status, &html))
}

fn redirect_location(resp: &reqwest::Response) -> Option<String> {
    if !resp.status().is_redirection() {
        return None;
    }
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// "the authorize page answered HTTP 400: <the page's error text>".
fn refusal(what: &str, status: reqwest::StatusCode, html: &str) -> String {
    let message = element_text(html, "id=\"error\"")
        .or_else(|| element_text(html, "<title"))
        .unwrap_or_default();
    let message: String = message.chars().take(300).collect();
    format!("{what} answered HTTP {}: {message}", status.as_u16())
}

/// The text of the first element whose opening tag contains `marker`, tags removed.
fn element_text(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let open_end = at + html[at..].find('>')? + 1;
    let close = open_end + html[open_end..].find("</")?;
    Some(unescape(html[open_end..close].trim()))
}

/// What a browser would send from the consent form.
struct Form {
    action: String,
    hidden: Vec<(String, String)>,
    /// The `<option selected>` of `<select name="user">`, else its first option.
    selected_user: Option<String>,
}

impl Form {
    fn parse(html: &str) -> Option<Form> {
        let mut action = None;
        let mut hidden = Vec::new();
        let mut in_user_select = false;
        let mut first_user = None;
        let mut selected_user = None;
        for (name, attrs) in tags(html) {
            let attr = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            match name.as_str() {
                "form" if action.is_none() => action = Some(attr("action").unwrap_or_default()),
                "input" if attr("type").as_deref() == Some("hidden") => {
                    if let Some(n) = attr("name") {
                        hidden.push((n, attr("value").unwrap_or_default()));
                    }
                }
                "select" => in_user_select = attr("name").as_deref() == Some("user"),
                "/select" => in_user_select = false,
                "option" if in_user_select => {
                    let value = attr("value").unwrap_or_default();
                    if first_user.is_none() {
                        first_user = Some(value.clone());
                    }
                    if attrs.iter().any(|(n, _)| n == "selected") && selected_user.is_none() {
                        selected_user = Some(value);
                    }
                }
                _ => {}
            }
        }
        Some(Form {
            action: action?,
            hidden,
            selected_user: selected_user.or(first_user),
        })
    }
}

/// Every tag of `html`: its lower-case name (`/select` for a closing tag) and attributes
/// (lower-case names, unescaped values; a bare attribute has an empty value).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = tag_end(rest);
        let inner = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        let inner = inner.trim_end_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        if name.is_empty() || name.starts_with('!') {
            continue;
        }
        out.push((name, attributes(&inner[name_end..])));
    }
    out
}

/// Where the tag that starts at `s` ends (its `>`, outside quotes), or `s.len()`.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    s.len()
}

fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.trim().chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            name.push(c);
        }
        if name.is_empty() {
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => {
                    for c in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                None => {
                    while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                        value.push(c);
                    }
                }
            }
        }
        out.push((name.to_ascii_lowercase(), unescape(&value)));
    }
    out
}

/// Undoes HTML escaping: the named entities `amp lt gt quot apos` and numeric ones.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_form_like_a_browser() {
        let html = r#"<!DOCTYPE html><form method="post" action="/go?x=1&amp;y=2">
            <select name="other"><option value="no" selected>no</option></select>
            <select id="user" name="user"><option value="a">A</option>
            <option value='b&quot;' selected>B</option></select>
            <input type="hidden" name="state" value="&lt;s&gt; &amp; &#39;t&#x27;">
            <input type=hidden name=client_id value=c1>
            <input type="text" name="visible" value="x">
            <button name="decision" value="accept">Accept</button></form>"#;
        let form = Form::parse(html).unwrap();
        assert_eq!(form.action, "/go?x=1&y=2");
        assert_eq!(form.selected_user.as_deref(), Some("b\""));
        assert_eq!(
            form.hidden,
            vec![
                ("state".to_string(), "<s> & 't'".to_string()),
                ("client_id".to_string(), "c1".to_string()),
            ]
        );
        let no_selection = r#"<form action="/a"><select name="user"><option value="first">
            </option><option value="second"></option></select></form>"#;
        assert_eq!(
            Form::parse(no_selection).unwrap().selected_user.as_deref(),
            Some("first")
        );
        assert!(Form::parse("<p>no form</p>").is_none());
        assert_eq!(unescape("a &unknown; &amp b"), "a &unknown; &amp b");
    }
}
