//! boilerstrip turns scraped web pages (HTML in any charset, or whole-page text dumps)
//! into clean article records.
//!
//! The pipeline has one module per stage, and data flows one way through them:
//! [`source`] → [`decode`] → [`html`] | [`text`] → [`metadata`] → [`normalize`] →
//! [`record`] → [`sink`]. Rules come from `config.toml` ([`config`]), compiled once
//! into [`config::Rules`] and shared read-only by the workers.
//!
//! ```
//! use boilerstrip::{config::Rules, process_page, PageInput};
//! let rules = Rules::defaults();
//! let page = PageInput { source: "a.html", bytes: b"<html><body><article><p>Hello there, this is the article text of a page.</p></article></body></html>", ..Default::default() };
//! let out = process_page(&rules, &page);
//! assert_eq!(out.record.status, "ok");
//! assert!(out.record.text.contains("Hello there"));
//! ```

pub mod batch;
pub mod block;
pub mod budget;
pub mod config;
pub mod decode;
pub mod eval;
pub mod explain;
pub mod html;
pub mod metadata;
pub mod normalize;
pub mod quality;
pub mod record;
pub mod rules;
pub mod sink;
pub mod source;
pub mod template;
pub mod text;
pub mod warc;

use std::collections::BTreeMap;
use std::sync::Arc;

use block::Block;
use config::Rules;
use decode::{ContentKind, DecodeError};
use record::{Record, Removal};

/// One page as the pipeline receives it.
#[derive(Debug, Clone, Default)]
pub struct PageInput<'a> {
    /// The path relative to its input root; becomes `source` and `id`.
    pub source: &'a str,
    /// Raw bytes, already decompressed.
    pub bytes: &'a [u8],
    /// The kind the file name suggests (`.txt` vs `.html`); the content decides.
    pub kind_hint: Option<ContentKind>,
    /// A charset declared outside the page (HTTP header), if any.
    pub charset: Option<&'a str>,
    /// The page URL, if known from outside the page.
    pub url: Option<&'a str>,
    /// When the page was fetched (ISO 8601, e.g. `WARC-Date`); bounds the page date and
    /// becomes the record's `crawled_at`.
    pub crawled_at: Option<&'a str>,
}

/// What processing one page produced: the record, and every block (kept or removed)
/// for `explain`.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub record: Record,
    pub blocks: Vec<Block>,
    /// The quality features behind `record.confidence` (see [`quality::FEATURES`]).
    pub features: Vec<f32>,
    /// The `[[sites]]` table that applied (its hosts), if any.
    pub site: Option<String>,
}

/// A page after extraction: its blocks (kept and removed) and metadata, before
/// cross-page template learning and the final text and record.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub source: String,
    pub blocks: Vec<Block>,
    pub meta: record::Metadata,
    /// `html` or `text`.
    pub format: &'static str,
    pub encoding: &'static str,
    pub replaced_chars: usize,
    /// Text cut out of blocks by span rules, per rule.
    pub cut: Vec<(Arc<str>, String)>,
    /// [`PageInput::crawled_at`].
    pub crawled_at: Option<String>,
    /// The `[[sites]]` table that applied (its hosts), if any.
    pub site: Option<String>,
}

/// Run the whole pipeline on one page. Never panics on bad input; failures become
/// records with a non-`ok` status.
pub fn process_page(rules: &Rules, page: &PageInput) -> Outcome {
    match extract_page(rules, page) {
        Ok(ex) => finish_page(rules, ex),
        Err(mut record) => {
            record.url = page.url.map(str::to_string);
            record.crawled_at = page.crawled_at.map(str::to_string);
            rejected(*record)
        }
    }
}

/// The per-page stages up to metadata: decode, then the HTML or text path, then the
/// text rules. A page that cannot be decoded comes back as its reject record.
pub fn extract_page(rules: &Rules, page: &PageInput) -> Result<Extracted, Box<Record>> {
    let source = page.source;
    let decoded = match decode::decode(
        page.bytes,
        &rules.config.decode,
        page.kind_hint,
        page.charset,
    ) {
        Ok(d) => d,
        Err(DecodeError::Empty) => {
            return Err(Box::new(Record::reject(
                source,
                "empty",
                Some("no text".into()),
            )))
        }
        Err(DecodeError::Binary(why)) => {
            return Err(Box::new(Record::reject(source, "binary", Some(why))))
        }
    };
    // The crawl time bounds the page date; without one, today does.
    let max_date = page
        .crawled_at
        .and_then(date_part)
        .map_or_else(today, str::to_string);
    let ctx = metadata::Context {
        source,
        url: page.url,
        max_date: Some(&max_date),
    };
    let limits = &rules.config.limits;
    let _budget = budget::start(limits.max_page_ms);
    let timeout = || {
        Box::new(Record::reject(
            source,
            "timeout",
            Some(format!(
                "page took longer than limits.max_page_ms ({} ms)",
                limits.max_page_ms
            )),
        ))
    };
    // The site table is chosen before extraction: from the URL given with the page,
    // else (HTML) the canonical or og:url the metadata pass reads, else the folder.
    let (mut blocks, mut meta, format, site) = match decoded.kind {
        ContentKind::Html => {
            if let Err(why) = html::check_complexity(&decoded.text, limits) {
                return Err(Box::new(Record::reject(source, "too_complex", Some(why))));
            }
            let doc = html::parse(&decoded.text);
            if budget::expired() {
                return Err(timeout());
            }
            let meta = metadata::from_html(&doc, &ctx);
            let site = rules.site_for(page.url.or(meta.url.as_deref()), source);
            let blocks = html::extract_with(&doc, rules, site);
            if budget::expired() {
                return Err(timeout());
            }
            (blocks, meta, "html", site)
        }
        ContentKind::Text => {
            let site = rules.site_for(page.url, source);
            let page = text::extract(&decoded.text, site.map_or(&rules.text, |s| &s.text));
            (page.blocks, page.meta, "text", site)
        }
    };
    if budget::expired() {
        return Err(timeout());
    }
    let text_rules = site.map_or(&rules.text_rules, |s| &s.text_rules);
    let (captures, cut) = text_rules.apply(&mut blocks, format);
    metadata::apply_captures(&mut meta, &captures);
    if format == "text" {
        metadata::from_text_blocks(&mut meta, &blocks, ctx.max_date);
    }
    if meta.url.is_none() {
        meta.url = page.url.map(str::to_string);
    }
    Ok(Extracted {
        source: source.to_string(),
        blocks,
        meta,
        format,
        encoding: decoded.encoding,
        replaced_chars: decoded.replaced_chars,
        cut,
        crawled_at: page.crawled_at.map(str::to_string),
        site: site.map(|s| s.name.clone()),
    })
}

