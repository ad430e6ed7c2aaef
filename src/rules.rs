//! Text rules: `[[text.rules]]` tables compiled once at start-up and applied to the
//! blocks of a page (from the text path, or from the HTML path after the DOM pass).
//!
//! A rule matches a *unit* of text (a whole paragraph, one line, or a span inside a
//! paragraph) by a regex `pattern` or a list of `phrases`. Its `scope` says where it
//! may fire: anywhere, or only inside the leading or trailing run of chrome (so a
//! phrase like "Share this" removes the widget at the end of a page but never a
//! sentence in the middle of the article).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind, Look};
use rustc_hash::FxHasher;
use serde::Deserialize;

use crate::block::Block;

/// Which unit of text a rule tests and removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A whole block; it is removed when the rule matches it.
    #[default]
    Paragraph,
    /// One line of a block; only that line is removed.
    Line,
    /// The matched text only, cut out of the block (e.g. a byline glued to the text).
    Span,
}

/// Where on the page a rule may fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Any unit of the page.
    #[default]
    Anywhere,
    /// Only units before the first kept unit that no rule matches.
    Leading,
    /// Only units after the last kept unit that no rule matches.
    Trailing,
    /// Leading or trailing.
    Edges,
}

/// How a pattern or phrase must cover the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// The whole unit (trimmed, trailing punctuation ignored for phrases).
    #[default]
    Whole,
    /// The unit starts with it.
    Start,
    /// It occurs anywhere in the unit.
    Contains,
}

/// One `[[text.rules]]` table as written in `config.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextRuleSpec {
    /// Unique name; shown in `removed` and `explain`, and used by `disable`.
    pub name: String,
    /// A regex (Rust `regex` syntax).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Case-insensitive phrases; an alternative to `pattern`.
    #[serde(default)]
    pub phrases: Vec<String>,
    #[serde(default)]
    pub unit: Unit,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    /// Units longer than this (in chars) never match; keeps rules off real paragraphs.
    #[serde(default)]
    pub max_chars: Option<usize>,
    /// With `unit = "span"`: a metadata field (`date`, `author`) that receives the regex's
    /// first capture group (or the whole match).
    #[serde(default)]
    pub field: Option<String>,
    /// Only for pages of this format (`html` or `text`); both when absent.
    #[serde(default)]
    pub format: Option<String>,
    /// On HTML pages: a kept heading this rule matches with at most this
    /// many chars of kept text from its start to the end heads the related-links,
    /// comments or "more on this topic" section that closes an article; it and every
    /// kept block after it go (as this rule), whatever the scope says.
    #[serde(default)]
    pub html_tail_chars: Option<usize>,
}

/// Metadata fields a span rule may capture into.
pub const CAPTURE_FIELDS: &[&str] = &["date", "author", "title"];

#[derive(Clone)]
enum Matcher {
    /// The regex, for one with Unicode word boundaries the same regex without them
    /// (see [`Relaxed`]), and the literals one of which every match contains (see
    /// [`required_literals`]); the cheap tests go first.
    Regex(Regex, Option<Arc<Relaxed>>, Option<Literals>),
    /// The automaton, and the most non-space characters any folded phrase has (a unit
    /// with more cannot match a phrase whole, so it is not folded at all).
    Phrases(AhoCorasick, usize),
    /// For `match = "whole"`: the folded phrases as a set. A whole match is the folded
    /// unit being one of them, a hash look-up instead of an automaton search.
    WholePhrases(PhraseSet, usize),
}

/// A regex with Unicode word boundaries, relaxed (see [`without_unicode_word_boundaries`]):
/// a pre-test that only a text with a non-ASCII character needs (on ASCII text the
/// regex's own fast engine copes). It is built on the first such text: a batch that
/// never meets one does not pay its start-up.
struct Relaxed {
    /// The pattern it relaxes.
    pattern: String,
    built: std::sync::OnceLock<Option<Regex>>,
}

impl Relaxed {
    /// `None` for a pattern without Unicode word boundaries.
    fn new(pattern: &str) -> Option<Relaxed> {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?;
        hir.properties()
            .look_set()
            .contains_word_unicode()
            .then(|| Relaxed {
                pattern: pattern.to_string(),
                built: std::sync::OnceLock::new(),
            })
    }

    /// Whether the regex may match `text`: false only if it cannot.
    fn may_match(&self, text: &str) -> bool {
        text.is_ascii()
            || self
                .built
                .get_or_init(|| without_unicode_word_boundaries(&self.pattern))
                .as_ref()
                .is_none_or(|r| r.is_match(text))
    }
}

/// Folded phrases; FxHash because every short line of every page is looked up.
type PhraseSet = HashSet<String, BuildHasherDefault<FxHasher>>;

/// A compiled text rule. Cloning is cheap (the automata are shared).
#[derive(Clone)]
pub struct TextRule {
    pub name: Arc<str>,
    matcher: Matcher,
    pub unit: Unit,
    pub scope: Scope,
    pub mode: MatchMode,
    pub max_chars: Option<usize>,
    pub field: Option<String>,
    pub format: Option<String>,
    /// See [`TextRuleSpec::html_tail_chars`].
    pub html_tail_chars: Option<usize>,
    /// This rule's bit in a literal index shared by the rules compiled with it (see
    /// [`link_literal_filters`]): a text without the bit set cannot match.
    filter: Option<(Arc<LiteralIndex>, u32)>,
}

/// One Aho-Corasick automaton over the required literals of several regex rules, so
/// one scan of a text tells which of them can match it.
pub struct LiteralIndex {
    ac: AhoCorasick,
    /// Pattern id -> the bits of the rules it belongs to.
    owner: Vec<u64>,
    /// All rule bits set.
    all: u64,
}

impl LiteralIndex {
    fn scan(&self, text: &str) -> u64 {
        let mut bits = 0u64;
        for m in self.ac.find_overlapping_iter(text) {
            // The rules' literals leave out the two non-ASCII letters that case-fold to
            // ASCII ones; they are patterns of their own, owned by every rule: a text
            // holding one may match any rule (see [`FOLDS_TO_ASCII`]).
            bits |= self.owner[m.pattern().as_usize()];
            if bits == self.all {
                break;
            }
        }
        bits
    }
}

