//! The HTML path: walk the parsed DOM once into a flat arena of elements and text
//! blocks, drop what never holds content (tags, hidden elements, `[[html.rules]]`),
//! score the remaining elements to find the main content (readability's idea:
//! paragraph scores flow up to their ancestors, damped by link density and class/id
//! hints), join related siblings, and emit every block marked kept or removed.
//!
//! Nothing here recurses over the tree, so arbitrarily deep pages are safe.

use std::sync::Arc;

use ego_tree::iter::Edge;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use scraper::{ElementRef, Html, Node, Selector};
use serde::Deserialize;

use crate::block::{Block, BlockKind, Shape};

/// Rule names the HTML path uses for its own decisions; `disable` accepts them.
pub const BUILTIN_RULES: &[&str] = &[
    RULE_HIDDEN,
    RULE_TAGS,
    RULE_CHROME_TAGS,
    RULE_DIALOG,
    RULE_OUTSIDE,
    RULE_LINK_DENSITY,
    RULE_TITLE,
    RULE_DUPLICATE,
    RULE_EDGE,
];
const RULE_HIDDEN: &str = "html-hidden";
const RULE_TAGS: &str = "html-tags";
const RULE_CHROME_TAGS: &str = "html-chrome-tags";
/// Elements a script shows as a dialog (`role="dialog"`, `aria-modal="true"`): consent
/// and policy pop-ups, cart drawers. Like chrome tags, kept inside `<article>`/`<main>`.
const RULE_DIALOG: &str = "html-dialog";
const RULE_OUTSIDE: &str = "html-outside-content";
const RULE_LINK_DENSITY: &str = "html-link-density";
const RULE_TITLE: &str = "html-title";
const RULE_DUPLICATE: &str = "html-duplicate";
const RULE_EDGE: &str = "html-edge-trim";

/// `[html]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {
    /// Elements that never hold article text; dropped with their subtree (rule `html-tags`).
    pub drop_tags: Vec<String>,
    /// Elements dropped unless inside `<article>` or `<main>` (rule `html-chrome-tags`).
    pub chrome_tags: Vec<String>,
    /// Class/id regex that marks likely content containers.
    pub positive_hints: String,
    /// Class/id regex that marks likely chrome containers.
    pub negative_hints: String,
    /// Blocks shorter than this (chars) add nothing to their ancestors' scores.
    pub min_paragraph_chars: usize,
    /// A sibling of the best container joins the content when its score is at least this share of the best.
    pub sibling_share: f32,
    /// Blocks inside the content with a larger share of link text are removed (`html-link-density`)...
    pub max_link_density: f32,
    /// ...unless they are at least this long (chars).
    pub link_density_min_chars: usize,
    /// List items at least this long (chars) are exempt from `html-link-density`.
    pub link_density_item_min_chars: usize,
    /// Headings are exempt from `html-link-density`.
    pub link_density_keep_headings: bool,
    /// A kept block at least this long (chars) that repeats an earlier kept block
    /// word for word is removed (`html-duplicate`): teasers, mobile copies, quotes.
    pub duplicate_min_chars: usize,
    /// A rule never drops an element that holds more than this share of the page's text.
    pub guard_share: f32,
    /// ...unless the good text left outside the element is at least this many chars:
    /// then the page has content of its own and the rule's verdict stands (a product
    /// page's review list or a policy modal can outweigh the description).
    pub guard_rest_chars: usize,
    /// The rules `guard_rest_chars` applies to (all others keep the plain guard).
    pub guard_rest_rules: Vec<String>,
    /// Rules that drop their elements whatever share of the page they hold: a consent
    /// banner is never the content, even beside a grid of tiles with less text. (The
    /// root `<html>` element, which some sites class `cookie-banner-visible`, is never
    /// dropped.)
    pub guard_exempt_rules: Vec<String>,
    /// Rules guarded element by element only: their elements' text is not added up
    /// against `guard_share` (many small asides or forms are still chrome).
    pub guard_each_rules: Vec<String>,
    /// When the chosen content holds less than this share of the page's good text,
    /// the whole page (minus dropped elements) is used instead.
    pub fallback_share: f32,
    /// When the best-scoring container holds less than this share of the page's good
    /// text, the content moves up to its parent (repeatedly)...
    pub climb_share: f32,
    /// ...unless the parent's link density is above this.
    pub climb_max_link_density: f32,
    /// An article body split around a table, an ad or a box is several containers:
    /// after the climb above, the content looks up at most this many more levels
    /// (0: never), while what an ancestor adds is prose (good text is at least
    /// `climb_prose_share` of it: menus and teaser lists are short or linked)...
    pub climb_prose_levels: usize,
    /// ...and moves up to the ancestor when it adds at least this much good text
    /// above the content, and no more text below it than above (what follows a
    /// body - references, terms, author bios, related stories - is prose too).
    pub climb_prose_min_chars: usize,
    /// See `climb_prose_levels`.
    pub climb_prose_share: f32,
    /// The headline, standfirst and byline often sit just above the chosen body, in
    /// a header element of their own: walking back from the content's first block over
    /// at most this many chars, the blocks left outside up to the farthest heading are
    /// joined to the content (0 turns this off)...
    pub lede_window_chars: usize,
    /// ...stopping at a block left outside whose link density is above this (a menu).
    pub lede_max_link_density: f32,
    /// A paragraph left outside in that window with at least this many non-space
    /// chars that ends like a sentence is a standfirst or intro, and joins like a
    /// heading does (0: only headings join).
    pub lede_para_chars: usize,
    /// Look back for the lede even when the chosen body opens with a heading of its
    /// own (a section or teaser heading rather than the headline).
    pub lede_after_heading: bool,
    /// A kept block "reads like text" when it is at least `edge_good_chars` long, or is
    /// a non-heading at least `edge_sentence_chars` long that ends like a sentence. Short
    /// paragraphs and headings after the last such block (subscribe lines, copyright,
    /// "follow us", "read also") are removed (`html-edge-trim`); list items, table rows
    /// and code end the content as prose does (ingredients, sources, specs)...
    pub edge_good_chars: usize,
    /// ...see `edge_good_chars`.
    pub edge_sentence_chars: usize,
    /// ...as long as the trimmed text is at most this share of the kept text.
    pub edge_max_share: f32,
    /// At the start of the content, short paragraphs (at most `head_date_max_chars`
    /// non-space chars) that wholly match this pattern (dates, times) before the first
    /// block of `edge_good_chars` are removed (`html-edge-trim`); empty: off.
    pub head_date_pattern: String,
    /// ...see `head_date_pattern`.
    pub head_date_max_chars: usize,
    /// Listing pages (news lists, search results, product grids): a container whose
    /// children repeat one shape (same tag and class), at least `listing_min_items` of
    /// them with text...
    pub listing_min_items: usize,
    /// ...averaging at least this many chars each (menus have shorter items)...
    pub listing_item_min_chars: usize,
    /// ...and holding at least this share of the page's kept text, replaces the chosen
    /// content when its items hold more text than that content does.
    pub listing_share: f32,
    /// Text counts for `listing_share` (and against the chosen content) only in blocks
    /// at least this long, linked or not: menus are made of short links.
    pub listing_block_chars: usize,
    /// The listing replaces the chosen content only when its items hold more than this
    /// many times the content's text in long blocks.
    pub listing_over: f32,
    /// Homepages split their list into sections (one per topic), each below
    /// `listing_share`: items of one shape (with a class) under at least this many
    /// parents count as one listing, in the parents' nearest common ancestor, when the
    /// chosen content holds fewer than `listing_merge_max_content` kept chars (a story
    /// beside sections of teasers is longer). 0 switches it off.
    pub listing_merge_parents: usize,
    /// ...see `listing_merge_parents`.
    pub listing_merge_max_content: usize,
    /// Product grids: tiles of a short name and a price fall below
    /// `listing_block_chars`. Failing the listing test, at least `listing_tile_min_items`
    /// items of one shape averaging `listing_tile_item_min_chars` of kept text, holding
    /// `listing_tile_share` of the page's kept text and more than `listing_tile_over`
    /// times the chosen content's, are the content, every block of them kept whatever
    /// its links. 0 switches it off.
    pub listing_tile_min_items: usize,
    /// ...see `listing_tile_min_items`.
    pub listing_tile_item_min_chars: usize,
    /// ...see `listing_tile_min_items`.
    pub listing_tile_share: f32,
    /// ...see `listing_tile_min_items`.
    pub listing_tile_over: f32,
    /// ...and whose items average at most this many kept chars: product tiles are a
    /// name and a price, news teasers beside a story are longer.
    pub listing_tile_item_max_chars: usize,
    /// ...and only when the chosen content holds fewer kept chars than this: a grid's
    /// own text is a short category blurb, a story beside a grid of teasers is longer.
    pub listing_tile_max_content: usize,
    /// Threads (forums, Q&A, comments as the content): when the chosen container, or
    /// one of its `thread_levels` nearest ancestors, has at least `thread_min_items`
    /// siblings-or-self of its tag and class holding `thread_item_chars` of good text
    /// each, their parent becomes the content. 0 switches it off.
    pub thread_min_items: usize,
    /// ...see `thread_min_items`.
    pub thread_item_chars: usize,
    /// ...see `thread_min_items`.
    pub thread_levels: usize,
    /// ...and whose link density is at most this (teasers of a listing are mostly links).
    pub thread_max_link_density: f32,
    /// Lists of links (an aggregator's front page, a link directory): when
    /// `html-link-density` removed more than this many times the text it left in the
    /// content, and at least `link_listing_min_chars`, while the content kept fewer
    /// than `link_listing_max_kept` chars (ranks, labels), the links were the content
    /// and come back. 0 switches it off.
    pub link_listing_over: f32,
    /// ...see `link_listing_over`.
    pub link_listing_min_chars: usize,
    /// ...see `link_listing_over`.
    pub link_listing_max_kept: usize,
    /// `[[html.rules]]`: elements to drop, by CSS selector or class/id regex.
    pub rules: Vec<HtmlRuleSpec>,
}

impl Default for HtmlConfig {
    fn default() -> Self {
        HtmlConfig {
            drop_tags: Vec::new(),
            chrome_tags: Vec::new(),
            positive_hints: String::new(),
            negative_hints: String::new(),
            min_paragraph_chars: 25,
            sibling_share: 0.2,
            max_link_density: 0.5,
            link_density_min_chars: 300,
            link_density_item_min_chars: 80,
            link_density_keep_headings: true,
            duplicate_min_chars: 40,
            guard_share: 0.5,
            guard_rest_chars: usize::MAX,
            guard_rest_rules: Vec::new(),
            guard_exempt_rules: Vec::new(),
            guard_each_rules: Vec::new(),
            fallback_share: 0.25,
            climb_share: 0.6,
            climb_max_link_density: 0.3,
            climb_prose_levels: 0,
            climb_prose_min_chars: 500,
            climb_prose_share: 0.8,
            lede_window_chars: 0,
            lede_max_link_density: 0.3,
            lede_para_chars: 0,
            lede_after_heading: false,
            edge_good_chars: 100,
            edge_sentence_chars: 25,
            edge_max_share: 0.2,
            head_date_pattern: String::new(),
            head_date_max_chars: 30,
            listing_min_items: 4,
            listing_item_min_chars: 40,
            listing_share: 0.4,
            listing_block_chars: 60,
            listing_over: 5.0,
            listing_merge_parents: 0,
            listing_merge_max_content: usize::MAX,
            listing_tile_min_items: 0,
            listing_tile_item_min_chars: 15,
            listing_tile_share: 0.4,
            listing_tile_over: 2.0,
            listing_tile_item_max_chars: usize::MAX,
            listing_tile_max_content: usize::MAX,
            thread_min_items: 0,
            thread_item_chars: 100,
            thread_levels: 3,
            thread_max_link_density: 0.2,
            link_listing_over: 0.0,
            link_listing_min_chars: 500,
            link_listing_max_kept: 2000,
            rules: Vec::new(),
        }
    }
}

impl HtmlConfig {
    /// Range problems in thresholds, as messages.
    pub fn validate(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, v) in [
            ("html.sibling_share", self.sibling_share),
            ("html.max_link_density", self.max_link_density),
            ("html.guard_share", self.guard_share),
            ("html.fallback_share", self.fallback_share),
            ("html.climb_share", self.climb_share),
            ("html.climb_max_link_density", self.climb_max_link_density),
            ("html.climb_prose_share", self.climb_prose_share),
            ("html.lede_max_link_density", self.lede_max_link_density),
            ("html.edge_max_share", self.edge_max_share),
            ("html.listing_share", self.listing_share),
            ("html.listing_tile_share", self.listing_tile_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                out.push(format!("{name} = {v} is out of range 0..1"));
            }
        }
        out
    }
}

/// One `[[html.rules]]` table: give `selector` (CSS) or `class_id` (a regex tested
/// against the element's `class` and `id` attributes), or both (both must match).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlRuleSpec {
    pub name: String,
    #[serde(default)]
    pub selector: Option<String>,
    #[serde(default)]
    pub class_id: Option<String>,
    /// A regex on the same `"<class> <id>"`: an element it matches is not taken by this
    /// rule (a product-details panel built as a modal is the content, not a pop-up).
    #[serde(default)]
    pub unless_class_id: Option<String>,
}

/// A compiled HTML rule.
pub struct HtmlRule {
    pub name: Arc<str>,
    selector: Option<Selector>,
    class_id: Option<Regex>,
    unless_class_id: Option<Regex>,
}

impl HtmlRule {
    /// Compile a spec; the error says what is wrong.
    pub fn compile(spec: &HtmlRuleSpec) -> Result<HtmlRule, String> {
        if spec.name.trim().is_empty() {
            return Err("rule has an empty name".into());
        }
        if spec.selector.is_none() && spec.class_id.is_none() {
            return Err("needs a `selector` or `class_id`".into());
        }
        let selector = match &spec.selector {
            Some(s) => {
                Some(Selector::parse(s).map_err(|e| format!("bad CSS selector `{s}`: {e}"))?)
            }
            None => None,
        };
        let class_id = match &spec.class_id {
            Some(p) => Some(compile_regex(p)?),
            None => None,
        };
        let unless_class_id = match &spec.unless_class_id {
            Some(p) => Some(compile_regex(p)?),
            None => None,
        };
        Ok(HtmlRule {
            name: Arc::from(spec.name.as_str()),
            selector,
            class_id,
            unless_class_id,
        })
    }
}

fn compile_regex(p: &str) -> Result<Regex, String> {
    RegexBuilder::new(p)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| format!("bad regex: {e}"))
}

/// Compiled `[html]` settings.
pub struct Compiled {
    drop_tags: Vec<String>,
    chrome_tags: Vec<String>,
    positive: Option<Regex>,
    head_date: Option<Regex>,
    negative: Option<Regex>,
    /// All `class_id` rules at once, for one test per element.
    class_set: RegexSet,
    /// Index into the rule list for each pattern of `class_set`.
    class_rule: Vec<usize>,
    /// Each pattern's `unless_class_id`, compiled.
    class_unless: Vec<Option<Regex>>,
    /// Each pattern's rule among the enabled rules (the compiled [`HtmlRule`] list
    /// [`crate::config::Rules`] pairs with this), and that list's length.
    class_pos: Vec<usize>,
    enabled_rules: usize,
    names: Names,
    cfg: HtmlConfig,
}

/// Rule names as shared strings (one allocation per run, not per block).
struct Names {
    hidden: Option<Arc<str>>,
    tags: Option<Arc<str>>,
    chrome: Option<Arc<str>>,
    dialog: Option<Arc<str>>,
    outside: Option<Arc<str>>,
    link_density: Option<Arc<str>>,
    title: Option<Arc<str>>,
    duplicate: Option<Arc<str>>,
    edge: Option<Arc<str>>,
}

