//! The map: what drawing costs. `map_view` is the request-time work of a picture already
//! uploaded (caption, SVG and its content key; then a file_id send); `map_png` is what an
//! upload adds (rasterising, on the blocking pool); `map_all_png` draws every day in
//! every language, as rendering everything at load would. Before the benchmarks, the
//! RSS a process gains by holding every PNG is printed.
//!
//! `cargo bench --bench map`; results are in BENCHMARKS.md.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use qantar_bot::catalog::Catalog;
use qantar_bot::lang::Lang;
use qantar_bot::render::map::{days, png};
use qantar_bot::render::{View, render};

fn shipped() -> Catalog {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Catalog::load(&repo.join("content"), &repo.join("locales"))
        .unwrap_or_else(|p| panic!("shipped content must load:\n{p}"))
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Prints the RSS gained by drawing every map once and holding the PNGs, and their size.
fn report_memory(catalog: &Catalog) {
    let before = rss_kib();
    let mut held = Vec::new();
    for lang in Lang::ALL {
        for day in days(&catalog.content) {
            let photo = render(catalog, lang, &View::Map { day }).photo.unwrap();
            held.push(png(&photo.svg).unwrap());
        }
    }
    let after = rss_kib();
    let bytes: usize = held.iter().map(Vec::len).sum();
    println!(
        "maps: {} pictures, {} KiB of PNG (largest {} KiB); RSS {} → {} KiB (+{} KiB)",
        held.len(),
        bytes / 1024,
        held.iter().map(Vec::len).max().unwrap_or(0) / 1024,
        before,
        after,
        after.saturating_sub(before)
    );
}

fn map(c: &mut Criterion) {
    let catalog = shipped();
    report_memory(&catalog);
    let day = "2022-01-05".parse().unwrap();
    let view = View::Map { day };
    c.bench_function("map_view", |b| {
        b.iter(|| render(black_box(&catalog), Lang::Kk, black_box(&view)))
    });
    let svg = render(&catalog, Lang::Kk, &view).photo.unwrap().svg;
    c.bench_function("map_png", |b| b.iter(|| png(black_box(&svg)).unwrap()));
    let mut group = c.benchmark_group("map_all");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("map_all_png", |b| {
        b.iter(|| {
            for lang in Lang::ALL {
                for day in days(&catalog.content) {
                    let photo = render(&catalog, lang, &View::Map { day }).photo.unwrap();
                    black_box(png(&photo.svg).unwrap());
                }
            }
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = map
}
criterion_main!(benches);
