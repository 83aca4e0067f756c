//! The pages themselves: the start page (summary, map, the whole timeline by day), an
//! event, the sources, the petition; the root's language choice and the missing page.

use std::collections::BTreeMap;

use fluent::FluentValue;

use super::frame::{Head, document};
use super::maps::{MapImage, image_for};
use super::words::{Words, time};
use super::{Page, slug};
use crate::catalog::Catalog;
use crate::content::{Date, Event, Localized, SourceKind};
use crate::i18n::{Msg, args};
use crate::lang::Lang;
use crate::render::html::escape;
use crate::render::map::{HEIGHT, WIDTH};
use crate::web::WebUrl;

type Maps = BTreeMap<String, MapImage>;

pub fn render(catalog: &Catalog, base: &WebUrl, lang: Lang, page: Page, maps: &Maps) -> String {
    let words = Words { catalog, lang };
    let content = &catalog.content;
    let last_day = crate::content::map_days::days(content).last().copied();
    let day_image =
        |day: Option<Date>| day.and_then(|d| image_for(catalog, maps.values(), lang, d));
    let (head, main) = match page {
        Page::Start => (
            Head {
                page,
                title: words.plain(Msg::StartTitle),
                description: first_paragraph(&content.summary.overview.body, lang),
                image: day_image(last_day),
            },
            start(&words, page, maps),
        ),
        Page::Event(id) => match content.event(id) {
            Some(e) => (
                Head {
                    page,
                    title: e.title.get(lang).to_string(),
                    description: first_paragraph(&e.body, lang),
                    image: day_image(Some(e.date)),
                },
                event(&words, page, e, maps),
            ),
            None => return String::new(),
        },
        Page::Sources => (
            Head {
                page,
                title: words.plain(Msg::SourcesTitle),
                description: words.plain(Msg::CmdSources),
                image: day_image(last_day),
            },
            sources(&words),
        ),
        Page::Petition => (
            Head {
                page,
                title: content.petition.title.get(lang).to_string(),
                description: content.petition.ask.get(lang).to_string(),
                image: day_image(last_day),
            },
            petition(&words),
        ),
    };
    document(&words, base, &head, &main)
}

fn first_paragraph(text: &Localized, lang: Lang) -> String {
    text.get(lang)
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// "Sources: Publisher, Publisher" with links where there are confirmed ones.
fn source_line(words: &Words, ids: &[String]) -> String {
    let names: Vec<String> = ids
        .iter()
        .filter_map(|id| words.catalog.content.source(id))
        .map(|s| match &s.url {
            Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(&s.publisher)),
            None => escape(&s.publisher),
        })
        .collect();
    format!(
        "<p class=\"cite\">{} {}</p>\n",
        words.t(Msg::SourcesLabel),
        names.join(", ")
    )
}

fn sign_button(words: &Words, href: &str) -> String {
    format!(
        "<p class=\"cta\"><a class=\"button\" href=\"{}\">{}</a></p>\n",
        escape(href),
        words.t(Msg::ButtonSign)
    )
}

fn start(words: &Words, page: Page, maps: &Maps) -> String {
    let content = &words.catalog.content;
    let lang = words.lang;
    let o = &content.summary.overview;
    let mut out = format!(
        "<section id=\"summary\">\n<h1>{}</h1>\n{}{}",
        words.text(&o.title),
        words.paragraphs(&o.body),
        source_line(words, &o.sources)
    );
    out.push_str(&sign_button(words, "petition/"));
    for topic in &content.summary.topics {
        out.push_str(&format!(
            "<details class=\"topic\" id=\"topic-{}\">\n<summary>{}</summary>\n{}{}</details>\n",
            topic.id,
            words.text(&topic.title),
            words.paragraphs(&topic.body),
            source_line(words, &topic.sources)
        ));
    }
    out.push_str("</section>\n");
    out.push_str(&map_slider(words, page, maps));
    out.push_str(&timeline(words, lang));
    out.push_str(&sign_button(words, "petition/"));
    out
}