impl Compiled {
    /// Compile; `enabled` says whether a built-in rule name is switched on.
    pub fn new(cfg: &HtmlConfig, enabled: &dyn Fn(&str) -> bool) -> Result<Compiled, String> {
        let name = |n: &str| enabled(n).then(|| Arc::<str>::from(n));
        let opt_re = |p: &str| -> Result<Option<Regex>, String> {
            if p.is_empty() {
                Ok(None)
            } else {
                compile_regex(p).map(Some)
            }
        };
        let mut patterns = Vec::new();
        let mut class_rule = Vec::new();
        let mut class_unless = Vec::new();
        let mut class_pos = Vec::new();
        let mut enabled_rules = 0;
        for (i, r) in cfg.rules.iter().enumerate() {
            let on = enabled(&r.name);
            enabled_rules += usize::from(on);
            if let (Some(p), None) = (&r.class_id, &r.selector) {
                if on {
                    patterns.push(p.clone());
                    class_rule.push(i);
                    class_pos.push(enabled_rules - 1);
                    class_unless.push(match &r.unless_class_id {
                        Some(u) => Some(compile_regex(u).map_err(|e| format!("{}: {e}", r.name))?),
                        None => None,
                    });
                }
            }
        }
        let class_set = RegexSetBuilder::new(&patterns)
            .size_limit(1 << 24)
            .build()
            .map_err(|e| format!("class_id patterns: {e}"))?;
        Ok(Compiled {
            drop_tags: cfg
                .drop_tags
                .iter()
                .map(|t| t.to_ascii_lowercase())
                .collect(),
            chrome_tags: cfg
                .chrome_tags
                .iter()
                .map(|t| t.to_ascii_lowercase())
                .collect(),
            head_date: opt_re(&cfg.head_date_pattern)
                .map_err(|e| format!("head_date_pattern: {e}"))?,
            positive: opt_re(&cfg.positive_hints).map_err(|e| format!("positive_hints: {e}"))?,
            negative: opt_re(&cfg.negative_hints).map_err(|e| format!("negative_hints: {e}"))?,
            class_set,
            class_rule,
            class_unless,
            class_pos,
            enabled_rules,
            names: Names {
                hidden: name(RULE_HIDDEN),
                tags: name(RULE_TAGS),
                chrome: name(RULE_CHROME_TAGS),
                dialog: name(RULE_DIALOG),
                outside: name(RULE_OUTSIDE),
                link_density: name(RULE_LINK_DENSITY),
                title: name(RULE_TITLE),
                duplicate: name(RULE_DUPLICATE),
                edge: name(RULE_EDGE),
            },
            cfg: cfg.clone(),
        })
    }
}

/// Tags whose text is never page text at all (not even removed chrome).
fn is_invisible_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script" | "style" | "template" | "head" | "svg" | "math" | "object" | "embed" | "canvas"
    )
}

/// Tags that start and end a block of text.
fn is_block_tag(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "caption"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "form"
            | "fieldset"
            | "legend"
            | "address"
            | "hr"
            | "details"
            | "summary"
            | "center"
            | "hgroup"
            | "menu"
            | "body"
            | "html"
            | "dialog"
            | "option"
            | "textarea"
            | "select"
            | "button"
            | "label"
            | "iframe"
            | "video"
            | "audio"
            | "picture"
    )
}

fn block_kind(tag: &str) -> BlockKind {
    match tag {
        "h1" => BlockKind::Heading(1),
        "h2" => BlockKind::Heading(2),
        "h3" => BlockKind::Heading(3),
        "h4" => BlockKind::Heading(4),
        "h5" => BlockKind::Heading(5),
        "h6" => BlockKind::Heading(6),
        "li" | "dt" | "dd" => BlockKind::ListItem,
        "blockquote" => BlockKind::Quote,
        "pre" => BlockKind::Code,
        "tr" => BlockKind::TableRow,
        _ => BlockKind::Paragraph,
    }
}

/// One element of the arena.
struct El {
    parent: u32,
    tag: Tag,
    /// Blocks of this element's subtree: `blocks[start..end]`.
    start: u32,
    end: u32,
    /// A rule that wants this element gone (decided after the walk, with guards).
    drop: Option<Arc<str>>,
    /// Class/id hint weight.
    weight: f32,
    score: f32,
    class_id: Option<Box<str>>,
    /// Hash of the `class` attribute alone (0 without one), for siblings of one shape
    /// whose ids differ (`post_1`, `post_2`).
    class_hash: u64,
}

/// The few tags the scorer treats specially.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Div,
    Article,
    Main,
    Body,
    Section,
    Td,
    Pre,
    Blockquote,
    List,
    Heading,
    Form,
    Other,
}

fn tag_of(name: &str) -> Tag {
    match name {
        "div" => Tag::Div,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "body" => Tag::Body,
        "section" => Tag::Section,
        "td" => Tag::Td,
        "pre" => Tag::Pre,
        "blockquote" => Tag::Blockquote,
        "ul" | "ol" | "dl" | "dd" | "dt" | "li" | "address" => Tag::List,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => Tag::Heading,
        "form" => Tag::Form,
        _ => Tag::Other,
    }
}

/// A block of text in the arena.
struct RawBlock {
    text: String,
    kind: BlockKind,
    /// The innermost block-level element holding the text.
    owner: u32,
    chars: u32,
    link_chars: u32,
    commas: u32,
    removed: Option<Arc<str>>,
    shape: Shape,
}

/// Accumulates inline text until the next block boundary.
struct Buffer {
    text: String,
    chars: u32,
    link_chars: u32,
    commas: u32,
    /// Inside `<pre>`: keep whitespace.
    pre_depth: u32,
    /// Inside `<a>`.
    link_depth: u32,
    pending_space: bool,
    /// Links read since the last flush, (anchor text, href): only collected for
    /// Markdown with `keep_links`.
    links: Vec<(String, String)>,
    /// Flushes so far, so a link's start offset is known to be in the current text.
    flushes: u32,
}

/// The open structure around the text being read, for each block's [`Shape`].
#[derive(Default)]
struct Structure {
    /// Open `ul`/`ol`: (ordered, items so far).
    lists: Vec<(bool, u32)>,
    li_depth: u8,
    quote_depth: u8,
    /// The next block with text starts a list item (see [`Shape::item`]).
    pending_item: Option<u32>,
    /// Open tables (page-unique numbers) and the count so far.
    tables: Vec<u32>,
    table_count: u32,
    /// Open `<pre>` elements, and the language of their code.
    pre_depth: u32,
    lang: Option<Box<str>>,
    /// Open `<a href>` elements: (flush count, byte offset in the buffer, href).
    open_links: Vec<(u32, usize, String)>,
}

impl Structure {
    fn shape(&mut self, kind: BlockKind, links: Vec<(String, String)>) -> Shape {
        Shape {
            list_depth: self.li_depth,
            item: self.pending_item.take(),
            quote_depth: self.quote_depth,
            table: self.tables.last().copied().unwrap_or(0),
            lang: if kind == BlockKind::Code {
                self.lang.clone()
            } else {
                None
            },
            links,
        }
    }

    /// Track an opening block-level (or `a`/`code`) element.
    fn open(&mut self, name: &str, e: &scraper::node::Element, class: &str, links: bool) {
        match name {
            "ul" | "ol" | "menu" => self.lists.push((name == "ol", 0)),
            "li" => {
                self.li_depth = self.li_depth.saturating_add(1);
                let n = match self.lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        *n
                    }
                    _ => 0,
                };
                self.pending_item = Some(n);
            }
            "blockquote" => self.quote_depth = self.quote_depth.saturating_add(1),
            "table" => {
                self.table_count += 1;
                self.tables.push(self.table_count);
            }
            "pre" => {
                self.pre_depth += 1;
                if self.lang.is_none() {
                    self.lang = code_lang(class);
                }
            }
            "code" if self.pre_depth > 0 && self.lang.is_none() => self.lang = code_lang(class),
            "a" if links => {
                if let Some(href) = e.attr("href").map(str::trim).filter(|h| {
                    !h.is_empty() && !h.starts_with('#') && !h.starts_with("javascript:")
                }) {
                    self.open_links.push((u32::MAX, 0, href.to_string()));
                }
            }
            _ => {}
        }
        if name == "ol" {
            // `<ol start="5">` numbers from 5.
            if let Some(start) = e.attr("start").and_then(|v| v.trim().parse::<u32>().ok()) {
                if let Some(l) = self.lists.last_mut() {
                    l.1 = start.saturating_sub(1);
                }
            }
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "ul" | "ol" | "menu" => {
                self.lists.pop();
            }
            "li" => {
                self.li_depth = self.li_depth.saturating_sub(1);
                self.pending_item = None;
            }
            "blockquote" => self.quote_depth = self.quote_depth.saturating_sub(1),
            "table" => {
                self.tables.pop();
            }
            "pre" => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
                if self.pre_depth == 0 {
                    self.lang = None;
                }
            }
            _ => {}
        }
    }
}

/// `language-rust`, `lang-rust` (or `highlight-rust`) in a class list.
fn code_lang(class: &str) -> Option<Box<str>> {
    class.split_whitespace().find_map(|c| {
        let l = c
            .strip_prefix("language-")
            .or_else(|| c.strip_prefix("lang-"))
            .or_else(|| c.strip_prefix("highlight-"))?;
        (!l.is_empty()
            && l.chars()
                .all(|ch| ch.is_alphanumeric() || "+#-_.".contains(ch)))
        .then(|| l.into())
    })
}

impl Buffer {
    fn push_text(&mut self, s: &str) {
        if self.pre_depth > 0 {
            for c in s.chars() {
                if !c.is_whitespace() {
                    self.count(c);
                }
            }
            self.text.push_str(s);
            return;
        }
        // Runs of non-space characters are copied whole, not pushed one char at a
        // time, and ASCII is read byte by byte: this runs over all the page's text.
        let b = s.as_bytes();
        let (mut n, mut commas) = (0u32, 0u32);
        let mut run = None;
        let mut i = 0;
        while i < b.len() {
            let (space, len) = if b[i] < 0x80 {
                if TEXT_BYTE[usize::from(b[i])] == SPACE {
                    (true, 1)
                } else {
                    // A run of ASCII non-space bytes in one tight loop (most of a
                    // page's text): one table look-up per byte.
                    if run.is_none() {
                        run = Some(i);
                    }
                    let start = i;
                    while let Some(&c) = b.get(i) {
                        let k = TEXT_BYTE[usize::from(c)];
                        if k > COMMA {
                            break;
                        }
                        commas += u32::from(k);
                        i += 1;
                    }
                    n += (i - start) as u32;
                    continue;
                }
            } else {
                let c = s[i..].chars().next().unwrap_or(' ');
                let space = c.is_whitespace();
                if !space && matches!(c, '，' | '、' | '،') {
                    commas += 1;
                }
                (space, c.len_utf8())
            };
            if space {
                if let Some(start) = run.take() {
                    self.push_run(&s[start..i]);
                }
                self.pending_space = true;
            } else {
                if run.is_none() {
                    run = Some(i);
                }
                n += 1;
            }
            i += len;
        }
        if let Some(start) = run {
            self.push_run(&s[start..]);
        }
        self.chars += n;
        if self.link_depth > 0 {
            self.link_chars += n;
        }
        self.commas += commas;
    }

    /// A run of non-space characters (already counted), after the pending space if any.
    fn push_run(&mut self, run: &str) {
        if self.pending_space && !self.text.is_empty() && !self.text.ends_with(['\n', '\t']) {
            self.text.push(' ');
        }
        self.pending_space = false;
        self.text.push_str(run);
    }

    fn count(&mut self, c: char) {
        self.chars += 1;
        if self.link_depth > 0 {
            self.link_chars += 1;
        }
        if matches!(c, ',' | '，' | '、' | '،') {
            self.commas += 1;
        }
    }

    fn push_break(&mut self, c: char) {
        if !self.text.is_empty() && !self.text.ends_with(['\n', '\t']) {
            self.text.push(c);
        }
        self.pending_space = false;
    }
}

/// [`Buffer::push_text`]'s byte classes: ASCII other than space and comma, a comma,
/// ASCII whitespace (as `char::is_whitespace` on ASCII), a non-ASCII byte.
const TEXT_BYTE: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut i = 0;
    while i < 0x80 {
        t[i] = PLAIN;
        i += 1;
    }
    t[b',' as usize] = COMMA;
    let spaces = b" \t\n\x0B\x0C\r";
    let mut i = 0;
    while i < spaces.len() {
        t[spaces[i] as usize] = SPACE;
        i += 1;
    }
    t
};
const PLAIN: u8 = 0;
const COMMA: u8 = 1;
const SPACE: u8 = 2;
const NON_ASCII: u8 = 3;

/// The arena built by one walk over the DOM.
struct Arena {
    els: Vec<El>,
    blocks: Vec<RawBlock>,
}

/// Parse a document the way a browser without JavaScript would, so `<noscript>`
/// content (some sites serve their whole text there) is parsed as markup.
pub fn parse(text: &str) -> Html {
    let closed = close_void_iframes(text);
    let text = closed.as_deref().unwrap_or(text);
    // Script and style bodies are a third of a page and html5ever's tokenizer reads
    // them a character at a time: it is given placeholders, and the bodies are put
    // back into the tree afterwards, as the text the tokenizer would have made.
    if let Some((stripped, bodies)) = strip_raw_bodies(text) {
        let mut doc = parse_whole(&stripped);
        // Each placeholder must come out as the whole text of a script or style
        // element, all of them: else a guess about the tokenizer's state was wrong
        // somewhere, and the page is parsed again from its own text.
        if restore_bodies(&mut doc, text, &bodies) || crate::budget::expired() {
            return doc;
        }
    }
    parse_whole(text)
}

/// Around the index of a body in what [`strip_raw_bodies`] puts in its place: a
/// noncharacter, which no page has (checked), so a placeholder cannot pass unseen.
const PLACEHOLDER_MARK: char = '\u{FDD0}';

/// `text` with the body of every `<script>` (no `<!--` in it) and `<style>` element
/// replaced by a placeholder (`PLACEHOLDER_MARK`, index, `PLACEHOLDER_MARK`), and the
/// byte ranges of the bodies by index; `None` when there is nothing to replace or the
/// text holds the mark already.
///
/// Found with a scan that follows the tokenizer over comments, tags (quoted values)
/// and raw-text elements. It can only be wrong about where the tokenizer is, and
/// [`restore_bodies`] catches that: a script's body is script data up to the first
/// `</script` followed by a space, `/` or `>` (without `<!--` in it, no escape states
/// apply), a style's up to `</style` likewise, so when a placeholder comes out as the
/// whole text of an HTML `<script>` or `<style>`, the tokenizer was in that state right
/// there, and the original body would have ended at the same end tag.
#[inline(never)]
fn strip_raw_bodies(text: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut bodies = Vec::new();
    let (mut copied, mut i, mut foreign) = (0, 0, 0u32);
    while let Some(off) = memchr_lt(&b[i..]) {
        i += off + 1;
        match b.get(i) {
            Some(b'!') if b[i..].starts_with(b"!--") => {
                // `<!-->` and `<!--->` are whole comments: search from the first dash.
                i = find_comment_end(b, i + 1).map_or(b.len(), |e| e + 3);
                continue;
            }
            Some(b'!' | b'?') => {
                i = memchr::memchr(b'>', &b[i..]).map_or(b.len(), |e| i + e + 1);
                continue;
            }
            Some(b'/') if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => {}
            Some(c) if c.is_ascii_alphabetic() => {}
            _ => continue,
        }
        let closing = b[i] == b'/';
        let start = i + usize::from(closing);
        // Only these tags change the tokenizer's state: other tags are not read at
        // all (a `<` in an attribute value can only cost a fallback).
        if !matches!(
            b[start] | 0x20,
            b's' | b't' | b'x' | b'i' | b'n' | b'm' | b'p'
        ) {
            continue;
        }
        let name_end = start
            + b[start..]
                .iter()
                .take_while(|c| !matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'))
                .count();
        let name = &b[start..name_end];
        let end = tag_end(b, name_end)?;
        i = end;
        // In SVG and MathML, `<style>`, `<script>` and `<title>` are plain elements.
        if name.eq_ignore_ascii_case(b"svg") || name.eq_ignore_ascii_case(b"math") {
            if closing {
                foreign = foreign.saturating_sub(1);
            } else if b[end - 2] != b'/' {
                foreign += 1;
            }
            continue;
        }
        if closing || foreign > 0 {
            continue;
        }
        if name.eq_ignore_ascii_case(b"plaintext") {
            break;
        }
        let raw = [
            &b"script"[..],
            b"style",
            b"textarea",
            b"title",
            b"xmp",
            b"iframe",
            b"noembed",
            b"noframes",
        ]
        .into_iter()
        .find(|r| name.eq_ignore_ascii_case(r));
        let Some(raw) = raw else {
            continue;
        };
        let (close, comment) = raw_text_end(b, end, raw)?;
        let worth = close - end > 16 && (raw == b"style" || (raw == b"script" && !comment));
        if worth {
            if bodies.is_empty() {
                let mut m = [0u8; 4];
                if memchr::memmem::find(b, PLACEHOLDER_MARK.encode_utf8(&mut m).as_bytes())
                    .is_some()
                {
                    return None;
                }
                out.reserve(text.len());
            }
            use std::fmt::Write;
            out.push_str(&text[copied..end]);
            let _ = write!(out, "{PLACEHOLDER_MARK}{}{PLACEHOLDER_MARK}", bodies.len());
            bodies.push((end, close));
            copied = close;
        }
        i = close;
    }
    if bodies.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, bodies))
}

