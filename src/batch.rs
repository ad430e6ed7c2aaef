//! Batches: process many pages on worker threads and hand the records back in input
//! order, streaming, with a bounded reorder window (a slow page holds back the writer
//! only until the window fills).
//!
//! Work comes as [`Unit`]s: a page file that the worker reads, or a WARC record already
//! read into memory. A WARC file is read sequentially (one reader per file, records in
//! file order) while the workers extract the records it has handed out.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::config::Rules;
use crate::record::Record;
use crate::source::{self, Item};
use crate::warc::{self, Entry};
use crate::{process_page, Outcome, PageInput};

/// Bytes of WARC records held at once by one learning group.
const WARC_GROUP_BYTES: u64 = 256 << 20;

/// Counts for the end-of-run summary.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub pages: usize,
    pub ok: usize,
    /// Rejected pages by status.
    pub rejected: BTreeMap<String, usize>,
    /// WARC records passed over by reason (`not-html`, `http-status`, `not-http`): not
    /// pages, so neither records nor rejects.
    pub skipped: BTreeMap<String, usize>,
    pub bytes_read: u64,
    pub elapsed: Duration,
    /// The run was asked to stop (SIGINT/SIGTERM) before it had read every input.
    pub interrupted: bool,
    /// Inputs passed over because an earlier run's output already holds them (`--resume`).
    pub resumed: usize,
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

    /// Count one skipped WARC record.
    pub fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }

    /// Rejected pages in all.
    pub fn rejected_total(&self) -> usize {
        self.rejected.values().sum()
    }

    /// One human line, e.g. `12 pages: 10 ok, 2 rejected (binary 1, empty 1); 0.3 MB read; 480 pages/s`,
    /// with `; N WARC records skipped (not-html N)` when there were any.
    pub fn line(&self) -> String {
        self.render(" (finish with --resume)")
    }

    /// [`Summary::line`] for the streaming mode, which has no `--resume`.
    pub fn stream_line(&self) -> String {
        self.render("")
    }

    fn render(&self, resume_hint: &str) -> String {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let counts = |m: &BTreeMap<String, usize>| {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k} {v}")).collect();
            parts.join(", ")
        };
        let mut s = String::new();
        if self.interrupted {
            s.push_str(&format!("interrupted{resume_hint}: "));
        }
        s.push_str(&format!(
            "{} pages: {} ok, {} rejected",
            self.pages,
            self.ok,
            self.rejected_total()
        ));
        if !self.rejected.is_empty() {
            s.push_str(&format!(" ({})", counts(&self.rejected)));
        }
        if !self.skipped.is_empty() {
            let n: usize = self.skipped.values().sum();
            s.push_str(&format!(
                "; {n} WARC records skipped ({})",
                counts(&self.skipped)
            ));
        }
        if self.resumed > 0 {
            s.push_str(&format!("; {} already done", self.resumed));
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

/// One unit of work.
#[derive(Debug)]
pub enum Unit {
    /// A page file, read by the worker.
    File(Item),
    /// A WARC record (a page in memory, a reject, or a skip to count).
    Warc(Entry),
}

/// The units of `items` in order: page files as they are, WARC files expanded lazily into
/// their records (a WARC file that cannot be opened becomes one `error` record).
pub fn units(items: &[Item], max_bytes: u64) -> impl Iterator<Item = Unit> + Send + '_ {
    items
        .iter()
        .flat_map(move |it| item_units(it.clone(), max_bytes))
}

fn item_units(item: Item, max_bytes: u64) -> Box<dyn Iterator<Item = Unit> + Send> {
    if !source::is_warc(&item) {
        return Box::new(std::iter::once(Unit::File(item)));
    }
    match warc::Reader::open(&item.path, &item.source, max_bytes) {
        Ok(r) => Box::new(r.map(Unit::Warc)),
        Err(e) => Box::new(std::iter::once(Unit::Warc(Entry::Reject(Box::new(
            Record::reject(&item.source, "error", Some(e.to_string())),
        ))))),
    }
}

