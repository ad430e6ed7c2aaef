//! Metadata: title, date, author, site, URL, language and tags, from the DOM
//! (JSON-LD, OpenGraph, Dublin Core, microdata, visible bylines) or from the text
//! headers a text page carried.
//!
//! One pass over the document collects every signal (meta tags, JSON-LD scripts,
//! headings, `<time>` elements, microdata, author links, the visible text nodes);
//! the fields are then chosen from those candidates in order of reliability.

mod date;
mod jsonld;
mod lang;

use std::sync::LazyLock;

use ego_tree::NodeRef;
use html5ever::{local_name, LocalName};
use regex::Regex;
use scraper::{ElementRef, Html, Node};

pub use date::{date_from_url, find_date, parse_date, Found};

use crate::record::Metadata;
use crate::rules::Capture;

/// What the metadata stage knows about a page besides its content.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    /// The source path, relative to its input root.
    pub source: &'a str,
    /// The page URL if known from outside the page (e.g. WARC).
    pub url: Option<&'a str>,
    /// Upper bound for dates as `YYYY-MM-DD` (crawl time, else today).
    pub max_date: Option<&'a str>,
}

/// Visible text nodes kept for byline and date search (pages beyond this are
/// searched only in their first part, which is where titles are).
const MAX_TEXTS: usize = 30_000;
/// Text nodes after the title searched for a byline or a date.
const WINDOW_AFTER: usize = 60;
/// Text nodes before the title searched (kickers, category and date lines).
const WINDOW_BEFORE: usize = 15;
const MAX_TAGS: usize = 20;

/// A `<time>` element.
#[derive(Debug)]
struct TimeEl<'a> {
    datetime: Option<&'a str>,
    text: String,
    /// Marked as the publication time (`pubdate`, `itemprop=datePublished`, a
    /// `published` class).
    published: bool,
    /// Marked as an update time (`dateModified`, an `updated` class).
    modified: bool,
    pos: usize,
}

/// Everything the single document pass collects.
#[derive(Debug, Default)]
struct Scan<'a> {
    lang: Option<&'a str>,
    title: Option<String>,
    /// `(key, content)`: the key is the lowercase `property`, `name`, `itemprop` or `http-equiv`.
    metas: Vec<(String, &'a str)>,
    canonical: Option<&'a str>,
    scripts: Vec<&'a str>,
    /// `(text, position)`: position is the index in `texts` where the element starts.
    h1s: Vec<(String, usize)>,
    h2s: Vec<(String, usize)>,
    times: Vec<TimeEl<'a>>,
    /// `(itemprop, value)` for microdata dates.
    micro_dates: Vec<(&'a str, String)>,
    micro_authors: Vec<(String, usize)>,
    micro_headline: Option<String>,
    /// Text of `rel=author` links and links to author pages.
    author_links: Vec<(String, usize)>,
    /// Text of elements whose class or id says author/byline.
    /// `(text, position, rank)`: rank 0 for `author-name` classes, 1 for other
    /// author and byline classes, 2 for forum `username` classes.
    byline_els: Vec<(String, usize, u8)>,
    /// Discourse's `data-preloaded` JSON (the topic with its first post).
    preloaded: Option<&'a str>,
    /// `(author, created)` attributes of the first post element that has both.
    post_attrs: Option<(&'a str, &'a str)>,
    /// Text of short elements whose class says date/published.
    date_els: Vec<(String, usize)>,
    texts: Vec<&'a str>,
}

fn fold_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Comparison key: whitespace folded, lowercase, typographic quotes and dashes made plain.
fn key(s: &str) -> String {
    key_chars(s).collect()
}

/// The characters of [`key`], lazily: comparing a line with a key stops at the first
/// difference instead of folding the whole line (text dumps test thousands of lines).
fn key_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split_whitespace()
        .enumerate()
        .flat_map(|(i, w)| (i > 0).then_some(' ').into_iter().chain(w.chars()))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{00B4}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{00A0}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
}

/// Text of an element, whitespace folded, or `None` past `cap` bytes (too long to be
/// a title, byline or date line).
fn capped_text(el: ElementRef, cap: usize) -> Option<String> {
    capped_lines(el, cap).map(|t| fold_ws(&t))
}

/// Like [`capped_text`], but block boundaries become line breaks (each line
/// whitespace-folded), so a byline's name and the job title under it stay apart.
fn capped_lines(el: ElementRef, cap: usize) -> Option<String> {
    let mut out = String::new();
    for edge in el.traverse() {
        match edge {
            ego_tree::iter::Edge::Open(n) => match n.value() {
                Node::Text(t) => {
                    let code = n
                        .parent()
                        .and_then(|p| p.value().as_element())
                        .is_some_and(|e| {
                            matches!(e.name(), "script" | "style" | "noscript" | "template")
                        });
                    if !code {
                        // Source line breaks are spaces; only blocks break lines.
                        out.extend(
                            t.chars()
                                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
                        );
                    }
                }
                Node::Element(e) if is_block(e.name()) => out.push('\n'),
                _ => {}
            },
            ego_tree::iter::Edge::Close(n) => {
                if n.value().as_element().is_some_and(|e| is_block(e.name())) {
                    out.push('\n');
                }
            }
        }
        if out.len() > cap * 2 + 64 {
            return None;
        }
    }
    let lines: Vec<String> = out
        .split('\n')
        .map(fold_ws)
        .filter(|l| !l.is_empty())
        .collect();
    let out = lines.join("\n");
    (out.len() <= cap).then_some(out)
}

/// Elements that render on their own line: text on either side does not run together.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "br" | "p"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "dt"
            | "dd"
            | "section"
            | "header"
            | "footer"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "address"
            | "article"
            | "aside"
            | "nav"
            | "hr"
            | "table"
    )
}

/// What a class or id value names: an author/byline, a user, a date.
///
/// A byte loop rather than a regex or automaton: it runs on every class attribute
/// of the page, mostly short strings where a search engine's setup dominates.
fn class_words(v: &str) -> ClassWords {
    let b = v.as_bytes();
    let mut w = ClassWords::default();
    let at = |i: usize, word: &[u8]| {
        b.len() >= i + word.len() && b[i..i + word.len()].eq_ignore_ascii_case(word)
    };
    // Author words are looked for anywhere (`bigusername`, `postauthor`); the
    // shorter, commoner date and name words only where a word starts (class start,
    // after a separator, a camelCase part), which also keeps the loop cheap.
    let mut boundary = true;
    for (i, &c) in b.iter().enumerate() {
        let class = CLASS_BYTES[usize::from(c)];
        if class & WORD_START == 0 {
            boundary = class & BOUNDARY != 0;
            continue;
        }
        match c | 0x20 {
            b'a' if at(i, b"author") => w.author = true,
            b'b' if at(i, b"byline") => w.author = true,
            b'u' if at(i, b"username") || at(i, b"user-name") || at(i, b"user_name") => {
                w.user = true
            }
            b'd' if (boundary || c.is_ascii_uppercase()) && at(i, b"date") => w.date = true,
            b'p' if (boundary || c.is_ascii_uppercase())
                && (at(i, b"publish") || at(i, b"posted")) =>
            {
                w.date = true
            }
            b'n' if (boundary || c.is_ascii_uppercase()) && at(i, b"name") => w.name = true,
            _ => {}
        }
        boundary = matches!(c, b' ' | b'-' | b'_' | b'\t' | b'\n' | b':');
    }
    w
}

/// [`class_words`]' byte classes: the first letters of its words (either case), and
/// the separators after which a word starts. One table look-up per byte of every class.
const CLASS_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    let starts = b"abudpnABUDPN";
    let mut i = 0;
    while i < starts.len() {
        t[starts[i] as usize] |= WORD_START;
        i += 1;
    }
    let seps = b" -_\t\n:";
    let mut i = 0;
    while i < seps.len() {
        t[seps[i] as usize] |= BOUNDARY;
        i += 1;
    }
    t
};
const WORD_START: u8 = 1;
const BOUNDARY: u8 = 2;

/// What a class or id value says about its element.
#[derive(Debug, Default, Clone, Copy)]
struct ClassWords {
    /// `author`, `byline`.
    author: bool,
    /// `username` (forum posts).
    user: bool,
    /// `date`, `published`, `posted`.
    date: bool,
    /// `name` (as in `author-name`).
    name: bool,
}

/// Whether `v` holds `comment` in any ASCII case. `memchr` for the `c`s: an automaton
/// search costs more than these short class and id values.
fn says_comment(v: &str) -> bool {
    let b = v.as_bytes();
    memchr::memchr2_iter(b'c', b'C', b).any(|i| {
        b.get(i..i + 7)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"comment"))
    })
}

/// Whether a link goes to an author page (`/author/jane`, `/autor/`, `/writers/`, `/staff/`).
///
/// A scan of the slashes (`memchr`) rather than an automaton: it runs on every link.
/// Each segment between two slashes is compared, and only when its length fits.
fn is_author_href(h: &str) -> bool {
    let b = h.as_bytes();
    let mut slashes = memchr::memchr_iter(b'/', b);
    let Some(mut prev) = slashes.next() else {
        return false;
    };
    slashes.any(|next| {
        let seg = &b[prev + 1..next];
        prev = next;
        (5..=7).contains(&seg.len())
            && ([
                &b"author"[..],
                b"authors",
                b"autor",
                b"autore",
                b"auteur",
                b"writers",
                b"staff",
            ])
            .iter()
            .any(|w| seg.eq_ignore_ascii_case(w))
    })
}

