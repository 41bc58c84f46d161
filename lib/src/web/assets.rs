//! The web app's static files: htmx (vendored from its npm package, pinned in
//! `tests/browser/package.json`, where a test checks the copy is the package's own) and our
//! stylesheet. Each is served under a name carrying its content's hash, so it can be cached
//! for a year and a new version is a new name.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub struct Asset {
    content_type: &'static str,
    pub bytes: &'static [u8],
    /// The same file gzipped, as its package ships it, for browsers that accept gzip.
    gzipped: Option<&'static [u8]>,
    path: LazyLock<String>,
}

impl Asset {
    /// `/assets/<stem>.<hash>.<extension>`.
    pub fn path(&self) -> &str {
        &self.path
    }
}

fn fingerprinted(stem: &str, extension: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("/assets/{stem}.{}.{extension}", hex::encode(&digest[..6]))
}

macro_rules! asset {
    ($name:ident, $stem:literal, $extension:literal, $type:literal, $file:literal, $gz:expr) => {
        pub static $name: Asset = Asset {
            content_type: $type,
            bytes: include_bytes!($file),
            gzipped: $gz,
            path: LazyLock::new(|| fingerprinted($stem, $extension, include_bytes!($file))),
        };
    };
}

asset!(
    HTMX,
    "htmx-2.0.11",
    "js",
    "text/javascript; charset=utf-8",
    "assets/htmx.min.js",
    Some(include_bytes!("assets/htmx.min.js.gz"))
);
asset!(
    STYLE,
    "app",
    "css",
    "text/css; charset=utf-8",
    "assets/app.css",
    None
);

pub static ALL: [&Asset; 2] = [&HTMX, &STYLE];

/// `GET /assets/{file}`: the file whose fingerprinted name this is, cached for a year.
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ALL
        .iter()
        .find(|asset| asset.path().strip_prefix("/assets/") == Some(file.as_str()))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut response = match asset.gzipped.filter(|_| accepts_gzip) {
        Some(gzipped) => (
            [(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
            gzipped,
        )
            .into_response(),
        None => asset.bytes.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