/// Give the regex rules of one list (as compiled together) a shared literal filter:
/// one scan of a text answers for all of them, where each rule's own scan would cost
/// about what the regex does. Rules past the 64th with literals go unfiltered.
pub fn link_literal_filters(rules: &mut [TextRule]) {
    let mut lits: Vec<&[u8]> = Vec::new();
    let mut owner = Vec::new();
    let mut users = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        if let Matcher::Regex(_, _, Some(l)) = &r.matcher {
            let bit = users.len() as u32;
            if bit == 64 {
                break;
            }
            lits.extend(l.iter().map(Vec::as_slice));
            owner.extend(std::iter::repeat_n(1u64 << bit, l.len()));
            users.push((i, bit));
        }
    }
    if users.is_empty() {
        return;
    }
    let all = u64::MAX >> (64 - users.len());
    let mut buf = [[0u8; 4]; FOLDS_TO_ASCII.len()];
    for (c, b) in FOLDS_TO_ASCII.iter().zip(&mut buf) {
        lits.push(c.encode_utf8(b).as_bytes());
        owner.push(all);
    }
    // A full DFA: the scan runs on every short line of every page.
    let Ok(ac) = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&lits)
    else {
        return;
    };
    let index = Arc::new(LiteralIndex { ac, owner, all });
    for (i, bit) in users {
        rules[i].filter = Some((index.clone(), bit));
    }
}

/// Size limit for user regexes, so a pathological pattern cannot eat memory.
const REGEX_SIZE_LIMIT: usize = 1 << 22;

impl TextRule {
    /// Compile a spec; the error says what is wrong (without the location).
    pub fn compile(spec: &TextRuleSpec) -> Result<TextRule, String> {
        if spec.name.trim().is_empty() {
            return Err("rule has an empty name".into());
        }
        let matcher = match (&spec.pattern, spec.phrases.is_empty()) {
            (Some(_), false) => return Err("give either `pattern` or `phrases`, not both".into()),
            (None, true) => return Err("needs a `pattern` or `phrases`".into()),
            (Some(p), true) => {
                let anchored = match spec.match_mode {
                    MatchMode::Whole => format!(r"^\s*(?:{p})\s*$"),
                    MatchMode::Start => format!(r"^\s*(?:{p})"),
                    MatchMode::Contains => p.clone(),
                };
                let re = build_regex(&anchored).map_err(|e| format!("bad regex: {e}"))?;
                Matcher::Regex(
                    re,
                    Relaxed::new(&anchored).map(Arc::new),
                    required_literals(p),
                )
            }
            (None, false) => {
                let phrases: Vec<String> = spec.phrases.iter().map(|p| fold_phrase(p)).collect();
                if phrases.iter().any(|p| p.is_empty()) {
                    return Err("empty phrase".into());
                }
                let longest = phrases
                    .iter()
                    .map(|p| non_space_chars(p))
                    .max()
                    .unwrap_or(0);
                if spec.match_mode == MatchMode::Whole {
                    // A set look-up needs no automaton: building one costs start-up time.
                    Matcher::WholePhrases(phrases.into_iter().collect(), longest)
                } else {
                    let ac = AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::LeftmostLongest)
                        .build(&phrases)
                        .map_err(|e| format!("phrases: {e}"))?;
                    Matcher::Phrases(ac, longest)
                }
            }
        };
        if let Some(f) = &spec.field {
            if spec.unit != Unit::Span {
                return Err("`field` needs `unit = \"span\"`".into());
            }
            if !CAPTURE_FIELDS.contains(&f.as_str()) {
                return Err(format!(
                    "unknown field `{f}` (expected one of {CAPTURE_FIELDS:?})"
                ));
            }
        }
        if let Some(f) = &spec.format {
            if f != "html" && f != "text" {
                return Err(format!("format must be \"html\" or \"text\", not `{f}`"));
            }
        }
        if spec.html_tail_chars.is_some() && spec.unit == Unit::Span {
            return Err("`html_tail_chars` needs a whole-unit rule, not `unit = \"span\"`".into());
        }
        Ok(TextRule {
            name: Arc::from(spec.name.as_str()),
            matcher,
            unit: spec.unit,
            scope: spec.scope,
            mode: spec.match_mode,
            max_chars: spec.max_chars,
            field: spec.field.clone(),
            format: spec.format.clone(),
            html_tail_chars: spec.html_tail_chars,
            filter: None,
        })
    }

    /// The byte range of the match in `text`, honouring the match mode and `max_chars`.
    pub fn find(&self, text: &str) -> Option<(usize, usize)> {
        self.find_in(&Probe::new(text))
    }

    /// [`TextRule::find`] on a probe, which keeps what phrase rules compute from the
    /// text (char count, folded form) for the next rule tried on the same text.
    pub fn find_in(&self, p: &Probe) -> Option<(usize, usize)> {
        if !self.fits(p) {
            return None;
        }
        match &self.matcher {
            Matcher::Regex(re, relaxed, _) => {
                if !self.may_match(p) || !relaxed.as_ref().is_none_or(|r| r.may_match(p.text)) {
                    return None;
                }
                re.find(p.text).map(|m| (m.start(), m.end()))
            }
            Matcher::Phrases(..) | Matcher::WholePhrases(..) => {
                self.phrase_match(p).then_some((0, p.text.len()))
            }
        }
    }

    /// Whether the rule matches the probe's text: `find_in(p).is_some()`, without
    /// working out where.
    pub fn matches(&self, p: &Probe) -> bool {
        if !self.fits(p) {
            return false;
        }
        match &self.matcher {
            Matcher::Regex(re, relaxed, _) => {
                self.may_match(p)
                    && relaxed.as_ref().is_none_or(|r| r.may_match(p.text))
                    && re.is_match(p.text)
            }
            Matcher::Phrases(..) | Matcher::WholePhrases(..) => self.phrase_match(p),
        }
    }

    /// Whether the shared literal filter lets the text through (always, without one).
    fn may_match(&self, p: &Probe) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|(index, bit)| p.literal_hits(index) & (1 << bit) != 0)
    }

    /// For a `match = "whole"` phrase rule: its folded phrases (the rule matches a unit
    /// whose folded form is one of them and that `max_chars` lets through).
    pub(crate) fn whole_phrases(&self) -> Option<impl Iterator<Item = &str>> {
        match &self.matcher {
            Matcher::WholePhrases(set, _) => Some(set.iter().map(String::as_str)),
            _ => None,
        }
    }

    /// `max_chars`: whether the text is short enough for the rule to look at it.
    pub(crate) fn fits(&self, p: &Probe) -> bool {
        match self.max_chars {
            Some(max) => p.text.len() <= max * 4 && p.chars() <= max,
            None => true,
        }
    }

    fn phrase_match(&self, p: &Probe) -> bool {
        if let Matcher::WholePhrases(set, longest) = &self.matcher {
            // Both sides are folded, so no ASCII upper case is left to ignore.
            return !p.more_non_space_chars(*longest) && set.contains(p.folded());
        }
        let Matcher::Phrases(ac, longest) = &self.matcher else {
            return false;
        };
        // Folding only drops spaces and trailing punctuation (lower-casing never
        // shortens), so a unit with more other characters than the longest phrase
        // cannot match whole: skip the folding for it.
        if self.mode == MatchMode::Whole && p.more_non_space_chars(*longest) {
            return false;
        }
        // Phrases compare case-folded (ASCII and the common Latin letters) text.
        // Folding can change byte offsets, so a phrase match reports the whole unit.
        let folded = p.folded();
        match self.mode {
            MatchMode::Whole => ac
                .find(folded)
                .is_some_and(|m| m.start() == 0 && m.end() == folded.len()),
            // A phrase must start and end on word boundaries, so "share" does not
            // match "shareholders".
            MatchMode::Start => ac
                .find(folded)
                .is_some_and(|m| m.start() == 0 && on_word_boundaries(folded, m.start(), m.end())),
            MatchMode::Contains => ac
                .find_iter(folded)
                .any(|m| on_word_boundaries(folded, m.start(), m.end())),
        }
    }

    /// For span rules with a `field`: the captured value (first group, else the match).
    pub fn capture(&self, text: &str) -> Option<String> {
        match &self.matcher {
            Matcher::Regex(re, ..) => {
                let c = re.captures(text)?;
                let m = c.get(1).or_else(|| c.get(0))?;
                Some(m.as_str().trim().to_string())
            }
            Matcher::Phrases(..) | Matcher::WholePhrases(..) => None,
        }
    }

    /// Whether the rule runs on pages of `format` (`html` or `text`).
    pub fn applies_to(&self, format: &str) -> bool {
        !matches!(self.format.as_deref(), Some(f) if f != format)
    }
}

