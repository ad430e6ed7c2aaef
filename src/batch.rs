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
/// An error from `emit` stops the batch and is returned.
pub fn run<E>(
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
                summary.pages += 1;
                summary.bytes_read += n;
                if rec.is_ok() {
                    summary.ok += 1;
                } else {
                    *summary.rejected.entry(rec.status.clone()).or_default() += 1;
                }
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
