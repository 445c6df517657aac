//! Hardening of the client, over real HTTP on 127.0.0.1: oversized answers (served by a raw
//! streaming server, so no test ever holds 50 MB in memory) and Namely's error texts (wiremock),
//! which must never carry the access token and must stay short.

use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};
use time::macros::date;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{
    Client, Config, Endpoint, Error, MAX_BODY_BYTES, MAX_ERRORS_KEPT, MAX_MESSAGE_CHARS,
    NewProfile, ProfileFilter, ThrottlePolicy,
};

const TOKEN: &str = "pat-SECRET-0123456789";
const FIFTY_MB: usize = 50 * 1000 * 1000;

fn client_at(base: &str) -> Client {
    let config = Config::new(
        Endpoint::base_url(base).expect("loopback base"),
        SecretString::from(TOKEN),
    )
    .expect("config")
    .with_throttle(ThrottlePolicy {
        wait: Duration::from_millis(5),
        max_retries: 0,
    });
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
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains("SECRET"), "part of the token leaked: {text}");
}

fn hire() -> NewProfile {
    NewProfile::active("Ann", "Lee", "ann.lee@acme.com", date!(2024 - 03 - 04))
}

// ---------------------------------------------------------------------------------------------
// A one-request HTTP/1.1 server that streams its body.

