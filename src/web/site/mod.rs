//! The static site: every page in every language, the maps, the sitemap, as files in
//! memory. Pure, like `render`: a catalog and a base address in, files out; `cli::site`
//! writes them to a folder, `web::serve` serves them.
//!
//! Every link between pages is relative, so the folder serves from any static host and
//! any sub-path; only what must be absolute (canonical, hreflang, link cards, sitemap)
//! uses the base address.

mod assets;
mod frame;
mod maps;
mod pages;
mod sitemap;
mod verify;
mod words;

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::lang::Lang;
use crate::web::WebUrl;

pub use maps::{MapImage, map_images};
pub use verify::problems;

pub const HTML: &str = "text/html; charset=utf-8";

/// One file of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Every file, by its path under the base address (`ru/timeline/akimat-fire/index.html`),
/// and the map pictures by path, drawn or not.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub files: BTreeMap<String, SiteFile>,
    /// Every map picture a page shows, by path: what `serve` draws on first request when
    /// the site was built without them.
    pub maps: BTreeMap<String, MapImage>,
}

impl Site {
    pub fn get(&self, path: &str) -> Option<&SiteFile> {
        self.files.get(path)
    }

    fn add(&mut self, path: String, content_type: &'static str, body: impl Into<Vec<u8>>) {
        self.files.insert(
            path,
            SiteFile {
                content_type,
                body: body.into(),
            },
        );
    }
}

/// An id as it reads in an address: `akimat_fire` → `akimat-fire`.
pub fn slug(id: &str) -> String {
    id.replace('_', "-")
}

/// A page of the site, in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page<'a> {
    /// The summary, then the whole timeline grouped by day, and the map.
    Start,
    /// One event with its sources and that day's map.
    Event(&'a str),
    Sources,
    Petition,
}

impl Page<'_> {
    /// The folder of the page under its language, ending in `/` (`timeline/akimat-fire/`).
    pub fn dir(self) -> String {
        match self {
            Page::Start => String::new(),
            Page::Event(id) => format!("timeline/{}/", slug(id)),
            Page::Sources => "sources/".into(),
            Page::Petition => "petition/".into(),
        }
    }

    /// The page's address under the base: `ru/timeline/akimat-fire/`.
    pub fn path(self, lang: Lang) -> String {
        format!("{}/{}", lang.code(), self.dir())
    }

    /// `../` as many times as the page is deep, to reach the site's root from it.
    pub fn to_root(self) -> String {
        "../".repeat(1 + self.dir().matches('/').count())
    }
}

/// The whole site for `base`. The map pictures are drawn only with `draw_maps` (seconds
/// of CPU); without it, `Site::maps` says which exist so they can be drawn when asked.
pub fn build(catalog: &Catalog, base: &WebUrl, draw_maps: bool) -> Site {
    let mut site = Site::default();
    for image in map_images(catalog) {
        site.maps.insert(image.path.clone(), image);
    }
    let mut pages = vec![Page::Start, Page::Sources, Page::Petition];
    pages.extend(catalog.content.events.iter().map(|e| Page::Event(&e.id)));
    for lang in Lang::ALL {
        for page in &pages {
            let html = pages::render(catalog, base, lang, *page, &site.maps);
            site.add(format!("{}index.html", page.path(lang)), HTML, html);
        }
        // A reader who shortens /ru/timeline/akimat-fire/ to /ru/timeline/ lands on the
        // timeline, not on a missing page.
        site.add(
            format!("{}/timeline/index.html", lang.code()),
            HTML,
            pages::timeline_index(catalog, base, lang),
        );
    }
    site.add("index.html".into(), HTML, pages::root(catalog, base));
    site.add("404.html".into(), HTML, pages::not_found(catalog, base));
    site.add(
        "sitemap.xml".into(),
        "application/xml; charset=utf-8",
        sitemap::sitemap(base, &pages),
    );
    site.add(
        "robots.txt".into(),
        "text/plain; charset=utf-8",
        sitemap::robots(base),
    );
    assets::add(&mut site);
    if draw_maps {
        let drawn = maps::draw_all(site.maps.values().collect());
        for (path, png) in drawn {
            site.add(path, "image/png", png);
        }
    }
    site
}
