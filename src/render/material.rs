//! What every reply is rendered from: the content, the locales, and the search index built
//! from the content. `catalog::Catalog` keeps one together with the replies rendered from
//! it at load and derefs to it, so `render(&catalog, …)` reads as before while `render`
//! itself never names the catalog above it.

use crate::content::Content;
use crate::content::search::SearchIndex;
use crate::i18n::Locales;

#[derive(Debug)]
pub struct Material {
    pub content: Content,
    pub locales: Locales,
    /// Built from `content` at load, so inline search does no folding per request.
    pub search: SearchIndex,
}

impl Material {
    pub fn new(content: Content, locales: Locales) -> Material {
        Material {
            search: SearchIndex::build(&content),
            content,
            locales,
        }
    }
}
