//! The web pages served by the bot itself at the root of `QANTAR_WEB_LISTEN`: the same
//! files `qantar-bot site` writes, kept in memory and rebuilt on reload.

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::site::{Site, build};
use crate::catalog::Catalog;
use crate::config::WebUrl;
use crate::handle::App;

/// The site in service, swapped whole when content is reloaded.
#[derive(Debug)]
pub struct LiveSite {
    current: RwLock<Arc<Site>>,
    /// The public address pages name themselves by (canonical links, cards, sitemap).
    base: WebUrl,
}

impl LiveSite {
    /// The site of `catalog`, without maps: those are drawn on first request.
    pub fn new(catalog: &Catalog, base: WebUrl) -> LiveSite {
        LiveSite {
            current: RwLock::new(Arc::new(build(catalog, &base, false))),
            base,
        }
    }

    /// Builds the site of a reloaded catalog off the async thread, then swaps it in.
    pub async fn rebuild(&self, catalog: Arc<Catalog>) {
        let base = self.base.clone();
        match tokio::task::spawn_blocking(move || build(&catalog, &base, false)).await {
            Ok(site) => self.replace(site),
            Err(e) => {
                log::error!("the web pages were not rebuilt, still serving the old ones: {e}")
            }
        }
    }

    pub fn get(&self) -> Arc<Site> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn replace(&self, site: Site) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
    }
}

/// The pages, at the root of the web listener.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/{*path}", get(file))
        .merge(super::api::routes())
        .with_state(app)
}

async fn root(State(app): State<Arc<App>>) -> Response {
    serve_path(&app, "")
}

async fn file(State(app): State<Arc<App>>, Path(path): Path<String>) -> Response {
    serve_path(&app, &path)
}

fn serve_path(app: &App, path: &str) -> Response {
    let Some(live) = &app.site else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let site = live.get();
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    match site.get(&key) {
        Some(f) => ([(header::CONTENT_TYPE, f.content_type)], f.body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