/// Where the tag whose attributes start at `from` ends (past its `>`), read as the
/// tokenizer does: a quote opens a value only after `=`, an unquoted value runs to a
/// space or `>`. `None` when the text ends inside the tag.
#[inline(never)]
fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    let ws = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ');
    let mut j = from;
    // Skip the rest of a tag name (end tags come here at their name).
    while j < b.len() && !ws(b[j]) && b[j] != b'/' && b[j] != b'>' {
        j += 1;
    }
    loop {
        // Before an attribute name.
        while j < b.len() && (ws(b[j]) || b[j] == b'/') {
            j += 1;
        }
        match b.get(j)? {
            b'>' => return Some(j + 1),
            // A name may start with `=`; then it runs to a space, `/`, `>` or `=`.
            _ => j += 1,
        }
        while j < b.len() && !ws(b[j]) && !matches!(b[j], b'/' | b'>' | b'=') {
            j += 1;
        }
        // After the name.
        while j < b.len() && ws(b[j]) {
            j += 1;
        }
        if b.get(j)? != &b'=' {
            continue;
        }
        j += 1;
        while j < b.len() && ws(b[j]) {
            j += 1;
        }
        match *b.get(j)? {
            q @ (b'"' | b'\'') => {
                j += 1 + memchr::memchr(q, b.get(j + 1..)?)? + 1;
            }
            b'>' => return Some(j + 1),
            _ => {
                while j < b.len() && !ws(b[j]) && b[j] != b'>' {
                    j += 1;
                }
            }
        }
    }
}

/// The first `</name` at or after `from`, in any case, followed by a space, `/` or
/// `>` (the end tag of a raw-text element), and whether a `<!--` comes before it.
/// `None` when there is none (the element runs to the end of the text).
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<(usize, bool)> {
    let mut at = from;
    let mut comment = false;
    loop {
        let p = at + memchr_lt(b.get(at..)?)?;
        let tail = &b[p + 1..];
        if tail.first() == Some(&b'/')
            && tail.len() > name.len() + 1
            && tail[1..=name.len()].eq_ignore_ascii_case(name)
            && matches!(
                tail[name.len() + 1],
                b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'
            )
        {
            return Some((p, comment));
        }
        comment |= tail.starts_with(b"!--");
        at = p + 1;
    }
}

/// Put the bodies `strip_raw_bodies` took out of `text` back in place of their
/// placeholders in `doc`, as the tokenizer reads raw text (CR LF and CR as LF, NUL
/// as U+FFFD); `true` when every placeholder was the whole text of an HTML
/// `<script>` or `<style>`, each found once. On `false`, `doc` is to be dropped.
#[inline(never)]
fn restore_bodies(doc: &mut Html, text: &str, bodies: &[(usize, usize)]) -> bool {
    let mut found = vec![None; bodies.len()];
    let mut seen = 0;
    // Over the arena, not the tree: cheaper, and a placeholder in a node the tree
    // builder detached has no parent, so it fails the check below. A placeholder
    // (no `<`, `&`, NUL, CR or space in it) is one run inside one token: found whole
    // in a text node, it is nowhere else.
    for node in doc.tree.nodes() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        let Some(inner) = t
            .strip_prefix(PLACEHOLDER_MARK)
            .and_then(|r| r.strip_suffix(PLACEHOLDER_MARK))
        else {
            continue;
        };
        let Ok(k) = inner.parse::<usize>() else {
            return false;
        };
        let raw_parent = node
            .parent()
            .and_then(|p| p.value().as_element())
            .is_some_and(|e| {
                (e.name() == "script" || e.name() == "style") && e.name.ns == html5ever::ns!(html)
            });
        if !raw_parent
            || node.prev_sibling().is_some()
            || node.next_sibling().is_some()
            || found.get(k) != Some(&None)
        {
            return false;
        }
        found[k] = Some(node.id());
        seen += 1;
    }
    if seen != bodies.len() {
        return false;
    }
    for (id, &(from, to)) in found.into_iter().zip(bodies) {
        let body = &text[from..to];
        let body: std::borrow::Cow<str> = if memchr::memchr2(b'\r', 0, body.as_bytes()).is_some() {
            body.replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\0', "\u{FFFD}")
                .into()
        } else {
            body.into()
        };
        if let Some(mut node) = id.and_then(|id| doc.tree.get_mut(id)) {
            *node.value() = Node::Text(scraper::node::Text {
                text: (&*body).into(),
            });
        }
    }
    true
}

/// html5ever over the whole of `text`, scripting off.
fn parse_whole(text: &str) -> Html {
    use html5ever::tendril::TendrilSink;
    let opts = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut parser =
        html5ever::driver::parse_document(scraper::HtmlTreeSink::new(Html::new_document()), opts);
    // Fed in pieces so the page's time budget is checked while parsing: html5ever's cost
    // can grow faster than the input (deep nesting, thousands of attributes on a tag).
    const PIECE: usize = 1 << 16;
    let mut rest = text;
    while !rest.is_empty() && !crate::budget::expired() {
        let mut cut = rest.len().min(PIECE);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, tail) = rest.split_at(cut);
        parser.process(piece.into());
        rest = tail;
    }
    parser.finish()
}

/// `text` with `</iframe>` after each self-closed `<iframe ... />`, if it has one.
/// An iframe's content is raw text up to `</iframe>`, and `/>` does not close it: a
/// browser running scripts reads the usual `<noscript><iframe ... /></noscript>` tag
/// snippet as raw text and never sees the iframe, but parsed with scripting off (see
/// [`parse`]) it swallows the rest of the page's markup as one text block.
fn close_void_iframes(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    for at in memchr::memmem::find_iter(b, b"<iframe") {
        let Some(end) = memchr::memchr(b'>', &b[at..]).map(|e| at + e) else {
            break;
        };
        if end < copied || b[end - 1] != b'/' {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
        o.push_str(&text[copied..=end]);
        o.push_str("</iframe>");
        copied = end + 1;
    }
    let mut o = out?;
    o.push_str(&text[copied..]);
    Some(o)
}

/// Elements whose end tag html5ever supplies itself when the next sibling opens, or
/// that have none: they do not add to the nesting depth. (A `match`, not a list
/// search: it runs for every tag of every page.)
fn is_not_nesting(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"tr"
            | b"td"
            | b"th"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"rb"
            | b"rt"
            | b"rp"
    )
}

/// The bytes [`check_complexity`] stops at in a tag outside values: `>`, `=` and ASCII
/// whitespace (as `u8::is_ascii_whitespace`).
const TAG_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b">= \t\n\x0C\r";
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = true;
        i += 1;
    }
    t
};

/// Elements whose content is raw text, skipped up to their end tag.
const RAW_TEXT: &[&[u8]] = &[b"script", b"style", b"textarea", b"title", b"xmp"];

/// A fast look at the markup before parsing, against `limits.max_nodes`, `max_depth`
/// and `max_attributes`: html5ever's time grows faster than linearly with nesting depth
/// and with attributes per tag, so such pages are refused before they are parsed.
/// The counts are estimates from the tags (an unclosed `<div>` counts as open until
/// the end), erring towards a deeper page than html5ever would build.
pub fn check_complexity(text: &str, limits: &crate::config::Limits) -> Result<(), String> {
    let b = text.as_bytes();
    let (mut nodes, mut depth, mut max_depth) = (0u64, 0u64, 0u64);
    let mut i = 0;
    while let Some(off) = memchr_lt(&b[i..]) {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find_comment_end(b, i + 3).map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = i + usize::from(closing);
        let name_len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
            .count();
        if name_len == 0 || !b[start].is_ascii_alphabetic() {
            continue;
        }
        // Lower-cased on the stack: this runs for every tag of every page. Names longer
        // than the buffer are in neither tag list, so they are left as they are.
        let mut buf = [0u8; 16];
        let name: &[u8] = if name_len <= buf.len() {
            // A byte loop: `copy_from_slice` of a few bytes is a `memcpy` call.
            for (d, c) in buf.iter_mut().zip(&b[start..start + name_len]) {
                *d = c.to_ascii_lowercase();
            }
            &buf[..name_len]
        } else {
            &b[start..start + name_len]
        };
        // The rest of the tag: count attributes, find its end outside quotes.
        let (mut j, mut attrs, mut quote, mut gap) = (start + name_len, 0u64, 0u8, false);
        // As in the tokenizer, a quote opens a value only right after `=`.
        let mut after_eq = false;
        while j < b.len() {
            let c = b[j];
            if quote != 0 {
                // Jump to the closing quote: most of a tag's bytes are in its values.
                match memchr::memchr(quote, &b[j..]) {
                    Some(q) => j += q + 1,
                    None => {
                        j = b.len();
                        break;
                    }
                }
                quote = 0;
                after_eq = false;
                continue;
            } else if c == b'>' {
                break;
            } else if (c == b'"' || c == b'\'') && after_eq {
                quote = c;
            } else if c.is_ascii_whitespace() {
                gap = true;
            } else if gap {
                gap = false;
                if c != b'=' && c != b'/' {
                    attrs += 1;
                    if attrs > limits.max_attributes {
                        return Err(format!(
                            "a <{}> tag has more than limits.max_attributes ({}) attributes",
                            String::from_utf8_lossy(name),
                            limits.max_attributes
                        ));
                    }
                }
            }
            if !c.is_ascii_whitespace() || quote != 0 {
                after_eq = quote == 0 && c == b'=';
            }
            j += 1;
            if quote == 0 && !after_eq && !gap {
                // Here only `>`, `=` and spaces change anything (a quote opens a value
                // only after `=`): skip the rest of an attribute name in one loop.
                while j < b.len() && !TAG_STOP[usize::from(b[j])] {
                    j += 1;
                }
            }
        }
        let self_closing = j > 0 && b.get(j - 1) == Some(&b'/');
        i = j.min(b.len());
        if closing {
            depth = depth.saturating_sub(u64::from(!is_not_nesting(name)));
            continue;
        }
        nodes += 1;
        if nodes > limits.max_nodes {
            return Err(format!(
                "more than limits.max_nodes ({}) elements",
                limits.max_nodes
            ));
        }
        if RAW_TEXT.contains(&name) {
            i = find_end_tag(b, i, name).unwrap_or(b.len());
            continue;
        }
        if !self_closing && !is_not_nesting(name) {
            depth += 1;
            max_depth = max_depth.max(depth);
            if max_depth > limits.max_depth {
                return Err(format!(
                    "elements nested deeper than limits.max_depth ({})",
                    limits.max_depth
                ));
            }
        }
    }
    Ok(())
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', b)
}

/// The first `-->` at or after `from`. Found by its `>` with `memchr`: a `memmem`
/// search builds a searcher on every call, which costs more than most comments.
fn find_comment_end(b: &[u8], from: usize) -> Option<usize> {
    let mut at = from.checked_add(2)?;
    loop {
        let q = at + memchr::memchr(b'>', b.get(at..)?)?;
        if b[q - 2] == b'-' && b[q - 1] == b'-' {
            return Some(q - 2);
        }
        at = q + 1;
    }
}

/// The first `</name` at or after `from`, the name in any case.
fn find_end_tag(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    loop {
        // `memchr` for the `<`, not a `memmem` searcher built per call.
        let p = at + memchr_lt(b.get(at..)?)?;
        let tail = &b[p + 1..];
        if tail.first() == Some(&b'/')
            && tail.len() > name.len()
            && tail[1..=name.len()].eq_ignore_ascii_case(name)
        {
            return Some(p);
        }
        at = p + 1;
    }
}

/// Extract the main content of `doc` as blocks (removed ones included, marked).
pub fn extract(doc: &Html, rules: &crate::config::Rules) -> Vec<Block> {
    extract_with(doc, rules, None)
}

/// [`extract`] with a `[[sites]]` table's rules in place of the top-level ones.
pub fn extract_with(
    doc: &Html,
    rules: &crate::config::Rules,
    site: Option<&crate::config::Site>,
) -> Vec<Block> {
    select(clean(doc, rules, site))
}

/// A page after the DOM pass (walk and drop rules), before content selection.
///
/// [`extract`] runs both stages; they are separate so benchmarks can time each one.
pub struct Cleaned<'r> {
    arena: Arena,
    c: &'r Compiled,
}

/// The DOM pass alone: walk `doc` once and apply the tag, hidden and `[[html.rules]]`
/// drops, with a `[[sites]]` table's rules in place of the top-level ones if given.
pub fn clean<'r>(
    doc: &Html,
    rules: &'r crate::config::Rules,
    site: Option<&'r crate::config::Site>,
) -> Cleaned<'r> {
    let (html_rules, c) = site.map_or(&rules.html, |s| &s.html).get();
    let out = &rules.config.output;
    let links = out.keep_links && out.format == crate::config::Format::Markdown;
    let mut arena = walk(doc, c, html_rules, links);
    decide_drops(&mut arena, c);
    Cleaned { arena, c }
}

/// Content selection on a cleaned page: score, choose the main content, trim, and
/// emit every non-empty block marked kept or removed.
pub fn select(cleaned: Cleaned) -> Vec<Block> {
    let Cleaned { mut arena, c } = cleaned;
    select_content(&mut arena, c);
    arena
        .blocks
        .into_iter()
        .filter(|b| !b.text.trim().is_empty())
        .map(|b| Block {
            text: b.text,
            kind: b.kind,
            removed_by: b.removed,
            shape: b.shape,
        })
        .collect()
}

/// Walk the DOM once (iteratively) into the arena.
/// (class, id) -> (the first `class_id`-only rule that matches, hint weight), per page.
type ClassCache<'a> = rustc_hash::FxHashMap<(&'a str, &'a str), (Option<Arc<str>>, f32)>;

