//! `config.toml`: the schema, loading (user file merged over the embedded defaults),
//! validation with line numbers, and compilation into the read-only [`Rules`] that
//! every worker shares.

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

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
    /// Bytes a `.gz` page file may inflate to before it is given up (`too_large`): stops
    /// gzip bombs before they reach `max_page_bytes` of memory per worker.
    pub max_decompressed_bytes: u64,
    /// Elements in one HTML page (`too_complex`).
    pub max_nodes: u64,
    /// Nesting depth of the HTML elements (`too_complex`).
    pub max_depth: u64,
    /// Attributes on one HTML tag (`too_complex`).
    pub max_attributes: u64,
    /// Milliseconds of CPU time one page's extraction may take (`timeout`); see [`crate::budget`].
    pub max_page_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_page_bytes: 64 << 20,
            max_decompressed_bytes: 64 << 20,
            max_nodes: 2_000_000,
            max_depth: 25_000,
            max_attributes: 2_000,
            max_page_ms: 20_000,
        }
    }
}

impl Limits {
    /// Problems with the values, one message each.
    pub fn validate(&self) -> Vec<String> {
        [
            ("limits.max_page_bytes", self.max_page_bytes),
            ("limits.max_decompressed_bytes", self.max_decompressed_bytes),
            ("limits.max_nodes", self.max_nodes),
            ("limits.max_depth", self.max_depth),
            ("limits.max_attributes", self.max_attributes),
            ("limits.max_page_ms", self.max_page_ms),
        ]
        .into_iter()
        .filter(|(_, v)| *v == 0)
        .map(|(k, _)| format!("{k} = 0: a limit must be at least 1"))
        .collect()
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

/// The record text's format (`[output] format`, `--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Paragraphs separated by blank lines, no markup.
    #[default]
    Plain,
    /// Markdown: headings, lists, quotes, fenced code and pipe tables.
    Markdown,
}

/// `[output]`: how the record text is written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    pub format: Format,
    /// In Markdown, links become `[text](href)` instead of their text alone.
    pub keep_links: bool,
    /// A page with no main text left, but a meta description of at least this many
    /// words, keeps the description as its text (flag `description_only`); 0 = off.
    pub description_fallback_words: usize,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            format: Format::default(),
            keep_links: false,
            description_fallback_words: 40,
        }
    }
}

/// `[sites.html]` inside a `[[sites]]` table: only rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteHtml {
    pub rules: Vec<HtmlRuleSpec>,
}

/// `[sites.text]` inside a `[[sites]]` table: only rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteText {
    pub rules: Vec<TextRuleSpec>,
}

/// One `[[sites]]` table: rules that apply only to pages of the given hosts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteSpec {
    /// `example.com` (also matches `www.example.com`) or `*.example.org` (any
    /// subdomain of example.org, not example.org itself).
    pub hosts: Vec<String>,
    /// Rule names (built-in, top-level or this site's) switched off for the site.
    pub disable: Vec<String>,
    pub html: SiteHtml,
    pub text: SiteText,
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
    pub output: OutputConfig,
    /// `[[sites]]`: per-site rules; the first table whose hosts match a page applies.
    pub sites: Vec<SiteSpec>,
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
    /// `[[html.rules]]` and `[html]`, compiled.
    pub html: HtmlRules,
    pub text: crate::text::Compiled,
    pub quality: crate::quality::Compiled,
    /// The compiled `[[sites]]` tables, in file order.
    pub sites: Vec<Site>,
}

/// One compiled `[[sites]]` table: the top-level rules with the site's added (a site
/// rule named like a top-level one replaces it) and its `disable` list applied.
pub struct Site {
    /// The `hosts` list as written, joined by `, ` (what `explain` shows).
    pub name: String,
    hosts: Vec<String>,
    pub text_rules: TextRules,
    pub html: HtmlRules,
    pub text: crate::text::Compiled,
}

