//! The web face: the static site built from the shipped content (every page in every
//! language, cards, alternates, sitemap, nothing from another site, maps with their
//! places), `check`'s link test, pinned HTML of a sample of pages, and the bot serving
//! the same files on QANTAR_WEB_LISTEN, rebuilt on reload.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use qantar_bot::catalog::Catalog;
use qantar_bot::config::WebUrl;
use qantar_bot::lang::Lang;
use qantar_bot::render::map::{Scene, days, map_day};
use qantar_bot::web::build;
use qantar_bot::web::site::{Site, problems};

use crate::broken_content::{copy_tree, edit_yaml};
use crate::catalog::shipped;
use crate::e2e_ops::free_addr;
use crate::harness::Harness;

fn base() -> WebUrl {
    WebUrl::parse_any("https://qantar.example/record/").unwrap()
}

fn page(site: &Site, path: &str) -> String {
    let file = site
        .get(path)
        .unwrap_or_else(|| panic!("the site has no {path}"));
    String::from_utf8(file.body.clone()).unwrap()
}

/// The value of `<meta property|name="key" content="…">`.
fn meta<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    let at = html
        .find(&format!("property=\"{key}\""))
        .or_else(|| html.find(&format!("name=\"{key}\"")))?;
    let rest = &html[at..];
    let start = rest.find("content=\"")? + "content=\"".len();
    let end = rest[start..].find('"')?;
    Some(&rest[start..start + end])
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn every_page_in_every_language_with_alternates_and_its_card() {
    let catalog = shipped();
    let site = build(&catalog, &base(), false);
    for lang in Lang::ALL {
        let code = lang.code();
        let mut paths = vec![
            (format!("{code}/index.html"), None),
            (format!("{code}/sources/index.html"), None),
            (format!("{code}/petition/index.html"), None),
        ];
        for e in &catalog.content.events {
            let slug = e.id.replace('_', "-");
            paths.push((format!("{code}/timeline/{slug}/index.html"), Some(e)));
        }
        for (path, event) in paths {
            let html = page(&site, &path);
            assert!(html.starts_with("<!doctype html>\n<html lang=\""), "{path}");
            assert!(html.contains(&format!("<html lang=\"{code}\">")), "{path}");
            assert_eq!(html.matches("<h1>").count(), 1, "{path}: one h1");
            let url = format!("https://qantar.example/record/{}", &path[..path.len() - 10]);
            assert_eq!(meta(&html, "og:url"), Some(url.as_str()), "{path}");
            assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")));
            for other in Lang::ALL {
                let twin = url.replacen(&format!("/{code}/"), &format!("/{}/", other.code()), 1);
                assert!(
                    html.contains(&format!(
                        "<link rel=\"alternate\" hreflang=\"{}\" href=\"{twin}\">",
                        other.code()
                    )),
                    "{path}: hreflang {other:?}"
                );
                // The language switch leads to the same page in the other language.
                if other != lang {
                    let rel = path[..path.len() - 10].replacen(code, other.code(), 1);
                    assert!(html.contains(&format!("{rel}\" hreflang=\"{}\"", other.code())));
                }
            }
            assert_eq!(meta(&html, "twitter:card"), Some("summary_large_image"));
            let image = meta(&html, "og:image").expect("a card picture");
            let image_path = image
                .strip_prefix("https://qantar.example/record/")
                .unwrap();
            let map = site
                .maps
                .get(image_path)
                .expect("the card is a map of the site");
            assert_eq!(map.lang, lang, "{path}");
            assert_eq!(meta(&html, "twitter:image"), Some(image));
            if let Some(e) = event {
                assert_eq!(
                    unescape(meta(&html, "og:title").unwrap()),
                    e.title.get(lang),
                    "{path}: the card's title is the headline"
                );
                assert_eq!(map.day, map_day(&catalog.content, e.date), "{path}");
                assert!(html.contains(&format!("<img src=\"../../../{image_path}\"")));
                for s in e.sources.iter().filter_map(|id| catalog.content.source(id)) {
                    if let Some(u) = &s.url {
                        assert!(html.contains(&format!("<a href=\"{u}\">")), "{path}: {u}");
                    }
                }
            }
        }
    }
    // The example address.
    assert!(site.get("ru/timeline/akimat-fire/index.html").is_some());
    let sitemap = page(&site, "sitemap.xml");
    let pages = 3 * (3 + catalog.content.events.len());
    assert_eq!(sitemap.matches("<loc>").count(), pages);
    assert_eq!(sitemap.matches("<xhtml:link").count(), pages * 3);
    assert!(sitemap.contains("<loc>https://qantar.example/record/kk/timeline/akimat-fire/</loc>"));
    assert!(
        page(&site, "robots.txt").contains("Sitemap: https://qantar.example/record/sitemap.xml")
    );
}