/// Whether `s[start..end]` neither starts nor ends inside a word. Scripts written
/// without spaces (CJK) have no word boundaries, so they always pass.
fn on_word_boundaries(s: &str, start: usize, end: usize) -> bool {
    let joins = |a: Option<char>, b: Option<char>| match (a, b) {
        (Some(a), Some(b)) => {
            a.is_alphanumeric() && b.is_alphanumeric() && !is_cjk(a) && !is_cjk(b)
        }
        _ => false,
    };
    let m = &s[start..end];
    !joins(s[..start].chars().next_back(), m.chars().next())
        && !joins(m.chars().next_back(), s[end..].chars().next())
}

/// Han, kana and hangul: scripts that do not separate words with spaces.
pub(crate) fn is_cjk(c: char) -> bool {
    // One comparison for the common case (Latin, Cyrillic): called on every character.
    (c as u32) >= 0x3040
        && matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// Lower-case, fold whitespace and drop trailing punctuation, so phrases match loosely.
pub(crate) fn fold_phrase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.is_ascii() {
        // One pass over the bytes: the same words, lower-cased, one space apart.
        let mut gap = false;
        for &b in s.as_bytes() {
            if is_ascii_space(b) {
                gap = !out.is_empty();
            } else {
                if gap {
                    out.push(' ');
                    gap = false;
                }
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
    } else {
        for w in s.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            push_lowercase_chars(&mut out, w);
        }
    }
    let keep = out.trim_end_matches(is_fold_trailing).len();
    out.truncate(keep);
    out
}

/// `char::is_whitespace` for an ASCII byte (unlike `u8::is_ascii_whitespace`, it
/// includes the vertical tab).
pub(crate) fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// Append `w` lower-cased char by char (`char::to_lowercase`, so no final-sigma rule,
/// unlike `str::to_lowercase`); ASCII words in one go.
pub(crate) fn push_lowercase_chars(out: &mut String, w: &str) {
    if w.is_ascii() {
        let start = out.len();
        out.push_str(w);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
}

/// `s` without the trailing characters phrase folding drops: for words already
/// lower-cased and joined by single spaces, the result is their [`fold_phrase`].
pub(crate) fn trim_fold_trailing(s: &str) -> &str {
    s.trim_end_matches(is_fold_trailing)
}

/// Characters phrase folding drops from the end of a unit.
fn is_fold_trailing(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_whitespace() || matches!(c, '…' | '»' | '›' | '→')
}

fn non_space_chars(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

/// Non-space characters counted exactly up to here; beyond, only "more than this".
/// Phrases are short, and every line under a rule's `max_chars` is counted, so the
/// count stops early (a rule with a longer phrase counts on its own, uncached).
const NON_SPACE_CAP: usize = 64;

/// A unit of text about to be tried against several rules. What the rules compute from
/// the text is computed once, on first use: per page, every line meets every rule.
pub struct Probe<'a> {
    pub text: &'a str,
    chars: OnceCell<usize>,
    /// Non-space characters before the trailing punctuation, capped at `NON_SPACE_CAP + 1`.
    non_space: OnceCell<usize>,
    folded: OnceCell<Cow<'a, str>>,
    /// The literal index last scanned (its address) and the rule bits it found.
    hits: OnceCell<(usize, u64)>,
}

impl<'a> Probe<'a> {
    pub fn new(text: &'a str) -> Probe<'a> {
        Probe {
            text,
            chars: OnceCell::new(),
            non_space: OnceCell::new(),
            folded: OnceCell::new(),
            hits: OnceCell::new(),
        }
    }

    /// A probe whose char count and folded form ([`fold_phrase`]) the caller already
    /// has, e.g. from a per-line pass it makes anyway.
    pub(crate) fn with_folded(text: &'a str, chars: usize, folded: &'a str) -> Probe<'a> {
        // For ASCII, folding keeps every non-space character but the trailing ones it
        // drops, which `more_non_space_chars` does not count either.
        let non_space = OnceCell::new();
        if text.is_ascii() {
            let n = folded.len() - folded.bytes().filter(|&b| b == b' ').count();
            let _ = non_space.set(n.min(NON_SPACE_CAP + 1));
        }
        Probe {
            text,
            chars: OnceCell::from(chars),
            non_space,
            folded: OnceCell::from(Cow::Borrowed(folded)),
            hits: OnceCell::new(),
        }
    }

    /// Whether the text, without the trailing punctuation folding drops, has more than
    /// `limit` non-space characters. Most units are far longer than any phrase, so the
    /// count stops past `NON_SPACE_CAP`.
    pub(crate) fn more_non_space_chars(&self, limit: usize) -> bool {
        let trimmed = || self.text.trim_end_matches(is_fold_trailing);
        if limit >= NON_SPACE_CAP {
            return non_space_chars(trimmed()) > limit;
        }
        let n = *self.non_space.get_or_init(|| {
            trimmed()
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(NON_SPACE_CAP + 1)
                .count()
        });
        n > limit
    }

    /// The bits of the rules of `index` whose literals occur in the text; cached for
    /// the first index asked (a page's rules share one).
    fn literal_hits(&self, index: &Arc<LiteralIndex>) -> u64 {
        let id = Arc::as_ptr(index) as usize;
        match self.hits.get() {
            Some(&(cached, bits)) if cached == id => bits,
            Some(_) => index.scan(self.text),
            None => self.hits.get_or_init(|| (id, index.scan(self.text))).1,
        }
    }

    /// `text.chars().count()`.
    pub fn chars(&self) -> usize {
        *self.chars.get_or_init(|| self.text.chars().count())
    }

    /// The text as phrases are compared with it ([`fold_phrase`]).
    pub(crate) fn folded(&self) -> &str {
        self.folded
            .get_or_init(|| Cow::Owned(fold_phrase(self.text)))
    }
}

fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// `pattern` with its Unicode word boundaries (`\b`, `\B`, `\<`, ...) dropped: a
/// regex that matches wherever `pattern` does, and maybe elsewhere. `None` when
/// `pattern` has none (or the relaxed one does not build).
///
/// Why: the regex crate's fast engine (the lazy DFA) gives up on a Unicode word
/// boundary as soon as the text holds a non-ASCII character, and the fallback engines
/// cost about ten times more. Nearly every line fails the relaxed regex (it still needs
/// the rule's words), which the DFA answers; only the rest meet the exact regex.
pub(crate) fn without_unicode_word_boundaries(pattern: &str) -> Option<Regex> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    if !hir.properties().look_set().contains_word_unicode() {
        return None;
    }
    build_regex(&drop_unicode_word_looks(hir).to_string()).ok()
}

/// Most literals an exact set (every string a sub-pattern can match) may hold.
const MAX_LITERALS: usize = 256;

/// Most literals a required set may hold as the union of an alternation's branches:
/// a long phrase list in several languages (case variants spelled out) needs about
/// 300, and a rule without a filter hands every short line to the regex engine. The
/// literals of all rules go into one DFA, built once per process: start-up pays.
const MAX_REQUIRED: usize = 1024;

/// An automaton for literals one of which every match of `pattern` contains (ASCII
/// case folded), or `None` when no such set is small and selective enough.
///
/// Why: on a page every short line meets every regex rule, and nearly all lines hold
/// none of a rule's words. One literal scan answers that for a fraction of a regex
/// search. The anchors and `\s*` padding a match mode adds do not matter: a match of
/// the anchored regex contains a match of `pattern`.
fn required_literals(pattern: &str) -> Option<Literals> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut lits = required(&hir)?;
    // A text holding "date:" holds "date": the longer literal adds nothing.
    let all = lits.clone();
    lits.retain(|l| {
        !all.iter()
            .any(|o| o.len() < l.len() && memchr::memmem::find(l, o).is_some())
    });
    // Single bytes are in nearly every line: such a filter would cost and not reject.
    if lits.iter().any(|l| l.len() < 2) {
        return None;
    }
    Some(lits)
}

