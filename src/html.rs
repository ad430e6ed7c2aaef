//! The HTML path: parse, drop elements that never hold content, find the main
//! content block, and emit it as blocks. (Stub: being implemented.)

use scraper::{Html, Selector};
use serde::Deserialize;
use std::sync::Arc;

use crate::block::Block;

/// Names of rules built into the HTML path, for `disable`.
pub const BUILTIN_RULES: &[&str] = &[];

/// `[html]` settings.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {
    /// `[[html.rules]]`: elements to drop, by CSS selector.
    pub rules: Vec<HtmlRuleSpec>,
}

impl HtmlConfig {
    /// Range problems in thresholds, as messages.
    pub fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

/// One `[[html.rules]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlRuleSpec {
    pub name: String,
    pub selector: String,
}

/// A compiled HTML rule.
pub struct HtmlRule {
    pub name: Arc<str>,
    pub selector: Selector,
}

impl HtmlRule {
    /// Compile a spec; the error says what is wrong.
    pub fn compile(spec: &HtmlRuleSpec) -> Result<HtmlRule, String> {
        let selector =
            Selector::parse(&spec.selector).map_err(|e| format!("bad CSS selector: {e}"))?;
        Ok(HtmlRule {
            name: Arc::from(spec.name.as_str()),
            selector,
        })
    }
}

/// Compiled `[html]` settings.
pub struct Compiled {}

impl Compiled {
    /// Compile; `enabled` says whether a built-in rule name is switched on.
    pub fn new(cfg: &HtmlConfig, enabled: &dyn Fn(&str) -> bool) -> Result<Compiled, String> {
        let _ = (cfg, enabled);
        Ok(Compiled {})
    }
}

/// Extract the main content of `doc` as blocks (removed ones included, marked).
pub fn extract(doc: &Html, rules: &crate::config::Rules) -> Vec<Block> {
    let _ = rules;
    let sel = Selector::parse("p").unwrap();
    doc.select(&sel)
        .map(|p| Block::para(p.text().collect::<String>()))
        .collect()
}