/// An attribute value by name. A linear scan over the few attributes an element
/// has is much cheaper than `Element::attr`, which interns the name on every call.
fn attr<'a>(el: &'a scraper::node::Element, name: &str) -> Option<&'a str> {
    el.attrs().find(|(k, _)| *k == name).map(|(_, v)| v)
}

fn is_hidden_text_parent(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "title"
            | "textarea"
            | "option"
            | "select"
            | "button"
    )
}

/// Whether an element sits inside comments (whose authors and dates are not the page's).
fn in_comments(node: NodeRef<Node>) -> bool {
    node.ancestors().take(40).any(|a| {
        a.value().as_element().is_some_and(|e| {
            // The first `class`, `id` and `itemtype`, read in one pass over the attributes.
            let (mut class, mut id, mut itemtype) = (false, false, false);
            for (k, v) in e.attrs() {
                let seen = match k {
                    "class" => &mut class,
                    "id" => &mut id,
                    "itemtype" => &mut itemtype,
                    _ => continue,
                };
                if !*seen {
                    *seen = true;
                    if says_comment(v) {
                        return true;
                    }
                }
            }
            false
        })
    })
}

/// The itemtype of the nearest enclosing itemscope.
fn item_type<'a>(node: NodeRef<'a, Node>) -> Option<&'a str> {
    node.ancestors()
        .take(60)
        .filter_map(|a| a.value().as_element())
        .find(|e| attr(e, "itemscope").is_some() || attr(e, "itemtype").is_some())
        .and_then(|e| attr(e, "itemtype"))
}

fn scan(doc: &Html) -> Scan<'_> {
    let mut s = Scan::default();
    for (n, node) in doc.tree.root().descendants().enumerate() {
        // The page's time budget: an expired page becomes a `timeout` reject anyway.
        if n % 4096 == 4095 && crate::budget::expired() {
            break;
        }
        match node.value() {
            Node::Text(t) => {
                if s.texts.len() >= MAX_TEXTS {
                    continue;
                }
                let t: &str = t;
                // Trimmed when used: trimming every whitespace run of a page costs more
                // than the few lookups near the title. The blank runs between tags are
                // most text nodes: they are dropped before the parent is looked at.
                if t.bytes().any(|b| !b.is_ascii_whitespace())
                    && !node
                        .parent()
                        .and_then(|p| p.value().as_element())
                        .is_some_and(|e| is_hidden_text_parent(e.name()))
                {
                    s.texts.push(t);
                }
            }
            Node::Element(el) => scan_element(&mut s, node, el),
            _ => {}
        }
    }
    s
}

/// Elements whose class and id are not read for bylines and dates.
static NO_CLASS_WORDS: [LocalName; 12] = [
    local_name!("html"),
    local_name!("body"),
    local_name!("head"),
    local_name!("meta"),
    local_name!("link"),
    local_name!("script"),
    local_name!("style"),
    local_name!("img"),
    local_name!("svg"),
    local_name!("path"),
    local_name!("main"),
    local_name!("article"),
];

fn scan_element<'a>(s: &mut Scan<'a>, node: NodeRef<'a, Node>, el: &'a scraper::node::Element) {
    // Names compared as atoms (one integer comparison each), not as strings: this
    // runs for every element of the page.
    let local = &el.name.local;
    let pos = s.texts.len();
    // One pass over the attributes for what every element is checked for.
    let (mut itemprop, mut class, mut id, mut author, mut created) = (None, None, None, None, None);
    for (k, v) in el.attrs() {
        match k {
            "itemprop" => itemprop = Some(v),
            "class" => class = Some(v),
            "id" => id = Some(v),
            "author" => author = Some(v),
            "created-timestamp" => created = Some(v),
            _ => {}
        }
    }
    if let Some(prop) = itemprop {
        scan_itemprop(s, node, el, prop, pos);
    }
    if id == Some("data-preloaded") && s.preloaded.is_none() {
        s.preloaded = attr(el, "data-preloaded");
    }
    // A post element carrying its author and creation time as attributes
    // (Reddit's `<shreddit-post author=.. created-timestamp=..>`).
    if let (None, Some(a), Some(t)) = (s.post_attrs, author, created) {
        s.post_attrs = Some((a, t));
    }
    if *local == local_name!("html") {
        if s.lang.is_none() {
            s.lang = attr(el, "lang");
        }
    } else if *local == local_name!("title") {
        // Only the HTML title: an SVG `<title>` is an icon's label.
        if s.title.is_none() && &*el.name.ns == "http://www.w3.org/1999/xhtml" {
            if let Some(e) = ElementRef::wrap(node) {
                s.title = capped_text(e, 1000).filter(|t| !t.is_empty());
            }
        }
    } else if *local == local_name!("meta") {
        let k = attr(el, "property")
            .or_else(|| attr(el, "name"))
            .or_else(|| attr(el, "itemprop"))
            .or_else(|| attr(el, "http-equiv"));
        if let (Some(k), Some(c)) = (k, attr(el, "content")) {
            if s.metas.len() < 400 && !c.trim().is_empty() {
                s.metas.push((k.trim().to_ascii_lowercase(), c.trim()));
            }
        }
    } else if *local == local_name!("link") {
        if s.canonical.is_none() {
            if let (Some(rel), Some(href)) = (attr(el, "rel"), attr(el, "href")) {
                if rel
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    s.canonical = Some(href.trim());
                }
            }
        }
    } else if *local == local_name!("script") {
        let ld = attr(el, "type").is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"));
        if ld && s.scripts.len() < 30 {
            if let Some(Node::Text(t)) = node.first_child().map(|c| c.value()) {
                s.scripts.push(t);
            }
        }
    } else if *local == local_name!("h1") || *local == local_name!("h2") {
        let list = if *local == local_name!("h1") {
            &mut s.h1s
        } else {
            &mut s.h2s
        };
        if list.len() < 8 {
            if let Some(t) = ElementRef::wrap(node).and_then(|e| capped_text(e, 400)) {
                // Sphinx and friends end headings with a permalink sign.
                let t = t
                    .trim_end_matches(['¶', '#', '§', '🔗'])
                    .trim_end()
                    .to_string();
                if !t.is_empty() {
                    list.push((t, pos));
                }
            }
        }
    } else if *local == local_name!("time") {
        if s.times.len() < 60 {
            let class = attr(el, "class").unwrap_or("").to_ascii_lowercase();
            let prop = attr(el, "itemprop").unwrap_or("");
            let text = ElementRef::wrap(node)
                .and_then(|e| capped_text(e, 120))
                .unwrap_or_default();
            s.times.push(TimeEl {
                datetime: attr(el, "datetime"),
                published: attr(el, "pubdate").is_some()
                    || prop.eq_ignore_ascii_case("datePublished")
                    || class.contains("publish")
                    || class.contains("entry-date"),
                modified: prop.eq_ignore_ascii_case("dateModified")
                    || class.contains("updated")
                    || class.contains("modified"),
                text,
                pos,
            });
        }
    } else if *local == local_name!("a") {
        let rel_author = attr(el, "rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|x| x.eq_ignore_ascii_case("author"))
        });
        let href_author = attr(el, "href").is_some_and(is_author_href);
        if (rel_author || href_author) && s.author_links.len() < 40 && !in_comments(node) {
            if let Some(t) = ElementRef::wrap(node).and_then(|e| capped_text(e, 120)) {
                if !t.is_empty() {
                    s.author_links.push((t, pos));
                }
            }
        }
    }
    if NO_CLASS_WORDS.contains(local) {
        return;
    }
    let mut cw = ClassWords::default();
    for v in [class, id].into_iter().flatten() {
        let w = class_words(v);
        cw.author |= w.author;
        cw.user |= w.user;
        cw.date |= w.date;
        cw.name |= w.name;
    }
    if (cw.author || cw.user) && s.byline_els.len() < 60 && !in_comments(node) {
        if let Some(t) = ElementRef::wrap(node).and_then(|e| capped_lines(e, 200)) {
            if !t.is_empty() {
                let rank = match (cw.author, cw.name) {
                    (true, true) => 0,
                    (true, false) => 1,
                    _ => 2,
                };
                s.byline_els.push((t, pos, rank));
            }
        }
    }
    let date_class = cw.date;
    if date_class && s.date_els.len() < 40 {
        if let Some(t) = ElementRef::wrap(node).and_then(|e| capped_text(e, 120)) {
            if !t.is_empty() {
                s.date_els.push((t, pos));
            }
        }
    }
}

