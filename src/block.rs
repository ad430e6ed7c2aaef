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

/// One unit of page text. `removed_by` names the rule that removed it; `None` means kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub text: String,
    pub kind: BlockKind,
    pub removed_by: Option<Arc<str>>,
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
        }
    }

    /// A block already removed by `rule` (kept in the list so `explain` can show it).
    pub fn removed(text: impl Into<String>, kind: BlockKind, rule: Arc<str>) -> Self {
        Block {
            text: text.into(),
            kind,
            removed_by: Some(rule),
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
