//! Quality: a `confidence` in 0..1 that the extraction got the page's main text, and
//! `quality` flags that say what looks wrong (`short`, `nav_heavy`, `consent_wall`, ...).
//!
//! The confidence is a logistic model over a few features of the kept and removed
//! blocks; its weights live in `config.toml` (`[quality]`), fitted on the dev sets.

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::block::{Block, BlockKind};

/// The flag of a page whose kept text is only a "please enable JavaScript" notice: the
/// description fallback keys on it.
pub const JS_REQUIRED: &str = "js_required";

/// `[quality]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityConfig {
    /// Fewer words than this: flag `short`.
    pub short_words: usize,
    /// Kept text below this share of all page text: flag `nav_heavy`.
    pub nav_heavy_share: f32,
    /// At least this many kept blocks, most of them short: flag `listing`.
    pub listing_blocks: usize,
    /// Share of short (< 60 chars) kept blocks for `listing`.
    pub listing_short_share: f32,
    /// Fewer sentence ends per 100 words than this: flag `low_text_density`.
    pub min_sentences_per_100_words: f32,
    /// Replaced characters per 1000 chars above this: flag `lossy_decode`.
    pub lossy_per_mille: f32,
    /// Kept text matching this (and short): flag `consent_wall`.
    pub consent_pattern: String,
    /// Kept text matching this (and short): flag `login_wall`.
    pub login_pattern: String,
    /// Kept text matching this: flag `js_required` (an empty single-page-app shell).
    pub js_pattern: String,
    /// Logistic weights: bias, then one per feature in [`FEATURES`] order.
    pub weights: Vec<f32>,
}

/// Feature names, in weight order (after the bias).
pub const FEATURES: &[&str] = &[
    "log_words",
    "kept_share",
    "short_block_share",
    "sentences_per_100_words",
    "heading_share",
    "flag_count",
    "removed_outside_share",
    "mean_block_words",
];

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            short_words: 50,
            nav_heavy_share: 0.05,
            listing_blocks: 12,
            listing_short_share: 0.6,
            min_sentences_per_100_words: 1.5,
            lossy_per_mille: 1.0,
            consent_pattern: String::new(),
            login_pattern: String::new(),
            js_pattern: String::new(),
            weights: Vec::new(),
        }
    }
}

impl QualityConfig {
    /// Range problems, as messages.
    pub fn validate(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.weights.is_empty() && self.weights.len() != FEATURES.len() + 1 {
            out.push(format!(
                "quality.weights needs {} numbers (bias, then {})",
                FEATURES.len() + 1,
                FEATURES.join(", ")
            ));
        }
        for (name, v) in [
            ("quality.nav_heavy_share", self.nav_heavy_share),
            ("quality.listing_short_share", self.listing_short_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                out.push(format!("{name} = {v} is out of range 0..1"));
            }
        }
        out
    }
}

/// Compiled `[quality]` settings.
pub struct Compiled {
    cfg: QualityConfig,
    consent: Option<Wall>,
    login: Option<Wall>,
    js: Option<Wall>,
}

/// A wall pattern, and the same pattern without its Unicode word boundaries (a
/// superset the lazy DFA can answer on non-ASCII text, tried first: most pages fail it).
struct Wall(Regex, Option<Regex>);

impl Wall {
    fn is_match(&self, text: &str) -> bool {
        self.1.as_ref().is_none_or(|r| r.is_match(text)) && self.0.is_match(text)
    }
}

impl Compiled {
    /// Compile the patterns.
    pub fn new(cfg: &QualityConfig) -> Result<Compiled, String> {
        let re = |name: &str, p: &str| -> Result<Option<Wall>, String> {
            if p.is_empty() {
                return Ok(None);
            }
            let exact = RegexBuilder::new(p)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| format!("quality.{name}: bad regex: {e}"))?;
            Ok(Some(Wall(
                exact,
                crate::rules::without_unicode_word_boundaries(p),
            )))
        };
        Ok(Compiled {
            consent: re("consent_pattern", &cfg.consent_pattern)?,
            login: re("login_pattern", &cfg.login_pattern)?,
            js: re("js_pattern", &cfg.js_pattern)?,
            cfg: cfg.clone(),
        })
    }
}

/// Sentence ends in `text`: `.`, `!`, `?` and the CJK / Devanagari ones (`。！？।`).
///
/// Counts bytes rather than decoding chars: UTF-8 is self-synchronising, so each
/// three-byte sequence below occurs exactly where its char does.
fn sentence_ends(text: &str) -> usize {
    let b = text.as_bytes();
    let ascii = memchr::memchr3_iter(b'.', b'!', b'?', b).count();
    if text.is_ascii() {
        return ascii;
    }
    // Lead bytes of '。' (E3 80 82), '！' (EF BC 81), '？' (EF BC 9F), '।' (E0 A5 A4).
    let wide = memchr::memchr3_iter(0xE3, 0xEF, 0xE0, b)
        .filter(|&i| {
            matches!(
                b.get(i..i + 3),
                Some([0xE3, 0x80, 0x82] | [0xEF, 0xBC, 0x81 | 0x9F] | [0xE0, 0xA5, 0xA4])
            )
        })
        .count();
    ascii + wide
}

/// The verdict on one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    pub confidence: f32,
    pub flags: Vec<String>,
    /// The feature values, in [`FEATURES`] order (for calibration and `explain --json`).
    pub features: Vec<f32>,
}