fn scan_itemprop<'a>(
    s: &mut Scan<'a>,
    node: NodeRef<'a, Node>,
    el: &'a scraper::node::Element,
    prop: &'a str,
    pos: usize,
) {
    let value_or_text = |cap: usize| -> Option<String> {
        attr(el, "content")
            .or_else(|| attr(el, "datetime"))
            .map(fold_ws)
            .or_else(|| ElementRef::wrap(node).and_then(|e| capped_text(e, cap)))
            .filter(|v| !v.is_empty())
    };
    for p in prop.split_whitespace() {
        match p {
            "datePublished" | "dateCreated" | "dateModified" | "uploadDate"
                if s.micro_dates.len() < 20 && !in_comments(node) =>
            {
                if let Some(v) = value_or_text(120) {
                    s.micro_dates.push((p, v));
                }
            }
            "author" | "creator" => {
                if s.micro_authors.len() >= 20 || in_comments(node) {
                    continue;
                }
                let scope = item_type(node).unwrap_or("").to_ascii_lowercase();
                if ["comment", "review", "answer"]
                    .iter()
                    .any(|t| scope.contains(t))
                {
                    continue;
                }
                // An author item: its `name` property, else its text.
                let named = ElementRef::wrap(node).and_then(|e| {
                    e.descendent_elements()
                        .take(200)
                        .find(|d| attr(d.value(), "itemprop") == Some("name"))
                        .and_then(|d| {
                            attr(d.value(), "content")
                                .map(fold_ws)
                                .or_else(|| capped_text(d, 150))
                        })
                });
                if let Some(v) = named.or_else(|| value_or_text(150)) {
                    s.micro_authors.push((v, pos));
                }
            }
            "headline" if s.micro_headline.is_none() => s.micro_headline = value_or_text(400),
            _ => {}
        }
    }
}

impl<'a> Scan<'a> {
    fn meta(&self, key: &str) -> Option<&'a str> {
        self.metas.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    fn meta_all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.metas
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| *v)
    }
}

/// Separators between a page title and the site name.
const TITLE_SEPARATORS: &[&str] = &[
    " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " // ", " » ", " « ", " ~ ", " / ", "|", ": ",
];

/// The title with each possible site prefix or suffix cut off, the whole title
/// first, each with the part cut off.
fn title_variants(t: &str) -> Vec<(String, String)> {
    let mut out = vec![(t.to_string(), String::new())];
    for sep in TITLE_SEPARATORS {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() < 2 || parts.len() > 6 {
            continue;
        }
        for i in 1..parts.len() {
            let (head, tail) = (parts[..i].join(sep), parts[i..].join(sep));
            out.push((head.trim().to_string(), tail.trim().to_string()));
            out.push((tail.trim().to_string(), head.trim().to_string()));
        }
    }
    out
}

/// Lowercase letters and digits only: `Example.com` and `EXAMPLE` compare equal to `example com`.
fn alnum_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `segment` names the site (its name, or its domain).
fn is_site(segment: &str, site: &[String]) -> bool {
    let seg = alnum_key(segment);
    if seg.is_empty() {
        return false;
    }
    site.iter().any(|s| {
        let s = alnum_key(s);
        !s.is_empty() && (s == seg || (seg.len() >= 4 && (s.contains(&seg) || seg.contains(&s))))
    })
}

/// Remove the site name from a page title: `Title | Site`, `Title - Site`,
/// `Title — Site`, `Title :: Site` and the prefix form `Site | Title`.
///
/// `site` lists what names the site (site name, publisher, domain). Without a
/// match, a short last segment after ` | ` (at most three words, shorter than the
/// rest) is taken for the site name.
pub fn clean_title(title: &str, site: &[String]) -> String {
    let mut t = fold_ws(title);
    // Site segments are cut one at a time (`Title | Section | Site`), a few at most.
    'cut: for _ in 0..4 {
        for sep in TITLE_SEPARATORS.iter().filter(|s| **s != ": ") {
            if let Some(i) = t.rfind(sep) {
                let (head, tail) = (t[..i].trim(), t[i + sep.len()..].trim());
                if !head.is_empty() && is_site(tail, site) {
                    t = head.to_string();
                    continue 'cut;
                }
            }
            if let Some(i) = t.find(sep) {
                let (head, tail) = (t[..i].trim(), t[i + sep.len()..].trim());
                if !tail.is_empty() && is_site(head, site) {
                    t = tail.to_string();
                    continue 'cut;
                }
            }
        }
        break;
    }
    for sep in [" | ", " – ", " — ", " :: ", " - "] {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (t[..i].trim(), t[i + sep.len()..].trim());
            let tail_words = tail.split_whitespace().count();
            if tail_words <= 3 && head.split_whitespace().count() > tail_words && !head.is_empty() {
                return head.to_string();
            }
        }
    }
    t
}

/// Whether `s` is exactly one of the site names (letters and digits compared).
fn is_site_name(s: &str, site: &[String]) -> bool {
    let k = alnum_key(s);
    !k.is_empty() && site.iter().any(|n| alnum_key(n) == k)
}

/// Cut a prefix or suffix segment that is exactly the site's name
/// (`Title – Site` in a heading).
fn strip_site_name(title: &str, site: &[String]) -> String {
    for sep in TITLE_SEPARATORS.iter().filter(|s| s.starts_with(' ')) {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if !head.trim().is_empty() && is_site_name(tail, site) {
                return head.trim().to_string();
            }
        }
        if let Some((head, tail)) = title.split_once(sep) {
            if !tail.trim().is_empty() && is_site_name(head, site) {
                return tail.trim().to_string();
            }
        }
    }
    title.to_string()
}

/// The title: the visible heading when the head metadata agrees with it, else the
/// head title without its site name, else the first heading.
///
/// Adds to `site` the names the head titles reveal: when `og:title` is `X` and
/// `<title>` is `Site: X`, `Site` names the site.
fn choose_title(s: &Scan, ld: &jsonld::LdInfo, site: &mut Vec<String>) -> Option<String> {
    let metas: Vec<String> = [
        s.meta("og:title"),
        ld.headline.as_deref(),
        s.meta("twitter:title"),
        s.micro_headline.as_deref(),
        s.title.as_deref(),
        ld.name.as_deref(),
    ]
    .into_iter()
    .flatten()
    // Past a few hundred characters a "title" is a description or junk.
    .filter(|t| t.len() <= 600)
    .map(fold_ws)
    .filter(|t| !t.is_empty())
    .collect();
    let meta_keys: Vec<String> = metas.iter().map(|m| key(m)).collect();
    let mut variant_keys: Vec<String> = Vec::new();
    for m in &metas {
        let mk = key(m);
        for (v, rest) in title_variants(m).into_iter().skip(1) {
            let vk = key(&v);
            // A part of one head title that is another head title: the rest is the site.
            if vk != mk && meta_keys.contains(&vk) {
                let rest = rest.trim_matches(|c: char| !c.is_alphanumeric());
                if !rest.is_empty() {
                    site.push(rest.to_string());
                }
            }
            variant_keys.push(vk);
        }
    }
    let real = |h: &&(String, usize), site: &[String]| {
        !is_site_name(&h.0, site) && !looks_like_domain(&h.0)
    };
    // The h1 is usually the real title; accept it when the head metadata agrees.
    for (h, _) in s.h1s.iter().filter(|h| real(h, site)) {
        if meta_keys.contains(&key(h)) {
            return Some(h.clone());
        }
    }
    for (h, _) in s.h1s.iter().chain(&s.h2s).filter(|h| real(h, site)) {
        if variant_keys.contains(&key(h)) {
            return Some(h.clone());
        }
    }
    let cleaned = metas
        .iter()
        .map(|m| clean_title(m, site))
        .find(|t| !t.is_empty() && !is_site_name(t, site));
    // A heading that shares no word with any head title is a section or site
    // heading ("Latest News", "Contact Us"), not the page title.
    let related = |h: &str| metas.is_empty() || metas.iter().any(|m| shares_word(h, m));
    let first_h1 = s
        .h1s
        .iter()
        .filter(|h| real(h, site))
        .find(|(h, _)| related(h))
        .map(|(h, _)| h.clone());
    match (first_h1, cleaned) {
        (Some(h), Some(c)) => {
            let (hk, ck) = (key(&h), key(&c));
            // The heading carries a kicker or a date before the title the head
            // gives ("News Digital Cameras ...", "Dec 18 2025 Preparing ...").
            if hk.ends_with(&ck) && hk.len() > ck.len() && ck.len() * 5 >= hk.len() * 2 {
                Some(c)
            } else {
                Some(h)
            }
        }
        (h, c) => h.or(c).or_else(|| s.h1s.first().map(|(h, _)| h.clone())),
    }
}

/// Whether two titles share a word of three or more letters.
fn shares_word(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    let wb = words(b);
    words(a).iter().any(|w| wb.contains(w))
}

/// `example.com`-like text: a site's name, not a page title.
fn looks_like_domain(s: &str) -> bool {
    !s.contains(' ')
        && s.rsplit_once('.').is_some_and(|(head, tld)| {
            !head.is_empty()
                && (2..=6).contains(&tld.len())
                && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
}

/// Words that introduce a byline, in several languages.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:written\s+by|posted\s+by|published\s+by|reviewed\s+by|by|von|par|por|di|door|av|af|autor(?:a|in)?|author|auteur|verfasser)\b\s*:?\s*(.*)$",
    )
    .expect("valid regex")
});
/// Leading words that are not part of a name: "By", "Written by", "Recipe by",
/// "Author:", "Von", "Par", ...
static AUTHOR_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(?:this\s+\w+\s+was\s+)?(?:(?:written|posted|published|authored|words|text|story|stories|recipe|guide|article|articles|post|posts|report|reporting|analysis|column|opinion|compiled)\s+)*(?:by|von|par|por|door|di|av|af|via)\s*:?\s+|(?:author|authors|autor|autora|autorin|autoren|auteur|auteurs|verfasser|written|posted)\s*[:\-]?\s+)",
    )
    .expect("valid regex")
});
/// Bylines of people other than the author: reviewers, editors, photographers.
static NOT_AUTHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(?:medically\s+)?(?:reviewed|updated|edited|fact[\s-]checked|checked|illustrat\w*|photo\w*|images?|video)\b|on\s+behalf\s+of\b)",
    )
    .expect("valid regex")
});
/// Where another person's credit starts inside a byline.
static OTHER_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[\s.,;|]+(?:medically\s+)?(?:reviewed|updated|edited|fact[\s-]checked)\s+by\b")
        .expect("valid regex")
});

