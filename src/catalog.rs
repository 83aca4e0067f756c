//! Content and locales loaded together: the immutable value every reply is rendered from.

use std::path::Path;

use crate::content::{self, Content};
use crate::i18n::Locales;
use crate::problem::Problems;
use crate::search::SearchIndex;

#[derive(Debug)]
pub struct Catalog {
    pub content: Content,
    pub locales: Locales,
    /// Built from `content` at load, so inline search does no folding per request.
    pub search: SearchIndex,
}

impl Catalog {
    /// Loads both directories and reports the problems of both in one list.
    pub fn load(content_dir: &Path, locales_dir: &Path) -> Result<Catalog, Problems> {
        match (content::load(content_dir), Locales::load(locales_dir)) {
            (Ok(content), Ok(locales)) => Ok(Catalog {
                search: SearchIndex::build(&content),
                content,
                locales,
            }),
            (content, locales) => {
                let mut all = Vec::new();
                if let Err(Problems(p)) = content {
                    all.extend(p);
                }
                if let Err(Problems(p)) = locales {
                    all.extend(p);
                }
                Err(Problems(all))
            }
        }
    }
}