type Literals = Vec<Vec<u8>>;

/// The non-ASCII characters whose simple case folding holds an ASCII letter: the long
/// s (`ſ`, U+017F, folds with `s`) and the Kelvin sign (`K`, U+212A, with `k`). Under `(?i)` every `s` and `k` of a pattern may
/// be one of them, which doubles the literals per letter (`cookies` spells 8 ways) and
/// the filter's start-up; they are left out of the literals instead, and a text holding
/// one passes the filter for every rule (see [`link_literal_filters`]).
const FOLDS_TO_ASCII: [char; 2] = ['\u{17F}', '\u{212A}'];

/// Every string `h` can match, ASCII lower-cased, when that is a small finite set.
/// Look-arounds count as the empty string (a superset, which is all a filter needs).
fn exact(h: &Hir) -> Option<Literals> {
    use regex_syntax::hir::Class;
    let mut out: Literals = match h.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![Vec::new()],
        HirKind::Literal(l) => vec![l.0.to_ascii_lowercase()],
        HirKind::Class(Class::Unicode(c)) => {
            let mut v = Vec::new();
            // Alone in a class, a folding letter stays: the class needs a literal.
            let skip = |ch: char| FOLDS_TO_ASCII.contains(&ch) && c.ranges().len() > 1;
            for r in c.ranges() {
                for ch in (r.start()..=r.end()).filter(|&ch| !skip(ch)) {
                    if v.len() >= 4 {
                        return None;
                    }
                    let mut buf = [0u8; 4];
                    v.push(ch.encode_utf8(&mut buf).as_bytes().to_ascii_lowercase());
                }
            }
            v
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut v = Vec::new();
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    if v.len() >= 4 {
                        return None;
                    }
                    v.push(vec![b.to_ascii_lowercase()]);
                }
            }
            v
        }
        HirKind::Capture(c) => exact(&c.sub)?,
        HirKind::Concat(xs) => {
            let mut acc = vec![Vec::new()];
            for x in xs {
                acc = cross(&acc, &exact(x)?)?;
            }
            acc
        }
        HirKind::Alternation(xs) => {
            let mut v = Vec::new();
            for x in xs {
                v.extend(exact(x)?);
                if v.len() > MAX_LITERALS {
                    return None;
                }
            }
            v
        }
        HirKind::Repetition(r) => match (r.min, r.max) {
            (1, Some(1)) => exact(&r.sub)?,
            (0, Some(1)) => {
                let mut v = exact(&r.sub)?;
                v.push(Vec::new());
                v
            }
            _ => return None,
        },
    };
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_LITERALS).then_some(out)
}

