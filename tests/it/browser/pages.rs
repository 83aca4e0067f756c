//! The real pages in Chromium, served by the bot: every page in every language loads
//! clean and asks nothing of any host but 127.0.0.1; a phone shows the summary first and
//! no sideways scroll; the day slider changes the map; the start page reads without
//! JavaScript.

use serde_json::Value;

use super::cdp::{Browser, Page};
use super::web::WebBot;

pub const LANGS: [&str; 3] = ["en", "ru", "kk"];

/// The selectors of the start page this tier relies on (src/web/site/pages.rs).
const SUMMARY_FIRST: &str = "#summary p";
const MAP_IMG: &str = "#map figure img";
const SLIDER: &str = "#map input[type=range]";
const MAP_DATE: &str = "#map .map-date";
const EVENTS: &str = "#timeline article.event";

/// Every page the sitemap lists, plus the root (a language choice, not in the sitemap);
/// fails unless every page type is there in every language.
pub async fn page_paths(bot: &WebBot) -> Vec<String> {
    let (status, xml) = bot.get("/sitemap.xml").await;
    assert_eq!(status, 200, "GET /sitemap.xml");
    let origin = bot.url("");
    let mut paths = vec!["/".to_string()];
    for loc in xml.split("<loc>").skip(1) {
        let url = loc.split("</loc>").next().unwrap_or_default();
        let path = url
            .strip_prefix(&origin)
            .unwrap_or_else(|| panic!("the sitemap names {url}, not a page on {origin}"));
        paths.push(path.to_string());
    }
    for lang in LANGS {
        for kind in ["start", "event", "sources", "petition"] {
            assert!(
                paths
                    .iter()
                    .any(|p| kind_of(p) == kind && p.starts_with(&format!("/{lang}/"))),
                "no {kind} page in {lang} among the sitemap's pages: {paths:?}"
            );
        }
    }
    paths
}

/// The page type of a path: `root`, `start`, `event`, `sources`, `petition`.
pub fn kind_of(path: &str) -> &'static str {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => "root",
        [_lang] => "start",
        [_lang, "timeline", _event] => "event",
        [_lang, "sources"] => "sources",
        [_lang, "petition"] => "petition",
        _ => "other",
    }
}

