//! `eval`: run the pipeline on the pages a gold file names and score the records with
//! the same metrics, computed the same way, as `shared/tools/score.py`:
//!
//! - shingle: tokens are `\w+` runs (Python's definition: letters, digits, underscore),
//!   4-token shingles as bags, per-page tp/fp/fn normalised by their sum, precision and
//!   recall averaged over pages, F1 their harmonic mean (the ScrapingHub metric);
//! - snippet: whitespace-folded substring tests of `with`/`without` snippets, summed over
//!   the corpus (trafilatura's metric);
//! - meta: exact title/author match (case and whitespace folded), date on `YYYY-MM-DD`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::record::Record;

/// One gold page.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct GoldPage {
    pub id: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub gold_text: Option<String>,
    #[serde(default)]
    pub with: Vec<String>,
    #[serde(default)]
    pub without: Vec<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub publish_date: Option<String>,
    #[serde(default)]
    pub page_type: Option<String>,
}

/// Read a gold JSONL file.
pub fn load_gold(path: &Path) -> Result<Vec<GoldPage>, String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    src.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))
        })
        .collect()
}

/// The file stem score.py matches on: no folders, no `.gz/.html/.htm/.xhtml/.txt/.text` endings.
pub fn stem(value: &str) -> String {
    let mut name = value.replace('\\', "/");
    if let Some(i) = name.rfind('/') {
        name = name[i + 1..].to_string();
    }
    const ENDINGS: &[&str] = &[".gz", ".html", ".htm", ".xhtml", ".txt", ".text"];
    loop {
        let lower = name.to_lowercase();
        match ENDINGS.iter().find(|e| lower.ends_with(*e)) {
            Some(e) => name.truncate(name.len() - e.len()),
            None => return name,
        }
    }
}

/// Tokens as score.py's `\w+` finds them: Python's `\w` for `str` patterns is a character
/// for which `isalnum()` is true (general categories L* and N*), or `_`. (Rust's `\w`
/// also takes combining marks, which would merge tokens Python splits.)
fn tokens(text: &str) -> Vec<&str> {
    use std::sync::OnceLock;
    static WORD: OnceLock<regex::Regex> = OnceLock::new();
    let re = WORD.get_or_init(|| regex::Regex::new(r"[\p{L}\p{N}_]+").expect("static regex"));
    re.find_iter(text).map(|m| m.as_str()).collect()
}

/// A shingle: up to four tokens (fewer only for texts of under four tokens).
type Shingle<'a> = ([&'a str; 4], u8);

fn shingles(text: &str) -> HashMap<Shingle<'_>, usize> {
    let toks = tokens(text);
    let mut m: HashMap<Shingle<'_>, usize> = HashMap::with_capacity(toks.len());
    // As score.py: one (possibly short) shingle when there are fewer than 4 tokens, none when 0.
    let n = toks.len().saturating_sub(3).max(1);
    for i in 0..n {
        let w = &toks[i..(i + 4).min(toks.len())];
        if w.is_empty() {
            continue;
        }
        let mut g = [""; 4];
        g[..w.len()].copy_from_slice(w);
        *m.entry((g, w.len() as u8)).or_default() += 1;
    }
    m
}

/// Per-page shingle (tp, fp, fn), normalised by their sum.
pub fn shingle_counts(gold: &str, pred: &str) -> (f64, f64, f64) {
    let g = shingles(gold);
    let p = shingles(pred);
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (k, &a) in &g {
        let b = p.get(k).copied().unwrap_or(0);
        tp += a.min(b) as f64;
        fn_ += a.saturating_sub(b) as f64;
    }
    for (k, &b) in &p {
        let a = g.get(k).copied().unwrap_or(0);
        fp += b.saturating_sub(a) as f64;
    }
    let s = tp + fp + fn_;
    if s > 0.0 {
        (tp / s, fp / s, fn_ / s)
    } else {
        (0.0, 0.0, 0.0)
    }
}

fn prec(tp: f64, fp: f64, fn_: f64) -> f64 {
    if fp == 0.0 && fn_ == 0.0 {
        1.0
    } else if tp == 0.0 && fp == 0.0 {
        0.0
    } else {
        tp / (tp + fp)
    }
}