/// The map of the last day, with every day's picture listed for the script's slider.
/// Without the script the last day's map stands alone (each event's page has its day's).
fn map_slider(words: &Words, page: Page, maps: &Maps) -> String {
    let root = page.to_root();
    let days: Vec<&MapImage> = maps.values().filter(|m| m.lang == words.lang).collect();
    let mut days = days;
    days.sort_by_key(|m| m.day);
    let Some(last) = days.last() else {
        return String::new();
    };
    let list: Vec<serde_json::Value> = days
        .iter()
        .map(|m| {
            serde_json::json!({
                "src": format!("{root}{}", m.path),
                "alt": m.alt,
                "date": crate::render::format_date(&words.catalog.locales, words.lang, m.day),
            })
        })
        .collect();
    // `</` inside a script element would end it early; `<\/` is the same JSON string.
    let json = serde_json::Value::from(list)
        .to_string()
        .replace("</", "<\\/");
    format!(
        "<section id=\"map\">\n<h2>{heading}</h2>\n<figure class=\"map\">\n\
         <a href=\"{root}{src}\"><img src=\"{root}{src}\" alt=\"{alt}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" loading=\"lazy\" decoding=\"async\"></a>\n\
         <figcaption><span class=\"map-date\">{date}</span> · {subtitle}</figcaption>\n\
         </figure>\n\
         <label class=\"slider\" hidden><span>{day_label}</span>\n\
         <input type=\"range\" min=\"0\" max=\"{max}\" value=\"{max}\" step=\"1\"></label>\n\
         <script type=\"application/json\" class=\"map-days\">{json}</script>\n\
         <p class=\"credit\">{credit}</p>\n</section>\n",
        heading = words.t(Msg::WebNavMap),
        src = last.path,
        alt = escape(&last.alt),
        date = words.date(last.day),
        subtitle = words.t(Msg::MapSubtitle),
        day_label = words.t(Msg::WebMapDay),
        max = days.len() - 1,
        credit = words.t(Msg::MapCredit),
    )
}

/// Every event, grouped under its day (or month, for what is dated only to the month).
fn timeline(words: &Words, lang: Lang) -> String {
    let events = &words.catalog.content.events;
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return String::new();
    };
    let a = args([
        ("count", FluentValue::from(events.len())),
        ("from", FluentValue::from(words.plain_date(first.date))),
        ("to", FluentValue::from(words.plain_date(last.date))),
    ]);
    let mut out = format!(
        "<section id=\"timeline\">\n<h2>{}</h2>\n",
        words.t_args(Msg::TimelineTitle, &a)
    );
    let mut open: Option<Date> = None;
    for e in events {
        if open != Some(e.date) {
            if open.is_some() {
                out.push_str("</section>\n");
            }
            out.push_str(&format!(
                "<section class=\"day\" id=\"day-{}\">\n<h3>{}</h3>\n",
                e.date,
                time(words, e.date)
            ));
            open = Some(e.date);
        }
        out.push_str(&format!(
            "<article class=\"event\" id=\"{id}\">\n<h4><a href=\"timeline/{id}/\">{title}</a></h4>\n\
             <p class=\"place\">{place}</p>\n{body}</article>\n",
            id = slug(&e.id),
            title = words.text(&e.title),
            place = escape(e.place.get(lang)),
            body = words.paragraphs(&e.body),
        ));
    }
    if open.is_some() {
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
    out
}