/// How the one-shot server sends its body.
#[derive(Clone, Copy)]
enum Body {
    /// Announces `Content-Length: 50 MB`, sends 13 bytes, then nothing until the client hangs
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

/// Serves one request on 127.0.0.1 with `status` (e.g. "200 OK") and the given body; returns
/// the base URL and the server task.
async fn one_shot(status: &'static str, body: Body) -> (String, JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        read_request(&mut socket).await;
        match body {
            Body::AnnouncedThenStall => {
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {FIFTY_MB}\r\n\r\n{{\"profiles\":["
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
                    wrote: 13,
                    complete: false,
                }
            }
            Body::Streamed => {
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
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
// Oversized answers.

#[tokio::test]
async fn get_answered_with_50_mb_content_length_is_refused_without_reading_it() {
    let (base, server) = one_shot("200 OK", Body::AnnouncedThenStall).await;
    let client = client_at(&base);
    let err = within(
        "the request",
        client.profiles_page(1, 50, &ProfileFilter::default()),
    )
    .await
    .expect_err("too large");
    assert!(
        matches!(
            err,
            Error::AnswerTooLarge {
                limit: MAX_BODY_BYTES,
                write: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string().split(". ").next(),
        Some("Namely sent an answer larger than 16 MiB; stopped reading it"),
        "{err}"
    );
    assert!(!err.may_have_been_applied(), "a GET changes nothing");
    assert_eq!(err.status(), Some(reqwest::StatusCode::OK));
    // The client hung up instead of waiting for the 50 MB it was promised.
    let served = within("the server", server).await.expect("server task");
    assert!(!served.complete);
}

#[tokio::test]
async fn create_answered_with_a_50_mb_stream_is_refused_and_may_have_been_applied() {
    let (base, server) = one_shot("201 Created", Body::Streamed).await;
    let client = client_at(&base);
    let err = within("the create", client.create_profile(&hire()))
        .await
        .expect_err("too large");
    assert!(
        matches!(
            err,
            Error::AnswerTooLarge {
                write: true,
                status: reqwest::StatusCode::CREATED,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.may_have_been_applied(),
        "Namely answered 201: the person may exist"
    );
    assert!(err.to_string().contains("look them up"), "{err}");
    assert_secret_free(&err);
    let served = within("the server", server).await.expect("server task");
    assert!(!served.complete, "{served:?}");
    assert!(
        served.wrote > MAX_BODY_BYTES && served.wrote < FIFTY_MB,
        "the client read past the limit, then hung up: {served:?}"
    );
}

#[tokio::test]
async fn server_error_with_a_50_mb_body_is_mapped_from_its_status() {
    let (base, server) = one_shot("500 Internal Server Error", Body::AnnouncedThenStall).await;
    let client = client_at(&base);
    let err = within("the create", client.create_profile(&hire()))
        .await
        .expect_err("500");
    match &err {
        Error::Server { status, message } => {
            assert_eq!(status.as_u16(), 500);
            assert!(message.contains("larger than 16 MiB"), "{message}");
        }
        other => panic!("expected Server, got {other:?}"),
    }
    assert!(err.may_have_been_applied());
    within("the server", server).await.expect("server task");
}

#[tokio::test]
async fn page_of_50_profiles_with_300_fields_each_is_well_within_the_limit() {
    let server = MockServer::start().await;
    let profiles: Vec<Value> = (0..50)
        .map(|i| {
            let mut p = serde_json::Map::new();
            p.insert("id".into(), json!(format!("id-{i}")));
            p.insert("email".into(), json!(format!("p{i}@acme.com")));
            for f in 0..300 {
                p.insert(
                    format!("custom_field_{f}"),
                    json!(format!("a value of field {f} for profile {i}")),
                );
            }
            Value::Object(p)
        })
        .collect();
    let body = json!({"profiles": profiles, "meta": {"count": 50, "total_count": 50}});
    let size = serde_json::to_vec(&body).expect("encode").len();
    assert!(size < MAX_BODY_BYTES / 8, "{size}");
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let page = client_at(&server.uri())
        .profiles_page(1, 50, &ProfileFilter::default())
        .await
        .expect("page");
    assert_eq!(page.profiles.len(), 50);
}

// ---------------------------------------------------------------------------------------------
// Error texts: no token, bounded.

async fn error_for(status: u16, body: Value) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let err = client_at(&server.uri())
        .create_profile(&hire())
        .await
        .expect_err("error status");
    assert_secret_free(&err);
    err
}

#[tokio::test]
async fn validation_422_echoing_the_token_is_scrubbed() {
    let err = error_for(
        422,
        json!({
            "message": format!("error creating profile with token {TOKEN}"),
            "errors": [
                format!("Authorization: Bearer {TOKEN} is not allowed here"),
                "first_name is a required field",
                {"token": TOKEN},
            ]
        }),
    )
    .await;
    match &err {
        Error::Validation { message, errors } => {
            assert_eq!(message, "error creating profile with token [redacted]");
            assert_eq!(
                errors[0],
                "Authorization: Bearer [redacted] is not allowed here"
            );
            assert_eq!(errors[1], "first_name is a required field");
            assert!(errors[2].contains("[redacted]"), "{errors:?}");
        }
        other => panic!("expected Validation, got {other:?}"),
    }
}

#[tokio::test]
async fn server_500_echoing_the_token_and_another_bearer_is_scrubbed() {
    let err = error_for(
        500,
        json!({"error": format!("upstream said: Bearer other-Token-9f8e7d; ours was {TOKEN}")}),
    )
    .await;
    match &err {
        Error::Server { message, .. } => assert_eq!(
            message,
            "upstream said: Bearer [redacted] ours was [redacted]"
        ),
        other => panic!("expected Server, got {other:?}"),
    }
    assert!(!err.to_string().contains("other-Token"), "{err}");
    assert!(err.may_have_been_applied());
}

#[tokio::test]
async fn message_of_100000_characters_is_bounded() {
    let huge = format!("{}{TOKEN}{}", "é".repeat(50_000), "x".repeat(50_000));
    let err = error_for(422, json!({"message": huge, "errors": [huge]})).await;
    match &err {
        Error::Validation { message, errors } => {
            assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS);
            assert!(message.ends_with('…'));
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].chars().count(), MAX_MESSAGE_CHARS);
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    assert!(err.to_string().chars().count() < 3 * MAX_MESSAGE_CHARS);

    let err = error_for(404, json!({"message": "y".repeat(100_000)})).await;
    assert!(
        err.to_string().chars().count() < 2 * MAX_MESSAGE_CHARS,
        "{err}"
    );
}

#[tokio::test]
async fn errors_with_1000_entries_are_bounded() {
    let errors: Vec<String> = (0..1000)
        .map(|i| format!("field_{i} is invalid ({TOKEN})"))
        .collect();
    let err = error_for(
        422,
        json!({"message": "error creating profile", "errors": errors}),
    )
    .await;
    match &err {
        Error::Validation { errors, .. } => {
            assert_eq!(errors.len(), MAX_ERRORS_KEPT + 1);
            assert_eq!(errors[0], "field_0 is invalid ([redacted])");
            assert_eq!(errors[MAX_ERRORS_KEPT], "and 990 more");
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("and 990 more"), "{text}");
    assert!(text.chars().count() < 1_000, "{text}");
}

#[tokio::test]
async fn unreadable_answer_quoting_the_token_is_scrubbed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"profiles": format!("Bearer {TOKEN} {}", "z".repeat(10_000))}),
            ),
        )
        .mount(&server)
        .await;
    let err = client_at(&server.uri()).me().await.expect_err("not a list");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_secret_free(&err);
    assert!(
        err.to_string().chars().count() < 2 * MAX_MESSAGE_CHARS,
        "{err}"
    );
}
