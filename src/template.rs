//! Site templates learned across a batch: blocks that repeat on many pages of one site
//! (footers, disclaimers, "related stories" lists) are chrome, whatever their wording.
//!
//! A first pass counts, per site, normalised block fingerprints (hashes only); a second
//! removes blocks whose fingerprint is on at least `min_pages` pages and on at least
//! `min_share` of the site's pages, as rule `site-template`. Counting is a set union per
//! page, so the result depends neither on input order nor on the worker count.
//!
//! Guards:
//! - sites with fewer than `min_pages` pages learn nothing;
//! - syndicated copies of one article (pages whose two longest blocks are the same) count
//!   as one page, so an article repeated on several pages is not mistaken for a template;
//! - a page never loses more than `max_page_share` of its kept text to this rule.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;

use crate::block::Block;

/// The rule name recorded on blocks this stage removes.
pub const RULE: &str = "site-template";

/// `[template]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateConfig {
    /// Learn templates across the batch (`--no-learn` switches it off).
    pub enabled: bool,
    /// A block must repeat on at least this many pages of a site...
    pub min_pages: usize,
    /// ...and on at least this share of the site's pages.
    pub min_share: f32,
    /// Never remove more than this share of a page's kept text.
    pub max_page_share: f32,
    /// Blocks shorter than this (chars) are not fingerprinted (too generic: "Home", "Next").
    pub min_block_chars: usize,
    /// Pages learned together at most; larger folders are learned in windows of this size,
    /// which keeps memory bounded.
    pub max_group_pages: usize,
}

impl Default for TemplateConfig {
    fn default() -> Self {
        TemplateConfig {
            enabled: true,
            min_pages: 3,
            min_share: 0.5,
            max_page_share: 0.6,
            min_block_chars: 8,
            max_group_pages: 2000,
        }
    }
}

impl TemplateConfig {
    /// Range problems in thresholds, as messages.
    pub fn validate(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v) in [
            ("template.min_share", self.min_share),
            ("template.max_page_share", self.max_page_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                out.push(format!("{name} = {v} is out of range 0..1"));
            }
        }
        if self.min_pages < 2 {
            out.push(format!(
                "template.min_pages = {} must be at least 2",
                self.min_pages
            ));
        }
        if self.max_group_pages < self.min_pages {
            out.push("template.max_group_pages must be at least min_pages".into());
        }
        out
    }
}

/// [`fingerprint`]'s reading of an ASCII byte: `0` dropped, [`DIGIT`], else the letter
/// lower-cased.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_alphabetic() {
            c.to_ascii_lowercase()
        } else {
            0
        };
        b += 1;
    }
    t
};

/// A digit in [`ASCII_CLASS`] (no letter has this value).
const DIGIT: u8 = 1;

/// A block's fingerprint: FNV-1a over its lower-cased letters, with digits folded to `0`
/// (so "© 2023" and "© 2024", or "12 comments" and "3 comments", match) and everything
/// else dropped.
pub fn fingerprint(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    let mut last_digit = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII bytes without decoding a char (every block of every page is hashed):
        // in ASCII, `is_numeric` is `0-9`, `is_alphabetic` is `A-Za-z`, and lower-casing
        // gives one byte.
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            match ASCII_CLASS[usize::from(b)] {
                0 => last_digit = false,
                DIGIT => {
                    if !last_digit {
                        mix(b'0');
                    }
                    last_digit = true;
                }
                lower => {
                    last_digit = false;
                    mix(lower);
                }
            }
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if c.is_numeric() {
            if !last_digit {
                mix(b'0');
            }
            last_digit = true;
            continue;
        }
        last_digit = false;
        if c.is_alphabetic() {
            for l in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for b in l.encode_utf8(&mut buf).bytes() {
                    mix(b);
                }
            }
        }
    }
    h
}

/// The fingerprints of one page's kept blocks, and its identity for de-duplication.
#[derive(Debug, Clone, Default)]
pub struct PagePrints {
    /// The site the page belongs to (URL host, else its folder).
    pub site: String,
    /// Distinct fingerprints of the page's kept blocks.
    pub prints: Vec<u64>,
    /// Fingerprint of the page's two longest kept blocks together: copies of one article
    /// share it, while pages that share only one long template block do not.
    pub body: u64,
}

