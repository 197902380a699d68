//! The web UI's routes: the page at `/`, every embedded file under `/ui/`
//! with its content type, ETag and revalidation, JSON 404s kept for unknown
//! paths, no asset from another host, GraphiQL from the vendored files; and
//! `GET /api/v1/overview`, the home page's counts, recent runs and failing
//! jobs.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use meshgraph::api::web::ASSETS;
use serde_json::{Value, json};

use crate::support::{TestApp, assert_error};

async fn get_with(app: &TestApp, path: &str, if_none_match: Option<&str>) -> axum::response::Response {
    use tower::ServiceExt;
    let mut request = Request::get(path);
    if let Some(tag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    app.router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body(response: axum::response::Response) -> Vec<u8> {
    use http_body_util::BodyExt;
    response.into_body().collect().await.unwrap().to_bytes().to_vec()
}

fn header_of(response: &axum::response::Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_page_is_served_at_the_root() {
    let app = TestApp::new();
    let response = get_with(&app, "/", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache");
    assert!(header_of(&response, header::ETAG).starts_with('"'));
    let html = String::from_utf8(body(response).await).unwrap();
    assert!(
        html.contains(r#"<script type="module" src="/ui/js/app.js">"#),
        "{html}"
    );
    assert!(html.contains(r#"href="/ui/app.css""#), "{html}");
}

#[tokio::test]
async fn every_embedded_file_is_served_with_its_type() {
    let app = TestApp::new();
    assert!(ASSETS.len() > 20, "{} assets", ASSETS.len());
    for asset in ASSETS {
        let response = get_with(&app, &format!("/ui/{}", asset.path), None).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", asset.path);
        let content_type = header_of(&response, header::CONTENT_TYPE);
        let expected = match asset.path.rsplit_once('.').map(|(_, ext)| ext) {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("js" | "mjs") => "text/javascript; charset=utf-8",
            Some("svg") => "image/svg+xml",
            _ => "text/plain; charset=utf-8",
        };
        assert_eq!(content_type, expected, "{}", asset.path);
        assert_eq!(body(response).await, asset.bytes, "{}", asset.path);
    }
}

#[tokio::test]
async fn a_known_etag_is_answered_304_without_a_body() {
    let app = TestApp::new();
    let first = get_with(&app, "/ui/js/app.js", None).await;
    let etag = header_of(&first, header::ETAG);
    let again = get_with(&app, "/ui/js/app.js", Some(&etag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&again, header::ETAG), etag);
    assert!(body(again).await.is_empty());
    // Weak and listed forms match too; another file's tag does not.
    let listed = get_with(&app, "/ui/js/app.js", Some(&format!("\"0\", W/{etag}"))).await;
    assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
    let other = get_with(&app, "/ui/app.css", Some(&etag)).await;
    assert_eq!(other.status(), StatusCode::OK);
    // Files differ, so do their tags.
    assert_ne!(header_of(&other, header::ETAG), etag);
}

#[tokio::test]
async fn unknown_paths_stay_json_404s() {
    let app = TestApp::new();
    for path in [
        "/ui/nothing.js",
        "/ui/",
        "/api/v1/nothing",
        "/lineage",
        "/ui/vendor.sh",
    ] {
        let (status, body) = app.get(path).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    // A UI view is a fragment of `/`, which the server never sees.
    let (status, _) = app.send(Request::get("/?x=1").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn no_asset_loads_from_another_host() {
    for asset in ASSETS.iter().filter(|a| !a.path.starts_with("vendor/")) {
        let text = String::from_utf8_lossy(asset.bytes);
        for pattern in [
            "src=\"http",
            "href=\"http",
            "from 'http",
            "from \"http",
            "url(http",
            "import('http",
        ] {
            assert!(!text.contains(pattern), "{} has {pattern}", asset.path);
        }
    }
}

#[tokio::test]
async fn graphiql_loads_its_vendored_scripts() {
    let app = TestApp::new();
    let (status, bytes) = app
        .send(Request::get("/graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(bytes).unwrap();
    for script in [
        "/ui/vendor/react/react.production.min.js",
        "/ui/vendor/react-dom/react-dom.production.min.js",
        "/ui/vendor/graphiql/graphiql.min.js",
        "/ui/vendor/graphiql/graphiql.min.css",
        "/ui/js/graphiql.js",
    ] {
        assert!(html.contains(script), "{script} missing from {html}");
        let (status, _) = app.send(Request::get(script).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{script}");
    }
    assert!(!html.contains("unpkg") && !html.contains("https://"), "{html}");
}

fn event(job: &str, run: u128, event_type: &str, time: &str) -> Value {
    json!({
        "eventType": event_type,
        "eventTime": time,
        "run": { "runId": crate::support::run_id(run).to_string() },
        "job": { "namespace": "web", "name": job },
        "inputs": [{ "namespace": "db", "name": format!("{job}.in") }],
        "outputs": [{ "namespace": "db", "name": format!("{job}.out") }],
        "producer": "https://meshgraph.dev/tests",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    })
}

#[tokio::test]
async fn the_overview_counts_and_finds_recent_runs_and_failing_jobs() {
    let app = TestApp::new();
    let (status, empty) = app.get("/api/v1/overview").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["counts"]["runs"], 0);
    assert_eq!(empty["recentRuns"], json!([]));
    assert_eq!(empty["failingJobs"], json!([]));

    let events = json!([
        // `steady` succeeds; `broken` failed last; `flaky` failed, then recovered.
        event("steady", 1, "START", "2025-01-01T00:00:00Z"),
        event("steady", 1, "COMPLETE", "2025-01-01T00:10:00Z"),
        event("broken", 2, "START", "2025-01-01T01:00:00Z"),
        event("broken", 2, "COMPLETE", "2025-01-01T01:05:00Z"),
        event("broken", 3, "START", "2025-01-02T01:00:00Z"),
        event("broken", 3, "FAIL", "2025-01-02T01:02:00Z"),
        event("flaky", 4, "START", "2025-01-01T02:00:00Z"),
        event("flaky", 4, "FAIL", "2025-01-01T02:01:00Z"),
        event("flaky", 5, "START", "2025-01-02T02:00:00Z"),
        event("flaky", 5, "COMPLETE", "2025-01-02T02:30:00Z"),
    ]);
    let (status, _) = app.post("/api/v1/lineage", events.to_string()).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, overview) = app.get("/api/v1/overview").await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    assert_eq!(
        overview["counts"],
        json!({ "namespaces": 2, "datasets": 6, "jobs": 3, "runs": 5, "products": 0, "domains": 0, "concepts": 0 })
    );
    let recent: Vec<(String, String)> = overview["recentRuns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["job"]["name"].as_str().unwrap().to_owned(),
                r["run"]["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("flaky", "COMPLETED"),
        ("broken", "FAILED"),
        ("steady", "COMPLETED"),
        ("flaky", "FAILED"),
        ("broken", "COMPLETED"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    // Newest activity first: flaky's run 5 ended last, on Jan 2 at 02:30.
    assert_eq!(recent[..2], expected[..2], "{recent:?}");
    assert_eq!(recent.len(), 5);
    let failing = overview["failingJobs"].as_array().unwrap();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0]["job"], json!({ "namespace": "web", "name": "broken" }));
    assert_eq!(failing[0]["run"]["id"], crate::support::run_id(3).to_string());
    assert_eq!(failing[0]["run"]["durationMs"], 120_000);
}

#[tokio::test]
async fn the_demo_overview_counts_the_retail_mesh() {
    let app = TestApp::new();
    meshgraph::app::seed_demo(&app.app).await.expect("the demo loads");
    let (status, overview) = app.get("/api/v1/overview").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(overview["counts"]["products"], 13);
    assert_eq!(overview["counts"]["domains"], 5);
    assert_eq!(overview["recentRuns"].as_array().unwrap().len(), 10);
}
