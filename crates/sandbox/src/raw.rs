//! Answers no real vendor API should give, for tests of how a client copes: a gateway's HTML
//! error page, a website's login page, JSON cut short or of the wrong shape, an empty body, a
//! redirect to another host. Served by either simulator in place of its own answer
//! ([`crate::icims::IcimsSim::answer_next_raw`], [`crate::namely::NamelySim::answer_next_raw`]).

/// One answer, byte for byte: status, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    pub status: u16,
    /// Header lines, e.g. `("content-type", "text/html")`; `content-type` replaces the
    /// simulator's own.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawAnswer {
    /// A web page with this `<title>`, as a gateway (`502`) or a website's login page (`200`)
    /// would send it.
    pub fn html(status: u16, title: &str) -> Self {
        let body = format!(
            "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><h1>{title}</h1>\
             <p>{}</p></body></html>\n",
            "This page is not an API answer. ".repeat(40)
        );
        Self {
            status,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.into_bytes(),
        }
    }

    /// `text` sent as JSON, whatever it holds (cut short, wrong types, not JSON at all).
    pub fn json_text(status: u16, text: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: text.into().into_bytes(),
        }
    }

    /// No body at all (`content-length: 0`), typed as JSON.
    pub fn empty(status: u16) -> Self {
        Self::json_text(status, "")
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self {
            status,
            headers: vec![
                ("location".into(), location.into()),
                ("content-type".into(), "text/html".into()),
            ],
            body: format!("<html><body>Moved to <a href=\"{location}\">here</a></body></html>")
                .into_bytes(),
        }
    }

    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Raw answers waiting for the requests they match, oldest rule first.
#[derive(Debug, Default)]
pub(crate) struct RawRules {
    rules: Vec<RawRule>,
}

#[derive(Debug)]
struct RawRule {
    method: Option<String>,
    path_suffix: String,
    remaining: usize,
    answer: RawAnswer,
}

impl RawRules {
    pub(crate) fn push(
        &mut self,
        method: Option<&str>,
        path_suffix: &str,
        n: usize,
        answer: RawAnswer,
    ) {
        if n > 0 {
            self.rules.push(RawRule {
                method: method.map(str::to_ascii_uppercase),
                path_suffix: path_suffix.to_string(),
                remaining: n,
                answer,
            });
        }
    }

    /// The answer for this request, if a rule matches (using up one of its answers).
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<RawAnswer> {
        let i = self.rules.iter().position(|r| {
            r.method.as_deref().is_none_or(|m| m == method) && path.ends_with(&r.path_suffix)
        })?;
        let answer = self.rules[i].answer.clone();
        self.rules[i].remaining -= 1;
        if self.rules[i].remaining == 0 {
            self.rules.remove(i);
        }
        Some(answer)
    }
}

/// An axum response carrying `answer` exactly (plus nothing else).
pub(crate) fn response(answer: &RawAnswer) -> axum::response::Response {
    use axum::http::{HeaderName, HeaderValue, StatusCode};
    let mut response = axum::response::Response::new(axum::body::Body::from(answer.body.clone()));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &answer.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_method_and_path_end_and_run_out() {
        let mut rules = RawRules::default();
        rules.push(Some("get"), "/people/7", 2, RawAnswer::empty(200));
        assert_eq!(rules.take("POST", "/customers/1/people/7"), None);
        assert_eq!(rules.take("GET", "/customers/1/people/8"), None);
        assert!(rules.take("GET", "/customers/1/people/7").is_some());
        assert!(rules.take("GET", "/customers/1/people/7").is_some());
        assert_eq!(rules.take("GET", "/customers/1/people/7"), None);
        let page = RawAnswer::html(502, "502 Bad Gateway");
        assert_eq!(
            page.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert!(String::from_utf8_lossy(&page.body).contains("<title>502 Bad Gateway</title>"));
    }
}