fn walk(doc: &Html, c: &Compiled, rules: &[HtmlRule], links: bool) -> Arena {
    let mut els: Vec<El> = Vec::with_capacity(512);
    let mut blocks: Vec<RawBlock> = Vec::with_capacity(256);
    // Stack of open elements (arena index, is block-level); text goes to the top block owner.
    let mut stack: Vec<(u32, bool)> = Vec::with_capacity(64);
    // The open block-level elements alone: the top one owns the text being read.
    let mut owners: Vec<u32> = Vec::with_capacity(64);
    // Inside an invisible or immediately dropped subtree: depth counter and where its text goes.
    let mut skip_depth = 0u32;
    let mut skip_text: Option<(String, Arc<str>)> = None;
    let mut buf = Buffer {
        text: String::new(),
        chars: 0,
        link_chars: 0,
        commas: 0,
        pre_depth: 0,
        link_depth: 0,
        pending_space: false,
        links: Vec::new(),
        flushes: 0,
    };
    let mut kinds: Vec<BlockKind> = vec![BlockKind::Paragraph];
    let mut st = Structure::default();
    let mut class_cache: ClassCache = rustc_hash::FxHashMap::default();
    let mut style_buf = String::new();
    let mut ci_buf = String::new();
    // Looked up once, not per element: the default rules have no selectors.
    let has_selectors = rules.iter().any(|r| r.selector.is_some());

    fn flush(
        buf: &mut Buffer,
        blocks: &mut Vec<RawBlock>,
        owner: u32,
        kind: BlockKind,
        st: &mut Structure,
    ) {
        buf.flushes += 1;
        if buf.chars > 0 {
            // Copied out at its final size: the buffer keeps its capacity for the
            // next block instead of growing again from nothing.
            let text = if kind == BlockKind::Code {
                buf.text.as_str()
            } else {
                buf.text.trim()
            };
            let text = text.to_string();
            buf.text.clear();
            let shape = st.shape(kind, std::mem::take(&mut buf.links));
            blocks.push(RawBlock {
                text,
                kind,
                owner,
                chars: buf.chars,
                link_chars: buf.link_chars,
                commas: buf.commas,
                removed: None,
                shape,
            });
        } else {
            buf.text.clear();
            buf.links.clear();
        }
        buf.chars = 0;
        buf.link_chars = 0;
        buf.commas = 0;
        buf.pending_space = false;
    }

    for (n, edge) in doc.tree.root().traverse().enumerate() {
        // The page's time budget; what was read so far is dropped as `timeout`.
        if n % 4096 == 4095 && crate::budget::expired() {
            break;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) => {
                    if skip_depth > 0 {
                        if let Some((s, _)) = skip_text.as_mut() {
                            s.push_str(t);
                        }
                    } else {
                        buf.push_text(t);
                    }
                }
                Node::Element(e) => {
                    let name = e.name();
                    if skip_depth > 0 {
                        skip_depth += 1;
                        if let Some((s, _)) = skip_text.as_mut() {
                            if is_block_tag(name) {
                                s.push(' ');
                            }
                        }
                        continue;
                    }
                    if is_invisible_tag(name) {
                        skip_depth = 1;
                        skip_text = None;
                        continue;
                    }
                    // Immediate drops: hidden elements, and inline elements a rule names.
                    let attrs = Attrs::of(e);
                    let hidden = attrs.is_hidden(&mut style_buf);
                    let block = is_block_tag(name);
                    // Pages repeat the same class/id pairs many times: the regex
                    // results are computed once per pair per page.
                    let (class_rule, hint) = if attrs.class.is_empty() && attrs.id.is_empty() {
                        (None, 0.0)
                    } else {
                        class_cache
                            .entry((attrs.class, attrs.id))
                            .or_insert_with(|| {
                                // Joined in one buffer reused for every pair.
                                ci_buf.clear();
                                ci_buf.push_str(attrs.class);
                                ci_buf.push(' ');
                                ci_buf.push_str(attrs.id);
                                let ci = ci_buf.as_str();
                                (class_set_rule(ci, c, rules), hint_weight(ci, c))
                            })
                            .clone()
                    };
                    let rule = match class_rule {
                        Some(r) => Some(r),
                        None if has_selectors => {
                            selector_rule(&attrs, ElementRef::wrap(node), rules)
                        }
                        None => None,
                    };
                    // Hidden block elements are dropped later, under the guard: some
                    // pages ship their whole article hidden until a script reveals it.
                    let immediate = if block {
                        None
                    } else if hidden {
                        c.names.hidden.clone()
                    } else {
                        rule.clone()
                    };
                    if let Some(r) = immediate {
                        let owner = owners.last().copied().unwrap_or(0);
                        flush(
                            &mut buf,
                            &mut blocks,
                            owner,
                            *kinds.last().unwrap_or(&BlockKind::Paragraph),
                            &mut st,
                        );
                        skip_depth = 1;
                        skip_text = Some((String::new(), r));
                        continue;
                    }
                    if name == "br" {
                        buf.push_break('\n');
                        continue;
                    }
                    if name == "td" || name == "th" {
                        buf.push_break('\t');
                    }
                    if name == "img" {
                        continue;
                    }
                    let idx = els.len() as u32;
                    let parent = stack.last().map_or(u32::MAX, |s| s.0);
                    if block {
                        let owner = owners.last().copied().unwrap_or(0);
                        flush(
                            &mut buf,
                            &mut blocks,
                            owner,
                            *kinds.last().unwrap_or(&BlockKind::Paragraph),
                            &mut st,
                        );
                        kinds.push(block_kind(name));
                    }
                    if block || name == "a" || name == "code" {
                        st.open(name, e, attrs.class, links);
                        if name == "a" {
                            if let Some(l) = st.open_links.last_mut().filter(|l| l.0 == u32::MAX) {
                                *l = (buf.flushes, buf.text.len(), std::mem::take(&mut l.2));
                            }
                        }
                    }
                    let drop = if !block {
                        None
                    } else if hidden && c.names.hidden.is_some() {
                        c.names.hidden.clone()
                    } else if let Some(r) = rule {
                        Some(r)
                    } else if c.drop_tags.iter().any(|t| t == name) {
                        c.names.tags.clone()
                    } else if c.chrome_tags.iter().any(|t| t == name) {
                        c.names.chrome.clone()
                    } else if attrs.dialog {
                        c.names.dialog.clone()
                    } else {
                        None
                    };
                    let weight = hint + attrs.itemprop_weight();
                    els.push(El {
                        parent,
                        tag: tag_of(name),
                        start: blocks.len() as u32,
                        end: 0,
                        drop,
                        weight,
                        score: 0.0,
                        class_id: None,
                        class_hash: 0,
                    });
                    if block {
                        els[idx as usize].class_id = attrs.class_id().map(Into::into);
                        if !attrs.class.is_empty() {
                            use std::hash::{Hash, Hasher};
                            // Only compared for equality: FxHash, not SipHash.
                            let mut h = rustc_hash::FxHasher::default();
                            attrs.class.hash(&mut h);
                            els[idx as usize].class_hash = h.finish() | 1;
                        }
                    }
                    if name == "pre" {
                        buf.pre_depth += 1;
                    }
                    if counts_as_link(name, e) {
                        buf.link_depth += 1;
                    }
                    stack.push((idx, block));
                    if block {
                        owners.push(idx);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                let Node::Element(e) = node.value() else {
                    continue;
                };
                if skip_depth > 0 {
                    skip_depth -= 1;
                    if skip_depth == 0 {
                        if let Some((text, rule)) = skip_text.take() {
                            let t = collapse(&text);
                            if !t.is_empty() {
                                let owner = owners.last().copied().unwrap_or(0);
                                let n = t.chars().count() as u32;
                                blocks.push(RawBlock {
                                    text: t,
                                    kind: BlockKind::Paragraph,
                                    owner,
                                    chars: n,
                                    link_chars: 0,
                                    commas: 0,
                                    removed: Some(rule),
                                    shape: Shape::default(),
                                });
                            }
                        }
                    }
                    continue;
                }
                let name = e.name();
                if name == "br" || name == "img" {
                    continue;
                }
                let Some((idx, block)) = stack.pop() else {
                    continue;
                };
                if block {
                    let kind = kinds.pop().unwrap_or(BlockKind::Paragraph);
                    flush(&mut buf, &mut blocks, idx, kind, &mut st);
                    owners.pop();
                    st.close(name);
                }
                if name == "pre" {
                    buf.pre_depth = buf.pre_depth.saturating_sub(1);
                }
                if counts_as_link(name, e) {
                    buf.link_depth = buf.link_depth.saturating_sub(1);
                }
                if name == "a" && links {
                    close_link(&mut buf, &mut st);
                }
                els[idx as usize].end = blocks.len() as u32;
            }
        }
    }
    let owner = owners.last().copied().unwrap_or(0);
    flush(&mut buf, &mut blocks, owner, BlockKind::Paragraph, &mut st);
    // Elements left open (cannot happen with html5ever's tree, but be safe).
    let n = blocks.len() as u32;
    for (idx, _) in stack {
        els[idx as usize].end = n;
    }
    Arena { els, blocks }
}

/// Whether an element's text counts as link text for link density: every `a`, and any
/// custom element (a name with a hyphen) with a usable `href`: web components such as
/// `<dropdown-item href=..>` serve as links in mega-menus, which would otherwise pass as
/// prose. Standard elements with a stray `href` (`<div href="#">`, `<li href=..>`) often
/// wrap real content, so they do not count.
fn counts_as_link(name: &str, e: &scraper::node::Element) -> bool {
    name == "a"
        || (name.contains('-')
            && e.attr("href").map(str::trim).is_some_and(|h| {
                !h.is_empty() && !h.starts_with('#') && !h.starts_with("javascript:")
            }))
}