/// Fingerprint a page's kept blocks.
pub fn page_prints(site: &str, blocks: &[Block], cfg: &TemplateConfig) -> PagePrints {
    let mut seen = HashSet::new();
    let mut prints = Vec::new();
    // The two longest blocks, (chars, fingerprint), longest first.
    let mut longest = [(0usize, 0u64); 2];
    for b in blocks.iter().filter(|b| b.is_kept()) {
        let n = b.text.chars().count();
        if n < cfg.min_block_chars {
            continue;
        }
        let f = fingerprint(&b.text);
        if seen.insert(f) {
            prints.push(f);
        }
        if n > longest[0].0 {
            longest[1] = longest[0];
            longest[0] = (n, f);
        } else if n > longest[1].0 {
            longest[1] = (n, f);
        }
    }
    prints.sort_unstable();
    PagePrints {
        site: site.to_string(),
        prints,
        body: {
            let (a, b) = (longest[0].1, longest[1].1);
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            lo.rotate_left(17) ^ hi.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        },
    }
}

/// The site a page belongs to: its URL's host (without `www.`) when known, else the
/// folder of its source path.
pub fn site_key(source: &str, url: Option<&str>) -> String {
    if let Some(u) = url {
        let rest = u.split_once("://").map_or(u, |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        if !host.is_empty() {
            return host.to_string();
        }
    }
    match source.rfind('/') {
        Some(i) => format!("dir:{}", &source[..i]),
        None => "dir:".to_string(),
    }
}

/// What was learned: per site, the fingerprints that are template.
#[derive(Debug, Default)]
pub struct Learned {
    sites: HashMap<String, HashSet<u64>>,
}

/// Count fingerprints per site (each distinct page body once) and keep the template ones.
pub fn learn(pages: &[PagePrints], cfg: &TemplateConfig) -> Learned {
    let mut by_site: HashMap<&str, Vec<&PagePrints>> = HashMap::new();
    for p in pages {
        by_site.entry(p.site.as_str()).or_default().push(p);
    }
    let mut learned = Learned::default();
    for (site, pages) in by_site {
        // Copies of one article (same longest block) count as one page.
        let mut bodies: HashMap<u64, HashSet<u64>> = HashMap::new();
        for p in &pages {
            bodies
                .entry(p.body)
                .or_default()
                .extend(p.prints.iter().copied());
        }
        let distinct = bodies.len();
        if distinct < cfg.min_pages {
            continue;
        }
        let mut counts: HashMap<u64, usize> = HashMap::new();
        for prints in bodies.values() {
            for f in prints {
                *counts.entry(*f).or_default() += 1;
            }
        }
        let need = cfg
            .min_pages
            .max((cfg.min_share * distinct as f32).ceil() as usize);
        let template: HashSet<u64> = counts
            .into_iter()
            .filter(|&(_, n)| n >= need)
            .map(|(f, _)| f)
            .collect();
        if !template.is_empty() {
            learned.sites.insert(site.to_string(), template);
        }
    }
    learned
}

impl Learned {
    /// Remove the template blocks of one page (marking them `site-template`), unless that
    /// would take more than `max_page_share` of its kept text. Returns whether it removed any.
    pub fn apply(
        &self,
        site: &str,
        blocks: &mut [Block],
        cfg: &TemplateConfig,
        rule: &Arc<str>,
    ) -> bool {
        let Some(template) = self.sites.get(site) else {
            return false;
        };
        let mut total = 0usize;
        let mut hit = 0usize;
        let mut marks = Vec::new();
        for (i, b) in blocks.iter().enumerate().filter(|(_, b)| b.is_kept()) {
            let n = b.text.chars().count();
            total += n;
            if n >= cfg.min_block_chars && template.contains(&fingerprint(&b.text)) {
                hit += n;
                marks.push(i);
            }
        }
        if marks.is_empty() || hit as f32 > total as f32 * cfg.max_page_share {
            return false;
        }
        for i in marks {
            blocks[i].remove(rule);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(site: &str, texts: &[&str]) -> Vec<Block> {
        let _ = site;
        texts.iter().map(|t| Block::para(*t)).collect()
    }

    /// The char-by-char definition the ASCII fast path must agree with.
    fn fingerprint_by_chars(text: &str) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut mix = |b: u8| {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        };
        let mut last_digit = false;
        for c in text.chars() {
            if c.is_numeric() {
                if !last_digit {
                    mix(b'0');
                }
                last_digit = true;
                continue;
            }
            last_digit = false;
            if c.is_alphabetic() {
                for l in c.to_lowercase() {
                    let mut buf = [0u8; 4];
                    for b in l.encode_utf8(&mut buf).bytes() {
                        mix(b);
                    }
                }
            }
        }
        h
    }

    #[test]
    fn fingerprint_fast_path_matches_the_char_definition() {
        for t in [
            "© 2023 Example Ltd.",
            "12 Kommentare zu „Straße“ – ÄÖÜ ẞ İstanbul",
            "Ⅻ chapters, ½ done, ٣ items, 3² = 9",
            "Поделиться: 5 комментариев",
            "この記事をシェアする 2024年1月4日",
            "MiXeD ascii\tand\u{00A0}NBSP 007 x9y",
            "",
        ] {
            assert_eq!(fingerprint(t), fingerprint_by_chars(t), "{t}");
        }
    }

    #[test]
    fn fingerprints_ignore_case_punctuation_and_numbers() {
        assert_eq!(
            fingerprint("© 2023 Example Ltd."),
            fingerprint("© 2024 example ltd")
        );
        assert_eq!(fingerprint("12 comments"), fingerprint("3 Comments!"));
        assert_ne!(fingerprint("Read more"), fingerprint("Read less"));
    }

    #[test]
    fn shared_footer_goes_article_stays_other_site_untouched() {
        let cfg = TemplateConfig::default();
        let rule: Arc<str> = Arc::from(RULE);
        let mut pages: Vec<(String, Vec<Block>)> = (0..6)
            .map(|i| {
                let body = format!(
                    "Article number {i} has its own long text about topic {}.",
                    ["a", "b", "c", "d", "e", "f"][i]
                );
                (
                    "s1".to_string(),
                    page(
                        "s1",
                        &[&body, "Copyright 2024 Site One. All rights reserved."],
                    ),
                )
            })
            .collect();
        pages.push((
            "s2".into(),
            page(
                "s2",
                &[
                    "Another site's article body text here.",
                    "Copyright 2024 Site One. All rights reserved.",
                ],
            ),
        ));
        let prints: Vec<PagePrints> = pages.iter().map(|(s, b)| page_prints(s, b, &cfg)).collect();
        let learned = learn(&prints, &cfg);
        for (site, blocks) in &mut pages {
            learned.apply(site, blocks, &cfg, &rule);
        }
        for (site, blocks) in &pages {
            assert!(blocks[0].is_kept());
            assert_eq!(blocks[1].is_kept(), site == "s2", "{site}");
        }
    }

    #[test]
    fn syndicated_copies_are_not_a_template() {
        let cfg = TemplateConfig::default();
        let rule: Arc<str> = Arc::from(RULE);
        let article = "The same long syndicated article body appears on every one of these pages.";
        let mut pages: Vec<Vec<Block>> = (0..4)
            .map(|_| page("s", &[article, "Short note."]))
            .collect();
        let prints: Vec<PagePrints> = pages.iter().map(|b| page_prints("s", b, &cfg)).collect();
        let learned = learn(&prints, &cfg);
        for b in &mut pages {
            assert!(!learned.apply("s", b, &cfg, &rule));
        }
    }

    #[test]
    fn small_sites_learn_nothing_and_pages_keep_most_text() {
        let cfg = TemplateConfig::default();
        let two: Vec<PagePrints> = (0..2)
            .map(|i| {
                page_prints(
                    "s",
                    &page("s", &[&format!("body {i} text here"), "Footer line here"]),
                    &cfg,
                )
            })
            .collect();
        assert!(learn(&two, &cfg).sites.is_empty());
        // A page that would be mostly template keeps everything.
        let rule: Arc<str> = Arc::from(RULE);
        let mut pages: Vec<Vec<Block>> = (0..4)
            .map(|i| page("s", &[&format!("Body {}", ["one", "two", "three", "four"][i]), "A very long shared disclaimer paragraph that dwarfs the body of each page."]))
            .collect();
        let prints: Vec<PagePrints> = pages.iter().map(|b| page_prints("s", b, &cfg)).collect();
        let learned = learn(&prints, &cfg);
        assert!(!learned.apply("s", &mut pages[0], &cfg, &rule));
    }

    #[test]
    fn site_is_the_host_else_the_folder() {
        assert_eq!(
            site_key("a/b.html", Some("https://www.Example.com:8080/x?y")),
            "example.com"
        );
        assert_eq!(site_key("a/b/c.txt", None), "dir:a/b");
        assert_eq!(site_key("c.txt", None), "dir:");
    }

    #[test]
    fn order_does_not_matter() {
        let cfg = TemplateConfig::default();
        let mut prints: Vec<PagePrints> = (0..5)
            .map(|i| {
                page_prints(
                    "s",
                    &page(
                        "s",
                        &[
                            &format!("Unique body number {}", ["a", "b", "c", "d", "e"][i]),
                            "Shared footer text",
                        ],
                    ),
                    &cfg,
                )
            })
            .collect();
        let a = learn(&prints, &cfg);
        prints.reverse();
        let b = learn(&prints, &cfg);
        assert_eq!(a.sites, b.sites);
    }
}
