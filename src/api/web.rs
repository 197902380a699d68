//! The web UI: the files of `web/`, embedded at compile time and served at
//! `/` (the page) and `/ui/…` (its scripts, styles and vendored libraries).
//!
//! The UI routes in the URL's fragment (`/#/lineage?node=…`), so every
//! shareable UI URL is `/` for the server and no path of the API is shadowed:
//! an unknown `/ui/…` file is the same JSON 404 as any unknown path. Each
//! answer carries an ETag (a hash of the file) and `Cache-Control: no-cache`,
//! so a browser revalidates with `If-None-Match` and gets a bodiless 304
//! until the binary changes. GraphiQL's page (`GET /graphql`) is a file here
//! too, loading its vendored scripts, so nothing comes from a CDN.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{ApiError, AppState};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Its path under `web/`, which is also its path under `/ui/`.
    pub path: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

/// Declares [`ASSETS`]: each path under `web/`, embedded.
macro_rules! assets {
    ($($path:literal,)*) => {
        /// Every file the UI serves, by path under `web/` (a test checks the
        /// list against the directory: `vendor.sh` only is left out).
        pub static ASSETS: &[Asset] = &[$(Asset {
            path: $path,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $path)),
        }),*];
    };
}

assets! {
    "index.html",
    "graphiql.html",
    "app.css",
    "favicon.svg",
    "js/api.js",
    "js/app.js",
    "js/dom.js",
    "js/graph.js",
    "js/graph-keys.js",
    "js/graph-view.js",
    "js/graphiql.js",
    "js/layout.js",
    "js/pages/catalog.js",
    "js/pages/entities.js",
    "js/pages/home.js",
    "js/pages/impact.js",
    "js/pages/lineage.js",
    "js/pages/ontology.js",
    "js/pages/query.js",
    "js/pages/search.js",
    "vendor/cytoscape/LICENSE",
    "vendor/cytoscape/cytoscape.esm.min.mjs",
    "vendor/graphiql/LICENSE",
    "vendor/graphiql/graphiql.min.css",
    "vendor/graphiql/graphiql.min.js",
    "vendor/react/LICENSE",
    "vendor/react/react.production.min.js",
    "vendor/react-dom/LICENSE",
    "vendor/react-dom/react-dom.production.min.js",
}

/// Each asset's ETag (a quoted hash of its bytes), in [`ASSETS`]' order;
/// hashed once, on first use.
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let hash = blake3::hash(asset.bytes).to_hex();
            HeaderValue::try_from(format!("\"{}\"", &hash[..32]))
                .expect("a hex digest is a valid header value")
        })
        .collect()
});

/// The UI's routes: the page at `/`, its files under `/ui/`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(get_index))
        .route("/ui/{*path}", get(get_asset))
}

/// `GET /`: the UI's single page; its fragment picks what it shows.
async fn get_index(headers: HeaderMap) -> Response {
    serve("index.html", &headers).unwrap_or_else(IntoResponse::into_response)
}

/// `GET /ui/{path}`: a script, a style sheet or a vendored library.
async fn get_asset(Path(path): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    serve(&path, &headers)
}

/// Answers an asset with its content type and ETag, or 304 when the
/// client's `If-None-Match` names the ETag it has.
pub fn serve(path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let index = ASSETS
        .iter()
        .position(|asset| asset.path == path)
        .ok_or_else(|| ApiError::not_found(format!("no route for /ui/{path}")))?;
    let etag = &ETAGS[index];
    let cached = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || tag.trim().trim_start_matches("W/").as_bytes() == etag.as_bytes());
    let common = [
        (header::ETAG, etag.clone()),
        // Revalidate every time: the ETag makes that a bodiless 304.
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if cached {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let content_type = HeaderValue::from_static(content_type(path));
    Ok((
        common,
        [(header::CONTENT_TYPE, content_type)],
        ASSETS[index].bytes,
    )
        .into_response())
}

/// The media type of a file, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        // `.mjs` too: browsers load modules only with a JavaScript type.
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn files(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }

    #[test]
    fn every_file_of_web_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut found = Vec::new();
        files(&root, &root, &mut found);
        found.retain(|path| path != "vendor.sh");
        found.sort();
        let mut listed: Vec<String> = ASSETS.iter().map(|asset| asset.path.to_owned()).collect();
        listed.sort();
        assert_eq!(
            listed, found,
            "web/ and ASSETS differ: list every file of web/ in assets!"
        );
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("vendor/cytoscape/cytoscape.esm.min.mjs"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("app.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("vendor/react/LICENSE"), "text/plain; charset=utf-8");
    }
}