/// A link closes: its anchor text is what the buffer gained since it opened (when no
/// block boundary came in between).
fn close_link(buf: &mut Buffer, st: &mut Structure) {
    // Only `a` elements with a usable href were pushed; others have no entry, so an
    // entry is popped only when its element is the innermost open link with an href.
    let Some((flushes, start, href)) = st.open_links.pop() else {
        return;
    };
    if flushes != buf.flushes || href.is_empty() {
        return;
    }
    if let Some(anchor) = buf.text.get(start..).map(collapse) {
        if !anchor.is_empty() {
            buf.links.push((anchor, href));
        }
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The attributes the walk looks at, read in one pass (each `attr()` lookup interns
/// the name, and there are several per element).
#[derive(Default)]
struct Attrs<'a> {
    class: &'a str,
    id: &'a str,
    style: &'a str,
    itemprop: &'a str,
    hidden: bool,
    aria_hidden: bool,
    /// `role="dialog"`/`"alertdialog"` or `aria-modal="true"`.
    dialog: bool,
}

/// `"<class> <id>"`, built at its exact size (`format!` costs several times more, and
/// this runs for most elements of every page).
fn join_class_id(class: &str, id: &str) -> String {
    let mut s = String::with_capacity(class.len() + 1 + id.len());
    s.push_str(class);
    s.push(' ');
    s.push_str(id);
    s
}

impl<'a> Attrs<'a> {
    fn of(e: &'a scraper::node::Element) -> Attrs<'a> {
        let mut a = Attrs::default();
        for (name, value) in e.attrs() {
            match name {
                "class" => a.class = value,
                "id" => a.id = value,
                "style" => a.style = value,
                "itemprop" => a.itemprop = value,
                "hidden" => a.hidden = true,
                "aria-hidden" => a.aria_hidden = value == "true",
                "role" => a.dialog |= value == "dialog" || value == "alertdialog",
                "aria-modal" => a.dialog |= value == "true",
                _ => {}
            }
        }
        a
    }

    /// `class` and `id` joined, for hint and rule regexes.
    fn class_id(&self) -> Option<String> {
        if self.class.is_empty() && self.id.is_empty() {
            None
        } else {
            Some(join_class_id(self.class, self.id))
        }
    }

    /// `hidden`, `aria-hidden="true"`, or a style that hides the element (read with
    /// whitespace dropped and ASCII lower-cased). `scratch` is reused between elements.
    fn is_hidden(&self, scratch: &mut String) -> bool {
        if self.hidden || self.aria_hidden {
            return true;
        }
        if self.style.is_empty() {
            return false;
        }
        scratch.clear();
        scratch.extend(
            self.style
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_lowercase()),
        );
        scratch.contains("display:none") || scratch.contains("visibility:hidden")
    }

    /// schema.org hints: the article body is a strong signal.
    fn itemprop_weight(&self) -> f32 {
        if self.itemprop.contains("articleBody") || self.itemprop.contains("text") {
            40.0
        } else {
            0.0
        }
    }
}

fn hint_weight(class_id: &str, c: &Compiled) -> f32 {
    let mut w = 0.0;
    if c.negative.as_ref().is_some_and(|r| r.is_match(class_id)) {
        w -= 25.0;
    }
    if c.positive.as_ref().is_some_and(|r| r.is_match(class_id)) {
        w += 25.0;
    }
    w
}

/// The first `class_id`-only `[[html.rules]]` rule that matches `class_id` (the
/// element's `"<class> <id>"`), if any. These rules are tried before the selector rules.
fn class_set_rule(class_id: &str, c: &Compiled, rules: &[HtmlRule]) -> Option<Arc<str>> {
    // Most elements match no rule: the cheap yes/no test first.
    if c.class_rule.is_empty() || !c.class_set.is_match(class_id) {
        return None;
    }
    let unless = |i: usize| {
        c.class_unless[i]
            .as_ref()
            .is_some_and(|u| u.is_match(class_id))
    };
    // The first pattern that matches, tried in order with each rule's own regex: the
    // set's overlapping search costs more, and builds a lazy DFA of its own.
    let i = if rules.len() == c.enabled_rules {
        (0..c.class_rule.len()).find(|&i| {
            rules[c.class_pos[i]]
                .class_id
                .as_ref()
                .is_some_and(|re| re.is_match(class_id))
                && !unless(i)
        })?
    } else {
        c.class_set.matches(class_id).iter().find(|&i| !unless(i))?
    };
    Some(rules_by_spec(rules, &c.cfg, c.class_rule[i]))
}

/// The first `[[html.rules]]` rule with a `selector` that matches the element, if any.
fn selector_rule(attrs: &Attrs, eref: Option<ElementRef>, rules: &[HtmlRule]) -> Option<Arc<str>> {
    let mut selectors = rules.iter().filter(|r| r.selector.is_some()).peekable();
    selectors.peek()?;
    let class_id = attrs.class_id();
    let class_id = class_id.as_deref();
    for r in selectors {
        let sel_ok = match (&r.selector, &eref) {
            (Some(s), Some(er)) => s.matches(er),
            _ => false,
        };
        let ci_ok = r
            .class_id
            .as_ref()
            .is_none_or(|re| class_id.is_some_and(|ci| re.is_match(ci)));
        let unless = r
            .unless_class_id
            .as_ref()
            .is_some_and(|re| class_id.is_some_and(|ci| re.is_match(ci)));
        if sel_ok && ci_ok && !unless {
            return Some(r.name.clone());
        }
    }
    None
}

/// The compiled rule for a spec index (rules are compiled in spec order, minus disabled ones).
fn rules_by_spec(rules: &[HtmlRule], cfg: &HtmlConfig, spec_idx: usize) -> Arc<str> {
    let name = &cfg.rules[spec_idx].name;
    rules
        .iter()
        .find(|r| &*r.name == name.as_str())
        .map_or_else(|| Arc::from(name.as_str()), |r| r.name.clone())
}

/// Apply the drops the walk proposed for block elements, with guards: no rule may
/// remove an element, or a set of elements, holding most of the page's good text (a
/// layout wrapper with a class like `has-sidebar`, or a page builder that puts
/// `widget` on every box, must not take the article with it).
///
/// The rules in `guard_rest_rules` name chrome no layout wrapper is called after
/// (consent dialogs, modals, review lists): they go first, and take a large element
/// too when the rest of the page still holds `guard_rest_chars` of good text. The
/// other rules' guard then weighs the page without them, so a cookie dialog longer
/// than a forum thread does not make the thread look small.
fn decide_drops(a: &mut Arena, c: &Compiled) {
    if !c.cfg.guard_rest_rules.is_empty() {
        decide_pass(a, c, true);
    }
    decide_pass(a, c, false);
}

/// One pass of [`decide_drops`]: over the `guard_rest_rules` rules (`strong`), or the others.
fn decide_pass(a: &mut Arena, c: &Compiled, strong: bool) {
    let min = c.cfg.min_paragraph_chars as u32;
    let good = |b: &RawBlock| b.removed.is_none() && b.chars >= min && b.link_chars * 2 < b.chars;
    let total: u64 = a
        .blocks
        .iter()
        .filter(|b| good(b))
        .map(|b| u64::from(b.chars))
        .sum();
    let limit = (total as f32 * c.cfg.guard_share) as u64;
    // What a large element must leave of the page to be dropped anyway.
    let rest = if strong {
        c.cfg.guard_rest_chars as u64
    } else {
        u64::MAX
    };
    let guarded = |chars: u64| chars > limit && chars > 100 && total.saturating_sub(chars) < rest;
    let is_strong = |rule: &str| c.cfg.guard_rest_rules.iter().any(|r| r == rule);
    let is_exempt = |rule: &str| c.cfg.guard_exempt_rules.iter().any(|r| r == rule);
    let n = a.els.len();
    // Whether an element sits inside <article>/<main>, to keep chrome tags placed there.
    let mut in_article = vec![false; n];
    // Whether an ancestor is already dropped: only outermost drops count.
    let mut under_drop = vec![false; n];
    let mut chosen: Vec<(usize, Arc<str>)> = Vec::new();
    let mut per_rule: Vec<(Arc<str>, u64)> = Vec::new();
    for i in 0..n {
        let p = a.els[i].parent;
        if p != u32::MAX {
            let pu = p as usize;
            in_article[i] = in_article[pu] || matches!(a.els[pu].tag, Tag::Article | Tag::Main);
            under_drop[i] = under_drop[pu];
        }
        let Some(rule) = a.els[i].drop.clone() else {
            continue;
        };
        if under_drop[i] || (!c.cfg.guard_rest_rules.is_empty() && is_strong(&rule) != strong) {
            continue;
        }
        let el = &a.els[i];
        // The containers that hold a whole article are never chrome.
        if matches!(el.tag, Tag::Body | Tag::Main | Tag::Article) || el.parent == u32::MAX {
            continue;
        }
        let chrome_like = |n: &Option<Arc<str>>| n.as_ref().is_some_and(|r| Arc::ptr_eq(r, &rule));
        if in_article[i] && (chrome_like(&c.names.chrome) || chrome_like(&c.names.dialog)) {
            continue;
        }
        let (s, e) = (el.start as usize, el.end as usize);
        let chars: u64 = a.blocks[s..e]
            .iter()
            .filter(|b| good(b))
            .map(|b| u64::from(b.chars))
            .sum();
        if guarded(chars) && !is_exempt(&rule) {
            continue;
        }
        under_drop[i] = true;
        match per_rule.iter_mut().find(|(r, _)| Arc::ptr_eq(r, &rule)) {
            Some((_, t)) => *t += chars,
            None => per_rule.push((rule.clone(), chars)),
        }
        chosen.push((i, rule));
    }
    for (i, rule) in chosen {
        let over = !is_exempt(&rule)
            && !c.cfg.guard_each_rules.iter().any(|r| **r == *rule)
            && per_rule
                .iter()
                .any(|(r, t)| Arc::ptr_eq(r, &rule) && guarded(*t));
        if over {
            continue;
        }
        let (s, e) = (a.els[i].start as usize, a.els[i].end as usize);
        for b in &mut a.blocks[s..e] {
            if b.removed.is_none() {
                b.removed = Some(rule.clone());
            }
        }
    }
}

/// Score elements, pick the main content and its related siblings, and mark every
/// other block removed (`html-outside-content`); then drop link-heavy blocks inside.
fn select_content(a: &mut Arena, c: &Compiled) {
    let min_chars = c.cfg.min_paragraph_chars as u32;
    let n = a.els.len();
    if n == 0 {
        return;
    }
    // Readability: each paragraph scores 1 + commas + up to 3 for length, and gives
    // it to its ancestors, damped with distance.
    let mut candidate = vec![false; n];
    for bi in 0..a.blocks.len() {
        let b = &a.blocks[bi];
        if b.removed.is_some() || b.chars < min_chars {
            continue;
        }
        let ld = b.link_chars as f32 / b.chars.max(1) as f32;
        if ld > 0.5 {
            continue;
        }
        let score = 1.0 + b.commas as f32 + (b.chars as f32 / 100.0).floor().min(3.0);
        let mut anc = a.els[b.owner as usize].parent;
        // A block owned by an inline-only container (e.g. text directly in a div) counts for it too.
        let mut level = 0;
        while anc != u32::MAX && level < 5 {
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            let el = &mut a.els[anc as usize];
            if !candidate[anc as usize] {
                candidate[anc as usize] = true;
                el.score = base_score(el);
            }
            el.score += score / div;
            anc = el.parent;
            level += 1;
        }
    }
    // Link density and kept text per element, from the block ranges.
    let mut prefix_chars = Vec::with_capacity(a.blocks.len() + 1);
    let mut prefix_links = Vec::with_capacity(a.blocks.len() + 1);
    let (mut pc, mut pl) = (0u64, 0u64);
    prefix_chars.push(0);
    prefix_links.push(0);
    for b in &a.blocks {
        if b.removed.is_none() {
            pc += u64::from(b.chars);
            pl += u64::from(b.link_chars);
        }
        prefix_chars.push(pc);
        prefix_links.push(pl);
    }
    let text_of = |el: &El| prefix_chars[el.end as usize] - prefix_chars[el.start as usize];
    let links_of = |el: &El| prefix_links[el.end as usize] - prefix_links[el.start as usize];
    let mut best: Option<usize> = None;
    let mut best_score = f32::MIN;
    for (i, &is_candidate) in candidate.iter().enumerate() {
        if !is_candidate {
            continue;
        }
        let el = &a.els[i];
        let chars = text_of(el);
        if chars == 0 {
            continue;
        }
        let ld = links_of(el) as f32 / chars as f32;
        let s = el.score * (1.0 - ld);
        a.els[i].score = s;
        if s > best_score {
            best_score = s;
            best = Some(i);
        }
    }
    // Good text of the page: kept text in paragraph-length, low-link blocks.
    let good_total: u64 = a
        .blocks
        .iter()
        .filter(|b| b.removed.is_none() && b.chars >= min_chars && b.link_chars * 2 < b.chars)
        .map(|b| u64::from(b.chars))
        .sum();
    let good_in = |a: &Arena, s: usize, e: usize| -> u64 {
        a.blocks[s..e]
            .iter()
            .filter(|b| b.removed.is_none() && b.chars >= min_chars && b.link_chars * 2 < b.chars)
            .map(|b| u64::from(b.chars))
            .sum()
    };

    // Readability picks the container with the densest prose, which on a page split
    // into sections is often one section (or a list) of the article: climb while the
    // choice holds too little of the page's good text and the parent is not link-heavy.
    let best = best.map(|mut top| {
        let want = good_total as f32 * c.cfg.climb_share;
        loop {
            let el = &a.els[top];
            if good_in(a, el.start as usize, el.end as usize) as f32 >= want {
                break;
            }
            let p = el.parent;
            if p == u32::MAX {
                break;
            }
            let pe = &a.els[p as usize];
            let chars = text_of(pe);
            let ld = links_of(pe) as f32 / chars.max(1) as f32;
            if ld > c.cfg.climb_max_link_density {
                break;
            }
            top = p as usize;
        }
        // The body split into parts (around a table, an ad, a newsletter box): climb
        // while the ancestors add mostly prose. Levels that add little (a heading, a
        // wrapper) are passed over without being taken.
        let (base_chars, base_good) = {
            let el = &a.els[top];
            (text_of(el), good_in(a, el.start as usize, el.end as usize))
        };
        let mut cur = top;
        for _ in 0..c.cfg.climb_prose_levels {
            let p = a.els[cur].parent;
            if p == u32::MAX {
                break;
            }
            let pe = &a.els[p as usize];
            let chars = text_of(pe);
            if links_of(pe) as f32 > chars as f32 * c.cfg.climb_max_link_density {
                break;
            }
            let added = chars - base_chars;
            let added_good = good_in(a, pe.start as usize, pe.end as usize) - base_good;
            if (added_good as f32) < added as f32 * c.cfg.climb_prose_share {
                break;
            }
            cur = p as usize;
            // Only a part above the choice: what follows a body (references, terms,
            // author bios, related stories) is prose too, but not the article.
            let (s0, e0) = (a.els[top].start as usize, a.els[top].end as usize);
            let before = prefix_chars[s0] - prefix_chars[pe.start as usize];
            let after = prefix_chars[pe.end as usize] - prefix_chars[e0];
            let before_good = good_in(a, pe.start as usize, s0);
            if before_good >= c.cfg.climb_prose_min_chars as u64 && after <= before {
                top = cur;
            }
        }
        top
    });
    // A thread of posts (forums, Q&A, comment pages): readability picks the longest
    // post. When the choice, or an ancestor a few levels up, is one of several
    // siblings of one shape (tag and class) that each hold good text, the thread is
    // the content: take their parent.
    let best = best.map(|top| {
        let min_items = c.cfg.thread_min_items;
        let item_chars = c.cfg.thread_item_chars as u64;
        let max_ld = c.cfg.thread_max_link_density;
        if min_items == 0 {
            return top;
        }
        let mut x = top;
        for _ in 0..=c.cfg.thread_levels {
            let el = &a.els[x];
            let p = el.parent;
            if p == u32::MAX {
                break;
            }
            if el.class_hash != 0 {
                let (tag, hash) = (el.tag, el.class_hash);
                let pe = a.els[p as usize].end;
                // Siblings lie after the parent in the arena, within its block range.
                let items = a.els[p as usize + 1..]
                    .iter()
                    .take_while(|e| e.start <= pe)
                    .filter(|e| e.parent == p && e.tag == tag && e.class_hash == hash)
                    .filter(|e| {
                        good_in(a, e.start as usize, e.end as usize) >= item_chars
                            && links_of(e) as f32 <= text_of(e) as f32 * max_ld
                    })
                    .count();
                if items >= min_items {
                    return p as usize;
                }
            }
            x = p as usize;
        }
        top
    });
    if let Some(t) = best {
        best_score = best_score.max(a.els[t].score);
    }

    let mut ranges: Vec<(usize, usize)> = Vec::new();
    // The blocks of a listing chosen as the content, if one was.
    let mut listing: Option<(usize, usize)> = None;
    // ...found as a grid of short tiles: all its blocks are entries.
    let mut tiles = false;
    if let Some(top) = best {
        // Join siblings whose score is close to the best, or that read like paragraphs.
        let threshold = (best_score * c.cfg.sibling_share).max(10.0);
        let parent = a.els[top].parent;
        let top_class = a.els[top].class_id.clone();
        let siblings: Vec<usize> = if parent == u32::MAX {
            vec![top]
        } else {
            (0..n).filter(|&j| a.els[j].parent == parent).collect()
        };
        for j in siblings {
            let el = &a.els[j];
            let (s, e) = (el.start as usize, el.end as usize);
            if j == top {
                ranges.push((s, e));
                continue;
            }
            let mut bonus = 0.0;
            if top_class.is_some() && el.class_id == top_class {
                bonus = best_score * 0.2;
            }
            let chars = text_of(el);
            let ld = if chars > 0 {
                links_of(el) as f32 / chars as f32
            } else {
                1.0
            };
            let joined = (candidate[j] && el.score + bonus >= threshold)
                || (chars > 80 && ld < 0.25 && good_in(a, s, e) * 2 > chars)
                || (chars > 0 && chars <= 80 && ld == 0.0 && ends_sentence(a, s, e));
            if joined {
                ranges.push((s, e));
            }
        }
        // Too little of the page's good text: fall back to everything not dropped.
        let got: u64 = ranges.iter().map(|&(s, e)| good_in(a, s, e)).sum();
        if (got as f32) < good_total as f32 * c.cfg.fallback_share {
            ranges = vec![(0, a.blocks.len())];
        }
        // A page made of repeated items (teasers are mostly links, so they score
        // little as prose, and readability picks one item or a box beside the list):
        // take the list when its items hold clearly more text in long blocks (linked
        // or not: menus are made of short ones) than the choice. Only clearly: on an
        // article, a grid of related teasers can outweigh a short story.
        let long_block = c.cfg.listing_block_chars as u32;
        let mut prefix_good = Vec::with_capacity(a.blocks.len() + 1);
        let mut g = 0u64;
        prefix_good.push(0);
        for b in &a.blocks {
            if b.removed.is_none() && b.chars >= long_block {
                g += u64::from(b.chars);
            }
            prefix_good.push(g);
        }
        let chosen: u64 = ranges
            .iter()
            .map(|&(s, e)| prefix_good[e] - prefix_good[s])
            .sum();
        let kept_chosen: u64 = ranges
            .iter()
            .map(|&(s, e)| prefix_chars[e] - prefix_chars[s])
            .sum();
        let need = Need {
            min_items: c.cfg.listing_min_items as u32,
            min_avg: c.cfg.listing_item_min_chars as u64,
            share: c.cfg.listing_share,
            max_avg: u64::MAX,
            merge_parents: if kept_chosen < c.cfg.listing_merge_max_content as u64 {
                c.cfg.listing_merge_parents
            } else {
                0
            },
        };
        if let Some((l, items)) = find_listing(a, &prefix_chars, &prefix_good, need) {
            if items as f32 > chosen as f32 * c.cfg.listing_over {
                let el = &a.els[l];
                ranges = vec![(el.start as usize, el.end as usize)];
                listing = Some((el.start as usize, el.end as usize));
            }
        }
        if listing.is_none() && c.cfg.listing_tile_min_items > 0 {
            let need = Need {
                min_items: c.cfg.listing_tile_min_items as u32,
                min_avg: c.cfg.listing_tile_item_min_chars as u64,
                share: c.cfg.listing_tile_share,
                max_avg: c.cfg.listing_tile_item_max_chars as u64,
                merge_parents: 0,
            };
            let chosen = kept_chosen;
            let found = if chosen < c.cfg.listing_tile_max_content as u64 {
                find_listing(a, &prefix_chars, &prefix_chars, need)
            } else {
                None
            };
            if let Some((l, items)) = found {
                if items as f32 > chosen as f32 * c.cfg.listing_tile_over {
                    let el = &a.els[l];
                    ranges = vec![(el.start as usize, el.end as usize)];
                    listing = Some((el.start as usize, el.end as usize));
                    tiles = true;
                }
            }
        }
    } else {
        ranges.push((0, a.blocks.len()));
    }
    ranges.sort_unstable();
    if listing.is_none() {
        if let Some(h) = lede_start(a, c, ranges[0].0) {
            ranges.insert(0, (h, ranges[0].0));
        }
    }

    // Mark blocks outside the chosen ranges.
    let mut inside = vec![false; a.blocks.len()];
    for &(s, e) in &ranges {
        for f in &mut inside[s..e] {
            *f = true;
        }
    }
    let max_ld = c.cfg.max_link_density;
    let long = c.cfg.link_density_min_chars as u32;
    let item_long = c.cfg.link_density_item_min_chars as u32;
    let listing_long = c.cfg.listing_block_chars as u32;
    let mut seen_text = false;
    let (mut kept_inside, mut linked_inside) = (0u64, 0u64);
    for (bi, b) in a.blocks.iter_mut().enumerate() {
        if b.removed.is_some() {
            continue;
        }
        if !inside[bi] {
            b.removed = c.names.outside.clone();
            continue;
        }
        let ld = b.link_chars as f32 / b.chars.max(1) as f32;
        // Linked headings inside the content are section or item titles, and long
        // linked list items are entries of the list the page is about.
        // In a listing, linked teasers are the entries themselves.
        let exempt = match b.kind {
            BlockKind::Heading(_) => c.cfg.link_density_keep_headings,
            BlockKind::ListItem => b.chars >= item_long,
            _ => false,
        } || ((tiles || b.chars >= listing_long)
            && listing.is_some_and(|(s, e)| (s..e).contains(&bi)));
        if ld > max_ld && b.chars < long && !exempt {
            if let Some(r) = &c.names.link_density {
                b.removed = Some(r.clone());
                linked_inside += u64::from(b.chars);
                continue;
            }
        }
        kept_inside += u64::from(b.chars);
        // The page title repeated as the first heading of the content is metadata, not text.
        if !seen_text && b.kind == BlockKind::Heading(1) {
            if let Some(r) = &c.names.title {
                b.removed = Some(r.clone());
                continue;
            }
        }
        if b.kind != BlockKind::Heading(1) && b.chars >= min_chars {
            seen_text = true;
        }
    }
    // A list of links (an aggregator's front page, a link directory) is its links:
    // when the link-density test took nearly all of the content, leaving ranks and
    // labels, the links were the content.
    let over = c.cfg.link_listing_over;
    if over > 0.0
        && kept_inside < c.cfg.link_listing_max_kept as u64
        && linked_inside >= c.cfg.link_listing_min_chars as u64
        && linked_inside as f32 > kept_inside.max(1) as f32 * over
    {
        for (bi, b) in a.blocks.iter_mut().enumerate() {
            if inside[bi] && b.removed.is_some() && b.removed == c.names.link_density {
                b.removed = None;
            }
        }
    }
    remove_duplicates(a, c);
    trim_tail(a, c);
    trim_head_dates(a, c);
}

/// Dates and times above the article's first real paragraph are metadata the page shows
/// (dateline, "updated" stamp), not text; they are read by the metadata stage instead.
fn trim_head_dates(a: &mut Arena, c: &Compiled) {
    let (Some(rule), Some(re)) = (&c.names.edge, &c.head_date) else {
        return;
    };
    let good_chars = c.cfg.edge_good_chars as u32;
    let max_chars = c.cfg.head_date_max_chars as u32;
    for b in a.blocks.iter_mut().filter(|b| b.removed.is_none()) {
        if b.chars >= good_chars {
            break;
        }
        if b.kind == BlockKind::Paragraph && b.chars <= max_chars && re.is_match(b.text.trim()) {
            b.removed = Some(rule.clone());
        }
    }
}

/// Where the headline block above the content starts: walking back from block
/// `first` over at most `lede_window_chars`, the farthest heading reached before a
/// link-heavy block left outside (a menu, a breadcrumb). Blocks removed by other rules
/// are passed over and stay removed. `None` when the content already opens with a
/// heading, or no heading is near.
fn lede_start(a: &Arena, c: &Compiled, first: usize) -> Option<usize> {
    let window = c.cfg.lede_window_chars as u64;
    let para_chars = c.cfg.lede_para_chars as u32;
    if window == 0 || first == 0 || first >= a.blocks.len() {
        return None;
    }
    if !c.cfg.lede_after_heading
        && a.blocks[first..]
            .iter()
            .find(|b| b.removed.is_none())
            .is_some_and(|b| matches!(b.kind, BlockKind::Heading(_)))
    {
        return None;
    }
    let mut seen = 0u64;
    let mut start = None;
    for i in (0..first).rev() {
        let b = &a.blocks[i];
        seen += u64::from(b.chars);
        if seen > window {
            break;
        }
        // Blocks before the content are not marked outside yet: any rule here is another's.
        if b.removed.is_some() {
            continue;
        }
        if b.link_chars as f32 > b.chars as f32 * c.cfg.lede_max_link_density {
            break;
        }
        let intro = para_chars > 0
            && b.kind == BlockKind::Paragraph
            && b.chars >= para_chars
            && ends_like_sentence(&b.text);
        if intro || matches!(b.kind, BlockKind::Heading(_)) {
            start = Some(i);
        }
    }
    start
}

/// What a group of same-shaped items needs to be a listing.
#[derive(Clone, Copy)]
struct Need {
    min_items: u32,
    /// Kept chars per item on average.
    min_avg: u64,
    /// Share of the page's text in `prefix_good` the items hold.
    share: f32,
    /// Kept chars per item on average, at most.
    max_avg: u64,
    /// Items under this many parents or more count together (0: never).
    merge_parents: usize,
}

/// The container of the largest group of same-shaped siblings (tag and class), if it
/// looks like a listing: enough items with text, long enough on average, holding
/// enough of the page's text as `prefix_good` measures it (long blocks, or all). Returns the container and
/// the items' text by that measure.
fn find_listing(
    a: &Arena,
    prefix_chars: &[u64],
    prefix_good: &[u64],
    need: Need,
) -> Option<(usize, u64)> {
    use std::collections::HashMap;
    let total = prefix_good[a.blocks.len()];
    if total == 0 {
        return None;
    }
    // Siblings of one shape: (parent, tag, class) -> (items, their kept text, their
    // text in long blocks).
    type Shape<'a> = (u32, u8, Option<&'a str>);
    let mut groups: HashMap<Shape, (u32, u64, u64)> = HashMap::new();
    for el in &a.els {
        if el.parent == u32::MAX || el.end <= el.start {
            continue;
        }
        let chars = prefix_chars[el.end as usize] - prefix_chars[el.start as usize];
        // An entry has a title and something more (a teaser, a price, a post); one
        // block alone is a paragraph or a list item of an article.
        if chars == 0 || el.end - el.start < 2 {
            continue;
        }
        let g = groups
            .entry((el.parent, el.tag as u8, el.class_id.as_deref()))
            .or_insert((0, 0, 0));
        g.0 += 1;
        g.1 += chars;
        g.2 += prefix_good[el.end as usize] - prefix_good[el.start as usize];
    }
    let (min_items, min_avg) = (need.min_items, need.min_avg);
    let want = total as f32 * need.share;
    let fits = |&(n, chars, good): &(u32, u64, u64)| {
        n >= min_items
            && chars >= min_avg * u64::from(n)
            && chars / u64::from(n) <= need.max_avg
            && good as f32 >= want
    };
    let mut best: Option<(u64, u32)> = None;
    let mut consider = |good: u64, p: u32| {
        if best.is_none_or(|b| (good, p) > b) {
            best = Some((good, p));
        }
    };
    for (&(p, ..), g) in &groups {
        if fits(g) {
            consider(g.2, p);
        }
    }
    // Sections of one listing: the same shape (with a class: bare tags repeat all
    // over a page) under several parents, taken together.
    if need.merge_parents >= 2 {
        // (tag, class) -> (the parents, the items' totals as in `groups`).
        type Kind<'a> = (u8, &'a str);
        type Merged = (Vec<u32>, (u32, u64, u64));
        let mut kinds: HashMap<Kind, Merged> = HashMap::new();
        for (&(p, tag, class), &(n, chars, good)) in &groups {
            let Some(class) = class else { continue };
            let k = kinds.entry((tag, class)).or_default();
            k.0.push(p);
            k.1 .0 += n;
            k.1 .1 += chars;
            k.1 .2 += good;
        }
        for (parents, g) in kinds.values() {
            if parents.len() < need.merge_parents || !fits(g) {
                continue;
            }
            // In document order an ancestor comes before its descendants: climb
            // from the later of two elements until they meet.
            let lca = parents.iter().copied().reduce(|mut x, mut y| {
                while x != y && x != u32::MAX && y != u32::MAX {
                    if x > y {
                        x = a.els[x as usize].parent;
                    } else {
                        y = a.els[y as usize].parent;
                    }
                }
                x.max(y)
            });
            if let Some(l) = lca.filter(|&l| l != u32::MAX) {
                consider(g.2, l);
            }
        }
    }
    best.map(|(good, p)| (p as usize, good))
}

