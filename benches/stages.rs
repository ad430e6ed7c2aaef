//! Per-stage benchmarks: `cargo bench --bench stages`.
//!
//! Each group times one pipeline stage over the same small set of real pages, so a
//! regression shows up in the stage that caused it (bench/speed times the whole
//! process). The pages are the first `BENCH_PAGES` (default 40) of the dev sets in
//! `../shared/datasets/` when they are there, else the shipped fixtures.
//!
//! Groups: `decode`, `parse` (html5ever alone, the reference), `dom_clean` (the DOM walk
//! and drop rules), `scoring` (content selection), `metadata`, `text_classify` (the text
//! path), `text_rules` (`[[text.rules]]` on kept blocks), `json_write` (a record to a
//! JSONL line), and `page` (the whole per-page pipeline).

use std::path::{Path, PathBuf};

use boilerstrip::config::Rules;
use boilerstrip::decode::{self, ContentKind};
use boilerstrip::source::{self, Item};
use boilerstrip::{html, metadata, process_page, text, PageInput};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

/// How many pages of each kind to time (env `BENCH_PAGES`).
fn page_count() -> usize {
    std::env::var("BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// The first pages of `dataset`, else the fixture files in `fallback` with `ext`.
fn load(dataset: &str, fallback: &str, ext: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/datasets").join(dataset).join("pages");
    let dir = if shared.is_dir() {
        shared
    } else {
        root.join(fallback)
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(ext) || name.ends_with(&format!("{ext}.gz"))
        })
        .collect();
    paths.sort();
    paths.truncate(page_count());
    assert!(!paths.is_empty(), "no pages in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let gzip = path.extension().is_some_and(|e| e == "gz");
            let source = path.file_name().unwrap().to_string_lossy().into_owned();
            let item = Item {
                path,
                source: source.clone(),
                kind_hint: None,
                gzip,
            };
            let bytes = source::read(&item, u64::MAX / 2).expect("readable bench page");
            (source, bytes)
        })
        .collect()
}

/// Decoded text of each page, as the later stages receive it.
fn decoded(rules: &Rules, pages: &[(String, Vec<u8>)], hint: ContentKind) -> Vec<String> {
    pages
        .iter()
        .filter_map(|(_, b)| decode::decode(b, &rules.config.decode, Some(hint), None).ok())
        .map(|d| d.text)
        .collect()
}

/// The whole per-page pipeline on every page.
fn whole_pages(
    rules: &Rules,
    pages: &[(String, Vec<u8>)],
    kind_hint: Option<ContentKind>,
) -> Vec<boilerstrip::Outcome> {
    pages
        .iter()
        .map(|(source, bytes)| {
            let page = PageInput {
                source,
                bytes,
                kind_hint,
                ..Default::default()
            };
            process_page(rules, &page)
        })
        .collect()
}

fn total_bytes(pages: &[(String, Vec<u8>)]) -> u64 {
    pages.iter().map(|(_, b)| b.len() as u64).sum()
}

fn html_stages(c: &mut Criterion) {
    let rules = Rules::defaults();
    let pages = load("trafilatura-eval", "fixtures/html", ".html");
    let texts = decoded(&rules, &pages, ContentKind::Html);
    let docs: Vec<_> = texts.iter().map(|t| html::parse(t)).collect();
    let ctx = metadata::Context {
        source: "bench.html",
        url: None,
        max_date: Some("2026-12-02"),
    };

    let mut g = c.benchmark_group("html");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(total_bytes(&pages)));
    g.bench_function("decode", |b| {
        b.iter(|| {
            for (_, bytes) in &pages {
                let _ = decode::decode(bytes, &rules.config.decode, None, None);
            }
        })
    });
    g.bench_function("parse", |b| {
        b.iter(|| texts.iter().map(|t| html::parse(t)).collect::<Vec<_>>())
    });
    g.bench_function("dom_clean", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| html::clean(d, &rules, None))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("scoring", |b| {
        b.iter_batched(
            || {
                docs.iter()
                    .map(|d| html::clean(d, &rules, None))
                    .collect::<Vec<_>>()
            },
            |cleaned| cleaned.into_iter().map(html::select).collect::<Vec<_>>(),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("metadata", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| metadata::from_html(d, &ctx))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("page", |b| b.iter(|| whole_pages(&rules, &pages, None)));
    g.finish();
}

fn text_stages(c: &mut Criterion) {
    let rules = Rules::defaults();
    let pages = load("wcxb-dev-text", "fixtures/seeds", ".txt");
    let texts = decoded(&rules, &pages, ContentKind::Text);
    let kept: Vec<_> = texts
        .iter()
        .map(|t| text::extract(t, &rules.text).blocks)
        .collect();

    let mut g = c.benchmark_group("text");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(total_bytes(&pages)));
    g.bench_function("text_classify", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| text::extract(t, &rules.text))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("text_rules", |b| {
        b.iter_batched(
            || kept.clone(),
            |mut all| {
                for blocks in &mut all {
                    rules.text_rules.apply(blocks, "text");
                }
                all
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("page", |b| {
        b.iter(|| whole_pages(&rules, &pages, Some(ContentKind::Text)))
    });
    g.finish();
}

fn json_write(c: &mut Criterion) {
    let rules = Rules::defaults();
    let pages = load("trafilatura-eval", "fixtures/html", ".html");
    let records: Vec<_> = whole_pages(&rules, &pages, None)
        .into_iter()
        .map(|o| o.record)
        .collect();
    let mut g = c.benchmark_group("sink");
    g.sample_size(30);
    // The sink's own path (serde_json into its line buffer, then the writer), to a
    // device so no disk time is counted.
    let mut sink =
        boilerstrip::sink::JsonlWriter::create(Path::new("/dev/null")).expect("/dev/null");
    g.bench_function("json_write", |b| {
        b.iter(|| {
            for r in &records {
                sink.write(r).unwrap();
            }
        })
    });
    g.finish();
}

criterion_group!(benches, html_stages, text_stages, json_write);
criterion_main!(benches);