#[test]
fn the_start_page_holds_the_summary_and_the_whole_timeline_by_day() {
    let catalog = shipped();
    let site = build(&catalog, &base(), false);
    for lang in Lang::ALL {
        let html = page(&site, &format!("{}/index.html", lang.code()));
        let summary = html.find("id=\"summary\"").unwrap();
        let map = html.find("id=\"map\"").unwrap();
        let timeline = html.find("id=\"timeline\"").unwrap();
        assert!(
            summary < map && map < timeline,
            "summary, map, timeline in order"
        );
        let mut last = timeline;
        for e in &catalog.content.events {
            let at = html
                .find(&format!(
                    "<article class=\"event\" id=\"{}\">",
                    e.id.replace('_', "-")
                ))
                .unwrap_or_else(|| panic!("{} is on the start page", e.id));
            assert!(at > last, "events in the record's order");
            last = at;
            let title = qantar_bot::render::html::escape(e.title.get(lang));
            assert!(html[at..].contains(&title));
        }
        let day_groups = html.matches("<section class=\"day\"").count();
        let mut distinct: Vec<_> = catalog.content.events.iter().map(|e| e.date).collect();
        distinct.dedup();
        assert_eq!(day_groups, distinct.len(), "one group per day");
        // The slider's list holds every map day.
        assert_eq!(
            html.matches("\"src\":\"../maps/").count(),
            days(&catalog.content).len()
        );
    }
}

#[test]
fn every_map_says_in_words_which_places_it_marks() {
    let catalog = shipped();
    let site = build(&catalog, &base(), false);
    for map in site.maps.values() {
        let scene = Scene::of(&catalog.content, map.day);
        for m in scene.marked.iter().filter(|m| m.joined.is_some()) {
            let name = m.place.name_on(map.day, map.lang);
            assert!(
                map.alt.contains(name),
                "{}: {name} in «{}»",
                map.path,
                map.alt
            );
        }
        assert!(
            map.path
                .starts_with(&format!("maps/{}/{}-", map.lang.code(), map.day))
        );
    }
    assert_eq!(site.maps.len(), 3 * days(&catalog.content).len());
}

#[test]
fn nothing_is_loaded_from_another_site() {
    let site = build(&shipped(), &base(), false);
    for (path, file) in &site.files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = std::str::from_utf8(&file.body).unwrap();
        for (at, _) in html.match_indices("src=\"") {
            let src = &html[at + 5..];
            assert!(
                !src.starts_with("http") && !src.starts_with("//"),
                "{path}: {}",
                &src[..40.min(src.len())]
            );
        }
        for (at, _) in html.match_indices("<link ") {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            if tag.contains("href=\"http") {
                assert!(
                    tag.contains("rel=\"canonical\"") || tag.contains("rel=\"alternate\""),
                    "{path}: {tag}"
                );
            }
        }
        assert!(!html.contains("<iframe"), "{path}");
    }
    let js = page(&site, "assets/site.js");
    assert!(
        !js.contains("telegram.org/js"),
        "Telegram's script is not fetched"
    );
    assert!(!js.contains("document.cookie"));
    let css = page(&site, "assets/site.css");
    assert!(!css.contains("http"), "no font or image from elsewhere");
}

#[test]
fn check_finds_a_link_that_leads_nowhere() {
    let catalog = shipped();
    let mut site = build(&catalog, &base(), false);
    assert_eq!(problems(&site), Vec::<String>::new());
    site.files.remove("kk/timeline/zhanaozen/index.html");
    let found = problems(&site);
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .any(|p| p.contains("kk/index.html") && p.contains("timeline/zhanaozen/")),
        "{found:?}"
    );
}

#[test]
fn web_pages_pinned() {
    let catalog = shipped();
    let site = build(&catalog, &base(), false);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, path) in [
            ("web_root", "index.html"),
            ("web_start__en", "en/index.html"),
            (
                "web_event_akimat_fire__ru",
                "ru/timeline/akimat-fire/index.html",
            ),
            (
                "web_event_zhanaozen__kk",
                "kk/timeline/zhanaozen/index.html",
            ),
            ("web_petition__kk", "kk/petition/index.html"),
            ("web_sources__en", "en/sources/index.html"),
        ] {
            insta::assert_snapshot!(name, page(&site, path));
        }
    });
}

/// GET `path`: status, the headers as one lower-cased string, and the body's bytes.
fn get(addr: SocketAddr, path: &str, headers: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("the web listener");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    (status, head, body)
}

fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..line]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line + 2..line + 2 + size]);
        raw = &raw[line + 2 + size + 2..];
    }
}