/// Judge a page from its blocks and final text.
pub fn assess(
    c: &Compiled,
    blocks: &[Block],
    text: &str,
    words: usize,
    replaced: usize,
) -> Verdict {
    let cfg = &c.cfg;
    let mut kept_chars = 0usize;
    let mut all_chars = 0usize;
    let mut outside_chars = 0usize;
    let mut kept_blocks = 0usize;
    let mut short_blocks = 0usize;
    let mut headings = 0usize;
    for b in blocks {
        let n = b.text.chars().count();
        all_chars += n;
        match &b.removed_by {
            None => {
                kept_chars += n;
                kept_blocks += 1;
                if n < 60 {
                    short_blocks += 1;
                }
                if matches!(b.kind, BlockKind::Heading(_)) {
                    headings += 1;
                }
            }
            Some(r) if r.as_ref() == "html-outside-content" || r.as_ref() == "text-classifier" => {
                outside_chars += n
            }
            Some(_) => {}
        }
    }
    let sentences = sentence_ends(text);
    let per100 = if words > 0 {
        sentences as f32 * 100.0 / words as f32
    } else {
        0.0
    };
    let kept_share = if all_chars > 0 {
        kept_chars as f32 / all_chars as f32
    } else {
        0.0
    };
    let short_share = if kept_blocks > 0 {
        short_blocks as f32 / kept_blocks as f32
    } else {
        1.0
    };

    let mut flags = Vec::new();
    if words < cfg.short_words {
        flags.push("short");
    }
    if kept_share < cfg.nav_heavy_share {
        flags.push("nav_heavy");
    }
    if kept_blocks >= cfg.listing_blocks && short_share >= cfg.listing_short_share {
        flags.push("listing");
    }
    if words >= 20 && per100 < cfg.min_sentences_per_100_words {
        flags.push("low_text_density");
    }
    let chars = text.chars().count().max(1);
    if replaced as f32 * 1000.0 / chars as f32 > cfg.lossy_per_mille {
        flags.push("lossy_decode");
    }
    // Walls are short pages whose text is mostly the wall's plea.
    let wall_text = words < 400;
    if wall_text && c.consent.as_ref().is_some_and(|r| r.is_match(text)) {
        flags.push("consent_wall");
    }
    if wall_text && c.login.as_ref().is_some_and(|r| r.is_match(text)) {
        flags.push("login_wall");
    }
    if words < 200 && c.js.as_ref().is_some_and(|r| r.is_match(text)) {
        flags.push(JS_REQUIRED);
    }
    let features = vec![
        (words as f32 + 1.0).ln(),
        kept_share,
        short_share,
        per100.min(20.0),
        if kept_blocks > 0 {
            headings as f32 / kept_blocks as f32
        } else {
            0.0
        },
        flags.len() as f32,
        if all_chars > 0 {
            outside_chars as f32 / all_chars as f32
        } else {
            0.0
        },
        if kept_blocks > 0 {
            (words as f32 / kept_blocks as f32).min(200.0) / 100.0
        } else {
            0.0
        },
    ];
    let confidence = if words == 0 {
        0.0
    } else if cfg.weights.len() == features.len() + 1 {
        let z = cfg.weights[0]
            + features
                .iter()
                .zip(&cfg.weights[1..])
                .map(|(f, w)| f * w)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    } else {
        // No weights configured: a plain heuristic.
        let base = ((words as f32 + 1.0).ln() / 7.0).min(1.0);
        (base * (1.0 - 0.2 * flags.len() as f32)).clamp(0.0, 1.0)
    };
    // A wall's plea is never the article, whatever the other features say.
    let walled = flags
        .iter()
        .any(|f| matches!(*f, "consent_wall" | "login_wall" | JS_REQUIRED));
    let confidence = if walled {
        confidence.min(0.2)
    } else {
        confidence
    };
    Verdict {
        confidence: (confidence * 1000.0).round() / 1000.0,
        flags: flags.into_iter().map(str::to_string).collect(),
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled() -> Compiled {
        crate::config::Rules::defaults().quality
    }

    #[test]
    fn a_long_article_is_confident_and_unflagged() {
        let para =
            "This is a sentence of an ordinary article, long enough to read as prose. ".repeat(6);
        let blocks: Vec<Block> = (0..8).map(|_| Block::para(para.clone())).collect();
        let text = blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        let words = crate::normalize::word_count(&text);
        let v = assess(&compiled(), &blocks, &text, words, 0);
        assert!(v.flags.is_empty(), "{:?}", v.flags);
        assert!(v.confidence > 0.7, "{}", v.confidence);
    }

    #[test]
    fn a_consent_wall_is_flagged_and_not_confident() {
        let text = "We value your privacy. We and our partners use cookies. Accept all cookies to continue.";
        let blocks = vec![Block::para(text)];
        let v = assess(
            &compiled(),
            &blocks,
            text,
            crate::normalize::word_count(text),
            0,
        );
        assert!(
            v.flags.contains(&"consent_wall".to_string()),
            "{:?}",
            v.flags
        );
        assert!(v.flags.contains(&"short".to_string()));
        assert!(v.confidence < 0.5, "{}", v.confidence);
    }

    #[test]
    fn sentence_ends_count_ascii_and_wide_marks() {
        for text in [
            "",
            "One. Two! Three? Four",
            "日本語の文。二つ目！三つ目？",
            "यह एक वाक्य है। दूसरा।",
            "Mixed… «quoted». Ünïcödé? ！？。",
        ] {
            let want = text
                .chars()
                .filter(|c| matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | '।'))
                .count();
            assert_eq!(sentence_ends(text), want, "{text}");
        }
    }

    #[test]
    fn empty_text_has_zero_confidence() {
        let v = assess(&compiled(), &[], "", 0, 0);
        assert_eq!(v.confidence, 0.0);
    }
}