/// Words that end a byline without being part of the name (`Jane Doe on`,
/// `BeauHD on Friday`, `user » Tue`).
const AUTHOR_TAIL_WORDS: &[&str] = &[
    "on",
    "at",
    "am",
    "le",
    "el",
    "il",
    "em",
    "den",
    "vom",
    "published",
    "updated",
    "posted",
    "last",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
/// Whole strings that are labels, not names.
const NOT_NAMES: &[&str] = &[
    "by",
    "via",
    "post",
    "posts",
    "reply",
    "quote",
    "profile",
    "member",
    "author",
    "authors",
    "topic author",
    "updated",
    "posted",
    "published",
    "written by",
    "share",
    "follow",
    "unknown",
    "contributor",
    "contributors",
];

/// Drop separators and [`AUTHOR_TAIL_WORDS`] from the end of a byline.
fn trim_author_tail(mut s: &str) -> &str {
    let is_sep = |c: char| c.is_whitespace() || ",;:|·•-–—»«/".contains(c);
    for _ in 0..6 {
        let before = s.len();
        s = s.trim_end_matches(is_sep);
        if let Some((head, last)) = s.rsplit_once(char::is_whitespace) {
            let last = last.trim_end_matches('.').to_lowercase();
            if AUTHOR_TAIL_WORDS.contains(&last.as_str()) {
                s = head;
            }
        }
        if s.len() == before {
            break;
        }
    }
    s
}

/// A relative time after a name ("scvalex 1 year ago").
static RELATIVE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\s+\d+\s*(?:second|sec|minute|min|hour|hr|day|week|month|year|yr)s?\s+ago\b.*$",
    )
    .expect("valid regex")
});

/// Clean a candidate author string: drop "By", trailing dates and separators;
/// `None` when what is left does not look like a name (a URL, a sentence, a
/// label, a reviewer's credit). Multi-line bylines (name, then job title) give
/// their first line that is a name.
fn clean_author(raw: &str) -> Option<String> {
    if raw.contains('\n') {
        return raw.lines().take(6).find_map(clean_author_line);
    }
    clean_author_line(raw)
}

fn clean_author_line(raw: &str) -> Option<String> {
    let mut s = fold_ws(&jsonld::decode_entities(raw));
    s = s
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '“' || c == '”')
        .to_string();
    if NOT_AUTHOR.is_match(&s) {
        return None;
    }
    if let Some(m) = OTHER_CREDIT.find(&s) {
        s.truncate(m.start());
    }
    for _ in 0..2 {
        match AUTHOR_PREFIX.find(&s) {
            Some(m) if m.end() < s.len() => s = s[m.end()..].to_string(),
            _ => break,
        }
    }
    if let Some(m) = RELATIVE_TIME.find(&s) {
        s.truncate(m.start());
    }
    if let Some(f) = find_date(&s) {
        s.truncate(f.start);
    }
    for sep in [" | ", " • ", " · "] {
        if let Some(i) = s.find(sep) {
            s.truncate(i);
        }
    }
    let s = trim_author_tail(s.trim())
        .trim_start_matches(|c: char| c == ',' || c == ':' || c.is_whitespace());
    let s = strip_initials_avatar(s);
    let lower = s.to_lowercase();
    let words = s.split_whitespace().count();
    // `page.head.extra.author`: a template placeholder left in the page.
    let dotted_identifier = !s.contains(' ') && s.matches('.').count() >= 3;
    // `CM`: the initials of an avatar; `Jun 2`: a date without its year.
    let initials_only = words == 1 && s.chars().count() <= 2 && s.chars().all(char::is_uppercase);
    let short_date = s.chars().any(|c| c.is_ascii_digit())
        && s.split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .all(date::is_month_name);
    if s.is_empty()
        || s.len() > 160
        || words > 24
        || NOT_NAMES.contains(&lower.as_str())
        || AUTHOR_TAIL_WORDS.contains(&lower.trim_end_matches('.'))
        || dotted_identifier
        || initials_only
        || short_date
        || lower.starts_with("http")
        || lower.starts_with("www.")
        || s.starts_with('@')
        || (s.contains('@') && !s.contains(' '))
        || !s.chars().any(char::is_alphabetic)
        || s.chars().filter(char::is_ascii_digit).count() > 4
        || (lower.contains("min") && lower.contains("read"))
        || s.ends_with('.') && words > 6
    {
        return None;
    }
    Some(s.to_string())
}

/// Drop the initials of an avatar placeholder before the name ("CM Craig McCarthy").
fn strip_initials_avatar(s: &str) -> &str {
    let Some((first, rest)) = s.split_once(' ') else {
        return s;
    };
    let initials: String = rest
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    if (2..=3).contains(&first.chars().count())
        && first.chars().all(char::is_uppercase)
        && first == initials
    {
        rest
    } else {
        s
    }
}

/// Join several author names the way a byline shows them: `A`, `A and B`, `A, B, C`.
fn join_authors(names: &[String]) -> Option<String> {
    let mut uniq: Vec<String> = Vec::new();
    for n in names.iter().filter_map(|n| clean_author(n)) {
        if !uniq.iter().any(|u| key_chars(u).eq(key_chars(&n))) {
            uniq.push(n);
        }
    }
    match uniq.len() {
        0 => None,
        1 => uniq.pop(),
        2 => Some(format!("{} and {}", uniq[0], uniq[1])),
        _ => Some(uniq.join(", ")),
    }
}

/// Where the title sits among the text nodes: the h1 that matches it, else the
/// first text node equal to it, else the first h1.
fn title_pos(s: &Scan, title: Option<&str>) -> Option<usize> {
    let tk = title.map(key);
    if let Some(tk) = &tk {
        if let Some((_, p)) = s.h1s.iter().find(|(h, _)| key_chars(h).eq(tk.chars())) {
            return Some(*p);
        }
        let tlen = title.map_or(0, str::len);
        let similar = |t: &str| t.len() + 8 >= tlen && t.len() <= tlen + 8;
        if let Some(p) = s
            .texts
            .iter()
            .take(5000)
            .map(|t| t.trim())
            .position(|t| similar(t) && key_chars(t).eq(tk.chars()))
        {
            return Some(p);
        }
    }
    // No heading: the byline sits next to where the title is shown.
    s.h1s
        .first()
        .map(|(_, p)| *p)
        .or_else(|| s.byline_els.iter().find(|b| b.2 <= 1).map(|b| b.1))
        .or_else(|| s.author_links.first().map(|(_, p)| *p))
}

/// Text-node indices around the title, nearest first (after before before at equal distance).
fn window(s: &Scan, pos: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(WINDOW_AFTER + WINDOW_BEFORE);
    for d in 0..WINDOW_AFTER {
        if pos + d < s.texts.len() {
            out.push(pos + d);
        }
        if d < WINDOW_BEFORE && d < pos {
            out.push(pos - 1 - d);
        }
    }
    out
}

/// The author from structured data: JSON-LD, microdata, meta tags.
fn structured_author(s: &Scan, ld: &jsonld::LdInfo) -> Option<String> {
    if let Some(a) = join_authors(&ld.authors) {
        return Some(a);
    }
    if let Some(a) = join_authors(
        &s.micro_authors
            .iter()
            .map(|(a, _)| a.clone())
            .collect::<Vec<_>>(),
    ) {
        return Some(a);
    }
    for k in [
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "dcterms.creator",
        "byl",
    ] {
        if let Some(a) = s.meta(k).and_then(clean_author) {
            return Some(a);
        }
    }
    // Yoast's `twitter:label1 = Written by`, `twitter:data1 = <name>`.
    for (label, data) in [
        ("twitter:label1", "twitter:data1"),
        ("twitter:label2", "twitter:data2"),
    ] {
        if s.meta(label).is_some_and(|l| {
            let l = l.to_lowercase();
            l.contains("author") || l.contains("written") || l == "by"
        }) {
            if let Some(a) = s.meta(data).and_then(clean_author) {
                return Some(a);
            }
        }
    }
    let cites: Vec<String> = s.meta_all("citation_author").map(str::to_string).collect();
    join_authors(&cites)
}

/// The author from the visible page: author links, byline elements and "By ..."
/// lines, the best-marked and nearest to the title first.
fn visible_author(s: &Scan, tpos: Option<usize>) -> Option<String> {
    let near = |p: usize| tpos.map_or(p, |t| p.abs_diff(t));
    // (rank, distance, name)
    let mut found: Vec<(u8, usize, String)> = Vec::new();
    for (t, p) in &s.author_links {
        if let Some(a) = clean_author(t) {
            found.push((0, near(*p), a));
        }
    }
    for (t, p, rank) in &s.byline_els {
        if let Some(a) = clean_author(t) {
            found.push((*rank, near(*p), a));
        }
    }
    if let Some(tp) = tpos {
        let w = window(s, tp);
        for &ix in &w {
            let t = s.texts[ix].trim();
            if t.len() > 200 {
                continue;
            }
            if let Some(c) = BYLINE.captures(t) {
                let rest = c.get(1).map_or("", |m| m.as_str()).trim();
                let cand = if rest.is_empty() {
                    s.texts.get(ix + 1).map(|t| t.trim())
                } else {
                    Some(rest)
                };
                let starts_upper = cand
                    .and_then(|c| c.chars().next())
                    .is_some_and(char::is_uppercase);
                if let Some(a) = cand.filter(|_| starts_upper).and_then(clean_author) {
                    if a.split_whitespace().count() <= 6 {
                        found.push((1, near(ix), a));
                    }
                }
            }
        }
    }
    found.sort_by_key(|(r, d, _)| (*r, *d));
    found.into_iter().map(|(_, _, a)| a).next()
}