/// The units of one input line of the streaming mode: a WARC record address
/// (`FILE.warc.gz#OFFSET`, see [`warc::parse_address`]), a file, a WARC file or a folder.
/// An input that cannot be read becomes one `error` record named by the line.
pub fn input_units(line: &str, max_bytes: u64) -> Box<dyn Iterator<Item = Unit> + Send> {
    if let Some((path, member, inner)) = warc::parse_address(line) {
        let e = warc::read_at(std::path::Path::new(path), path, member, inner, max_bytes);
        return Box::new(std::iter::once(Unit::Warc(e)));
    }
    let path = line.strip_prefix("file://").unwrap_or(line);
    match source::walk(&[std::path::PathBuf::from(path)]) {
        Ok(w) => Box::new(
            w.items
                .into_iter()
                .flat_map(move |it| item_units(it, max_bytes)),
        ),
        Err(e) => Box::new(std::iter::once(Unit::Warc(Entry::Reject(Box::new(
            Record::reject(line, "error", Some(e.error.to_string())),
        ))))),
    }
}

/// Read and process one item into its record (never panics on bad input).
pub fn process_item(rules: &Rules, item: &Item) -> (Record, u64) {
    match extract_item(rules, item) {
        (Ok(x), n) => (crate::finish_page(rules, x).record, n),
        (Err(r), n) => (*r, n),
    }
}

/// The pipeline input of a WARC page.
fn warc_input(p: &warc::Page) -> PageInput<'_> {
    PageInput {
        source: &p.source,
        bytes: &p.bytes,
        kind_hint: p.kind_hint,
        charset: p.charset.as_deref(),
        url: p.url.as_deref(),
        crawled_at: p.crawled_at.as_deref(),
    }
}

