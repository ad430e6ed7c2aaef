//! The block model shared by the HTML and text paths: one paragraph-like unit
//! of page text, with its kind and, once a rule has removed it, that rule's name.

use std::sync::Arc;

/// What kind of text a block holds; the Markdown writer (and `explain`) use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `h1`..`h6`, with the level.
    Heading(u8),
    /// Ordinary running text.
    Paragraph,
    /// One item of a list.
    ListItem,
    /// A block quote.
    Quote,
    /// Preformatted text or code; its whitespace is kept.
    Code,
    /// A table row, cells joined by tabs.
    TableRow,
}

impl BlockKind {
    /// A short label used by `explain`.
    pub fn label(self) -> &'static str {
        match self {
            BlockKind::Heading(_) => "heading",
            BlockKind::Paragraph => "para",
            BlockKind::ListItem => "item",
            BlockKind::Quote => "quote",
            BlockKind::Code => "code",
            BlockKind::TableRow => "row",
        }
    }
}

/// Where a block sits in the page's structure, beyond its kind: what the Markdown
/// writer needs and plain text ignores. The HTML walk fills it; text pages leave it empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// Open list items around the block: 1 for a top-level item's text, 0 outside lists.
    pub list_depth: u8,
    /// The block starts a list item: `Some(n)` is item `n` of an ordered list,
    /// `Some(0)` an item of an unordered one; `None` continues the item it is in.
    pub item: Option<u32>,
    /// Open `<blockquote>` elements around the block.
    pub quote_depth: u8,
    /// The table the row belongs to (a page-unique number), so consecutive rows of one
    /// table become one pipe table; 0 outside tables.
    pub table: u32,
    /// The code's language, from `class="language-x"` (or `lang-x`) on `<pre>` or `<code>`.
    pub lang: Option<Box<str>>,
    /// Links in the block as (anchor text, href), in order; collected only when
    /// `[output] keep_links` is on in Markdown mode.
    pub links: Vec<(String, String)>,
}

/// One unit of page text. `removed_by` names the rule that removed it; `None` means kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub text: String,
    pub kind: BlockKind,
    pub removed_by: Option<Arc<str>>,
    /// Structure for the Markdown writer (see [`Shape`]).
    pub shape: Shape,
}

impl Block {
    /// A kept paragraph.
    pub fn para(text: impl Into<String>) -> Self {
        Block::new(text, BlockKind::Paragraph)
    }

    /// A kept block of the given kind.
    pub fn new(text: impl Into<String>, kind: BlockKind) -> Self {
        Block {
            text: text.into(),
            kind,
            removed_by: None,
            shape: Shape::default(),
        }
    }

    /// A block already removed by `rule` (kept in the list so `explain` can show it).
    pub fn removed(text: impl Into<String>, kind: BlockKind, rule: Arc<str>) -> Self {
        Block {
            text: text.into(),
            kind,
            removed_by: Some(rule),
            shape: Shape::default(),
        }
    }

    /// Whether no rule has removed this block.
    pub fn is_kept(&self) -> bool {
        self.removed_by.is_none()
    }

    /// Mark the block removed by `rule`, unless an earlier rule already did.
    pub fn remove(&mut self, rule: &Arc<str>) {
        if self.removed_by.is_none() {
            self.removed_by = Some(rule.clone());
        }
    }
}

/// Whether `b` holds two spaces in a row. The searcher is built once: `memmem::find`
/// builds one per call, and the text classifier and normalisation ask this of every
/// line of every page.
pub(crate) fn has_double_space(b: &[u8]) -> bool {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
    FINDER.find(b).is_some()
}