/// A string field of the first post in Discourse's preloaded topic JSON.
fn preloaded_field(s: &Scan, field: &str) -> Option<String> {
    let json = s.preloaded?;
    let start = json.find(r#"\"posts\":[{"#)?;
    let window = json
        .get(start..(start + 4000).min(json.len()))
        .or_else(|| json.get(start..))?;
    let pat = format!(r#"\"{field}\":\""#);
    let from = window.find(&pat)? + pat.len();
    let rest = &window[from..];
    let value = &rest[..rest.find('\\')?];
    (!value.is_empty()).then(|| value.to_string())
}

fn choose_author(
    s: &Scan,
    ld: &jsonld::LdInfo,
    tpos: Option<usize>,
    site: &[String],
) -> Option<String> {
    match structured_author(s, ld) {
        // The publisher named as author: a person named on the page is better.
        Some(a) if is_site_name(&a, site) => visible_author(s, tpos).or(Some(a)),
        Some(a) => Some(a),
        None => s
            .post_attrs
            .and_then(|(a, _)| clean_author(a))
            .or_else(|| visible_author(s, tpos))
            .or_else(|| preloaded_field(s, "username")),
    }
}

fn within(date: &str, max: Option<&str>) -> bool {
    max.is_none_or(|m| date <= m.get(..10).unwrap_or(m))
}

/// Meta names that carry the publication date, most specific first.
const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_date",
    "published-date",
    "date_published",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "prism.publicationdate",
    "date",
    "release_date",
    "created",
];
/// Meta names that carry the last modification date.
const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
];

/// A date found, and where.
type DateHit = (Found, String);

/// The first candidate that parses as a date no later than `max`.
fn first_date<'x, I>(cands: I, max: Option<&str>) -> Option<DateHit>
where
    I: IntoIterator<Item = (Option<&'x str>, &'x str)>,
{
    cands.into_iter().find_map(|(v, src)| {
        let f = find_date(v?).filter(|f| within(&f.date, max))?;
        Some((f, src.to_string()))
    })
}

/// The publication date the structured data declares (JSON-LD, meta, microdata,
/// `<time pubdate>`).
fn declared_published(s: &Scan, ld: &jsonld::LdInfo, max: Option<&str>) -> Option<DateHit> {
    let preloaded = preloaded_field(s, "created_at");
    let metas = PUBLISHED_META.iter().map(|k| (s.meta(k), *k));
    let micro = |names: &'static [&'static str]| {
        s.micro_dates
            .iter()
            .filter(move |(p, _)| names.contains(p))
            .map(|(_, v)| (Some(v.as_str()), "microdata"))
    };
    let times = s
        .times
        .iter()
        .filter(|t| t.published)
        .map(|t| (t.datetime.or(Some(t.text.as_str())), "time"));
    // Site-specific names such as `w-published-date` or `published`.
    let other_metas = s
        .metas
        .iter()
        .filter(|(k, _)| {
            (k.contains("publish") && !k.contains("publisher"))
                || (k.ends_with("date")
                    && !k.contains("modif")
                    && !k.contains("updat")
                    && !k.contains("expir"))
        })
        .map(|(k, v)| (Some(*v), k.as_str()));
    first_date(
        std::iter::once((ld.date_published.as_deref(), "json-ld"))
            .chain(metas)
            .chain(micro(&["datePublished"]))
            .chain(times)
            .chain(other_metas)
            .chain(std::iter::once((
                ld.date_created.as_deref(),
                "json-ld:dateCreated",
            )))
            .chain(micro(&["dateCreated", "uploadDate"]))
            .chain(std::iter::once((s.post_attrs.map(|(_, t)| t), "post")))
            .chain(std::iter::once((preloaded.as_deref(), "discourse"))),
        max,
    )
    .map(|(f, src)| {
        let structured = [
            "json-ld",
            "json-ld:dateCreated",
            "microdata",
            "time",
            "post",
            "discourse",
        ];
        let src = if structured.contains(&src.as_str()) {
            src
        } else {
            format!("meta:{src}")
        };
        (f, src)
    })
}

/// The modification date the structured data declares.
fn declared_modified(s: &Scan, ld: &jsonld::LdInfo, max: Option<&str>) -> Option<DateHit> {
    let metas = MODIFIED_META.iter().map(|k| (s.meta(k), *k));
    let micro = s
        .micro_dates
        .iter()
        .filter(|(p, _)| *p == "dateModified")
        .map(|(_, v)| (Some(v.as_str()), "microdata"));
    first_date(
        std::iter::once((ld.date_modified.as_deref(), "json-ld:dateModified"))
            .chain(metas)
            .chain(micro),
        max,
    )
    .map(|(f, src)| {
        let src = if MODIFIED_META.contains(&src.as_str()) {
            format!("meta:{src}")
        } else {
            src
        };
        (f, src)
    })
}

/// The dates shown near the title: `<time>` elements, date-classed elements and
/// text lines, nearest first. The flag tells whether one was marked as an update.
fn shown_dates(s: &Scan, tpos: Option<usize>, max: Option<&str>) -> Vec<(DateHit, bool)> {
    // Where to look: around the title, around the first h1 (when the title came
    // from elsewhere), and close around the byline.
    let mut anchors: Vec<(usize, usize, usize)> = Vec::new();
    if let Some(tp) = tpos {
        anchors.push((tp, WINDOW_AFTER, WINDOW_BEFORE));
    }
    if let Some((_, h)) = s.h1s.first() {
        if tpos != Some(*h) {
            anchors.push((*h, WINDOW_AFTER, WINDOW_BEFORE));
        }
    }
    let byline = s
        .author_links
        .iter()
        .map(|(_, p)| *p)
        .chain(s.byline_els.iter().filter(|b| b.2 <= 1).map(|b| b.1))
        .min_by_key(|p| tpos.map_or(*p, |t| p.abs_diff(t)));
    if let Some(b) = byline {
        anchors.push((b, 12, 12));
    }
    if anchors.is_empty() {
        return Vec::new();
    }
    let dist = |p: usize| -> Option<usize> {
        anchors
            .iter()
            .filter(|(a, after, before)| {
                (p >= *a && p - a < *after) || (p < *a && a - p <= *before)
            })
            .map(|(a, _, _)| p.abs_diff(*a))
            .min()
    };
    let label_at = |pos: usize, back: usize, re: &Regex| {
        let p = pos
            .checked_sub(back)
            .and_then(|i| s.texts.get(i))
            .map_or("", |p| p.trim());
        p.len() < 40 && re.is_match(p)
    };
    let date_in = |v: &str| find_date(v).filter(|f| within(&f.date, max));
    // (distance, date, source, updated); labels are checked only where a date is.
    let mut cands: Vec<(usize, Found, &str, bool)> = Vec::new();
    for t in &s.times {
        let Some(d) = dist(t.pos) else { continue };
        let Some(f) = t.datetime.and_then(date_in).or_else(|| date_in(&t.text)) else {
            continue;
        };
        let updated = t.modified
            || label_at(t.pos, 1, &UPDATE_WORDS)
            || label_at(t.pos, 2, &UPDATE_WORDS)
            || is_update_line(&t.text);
        cands.push((d, f, "time", updated));
    }
    for (t, p) in &s.date_els {
        let Some(d) = dist(*p) else { continue };
        if let Some(f) = date_in(t).filter(|_| !NOT_PAGE_DATE.is_match(t)) {
            cands.push((d, f, "text", is_update_line(t)));
        }
    }
    let mut seen: Vec<usize> = Vec::new();
    for &(a, _, _) in &anchors {
        for ix in window(s, a) {
            if seen.contains(&ix) {
                continue;
            }
            seen.push(ix);
            let Some(d) = dist(ix) else { continue };
            let t = s.texts[ix].trim();
            if t.len() > 160 {
                continue;
            }
            let Some(f) = date_in(t) else { continue };
            if NOT_PAGE_DATE.is_match(t) || label_at(ix, 1, &NOT_PAGE_DATE) {
                continue;
            }
            let updated = is_update_line(t)
                || label_at(ix, 1, &UPDATE_WORDS)
                || label_at(ix, 2, &UPDATE_WORDS);
            cands.push((d, f, "text", updated));
        }
    }
    cands.sort_by_key(|c| c.0);
    cands
        .into_iter()
        .map(|(_, f, src, updated)| ((f, src.to_string()), updated))
        .collect()
}