/// Process one unit into its record; `None` for a skipped WARC record.
pub fn process_unit(rules: &Rules, unit: Unit) -> Option<(Record, u64)> {
    match unit {
        Unit::File(item) => Some(process_item(rules, &item)),
        Unit::Warc(Entry::Page(p)) => Some((
            process_page(rules, &warc_input(&p)).record,
            p.bytes.len() as u64,
        )),
        Unit::Warc(Entry::Reject(r)) => Some((*r, 0)),
        Unit::Warc(Entry::Skip(_)) => None,
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
    run_until(rules, items, jobs, learn, &AtomicBool::new(false), emit)
}

/// As [`run`], stopping early once `stop` is set (the CLI sets it on SIGINT/SIGTERM):
/// no new page is started, the pages already handed to the workers are finished and
/// emitted in order, and the summary says `interrupted`. With learning, a group whose
/// extraction has not finished is dropped whole (its records would depend on the cut).
pub fn run_until<E>(
    rules: &Rules,
    items: &[Item],
    jobs: usize,
    learn: bool,
    stop: &AtomicBool,
    emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    if learn && rules.config.template.enabled {
        run_learning(rules, items, jobs, stop, emit)
    } else {
        run_units_until(
            rules,
            units(items, rules.config.limits.max_page_bytes),
            jobs,
            stop,
            emit,
        )
    }
}

/// Read, decode and extract one unit (no template pass, no final record yet).
fn extract_unit(rules: &Rules, unit: &Unit) -> (Result<crate::Extracted, Box<Record>>, u64) {
    match unit {
        Unit::File(item) => extract_item(rules, item),
        Unit::Warc(Entry::Page(p)) => {
            let page = warc_input(p);
            let res = crate::extract_page(rules, &page).map_err(|mut r| {
                r.url = p.url.clone();
                r.crawled_at = p.crawled_at.clone();
                r
            });
            (res, p.bytes.len() as u64)
        }
        Unit::Warc(Entry::Reject(r)) => (Err(r.clone()), 0),
        // Skips are counted before groups are formed; never extracted.
        Unit::Warc(Entry::Skip(why)) => (
            Err(Box::new(Record::reject("", "error", Some(why.to_string())))),
            0,
        ),
    }
}

/// Read, decode and extract one item (no template pass, no final record yet).
fn extract_item(rules: &Rules, item: &Item) -> (Result<crate::Extracted, Box<Record>>, u64) {
    match source::read_within(item, &rules.config.limits) {
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
/// templates, then finish the pages in parallel and emit them in order. Page files form
/// groups by folder ([`learning_groups`]); a WARC file is read in groups of consecutive
/// records (at most `max_group_pages` records and [`WARC_GROUP_BYTES`] bytes).
fn run_learning<E>(
    rules: &Rules,
    items: &[Item],
    jobs: usize,
    stop: &AtomicBool,
    mut emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    let start = Instant::now();
    let max = rules.config.template.max_group_pages.max(1);
    let max_bytes = rules.config.limits.max_page_bytes;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .expect("thread pool");
    let mut summary = Summary::default();
    let mut emit_group = |summary: &mut Summary, group: Vec<Unit>| -> Result<(), E> {
        let Some(done) = learn_group(rules, &pool, group, stop) else {
            return Ok(());
        };
        for (rec, n) in done {
            summary.add(&rec, n);
            emit(&rec)?;
        }
        Ok(())
    };
    let mut i = 0;
    while i < items.len() && !stop.load(Ordering::Relaxed) {
        if source::is_warc(&items[i]) {
            let mut records = item_units(items[i].clone(), max_bytes);
            loop {
                let mut group = Vec::new();
                let mut bytes = 0u64;
                for u in records.by_ref() {
                    match u {
                        Unit::Warc(Entry::Skip(why)) => summary.skip(why),
                        u => {
                            if let Unit::Warc(Entry::Page(p)) = &u {
                                bytes += p.bytes.len() as u64;
                            }
                            group.push(u);
                            if group.len() >= max || bytes >= WARC_GROUP_BYTES {
                                break;
                            }
                        }
                    }
                }
                if group.is_empty() || stop.load(Ordering::Relaxed) {
                    break;
                }
                emit_group(&mut summary, group)?;
            }
            i += 1;
        } else {
            let j = (i..items.len())
                .find(|&j| source::is_warc(&items[j]))
                .unwrap_or(items.len());
            for g in learning_groups(&items[i..j], max) {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let group = items[i + g.start..i + g.end]
                    .iter()
                    .map(|it| Unit::File(it.clone()))
                    .collect();
                emit_group(&mut summary, group)?;
            }
            i = j;
        }
    }
    summary.elapsed = start.elapsed();
    summary.interrupted = stop.load(Ordering::Relaxed);
    Ok(summary)
}

/// Extract a group's pages in parallel, learn the templates of its sites, and finish
/// the pages; records in group order. `None` when `stop` was set before the extraction
/// was done (the group is dropped, to be redone whole by a resumed run).
fn learn_group(
    rules: &Rules,
    pool: &rayon::ThreadPool,
    group: Vec<Unit>,
    stop: &AtomicBool,
) -> Option<Vec<(Record, u64)>> {
    use rayon::prelude::*;
    pool.install(|| {
        // Once stop is set the remaining pages are not extracted: the group is dropped.
        let cut = AtomicBool::new(false);
        let mut extracted: Vec<(Result<crate::Extracted, Box<Record>>, u64)> = group
            .par_iter()
            .map(|u| {
                if stop.load(Ordering::Relaxed) {
                    cut.store(true, Ordering::Relaxed);
                    (Err(Box::new(Record::reject("", "error", None))), 0)
                } else {
                    extract_unit(rules, u)
                }
            })
            .collect();
        drop(group);
        if cut.load(Ordering::Relaxed) {
            return None;
        }
        apply_templates(rules, &mut extracted);
        let done = extracted
            .into_par_iter()
            .map(|(e, n)| match e {
                Ok(x) => (crate::finish_page(rules, x).record, n),
                Err(r) => (*r, n),
            })
            .collect();
        Some(done)
    })
}

/// Learn the site templates of a group's extracted pages and remove them from each
/// page's blocks (rule `site-template`), unless the config disables that rule.
fn apply_templates(rules: &Rules, extracted: &mut [(Result<crate::Extracted, Box<Record>>, u64)]) {
    use rayon::prelude::*;
    let cfg = &rules.config.template;
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
    if rules
        .config
        .disable
        .iter()
        .any(|d| d == crate::template::RULE)
    {
        return;
    }
    let rule: std::sync::Arc<str> = std::sync::Arc::from(crate::template::RULE);
    extracted
        .par_iter_mut()
        .zip(sites)
        .for_each(|((e, _), site)| {
            if let (Ok(x), Some(site)) = (e, site) {
                learned.apply(&site, &mut x.blocks, cfg, &rule);
            }
        });
}

/// The outcome of `items[target]` exactly as a learning run over `items` gives it:
/// the page's learning group (see [`learning_groups`]) is extracted, its site templates
/// are learned and removed, and the page is finished. For `explain --learn-from`.
pub fn process_in_batch(rules: &Rules, items: &[Item], target: usize) -> Option<Outcome> {
    use rayon::prelude::*;
    let max = rules.config.template.max_group_pages.max(1);
    let learn = rules.config.template.enabled;
    let group = if learn {
        learning_groups(items, max)
            .into_iter()
            .find(|g| g.contains(&target))?
    } else {
        target..target + 1
    };
    let mut extracted: Vec<(Result<crate::Extracted, Box<Record>>, u64)> = items[group.clone()]
        .par_iter()
        .map(|it| extract_item(rules, it))
        .collect();
    if learn {
        apply_templates(rules, &mut extracted);
    }
    let (page, _) = extracted.swap_remove(target - group.start);
    Some(match page {
        Ok(x) => crate::finish_page(rules, x),
        Err(r) => crate::rejected(*r),
    })
}

/// Write the text line model's features of every text page in `items` to `w`, as
/// JSON lines: first `{"features": [names]}`, then one row per body line with its
/// `source` (what `bench/train-text.py` reads). HTML pages are skipped; a page that
/// cannot be read goes to `warn` and is skipped too.
pub fn dump_text_features(
    rules: &Rules,
    items: &[Item],
    w: &mut dyn std::io::Write,
    mut warn: impl FnMut(&Item, &str),
) -> std::io::Result<()> {
    use crate::decode::{self, ContentKind};
    let head = serde_json::json!({ "features": crate::text::MODEL_FEATURES });
    writeln!(w, "{head}")?;
    for item in items {
        let bytes = match source::read_within(item, &rules.config.limits) {
            Ok(b) => b,
            Err(e) => {
                warn(item, &e.message);
                continue;
            }
        };
        let Ok(d) = decode::decode(&bytes, &rules.config.decode, item.kind_hint, None) else {
            continue;
        };
        if d.kind != ContentKind::Text {
            continue;
        }
        for row in crate::text::feature_rows(&d.text, &rules.text) {
            let mut v = serde_json::to_value(&row).map_err(std::io::Error::other)?;
            v["source"] = serde_json::Value::from(item.source.as_str());
            writeln!(w, "{v}")?;
        }
    }
    Ok(())
}

/// The streaming path: each unit on its own, records handed back in order through a
/// bounded reorder window. `units` is pulled on its own thread as the workers make room,
/// so a slow source (paths arriving on stdin) is processed as it arrives.
pub fn run_units<E>(
    rules: &Rules,
    units: impl Iterator<Item = Unit> + Send,
    jobs: usize,
    emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    run_units_until(rules, units, jobs, &AtomicBool::new(false), emit)
}

/// As [`run_units`], stopping early once `interrupt` is set: no new unit is pulled,
/// the units already handed out are finished and emitted in order.
pub fn run_units_until<E>(
    rules: &Rules,
    units: impl Iterator<Item = Unit> + Send,
    jobs: usize,
    interrupt: &AtomicBool,
    mut emit: impl FnMut(&Record) -> Result<(), E>,
) -> Result<Summary, E> {
    let start = Instant::now();
    let jobs = jobs.max(1);
    // Enough slack for uneven page costs, small enough to keep memory flat.
    let window = 64 * jobs;
    let written = Mutex::new(0usize);
    let room = Condvar::new();
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Unit)>(jobs);
    let work_rx = Mutex::new(work_rx);
    let (tx, rx) = mpsc::channel::<(usize, Record, u64)>();
    let mut summary = Summary::default();
    let result = std::thread::scope(|s| {
        let producer = s.spawn(|| {
            let mut skipped: Vec<&'static str> = Vec::new();
            let mut i = 0usize;
            for u in units {
                if stop.load(Ordering::Relaxed) || interrupt.load(Ordering::Relaxed) {
                    break;
                }
                if let Unit::Warc(Entry::Skip(why)) = u {
                    skipped.push(why);
                    continue;
                }
                {
                    let mut w = written.lock().unwrap_or_else(|p| p.into_inner());
                    while i >= *w + window && !stop.load(Ordering::Relaxed) {
                        w = room.wait(w).unwrap_or_else(|p| p.into_inner());
                    }
                }
                if work_tx.send((i, u)).is_err() {
                    break;
                }
                i += 1;
            }
            drop(work_tx);
            skipped
        });
        for _ in 0..jobs {
            let tx = tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || loop {
                let next = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((i, unit)) = next else { break };
                if let Some((rec, n)) = process_unit(rules, unit) {
                    if tx.send((i, rec, n)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
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
        // Unblock the workers (their sends fail) and wait for the producer.
        drop(rx);
        for why in producer.join().unwrap_or_default() {
            summary.skip(why);
        }
        outcome
    });
    summary.elapsed = start.elapsed();
    summary.interrupted = interrupt.load(Ordering::Relaxed);
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
