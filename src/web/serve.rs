//! The web pages served by the bot itself at the root of `QANTAR_WEB_LISTEN`: the same
//! files `qantar-bot site` writes, kept in memory, compressed once, rebuilt on reload.
//! Map pictures are drawn on first request (65 ms each, on the blocking pool) and kept.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::site::{MapImage, Site, build};
use crate::catalog::Catalog;
use crate::web::WebUrl;

/// No other site is ever asked for anything: scripts, styles, pictures, fonts and
/// requests all stay on this origin. Links still open elsewhere.
const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'";

/// The site in service, swapped whole when content is reloaded.
#[derive(Debug)]
pub struct LiveSite {
    current: RwLock<Arc<Served>>,
    /// The public address pages name themselves by (canonical links, cards, sitemap).
    base: WebUrl,
}

/// One build of the site, as served: each file's bytes (shared with every response,
/// never copied per request), gzipped once where that pays, and the maps to draw.
#[derive(Debug)]
struct Served {
    files: HashMap<String, ServedFile>,
    /// Every map picture a page names, by path, with its SVG.
    maps: BTreeMap<String, MapImage>,
    /// Map pictures drawn since this build, by path.
    drawn: Mutex<HashMap<String, Bytes>>,
}

/// One file: its type, its bytes, and their gzip for the browsers that ask (all do).
#[derive(Debug)]
struct ServedFile {
    content_type: &'static str,
    body: Bytes,
    gzipped: Option<Bytes>,
}

impl Served {
    fn new(site: Site) -> Served {
        let files = site
            .files
            .into_iter()
            .map(|(path, f)| {
                let gzipped = compressible(f.content_type)
                    .then(|| gzip(&f.body))
                    .flatten()
                    .map(Bytes::from);
                let file = ServedFile {
                    content_type: f.content_type,
                    body: Bytes::from(f.body),
                    gzipped,
                };
                (path, file)
            })
            .collect();
        Served {
            files,
            maps: site.maps,
            drawn: Mutex::default(),
        }
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("image/svg")
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(bytes).ok()?;
    z.finish().ok()
}

impl LiveSite {
    /// The site of `catalog`, without maps: those are drawn on first request.
    pub fn new(catalog: &Catalog, base: WebUrl) -> LiveSite {
        LiveSite {
            current: RwLock::new(Arc::new(Served::new(build(catalog, &base, false)))),
            base,
        }
    }

    /// Builds the site of a reloaded catalog off the async thread, then swaps it in.
    pub async fn rebuild(&self, catalog: Arc<Catalog>) {
        let base = self.base.clone();
        let built =
            tokio::task::spawn_blocking(move || Served::new(build(&catalog, &base, false))).await;
        match built {
            Ok(served) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(served);
            }
            Err(e) => {
                log::error!("the web pages were not rebuilt, still serving the old ones: {e}")
            }
        }
    }

    fn get(&self) -> Arc<Served> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The pages, at the root of the web listener.
/// The pages, at the root of the web listener; the transport merges the Mini App's
/// routes (`transport::mini_app`) beside them.
pub fn router(site: Arc<LiveSite>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/{*path}", get(file))
        .with_state(site)
}

async fn root(State(site): State<Arc<LiveSite>>, headers: HeaderMap) -> Response {
    serve_path(&site, "", &headers).await
}

async fn file(
    State(site): State<Arc<LiveSite>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_path(&site, &path, &headers).await
}

async fn serve_path(live: &LiveSite, path: &str, headers: &HeaderMap) -> Response {
    let served = live.get();
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    if let Some(f) = served.files.get(&key) {
        let body = match &f.gzipped {
            Some(z) if accepts_gzip(headers) => Body::Gzip(z.clone()),
            _ => Body::Plain(f.body.clone()),
        };
        return respond(StatusCode::OK, f.content_type, body, cache_for(&key));
    }
    // A folder asked for without its slash: send the reader to it, so relative links work.
    if !key.ends_with(".html") && served.files.contains_key(&format!("{key}/index.html")) {
        // Relative, so it holds behind a proxy that serves the site under a sub-path.
        let to = format!("{}/", key.rsplit('/').next().unwrap_or(&key));
        return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response();
    }
    if served.maps.contains_key(&key) {
        return match map_picture(&served, &key).await {
            Some(png) => respond(
                StatusCode::OK,
                "image/png",
                Body::Plain(png),
                cache_for(&key),
            ),
            None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        };
    }
    match served.files.get("404.html") {
        Some(f) => respond(
            StatusCode::NOT_FOUND,
            f.content_type,
            Body::Plain(f.body.clone()),
            "no-cache",
        ),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Drawn once per build; a failure is logged and answered 503, never a panic.
async fn map_picture(served: &Arc<Served>, key: &str) -> Option<Bytes> {
    let cached = served
        .drawn
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(key)
        .cloned();
    if cached.is_some() {
        return cached;
    }
    let svg = served.maps.get(key)?.svg.clone();
    let drawn = tokio::task::spawn_blocking(move || crate::render::map::png(&svg)).await;
    match drawn {
        Ok(Ok(png)) => {
            let png = Bytes::from(png);
            served
                .drawn
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.to_string(), png.clone());
            Some(png)
        }
        Ok(Err(e)) => {
            log::error!("the map {key} could not be drawn: {e}");
            None
        }
        Err(e) => {
            log::error!("drawing the map {key} stopped: {e}");
            None
        }
    }
}

/// A response's bytes, as stored or gzipped.
enum Body {
    Plain(Bytes),
    Gzip(Bytes),
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|enc| enc.split(';').next().is_some_and(|e| e.trim() == "gzip"))
}

/// Pictures are named by their content and never change; pages are checked each time.
fn cache_for(key: &str) -> &'static str {
    if key.starts_with("maps/") {
        "public, max-age=31536000, immutable"
    } else if key.starts_with("assets/") {
        "public, max-age=3600"
    } else {
        "no-cache"
    }
}

fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Body,
    cache: &'static str,
) -> Response {
    let (bytes, gzip) = match body {
        Body::Plain(b) => (b, false),
        Body::Gzip(b) => (b, true),
    };
    let mut response = Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}