/// jusText's context idea, at the end of the content only: after the last block that
/// reads like text, short paragraphs and headings are page furniture (newsletter and
/// social lines, copyright, "more on this topic"), not the article's closing words.
fn trim_tail(a: &mut Arena, c: &Compiled) {
    let Some(rule) = &c.names.edge else {
        return;
    };
    let good_chars = c.cfg.edge_good_chars as u32;
    let sentence_chars = c.cfg.edge_sentence_chars as u32;
    let reads_like_text = |b: &RawBlock| {
        b.chars >= good_chars
            || (!matches!(b.kind, BlockKind::Heading(_))
                && b.chars >= sentence_chars
                && ends_like_sentence(&b.text))
    };
    let trimmable = |b: &RawBlock| {
        b.removed.is_none()
            && matches!(
                b.kind,
                BlockKind::Paragraph | BlockKind::Heading(_) | BlockKind::Quote
            )
    };
    // List items, rows and code end the content as well as prose does.
    let Some(last) = a
        .blocks
        .iter()
        .rposition(|b| b.removed.is_none() && (reads_like_text(b) || !trimmable(b)))
    else {
        return;
    };
    if !reads_like_text(&a.blocks[last])
        && !a.blocks[..last]
            .iter()
            .any(|b| b.removed.is_none() && reads_like_text(b))
    {
        return;
    }
    let kept: u64 = a
        .blocks
        .iter()
        .filter(|b| b.removed.is_none())
        .map(|b| u64::from(b.chars))
        .sum();
    let tail: u64 = a.blocks[last + 1..]
        .iter()
        .filter(|b| trimmable(b))
        .map(|b| u64::from(b.chars))
        .sum();
    if tail as f32 > kept as f32 * c.cfg.edge_max_share {
        return;
    }
    for b in &mut a.blocks[last + 1..] {
        if trimmable(b) {
            b.removed = Some(rule.clone());
        }
    }
}

/// Whether text ends the way a sentence (or a quoted or bracketed one, or a lead-in) does.
fn ends_like_sentence(t: &str) -> bool {
    t.trim_end().ends_with([
        '.', '!', '?', '。', '！', '？', ':', '"', '”', '“', '»', '«', ')',
    ])
}