async fn wait_web(addr: SocketAddr, h: &Harness) {
    for _ in 0..400 {
        if TcpStream::connect(addr).is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the web pages were never served on {addr}:\n{}",
        h.bot.log_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_serves_the_pages_site_writes_and_a_reload_rebuilds_them() {
    let tree = copy_tree();
    let listen = free_addr();
    let h = Harness::builder()
        .tree(tree.path())
        .env("QANTAR_WEB_LISTEN", listen.to_string())
        .start()
        .await;
    wait_web(listen, &h).await;
    let base = WebUrl::parse_any(&format!("http://{listen}/")).unwrap();
    let written = build(&h.catalog, &base, false);

    let fetch = move |path: &'static str, headers: &'static str| {
        tokio::task::spawn_blocking(move || get(listen, path, headers))
    };
    for path in [
        "/",
        "/ru/",
        "/kk/timeline/akimat-fire/",
        "/en/sources/",
        "/sitemap.xml",
    ] {
        let (status, head, body) = fetch(path, "").await.unwrap();
        assert_eq!(status, 200, "{path}");
        let key =
            format!("{}index.html", &path[1..]).replace("sitemap.xmlindex.html", "sitemap.xml");
        assert_eq!(
            body,
            written.get(&key).unwrap().body,
            "{path} as `site` writes it"
        );
        assert!(
            head.contains("content-security-policy: default-src 'self'"),
            "{head}"
        );
        assert!(head.contains("referrer-policy: no-referrer"));
    }
    // Compressed for a browser that asks, and the same page once inflated.
    let (status, head, body) = fetch("/ru/", "Accept-Encoding: gzip, br\r\n")
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, written.get("ru/index.html").unwrap().body);
    assert!(
        body.len() * 3 < inflated.len(),
        "{} of {}",
        body.len(),
        inflated.len()
    );

    // A folder without its slash, and a missing page.
    let (status, head, _) = fetch("/ru/timeline/akimat-fire", "").await.unwrap();
    assert_eq!(status, 308);
    assert!(head.contains("location: akimat-fire/"), "{head}");
    let (status, _, body) = fetch("/ru/timeline/no-such-event/", "").await.unwrap();
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("/ru/"));

    // The card's picture is drawn on request: the very map `/map` sends.
    let html = String::from_utf8(
        written
            .get("kk/timeline/akimat-fire/index.html")
            .unwrap()
            .body
            .clone(),
    )
    .unwrap();
    let image = meta(&html, "og:image")
        .unwrap()
        .strip_prefix(&format!("http://{listen}/"))
        .unwrap()
        .to_string();
    let svg = written.maps.get(&image).unwrap().svg.clone();
    let path: &'static str = Box::leak(format!("/{image}").into_boxed_str());
    let (status, head, png) = fetch(path, "").await.unwrap();
    assert_eq!(status, 200, "{image}");
    assert!(head.contains("content-type: image/png"));
    assert!(head.contains("immutable"));
    assert_eq!(png, qantar_bot::render::map::png(&svg).unwrap());

    // A curator renames an event; after the reload the page says so.
    edit_yaml(tree.path(), "timeline.yaml", |v| {
        v["events"][0]["title"]["ru"] = "Жанаозен: новый заголовок".into();
    });
    h.bot.signal("HUP");
    h.bot.wait_log("content reloaded: generation 2", 1).await;
    let after = Catalog::load(&tree.path().join("content"), &tree.path().join("locales")).unwrap();
    let first = after.content.events[0].id.replace('_', "-");
    let path: &'static str = Box::leak(format!("/ru/timeline/{first}/").into_boxed_str());
    // The rebuild follows the swap on the blocking pool: wait for it, not for a time.
    let mut got = String::new();
    for _ in 0..200 {
        got = String::from_utf8(fetch(path, "").await.unwrap().2).unwrap();
        if got.contains("Жанаозен: новый заголовок") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(got.contains("<h1>Жанаозен: новый заголовок</h1>"), "{got}");
}

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn colours_keep_wcag_aa_contrast_in_both_schemes() {
    let css = std::fs::read_to_string(crate::process::repo().join("assets/web/site.css")).unwrap();
    // The light scheme is the first `:root`, the dark one the block after the media query.
    let dark_at = css.find("prefers-color-scheme: dark").unwrap();
    for (scheme, block) in [("light", &css[..dark_at]), ("dark", &css[dark_at..])] {
        let var = |name: &str| -> String {
            let at = block
                .find(&format!("--{name}: #"))
                .unwrap_or_else(|| panic!("{scheme}: --{name}"));
            block[at + name.len() + 4..at + name.len() + 11].to_string()
        };
        for (fg, bg, least) in [
            ("fg", "bg", 4.5),
            ("muted", "bg", 4.5),
            ("link", "bg", 4.5),
            ("btn-fg", "btn", 4.5),
            ("fg", "panel", 4.5),
            // The rules between sections are decoration, not text (WCAG sets no minimum).
            ("rule", "bg", 1.2),
        ] {
            let ratio = contrast(&var(fg), &var(bg));
            assert!(ratio >= least, "{scheme}: --{fg} on --{bg} is {ratio:.2}:1");
        }
    }
}