/// Most variants one concatenation may spell (case-insensitive non-ASCII letters double
/// it per letter): past it the literal is cut, which keeps the filter small.
const MAX_VARIANTS: usize = 16;

/// Every concatenation of a string of `a` with one of `b`, if not too many.
fn cross(a: &Literals, b: &Literals) -> Option<Literals> {
    if a.len() * b.len() > MAX_VARIANTS.max(a.len()).max(b.len()) {
        return None;
    }
    let mut out: Literals = a
        .iter()
        .flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat()))
        .collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// Literals one of which every match of `h` contains (none empty), if found.
fn required(h: &Hir) -> Option<Literals> {
    if let Some(e) = exact(h).filter(|e| e.iter().all(|l| !l.is_empty())) {
        return Some(e);
    }
    match h.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(xs) => {
            let mut v = Vec::new();
            for x in xs {
                v.extend(required(x)?);
                if v.len() > MAX_REQUIRED {
                    return None;
                }
            }
            v.sort_unstable();
            v.dedup();
            Some(v)
        }
        HirKind::Concat(xs) => {
            // Any run of adjacent finite parts, or any part's own required set, will do:
            // keep the most selective (longest shortest literal, then fewest).
            let mut best: Option<Literals> = None;
            let mut consider = |c: Option<Literals>| {
                let Some(c) = c.filter(|c| !c.is_empty() && c.iter().all(|l| !l.is_empty())) else {
                    return;
                };
                let key = |s: &Literals| {
                    (
                        s.iter().map(Vec::len).min().unwrap_or(0),
                        std::cmp::Reverse(s.len()),
                    )
                };
                if best.as_ref().is_none_or(|b| key(&c) > key(b)) {
                    best = Some(c);
                }
            };
            let mut run: Literals = vec![Vec::new()];
            for x in xs {
                match exact(x) {
                    Some(e) => match cross(&run, &e) {
                        Some(c) => run = c,
                        None => consider(Some(std::mem::replace(&mut run, e))),
                    },
                    None => {
                        consider(Some(std::mem::replace(&mut run, vec![Vec::new()])));
                        consider(required(x));
                    }
                }
            }
            consider(Some(run));
            best
        }
        _ => None,
    }
}

