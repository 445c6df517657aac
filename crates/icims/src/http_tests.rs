//! Hardening of the client, over real HTTP on 127.0.0.1: oversized replies (served by a raw
//! streaming server, so no test ever holds 50 MB in memory) and iCIMS's error texts (wiremock),
//! which must never carry the key or the signature and must stay short.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{
    Client, Config, Endpoint, Error, MAX_BODY_BYTES, MAX_MESSAGE_CHARS, MAX_MESSAGES_KEPT,
    PersonId, SearchQuery, SecretString,
};

const USER: &str = "apiuser";
const KEY: &str = "sEcReT-hmac-KEY-0123456789";
const CID: &str = "1234";
const FIFTY_MB: usize = 50 * 1000 * 1000;

fn client_at(base: &str) -> Client {
    let config = Config::new(
        Endpoint::BaseUrl(base.to_owned()),
        CID,
        USER,
        SecretString::from(KEY),
    )
    .expect("valid config");
    Client::new(config).expect("client")
}

/// Fails the test instead of hanging if the client reads what it should have refused.
async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish in time"))
}

fn assert_secret_free(e: &Error) {
    let text = format!("{e} {e:?}");
    assert!(!text.contains(KEY), "key leaked: {text}");
    assert!(!text.contains("sEcReT"), "part of the key leaked: {text}");
}

// ---------------------------------------------------------------------------------------------
// A one-request HTTP/1.1 server that streams its body.

/// How the one-shot server sends its body.
#[derive(Clone, Copy)]
enum Body {
    /// Announces `Content-Length: 50 MB`, sends 17 bytes, then nothing until the client hangs
    /// up: a client that tried to read it all would wait for its timeout.
    AnnouncedThenStall,
    /// No length announced (`Transfer-Encoding: chunked`): 64 KiB chunks until 50 MB are sent
    /// or the client hangs up.
    Streamed,
}

/// What the one-shot server managed to do.
#[derive(Debug)]
struct Served {
    /// Body bytes written to the socket (not necessarily read by the client).
    wrote: usize,
    /// Whether the whole body was written.
    complete: bool,
}

/// Serves one request on 127.0.0.1 with `status` (e.g. "200 OK"), the extra header lines
/// `headers` (each ending in `\r\n`) and the given body; returns the base URL and the task.
async fn one_shot(
    status: &'static str,
    headers: &'static str,
    body: Body,
) -> (String, JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        read_request(&mut socket).await;
        match body {
            Body::AnnouncedThenStall => {
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{headers}content-length: {FIFTY_MB}\r\n\r\n{{\"searchResults\":["
                );
                socket.write_all(head.as_bytes()).await.expect("head");
                // Wait for the client to hang up.
                let mut buf = [0u8; 1024];
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
                Served {
                    wrote: 17,
                    complete: false,
                }
            }
            Body::Streamed => {
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{headers}transfer-encoding: chunked\r\n\r\n"
                );
                socket.write_all(head.as_bytes()).await.expect("head");
                let chunk = vec![b' '; 64 * 1024];
                let frame = format!("{:x}\r\n", chunk.len());
                let mut wrote = 0;
                while wrote < FIFTY_MB {
                    let sent = async {
                        socket.write_all(frame.as_bytes()).await?;
                        socket.write_all(&chunk).await?;
                        socket.write_all(b"\r\n").await
                    }
                    .await;
                    if sent.is_err() {
                        return Served {
                            wrote,
                            complete: false,
                        };
                    }
                    wrote += chunk.len();
                }
                let complete = socket.write_all(b"0\r\n\r\n").await.is_ok();
                Served { wrote, complete }
            }
        }
    });
    (base, task)
}

/// Reads one request (head and `content-length` body).
async fn read_request(socket: &mut TcpStream) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.expect("read request");
        assert!(n > 0, "client hung up before sending a request");
        data.extend_from_slice(&buf[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().expect("content-length"));
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.expect("read body");
        assert!(n > 0, "client hung up while sending");
        data.extend_from_slice(&buf[..n]);
    }
}

// ---------------------------------------------------------------------------------------------
// Oversized replies.

#[tokio::test]
async fn person_answered_with_50_mb_content_length_is_refused_without_reading_it() {
    let (base, server) = one_shot("200 OK", "", Body::AnnouncedThenStall).await;
    let client = client_at(&base);
    let err = within("the request", client.person(PersonId(1), &[]))
        .await
        .expect_err("too large");
    assert_eq!(
        err,
        Error::ReplyTooLarge {
            status: 200,
            limit: MAX_BODY_BYTES
        }
    );
    assert_eq!(
        err.to_string().split(". ").next(),
        Some("iCIMS sent a reply larger than 16 MiB; stopped reading it"),
        "{err}"
    );
    assert!(!err.is_transient(), "repeating the read would not help");
    assert_eq!(err.code(), "reply_too_large");
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(client.last_reply().map(|r| r.status), Some(200));
    // The client hung up instead of waiting for the 50 MB it was promised.
    let served = within("the server", server).await.expect("server task");
    assert!(!served.complete);
}

