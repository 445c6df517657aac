//! A webhook receiver on 127.0.0.1 for the alert tests: it records every JSON body posted to
//! `/hooks/<secret>` and can answer the next ones 500.
#![allow(dead_code)]

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// The part of the webhook's address that makes it a secret.
pub const SECRET_PATH: &str = "T0001-B0002-hook-secret-path";

#[derive(Default)]
pub struct Received {
    /// Every request, answered or not.
    hits: usize,
    /// Requests still to answer 500.
    fail: usize,
    /// The bodies answered 200.
    bodies: Vec<Value>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<Received>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let state = Arc::new(Mutex::new(Received::default()));
        async fn hook(
            State(state): State<Arc<Mutex<Received>>>,
            Json(body): Json<Value>,
        ) -> StatusCode {
            let mut r = state.lock().unwrap();
            r.hits += 1;
            if r.fail > 0 {
                r.fail -= 1;
                return StatusCode::INTERNAL_SERVER_ERROR;
            }
            r.bodies.push(body);
            StatusCode::OK
        }
        let app = Router::new()
            .route("/hooks/{secret}", post(hook))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url: format!("http://{addr}/hooks/{SECRET_PATH}"),
            state,
        }
    }

    pub fn hits(&self) -> usize {
        self.state.lock().unwrap().hits
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.state.lock().unwrap().bodies.clone()
    }

    pub fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail = n;
    }
}