/// The HTML half of a rule set (`[[html.rules]]` and `[html]`), compiled on first use
/// when the rules are the embedded defaults: a batch of text pages then never builds
/// the selectors and regexes it does not need (about a quarter of start-up). With a
/// user's config file it is built at start-up, so its errors are reported there.
pub struct HtmlRules {
    built: OnceLock<HtmlSet>,
    /// What a deferred build compiles: the `[html]` table and the rule names switched off.
    cfg: HtmlConfig,
    disabled: Vec<String>,
}

type HtmlSet = (Vec<HtmlRule>, crate::html::Compiled);

impl HtmlRules {
    /// The compiled rules (enabled ones, in order) and `[html]` settings, built on the
    /// first call. Shared read-only by the workers like the rest of [`Rules`].
    pub fn get(&self) -> (&[HtmlRule], &crate::html::Compiled) {
        let (rules, compiled) = self.built.get_or_init(|| {
            let enabled = |n: &str| !self.disabled.iter().any(|d| d == n);
            // Only the embedded defaults are deferred, and a test builds them.
            compile_html(&self.cfg, &enabled).unwrap_or_else(|e| {
                panic!("the embedded config.toml's HTML rules do not compile: {e:?}")
            })
        });
        (rules, compiled)
    }
}

/// Compile `[[html.rules]]` (the enabled ones) and `[html]`; every problem as
/// `(rule, message)`, the rules' first.
fn compile_html(
    cfg: &HtmlConfig,
    enabled: &dyn Fn(&str) -> bool,
) -> Result<HtmlSet, Vec<(String, String)>> {
    let mut problems = Vec::new();
    let mut rules = Vec::new();
    for spec in cfg.rules.iter().filter(|s| enabled(&s.name)) {
        match HtmlRule::compile(spec) {
            Ok(r) => rules.push(r),
            Err(m) => problems.push((spec.name.clone(), m)),
        }
    }
    match crate::html::Compiled::new(cfg, enabled) {
        Ok(c) if problems.is_empty() => Ok((rules, c)),
        Ok(_) => Err(problems),
        Err(m) => {
            problems.push(("html".into(), m));
            Err(problems)
        }
    }
}

impl Site {
    /// Whether `host` (lowercase, no port) is one of the site's hosts.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.strip_prefix("www.").unwrap_or(host);
        self.hosts.iter().any(|h| match h.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => host == h.strip_prefix("www.").unwrap_or(h),
        })
    }
}

/// The host of a URL, lowercase, without user info and port.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