/// The publication date: `(YYYY-MM-DD, full timestamp, source)`.
///
/// The date the page shows near its title wins when the structured data agrees
/// with it (as its publication or its update date), since that is the date a
/// reader sees; otherwise the declared publication date, the URL date, the shown
/// date, any `<time>`, and last the declared modification date.
fn choose_date(
    s: &Scan,
    ld: &jsonld::LdInfo,
    urls: &[&str],
    tpos: Option<usize>,
    max: Option<&str>,
) -> Option<(String, Option<String>, String)> {
    let published = declared_published(s, ld, max);
    let modified = declared_modified(s, ld, max);
    let url = first_date(urls.iter().map(|u| (Some(*u), "url")), max).and_then(|(_, _)| {
        urls.iter()
            .find_map(|u| date_from_url(u))
            .filter(|d| within(d, max))
            .map(|d| {
                (
                    Found {
                        date: d,
                        datetime: None,
                        start: 0,
                    },
                    "url".to_string(),
                )
            })
    });
    let shown = shown_dates(s, tpos, max);
    let any_time = || {
        first_date(
            s.times
                .iter()
                .filter(|t| !t.modified)
                .map(|t| (t.datetime.or(Some(t.text.as_str())), "time")),
            max,
        )
    };
    // A date anywhere on the page behind a "Published"/"Updated" label.
    let labelled = || {
        s.texts.iter().enumerate().find_map(|(i, t)| {
            let t = t.trim();
            if t.len() > 120 {
                return None;
            }
            // The date first: it rules out nearly every line cheaply.
            let f = find_date(t).filter(|f| within(&f.date, max))?;
            if NOT_PAGE_DATE.is_match(t) {
                return None;
            }
            let prev = i
                .checked_sub(1)
                .and_then(|j| s.texts.get(j))
                .map_or("", |p| p.trim());
            let labelled = DATE_LABEL.is_match(t) || (prev.len() < 40 && DATE_LABEL.is_match(prev));
            labelled.then(|| (f, "text".to_string()))
        })
    };
    let shown_first = shown
        .first()
        .map(|((f, _), updated)| (f.date.clone(), *updated));
    let declared = |d: &Option<DateHit>| d.as_ref().map(|(f, _)| f.date.clone());
    // The first shown date, keeping the declared timestamp's time of day when the
    // day is the same or one off.
    let take_shown = || -> Option<DateHit> {
        let ((f, src), _) = shown.first()?;
        let datetime = [&published, &modified]
            .into_iter()
            .flatten()
            .find(|(d, _)| {
                d.datetime.is_some() && (d.date == f.date || one_day_apart(&d.date, &f.date))
            })
            .and_then(|(d, _)| d.datetime.clone())
            .or_else(|| f.datetime.clone());
        Some((
            Found {
                date: f.date.clone(),
                datetime,
                start: 0,
            },
            src.clone(),
        ))
    };
    let shown_hit = take_shown();
    let (pub_day, mod_day) = (declared(&published), declared(&modified));
    let pick: Option<DateHit> = match (
        pub_day.as_deref(),
        shown_first.as_ref().map(|(d, u)| (d.as_str(), *u)),
    ) {
        // The declared publication date is on the page.
        (Some(p), _) if shown.iter().any(|((f, _), _)| f.date == p) => published,
        // The page shows an earlier date (not an update) than it declares: the
        // declared one is a re-publication (migration, refresh); the shown one
        // is the original.
        (Some(p), Some((first, false)))
            if day_number(first)
                .zip(day_number(p))
                .is_some_and(|(a, b)| b - a >= 7) =>
        {
            shown_hit
        }
        // One day apart: the declared timestamp is in UTC, the shown date local.
        (Some(p), Some((first, _))) if one_day_apart(first, p) => shown_hit,
        // The page shows (without an "updated" label) its declared update date
        // and not its publication date: readers take that for the page's date.
        (Some(_), Some((first, false))) if mod_day.as_deref() == Some(first) => modified,
        _ => published
            .or(url)
            .or(shown_hit)
            .or_else(labelled)
            .or_else(any_time)
            .or(modified),
    };
    pick.map(|(f, src)| (f.date, f.datetime, src))
}

/// Lines whose date is not the page's: a member's join date, a copyright year.
static NOT_PAGE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)joined|registered|member since|mitglied seit|inscrit|registrado|iscritt|lid sinds|copyright|©|born|geboren")
        .expect("valid regex")
});
/// Labels that introduce a page's date.
static DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)published|posted|updated|last modified|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|gepubliceerd")
        .expect("valid regex")
});

/// Days since 0000-03-01 of a `YYYY-MM-DD` date, for day arithmetic.
fn day_number(d: &str) -> Option<i64> {
    let y: i64 = d.get(0..4)?.parse().ok()?;
    let m: i64 = d.get(5..7)?.parse().ok()?;
    let day: i64 = d.get(8..10)?.parse().ok()?;
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    Some(365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1)
}

/// Whether two dates are one day apart (a timestamp converted to UTC, against
/// the local date the page shows).
fn one_day_apart(a: &str, b: &str) -> bool {
    matches!((day_number(a), day_number(b)), (Some(x), Some(y)) if (x - y).abs() == 1)
}

static UPDATE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)updated|modified|revised|aktualisiert|geändert|mis à jour|actualizado|aggiornato|atualizado|bijgewerkt")
        .expect("valid regex")
});

fn is_update_line(t: &str) -> bool {
    UPDATE_WORDS.is_match(t)
}

/// Resolve a possibly relative URL against a base (scheme and host only; paths
/// relative to the page are rare in canonical links).
fn absolute(href: &str, base: Option<&str>) -> Option<String> {
    let h = href.trim();
    if h.starts_with("http://") || h.starts_with("https://") {
        return Some(h.to_string());
    }
    let base = base?;
    let scheme_end = base.find("://")? + 3;
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| i + scheme_end);
    if let Some(rest) = h.strip_prefix("//") {
        return Some(format!("{}{rest}", &base[..scheme_end]));
    }
    h.starts_with('/')
        .then(|| format!("{}{h}", &base[..host_end]))
}

fn host_label(url: &str) -> Option<String> {
    let rest = url.split("://").nth(1)?;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    let label = host.rsplit_once('.').map_or(host, |(head, _)| head);
    Some(label.rsplit('.').next().unwrap_or(label).to_string())
}

fn tags(s: &Scan, ld: &jsonld::LdInfo) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        let t = fold_ws(t);
        if !t.is_empty()
            && t.chars().count() <= 60
            && out.len() < MAX_TAGS
            && !out.iter().any(|o| key_chars(o).eq(key_chars(&t)))
        {
            out.push(t);
        }
    };
    for t in s.meta_all("article:tag") {
        add(t);
    }
    for k in ["keywords", "news_keywords", "parsely-tags"] {
        for t in s.meta_all(k) {
            t.split([',', ';']).for_each(&mut add);
        }
    }
    ld.keywords.iter().for_each(|t| add(t));
    out
}

/// Metadata from an HTML document.
pub fn from_html(doc: &Html, ctx: &Context) -> Metadata {
    let s = scan(doc);
    let roots: Vec<serde_json::Value> = s
        .scripts
        .iter()
        .flat_map(|t| jsonld::parse_lenient(t))
        .collect();
    let ld = jsonld::extract(&roots);

    let og_url = s.meta("og:url").filter(|u| u.starts_with("http"));
    let base = og_url.or(ctx.url);
    let url = s
        .canonical
        .and_then(|c| absolute(c, base))
        .or_else(|| og_url.map(str::to_string))
        .or_else(|| ctx.url.map(str::to_string));

    let site_name = s
        .meta("og:site_name")
        .map(fold_ws)
        .or_else(|| ld.site_name.clone())
        .or_else(|| s.meta("application-name").map(fold_ws))
        .or_else(|| ld.publisher.clone())
        .filter(|n| !n.is_empty());
    let mut site: Vec<String> = [
        site_name.clone(),
        ld.publisher.clone(),
        s.meta("application-name").map(fold_ws),
    ]
    .into_iter()
    .flatten()
    .collect();
    site.extend(url.as_deref().and_then(host_label));

    // Typographic apostrophes folded to ASCII, as reference titles mostly write them.
    let title = choose_title(&s, &ld, &mut site)
        .map(|t| strip_site_name(&t, &site).replace(['\u{2019}', '\u{2018}'], "'"));
    let tpos = title_pos(&s, title.as_deref());
    let author = choose_author(&s, &ld, tpos, &site);
    let urls: Vec<&str> = [url.as_deref(), og_url, ctx.url]
        .into_iter()
        .flatten()
        .collect();
    let date = choose_date(&s, &ld, &urls, tpos, ctx.max_date);

    let description = s
        .meta("og:description")
        .or_else(|| s.meta("description"))
        .or_else(|| s.meta("twitter:description"))
        .map(fold_ws)
        .or_else(|| ld.description.clone())
        .filter(|d| !d.is_empty());
    let language = s
        .lang
        .and_then(lang::normalize_tag)
        .or_else(|| s.meta("content-language").and_then(lang::normalize_tag))
        .or_else(|| s.meta("og:locale").and_then(lang::normalize_tag))
        .or_else(|| ld.language.as_deref().and_then(lang::normalize_tag))
        .or_else(|| s.meta("dc.language").and_then(lang::normalize_tag))
        .or_else(|| s.meta("language").and_then(lang::normalize_tag));

    let (date, datetime, date_source) = match date {
        Some((d, dt, src)) => (Some(d), dt, Some(src)),
        None => (None, None, None),
    };
    Metadata {
        title,
        description,
        author,
        date,
        datetime,
        date_source,
        site_name,
        url,
        language,
        tags: tags(&s, &ld),
    }
}

