//! Figures for BENCHMARKS.md, and the budget: a start page's first load (empty
//! cache, a phone's screen), map pictures aside, is at most 100 KB on the wire; and the
//! requests each page type makes. Printed, and written to
//! `target/browser-artifacts/figures.txt`.

use std::fmt::Write as _;

use super::cdp::{Browser, Request, artifacts};
use super::pages::{LANGS, kind_of, page_paths};
use super::web::WebBot;

const BUDGET: u64 = 102_400;

fn is_map(r: &Request) -> bool {
    r.url.contains("/maps/")
}

/// The page's icon: Chromium fetches it after the load event, or not at all when headless,
/// so it is left out of the counts to keep them the same from run to run (375 bytes).
fn is_icon(r: &Request) -> bool {
    r.url.ends_with("/icon.svg")
}

fn bytes(requests: &[&Request]) -> u64 {
    requests.iter().filter_map(|r| r.bytes).sum()
}

/// `site.css`, `index.html` for a page, as a short label in the figures.
fn name(r: &Request) -> &str {
    match r.url.rsplit_once('/') {
        Some((_, "")) => "index.html",
        Some((_, file)) => file,
        None => &r.url,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium: cargo test -- --ignored (CI installs it)"]
async fn a_start_page_first_loads_within_100_kb_besides_the_map() {
    let bot = WebBot::start().await;
    let browser = Browser::launch().await;
    let paths = page_paths(&bot).await;
    let mut out = String::from(
        "First load of each page type, empty cache, 390 x 844 phone screen; bytes on the \
         wire (headers included), as Chromium counts them; the icon left out.\n",
    );
    let mut over = Vec::new();
    for kind in ["root", "start", "event", "sources", "petition"] {
        for lang in LANGS {
            let Some(path) = paths.iter().find(|p| {
                kind_of(p) == kind && (kind == "root" || p.starts_with(&format!("/{lang}/")))
            }) else {
                continue;
            };
            let mut page = browser.page().await;
            page.phone().await;
            page.goto(&bot.url(path)).await;
            let all: Vec<&Request> = page
                .record
                .requests
                .iter()
                .filter(|r| !is_icon(r))
                .collect();
            let (maps, rest): (Vec<&Request>, Vec<&Request>) = all.iter().partition(|r| is_map(r));
            let parts: Vec<String> = rest
                .iter()
                .map(|r| format!("{} {}", name(r), r.bytes.unwrap_or(0)))
                .collect();
            writeln!(
                out,
                "{kind:8} {path:40} {} requests ({} map), {} bytes besides maps [{}], maps {} bytes",
                all.len(),
                maps.len(),
                bytes(&rest),
                parts.join(", "),
                bytes(&maps),
            )
            .unwrap();
            if kind == "start" && bytes(&rest) > BUDGET {
                over.push(format!("{path}: {} bytes", bytes(&rest)));
            }
            if kind == "root" {
                break;
            }
        }
    }
    eprint!("{out}");
    std::fs::write(artifacts().join("figures.txt"), &out).unwrap();
    assert!(
        over.is_empty(),
        "start pages over the {BUDGET}-byte first-load budget: {over:?}\n{out}"
    );
}