/// The images of the page that did not load (`src` of each).
async fn broken_images(page: &mut Page) -> Vec<String> {
    let broken = page
        .eval(
            "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)",
        )
        .await;
    serde_json::from_value(broken).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn every_page_in_every_language_loads_clean_and_asks_only_127_0_0_1() {
    let bot = WebBot::start().await;
    let browser = Browser::launch().await;
    let paths = page_paths(&bot).await;
    let mut problems = Vec::new();
    for path in &paths {
        let mut page = browser.page().await;
        page.goto(&bot.url(path)).await;
        page.load_every_image().await;
        for broken in broken_images(&mut page).await {
            problems.push(format!("{path}: image did not load: {broken}"));
        }
        problems.extend(
            page.record
                .problems()
                .into_iter()
                .map(|p| format!("{path}: {p}")),
        );
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) over {} pages:\n{}",
        problems.len(),
        paths.len(),
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn at_a_phones_width_the_start_page_opens_on_the_summary_without_sideways_scroll() {
    let bot = WebBot::start().await;
    let browser = Browser::launch().await;
    for lang in LANGS {
        let mut page = browser.page().await;
        page.phone().await;
        page.goto(&bot.url(&format!("/{lang}/"))).await;
        let shot = page.screenshot(&format!("start-{lang}-390px")).await;
        let seen = page
            .eval(&format!(
                "(() => {{ const p = document.querySelector({SUMMARY_FIRST:?});
                    const r = p && p.getBoundingClientRect();
                    return {{ scrollWidth: document.documentElement.scrollWidth,
                        innerWidth: window.innerWidth, innerHeight: window.innerHeight,
                        top: r ? r.top : null,
                        lineHeight: p ? parseFloat(getComputedStyle(p).lineHeight) : null,
                        text: p ? p.innerText.trim() : '' }}; }})()"
            ))
            .await;
        let num = |key: &str| seen[key].as_f64().unwrap_or(f64::NAN);
        assert!(
            num("scrollWidth") <= num("innerWidth"),
            "{lang}: the start page scrolls sideways at 390 px ({seen}); see {}",
            shot.display()
        );
        assert!(
            !seen["text"].as_str().unwrap_or_default().is_empty(),
            "{lang}: no summary paragraph ({SUMMARY_FIRST}) on the start page"
        );
        // The summary's first two lines are on the first screen, not only its top edge.
        assert!(
            num("top") + 2.0 * num("lineHeight") <= num("innerHeight"),
            "{lang}: the summary's first lines are below the first screen ({seen}); see {}",
            shot.display()
        );
        eprintln!("{lang}: start page at 390 px: {}", shot.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn the_day_slider_changes_the_map() {
    let bot = WebBot::start().await;
    let browser = Browser::launch().await;
    let map = format!(
        "(() => {{ const i = document.querySelector({MAP_IMG:?});
            const s = document.querySelector({SLIDER:?});
            return {{ src: i.src, alt: i.alt, loaded: i.complete && i.naturalWidth > 0,
                date: document.querySelector({MAP_DATE:?}).textContent,
                value: s.value, max: s.max, shown: !s.closest('label').hidden }}; }})()"
    );
    for lang in LANGS {
        let mut page = browser.page().await;
        page.phone().await;
        page.goto(&bot.url(&format!("/{lang}/"))).await;
        // A reader scrolls to the map first; it is lazy below the first screen.
        page.eval(&format!(
            "document.querySelector({MAP_IMG:?}).scrollIntoView()"
        ))
        .await;
        page.wait_until(&format!("(() => {{ const i = document.querySelector({MAP_IMG:?}); return i.complete && i.naturalWidth > 0; }})()"))
            .await;
        let before = page.eval(&map).await;
        assert_eq!(
            before["shown"], true,
            "{lang}: the slider stays hidden: {before}"
        );
        assert_eq!(
            before["value"], before["max"],
            "{lang}: the map does not open on the last day: {before}"
        );
        page.eval(&format!(
            "(() => {{ const s = document.querySelector({SLIDER:?}); s.value = '0';
                s.dispatchEvent(new Event('input', {{bubbles: true}}));
                s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"
        ))
        .await;
        let old_src = before["src"].as_str().unwrap_or_default();
        page.wait_until(&format!(
            "(() => {{ const i = document.querySelector({MAP_IMG:?});
                return i.src !== {old_src:?} && i.complete && i.naturalWidth > 0; }})()"
        ))
        .await;
        let after = page.eval(&map).await;
        page.eval(&format!(
            "document.querySelector({MAP_IMG:?}).scrollIntoView()"
        ))
        .await;
        let shot = page
            .screenshot(&format!("map-first-day-{lang}-390px"))
            .await;
        eprintln!(
            "{lang}: the map on the slider's first day: {}",
            shot.display()
        );
        for key in ["alt", "date"] {
            assert_ne!(before[key], after[key], "{lang}: the map's {key} stayed");
        }
        // The first day marks fewer places than the last.
        let places = |v: &Value| v["alt"].as_str().unwrap_or_default().matches(',').count();
        assert!(
            places(&after) < places(&before),
            "{lang}: the first day's map lists no fewer places: {after} vs {before}"
        );
        let problems = page.record.problems();
        assert!(problems.is_empty(), "{lang}: {problems:#?}");
        let new_src = after["src"].as_str().unwrap_or_default();
        assert!(
            page.record
                .requests
                .iter()
                .any(|r| r.url == new_src && r.status == Some(200)),
            "{lang}: {new_src} was not fetched: {:#?}",
            page.record.requests
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn without_javascript_the_start_page_shows_the_timeline_and_the_map() {
    let bot = WebBot::start().await;
    let events = bot.harness.catalog.content.events.len();
    let browser = Browser::launch().await;
    for lang in LANGS {
        let mut page = browser.page().await;
        page.without_javascript().await;
        page.goto(&bot.url(&format!("/{lang}/"))).await;
        let seen = page
            .eval(&format!(
                "(() => {{ const i = document.querySelector({MAP_IMG:?});
                    const s = document.querySelector({SLIDER:?});
                    const e = [...document.querySelectorAll({EVENTS:?})];
                    return {{ events: e.length,
                        shown: e.filter(a => a.offsetHeight > 0 && a.innerText.trim()).length,
                        map: !!i && i.complete && i.naturalWidth > 0,
                        slider: !!s && s.offsetHeight > 0 }}; }})()"
            ))
            .await;
        assert_eq!(seen["events"], events, "{lang}: {seen}");
        assert_eq!(seen["shown"], events, "{lang}: events not shown: {seen}");
        assert_eq!(seen["map"], true, "{lang}: no map picture: {seen}");
        // A control that does nothing without the script is not shown.
        assert_eq!(seen["slider"], false, "{lang}: a dead slider shows: {seen}");
        let problems = page.record.problems();
        assert!(problems.is_empty(), "{lang}: {problems:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn an_address_that_leads_nowhere_shows_the_404_page_styled() {
    let bot = WebBot::start().await;
    let browser = Browser::launch().await;
    for path in ["/no-such-page", "/ru/timeline/no-such-event/"] {
        let mut page = browser.page().await;
        let url = bot.url(path);
        page.goto(&url).await;
        let document = &page.record.requests[0];
        assert_eq!(
            (document.url.as_str(), document.status),
            (url.as_str(), Some(404))
        );
        // The document's own 404 is the point; anything else (its sheet, its script, its
        // icon at this depth) is a problem.
        let problems: Vec<String> = page
            .record
            .problems()
            .into_iter()
            .filter(|p| !p.ends_with(&url))
            .collect();
        assert!(problems.is_empty(), "{path}: {problems:#?}");
        let seen = page
            .eval(
                "({ sheet: getComputedStyle(document.body).maxWidth,
                    links: [...document.querySelectorAll('a[href]')].length })",
            )
            .await;
        assert_ne!(seen["sheet"], "none", "{path}: the 404 page is unstyled");
        assert!(
            seen["links"].as_u64() > Some(0),
            "{path}: no way on: {seen}"
        );
    }
}
