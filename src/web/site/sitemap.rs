//! `sitemap.xml`, every page in every language with its alternates, and `robots.txt`
//! pointing to it.

use super::Page;
use crate::lang::Lang;
use crate::render::html::escape;
use crate::web::WebUrl;

pub fn sitemap(base: &WebUrl, pages: &[Page]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for page in pages {
        for lang in Lang::ALL {
            out.push_str(&format!(
                "<url>\n<loc>{}</loc>\n",
                escape(&base.join(&page.path(lang)))
            ));
            for other in Lang::ALL {
                out.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                    other.code(),
                    escape(&base.join(&page.path(other)))
                ));
            }
            out.push_str("</url>\n");
        }
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(base: &WebUrl) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        base.join("sitemap.xml")
    )
}
