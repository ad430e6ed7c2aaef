//! `config.toml`: the schema, loading (user file merged over the embedded defaults),
//! validation with line numbers, and compilation into the read-only [`Rules`] that
//! every worker shares.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::{Spanned, Value};

use crate::html::{HtmlConfig, HtmlRule, HtmlRuleSpec};
use crate::rules::{TextRule, TextRuleSpec, TextRules};

/// The default rules, embedded from the repository's `config.toml`.
pub const DEFAULT_CONFIG: &str = include_str!("../config.toml");

/// Per-page resource limits. A page over a limit is rejected; the batch goes on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Bytes read per page (after decompression); larger pages get status `too_large`.
    pub max_page_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_page_bytes: 64 << 20,
        }
    }
}

/// Text normalisation switches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeConfig {
    /// Unicode NFC.
    pub nfc: bool,
    /// Remove zero-width and control characters.
    pub strip_invisible: bool,
    /// Collapse runs of spaces and tabs to one space.
    pub collapse_spaces: bool,
    /// Separate paragraphs by exactly one blank line.
    pub paragraph_breaks: bool,
    /// Trim each line and the whole text.
    pub trim: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            nfc: true,
            strip_invisible: true,
            collapse_spaces: true,
            paragraph_breaks: true,
            trim: true,
        }
    }
}