impl Rules {
    /// The `[[sites]]` table for a page: by its URL's host when the URL is known, else
    /// by the name of the folder holding `source` (a crawl saved as `example.com/x.html`).
    pub fn site_for(&self, url: Option<&str>, source: &str) -> Option<&Site> {
        if self.sites.is_empty() {
            return None;
        }
        let host = match url.and_then(url_host) {
            Some(h) => h,
            None => {
                let dir = source.rsplit_once(['/', '\\'])?.0;
                dir.rsplit(['/', '\\']).next()?.to_ascii_lowercase()
            }
        };
        self.sites.iter().find(|s| s.matches(&host))
    }

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
        // The embedded defaults are known to compile, so their HTML half can wait until
        // a page needs it; a user's file is compiled whole now, to report its errors.
        compile(config, user.map_or("<default>", |u| u.0), user.is_none())
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
/// With `defer_html`, the HTML half of each rule set is compiled on first use.
fn compile(config: Config, file: &str, defer_html: bool) -> Result<Rules, Vec<ConfigError>> {
    let mut errs = Vec::new();
    let err = |rule: &str, message: String| ConfigError {
        file: file.to_string(),
        line: None,
        rule: Some(rule.to_string()),
        message,
    };
    let top = compile_set(
        &config.html,
        &config.text,
        config.disable.clone(),
        defer_html,
        &err,
        &mut errs,
    );
    let mut sites = Vec::new();
    for site in &config.sites {
        let name = site.hosts.join(", ");
        for h in &site.hosts {
            if let Some(m) = bad_host(h) {
                errs.push(ConfigError {
                    file: file.to_string(),
                    line: None,
                    rule: None,
                    message: format!("[[sites]] `{name}`: {m}"),
                });
            }
        }
        // The site's rules join the top-level ones; one with the same name replaces it.
        let mut html = config.html.clone();
        merge_specs(&mut html.rules, &site.html.rules, |r| &r.name);
        let mut text = config.text.clone();
        merge_specs(&mut text.rules, &site.text.rules, |r| &r.name);
        let off = config
            .disable
            .iter()
            .chain(&site.disable)
            .cloned()
            .collect();
        let site_err =
            |rule: &str, message: String| err(rule, format!("[[sites]] `{name}`: {message}"));
        let set = compile_set(&html, &text, off, defer_html, &site_err, &mut errs);
        if let Some((text_rules, html, text)) = set {
            sites.push(Site {
                name,
                hosts: site.hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
                text_rules,
                html,
                text,
            });
        }
    }
    let quality = crate::quality::Compiled::new(&config.quality)
        .map_err(|m| errs.push(err("quality", m)))
        .ok();
    match (top, quality) {
        (Some((text_rules, html, text)), Some(quality)) if errs.is_empty() => Ok(Rules {
            config,
            text_rules,
            html,
            text,
            quality,
            sites,
        }),
        _ => Err(errs),
    }
}

type RuleSet = (TextRules, HtmlRules, crate::text::Compiled);

/// Compile one set of rules (the top level's, or a site's), without the rules named in
/// `disabled`; problems go to `errs`. With `defer_html` the HTML half is left for its
/// first use.
fn compile_set(
    html_cfg: &HtmlConfig,
    text_cfg: &crate::text::TextConfig,
    disabled: Vec<String>,
    defer_html: bool,
    err: &dyn Fn(&str, String) -> ConfigError,
    errs: &mut Vec<ConfigError>,
) -> Option<RuleSet> {
    let enabled = |name: &str| !disabled.iter().any(|d| d == name);
    let enabled: &dyn Fn(&str) -> bool = &enabled;
    let before = errs.len();
    let mut text_rules = TextRules::default();
    for spec in text_cfg.rules.iter().filter(|s| enabled(&s.name)) {
        match TextRule::compile(spec) {
            Ok(r) => text_rules.rules.push(r),
            Err(m) => errs.push(err(&spec.name, m)),
        }
    }
    crate::rules::link_literal_filters(&mut text_rules.rules);
    let built = OnceLock::new();
    if !defer_html {
        match compile_html(html_cfg, enabled) {
            Ok(h) => {
                let _ = built.set(h);
            }
            Err(problems) => errs.extend(problems.iter().map(|(r, m)| err(r, m.clone()))),
        }
    }
    // The text rules compiled above serve the classifier too: each regex is built once.
    let text = crate::text::Compiled::with_rules(text_cfg, enabled, &text_rules.rules)
        .map_err(|m| errs.push(err("text", m)));
    let html = HtmlRules {
        built,
        cfg: html_cfg.clone(),
        disabled,
    };
    match text {
        Ok(t) if errs.len() == before => Some((text_rules, html, t)),
        _ => None,
    }
}

/// Add `extra` rule specs to `base`; one named like a base rule replaces it.
fn merge_specs<T: Clone>(base: &mut Vec<T>, extra: &[T], name: impl Fn(&T) -> &String) {
    for r in extra {
        match base.iter().position(|b| name(b) == name(r)) {
            Some(i) => base[i] = r.clone(),
            None => base.push(r.clone()),
        }
    }
}

/// Why a `hosts` entry cannot match any host, if it cannot.
fn bad_host(h: &str) -> Option<String> {
    let bare = h.strip_prefix("*.").unwrap_or(h);
    if bare.is_empty()
        || bare.contains(['/', ':', '*', ' ', '?', '#', '@'])
        || bare.starts_with('.')
        || bare.ends_with('.')
    {
        Some(format!(
            "host `{h}` is not a host name or `*.domain` (no scheme, port or path)"
        ))
    } else {
        None
    }
}

/// Rule arrays with the span of each table, so errors can name a line.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleSpans {
    html: SectionSpans,
    text: SectionSpans,
    disable: Vec<String>,
    sites: Vec<Spanned<SiteSpans>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SiteSpans {
    hosts: Vec<String>,
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
    let mut sections = vec![
        ("html.rules", &spans.html.rules),
        ("text.rules", &spans.text.rules),
    ];
    for site in &spans.sites {
        sections.push(("sites.html.rules", &site.get_ref().html.rules));
        sections.push(("sites.text.rules", &site.get_ref().text.rules));
    }
    for (section, rules) in sections {
        for r in rules {
            let line = at(r.span().start);
            rule_lines.push((at(r.span().start), at(r.span().end)));
            let name = r
                .get_ref()
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let problem = if section.ends_with("html.rules") {
                HtmlRuleSpec::deserialize(r.get_ref().clone())
                    .map_err(|e| e.message().trim().to_string())
                    .and_then(|s| HtmlRule::compile(&s).map(|_| ()))
            } else {
                TextRuleSpec::deserialize(r.get_ref().clone())
                    .map_err(|e| e.message().trim().to_string())
                    .and_then(|s| TextRule::compile(&s).map(|_| ()))
            };
            if let Err(m) = problem {
                errs.push(mk(Some(line), name.clone(), format!("[[{section}]]: {m}")));
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
        let problems = problems.chain(cfg.limits.validate());
        for m in problems.chain(cfg.quality.validate()) {
            let line = m
                .split([' ', '=', ':'])
                .next()
                .and_then(|key| key_line(src, key));
            errs.push(mk(line, None, m));
        }
    }
    for site in &spans.sites {
        let line = at(site.span().start);
        let s = site.get_ref();
        if s.hosts.is_empty() {
            errs.push(mk(Some(line), None, "[[sites]]: no `hosts`".into()));
        }
        for m in s.hosts.iter().filter_map(|h| bad_host(h)) {
            errs.push(mk(Some(line), None, format!("[[sites]]: {m}")));
        }
    }
    // Names in `disable` must name a rule, or a typo silently disables nothing.
    let site_disables = spans.sites.iter().flat_map(|s| &s.get_ref().disable);
    let disables: Vec<&String> = spans.disable.iter().chain(site_disables).collect();
    if !disables.is_empty() {
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
        for d in disables.into_iter().filter(|d| !known(d)) {
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

/// The 1-based line where a dotted key (`limits.max_page_ms`) is set: `key =` under its
/// `[table]` header, or written out in full (`limits.max_page_ms =` at the top level).
fn key_line(src: &str, dotted: &str) -> Option<usize> {
    let (table, key) = dotted.rsplit_once('.')?;
    let sets = |line: &str, k: &str| {
        line.strip_prefix(k)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    let mut current = String::new();
    for (i, line) in src.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = h.trim().to_string();
        } else if (current == table && sets(t, key)) || (current.is_empty() && sets(t, dotted)) {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_thresholds_name_their_line() {
        let src = "[limits]\nmax_nodes = 10\nmax_page_ms = 0\n\n[template]\nmin_share = 1.5\n";
        let errs = check("u.toml", src);
        let at = |k: &str| errs.iter().find(|e| e.message.contains(k)).map(|e| e.line);
        assert_eq!(at("limits.max_page_ms"), Some(Some(3)), "{errs:?}");
        assert_eq!(at("template.min_share"), Some(Some(6)), "{errs:?}");
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn embedded_defaults_compile() {
        let errs = check("config.toml", DEFAULT_CONFIG);
        assert!(errs.is_empty(), "{errs:?}");
        // The HTML half is deferred for the defaults: build it too.
        let rules = Rules::defaults();
        assert!(rules.html.built.get().is_none());
        let (html_rules, _) = rules.html.get();
        assert_eq!(html_rules.len(), rules.config.html.rules.len());
    }

    #[test]
    fn a_user_files_html_errors_are_reported_at_start_up() {
        // Deferred compilation is for the embedded defaults only.
        let user = "[html]\npositive_hints = \"(\"\n";
        let errs = Rules::from_sources(Some(("u.toml", user))).err().unwrap();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].rule.as_deref(), Some("html"));
        assert!(errs[0].message.contains("positive_hints"), "{errs:?}");
        let user = "disable = [\"text-share-widget\"]\n";
        let rules = Rules::from_sources(Some(("u.toml", user))).unwrap();
        assert!(rules.html.built.get().is_some());
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

    fn site_rules(src: &str) -> Rules {
        Rules::from_sources(Some(("u.toml", src))).unwrap()
    }

    #[test]
    fn site_tables_match_exact_hosts_www_wildcards_and_folders() {
        let rules = site_rules(
            "[[sites]]\nhosts = [\"example.com\", \"*.example.org\"]\n[[sites]]\nhosts = [\"other.net\"]\n",
        );
        let site = |url: Option<&str>, src: &str| rules.site_for(url, src).map(|s| s.name.as_str());
        let first = Some("example.com, *.example.org");
        assert_eq!(site(Some("https://example.com/a"), "x.html"), first);
        assert_eq!(site(Some("http://WWW.Example.com:8080/a"), "x.html"), first);
        assert_eq!(site(Some("https://news.example.org/a"), "x.html"), first);
        // A wildcard names subdomains only; a look-alike host is another site.
        assert_eq!(site(Some("https://example.org/a"), "x.html"), None);
        assert_eq!(site(Some("https://notexample.com/a"), "x.html"), None);
        // Without a URL, the folder holding the page names the host.
        assert_eq!(site(None, "crawl/other.net/page.html"), Some("other.net"));
        assert_eq!(site(None, "page.html"), None);
        // A known URL wins over the folder.
        assert_eq!(
            site(Some("https://example.com/"), "other.net/p.html"),
            first
        );
    }

    #[test]
    fn site_rules_add_replace_and_disable_for_that_site_only() {
        let rules = site_rules(
            "[[sites]]\nhosts = [\"example.com\"]\ndisable = [\"text-share-widget\"]\n[[sites.text.rules]]\nname = \"mine\"\nphrases = [\"buy now\"]\n",
        );
        let names = |r: &TextRules| {
            r.rules
                .iter()
                .map(|r| r.name.to_string())
                .collect::<Vec<_>>()
        };
        let site = names(&rules.sites[0].text_rules);
        let top = names(&rules.text_rules);
        assert!(site.contains(&"mine".into()) && !site.contains(&"text-share-widget".into()));
        assert!(!top.contains(&"mine".into()) && top.contains(&"text-share-widget".into()));
    }

    #[test]
    fn bad_site_tables_are_config_errors() {
        let bad_rule = "[[sites]]\nhosts = [\"example.com\"]\n[[sites.text.rules]]\nname = \"r\"\npattern = \"(\"\n";
        let errs = check("u.toml", bad_rule);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            (errs[0].line, errs[0].rule.as_deref()),
            (Some(3), Some("r"))
        );
        assert!(Rules::from_sources(Some(("u.toml", bad_rule))).is_err());
        for src in [
            "[[sites]]\nhosts = [\"https://example.com/\"]\n",
            "[[sites]]\ndisable = [\"html-share\"]\n",
            "[[sites]]\nhosts = [\"a.com\"]\ndisable = [\"no-such-rule\"]\n",
            "[[sites]]\nhosts = [\"a.com\"]\ncolour = 1\n",
        ] {
            assert!(!check("u.toml", src).is_empty(), "{src}");
        }
        assert!(Rules::from_sources(Some(("u.toml", "[[sites]]\nhosts = [\"a/b\"]\n"))).is_err());
    }

    #[test]
    fn unknown_disable_name_is_an_error() {
        let errs = check("u.toml", "disable = [\"no-such-rule\"]\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(1));
    }
}
