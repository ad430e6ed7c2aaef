//! Batches: process many pages on rayon workers and hand the records back in input
//! order, streaming, with a bounded reorder window (a slow page holds back the writer
//! only until the window fills).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::config::Rules;
use crate::record::Record;
use crate::source::{self, Item};
use crate::{process_page, PageInput};

/// Counts for the end-of-run summary.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub pages: usize,
    pub ok: usize,
    /// Rejected pages by status.
    pub rejected: BTreeMap<String, usize>,
    pub bytes_read: u64,
    pub elapsed: Duration,
}

impl Summary {
    /// Count one record (and the bytes read for it).
    pub fn add(&mut self, rec: &Record, bytes: u64) {
        self.pages += 1;
        self.bytes_read += bytes;
        if rec.is_ok() {
            self.ok += 1;
        } else {
            *self.rejected.entry(rec.status.clone()).or_default() += 1;
        }
    }

    /// Rejected pages in all.
    pub fn rejected_total(&self) -> usize {
        self.rejected.values().sum()
    }

    /// One human line, e.g. `12 pages: 10 ok, 2 rejected (binary 1, empty 1); 0.3 MB read; 480 pages/s`.
    pub fn line(&self) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut s = format!(
            "{} pages: {} ok, {} rejected",
            self.pages,
            self.ok,
            self.rejected_total()
        );
        if !self.rejected.is_empty() {
            let parts: Vec<String> = self
                .rejected
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            s.push_str(&format!(" ({})", parts.join(", ")));
        }
        s.push_str(&format!(
            "; {:.1} MB read in {:.2} s; {:.0} pages/s",
            self.bytes_read as f64 / 1e6,
            secs,
            self.pages as f64 / secs
        ));
        s
    }
}

/// Read and process one item into its record (never panics on bad input).
pub fn process_item(rules: &Rules, item: &Item) -> (Record, u64) {
    match source::read(item, rules.config.limits.max_page_bytes) {
        Ok(bytes) => {
            let page = PageInput {
                source: &item.source,
                bytes: &bytes,
                kind_hint: item.kind_hint,
                ..Default::default()
            };
            let n = bytes.len() as u64;
            (process_page(rules, &page).record, n)
        }
        Err(e) => (Record::reject(&item.source, e.status, Some(e.message)), 0),
    }
}

/// Process `items` with `jobs` workers; `emit` receives each record in input order.
/// With `learn`, site templates are learned across the pages (see [`crate::template`]).
/// An error from `emit` stops the batch and is returned.
pub fn run<E>(
    rules: &Rules,
    items: &[Item],
    jobs: usize,
    learn: bool,
    emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    if learn && rules.config.template.enabled {
        run_learning(rules, items, jobs, emit)
    } else {
        run_streaming(rules, items, jobs, emit)
    }
}

/// Read, decode and extract one item (no template pass, no final record yet).
fn extract_item(rules: &Rules, item: &Item) -> (Result<crate::Extracted, Box<Record>>, u64) {
    match source::read(item, rules.config.limits.max_page_bytes) {
        Ok(bytes) => {
            let page = PageInput {
                source: &item.source,
                bytes: &bytes,
                kind_hint: item.kind_hint,
                ..Default::default()
            };
            (crate::extract_page(rules, &page), bytes.len() as u64)
        }
        Err(e) => (
            Err(Box::new(Record::reject(
                &item.source,
                e.status,
                Some(e.message),
            ))),
            0,
        ),
    }
}

/// Cut `items` into groups learned together: whole folders (sorted input keeps a folder's
/// pages together), packed up to `max` pages; a larger folder is split into windows of `max`.
fn learning_groups(items: &[Item], max: usize) -> Vec<std::ops::Range<usize>> {
    let folder = |it: &Item| {
        it.source
            .rfind('/')
            .map_or("", |i| &it.source[..i])
            .to_string()
    };
    let mut groups = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < items.len() {
        // The extent of this folder's run.
        let f = folder(&items[i]);
        let mut j = i + 1;
        while j < items.len() && folder(&items[j]) == f {
            j += 1;
        }
        if j - start > max && i > start {
            groups.push(start..i);
            start = i;
        }
        while j - start > max {
            groups.push(start..start + max);
            start += max;
        }
        i = j;
    }
    if start < items.len() {
        groups.push(start..items.len());
    }
    groups
}

