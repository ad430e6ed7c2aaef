//! The plain-text path: split a text page into blocks, pick out its header
//! (title, standfirst), and classify paragraphs as content or chrome.
//! (Stub: being implemented.)

use serde::Deserialize;

use crate::block::Block;
use crate::record::Metadata;
use crate::rules::TextRuleSpec;

/// Names of rules built into the text path (not tables in `config.toml`), for `disable`.
pub const BUILTIN_RULES: &[&str] = &["text-classifier"];

/// `[text]` settings.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct TextConfig {
    /// `[[text.rules]]`: applied to text pages and to the blocks the HTML path keeps.
    pub rules: Vec<TextRuleSpec>,
}

impl TextConfig {
    /// Range problems in thresholds, as messages.
    pub fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Compiled `[text]` settings.
pub struct Compiled {}

impl Compiled {
    /// Compile; `enabled` says whether a built-in rule name is switched on.
    pub fn new(cfg: &TextConfig, enabled: &dyn Fn(&str) -> bool) -> Result<Compiled, String> {
        let _ = (cfg, enabled);
        Ok(Compiled {})
    }
}

/// A text page split into blocks, with the metadata its header gave.
pub struct TextPage {
    pub blocks: Vec<Block>,
    pub meta: Metadata,
}

/// Split and classify a text page.
pub fn extract(text: &str, c: &Compiled) -> TextPage {
    let _ = c;
    let blocks = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| Block::para(p.trim()))
        .collect();
    TextPage {
        blocks,
        meta: Metadata::default(),
    }
}
