//! The document around every page: the head with its alternates and link cards, the
//! header with the languages and sections, the Mini App's subscribe button, the footer.

use super::Page;
use super::maps::MapImage;
use super::words::Words;
use crate::i18n::Msg;
use crate::lang::Lang;
use crate::render::html::{clip, escape};
use crate::render::map::{HEIGHT, WIDTH};
use crate::web::WebUrl;

/// What a page says about itself, for the head.
pub struct Head<'a> {
    pub page: Page<'a>,
    /// Plain text: the page's own title (the site's name is added).
    pub title: String,
    /// Plain text, for search results and link cards.
    pub description: String,
    /// The card's picture: the map of the page's day.
    pub image: Option<&'a MapImage>,
}

/// `og:locale` of each language.
fn locale(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en_GB",
        Lang::Ru => "ru_RU",
        Lang::Kk => "kk_KZ",
    }
}

/// The whole document of `head.page` in `words.lang`, around `main`.
pub fn document(words: &Words, base: &WebUrl, head: &Head, main: &str) -> String {
    let lang = words.lang;
    let page = head.page;
    let root = page.to_root();
    let site_name = words.plain(Msg::StartTitle);
    let title = if head.title == site_name {
        escape(&site_name)
    } else {
        format!("{} · {}", escape(&head.title), escape(&site_name))
    };
    let description = escape(&clip(head.description.trim(), 200));
    let url = base.join(&page.path(lang));
    let mut out = String::with_capacity(main.len() + 6000);
    out.push_str(&format!(
        "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<meta name=\"description\" content=\"{description}\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
         <link rel=\"canonical\" href=\"{url}\">\n",
        code = lang.code(),
    ));
    for other in Lang::ALL {
        out.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">\n",
            other.code(),
            base.join(&page.path(other))
        ));
    }
    out.push_str(&format!(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\">\n",
        base.join(&page.path(Lang::En))
    ));
    let kind = if matches!(page, Page::Event(_)) {
        "article"
    } else {
        "website"
    };
    let card_title = escape(&head.title);
    out.push_str(&format!(
        "<meta property=\"og:type\" content=\"{kind}\">\n\
         <meta property=\"og:site_name\" content=\"{site}\">\n\
         <meta property=\"og:title\" content=\"{card_title}\">\n\
         <meta property=\"og:description\" content=\"{description}\">\n\
         <meta property=\"og:url\" content=\"{url}\">\n\
         <meta property=\"og:locale\" content=\"{locale}\">\n",
        site = escape(&site_name),
        locale = locale(lang),
    ));
    for other in Lang::ALL.iter().filter(|l| **l != lang) {
        out.push_str(&format!(
            "<meta property=\"og:locale:alternate\" content=\"{}\">\n",
            locale(*other)
        ));
    }
    out.push_str(&format!(
        "<meta name=\"twitter:card\" content=\"{}\">\n\
         <meta name=\"twitter:title\" content=\"{card_title}\">\n\
         <meta name=\"twitter:description\" content=\"{description}\">\n",
        if head.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        }
    ));
    if let Some(image) = head.image {
        let src = base.join(&image.path);
        let alt = escape(&image.alt);
        out.push_str(&format!(
            "<meta property=\"og:image\" content=\"{src}\">\n\
             <meta property=\"og:image:type\" content=\"image/png\">\n\
             <meta property=\"og:image:width\" content=\"{WIDTH}\">\n\
             <meta property=\"og:image:height\" content=\"{HEIGHT}\">\n\
             <meta property=\"og:image:alt\" content=\"{alt}\">\n\
             <meta name=\"twitter:image\" content=\"{src}\">\n\
             <meta name=\"twitter:image:alt\" content=\"{alt}\">\n"
        ));
    }
    out.push_str(&format!(
        "<link rel=\"icon\" href=\"{root}assets/icon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"{root}assets/site.css\">\n\
         <script src=\"{root}assets/site.js\" defer></script>\n\
         </head>\n"
    ));
    out.push_str(&format!(
        "<body data-root=\"{root}\" data-lang=\"{code}\">\n\
         <a class=\"skip\" href=\"#main\">{skip}</a>\n\
         <header class=\"top\">\n<a class=\"brand\" href=\"{root}{code}/\">{brand}</a>\n",
        code = lang.code(),
        skip = words.t(Msg::WebSkip),
        brand = escape(&site_name),
    ));
    out.push_str(&languages(words, page, &root));
    out.push_str("</header>\n");
    out.push_str(&sections(words, &root));
    out.push_str("<main id=\"main\">\n");
    out.push_str(main);
    out.push_str(&subscribe(words));
    out.push_str("</main>\n");
    out.push_str(&format!(
        "<footer>\n<p>{}</p>\n</footer>\n</body>\n</html>\n",
        words.t(Msg::WebFooter)
    ));
    out
}

/// The same page in each language; the current one is not a link.
fn languages(words: &Words, page: Page, root: &str) -> String {
    let links: Vec<String> = Lang::ALL
        .iter()
        .map(|l| {
            if *l == words.lang {
                format!(
                    "<span lang=\"{}\" aria-current=\"page\">{}</span>",
                    l.code(),
                    l.native_name()
                )
            } else {
                format!(
                    "<a href=\"{root}{}\" hreflang=\"{code}\" lang=\"{code}\">{}</a>",
                    page.path(*l),
                    l.native_name(),
                    code = l.code(),
                )
            }
        })
        .collect();
    format!(
        "<nav class=\"langs\" aria-label=\"{}\">{}</nav>\n",
        words.t(Msg::WebLanguages),
        links.join(" ")
    )
}

fn sections(words: &Words, root: &str) -> String {
    let code = words.lang.code();
    let links = [
        (format!("{root}{code}/#summary"), Msg::WebNavSummary),
        (format!("{root}{code}/#timeline"), Msg::WebNavTimeline),
        (format!("{root}{code}/#map"), Msg::WebNavMap),
        (format!("{root}{code}/sources/"), Msg::WebNavSources),
        (format!("{root}{code}/petition/"), Msg::WebNavPetition),
    ];
    let links: Vec<String> = links
        .iter()
        .map(|(href, msg)| format!("<a href=\"{href}\">{}</a>", words.t(*msg)))
        .collect();
    format!(
        "<nav class=\"sections\" aria-label=\"{}\">{}</nav>\n",
        words.t(Msg::WebSections),
        links.join("\n")
    )
}

/// The Mini App's Subscribe button: hidden on the open web, shown by the script inside
/// Telegram, where the request can carry Telegram's signed initData.
fn subscribe(words: &Words) -> String {
    format!(
        "<div class=\"tg-only\" hidden>\n<button type=\"button\" class=\"button\" id=\"subscribe\" \
         data-done=\"{done}\" data-failed=\"{failed}\">{label}</button>\n\
         <p id=\"subscribe-status\" role=\"status\"></p>\n</div>\n",
        done = words.t(Msg::WebSubscribeDone),
        failed = words.t(Msg::WebSubscribeFailed),
        label = words.t(Msg::ButtonSubscribe),
    )
}