/// The learning path: per group, extract all pages in parallel, learn the site
/// templates, then finish the pages in parallel and emit them in order.
fn run_learning<E>(
    rules: &Rules,
    items: &[Item],
    jobs: usize,
    mut emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    use rayon::prelude::*;
    let start = Instant::now();
    let cfg = &rules.config.template;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .expect("thread pool");
    let rule: std::sync::Arc<str> = std::sync::Arc::from(crate::template::RULE);
    let disabled = rules
        .config
        .disable
        .iter()
        .any(|d| d == crate::template::RULE);
    let mut summary = Summary::default();
    for group in learning_groups(items, cfg.max_group_pages.max(1)) {
        let done: Vec<(Record, u64)> = pool.install(|| {
            let extracted: Vec<(Result<crate::Extracted, Box<Record>>, u64)> = items[group.clone()]
                .par_iter()
                .map(|it| extract_item(rules, it))
                .collect();
            let sites: Vec<Option<String>> = extracted
                .iter()
                .map(|(e, _)| {
                    e.as_ref()
                        .ok()
                        .map(|x| crate::template::site_key(&x.source, x.meta.url.as_deref()))
                })
                .collect();
            let prints: Vec<crate::template::PagePrints> = extracted
                .par_iter()
                .zip(&sites)
                .filter_map(|((e, _), site)| {
                    let x = e.as_ref().ok()?;
                    Some(crate::template::page_prints(
                        site.as_deref()?,
                        &x.blocks,
                        cfg,
                    ))
                })
                .collect();
            let learned = crate::template::learn(&prints, cfg);
            extracted
                .into_par_iter()
                .zip(sites)
                .map(|((e, n), site)| match e {
                    Ok(mut x) => {
                        if !disabled {
                            if let Some(site) = site {
                                learned.apply(&site, &mut x.blocks, cfg, &rule);
                            }
                        }
                        (crate::finish_page(rules, x).record, n)
                    }
                    Err(r) => (*r, n),
                })
                .collect()
        });
        for (rec, n) in done {
            summary.add(&rec, n);
            emit(&rec)?;
        }
    }
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// The streaming path: each page on its own, records handed back in order through a
/// bounded reorder window.
fn run_streaming<E>(
    rules: &Rules,
    items: &[Item],
    jobs: usize,
    mut emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    let start = Instant::now();
    let jobs = jobs.max(1);
    // Enough slack for uneven page costs, small enough to keep memory flat.
    let window = 64 * jobs;
    let next = AtomicUsize::new(0);
    let written = Mutex::new(0usize);
    let room = Condvar::new();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Record, u64)>();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("thread pool");
    let mut summary = Summary::default();
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            pool.broadcast(|_| {
                let tx = tx.clone();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= items.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    {
                        let mut w = written.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= *w + window && !stop.load(Ordering::Relaxed) {
                            w = room.wait(w).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    let (rec, n) = process_item(rules, &items[i]);
                    if tx.send((i, rec, n)).is_err() {
                        break;
                    }
                }
            });
            drop(tx);
        });
        let mut pending: HashMap<usize, (Record, u64)> = HashMap::new();
        let mut done = 0usize;
        let mut outcome = Ok(());
        for (i, rec, n) in rx.iter() {
            pending.insert(i, (rec, n));
            while let Some((rec, n)) = pending.remove(&done) {
                summary.add(&rec, n);
                if outcome.is_ok() {
                    outcome = emit(&rec);
                }
                done += 1;
                *written.lock().unwrap_or_else(|p| p.into_inner()) = done;
                room.notify_all();
            }
            if outcome.is_err() {
                stop.store(true, Ordering::Relaxed);
                room.notify_all();
                break;
            }
        }
        outcome
    });
    summary.elapsed = start.elapsed();
    result.map(|()| summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn items(sources: &[&str]) -> Vec<Item> {
        sources
            .iter()
            .map(|s| Item {
                path: PathBuf::from(s),
                source: s.to_string(),
                kind_hint: None,
                gzip: false,
            })
            .collect()
    }

    #[test]
    fn groups_keep_folders_together_and_split_big_ones() {
        let it = items(&["a/1", "a/2", "b/1", "b/2", "b/3", "c/1"]);
        assert_eq!(learning_groups(&it, 10), vec![0..6]);
        assert_eq!(learning_groups(&it, 3), vec![0..2, 2..5, 5..6]);
        // Sites are learned by key inside a group, so a group may mix folders.
        assert_eq!(learning_groups(&it, 2), vec![0..2, 2..4, 4..6]);
    }
}