/// Fold values that text rules captured (e.g. a ` date 2024-01-04 ` header) into `meta`.
///
/// Values already known from the page win; captured dates are normalised with
/// [`parse_date`] and dropped when they do not parse.
pub fn apply_captures(meta: &mut Metadata, captures: &[Capture]) {
    for c in captures {
        match c.field.as_str() {
            "date" if meta.date.is_none() => {
                if let Some((d, dt)) = parse_date(&c.value) {
                    meta.date = Some(d);
                    meta.datetime = dt;
                    meta.date_source = Some(format!("text:{}", c.rule));
                }
            }
            "author" if meta.author.is_none() => meta.author = clean_author(&c.value),
            "title" if meta.title.is_none() => {
                let t = fold_ws(&c.value);
                meta.title = (!t.is_empty()).then_some(t);
            }
            _ => {}
        }
    }
}

/// The author and date a text page shows near its title, for what the page's header
/// and the text rules' captures left unknown. A dump has no markup, so only the
/// visible lines count: a byline (`By …`, `Written by …`) and a date line within the
/// same windows around the title as on HTML pages. `blocks` are the page's blocks in
/// order, removed ones included (a date line is often chrome).
pub fn from_text_blocks(
    meta: &mut Metadata,
    blocks: &[crate::block::Block],
    max_date: Option<&str>,
) {
    if meta.author.is_some() && meta.date.is_some() {
        return;
    }
    let mut s = Scan {
        texts: blocks
            .iter()
            .flat_map(|b| b.text.lines())
            .take(MAX_TEXTS)
            .collect(),
        ..Default::default()
    };
    // The title shown as the page's heading, after the menus, is where the byline and
    // date stand; the first line of a dump is usually the `<title>` itself.
    let tk = meta.title.as_deref().map(key);
    if let Some(tk) = &tk {
        s.h1s = s
            .texts
            .iter()
            .enumerate()
            .skip(1)
            .take(5000)
            .filter(|(_, t)| t.len() <= 300 && key_chars(t).eq(tk.chars()))
            .map(|(i, t)| (t.to_string(), i))
            .take(1)
            .collect();
    }
    let tpos = title_pos(&s, meta.title.as_deref()).or((!s.texts.is_empty()).then_some(0));
    if meta.author.is_none() {
        meta.author = visible_author(&s, tpos);
    }
    if meta.date.is_none() {
        let shown = shown_dates(&s, tpos, max_date);
        let pick = shown.iter().find(|(_, updated)| !updated).or(shown.first());
        if let Some(((f, src), _)) = pick {
            meta.date = Some(f.date.clone());
            meta.datetime = f.datetime.clone();
            meta.date_source = Some(src.clone());
        }
    }
}