fn event(words: &Words, page: Page, e: &Event, maps: &Maps) -> String {
    let content = &words.catalog.content;
    let root = page.to_root();
    let mut out = format!(
        "<article class=\"event-page\">\n<p class=\"crumb\"><a href=\"../../#{id}\">{back}</a></p>\n\
         <h1>{title}</h1>\n<p class=\"meta\">{date} · {place}</p>\n{body}",
        id = slug(&e.id),
        back = words.t(Msg::ButtonBackTimeline),
        title = words.text(&e.title),
        date = time(words, e.date),
        place = words.text(&e.place),
        body = words.paragraphs(&e.body),
    );
    out.push_str(&format!(
        "<section class=\"sources\">\n<h2>{}</h2>\n<ul>\n",
        words.t(Msg::WebEventSources)
    ));
    for s in e.sources.iter().filter_map(|id| content.source(id)) {
        let title = match &s.url {
            Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(&s.title)),
            None => escape(&s.title),
        };
        out.push_str(&format!(
            "<li><span lang=\"{}\">{title}</span> — {}, {}</li>\n",
            s.language.code(),
            escape(&s.publisher),
            time(words, s.date)
        ));
    }
    out.push_str("</ul>\n</section>\n");
    if let Some(image) = image_for(words.catalog, maps.values(), words.lang, e.date) {
        out.push_str(&format!(
            "<figure class=\"map\">\n<a href=\"{root}{path}\"><img src=\"{root}{path}\" alt=\"{alt}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" loading=\"lazy\" decoding=\"async\"></a>\n\
             <figcaption>{caption} · {day}</figcaption>\n</figure>\n",
            path = image.path,
            alt = escape(&image.alt),
            caption = words.t(Msg::WebMapEventDay),
            day = time(words, image.day),
        ));
    }
    let at = content.events.iter().position(|x| x.id == e.id);
    let prev = at
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| content.events.get(i));
    let next = at.and_then(|i| content.events.get(i + 1));
    if prev.is_some() || next.is_some() {
        out.push_str("<nav class=\"prevnext\">\n");
        if let Some(p) = prev {
            out.push_str(&format!(
                "<a rel=\"prev\" href=\"../{}/\">{} <span>{}</span></a>\n",
                slug(&p.id),
                words.t(Msg::ButtonPrev),
                words.text(&p.title)
            ));
        }
        if let Some(n) = next {
            out.push_str(&format!(
                "<a rel=\"next\" href=\"../{}/\">{} <span>{}</span></a>\n",
                slug(&n.id),
                words.t(Msg::ButtonNext),
                words.text(&n.title)
            ));
        }
        out.push_str("</nav>\n");
    }
    out.push_str(&sign_button(words, "../../petition/"));
    out.push_str("</article>\n");
    out
}