fn rec(tp: f64, fp: f64, fn_: f64) -> f64 {
    if fp == 0.0 && fn_ == 0.0 {
        1.0
    } else if tp == 0.0 && fn_ == 0.0 {
        0.0
    } else {
        tp / (tp + fn_)
    }
}

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fold_lower(text: &str) -> String {
    fold(text).to_lowercase()
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(p: f64, r: f64) -> Prf {
        Prf {
            precision: p,
            recall: r,
            f1: if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            },
        }
    }
}

/// One page's scores, for the worst-pages list.
#[derive(Debug, Clone)]
pub struct PageScore {
    pub id: String,
    pub page_type: Option<String>,
    pub shingle: Option<Prf>,
    /// (`with` found, `with` total, `without` found).
    pub snippets: Option<(usize, usize, usize)>,
    pub missed: Vec<String>,
    pub leaked: Vec<String>,
}

/// The whole evaluation.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub pages: usize,
    pub missing: usize,
    pub shingle: Option<Prf>,
    /// Snippet P/R/F1 and accuracy.
    pub snippet: Option<(Prf, f64)>,
    /// name → (correct, pages with gold).
    pub meta: Vec<(&'static str, (usize, usize))>,
    /// Shingle F1 per page type.
    pub by_type: BTreeMap<String, (Prf, usize)>,
    pub per_page: Vec<PageScore>,
}

