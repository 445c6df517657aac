//! The one-shot listener of Sign in with Namely: it waits on `127.0.0.1` (never another
//! interface) for the browser to bring back Namely's answer to the redirect URI
//! `http://127.0.0.1:{port}/namely/callback`, answers the browser with a short page, and
//! hands the first answer over. Anything else it is asked (a favicon) gets a 404 and the wait
//! goes on; an answer after the first gets a page saying it came too late.
//!
//! The page never repeats what the answer held (the code is a secret, the state and error
//! texts come from the address bar). The `state` is compared here, so the page can say
//! whether the answer belonged to this sign-in.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, REFERRER_POLICY};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What came back to the redirect URI.
#[derive(Debug)]
pub enum Callback {
    /// Namely's code, with the state this sign-in sent.
    Code(SecretString),
    /// The person chose Deny (`access_denied`), or Namely refused with another error code.
    Refused {
        error: String,
        description: Option<String>,
    },
    /// An answer whose `state` is not this sign-in's (or is missing): refused unread.
    WrongState,
    /// Neither a code nor an error.
    Malformed,
}

/// Why the wait ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAnswer {
    TimedOut,
    Cancelled,
}

/// A listener waiting for one answer. Dropping it stops it and frees the port.
pub struct Listener {
    addr: SocketAddr,
    answer: oneshot::Receiver<Callback>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

struct Shared {
    state: String,
    answer: Mutex<Option<oneshot::Sender<Callback>>>,
}

impl Listener {
    /// Starts listening on `127.0.0.1:port` (0: any free port) for the answer carrying
    /// `state`. Fails when the port is taken.
    pub async fn bind(port: u16, state: String) -> std::io::Result<Self> {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = socket.local_addr()?;
        let (tx, answer) = oneshot::channel();
        let shared = Arc::new(Shared {
            state,
            answer: Mutex::new(Some(tx)),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(socket, shared, stopped));
        tracing::info!(%addr, "waiting for Namely's sign-in answer");
        Ok(Self {
            addr,
            answer,
            stop: Some(stop),
            server: Some(server),
        })
    }

    /// Where it listens (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the first answer, at most `timeout`, or until `cancel` resolves. The
    /// listener stops either way.
    pub async fn wait(
        mut self,
        timeout: Duration,
        cancel: impl std::future::Future<Output = ()>,
    ) -> Result<Callback, NoAnswer> {
        let outcome = tokio::select! {
            answer = &mut self.answer => answer.map_err(|_| NoAnswer::Cancelled),
            () = tokio::time::sleep(timeout) => Err(NoAnswer::TimedOut),
            () = cancel => Err(NoAnswer::Cancelled),
        };
        self.stop().await;
        outcome
    }

    /// Stops the server and frees the port: the browser's page is written first (a moment's
    /// grace), then every connection is closed, so signing in again can listen at once.
    async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Accepts connections until told to stop; then closes the socket (freeing the port) and
/// gives the pages in flight half a second.
async fn serve(socket: TcpListener, shared: Arc<Shared>, mut stopped: oneshot::Receiver<()>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = socket.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(answer(&shared, &req)) }
                    });
                    let _ = http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
    drop(socket);
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

fn answer(shared: &Shared, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    if req.method() != Method::GET || req.uri().path() != namely::assumptions::REDIRECT_PATH {
        return page(StatusCode::NOT_FOUND, "Not found", "There is nothing here.");
    }
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let Some(tx) = shared
        .answer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    else {
        return page(
            StatusCode::CONFLICT,
            "Already answered",
            "icims-namely already received an answer for this sign-in. Go back to the app.",
        );
    };
    let state_matches = query.get("state").is_some_and(|s| *s == shared.state);
    let (callback, reply) = if !state_matches {
        (
            Callback::WrongState,
            page(
                StatusCode::BAD_REQUEST,
                "Sign-in refused",
                "This answer does not belong to the sign-in icims-namely started (its state \
                 does not match), so it was refused and nothing was saved. Go back to the app \
                 and sign in again.",
            ),
        )
    } else if let Some(code) = query.get("code").filter(|c| !c.is_empty()) {
        (
            Callback::Code(SecretString::from(code.clone())),
            page(
                StatusCode::OK,
                "Signed in — almost done",
                "Namely sent its answer to icims-namely. Go back to the app to see the result; \
                 you can close this tab.",
            ),
        )
    } else if let Some(error) = query.get("error") {
        let denied = error == "access_denied";
        (
            Callback::Refused {
                error: error.clone(),
                description: query.get("error_description").cloned(),
            },
            page(
                StatusCode::OK,
                if denied {
                    "Not signed in"
                } else {
                    "Sign-in failed"
                },
                if denied {
                    "You chose Deny, so icims-namely was not signed in to Namely. Go back to \
                     the app to sign in again, or to use a personal access token instead."
                } else {
                    "Namely did not sign icims-namely in. Go back to the app to see why."
                },
            ),
        )
    } else {
        (
            Callback::Malformed,
            page(
                StatusCode::BAD_REQUEST,
                "Sign-in failed",
                "This address was opened without Namely's answer. Go back to the app and sign \
                 in again.",
            ),
        )
    };
    let _ = tx.send(callback);
    reply
}

/// A short page for the browser. It never repeats anything from the address.
fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — \
         icims-namely</title></head><body style=\"font-family: system-ui, sans-serif; \
         max-width: 36rem; margin: 4rem auto; line-height: 1.5\"><h1>{title}</h1><p>{text}</p>\
         </body></html>"
    );
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::net::{IpAddr, TcpStream, UdpSocket};

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn url(l: &Listener, query: &str) -> String {
        format!(
            "http://{}{}?{query}",
            l.addr(),
            namely::assumptions::REDIRECT_PATH
        )
    }

    /// This machine's address on its outward network, if it has one (no packet is sent).
    fn outward_address() -> Option<IpAddr> {
        let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
        socket.connect("192.0.2.1:9").ok()?;
        let ip = socket.local_addr().ok()?.ip();
        (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
    }

    #[tokio::test]
    async fn listens_on_loopback_only() {
        let l = Listener::bind(0, "s".into()).await.unwrap();
        assert_eq!(l.addr().ip(), IpAddr::from(Ipv4Addr::LOCALHOST));
        let port = l.addr().port();
        // Not on IPv6's loopback, nor on the machine's outward address.
        assert!(TcpStream::connect(("::1", port)).is_err());
        match outward_address() {
            Some(ip) => assert!(
                TcpStream::connect((ip, port)).is_err(),
                "the listener answered on {ip}"
            ),
            None => eprintln!("no outward network address here; checked ::1 only"),
        }
        assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    }

    #[tokio::test]
    async fn the_first_answer_with_the_state_gives_the_code_and_later_ones_are_too_late() {
        let l = Listener::bind(0, "st-1".into()).await.unwrap();
        let first = url(&l, "code=c0de-123&state=st-1");
        let late = url(&l, "code=other&state=st-1");
        let favicon = format!("http://{}/favicon.ico", l.addr());
        let client = http();
        let browser = tokio::spawn(async move {
            let icon = client.get(&favicon).send().await.unwrap().status();
            let page = client.get(&first).send().await.unwrap();
            let status = page.status();
            let text = page.text().await.unwrap();
            let again = client.get(&late).send().await.map(|r| r.status());
            (icon, status, text, again)
        });
        let answer = l
            .wait(Duration::from_secs(5), std::future::pending())
            .await
            .unwrap();
        let Callback::Code(code) = answer else {
            panic!("expected a code, got {answer:?}")
        };
        assert_eq!(code.expose_secret(), "c0de-123");
        let (icon, status, text, again) = browser.await.unwrap();
        assert_eq!(icon, 404, "other paths are not the answer");
        assert_eq!(status, 200);
        assert!(text.contains("Go back to the app"), "{text}");
        assert!(!text.contains("c0de-123"), "the page repeats the code");
        // After the answer the listener stops (or says it came too late).
        assert!(again.as_ref().map_or(true, |s| *s == 409), "{again:?}");
    }

    #[tokio::test]
    async fn an_answer_with_another_state_is_refused_and_its_code_unread() {
        let l = Listener::bind(0, "mine".into()).await.unwrap();
        let answer_url = url(&l, "code=stolen&state=theirs");
        let page = tokio::spawn(async move {
            let r = http().get(&answer_url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        });
        let answer = l.wait(Duration::from_secs(5), std::future::pending()).await;
        assert!(matches!(answer, Ok(Callback::WrongState)), "{answer:?}");
        let (status, text) = page.await.unwrap();
        assert_eq!(status, 400);
        assert!(text.contains("does not belong"), "{text}");
        // No state at all is refused the same way.
        let l = Listener::bind(0, "mine".into()).await.unwrap();
        let u = url(&l, "code=x");
        tokio::spawn(async move { http().get(&u).send().await });
        let answer = l.wait(Duration::from_secs(5), std::future::pending()).await;
        assert!(matches!(answer, Ok(Callback::WrongState)), "{answer:?}");
    }

    #[tokio::test]
    async fn a_denial_says_deny_and_never_repeats_hostile_text() {
        let l = Listener::bind(0, "s".into()).await.unwrap();
        let u = url(
            &l,
            "error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=s",
        );
        let page = tokio::spawn(async move { http().get(&u).send().await.unwrap().text().await });
        let answer = l.wait(Duration::from_secs(5), std::future::pending()).await;
        match answer {
            Ok(Callback::Refused { error, description }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("<script>alert(1)</script>"));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let text = page.await.unwrap().unwrap();
        assert!(text.contains("You chose Deny"), "{text}");
        assert!(!text.contains("<script>"), "{text}");
    }

    #[tokio::test]
    async fn no_answer_times_out_or_is_cancelled_and_frees_the_port() {
        let l = Listener::bind(0, "s".into()).await.unwrap();
        let port = l.addr().port();
        let answer = l
            .wait(Duration::from_millis(100), std::future::pending())
            .await;
        assert_eq!(answer.unwrap_err(), NoAnswer::TimedOut);
        // The port is free again: a new sign-in can listen on it.
        let l = Listener::bind(port, "s".into()).await.unwrap();
        let answer = l.wait(Duration::from_secs(30), async {}).await;
        assert_eq!(answer.unwrap_err(), NoAnswer::Cancelled);
        // Taken: binding again fails while one listens.
        let held = Listener::bind(0, "s".into()).await.unwrap();
        assert!(
            Listener::bind(held.addr().port(), "t".into())
                .await
                .is_err()
        );
    }
}