/// Remove kept blocks that repeat an earlier kept block (by text hash; one pass).
fn remove_duplicates(a: &mut Arena, c: &Compiled) {
    use std::hash::{Hash, Hasher};
    let Some(rule) = &c.names.duplicate else {
        return;
    };
    let min = c.cfg.duplicate_min_chars as u32;
    let mut seen = std::collections::HashSet::new();
    for b in &mut a.blocks {
        // Code legitimately repeats lines (and whole snippets) across a page.
        if b.removed.is_some() || b.chars < min || b.kind == BlockKind::Code {
            continue;
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        b.text.hash(&mut h);
        if !seen.insert(h.finish()) {
            b.removed = Some(rule.clone());
        }
    }
}

fn ends_sentence(a: &Arena, s: usize, e: usize) -> bool {
    a.blocks[s..e]
        .iter()
        .rfind(|b| b.removed.is_none())
        .is_some_and(|b| {
            b.text
                .trim_end()
                .ends_with(['.', '!', '?', '。', '！', '？'])
        })
}

/// Readability's starting score by tag, plus class/id hints.
fn base_score(el: &El) -> f32 {
    let t = match el.tag {
        Tag::Div | Tag::Article | Tag::Main | Tag::Section => 5.0,
        Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
        Tag::List | Tag::Form => -3.0,
        Tag::Heading => -5.0,
        Tag::Body | Tag::Other => 0.0,
    };
    let article = if el.tag == Tag::Article { 10.0 } else { 0.0 };
    t + el.weight + article
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules;

    fn empty_buffer() -> Buffer {
        Buffer {
            text: String::new(),
            chars: 0,
            link_chars: 0,
            commas: 0,
            pre_depth: 0,
            link_depth: 0,
            pending_space: false,
            links: Vec::new(),
            flushes: 0,
        }
    }

    #[test]
    fn push_text_ascii_runs_read_as_the_char_by_char_definition() {
        // The plain definition: every char classified with `char::is_whitespace`,
        // runs of non-space chars joined by one space, each non-space char counted.
        fn plain(pieces: &[&str]) -> (String, u32, u32, u32, bool) {
            let (mut text, mut chars, mut commas, mut pending) = (String::new(), 0, 0, false);
            for piece in pieces {
                for c in piece.chars() {
                    if c.is_whitespace() {
                        pending = true;
                        continue;
                    }
                    if pending && !text.is_empty() && !text.ends_with(['\n', '\t']) {
                        text.push(' ');
                    }
                    pending = false;
                    text.push(c);
                    chars += 1;
                    commas += u32::from(matches!(c, ',' | '，' | '、' | '،'));
                }
            }
            (text, chars, chars, commas, pending)
        }
        let cases: &[&[&str]] = &[
            &["Hello, world"],
            &["  a,b ,, c\t\n\x0B\x0Cd\re  "],
            &[
                "caf\u{e9}, na\u{ef}ve\u{a0}text",
                "\u{3000}\u{6f22}\u{5b57}\u{3001}\u{ff0c}x",
            ],
            &["one", "two", " three", "four ", "", "\u{2003}five"],
            &["\u{60c}\u{627},\u{1f600}z", ",,,", " "],
            &["x\u{85}y\u{2028}z\u{feff}w"],
        ];
        for pieces in cases {
            let mut buf = empty_buffer();
            buf.link_depth = 1;
            for p in pieces.iter() {
                buf.push_text(p);
            }
            let got = (
                buf.text,
                buf.chars,
                buf.link_chars,
                buf.commas,
                buf.pending_space,
            );
            assert_eq!(got, plain(pieces), "{pieces:?}");
        }
    }

    #[test]
    fn comment_and_end_tag_searches_find_what_a_substring_search_finds() {
        let memmem = |b: &[u8], from: usize, needle: &[u8]| {
            memchr::memmem::find(b.get(from..)?, needle).map(|p| p + from)
        };
        let plain_end_tag = |b: &[u8], from: usize, name: &[u8]| {
            let mut at = from;
            loop {
                let p = memmem(b, at, b"</")?;
                let tail = &b[p + 2..];
                if tail.len() >= name.len() && tail[..name.len()].eq_ignore_ascii_case(name) {
                    return Some(p);
                }
                at = p + 1;
            }
        };
        let texts: &[&[u8]] = &[
            b"<!-- a > b -> c --> d -->",
            b"<!---->x<!-->",
            b"->-->--->",
            b"--",
            b"",
            b"<script>a</b></scrip</SCRIPT></script >",
            b"x</style",
            b"</styl",
            b"< / style></style>",
        ];
        for t in texts {
            for from in 0..=t.len() + 1 {
                assert_eq!(
                    find_comment_end(t, from),
                    memmem(t, from, b"-->"),
                    "{t:?} {from}"
                );
                for name in [&b"script"[..], b"style", b"b"] {
                    assert_eq!(
                        find_end_tag(t, from, name),
                        plain_end_tag(t, from, name),
                        "{t:?} {from}"
                    );
                }
            }
        }
    }

    /// Scripts and styles long enough to be stripped before parsing.
    const JS: &str = "var settings = {a: 1, b: 'x < y'}; if (a<b && c>d) { run(); }";
    const CSS: &str = ".nav > li { display: none; } a:hover { color: red; }";

    #[test]
    fn stripping_script_and_style_bodies_leaves_the_tree_as_parsing_everything() {
        // Each page: what a full parse builds must be what `parse` builds, wherever
        // the scan guesses the tokenizer wrong (it then parses the whole text).
        let pages = [
            format!("<html><head><style>{CSS}</style><script>{JS}</script></head><body><p>Text</p></body></html>"),
            format!("<SCRIPT type=\"text/javascript\">{JS}</SCRIPT ><p>after</p><STYLE>{CSS}</style\t>"),
            format!("<!-- <script>{JS}</script> --><p>one</p><!--><script>{JS}</script><!---><p>two</p>"),
            format!("<textarea><script>{JS}</script></textarea><title><style>{CSS}</style></title><p>x</p>"),
            format!("<svg><style>{CSS}</style><script>{JS}</script><title>t</title></svg><style>{CSS}</style>"),
            format!("<math><mi><script>{JS}</script></mi></math><svg/><script>{JS}</script>"),
            format!("<script><!-- document.write('<script>{JS}</script>'); --></script><p>after</p>"),
            format!("<div title=\"<script>{JS}</script>\" data-x='<style>'>{CSS}</div><p>y</p>"),
            format!("<a href=x title=a>b<script>{JS}</script></a><b data-q=\"a>b\"><script>{JS}</script></b>"),
            format!("<table><tr><td>a</td><script>{JS}</script>text<style>{CSS}</style></tr></table>"),
            format!("<select><option>a</option><style>{CSS}</style><script>{JS}</script></select>"),
            format!("<frameset><script>{JS}</script></frameset><noframes><script>{JS}</script></noframes>"),
            format!("<script>{JS}\r\n{JS}\r{JS}\0</script><p>crlf and nul</p>"),
            format!("<script type=application/ld+json>{{\"@type\":\"Article\",\"headline\":\"{JS}\"}}</script>"),
            format!("<xmp><script>{JS}</script></xmp><iframe><style>{CSS}</style></iframe><p>z</p>"),
            format!("<script>{JS}</scriptx>{JS}</script><p>a</p><script>{JS}"),
            format!("<plaintext><script>{JS}</script>"),
            format!("<p>{PLACEHOLDER_MARK}0{PLACEHOLDER_MARK}</p><script>{JS}</script>"),
        ];
        for page in &pages {
            let whole = parse_whole(page);
            let doc = parse(page);
            assert_eq!(doc.html(), whole.html(), "{page}");
            let texts = |d: &Html| -> Vec<String> {
                d.tree
                    .root()
                    .descendants()
                    .filter_map(|n| n.value().as_text().map(|t| t.to_string()))
                    .collect()
            };
            assert_eq!(texts(&doc), texts(&whole), "{page}");
        }
        // The plain case is the one stripped (else the test above proves nothing).
        let (stripped, bodies) = strip_raw_bodies(&pages[0]).unwrap();
        assert_eq!(bodies.len(), 2);
        assert!(!stripped.contains("settings") && !stripped.contains("hover"));
        // A script with `<!--` in it is left alone (escape states), and so is a
        // text that holds the placeholder's mark already.
        assert!(strip_raw_bodies(&pages[6]).is_none());
        assert!(strip_raw_bodies(&pages[17]).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]
        /// Random soups of the markup that changes the tokenizer's state: whatever the
        /// scan guesses, `parse` builds the tree a full parse builds.
        #[test]
        fn stripped_parse_matches_a_full_parse(parts in proptest::collection::vec(0usize..PARTS.len(), 0..40)) {
            let page: String = parts.iter().map(|&i| PARTS[i]).collect();
            proptest::prop_assert_eq!(parse(&page).html(), parse_whole(&page).html(), "{}", page);
        }
    }

    /// Pieces for [`stripped_parse_matches_a_full_parse`].
    const PARTS: &[&str] = &[
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<SCRIPT type=x>",
        "</script ",
        "var a = '0123456789abcdef0123456789';",
        "a { color: red; } b { top: 0 }",
        "<!--",
        "-->",
        "--!>",
        "<!-->",
        "<textarea>",
        "</textarea>",
        "<title>",
        "</title>",
        "<svg>",
        "</svg>",
        "<svg/>",
        "<math>",
        "</math>",
        "<foreignObject>",
        "<p>",
        "<div title=\"",
        "\"",
        "'",
        "=",
        ">",
        "<",
        "</",
        "<table>",
        "<td>",
        "<select>",
        "<frameset>",
        "<noframes>",
        "<xmp>",
        "</xmp>",
        "<iframe>",
        "</iframe>",
        "<plaintext>",
        "\r\n",
        "\r",
        "\0",
        " ",
        "<![CDATA[",
        "]]>",
        "<?x",
        "<a href=x/>",
        "<template>",
        "</template>",
        "<noscript>",
    ];

    #[test]
    fn complexity_check_reads_tags_as_the_tokenizer_does() {
        let lim = |depth, attrs| crate::config::Limits {
            max_depth: depth,
            max_attributes: attrs,
            ..Default::default()
        };
        let nest = |n: usize| "<div>".repeat(n);
        assert!(check_complexity(&nest(5), &lim(5, 10)).is_ok());
        assert!(check_complexity(&nest(6), &lim(5, 10)).is_err());
        // Tags inside comments, raw text (any case of the end tag) and quoted values
        // do not count.
        let hidden = format!(
            "<!-- {} --><script>var s = '{}';</SCRIPT><p title=\"{}\">x</p>",
            nest(9),
            nest(9),
            nest(9)
        );
        assert!(check_complexity(&hidden, &lim(2, 10)).is_ok());
        // Elements that close themselves do not nest.
        assert!(check_complexity(&"<p><li><br>".repeat(50), &lim(2, 10)).is_ok());
        // Attributes are counted outside quotes, a quote opening a value only after `=`.
        let tag = r#"<a b="=x y z" c='>' d=e f>"#;
        assert!(check_complexity(tag, &lim(5, 4)).is_ok());
        assert!(check_complexity(tag, &lim(5, 3)).is_err());
        // A quote inside an attribute name opens nothing: `d='x y'` is one attribute.
        let tag = r#"<a b"c d='x y' e>"#;
        assert!(check_complexity(tag, &lim(5, 3)).is_ok());
        assert!(check_complexity(tag, &lim(5, 2)).is_err());
        // An unterminated quote runs to the end of the page without a panic.
        assert!(check_complexity("<a b=\"never closed", &lim(5, 4)).is_ok());
    }

    fn kept(html: &str) -> Vec<String> {
        let rules = Rules::defaults();
        let doc = Html::parse_document(html);
        extract(&doc, &rules)
            .into_iter()
            .filter(|b| b.is_kept())
            .map(|b| b.text)
            .collect()
    }

    /// For the first block starting with `prefix`: `Some(None)` if kept, `Some(Some(rule))` if removed.
    fn removed_by(blocks: &[Block], prefix: &str) -> Option<Option<String>> {
        blocks
            .iter()
            .find(|b| b.text.starts_with(prefix))
            .map(|b| b.removed_by.as_deref().map(str::to_string))
    }

    const PARA: &str = "This is a long paragraph of article text, with commas, clauses, and enough words to look like real prose that a reader came for.";

    #[test]
    fn an_intro_paragraph_above_a_body_opening_with_a_heading_is_kept() {
        // The intro sits in a box of its own above the body, which opens with a
        // section heading; a short line beside the intro is not prose and stays out.
        let intro = "The city council voted on Monday to close the old bridge for two years, \
                     after engineers found that its steel frame had rusted far more than expected. \
                     Buses will replace the trams that cross it.";
        let html = format!(
            "<body><nav><a href=/a>News</a> <a href=/b>Sport</a> <a href=/c>Opinion</a></nav>\
             <div class=top><div class=intro><p>Updated</p><p>{intro}</p></div></div>\
             <div class=main><div class=text><h2>What happens next</h2><p>{PARA} One.</p>\
             <p>{PARA} Two.</p><p>{PARA} Three.</p></div></div></body>"
        );
        let k = kept(&html);
        assert!(k.iter().any(|t| t == intro), "{k:?}");
        assert!(k.iter().any(|t| t == "What happens next"), "{k:?}");
        assert!(
            !k.iter().any(|t| t == "Updated" || t.contains("Sport")),
            "{k:?}"
        );
    }

    #[test]
    fn the_headline_and_standfirst_above_the_body_are_kept() {
        // A news layout: the headline block sits in a header of its own, far from the
        // body readability picks; the menu above it stays out.
        let html = format!(
            "<body><nav><a href=/a>News</a> <a href=/b>Sport</a> <a href=/c>Opinion</a></nav>\
             <div class=top><div class=head><h2>Mayor closes the old bridge</h2>\
             <p>Repairs will take two years, the council said on Monday.</p>\
             <p>By Ana Ruiz</p></div></div>\
             <div class=main><div class=text><p>{PARA} One.</p><p>{PARA} Two.</p>\
             <p>{PARA} Three.</p></div></div></body>"
        );
        let k = kept(&html);
        assert!(
            k.iter().any(|t| t == "Mayor closes the old bridge"),
            "{k:?}"
        );
        assert!(
            k.iter().any(|t| t.starts_with("Repairs will take")),
            "{k:?}"
        );
        assert!(k.iter().any(|t| t.ends_with("Three.")), "{k:?}");
        assert!(!k.iter().any(|t| t.contains("Sport")), "{k:?}");
    }

    #[test]
    fn the_content_column_of_a_sidebar_layout_is_kept_and_the_sidebar_is_not() {
        // A theme's two columns: "sidebar-content" is the article, "sidebar" the widgets;
        // with a republishing notice below, the column holds under half the page's text,
        // so the guard does not decide it.
        let promo = "Our weekly letter brings you the best stories of the season, with tips, recipes, and interviews from growers across the country.";
        let notice = "We are happy for our stories to be shared, and encourage you to republish our articles for your audience, with credit.";
        let html = format!(
            "<html><body><article><div class=sidebar-layout><div class=sidebar-content><p>{PARA}</p><p>{PARA} Again.</p></div>\
             <div class=sidebar><p>{promo}</p></div></div></article>\
             <div class=republish><p>{notice}</p><p>{notice} Thanks.</p></div></body></html>"
        );
        let k = kept(&html);
        assert!(k.iter().any(|t| t.ends_with("Again.")), "{k:?}");
        assert!(
            !k.iter().any(|t| t.starts_with("Our weekly letter")),
            "{k:?}"
        );
    }

    #[test]
    fn a_consent_banner_goes_even_when_it_outweighs_a_grid_of_tiles() {
        // A recipe collection: linked titles with a rating, and a consent manager's
        // panel of long policy paragraphs, more good text than the whole grid.
        let tiles: String = (1..=8)
            .map(|i| format!("<li class=card><h3><a href=/r{i}>Easy Slow-Cooker Dish Number {i}</a></h3><p>4.{i} stars</p></li>"))
            .collect();
        let policy = "We and our partners store and access information on a device, such as unique IDs in cookies, to process personal data for advertising, measurement and content.";
        let html = format!(
            "<html class=\"js cookie-banner-visible\"><body><main><h1>Dinner Recipes</h1><ul class=grid>{tiles}</ul></main>\
             <div id=onetrust-consent-sdk><h2>We Care About Your Privacy</h2><p>{policy}</p><p>{policy} Again.</p><p>{policy} Once more.</p></div></body></html>"
        );
        let blocks = extract(&parse(&html), &Rules::defaults());
        assert!(
            blocks
                .iter()
                .filter(|b| b.text.starts_with("We and our partners"))
                .all(|b| b.removed_by.as_deref() == Some("html-cookie")),
            "{blocks:?}"
        );
        assert!(
            blocks
                .iter()
                .any(|b| b.is_kept() && b.text.contains("Dish Number 3")),
            "{blocks:?}"
        );
    }

    #[test]
    fn a_self_closed_iframe_in_noscript_does_not_swallow_the_page() {
        // The tag-manager snippet as some sites ship it, `/>` instead of `</iframe>`.
        let html = format!(
            "<html><body><noscript><iframe src=\"https://www.googletagmanager.com/ns.html?id=GTM-X1\" \
             height=\"0\" width=\"0\" style=\"display: none;\" /></noscript>\
             <div class=content><p>{PARA}</p><p>{PARA} Again.</p></div><script>var x = 1;</script></body></html>"
        );
        let blocks = extract(&parse(&html), &Rules::defaults());
        let k: Vec<&str> = blocks
            .iter()
            .filter(|b| b.is_kept())
            .map(|b| b.text.as_str())
            .collect();
        assert_eq!(k.len(), 2, "{k:?}");
        assert!(k[1].ends_with("Again."), "{k:?}");
        assert!(!blocks.iter().any(|b| b.text.contains('<')), "{blocks:?}");
        // Iframes closed the usual way, and pages without one, are parsed as they are.
        assert!(close_void_iframes("<iframe src=a></iframe><p>x</p>").is_none());
        assert_eq!(
            close_void_iframes("<iframe src=a /><p>x</p>").as_deref(),
            Some("<iframe src=a /></iframe><p>x</p>")
        );
    }

    #[test]
    fn keeps_the_article_and_drops_navigation() {
        let html = format!(
            "<html><body><nav><a href=/>Home</a> <a href=/a>About</a></nav>\
             <div class=content><h1>Title</h1><p>{PARA}</p><p>{PARA} Again.</p><h2>Sub</h2><ul><li>item one</li><li>item two</li></ul></div>\
             <footer>Copyright 2024 Example Inc. All rights reserved, forever and ever.</footer></body></html>"
        );
        let k = kept(&html);
        assert!(k.iter().any(|t| t == "Sub"), "{k:?}");
        assert!(k.iter().any(|t| t == "item one"), "{k:?}");
        assert!(!k.iter().any(|t| t.contains("Home")), "{k:?}");
        assert!(!k.iter().any(|t| t.contains("Copyright")), "{k:?}");
    }

    #[test]
    fn every_removed_block_names_its_rule() {
        let html =
            format!("<body><nav>Menu entries here</nav><article><p>{PARA}</p></article></body>");
        let rules = Rules::defaults();
        let blocks = extract(&Html::parse_document(&html), &rules);
        let nav = blocks.iter().find(|b| b.text.contains("Menu")).unwrap();
        assert_eq!(nav.removed_by.as_deref(), Some(RULE_TAGS));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut html = String::from("<html><body>");
        for _ in 0..20_000 {
            html.push_str("<div>");
        }
        html.push_str(PARA);
        for _ in 0..20_000 {
            html.push_str("</div>");
        }
        html.push_str("</body></html>");
        let k = kept(&html);
        assert!(k.iter().any(|t| t.contains("long paragraph")));
    }

    #[test]
    fn hidden_elements_are_removed() {
        let html = format!("<body><article><p>{PARA}</p><div style='display: none'>secret text here</div></article></body>");
        let k = kept(&html);
        assert!(!k.iter().any(|t| t.contains("secret")));
    }

    #[test]
    fn small_asides_and_forms_go_even_when_together_they_outweigh_a_short_story() {
        // A short post with a magazine blurb in an <aside> and a comment form whose
        // privacy notice is prose: each is well under guard_share, their sum is not.
        let blurb = "Our magazine was printed for twenty years and now lives on as a website, \
                     run by a shop for telescopes that keeps its archive online for readers.";
        let notice = "Your e-mail address will not be published, and we keep your name only \
                      for as long as your comment is shown under this article on our site.";
        let html = format!(
            "<body><div class=post><h1>Seeing the Pleiades</h1><p>{PARA}</p><p>The cluster \
             is best seen in winter.</p>\
             <form action=/comment><p>Leave a reply</p><p>{notice}</p></form>\
             <aside class=box><h4>About us</h4><p>{blurb}</p></aside></div></body>"
        );
        let k = kept(&html);
        assert!(k.iter().any(|t| t == PARA), "{k:?}");
        assert!(!k.iter().any(|t| t == notice || t == blurb), "{k:?}");
    }

    #[test]
    fn guard_keeps_a_body_with_a_chrome_class() {
        let html = format!("<body class='comments-open'><div class='share-and-content'><p>{PARA}</p><p>{PARA} Two.</p></div></body>");
        let k = kept(&html);
        assert_eq!(k.len(), 2, "{k:?}");
    }

    #[test]
    fn hidden_wrapper_holding_the_article_is_kept() {
        // Anti-flicker wrappers hide the whole page until a script runs.
        let html = format!(
            "<body><div style='display:none'>Loading menu</div><div class=wrap hidden><article><p>{PARA}</p><p>{PARA} Two.</p></article></div></body>"
        );
        let k = kept(&html);
        assert_eq!(k.len(), 2, "{k:?}");
        assert!(!k.iter().any(|t| t.contains("Loading")), "{k:?}");
    }

    #[test]
    fn the_first_part_of_a_body_split_by_a_box_is_kept() {
        // A story whose first part sits in a wrapper of its own, above the rest of the
        // body (the markup around an ad slot or a table): the deeper second part scores
        // best and holds most of the text, and the first part is too long for the
        // lede window; its prose, above the choice, brings the content up to the story.
        let first = "The council met on Monday evening, and after a long debate, it voted to close the old bridge for repairs that will take most of the coming year to finish.";
        let rest = "Drivers will be sent over the river road, which adds a few minutes to the trip, and buses will stop at new places that the town will mark with signs next week.";
        let mut html = String::from("<body><nav><a href=/>Home</a></nav><div class=story><div>");
        for n in 1..=10 {
            html += &format!("<p>{first} ({n})</p>");
        }
        html += "</div><div class=ad>Advertisement</div><div><div>";
        for n in 1..=16 {
            html += &format!("<p>{rest} [{n}]</p>");
        }
        html += "</div></div></div></body>";
        let k = kept(&html);
        assert!(k.iter().any(|t| t.ends_with("(1)")), "{k:?}");
        assert!(k.iter().any(|t| t.ends_with("[16]")), "{k:?}");
        assert!(!k.iter().any(|t| t == "Home"), "{k:?}");
        // Without the climb the first part is left out: the rule is what keeps it.
        let off =
            Rules::from_sources(Some(("u.toml", "[html]\nclimb_prose_levels = 0\n"))).unwrap();
        let doc = Html::parse_document(&html);
        let k: Vec<String> = extract(&doc, &off)
            .into_iter()
            .filter(|b| b.is_kept())
            .map(|b| b.text)
            .collect();
        assert!(!k.iter().any(|t| t.ends_with("(1)")), "{k:?}");
    }

    #[test]
    fn content_climbs_from_one_section_to_the_whole_article() {
        // A list of tips scores best on its own (the paragraphs sit too deep to lift
        // their common ancestor), but the article is the paragraphs and the list.
        let tip =
            "Check that the seat fits your car, and that the belt runs straight, without folds.";
        let mut html = String::from("<body><nav><a href=/>Home</a></nav><div class=x>");
        for n in ["First", "Second", "Third"] {
            html += &format!(
                "<div><div><div><div><div><p>{PARA} {n}.</p></div></div></div></div></div>"
            );
        }
        html += "<div class=box><div class=tips><ul>";
        for n in 1..=6 {
            html += &format!("<li>{tip} {n}.</li>");
        }
        html += "</ul></div></div></div></body>";
        let k = kept(&html);
        assert!(k.iter().any(|t| t.ends_with("First.")), "{k:?}");
        assert!(k.iter().any(|t| t.ends_with("Third.")), "{k:?}");
        assert!(k.iter().any(|t| t.ends_with("6.")), "{k:?}");
        assert!(!k.iter().any(|t| t == "Home"), "{k:?}");
    }

    #[test]
    fn linked_headings_and_long_linked_items_stay_in_the_content() {
        let entry = "Catalogue of upholstery hardware: curtain poles, shade and carpet hardware, picture hardware (1890)";
        let html = format!(
            "<body><article><h2><a href=/s>Section with a link</a></h2><p>{PARA}</p><p>{PARA}</p>\
             <ul><li><a href=/c>{entry}</a></li><li><a href=/x>Short link</a></li></ul></article></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        let rule = |t: &str| removed_by(&blocks, t);
        assert_eq!(rule("Section with"), Some(None), "{blocks:?}");
        assert_eq!(rule("Catalogue of"), Some(None), "{blocks:?}");
        assert_eq!(
            rule("Short link"),
            Some(Some(RULE_LINK_DENSITY.to_string())),
            "{blocks:?}"
        );
    }

    #[test]
    fn a_list_of_links_keeps_its_links() {
        // An aggregator's front page: a rank cell and a linked title per row. The
        // link-density test would leave only "1.", "2.", ...
        let rows: String = (1..=20)
            .map(|i| {
                format!(
                    "<tr class=\"story\" id=\"s{i}\"><td class=\"rank\">{i}.</td>\
                     <td><a href=\"/item/{i}\">Story number {i} about something new</a> \
                     <a href=\"/from/{i}\">(example{i}.com)</a></td></tr>"
                )
            })
            .collect();
        let html = format!("<body><table>{rows}</table></body>");
        let k = kept(&html);
        assert!(
            k.iter().any(|t| t.contains("Story number 7 about")),
            "{k:?}"
        );
        // An article's own link list stays subject to the test: the article holds
        // text of its own.
        let links: String = (1..=20)
            .map(|i| format!("<p><a href=\"/t/{i}\">Another story title number {i}</a></p>"))
            .collect();
        let article = format!(
            "<body><article>{}{links}</article></body>",
            format!("<p>{PARA}</p>").repeat(20)
        );
        let k = kept(&article);
        assert!(
            k.iter().any(|t| t.starts_with("This is a long paragraph")),
            "{k:?}"
        );
        assert!(
            !k.iter().any(|t| t.contains("Another story title")),
            "{k:?}"
        );
    }

    #[test]
    fn custom_elements_with_an_href_count_as_links() {
        // A web-component menu (`<dropdown-item href=..>`) inside the article is link
        // text like `<a>`; a standard element with a stray `href="#"` is not.
        let html = format!(
            "<body><article><p>{PARA}</p>\
             <p><dropdown-item href=/shop>Shop all</dropdown-item> <dropdown-item href=/new>New in</dropdown-item></p>\
             <p><span href=\"#\">Plain words in a span</span></p><p>{PARA} Second.</p></article></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        let rule = |t: &str| removed_by(&blocks, t);
        assert_eq!(
            rule("Shop all"),
            Some(Some(RULE_LINK_DENSITY.to_string())),
            "{blocks:?}"
        );
        assert_eq!(rule("Plain words"), Some(None), "{blocks:?}");
    }

    #[test]
    fn a_date_line_above_the_first_paragraph_is_trimmed() {
        // A dateline between headline and body goes; a date-like line inside the body
        // and a short non-date line at the start stay.
        let html = format!(
            "<body><article><h1>Headline</h1><p>12.12.2022, 08:30 Uhr</p><p>Berlin, Germany</p>\
             <p>{PARA}</p><p>11 Jan 2019</p><p>{PARA} Second.</p></article></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        let rule = |t: &str| removed_by(&blocks, t);
        assert_eq!(
            rule("12.12.2022"),
            Some(Some(RULE_EDGE.into())),
            "{blocks:?}"
        );
        assert_eq!(rule("Berlin"), Some(None), "{blocks:?}");
        assert_eq!(rule("11 Jan"), Some(None), "{blocks:?}");
    }

    #[test]
    fn repeated_blocks_are_removed_once_seen() {
        // A teaser followed by the full post repeats its paragraphs.
        let html = format!(
            "<body><article><p>{PARA}</p><p>{PARA} Second.</p><p>{PARA}</p><pre>x = 1; y = 2; z = x + y; print(z) # same</pre><pre>x = 1; y = 2; z = x + y; print(z) # same</pre></article></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        let dups: Vec<_> = blocks
            .iter()
            .filter(|b| b.removed_by.as_deref() == Some(RULE_DUPLICATE))
            .collect();
        assert_eq!(dups.len(), 1, "{blocks:?}");
        assert_eq!(dups[0].text, PARA);
        assert_eq!(
            blocks.iter().filter(|b| b.is_kept()).count(),
            4,
            "{blocks:?}"
        );
    }

    #[test]
    fn short_lines_after_the_last_paragraph_are_trimmed() {
        let html = format!(
            "<body><article><p>{PARA}</p><p>{PARA} Two.</p><p>{PARA} Three.</p><p>{PARA} Four.</p>\
             <p>Short but a sentence, it stays in.</p><p>{PARA} Five.</p>\
             <ul><li>Sources and notes</li></ul><h3>Follow us</h3><p>Copyright 2024 Example</p></article></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        let rule = |t: &str| removed_by(&blocks, t);
        assert_eq!(rule("Short but"), Some(None), "{blocks:?}");
        assert_eq!(rule("Sources"), Some(None), "{blocks:?}");
        assert_eq!(
            rule("Follow us"),
            Some(Some(RULE_EDGE.into())),
            "{blocks:?}"
        );
        assert_eq!(
            rule("Copyright"),
            Some(Some(RULE_EDGE.into())),
            "{blocks:?}"
        );
    }

    #[test]
    fn a_long_short_block_tail_is_not_trimmed() {
        // A page of short entries after one intro paragraph: the entries are the page.
        let mut html = format!("<body><div class=content><p>{PARA}</p>");
        for n in 0..12 {
            html += &format!("<p>Entry number {n} of the page</p>");
        }
        html += "</div></body>";
        let k = kept(&html);
        assert!(k.iter().any(|t| t.contains("number 11")), "{k:?}");
    }

    #[test]
    fn product_reviews_and_size_charts_are_removed() {
        let html = format!(
            "<body><div class=product><p>{PARA}</p><p>{PARA} Specs.</p>\
             <div class='product__reviews'><p>Great shoes, they fit well, would buy again for sure.</p></div>\
             <div id=size-chart><p>Size 40 fits a foot of 25 cm, size 41 one of 26 cm.</p></div></div></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        let rule = |t: &str| {
            blocks
                .iter()
                .find(|b| b.text.starts_with(t))
                .and_then(|b| b.removed_by.as_deref().map(str::to_string))
        };
        assert_eq!(
            rule("Great shoes").as_deref(),
            Some("html-reviews"),
            "{blocks:?}"
        );
        assert_eq!(
            rule("Size 40").as_deref(),
            Some("html-reviews"),
            "{blocks:?}"
        );
        assert_eq!(rule(PARA), None, "{blocks:?}");
    }

    #[test]
    fn a_product_details_panel_built_as_a_modal_is_kept_and_a_popup_is_not() {
        // A shop renders the description and specs in a "modal" panel beside the
        // product; a region pop-up on the same page still goes.
        let specs = "Width: 77 cm, depth: 39 cm, height: 147 cm. Frame made of particleboard and fibreboard.";
        let html = format!(
            "<body><div class=product><h1>Shelf unit</h1><p>{PARA}</p>\
             <div class='shop-product-details-modal'><div class='shop-product-details-modal__section'>\
             <p>{specs}</p></div></div>\
             <div class='region-popup'><p>Choose your country to see local prices and delivery times.</p></div>\
             </div></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        assert_eq!(removed_by(&blocks, "Width: 77"), Some(None), "{blocks:?}");
        assert_eq!(
            removed_by(&blocks, "Choose your country"),
            Some(Some("html-popup".into())),
            "{blocks:?}"
        );
    }

    #[test]
    fn a_review_list_longer_than_the_description_is_still_removed() {
        let review =
            "Great shoes, they fit well and I wear them every day, would buy again for sure.";
        let html = format!(
            "<body><div class=product><h1>Wool Runner</h1><p>{PARA}</p><p>{PARA} Specs.</p>\
             <p>{PARA} Care.</p><p>{PARA} Materials.</p><p>{PARA} Fit.</p><p>{PARA} Sizes.</p>\
             <p>{PARA} Soles.</p><p>{PARA} Laces.</p></div><div class=product-reviews>{}</div></body>",
            format!("<div class=review><p>{review}</p><p>{review}</p></div>").repeat(20)
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        assert_eq!(
            removed_by(&blocks, "Great shoes"),
            Some(Some("html-reviews".into())),
            "{blocks:?}"
        );
        assert_eq!(removed_by(&blocks, PARA), Some(None), "{blocks:?}");
    }

    #[test]
    fn dialogs_are_removed_outside_the_article_only() {
        let html = format!(
            "<body><main><p>{PARA}</p><div role=dialog><p>{PARA} In a sheet.</p></div></main>\
             <div id=ccc role=dialog><p>We use cookies to make this site work, and to measure how it is used.</p></div>\
             <div aria-modal=true><p>Returns are free within thirty days, in the country of purchase only.</p></div></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        assert_eq!(
            removed_by(&blocks, "We use cookies"),
            Some(Some("html-dialog".into()))
        );
        assert_eq!(
            removed_by(&blocks, "Returns are free"),
            Some(Some("html-dialog".into()))
        );
        assert_eq!(
            removed_by(&blocks, &format!("{PARA} In a sheet")),
            Some(None),
            "{blocks:?}"
        );
    }

    #[test]
    fn every_post_of_a_thread_is_kept_not_only_the_longest() {
        let post = |id: u32, body: &str| {
            format!(
                "<div id=post_{id} class='topic-body crawler-post'><div class=meta>user{id}</div>\
                 <div class=post itemprop=text><p>{body}</p></div></div>"
            )
        };
        let long = format!("{PARA} {PARA} {PARA} {PARA} {PARA}");
        let html = format!(
            "<body><div id=main-outlet>{}{}{}</div></body>",
            post(1, &long),
            post(2, "Did you try clearing the build cache first? That fixed it for me last month, when the same error showed up after an update of the runtime."),
            post(3, "Yes, clearing the cache and pinning the runtime version made the deploy pass again. Thanks a lot for the quick help, marking this solved.")
        );
        let text = kept(&html).join("\n");
        assert!(text.contains("Did you try clearing"), "{text}");
        assert!(text.contains("Yes, clearing the cache"), "{text}");
        assert!(text.contains(PARA), "{text}");
    }

    #[test]
    fn picture_captions_and_credits_are_removed() {
        let html = format!(
            "<body><article><p>{PARA}</p><figure><img src=a.jpg><figcaption>The glacier in 1990 and \
             today, seen from the same hut.</figcaption></figure><p>{PARA} Again.</p>\
             <div class=wp-caption-text>Overview of the route. (Photo: Getty)</div>\
             <p>{PARA} Once more.</p><div class=field-image><img src=b.jpg>\
             <p class=image-copyright>Getty Images / Joe Smith</p></div>\
             <p>{PARA} The end.</p></article></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        assert_eq!(
            removed_by(&blocks, "The glacier"),
            Some(Some("html-tags".into()))
        );
        for credit in ["Overview", "Getty Images"] {
            assert_eq!(
                removed_by(&blocks, credit),
                Some(Some("html-caption".into()))
            );
        }
        assert_eq!(removed_by(&blocks, PARA), Some(None), "{blocks:?}");
    }

    #[test]
    fn an_author_box_under_the_post_is_removed() {
        // A blog theme's "About the author" box after the post, and the same box as the
        // Simple Author Box plugin writes it; the post itself stays.
        let bio = "Anna has written about angling for ten years and runs a tackle shop in \
                   Hamburg, where she also teaches beginners how to cast.";
        for box_class in ["post-author", "saboxplugin-wrap", "article__author"] {
            let html = format!(
                "<body><article class=post><h1>Pike in winter</h1><p>{PARA}</p>\
                 <p>{PARA} Two.</p><div class={box_class}><p>About the author</p>\
                 <p>{bio}</p></div></article></body>"
            );
            let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
            assert_eq!(removed_by(&blocks, PARA), Some(None), "{blocks:?}");
            assert_eq!(
                removed_by(&blocks, "Anna has"),
                Some(Some("html-meta".into())),
                "{box_class}: {blocks:?}"
            );
        }
    }

    #[test]
    fn post_footers_donation_pleas_and_picture_legends_are_removed() {
        // A WordPress post: a picture with its legend box, a donation plea, and the
        // theme's post footer with category and tag lines.
        let html = format!(
            "<body><div class=post><h1>Stag beetles in the old chestnut groves</h1>\
             <p>{PARA}</p><div class=picture><img src=a.jpg><div class=legend>The stag beetle \
             (Lucanus cervus) lives in old oaks.</div></div><p>{PARA} Two.</p>\
             <div class=article-donation-box><p>We rely on your support to keep our nature \
             reporting free for all.</p></div><p>{PARA} Three.</p>\
             <div class=entry-utility>This entry was posted in Nature and tagged beetles.\
             <span class=tags-links>Tags: beetles, forests, chestnuts</span></div></div></body>"
        );
        let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
        assert_eq!(removed_by(&blocks, PARA), Some(None), "{blocks:?}");
        for (text, rule) in [
            ("The stag beetle", "html-caption"),
            ("We rely", "html-newsletter"),
            ("This entry was posted", "html-meta"),
        ] {
            assert_eq!(
                removed_by(&blocks, text),
                Some(Some(rule.into())),
                "{text}: {blocks:?}"
            );
        }
    }

    #[test]
    fn boxes_inside_a_story_are_removed_by_their_class() {
        // Each box sits between two paragraphs of the story, as sites place them.
        let cases = [
            (
                "embedded-article",
                "Read also: the town's second mill reopens",
                "html-related",
            ),
            (
                "werbung-item",
                "Order the new cookbook now at a special price",
                "html-ads",
            ),
            (
                "reading-time",
                "This story takes 4 minutes to read",
                "html-meta",
            ),
            ("article__date", "Published: 12 March 2024", "html-meta"),
            (
                "teaser-breaker",
                "Appeared in our print issue 3/2024",
                "html-meta",
            ),
            (
                "kommentare",
                "No comments yet, be the first to write one",
                "html-comments",
            ),
            (
                "image-description",
                "The mill wheel after its repair in 2023",
                "html-caption",
            ),
        ];
        for (class, text, rule) in cases {
            let html = format!(
                "<body><article><h1>Harbour town restores its tidal mill</h1><p>{PARA}</p>\
                 <div class={class}><p>{text}</p></div><p>{PARA} Two.</p></article></body>"
            );
            let blocks = extract(&Html::parse_document(&html), &Rules::defaults());
            assert_eq!(removed_by(&blocks, PARA), Some(None), "{class}: {blocks:?}");
            assert_eq!(
                removed_by(&blocks, text),
                Some(Some(rule.into())),
                "{class}: {blocks:?}"
            );
        }
    }

    #[test]
    fn forum_user_stats_are_removed_and_posts_kept() {
        let mut html = String::from("<body><div class=thread>");
        for n in 0..3 {
            html += &format!(
                "<div class=post><div class=user-stats><p>Posts: 1,234 Joined: Jan 2020, Location: here</p></div>\
                 <div class=post-body><p>{PARA} Post {n}.</p></div></div>"
            );
        }
        html += "</div></body>";
        let k = kept(&html);
        assert_eq!(k.iter().filter(|t| t.contains("Post ")).count(), 3, "{k:?}");
        assert!(!k.iter().any(|t| t.contains("Joined")), "{k:?}");
    }

    #[test]
    fn teaser_sections_of_a_homepage_are_one_listing() {
        // A homepage: three topic sections of three linked teasers each; no section
        // alone has enough items to be a listing, and the only unlinked prose is the
        // site's strapline.
        let mut html = String::from(
            "<body><div class=about><p>News and analysis for software engineers, every weekday.</p></div>",
        );
        for topic in ["Cloud", "Data", "Security"] {
            html += &format!("<section class=topic><h2>{topic}</h2>");
            for n in 0..3 {
                html += &format!(
                    "<div class=card><a href=/{topic}/{n}><h3>{topic} story {n}</h3>\
                     <p>Engineers at a large retailer explain how they moved {n} services to a new {topic} platform.</p></a></div>"
                );
            }
            html += "</section>";
        }
        html += "</body>";
        let k = kept(&html);
        let teasers = k.iter().filter(|t| t.contains("Engineers at")).count();
        assert_eq!(teasers, 9, "{k:?}");
    }

    #[test]
    fn a_grid_of_short_product_tiles_is_kept_over_the_category_blurb() {
        // A shop category: each tile is a linked name and a price, all shorter than a
        // listing block, and the only prose is the blurb above the grid.
        let mut html = String::from(
            "<body><div class=intro><p>Our candles are poured by hand in small batches, \
             with cotton wicks and soy wax, and ship in recycled boxes.</p></div><ul class=grid>",
        );
        for n in 0..24 {
            html += &format!(
                "<li class=tile><a href=/p/{n}><h3>Glass Candle No. {n}, lemon blossom</h3></a><p class=price>${n}.50</p></li>"
            );
        }
        html += "</ul></body>";
        let k = kept(&html);
        let tiles = k.iter().filter(|t| t.contains("Glass Candle")).count();
        assert_eq!(tiles, 24, "{k:?}");
        // A story of some length beside the same grid stays the content.
        let story = "<p>The council voted on Tuesday to extend the tram line to the harbour, \
                     a plan that has been debated for a decade and will cost millions.</p>"
            .repeat(8);
        let k = kept(&html.replace("<div class=intro>", &format!("<div class=intro>{story}")));
        assert!(k.iter().all(|t| !t.contains("Glass Candle")), "{k:?}");
    }

    #[test]
    fn a_listing_of_linked_teasers_is_kept_over_a_box_beside_it() {
        // A news list: every card is one link (title and teaser), so the only
        // unlinked prose on the page is the author box of the first card.
        let mut html = String::from("<body><div class=list>");
        for n in 0..6 {
            html += &format!(
                "<div class=card><a href=/s/{n}><h2>Story number {n} of the day</h2>\
                 <p>The council voted on Tuesday to extend the tram line to the harbour, a plan worth {n} million.</p></a>"
            );
            if n == 0 {
                html += "<div class=writer><p>Deputy editor of the city desk, covering transport and housing.</p></div>";
            }
            html += "</div>";
        }
        html += "</div></body>";
        let k = kept(&html);
        let teasers = k.iter().filter(|t| t.contains("tram line")).count();
        assert_eq!(teasers, 6, "{k:?}");
    }

    #[test]
    fn an_article_beats_a_grid_of_related_teasers() {
        // Related teasers (linked, same shape) must not replace a real article body.
        let mut html = format!(
            "<body><article><p>{PARA} One.</p><p>{PARA} Two.</p></article><div class=more>"
        );
        for n in 0..4 {
            html += &format!(
                "<div class=card><a href=/r/{n}><h3>Other story {n}</h3>\
                 <p>A teaser long enough to count as a block of its own, about story {n}.</p></a></div>"
            );
        }
        html += "</div></body>";
        let k = kept(&html);
        assert!(k.iter().any(|t| t.ends_with("One.")), "{k:?}");
        assert!(!k.iter().any(|t| t.contains("teaser long")), "{k:?}");
    }
}