#[tokio::test]
async fn search_answered_with_a_50_mb_stream_is_refused() {
    let (base, server) = one_shot("200 OK", "", Body::Streamed).await;
    let client = client_at(&base);
    let err = within(
        "the search",
        client.search_workflows(&SearchQuery::statuses(["Hired"])),
    )
    .await
    .expect_err("too large");
    assert!(matches!(err, Error::ReplyTooLarge { .. }), "{err:?}");
    assert!(!err.is_transient());
    let served = within("the server", server).await.expect("server task");
    assert!(!served.complete, "{served:?}");
    assert!(
        served.wrote > MAX_BODY_BYTES && served.wrote < FIFTY_MB,
        "the client read past the limit, then hung up: {served:?}"
    );
}

#[tokio::test]
async fn server_error_with_a_50_mb_body_is_mapped_from_its_status_and_x_error() {
    let (base, server) = one_shot(
        "503 Service Unavailable",
        "x-error: 1:Down for maintenance\r\n",
        Body::AnnouncedThenStall,
    )
    .await;
    let err = within("the request", client_at(&base).person(PersonId(1), &[]))
        .await
        .expect_err("503");
    assert_eq!(
        err,
        Error::Server {
            status: 503,
            message: "Down for maintenance".into()
        }
    );
    assert!(err.is_transient());
    within("the server", server).await.expect("server task");

    let (base, server) = one_shot("502 Bad Gateway", "", Body::AnnouncedThenStall).await;
    let err = within("the request", client_at(&base).person(PersonId(1), &[]))
        .await
        .expect_err("502");
    match &err {
        Error::Server { status, message } => {
            assert_eq!(*status, 502);
            assert!(message.contains("larger than 16 MiB"), "{message}");
        }
        other => panic!("expected Server, got {other:?}"),
    }
    within("the server", server).await.expect("server task");
}

// ---------------------------------------------------------------------------------------------
// Error texts: no key or signature, bounded.

async fn error_for(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    let err = client_at(&server.uri())
        .person(PersonId(1), &[])
        .await
        .expect_err("error status");
    assert_secret_free(&err);
    err
}

#[tokio::test]
async fn error_message_of_100000_characters_is_bounded() {
    let huge = format!("{}{KEY}{}", "é".repeat(50_000), "x".repeat(50_000));
    let err = error_for(ResponseTemplate::new(400).set_body_json(json!({
        "errors": [{"errorMessage": huge, "errorCode": 1}]
    })))
    .await;
    match &err {
        Error::BadRequest { message, code } => {
            assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS);
            assert!(message.ends_with('…'));
            assert_eq!(*code, Some(1));
        }
        other => panic!("expected BadRequest, got {other:?}"),
    }
    assert!(err.to_string().chars().count() < 2 * MAX_MESSAGE_CHARS);

    // A plain-text body is bounded too.
    let err = error_for(ResponseTemplate::new(500).set_body_string("y".repeat(100_000))).await;
    assert!(
        err.to_string().chars().count() < 2 * MAX_MESSAGE_CHARS,
        "{err}"
    );
}

#[tokio::test]
async fn errors_with_1000_entries_are_bounded() {
    let errors: Vec<Value> = (0..1000)
        .map(|i| json!({"errorMessage": format!("problem {i} with {KEY}"), "errorCode": 7}))
        .collect();
    let err =
        error_for(ResponseTemplate::new(400).set_body_json(json!({ "errors": errors }))).await;
    match &err {
        Error::BadRequest { message, .. } => {
            let parts: Vec<&str> = message.split("; ").collect();
            assert_eq!(parts.len(), MAX_MESSAGES_KEPT + 1, "{message}");
            assert_eq!(parts[0], "problem 0 with <redacted>");
            assert_eq!(parts[MAX_MESSAGES_KEPT], "and 990 more");
        }
        other => panic!("expected BadRequest, got {other:?}"),
    }
    assert!(err.to_string().chars().count() < 1_000, "{err}");
}

/// Echoes the request's `Authorization` header and the key in an `X-Error` header.
struct EchoInHeader;

impl Respond for EchoInHeader {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req.headers["authorization"].to_str().unwrap().to_owned();
        ResponseTemplate::new(401).insert_header("x-error", format!("9:refused {auth} {KEY}"))
    }
}

#[tokio::test]
async fn x_error_header_echoing_the_authorization_is_scrubbed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(EchoInHeader)
        .mount(&server)
        .await;
    let err = client_at(&server.uri())
        .person(PersonId(1), &[])
        .await
        .expect_err("401");
    assert!(matches!(err, Error::BadCredentials { .. }), "{err:?}");
    assert_secret_free(&err);
    let sent = server.received_requests().await.unwrap()[0].headers["authorization"]
        .to_str()
        .unwrap()
        .to_owned();
    let signature = sent.rsplit('=').next().unwrap();
    assert_eq!(signature.len(), 64);
    let text = format!("{err} {err:?}");
    assert!(!text.contains(signature), "{text}");
    assert!(text.contains("signature=<redacted>"), "{text}");
}

#[tokio::test]
async fn unreadable_reply_quoting_the_key_is_scrubbed_and_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "searchResults": format!("{KEY} {}", "z".repeat(100_000))
        })))
        .mount(&server)
        .await;
    let err = client_at(&server.uri())
        .search_workflows(&SearchQuery::statuses(["Hired"]))
        .await
        .expect_err("not a list");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_secret_free(&err);
    assert!(
        err.to_string().chars().count() < 2 * MAX_MESSAGE_CHARS,
        "{err}"
    );
}