/// The last stages: normalise the kept blocks into the text, finish the metadata, and
/// build the record.
pub fn finish_page(rules: &Rules, ex: Extracted) -> Outcome {
    let Extracted {
        source,
        mut blocks,
        mut meta,
        format,
        encoding,
        replaced_chars,
        cut,
        crawled_at,
        site,
    } = ex;
    // Metadata, word count and confidence always read the plain text, so they do not
    // depend on the output format.
    let mut text = normalize::join(&blocks, &rules.config.normalize);
    let mut words = normalize::word_count(&text);
    let assess = |blocks: &[Block], text: &str, words: usize| {
        quality::assess(&rules.quality, blocks, text, words, replaced_chars)
    };
    let mut verdict = assess(&blocks, &text, words);
    let shell = text.is_empty() || verdict.flags.iter().any(|f| *f == quality::JS_REQUIRED);
    let from_description = shell && description_fallback(rules, &meta, &mut blocks);
    if from_description {
        text = normalize::join(&blocks, &rules.config.normalize);
        words = normalize::word_count(&text);
        verdict = assess(&blocks, &text, words);
    }
    metadata::finish(&mut meta, &text);
    let mut record = Record::reject(&source, "ok", None);
    record.word_count = words;
    if text.is_empty() {
        record.status = "empty".into();
        record.error = Some("no main text left after removing chrome".into());
    }
    record.text = match rules.config.output.format {
        config::Format::Plain => text,
        config::Format::Markdown => normalize::markdown(
            &blocks,
            &rules.config.normalize,
            &normalize::MarkdownOptions {
                keep_links: rules.config.output.keep_links,
                base_url: meta.url.as_deref(),
                from_text: format == "text",
            },
        ),
    };
    record.set_metadata(meta);
    record.crawled_at = crawled_at;
    record.format = Some(format.into());
    record.encoding = Some(encoding.into());
    record.replaced_chars = replaced_chars;
    record.removed = removals(&blocks, &cut);
    record.confidence = verdict.confidence;
    record.quality = verdict.flags;
    if from_description {
        record.quality.push("description_only".into());
    }
    Outcome {
        record,
        blocks,
        features: verdict.features,
        site,
    }
}

/// Rule name for what the description fallback replaces (a "please enable
/// JavaScript" notice).
const DESCRIPTION_FALLBACK_RULE: &str = "description-fallback";

/// Give a script-rendered shell (no text left, or only a "JavaScript required"
/// notice) its meta description as the one kept block, when the description is long
/// enough (`[output] description_fallback_words`): it is the only copy of the
/// content such a page carries. The notice is marked removed, so `removed` says why.
fn description_fallback(rules: &Rules, meta: &record::Metadata, blocks: &mut Vec<Block>) -> bool {
    let min = rules.config.output.description_fallback_words;
    match meta.description.as_deref() {
        Some(d) if min > 0 && normalize::word_count(d) >= min => {
            let rule: Arc<str> = Arc::from(DESCRIPTION_FALLBACK_RULE);
            for b in blocks.iter_mut() {
                b.remove(&rule);
            }
            blocks.push(Block::para(d));
            true
        }
        _ => false,
    }
}

/// The outcome of a page rejected before extraction: its record and no blocks.
pub(crate) fn rejected(record: Record) -> Outcome {
    Outcome {
        record,
        blocks: Vec::new(),
        features: Vec::new(),
        site: None,
    }
}

/// Characters removed per rule, in rule-name order (stable output).
fn removals(blocks: &[Block], cut: &[(Arc<str>, String)]) -> Vec<Removal> {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for b in blocks {
        if let Some(r) = &b.removed_by {
            *by_rule.entry(r).or_default() += b.text.chars().count();
        }
    }
    for (r, t) in cut {
        *by_rule.entry(r).or_default() += t.chars().count();
    }
    by_rule
        .into_iter()
        .map(|(rule, chars)| Removal {
            rule: rule.to_string(),
            chars,
        })
        .collect()
}

/// Today's date as `YYYY-MM-DD` (UTC), the upper bound for page dates when the
/// crawl time is unknown.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The `YYYY-MM-DD` part of an ISO 8601 timestamp, if it has one.
fn date_part(ts: &str) -> Option<&str> {
    let d = ts.get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)).then_some(d)
}

/// Days since 1970-01-01 to a (year, month, day) civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Metadata type re-exported for library users.
pub use record::Metadata as PageMetadata;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_726), (2024, 1, 4));
    }

    #[test]
    fn binary_and_empty_pages_are_rejected_not_panics() {
        let rules = Rules::defaults();
        let out = process_page(
            &rules,
            &PageInput {
                source: "e.txt",
                bytes: b"  \n",
                ..Default::default()
            },
        );
        assert_eq!(out.record.status, "empty");
    }
}