fn sources(words: &Words) -> String {
    let content = &words.catalog.content;
    let mut out = format!("<h1>{}</h1>\n", words.t(Msg::SourcesTitle));
    for (kind, heading) in [
        (SourceKind::Original, Msg::SourcesOriginals),
        (SourceKind::Reference, Msg::SourcesReferences),
    ] {
        out.push_str(&format!(
            "<section class=\"source-list\">\n<h2>{}</h2>\n<ol>\n",
            words.t(heading)
        ));
        for s in content.sources.iter().filter(|s| s.kind == kind) {
            let title = match &s.url {
                Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(&s.title)),
                None => escape(&s.title),
            };
            let mut meta = vec![escape(&s.publisher)];
            if let Some(author) = &s.author {
                meta.push(escape(author));
            }
            meta.push(time(words, s.date));
            let doc_lang = args([("lang", FluentValue::from(s.language.code()))]);
            meta.push(words.t_args(Msg::SourceLanguage, &doc_lang));
            out.push_str(&format!(
                "<li id=\"{id}\" class=\"source\">\n<h3 lang=\"{doc}\">{title}</h3>\n\
                 <p class=\"meta\">{meta}</p>\n<p>{about}</p>\n",
                id = s.id,
                doc = s.language.code(),
                meta = meta.join(" · "),
                about = words.text(&s.about),
            ));
            if s.url.is_none() {
                out.push_str(&format!(
                    "<p class=\"note\">{}</p>\n",
                    words.t(Msg::SourceNoLink)
                ));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    }
    out
}

fn petition(words: &Words) -> String {
    let content = &words.catalog.content;
    let p = &content.petition;
    format!(
        "<h1>{title}</h1>\n{ask}<p class=\"note\">{count}</p>\n{button}<p class=\"url\">{url}</p>\n",
        title = words.text(&p.title),
        ask = words.paragraphs(&p.ask),
        count = escape(&crate::render::petition_count(words.catalog, words.lang)),
        button = sign_button(words, &p.url),
        url = escape(&p.url),
    )
}

/// `/{lang}/timeline/`: the timeline is on the start page; this sends the reader there.
pub fn timeline_index(catalog: &Catalog, base: &WebUrl, lang: Lang) -> String {
    let words = Words { catalog, lang };
    let target = base.join(&format!("{}/#timeline", lang.code()));
    format!(
        "<!doctype html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"canonical\" href=\"{start}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url=../#timeline\">\n</head>\n\
         <body>\n<p><a href=\"../#timeline\">{title}</a></p>\n</body>\n</html>\n",
        code = lang.code(),
        title = words.t(Msg::WebNavTimeline),
        start = escape(&target),
    )
}

/// The root: the three languages, each in its own words. Inside Telegram the script
/// goes on to the reader's language (and to the event a `startapp` link names).
pub fn root(catalog: &Catalog, base: &WebUrl) -> String {
    let mut links = String::new();
    let mut alternates = String::new();
    for lang in Lang::ALL {
        let words = Words { catalog, lang };
        links.push_str(&format!(
            "<li lang=\"{code}\"><a href=\"{code}/\" hreflang=\"{code}\">{name}</a> — {title}</li>\n",
            code = lang.code(),
            name = lang.native_name(),
            title = words.t(Msg::StartTitle),
        ));
        alternates.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">\n",
            lang.code(),
            base.join(&format!("{}/", lang.code()))
        ));
    }
    let en = Words {
        catalog,
        lang: Lang::En,
    };
    let choose: Vec<String> = Lang::ALL
        .iter()
        .map(|l| {
            format!(
                "<span lang=\"{}\">{}</span>",
                l.code(),
                Words { catalog, lang: *l }.t(Msg::WebChooseLanguage)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<meta name=\"description\" content=\"{description}\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
         <link rel=\"canonical\" href=\"{canonical}\">\n{alternates}\
         <link rel=\"alternate\" hreflang=\"x-default\" href=\"{canonical}\">\n\
         <link rel=\"icon\" href=\"assets/icon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"assets/site.css\">\n\
         <script src=\"assets/site.js\" defer></script>\n</head>\n\
         <body data-root=\"\" data-page=\"root\">\n<main id=\"main\" class=\"root\">\n\
         <h1>{title}</h1>\n<p>{choose}</p>\n<ul class=\"choose\">\n{links}</ul>\n</main>\n\
         <footer>\n<p>{footer}</p>\n</footer>\n</body>\n</html>\n",
        title = en.t(Msg::StartTitle),
        description = en.t(Msg::BotShortDescription),
        canonical = base.join(""),
        choose = choose.join(" · "),
        footer = en.t(Msg::WebFooter),
    )
}

/// What a static host serves for a missing address: links to the three start pages,
/// by absolute path since it is served at any depth.
pub fn not_found(catalog: &Catalog, base: &WebUrl) -> String {
    let root = base.as_url().path();
    let mut items = String::new();
    for lang in Lang::ALL {
        let words = Words { catalog, lang };
        items.push_str(&format!(
            "<li lang=\"{code}\">{missing} <a href=\"{root}{code}/\">{to_start}</a></li>\n",
            code = lang.code(),
            missing = words.t(Msg::WebNotFound),
            to_start = words.t(Msg::WebToStart),
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>404</title>\n<meta name=\"referrer\" content=\"no-referrer\">\n<link rel=\"icon\" href=\"{root}assets/icon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"{root}assets/site.css\">\n</head>\n\
         <body>\n<main id=\"main\" class=\"root\">\n<h1>404</h1>\n<ul class=\"choose\">\n{items}</ul>\n</main>\n</body>\n</html>\n"
    )
}