/// Last step: fill what only the final text can tell (the language, when the page did not say).
pub fn finish(meta: &mut Metadata, text: &str) {
    if meta.language.is_none() {
        meta.language = lang::detect(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn comment_classes_are_found_in_any_ascii_case() {
        for v in [
            "comment",
            "post-Comments",
            "COMMENTLIST",
            "c comm commen",
            "",
            "c",
            "ccomment",
            "comm\u{e9}nt",
            "x-c\u{f6}mment comMent",
        ] {
            assert_eq!(
                says_comment(v),
                v.to_ascii_lowercase().contains("comment"),
                "{v}"
            );
        }
    }

    #[test]
    fn author_hrefs_are_found_as_by_splitting_at_every_slash() {
        // The plain definition: some segment between two slashes names an author page.
        fn plain(h: &str) -> bool {
            let words = [
                "author", "authors", "autor", "autore", "auteur", "writers", "staff",
            ];
            let segs: Vec<&str> = h.split('/').collect();
            segs.len() > 2
                && segs[1..segs.len() - 1]
                    .iter()
                    .any(|s| words.iter().any(|w| s.eq_ignore_ascii_case(w)))
        }
        for h in [
            "/author/jane",
            "https://example.com/Authors/jane-doe/",
            "/autor/",
            "/staff",
            "staff/x",
            "//writers//",
            "/authorx/jane",
            "/blog/2024/05/staff-picks/",
            "",
            "/",
            "/auteur/é/",
            "https://x.org/a/b/c/AUTORE/d",
        ] {
            assert_eq!(is_author_href(h), plain(h), "{h}");
        }
    }

    fn meta(html: &str) -> Metadata {
        meta_with(html, None)
    }

    #[test]
    fn a_text_dump_shows_its_byline_and_date_under_the_title_heading() {
        use crate::block::Block;
        let dump = |date: &str| -> Vec<Block> {
            [
                "Comparing Catering Services | Sally's Kitchen",
                "Home\nEvents\nContact",
                "Comparing Catering Services",
                "Written by Leonardo Garcia",
                date,
                "When you plan an event, one of the first things to decide is the catering.",
            ]
            .into_iter()
            .map(Block::para)
            .collect()
        };
        let mut m = Metadata {
            title: Some("Comparing Catering Services".into()),
            ..Default::default()
        };
        from_text_blocks(&mut m, &dump("Sep 26, 2022"), Some("2026-12-02"));
        assert_eq!(m.author.as_deref(), Some("Leonardo Garcia"));
        assert_eq!(m.date.as_deref(), Some("2022-09-26"));
        assert_eq!(m.date_source.as_deref(), Some("text"));

        // A date after the crawl (or today) is not the page's; one known already stays.
        let mut m = Metadata {
            title: Some("Comparing Catering Services".into()),
            ..Default::default()
        };
        from_text_blocks(&mut m, &dump("Sep 26, 2030"), Some("2026-12-02"));
        assert_ne!(m.date.as_deref(), Some("2030-09-26"));
        let mut m = Metadata {
            title: Some("Comparing Catering Services".into()),
            date: Some("2024-01-04".into()),
            ..Default::default()
        };
        from_text_blocks(&mut m, &dump("Sep 26, 2022"), None);
        assert_eq!(m.date.as_deref(), Some("2024-01-04"));
    }

    fn meta_with(html: &str, url: Option<&str>) -> Metadata {
        let doc = Html::parse_document(html);
        let ctx = Context {
            source: "t.html",
            url,
            max_date: Some("2025-06-30"),
        };
        from_html(&doc, &ctx)
    }

    #[test]
    fn json_ld_graph_gives_author_date_and_site() {
        let m = meta(
            r##"<html lang="en-US"><head><title>Big News | The Daily</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","@id":"https://d.example/#site","name":"The Daily"},
              {"@type":"NewsArticle","headline":"Big News","datePublished":"2024-01-04T10:30:00+01:00",
               "author":{"@id":"https://d.example/#p1"},"keywords":["politics","Economy"]},
              {"@type":"Person","@id":"https://d.example/#p1","name":"Jane Doe"}]}</script>
            </head><body><h1>Big News</h1><p>Text.</p></body></html>"##,
        );
        assert_eq!(m.title.as_deref(), Some("Big News"));
        assert_eq!(m.author.as_deref(), Some("Jane Doe"));
        assert_eq!(m.date.as_deref(), Some("2024-01-04"));
        assert_eq!(m.datetime.as_deref(), Some("2024-01-04T10:30:00+01:00"));
        assert_eq!(m.date_source.as_deref(), Some("json-ld"));
        assert_eq!(m.site_name.as_deref(), Some("The Daily"));
        assert_eq!(m.language.as_deref(), Some("en"));
        assert_eq!(m.tags, vec!["politics".to_string(), "Economy".to_string()]);
    }

    #[test]
    fn json_ld_array_with_several_authors() {
        let m = meta(
            r#"<script type="application/ld+json">[{"@type":"BreadcrumbList"},
            {"@type":"BlogPosting","datePublished":"2023-05-06","author":[{"name":"A Smith"},{"name":"B Jones"}]}]</script>
            <h1>Post</h1>"#,
        );
        assert_eq!(m.author.as_deref(), Some("A Smith and B Jones"));
        assert_eq!(m.date.as_deref(), Some("2023-05-06"));
    }

    #[test]
    fn open_graph_and_meta_tags() {
        let m = meta(
            r#"<head><meta property="og:title" content="Rust 2.0 Released - Rust Blog">
            <meta property="og:site_name" content="Rust Blog">
            <meta property="og:description" content="  What is new.  ">
            <meta property="article:published_time" content="2024-02-03T08:00:00Z">
            <meta name="author" content="https://example.com/me">
            <meta name="keywords" content="rust, release, Rust">
            <link rel="canonical" href="/blog/rust-2"><meta property="og:url" content="https://blog.example/x"></head>
            <body><p>no heading</p></body>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Rust 2.0 Released"));
        assert_eq!(m.description.as_deref(), Some("What is new."));
        assert_eq!(m.date.as_deref(), Some("2024-02-03"));
        assert_eq!(
            m.date_source.as_deref(),
            Some("meta:article:published_time")
        );
        assert_eq!(m.author, None, "a URL is not an author name");
        assert_eq!(m.url.as_deref(), Some("https://blog.example/blog/rust-2"));
        assert_eq!(m.tags, vec!["rust".to_string(), "release".to_string()]);
    }

    #[test]
    fn microdata_author_and_date() {
        let m = meta(
            r#"<article itemscope itemtype="https://schema.org/Article"><h1 itemprop="headline">Microdata</h1>
            <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Ann Lee</span></span>
            <time itemprop="datePublished" datetime="2022-11-30">30 Nov</time>
            <div class="comments"><div itemscope itemtype="https://schema.org/Comment"><span itemprop="author">troll</span></div></div>
            </article>"#,
        );
        assert_eq!(m.author.as_deref(), Some("Ann Lee"));
        assert_eq!(m.date.as_deref(), Some("2022-11-30"));
        assert_eq!(m.date_source.as_deref(), Some("microdata"));
    }

    #[test]
    fn time_element_near_the_title() {
        let m = meta(
            r#"<body><nav><a href="/">Home</a></nav><article><header><h1>Hello</h1>
            <time datetime="2021-03-04T05:06:07Z">March 4</time></header><p>Body</p></article></body>"#,
        );
        assert_eq!(m.date.as_deref(), Some("2021-03-04"));
        assert_eq!(m.datetime.as_deref(), Some("2021-03-04T05:06:07Z"));
        assert_eq!(m.date_source.as_deref(), Some("time"));
    }

    #[test]
    fn date_from_the_url() {
        let m = meta_with(
            "<h1>Story</h1><p>Body text.</p>",
            Some("https://n.example/2020/07/08/story/"),
        );
        assert_eq!(m.date.as_deref(), Some("2020-07-08"));
        assert_eq!(m.date_source.as_deref(), Some("url"));
        assert_eq!(
            m.url.as_deref(),
            Some("https://n.example/2020/07/08/story/")
        );
    }

    #[test]
    fn visible_byline_and_date_line() {
        let m = meta(
            r#"<body><h1>A Walk in the Park</h1><p>By Jane Doe | January 4, 2024</p><p>It was sunny.</p></body>"#,
        );
        assert_eq!(m.author.as_deref(), Some("Jane Doe"));
        assert_eq!(m.date.as_deref(), Some("2024-01-04"));
        assert_eq!(m.date_source.as_deref(), Some("text"));
        let m = meta(
            r#"<h1>Titel</h1><div class="byline">Von <a href="/autor/max">Max Muster</a></div><p>4. März 2024</p>"#,
        );
        assert_eq!(m.author.as_deref(), Some("Max Muster"));
        assert_eq!(m.date.as_deref(), Some("2024-03-04"));
    }

    #[test]
    fn author_cleaning() {
        let c = |s: &str| clean_author(s);
        assert_eq!(
            c("By Jane Doe on March 3, 2024").as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(
            c("Written by: Jane Doe | Staff").as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(c("Recipe by PJ Hamel").as_deref(), Some("PJ Hamel"));
        assert_eq!(c("BeauHD on Friday").as_deref(), Some("BeauHD"));
        assert_eq!(c("user42 » Tue").as_deref(), Some("user42"));
        assert_eq!(c("via scvalex 1 year ago").as_deref(), Some("scvalex"));
        assert_eq!(
            c("Shelby Loos, DVM. Reviewed by Molly Price, DVM").as_deref(),
            Some("Shelby Loos, DVM")
        );
        assert_eq!(c("CM Craig McCarthy").as_deref(), Some("Craig McCarthy"));
        assert_eq!(
            c("Liz Kenny\nFormer McKinsey Consultant").as_deref(),
            Some("Liz Kenny")
        );
        assert_eq!(c("By\nJane Doe").as_deref(), Some("Jane Doe"));
        assert_eq!(c("Reviewed by Dr. Who"), None);
        assert_eq!(c("https://example.com/jane"), None);
        assert_eq!(c("10 min read"), None);
        assert_eq!(c("Sat"), None);
        assert_eq!(c("Jun 2"), None);
        assert_eq!(c("page.head.extra.author"), None);
        assert_eq!(c("JWU").as_deref(), Some("JWU"));
        assert_eq!(
            join_authors(&["A B".into(), "C D".into(), "E F".into()]).as_deref(),
            Some("A B, C D, E F")
        );
    }

    #[test]
    fn title_suffix_and_prefix_removal() {
        let site = vec!["Example News".to_string()];
        assert_eq!(
            clean_title("Storm hits coast | Example News", &site),
            "Storm hits coast"
        );
        assert_eq!(
            clean_title("Example News - Storm hits coast", &site),
            "Storm hits coast"
        );
        assert_eq!(
            clean_title("Storm hits coast — Example News", &site),
            "Storm hits coast"
        );
        assert_eq!(
            clean_title("Storm hits coast :: Example News", &site),
            "Storm hits coast"
        );
        assert_eq!(
            clean_title("Storm hits the coast again | Weather", &[]),
            "Storm hits the coast again"
        );
        assert_eq!(
            clean_title("Python - Lists and tuples explained", &[]),
            "Python - Lists and tuples explained"
        );
        // The h1 wins over a head title carrying the site name.
        let m = meta("<title>Storm hits coast | Example News</title><h1>Storm hits coast</h1>");
        assert_eq!(m.title.as_deref(), Some("Storm hits coast"));
        // A heading that is only the site name is not the title.
        let m = meta(
            r#"<meta property="og:site_name" content="Forum"><title>Help with my bike - Forum</title>
            <h1>Forum</h1><h2>Help with my bike</h2>"#,
        );
        assert_eq!(m.title.as_deref(), Some("Help with my bike"));
    }

    #[test]
    fn future_and_ancient_dates_are_refused() {
        let m = meta(
            r#"<meta property="article:published_time" content="2031-01-01T00:00:00Z">
            <meta property="article:modified_time" content="2024-05-05"><h1>T</h1><p>© 1987</p>"#,
        );
        assert_eq!(m.date.as_deref(), Some("2024-05-05"));
        assert_eq!(m.date_source.as_deref(), Some("meta:article:modified_time"));
    }

    #[test]
    fn shown_update_date_versus_declared_dates() {
        // The page shows its declared publication date: that one, even next to an update line.
        let html = r#"<meta property="article:published_time" content="2023-01-10T09:00:00Z">
            <meta property="article:modified_time" content="2024-02-20T09:00:00Z">
            <h1>T</h1><p>Updated Feb 20, 2024</p><p>Published Jan 10, 2023</p>"#;
        assert_eq!(meta(html).date.as_deref(), Some("2023-01-10"));
        // A declared UTC timestamp one day off the date shown: the shown (local) day.
        let html = r#"<meta property="article:published_time" content="2024-03-05T02:00:00Z">
            <h1>T</h1><p>March 4, 2024</p>"#;
        let m = meta(html);
        assert_eq!(m.date.as_deref(), Some("2024-03-04"));
        assert_eq!(m.datetime.as_deref(), Some("2024-03-05T02:00:00Z"));
    }

    #[test]
    fn language_from_page_or_text() {
        assert_eq!(
            meta(r#"<html lang="pt-BR"><h1>x</h1></html>"#)
                .language
                .as_deref(),
            Some("pt")
        );
        assert_eq!(
            meta(r#"<meta http-equiv="content-language" content="de-AT"><h1>x</h1>"#)
                .language
                .as_deref(),
            Some("de")
        );
        let mut m = Metadata::default();
        finish(
            &mut m,
            "Dies ist ein ziemlich langer deutscher Text, der eindeutig als Deutsch erkannt werden sollte, \
             weil er viele typische Wörter enthält und überhaupt nicht kurz ist.",
        );
        assert_eq!(m.language.as_deref(), Some("de"));
    }

    #[test]
    fn captures_are_normalised() {
        let mut m = Metadata::default();
        let rule: Arc<str> = Arc::from("header");
        let cap = |field: &str, value: &str| Capture {
            field: field.into(),
            value: value.into(),
            rule: rule.clone(),
        };
        apply_captures(
            &mut m,
            &[
                cap("date", "4 January 2024"),
                cap("author", "By Jane Doe"),
                cap("title", "  A   Title "),
            ],
        );
        assert_eq!(m.date.as_deref(), Some("2024-01-04"));
        assert_eq!(m.date_source.as_deref(), Some("text:header"));
        assert_eq!(m.author.as_deref(), Some("Jane Doe"));
        assert_eq!(m.title.as_deref(), Some("A Title"));
        // Known values win; unparseable dates are dropped.
        let mut m = Metadata::default();
        apply_captures(&mut m, &[cap("date", "yesterday")]);
        assert_eq!(m.date, None);
    }

    #[test]
    fn discourse_first_post() {
        let m = meta(
            r#"<title>Topic - Forum</title><div id="data-preloaded" data-preloaded='{"topic_1":"{\"post_stream\":{\"posts\":[{\"id\":1,\"username\":\"alice\",\"created_at\":\"2024-06-05T21:01:06.993Z\"}]}}"}'></div>"#,
        );
        assert_eq!(m.author.as_deref(), Some("alice"));
        assert_eq!(m.date.as_deref(), Some("2024-06-05"));
    }

    #[test]
    fn deep_and_broken_pages_do_not_panic() {
        let deep = "<div>".repeat(20_000) + "<h1>Deep</h1>" + &"</div>".repeat(20_000);
        let m = meta(&deep);
        assert_eq!(m.title.as_deref(), Some("Deep"));
        let broken = r#"<script type="application/ld+json">{"@type":"Article","headline":"x",,,</script>
            <script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[</script><title></title>"#;
        let _ = meta(broken);
        let _ = meta("");
        let many = format!(
            r#"<meta property="og:title" content="{}"><title>{}</title>"#,
            "a | ".repeat(50_000),
            "b - ".repeat(300)
        );
        let _ = meta(&many);
        // Many separators: a bounded number of cuts, no deep recursion.
        let long = "Story | Site ".repeat(5_000);
        let cleaned = clean_title(&long, &["Site".to_string()]);
        assert!(cleaned.len() < long.len() && cleaned.starts_with("Story | Site"));
    }
}