fn drop_unicode_word_looks(h: Hir) -> Hir {
    match h.into_kind() {
        HirKind::Look(
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode,
        ) => Hir::empty(),
        HirKind::Look(l) => Hir::look(l),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(c) => Hir::class(c),
        HirKind::Repetition(mut r) => {
            r.sub = Box::new(drop_unicode_word_looks(*r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(mut c) => {
            c.sub = Box::new(drop_unicode_word_looks(*c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(v) => Hir::concat(v.into_iter().map(drop_unicode_word_looks).collect()),
        HirKind::Alternation(v) => {
            Hir::alternation(v.into_iter().map(drop_unicode_word_looks).collect())
        }
    }
}

/// The compiled rule set, shared read-only by all workers.
#[derive(Default)]
pub struct TextRules {
    pub rules: Vec<TextRule>,
}

/// A value a span rule captured, e.g. the date of a ` date 2024-01-04 ` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub field: String,
    pub value: String,
    pub rule: Arc<str>,
}

impl TextRules {
    /// Apply every rule to `blocks` (the page's blocks, in order), marking removed
    /// blocks and cutting removed lines and spans. `format` is `html` or `text`.
    ///
    /// Returns the values span rules captured and the text removed from inside blocks
    /// (as `(rule, removed text)`), so the record can count it.
    pub fn apply(
        &self,
        blocks: &mut Vec<Block>,
        format: &str,
    ) -> (Vec<Capture>, Vec<(Arc<str>, String)>) {
        let mut captures = Vec::new();
        let mut cut = Vec::new();
        let active: Vec<&TextRule> = self.rules.iter().filter(|r| r.applies_to(format)).collect();
        if active.is_empty() {
            return (captures, cut);
        }
        // Lines become blocks of their own when a line rule matches any of them, so
        // every unit can be kept or removed on its own.
        split_matching_lines(blocks, &active);

        // Span rules: cut the matched text out of kept blocks.
        for rule in active.iter().filter(|r| r.unit == Unit::Span) {
            let edge_limit = edge_window(rule.scope);
            // Windows count kept blocks only: once the classifier (or the HTML pass) has
            // removed a page's chrome, the "first block" is the first block of the text.
            let n = blocks.iter().filter(|b| b.is_kept()).count();
            let mut i = 0;
            for b in blocks.iter_mut() {
                if !b.is_kept() {
                    continue;
                }
                i += 1;
                if !in_window(rule.scope, i - 1, n, edge_limit) {
                    continue;
                }
                if let Some((s, e)) = rule.find(&b.text) {
                    if s == e {
                        continue;
                    }
                    if let Some(f) = &rule.field {
                        if let Some(v) = rule.capture(&b.text[s..e]) {
                            captures.push(Capture {
                                field: f.clone(),
                                value: v,
                                rule: rule.name.clone(),
                            });
                        }
                    }
                    let removed = b.text[s..e].to_string();
                    b.text.replace_range(s..e, " ");
                    let t = b.text.trim();
                    if t.len() != b.text.len() {
                        b.text = t.to_string();
                    }
                    cut.push((rule.name.clone(), removed));
                    if b.text.is_empty() {
                        b.removed_by = Some(rule.name.clone());
                    }
                }
            }
        }

        // Whole-unit rules that may fire anywhere.
        for b in blocks.iter_mut().filter(|b| b.is_kept()) {
            let probe = Probe::new(&b.text);
            if let Some(r) = active
                .iter()
                .find(|r| r.unit != Unit::Span && r.scope == Scope::Anywhere && r.matches(&probe))
            {
                b.removed_by = Some(r.name.clone());
            }
        }

        if format == "html" {
            cut_tail_sections(blocks, &active);
        }

        // Edge rules: walk in from each end while units match (or were already removed).
        let leading: Vec<&&TextRule> = active
            .iter()
            .filter(|r| r.unit != Unit::Span && matches!(r.scope, Scope::Leading | Scope::Edges))
            .collect();
        let trailing: Vec<&&TextRule> = active
            .iter()
            .filter(|r| r.unit != Unit::Span && matches!(r.scope, Scope::Trailing | Scope::Edges))
            .collect();
        if !leading.is_empty() {
            for b in blocks.iter_mut() {
                if !edge_step(b, &leading) {
                    break;
                }
            }
        }
        if !trailing.is_empty() {
            for b in blocks.iter_mut().rev() {
                if !edge_step(b, &trailing) {
                    break;
                }
            }
        }
        (captures, cut)
    }
}

/// The `html_tail_chars` rules: walking back from the end over the kept blocks while
/// they hold at most the largest limit, find the farthest heading a rule matches within
/// its own limit, and remove it with every kept block after it. Headings only: a
/// paragraph such as "Recommended:" also opens a product's system requirements.
fn cut_tail_sections(blocks: &mut [Block], rules: &[&TextRule]) {
    use crate::block::BlockKind;
    let tail: Vec<&TextRule> = rules
        .iter()
        .copied()
        .filter(|r| r.html_tail_chars.is_some())
        .collect();
    let Some(max_chars) = tail.iter().filter_map(|r| r.html_tail_chars).max() else {
        return;
    };
    let mut rest = 0usize;
    let mut cut: Option<(usize, Arc<str>)> = None;
    for (i, b) in blocks.iter().enumerate().rev() {
        if !b.is_kept() {
            continue;
        }
        rest += b.text.chars().count();
        if rest > max_chars {
            break;
        }
        if !matches!(b.kind, BlockKind::Heading(_)) {
            continue;
        }
        let probe = Probe::new(&b.text);
        if let Some(r) = tail
            .iter()
            .find(|r| r.html_tail_chars.is_some_and(|m| rest <= m) && r.matches(&probe))
        {
            cut = Some((i, r.name.clone()));
        }
    }
    if let Some((i, name)) = cut {
        for b in blocks[i..].iter_mut().filter(|b| b.is_kept()) {
            b.removed_by = Some(name.clone());
        }
    }
}

/// One step of an edge walk: `true` to keep walking (the block is or became removed).
fn edge_step(b: &mut Block, rules: &[&&TextRule]) -> bool {
    if !b.is_kept() {
        return true;
    }
    if b.text.trim().is_empty() {
        return true;
    }
    let probe = Probe::new(&b.text);
    match rules.iter().find(|r| r.matches(&probe)) {
        Some(r) => {
            b.removed_by = Some(r.name.clone());
            true
        }
        None => false,
    }
}

/// How many blocks from an edge a scoped span rule may look at.
fn edge_window(scope: Scope) -> usize {
    match scope {
        Scope::Anywhere => usize::MAX,
        _ => 1,
    }
}

fn in_window(scope: Scope, i: usize, n: usize, w: usize) -> bool {
    match scope {
        Scope::Anywhere => true,
        Scope::Leading => i < w,
        Scope::Trailing => i + w >= n,
        Scope::Edges => i < w || i + w >= n,
    }
}

/// Split multi-line blocks into one block per line where some line rule matches a line,
/// so that only the matching lines are removed.
fn split_matching_lines(blocks: &mut Vec<Block>, rules: &[&TextRule]) {
    let line_rules: Vec<&&TextRule> = rules.iter().filter(|r| r.unit == Unit::Line).collect();
    if line_rules.is_empty() || !blocks.iter().any(|b| b.is_kept() && b.text.contains('\n')) {
        return;
    }
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks.drain(..) {
        let splittable =
            b.is_kept() && b.text.contains('\n') && b.kind != crate::block::BlockKind::Code;
        if splittable
            && b.text.lines().any(|l| {
                let probe = Probe::new(l);
                line_rules.iter().any(|r| r.matches(&probe))
            })
        {
            for l in b.text.lines().filter(|l| !l.trim().is_empty()) {
                out.push(Block::new(l.trim(), b.kind));
            }
        } else {
            out.push(b);
        }
    }
    *blocks = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml_src: &str) -> TextRule {
        let spec: TextRuleSpec = toml::from_str(toml_src).unwrap();
        TextRule::compile(&spec).unwrap()
    }

    fn texts(blocks: &[Block]) -> Vec<(&str, Option<&str>)> {
        blocks
            .iter()
            .map(|b| (b.text.as_str(), b.removed_by.as_deref()))
            .collect()
    }

    #[test]
    fn a_related_heading_near_the_end_cuts_its_section_on_html_pages_only() {
        use crate::block::BlockKind;
        let rules = TextRules {
            rules: vec![rule(
                "name = \"text-related\"\nphrases = [\"More on this topic\"]\n\
                 unit = \"line\"\nscope = \"edges\"\nhtml_tail_chars = 120",
            )],
        };
        let para = "The council said the bridge will reopen in two years, after the repairs.";
        let page = |extra: usize| {
            let mut b = vec![
                Block::new(para, BlockKind::Paragraph),
                Block::new("More on this topic", BlockKind::Heading(2)),
                Block::new("Bridge repairs start in May", BlockKind::ListItem),
                Block::new("New trams for the city", BlockKind::ListItem),
            ];
            b.extend((0..extra).map(|_| Block::new(para, BlockKind::Paragraph)));
            b
        };
        let mut html = page(0);
        rules.apply(&mut html, "html");
        assert_eq!(
            texts(&html),
            vec![
                (para, None),
                ("More on this topic", Some("text-related")),
                ("Bridge repairs start in May", Some("text-related")),
                ("New trams for the city", Some("text-related")),
            ]
        );
        // A text dump keeps the edge scope: the teaser lines stop the walk from the end.
        let mut text = page(0);
        rules.apply(&mut text, "text");
        assert!(text.iter().all(|b| b.is_kept()), "{:?}", texts(&text));
        // More than html_tail_chars after it: a section heading inside the article.
        let mut long = page(1);
        rules.apply(&mut long, "html");
        assert!(long.iter().all(|b| b.is_kept()), "{:?}", texts(&long));
    }

    /// The literal filter may only reject texts the regex rejects too.
    #[test]
    fn required_literals_never_reject_a_match() {
        let texts = [
            "12 Comments",
            "Keine Kommentare",
            "Comments (3)",
            "KOMMENTARE (12)",
            "Photo: Reuters",
            "Foto: dpa",
            "By Jane Doe",
            "Von Max Mustermann",
            "Copyright © 2024 Example Inc. All rights reserved.",
            "We use cookies to improve your experience.",
            "Read also: The other story",
            "Your email address will not be published. Required fields are marked *",
            "Sign up for our free newsletter",
            "Ähnliche Beiträge zum Thema:",
            "date 2024-01-04 White House claimed.",
            "Disclaimer: we cannot verify this.",
            "The minister said on Tuesday that the budget would pass.",
            "ſtimmen 4 Stimmen",
            "Related Articles",
            "You might also like",
            "Lesen Sie auch:",
            "Los más leídos",
            "Похожие статьи",
            "ПОХОЖИЕ МАТЕРИАЛЫ",
            "関連記事",
            "Diese Webseite verwendet Cookies.",
            "Мы используем файлы cookie",
            "Cookie-Einstellungen",
            "Paramètres des cookies",
        ];
        let cfg = crate::config::Rules::defaults().config;
        let mut filtered = 0;
        let mut unfiltered = Vec::new();
        for spec in &cfg.text.rules {
            let Some(p) = &spec.pattern else { continue };
            let re = Regex::new(p).unwrap();
            let Some(lits) = required_literals(p) else {
                unfiltered.push(spec.name.as_str());
                continue;
            };
            let lits = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&lits)
                .unwrap();
            filtered += 1;
            for t in texts {
                if re.is_match(t) {
                    assert!(lits.is_match(t), "{}: filter rejects {t:?}", spec.name);
                }
            }
            assert!(
                !lits.is_match("The minister said on Tuesday that the budget would pass."),
                "{}: filter passes plain prose",
                spec.name
            );
        }
        assert!(filtered >= 6, "only {filtered} rules have a literal filter");
        // Long multi-language phrase lists (over MAX_LITERALS literals when every branch
        // keeps its most selective set) still get a filter: they run on every short line.
        for name in ["text-cookie-notice", "text-related-heading"] {
            assert!(!unfiltered.contains(&name), "{name} has no literal filter");
        }
    }

    fn filter(p: &str) -> Option<AhoCorasick> {
        let lits = required_literals(p)?;
        Some(
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&lits)
                .unwrap(),
        )
    }

    #[test]
    fn linked_rules_match_as_unlinked_ones() {
        let cfg = crate::config::Rules::defaults().config;
        let plain: Vec<TextRule> = cfg
            .text
            .rules
            .iter()
            .map(|s| TextRule::compile(s).unwrap())
            .collect();
        let mut linked = plain.clone();
        link_literal_filters(&mut linked);
        assert!(linked.iter().filter(|r| r.filter.is_some()).count() >= 6);
        for t in [
            "12 Comments",
            "Photo: Reuters",
            "By Jane Doe",
            "Copyright 2024 Example. All rights reserved.",
            "Read also: more",
            "The minister said on Tuesday that the budget would pass.",
            // Long s and Kelvin sign: left out of the literals, let through by the filter.
            "Coo\u{212A}ie \u{17F}ettings",
            "All rights re\u{17F}erved.",
            "\u{17F}ign up for our newsletter",
            "The \u{17F}tory of the minister",
        ] {
            let probe = Probe::new(t);
            for (a, b) in plain.iter().zip(&linked) {
                assert_eq!(
                    a.matches(&Probe::new(t)),
                    b.matches(&probe),
                    "{} on {t}",
                    a.name
                );
                assert_eq!(a.find(t), b.find_in(&probe), "{} on {t}", a.name);
            }
        }
    }

    #[test]
    fn required_literals_cover_case_variants_and_alternatives() {
        let lits = filter("(?i)(?:read also|lesen sie auch)\\b").unwrap();
        for t in ["READ ALSO", "Lesen Sie auch", "x read also y"] {
            assert!(lits.is_match(t), "{t}");
        }
        assert!(!lits.is_match("read more"));
        // Kelvin sign and long s fold to k and s under Unicode case folding. The literals
        // leave them out; a linked filter lets every text holding one through.
        let lits = filter("(?i)kosten").unwrap();
        assert!(lits.is_match("KOSTEN") && !lits.is_match("\u{212A}o\u{17F}ten"));
        let mut linked = vec![rule(
            "name = \"k\"\npattern = \"(?i)kosten\"\nmatch = \"contains\"",
        )];
        link_literal_filters(&mut linked);
        assert!(linked[0].filter.is_some());
        for t in [
            "\u{212A}o\u{17F}ten",
            "die \u{212A}osten",
            "Ko\u{17F}ten?",
            "KOSTEN",
        ] {
            assert!(linked[0].matches(&Probe::new(t)), "{t}");
        }
        assert!(!linked[0].matches(&Probe::new("\u{212A}elvin und \u{17F}o")));
        // Nothing required: no filter.
        assert!(required_literals("\\d+").is_none());
        assert!(required_literals("(?:ab)?c*").is_none());
    }

    #[test]
    fn trailing_rule_only_fires_at_the_end() {
        let rules = TextRules {
            rules: vec![rule(
                "name='share'\nphrases=['Share this news']\nscope='trailing'\nunit='line'",
            )],
        };
        let mut blocks = vec![
            Block::para("Share this news"),
            Block::para("Body text that stays."),
            Block::para("Share this news"),
        ];
        rules.apply(&mut blocks, "text");
        assert_eq!(
            texts(&blocks),
            vec![
                ("Share this news", None),
                ("Body text that stays.", None),
                ("Share this news", Some("share")),
            ]
        );
    }

    #[test]
    fn line_rules_split_a_widget_paragraph() {
        let rules = TextRules {
            rules: vec![rule(
                "name='w'\nphrases=['Notify of','Article Rating']\nunit='line'\nscope='trailing'",
            )],
        };
        let mut blocks = vec![
            Block::para("Body."),
            Block::para("Article Rating\nNotify of"),
        ];
        rules.apply(&mut blocks, "text");
        assert_eq!(
            texts(&blocks),
            vec![
                ("Body.", None),
                ("Article Rating", Some("w")),
                ("Notify of", Some("w"))
            ]
        );
    }

    #[test]
    fn span_rule_captures_a_field() {
        let rules = TextRules {
            rules: vec![rule(
                r"name='date-header'
pattern='date\s+(\d{4}-\d{2}-\d{2})\s'
unit='span'
match='start'
scope='leading'
field='date'",
            )],
        };
        let mut blocks = vec![
            Block::para(" date 2024-01-04 White House claimed."),
            Block::para("More."),
        ];
        let (caps, cut) = rules.apply(&mut blocks, "text");
        assert_eq!(caps[0].value, "2024-01-04");
        assert_eq!(blocks[0].text, "White House claimed.");
        assert_eq!(cut.len(), 1);
    }

    #[test]
    fn whole_match_ignores_case_and_trailing_punctuation() {
        let r = rule("name='x'\nphrases=['read more']");
        assert!(r.find("Read More »").is_some());
        assert!(r.find("Read more about the plan").is_none());
    }

    #[test]
    fn bad_regex_is_an_error() {
        let spec: TextRuleSpec = toml::from_str("name='x'\npattern='(unclosed'").unwrap();
        let err = TextRule::compile(&spec).err().unwrap();
        assert!(err.contains("bad regex"));
    }

    #[test]
    fn phrases_respect_word_boundaries() {
        let r = rule("name='x'\nphrases=['share']\nmatch='start'");
        assert!(r.find("Share: Facebook").is_some());
        assert!(r.find("Shareholders approved the deal").is_none());
        let r = rule("name='x'\nphrases=['cookies']\nmatch='contains'");
        assert!(r.find("We use cookies here").is_some());
        assert!(r.find("Bake the cookiesheet").is_none());
        let r = rule("name='x'\nphrases=['シェア']\nmatch='contains'");
        assert!(r.find("この記事をシェアする").is_some());
    }

    #[test]
    fn whole_phrase_match_survives_padding_and_rejects_long_units() {
        let r = rule("name='x'\nphrases=['Share this news']");
        assert!(r.find("  Share   this\tnews !!! ").is_some());
        assert!(r.find("Share this news and more").is_none());
        assert!(r.find(&"Share this news ".repeat(50)).is_none());
    }

    #[test]
    fn leading_span_window_skips_removed_blocks() {
        let rules = TextRules {
            rules: vec![rule(
                r"name='d'
pattern='date\s+(\d{4}-\d{2}-\d{2})\s'
unit='span'
match='start'
scope='leading'
field='date'",
            )],
        };
        let mut blocks = vec![
            Block::removed("Menu", crate::block::BlockKind::Paragraph, Arc::from("nav")),
            Block::para("date 2024-01-04 Text."),
            Block::para("date 2024-02-02 Later."),
        ];
        let (caps, _) = rules.apply(&mut blocks, "text");
        assert_eq!(caps.len(), 1);
        assert_eq!(caps[0].value, "2024-01-04");
        assert_eq!(blocks[2].text, "date 2024-02-02 Later.");
    }

    #[test]
    fn unicode_word_boundaries_hold_on_non_ascii_text() {
        // The relaxed pre-check drops `\b`; the exact regex must still decide.
        let r = rule("name='x'\npattern='(?i)\\bcookies\\b'\nmatch='contains'\nunit='line'");
        assert!(r.find("Café — we use cookies here").is_some());
        assert!(r.find("Café — bake the cookiesheet").is_none());
        assert!(r.find("Café — bake the écookies").is_none());
        assert!(r.find("Café — no biscuits").is_none());
        let p = Probe::new("Ünser Café nutzt cookies.");
        assert!(r.matches(&p));
        assert_eq!(r.find_in(&p), Some((19, 26)));
        // ASCII text skips the pre-check, which is built on the first non-ASCII text.
        let r = rule("name='x'\npattern='(?i)\\bcookies\\b'\nmatch='contains'\nunit='line'");
        let built = |r: &TextRule| match &r.matcher {
            Matcher::Regex(_, Some(relaxed), _) => relaxed.built.get().is_some(),
            _ => panic!("no relaxed regex"),
        };
        let plain = Regex::new("(?i)\\bcookies\\b").unwrap();
        for t in [
            "we use cookies",
            "bake the cookiesheet",
            "COOKIES!",
            "no biscuits",
        ] {
            assert_eq!(
                r.find(t),
                plain.find(t).map(|m| (m.start(), m.end())),
                "{t}"
            );
        }
        assert!(!built(&r));
        assert!(r.find("Café — bake the écookies").is_none());
        assert!(built(&r));
    }

    #[test]
    fn max_chars_keeps_rules_off_long_paragraphs() {
        let r = rule("name='x'\npattern='(?i)disclaimer'\nmatch='start'\nmax_chars=20");
        assert!(r.find("Disclaimer: short").is_some());
        assert!(r
            .find("Disclaimer: this is a much longer paragraph")
            .is_none());
    }
}