/// Score `records` against `gold` exactly as score.py does.
pub fn score(gold: &[GoldPage], records: &[Record]) -> Report {
    let mut preds: HashMap<String, &Record> = HashMap::new();
    for r in records {
        preds.insert(stem(&r.source), r);
    }
    let mut rep = Report {
        pages: gold.len(),
        ..Default::default()
    };
    let (mut ps, mut rs) = (Vec::new(), Vec::new());
    let mut type_pr: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let (mut tp, mut fp, mut fn_, mut tn) = (0usize, 0usize, 0usize, 0usize);
    for name in ["title", "author", "date"] {
        rep.meta.push((name, (0, 0)));
    }
    let empty = Record::default();
    for page in gold {
        let key = stem(page.file.as_deref().unwrap_or(&page.id));
        let record = match preds.get(&key).or_else(|| preds.get(&stem(&page.id))) {
            Some(r) => *r,
            None => {
                rep.missing += 1;
                &empty
            }
        };
        let ok = record.status == "ok";
        let text = if ok { record.text.as_str() } else { "" };
        let field = |s: &Option<String>| {
            if ok {
                s.clone().unwrap_or_default()
            } else {
                String::new()
            }
        };
        for (name, want, got) in [
            ("title", &page.title, field(&record.title)),
            ("author", &page.author, field(&record.author)),
            ("date", &page.publish_date, field(&record.date)),
        ] {
            let Some(want) = want.as_deref().filter(|w| !w.is_empty()) else {
                continue;
            };
            let same = if name == "date" {
                got.chars().take(10).eq(want.chars().take(10))
            } else {
                fold_lower(&got) == fold_lower(want)
            };
            let e = &mut rep.meta.iter_mut().find(|m| m.0 == name).expect("pushed").1;
            e.0 += usize::from(same);
            e.1 += 1;
        }
        let mut ps_row = PageScore {
            id: page.id.clone(),
            page_type: page.page_type.clone(),
            shingle: None,
            snippets: None,
            missed: Vec::new(),
            leaked: Vec::new(),
        };
        if let Some(g) = &page.gold_text {
            let c = shingle_counts(g, text);
            let (p, r) = (prec(c.0, c.1, c.2), rec(c.0, c.1, c.2));
            let t = type_pr
                .entry(page.page_type.clone().unwrap_or_else(|| "-".into()))
                .or_default();
            if c.0 + c.1 > 0.0 {
                ps.push(p);
                t.0.push(p);
            }
            if c.0 + c.2 > 0.0 {
                rs.push(r);
                t.1.push(r);
            }
            ps_row.shingle = Some(Prf::new(p, r));
            let (missed, leaked) = diff_paragraphs(g, text);
            ps_row.missed = missed;
            ps_row.leaked = leaked;
        }
        if !page.with.is_empty() || !page.without.is_empty() {
            let t = fold(text);
            let a = page.with.iter().filter(|w| t.contains(&fold(w))).count();
            let b = page.without.iter().filter(|w| t.contains(&fold(w))).count();
            tp += a;
            fp += b;
            fn_ += page.with.len() - a;
            tn += page.without.len() - b;
            ps_row.snippets = Some((a, page.with.len(), b));
            if page.gold_text.is_none() {
                ps_row.missed = page
                    .with
                    .iter()
                    .filter(|w| !t.contains(&fold(w)))
                    .cloned()
                    .collect();
                ps_row.leaked = page
                    .without
                    .iter()
                    .filter(|w| t.contains(&fold(w)))
                    .cloned()
                    .collect();
            }
        }
        rep.per_page.push(ps_row);
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    if rep.per_page.iter().any(|p| p.shingle.is_some()) {
        rep.shingle = Some(Prf::new(mean(&ps), mean(&rs)));
        for (t, (p, r)) in type_pr {
            let n = rep
                .per_page
                .iter()
                .filter(|x| x.shingle.is_some() && x.page_type.as_deref().unwrap_or("-") == t)
                .count();
            rep.by_type.insert(t, (Prf::new(mean(&p), mean(&r)), n));
        }
    }
    if tp + fp + fn_ + tn > 0 {
        let p = if tp + fp > 0 {
            tp as f64 / (tp + fp) as f64
        } else {
            0.0
        };
        let r = if tp + fn_ > 0 {
            tp as f64 / (tp + fn_) as f64
        } else {
            0.0
        };
        rep.snippet = Some((
            Prf::new(p, r),
            (tp + tn) as f64 / (tp + fp + fn_ + tn) as f64,
        ));
    }
    rep.meta.retain(|(_, v)| v.1 > 0);
    rep
}

/// Gold paragraphs absent from the output, and output paragraphs absent from the gold.
fn diff_paragraphs(gold: &str, pred: &str) -> (Vec<String>, Vec<String>) {
    let g = fold(gold);
    let p = fold(pred);
    let paras = |t: &str| -> Vec<String> {
        t.split('\n')
            .map(fold)
            .filter(|s| s.chars().count() >= 20)
            .collect()
    };
    let missed = paras(gold)
        .into_iter()
        .filter(|x| !p.contains(x.as_str()))
        .collect();
    let leaked = paras(pred)
        .into_iter()
        .filter(|x| !g.contains(x.as_str()))
        .collect();
    (missed, leaked)
}

impl Report {
    /// The summary lines, in score.py's format, then per-type F1.
    pub fn summary(&self) -> String {
        let mut s = format!("pages {}, without a record {}\n", self.pages, self.missing);
        if let Some(m) = self.shingle {
            s += &format!(
                "shingle  F1 {:.3}  P {:.3}  R {:.3}\n",
                m.f1, m.precision, m.recall
            );
        }
        if let Some((m, acc)) = self.snippet {
            s += &format!(
                "snippet  F1 {:.3}  P {:.3}  R {:.3}  acc {:.3}\n",
                m.f1, m.precision, m.recall, acc
            );
        }
        for (name, (ok, n)) in &self.meta {
            s += &format!(
                "{name:8} accuracy {:.3} on {n} pages\n",
                *ok as f64 / *n as f64
            );
        }
        if self.by_type.len() > 1 {
            s += "shingle F1 by page type:\n";
            for (t, (m, n)) in &self.by_type {
                s += &format!(
                    "  {t:14} {:.3}  (P {:.3} R {:.3}, {n} pages)\n",
                    m.f1, m.precision, m.recall
                );
            }
        }
        s
    }

    /// The `n` worst pages with what was missed and what leaked.
    pub fn worst(&self, n: usize) -> String {
        let key = |p: &PageScore| -> f64 {
            match (p.shingle, p.snippets) {
                (Some(m), _) => m.f1,
                (None, Some((a, w, b))) => {
                    let r = if w > 0 { a as f64 / w as f64 } else { 1.0 };
                    r - b as f64 * 0.5
                }
                _ => 1.0,
            }
        };
        let mut pages: Vec<&PageScore> = self.per_page.iter().collect();
        pages.sort_by(|a, b| key(a).total_cmp(&key(b)).then_with(|| a.id.cmp(&b.id)));
        let clip = |t: &str| -> String {
            let c: String = t.chars().take(110).collect();
            if c.len() < t.len() {
                c + "..."
            } else {
                c
            }
        };
        let mut s = format!("worst {n} pages:\n");
        for p in pages.into_iter().take(n) {
            let score = match (p.shingle, p.snippets) {
                (Some(m), _) => format!("F1 {:.3} (P {:.2} R {:.2})", m.f1, m.precision, m.recall),
                (None, Some((a, w, b))) => format!("with {a}/{w}, without leaked {b}"),
                _ => String::new(),
            };
            s += &format!(
                "  {} {} {}\n",
                p.id,
                p.page_type.as_deref().unwrap_or(""),
                score
            );
            for m in p.missed.iter().take(2) {
                s += &format!("    missed: {}\n", clip(m));
            }
            for l in p.leaked.iter().take(2) {
                s += &format!("    leaked: {}\n", clip(l));
            }
        }
        s
    }
}

/// Where the page of a gold entry lives: `file` relative to `root`, else a page under
/// `root` whose stem is the id.
pub fn page_path(
    root: &Path,
    page: &GoldPage,
    by_stem: &HashMap<String, PathBuf>,
) -> Option<PathBuf> {
    if let Some(f) = &page.file {
        let p = root.join(f);
        if p.exists() {
            return Some(p);
        }
        if let Some(p) = by_stem.get(&stem(f)) {
            return Some(p.clone());
        }
    }
    by_stem.get(&stem(&page.id)).cloned()
}

/// Run the pipeline on every page `gold` names (found under `root`) with `jobs` workers,
/// and score the records. Pages that cannot be found count as missing.
pub fn run(
    rules: &crate::config::Rules,
    gold: &[GoldPage],
    root: &Path,
    jobs: usize,
    learn: bool,
) -> Result<(Report, Vec<Record>), String> {
    let needs_walk = gold
        .iter()
        .any(|g| g.file.as_ref().is_none_or(|f| !root.join(f).exists()));
    let mut by_stem = HashMap::new();
    if needs_walk {
        let walk = crate::source::walk(&[root.to_path_buf()]).map_err(|e| e.to_string())?;
        for it in walk.items {
            by_stem.insert(stem(&it.source), it.path);
        }
    }
    let mut items = Vec::new();
    for g in gold {
        let Some(path) = page_path(root, g, &by_stem) else {
            continue;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (kind_hint, gzip) = match crate::source::classify_name(&name) {
            Some((k, z)) => (Some(k), z),
            None => (None, name.ends_with(".gz")),
        };
        let source = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        items.push(crate::source::Item {
            path,
            source,
            kind_hint,
            gzip,
        });
    }
    let mut records = Vec::with_capacity(items.len());
    let _ = crate::batch::run(rules, &items, jobs, learn, |r: &Record| -> Result<(), ()> {
        records.push(r.clone());
        Ok(())
    });
    Ok((score(gold, &records), records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_match_score_py() {
        assert_eq!(stem("pages/0001.html.gz"), "0001");
        assert_eq!(stem("a\\b\\x.TXT"), "x");
        assert_eq!(stem("x.html.txt.gz"), "x");
    }

    #[test]
    fn tokens_follow_python_word_rules() {
        assert_eq!(
            tokens("Hello, wörld_1 — 42!"),
            vec!["Hello", "wörld_1", "42"]
        );
        // Devanagari vowel signs (Mc/Mn) split tokens in Python's \w.
        assert_eq!(tokens("हिन्दी").len(), 3);
    }

    #[test]
    fn shingle_counts_of_identical_and_disjoint_text() {
        assert_eq!(shingle_counts("a b c d e", "a b c d e"), (1.0, 0.0, 0.0));
        assert_eq!(shingle_counts("a b c d", "w x y z"), (0.0, 0.5, 0.5));
        assert_eq!(shingle_counts("", ""), (0.0, 0.0, 0.0));
    }
}
