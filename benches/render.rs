//! Micro-benchmarks of the request-time work that is ours, not the framework's: rendering
//! every view in every language, taking a ready reply, language resolution, and loading
//! the catalog at start.
//!
//! `cargo bench --bench render`; results and the machine they came from are in BENCHMARKS.md.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use qantar_bot::catalog::Catalog;
use qantar_bot::lang::Lang;
use qantar_bot::render::{View, page_count, render};
use qantar_bot::store::{DEFAULT_CACHE_CHATS, LangCache};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped() -> Catalog {
    Catalog::load(&repo().join("content"), &repo().join("locales"))
        .unwrap_or_else(|p| panic!("shipped content must load:\n{p}"))
}

/// One representative of each kind of view, named for the report.
fn kinds(catalog: &Catalog) -> Vec<(&'static str, View)> {
    let c = &catalog.content;
    let first_topic = c.summary.topics.first().map(|t| t.id.clone());
    let first_event = c.events.first().map(|e| e.id.clone());
    vec![
        ("start", View::Start { picker: false }),
        ("start_picker", View::Start { picker: true }),
        ("help", View::Help),
        ("summary", View::Summary),
        ("topic", View::Topic(first_topic.unwrap_or_default())),
        ("timeline_page", View::Timeline { page: 0 }),
        ("event", View::Event(first_event.unwrap_or_default())),
        ("sources", View::Sources),
        ("petition", View::Petition),
        ("lang_menu", View::LangMenu),
        ("lang_changed", View::LangChanged),
        ("lang_unknown", View::LangUnknown("fr".into())),
        ("lang_save_failed", View::LangSaveFailed(Lang::Kk)),
        ("not_a_command", View::NotACommand),
        ("unknown_command", View::UnknownCommand("frobnicate".into())),
    ]
}

/// Every view a reader can reach: each kind, every topic, timeline page and event.
fn all_views(catalog: &Catalog) -> Vec<View> {
    let c = &catalog.content;
    let mut views: Vec<View> = kinds(catalog).into_iter().map(|(_, v)| v).collect();
    views.extend(c.summary.topics.iter().map(|t| View::Topic(t.id.clone())));
    views.extend((0..page_count(c)).map(|page| View::Timeline { page }));
    views.extend(c.events.iter().map(|e| View::Event(e.id.clone())));
    views
}

fn render_views(c: &mut Criterion) {
    let catalog = shipped();
    let mut group = c.benchmark_group("render");
    for (name, view) in kinds(&catalog) {
        for lang in Lang::ALL {
            group.bench_with_input(BenchmarkId::new(name, lang), &view, |b, view| {
                b.iter(|| render(&catalog, lang, black_box(view)))
            });
        }
    }
    group.finish();

    // What a handler pays since replies are rendered at load: a lookup.
    let mut group = c.benchmark_group("ready_reply");
    for (name, view) in kinds(&catalog) {
        group.bench_with_input(BenchmarkId::new(name, Lang::Ru), &view, |b, view| {
            b.iter(|| catalog.reply(Lang::Ru, black_box(view)).messages.len())
        });
    }
    group.finish();

    let views = all_views(&catalog);
    let mut group = c.benchmark_group("render_every_view");
    for lang in Lang::ALL {
        group.bench_function(BenchmarkId::from_parameter(lang), |b| {
            b.iter(|| {
                for view in &views {
                    black_box(render(&catalog, lang, black_box(view)));
                }
            })
        });
    }
    group.finish();
}

fn resolve_language(c: &mut Criterion) {
    let mut group = c.benchmark_group("lang");
    for (name, saved, telegram) in [
        ("negotiate/saved", Some(Lang::Kk), Some("ru-RU")),
        ("negotiate/telegram_ru-RU", None, Some("ru-RU")),
        ("negotiate/telegram_kk", None, Some("kk")),
        ("negotiate/telegram_de", None, Some("de")),
        ("negotiate/none", None, None),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| Lang::negotiate(black_box(saved), black_box(telegram), Lang::En))
        });
    }
    // The saved choice, from the in-memory copy of the store (the whole table fits).
    let cache = LangCache::with_table(
        DEFAULT_CACHE_CHATS,
        (0..20_000).map(|chat| (chat, Lang::Kk)),
    );
    group.bench_function("cache_get/saved", |b| {
        b.iter(|| cache.get(black_box(4_321)))
    });
    group.bench_function("cache_get/none", |b| {
        b.iter(|| cache.get(black_box(1_000_000)))
    });
    for tag in ["en", "ru-RU", "KK-kz", "pt-br"] {
        group.bench_with_input(BenchmarkId::new("from_ietf", tag), tag, |b, tag| {
            b.iter(|| Lang::from_ietf(black_box(tag)))
        });
    }
    group.finish();
}

fn load_catalog(c: &mut Criterion) {
    let (content, locales) = (repo().join("content"), repo().join("locales"));
    c.bench_function("catalog_load", |b| {
        b.iter(|| Catalog::load(black_box(&content), black_box(&locales)))
    });
}

fn config() -> Criterion {
    // Short windows: ~90 benchmarks stay within a few minutes on 2 cores.
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = render_views, resolve_language, load_catalog
}
criterion_main!(benches);