/// The whole configuration, after merging a user file over the defaults.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Names of rules (built-in or user) to switch off.
    pub disable: Vec<String>,
    pub limits: Limits,
    pub decode: crate::decode::DecodeConfig,
    pub normalize: NormalizeConfig,
    pub html: HtmlConfig,
    pub text: crate::text::TextConfig,
    pub template: crate::template::TemplateConfig,
    pub quality: crate::quality::QualityConfig,
}

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as the user named it (`<default>` for the embedded one).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The rule concerned, when there is one.
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, ": ")?;
        if let Some(r) = &self.rule {
            write!(f, "rule `{r}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// Everything compiled from the configuration: shared read-only by the workers.
pub struct Rules {
    pub config: Config,
    pub text_rules: TextRules,
    pub html_rules: Vec<HtmlRule>,
    pub html: crate::html::Compiled,
    pub text: crate::text::Compiled,
    pub quality: crate::quality::Compiled,
}

impl Rules {
    /// The embedded defaults, compiled. Panics only if the shipped `config.toml` is broken,
    /// which a test pins.
    pub fn defaults() -> Rules {
        Rules::load(None).expect("embedded config.toml is valid")
    }

    /// Load the defaults, merge the user's file over them (if given), and compile.
    pub fn load(user: Option<&Path>) -> Result<Rules, Vec<ConfigError>> {
        let user_src = match user {
            None => None,
            Some(p) => match std::fs::read_to_string(p) {
                Ok(s) => Some((p.display().to_string(), s)),
                Err(e) => {
                    return Err(vec![ConfigError {
                        file: p.display().to_string(),
                        line: None,
                        rule: None,
                        message: format!("cannot read: {e}"),
                    }])
                }
            },
        };
        Rules::from_sources(user_src.as_ref().map(|(n, s)| (n.as_str(), s.as_str())))
    }

    /// As [`Rules::load`], with the user's file given as `(name, contents)`.
    pub fn from_sources(user: Option<(&str, &str)>) -> Result<Rules, Vec<ConfigError>> {
        let mut merged: Value = toml::from_str(DEFAULT_CONFIG).map_err(|e| {
            vec![ConfigError {
                file: "<default>".into(),
                line: None,
                rule: None,
                message: e.to_string(),
            }]
        })?;
        if let Some((name, src)) = user {
            let errs = check(name, src);
            if !errs.is_empty() {
                return Err(errs);
            }
            let user_val: Value = toml::from_str(src).expect("checked above");
            merge(&mut merged, user_val);
        }
        let config: Config = merged.try_into().map_err(|e: toml::de::Error| {
            vec![ConfigError {
                file: user.map_or("<default>", |u| u.0).into(),
                line: None,
                rule: None,
                message: e.message().to_string(),
            }]
        })?;
        compile(config, user.map_or("<default>", |u| u.0))
    }
}

/// Deep-merge `over` into `base`: tables merge key by key; rule arrays (`rules`)
/// append, and a rule whose `name` matches a built-in one replaces it; other values replace.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Table(b), Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) if k == "rules" => merge_rules(slot, v),
                    Some(slot) if slot.is_table() && v.is_table() => merge(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

fn merge_rules(base: &mut Value, over: Value) {
    let (Value::Array(b), Value::Array(o)) = (base, over.clone()) else {
        return;
    };
    for rule in o {
        let name = rule.get("name").and_then(Value::as_str).map(str::to_owned);
        match name.and_then(|n| {
            b.iter()
                .position(|r| r.get("name").and_then(Value::as_str) == Some(&n))
        }) {
            Some(i) => b[i] = rule,
            None => b.push(rule),
        }
    }
}

/// Compile a merged config; disabled rules are dropped here.
fn compile(config: Config, file: &str) -> Result<Rules, Vec<ConfigError>> {
    let mut errs = Vec::new();
    let err = |rule: &str, message: String| ConfigError {
        file: file.to_string(),
        line: None,
        rule: Some(rule.to_string()),
        message,
    };
    let enabled = |name: &str| !config.disable.iter().any(|d| d == name);
    let mut text_rules = TextRules::default();
    for spec in config.text.rules.iter().filter(|s| enabled(&s.name)) {
        match TextRule::compile(spec) {
            Ok(r) => text_rules.rules.push(r),
            Err(m) => errs.push(err(&spec.name, m)),
        }
    }
    let mut html_rules = Vec::new();
    for spec in config.html.rules.iter().filter(|s| enabled(&s.name)) {
        match HtmlRule::compile(spec) {
            Ok(r) => html_rules.push(r),
            Err(m) => errs.push(err(&spec.name, m)),
        }
    }
    let html =
        crate::html::Compiled::new(&config.html, &|n| enabled(n)).map_err(|m| vec![err("html", m)]);
    let text = crate::text::Compiled::with_rules(&config.text, &|n| enabled(n), &text_rules.rules)
        .map_err(|m| vec![err("text", m)]);
    let quality =
        crate::quality::Compiled::new(&config.quality).map_err(|m| vec![err("quality", m)]);
    let (html, text, quality) = match (html, text, quality) {
        (Ok(h), Ok(t), Ok(q)) if errs.is_empty() => (h, t, q),
        (h, t, q) => {
            errs.extend(h.err().into_iter().flatten());
            errs.extend(t.err().into_iter().flatten());
            errs.extend(q.err().into_iter().flatten());
            return Err(errs);
        }
    };
    Ok(Rules {
        config,
        text_rules,
        html_rules,
        html,
        text,
        quality,
    })
}

/// Rule arrays with the span of each table, so errors can name a line.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleSpans {
    html: SectionSpans,
    text: SectionSpans,
    disable: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SectionSpans {
    rules: Vec<Spanned<Value>>,
}

/// Check a user's config file on its own; every problem found, with its line.
///
/// Syntax errors stop the check (nothing after them can be read). Otherwise each rule
/// is checked separately, so one bad rule does not hide the next.
pub fn check(file: &str, src: &str) -> Vec<ConfigError> {
    let at = |offset: usize| src[..offset.min(src.len())].matches('\n').count() + 1;
    let mk = |line: Option<usize>, rule: Option<String>, message: String| ConfigError {
        file: file.to_string(),
        line,
        rule,
        message,
    };
    if let Err(e) = toml::from_str::<Value>(src) {
        return vec![mk(
            e.span().map(|s| at(s.start)),
            None,
            e.message().trim().to_string(),
        )];
    }
    let mut errs = Vec::new();
    let spans: RuleSpans = match toml::from_str(src) {
        Ok(s) => s,
        Err(e) => {
            return vec![mk(
                e.span().map(|s| at(s.start)),
                None,
                e.message().trim().to_string(),
            )];
        }
    };
    let mut names: Vec<String> = Vec::new();
    let mut rule_lines: Vec<(usize, usize)> = Vec::new();
    for (section, rules) in [("html", &spans.html.rules), ("text", &spans.text.rules)] {
        for r in rules {
            let line = at(r.span().start);
            rule_lines.push((at(r.span().start), at(r.span().end)));
            let name = r
                .get_ref()
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let problem = if section == "html" {
                HtmlRuleSpec::deserialize(r.get_ref().clone())
                    .map_err(|e| e.message().trim().to_string())
                    .and_then(|s| HtmlRule::compile(&s).map(|_| ()))
            } else {
                TextRuleSpec::deserialize(r.get_ref().clone())
                    .map_err(|e| e.message().trim().to_string())
                    .and_then(|s| TextRule::compile(&s).map(|_| ()))
            };
            if let Err(m) = problem {
                errs.push(mk(
                    Some(line),
                    name.clone(),
                    format!("[[{section}.rules]]: {m}"),
                ));
            }
            if let Some(n) = name {
                names.push(n);
            }
        }
    }
    // The rest of the schema: unknown keys and wrong types outside the rule tables.
    if let Err(e) = toml::from_str::<Config>(src) {
        let line = e.span().map(|s| at(s.start));
        let inside_rule =
            line.is_some_and(|l| rule_lines.iter().any(|(a, b)| (*a..=*b).contains(&l)));
        if !inside_rule {
            errs.push(mk(line, None, e.message().trim().to_string()));
        }
    } else if let Ok(cfg) = toml::from_str::<Config>(src) {
        let problems = cfg.html.validate().into_iter().chain(cfg.text.validate());
        let problems = problems.chain(cfg.template.validate());
        for m in problems.chain(cfg.quality.validate()) {
            errs.push(mk(None, None, m));
        }
    }
    // Names in `disable` must name a rule, or a typo silently disables nothing.
    if !spans.disable.is_empty() {
        let defaults: RuleSpans = toml::from_str(DEFAULT_CONFIG).unwrap_or_default();
        let known = |n: &str| {
            names.iter().any(|k| k == n)
                || defaults
                    .html
                    .rules
                    .iter()
                    .chain(&defaults.text.rules)
                    .any(|r| r.get_ref().get("name").and_then(Value::as_str) == Some(n))
                || crate::html::BUILTIN_RULES.contains(&n)
                || crate::text::BUILTIN_RULES.contains(&n)
                || n == crate::template::RULE
        };
        for d in spans.disable.iter().filter(|d| !known(d)) {
            let line = src.find(&format!("\"{d}\"")).map(at);
            errs.push(mk(
                line,
                Some(d.clone()),
                "`disable` names no known rule".into(),
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_compile() {
        let errs = check("config.toml", DEFAULT_CONFIG);
        assert!(errs.is_empty(), "{errs:?}");
        Rules::defaults();
    }

    #[test]
    fn check_reports_each_bad_rule_with_its_line() {
        let src = "[[text.rules]]\nname = \"a\"\npattern = \"(\"\n\n[[html.rules]]\nname = \"b\"\nselector = \"div[\"\n\n[[text.rules]]\nname = \"c\"\nphrases = [\"x\"]\nbogus = 1\n";
        let errs = check("u.toml", src);
        let lines: Vec<_> = errs.iter().map(|e| (e.line, e.rule.clone())).collect();
        assert!(lines.contains(&(Some(1), Some("a".into()))), "{errs:?}");
        assert!(lines.contains(&(Some(5), Some("b".into()))), "{errs:?}");
        assert!(lines.contains(&(Some(9), Some("c".into()))), "{errs:?}");
        assert!(errs.iter().any(|e| e.message.contains("bogus")), "{errs:?}");
    }

    #[test]
    fn unknown_top_level_key_and_wrong_type_are_reported() {
        let errs = check("u.toml", "\n[normalize]\nnfc = \"yes\"\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(3));
        let errs = check("u.toml", "colour = 1\n");
        assert!(errs[0].message.contains("colour"), "{errs:?}");
    }

    #[test]
    fn syntax_error_names_the_line() {
        let errs = check("u.toml", "a = 1\nb = = 2\n");
        assert_eq!(errs[0].line, Some(2));
    }

    #[test]
    fn user_rules_add_replace_and_disable() {
        let user = "disable = [\"text-share-widget\"]\n[[text.rules]]\nname = \"mine\"\nphrases = [\"buy now\"]\n";
        let rules = Rules::from_sources(Some(("u.toml", user))).unwrap();
        let names: Vec<&str> = rules.text_rules.rules.iter().map(|r| &*r.name).collect();
        assert!(names.contains(&"mine"));
        assert!(!names.contains(&"text-share-widget"));
        let defaults = Rules::defaults();
        assert_eq!(names.len(), defaults.text_rules.rules.len());
    }

    #[test]
    fn unknown_disable_name_is_an_error() {
        let errs = check("u.toml", "disable = [\"no-such-rule\"]\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(1));
    }
}
