//! Shared helpers: an in-memory app, requests, JSON answers, fixtures.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use meshgraph::app::App;
use meshgraph::config::Config;
use serde_json::Value;
use tower::ServiceExt;

/// A running in-memory meshgraph and its router.
pub struct TestApp {
    pub app: Arc<App>,
    pub router: Router,
}

impl TestApp {
    /// An in-memory app with the default configuration.
    pub fn new() -> Self {
        Self::with(Config::in_memory())
    }

    /// An app with a custom configuration.
    pub fn with(config: Config) -> Self {
        let (app, _writer) = App::open(config).expect("app opens");
        let router = meshgraph::api::router(Arc::clone(&app));
        Self { app, router }
    }

    /// Sends a request and returns the status and the body bytes.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        (status, body)
    }

    /// POSTs a JSON body (as given) to `path`.
    pub async fn post(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        let (status, bytes) = self.send(request).await;
        (status, json_or_null(&bytes))
    }

    /// GETs `path` and parses the JSON answer (`null` for an empty body).
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        let (status, bytes) = self.send(request).await;
        (status, json_or_null(&bytes))
    }
}

fn json_or_null(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
    }
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// URL-encodes a path segment (namespaces contain `://`).
pub fn enc(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}
