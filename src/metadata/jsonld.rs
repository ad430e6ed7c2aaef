//! JSON-LD: lenient parsing of `<script type="application/ld+json">` blocks and
//! the fields of the page's main entity (the article, posting or question).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Scripts larger than this are skipped: no page needs megabytes of JSON-LD for
/// its metadata, and parsing them would cost more than the rest of the stage.
const MAX_SCRIPT_BYTES: usize = 512 * 1024;
/// How deep into nested arrays, `@graph` and `mainEntity` the walk goes.
const MAX_DEPTH: usize = 8;
/// Cap on the entities one page contributes (protects against huge item lists).
const MAX_NODES: usize = 400;

/// What the JSON-LD of a page says about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LdInfo {
    pub headline: Option<String>,
    pub name: Option<String>,
    pub date_published: Option<String>,
    pub date_created: Option<String>,
    pub date_modified: Option<String>,
    pub authors: Vec<String>,
    pub publisher: Option<String>,
    pub site_name: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub url: Option<String>,
    /// `inLanguage` of the main entity or page.
    pub language: Option<String>,
}

static TRAILING_COMMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r",(\s*[}\]])").expect("valid regex"));

/// Parse one script's text, tolerating CDATA wrappers, raw control characters in
/// strings, trailing commas and several top-level values in a row.
pub fn parse_lenient(raw: &str) -> Vec<Value> {
    if raw.len() > MAX_SCRIPT_BYTES {
        return Vec::new();
    }
    let mut s = raw.trim();
    for (open, close) in [
        ("//<![CDATA[", "//]]>"),
        ("/*<![CDATA[*/", "/*]]>*/"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(rest) = s.strip_prefix(open) {
            s = rest.trim();
            if let Some(rest) = s.strip_suffix(close) {
                s = rest.trim();
            }
        }
    }
    let s = s.trim_end_matches(';').trim();
    if s.is_empty() {
        return Vec::new();
    }
    if let Ok(v) = serde_json::from_str::<Value>(s) {
        return vec![v];
    }
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>();
    let cleaned = TRAILING_COMMA.replace_all(&cleaned, "$1");
    // Several values in a row, possibly separated by commas (`{..},{..}`).
    let mut out = Vec::new();
    let mut rest: &str = &cleaned;
    for _ in 0..32 {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                out.push(v);
                rest = &rest[stream.byte_offset()..];
            }
            _ => break,
        }
    }
    out
}

/// Decode the HTML entities that pages leave in JSON-LD strings (`&amp;`, `&#8217;`, ...).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(';').map(|j| j + 1).filter(|&j| j <= 10);
        let decoded = end.and_then(|j| {
            let name = &rest[1..j];
            let c = if let Some(num) = name.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                }?;
                char::from_u32(n)?
            } else {
                match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "nbsp" => ' ',
                    "rsquo" => '\u{2019}',
                    "lsquo" => '\u{2018}',
                    "rdquo" => '\u{201D}',
                    "ldquo" => '\u{201C}',
                    "ndash" => '\u{2013}',
                    "mdash" => '\u{2014}',
                    "hellip" => '\u{2026}',
                    "eacute" => 'é',
                    "egrave" => 'è',
                    "aacute" => 'á',
                    "iacute" => 'í',
                    "oacute" => 'ó',
                    "uacute" => 'ú',
                    "ntilde" => 'ñ',
                    "ccedil" => 'ç',
                    "auml" => 'ä',
                    "ouml" => 'ö',
                    "uuml" => 'ü',
                    "szlig" => 'ß',
                    _ => return None,
                }
            };
            Some((c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// How likely an entity of this `@type` is the page's main content.
fn type_rank(v: &Value) -> u8 {
    let mut best = 0;
    let mut rank_one = |t: &str| {
        let t = t.rsplit(['/', ':']).next().unwrap_or(t);
        let r = if t.contains("Article")
            || t.ends_with("Posting")
            || matches!(
                t,
                "Report"
                    | "Question"
                    | "Recipe"
                    | "HowTo"
                    | "Review"
                    | "PodcastEpisode"
                    | "Thesis"
                    | "Blog"
            ) {
            4
        } else if t.ends_with("Page") {
            3
        } else if matches!(
            t,
            "Organization"
                | "Corporation"
                | "NewsMediaOrganization"
                | "LocalBusiness"
                | "Person"
                | "WebSite"
                | "BreadcrumbList"
                | "ImageObject"
                | "SiteNavigationElement"
                | "SearchAction"
                | "ListItem"
                | "Brand"
                | "Place"
                | "PostalAddress"
                | "ContactPoint"
        ) {
            0
        } else {
            2
        };
        best = best.max(r);
    };
    match v.get("@type") {
        Some(Value::String(t)) => rank_one(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).for_each(&mut rank_one),
        _ => {}
    }
    best
}

fn has_type(v: &Value, name: &str) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}

/// A plain string value (or the first string of an array, or `@value`), entity-decoded and trimmed.
fn string_of(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.as_str(),
        Value::Array(a) => return a.iter().find_map(|x| string_of(Some(x))),
        Value::Object(o) => return string_of(o.get("@value")),
        _ => return None,
    };
    let s = decode_entities(s);
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// The entities worth looking at: top-level values, array members, `@graph`
/// members and `mainEntity` values, in document order (breadth-first per script).
fn entities(roots: &[Value]) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Value, usize)> = roots.iter().rev().map(|v| (v, 0)).collect();
    while let Some((v, depth)) = stack.pop() {
        if out.len() >= MAX_NODES || depth > MAX_DEPTH {
            continue;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().rev().map(|x| (x, depth + 1))),
            Value::Object(o) => {
                if o.contains_key("@type") {
                    out.push(v);
                }
                let mut children: Vec<&Value> = Vec::new();
                for key in ["@graph", "mainEntity"] {
                    if let Some(c) = o.get(key) {
                        children.push(c);
                    }
                }
                stack.extend(children.into_iter().rev().map(|x| (x, depth + 1)));
            }
            _ => {}
        }
    }
    out
}

/// Names of the people (or bodies) in an `author` value: a string, an object with
/// a `name` (or an `@id` pointing at one), or an array of those.
fn names<'a>(v: &'a Value, ids: &HashMap<&'a str, &'a Value>, out: &mut Vec<String>, depth: usize) {
    if depth > 3 {
        return;
    }
    match v {
        Value::String(_) => out.extend(string_of(Some(v))),
        Value::Array(items) => items.iter().for_each(|x| names(x, ids, out, depth + 1)),
        Value::Object(o) => {
            if let Some(n) = string_of(o.get("name")).or_else(|| {
                let given = string_of(o.get("givenName"))?;
                Some(match string_of(o.get("familyName")) {
                    Some(f) => format!("{given} {f}"),
                    None => given,
                })
            }) {
                out.push(n);
            } else if let Some(target) = o
                .get("@id")
                .and_then(Value::as_str)
                .and_then(|id| ids.get(id))
            {
                if !std::ptr::eq(*target, v) {
                    names(target, ids, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn keywords_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => decode_entities(s)
            .split(',')
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect(),
        Some(Value::Array(items)) => items.iter().filter_map(|x| string_of(Some(x))).collect(),
        _ => Vec::new(),
    }
}

/// Read the metadata the JSON-LD `roots` (one parsed value per script) give.
pub fn extract(roots: &[Value]) -> LdInfo {
    let nodes = entities(roots);
    let mut info = LdInfo::default();
    if nodes.is_empty() {
        return info;
    }
    let ids: HashMap<&str, &Value> = nodes
        .iter()
        .filter_map(|n| Some((n.get("@id")?.as_str()?, *n)))
        .collect();
    // The main entity: the best-ranked one that carries article fields; earlier wins ties.
    let carries = |n: &&&Value| {
        ["headline", "datePublished", "author", "dateCreated"]
            .iter()
            .any(|k| n.get(k).is_some())
    };
    let best_rank = nodes
        .iter()
        .filter(carries)
        .map(|n| type_rank(n))
        .max()
        .filter(|&r| r >= 2);
    let main = best_rank.and_then(|r| {
        nodes
            .iter()
            .filter(carries)
            .find(|n| type_rank(n) == r)
            .copied()
    });
    let by_rank = |min: u8| nodes.iter().filter(move |n| type_rank(n) >= min);

    if let Some(m) = main {
        info.headline = string_of(m.get("headline"));
        if type_rank(m) >= 3 {
            info.name = string_of(m.get("name"));
        }
        info.date_published = string_of(m.get("datePublished"));
        info.date_created =
            string_of(m.get("dateCreated")).or_else(|| string_of(m.get("uploadDate")));
        info.date_modified = string_of(m.get("dateModified"));
        for key in ["author", "creator"] {
            if let Some(a) = m.get(key) {
                names(a, &ids, &mut info.authors, 0);
            }
            if !info.authors.is_empty() {
                break;
            }
        }
        if let Some(p) = m.get("publisher") {
            let mut n = Vec::new();
            names(p, &ids, &mut n, 0);
            info.publisher = n.into_iter().next();
        }
        info.description = string_of(m.get("description"));
        info.keywords = keywords_of(m.get("keywords"));
        info.url = string_of(m.get("url"));
        info.language = string_of(m.get("inLanguage"));
    }
    // Fill gaps from the other content entities (a WebPage next to the Article).
    for n in by_rank(2) {
        if info.date_published.is_none() {
            info.date_published = string_of(n.get("datePublished"));
        }
        if info.date_modified.is_none() {
            info.date_modified = string_of(n.get("dateModified"));
        }
        if info.authors.is_empty() {
            if let Some(a) = n.get("author") {
                names(a, &ids, &mut info.authors, 0);
            }
        }
        if info.description.is_none() {
            info.description = string_of(n.get("description"));
        }
        if info.language.is_none() {
            info.language = string_of(n.get("inLanguage"));
        }
    }
    info.site_name = nodes
        .iter()
        .find(|n| has_type(n, "WebSite"))
        .and_then(|n| string_of(n.get("name")))
        .or_else(|| info.publisher.clone());
    if info.publisher.is_none() {
        info.publisher = nodes
            .iter()
            .find(|n| has_type(n, "Organization") || has_type(n, "NewsMediaOrganization"))
            .and_then(|n| string_of(n.get("name")));
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(script: &str) -> LdInfo {
        extract(&parse_lenient(script))
    }

    #[test]
    fn graph_with_author_reference() {
        let i = info(
            r##"{"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","@id":"https://x.org/a#page","datePublished":"2024-01-03T08:00:00+00:00"},
              {"@type":"Article","headline":"Hello &amp; welcome","datePublished":"2024-01-04T10:00:00+01:00",
               "author":{"@id":"https://x.org/#/person/1"},"publisher":{"@id":"https://x.org/#org"}},
              {"@type":"Person","@id":"https://x.org/#/person/1","name":"Jane Doe"},
              {"@type":"Organization","@id":"https://x.org/#org","name":"X News"},
              {"@type":"WebSite","name":"X"}]}"##,
        );
        assert_eq!(i.headline.as_deref(), Some("Hello & welcome"));
        assert_eq!(
            i.date_published.as_deref(),
            Some("2024-01-04T10:00:00+01:00")
        );
        assert_eq!(i.authors, vec!["Jane Doe".to_string()]);
        assert_eq!(i.publisher.as_deref(), Some("X News"));
        assert_eq!(i.site_name.as_deref(), Some("X"));
    }

    #[test]
    fn top_level_array_and_author_array() {
        let i = info(
            r#"[{"@type":"BreadcrumbList","itemListElement":[]},
               {"@type":"NewsArticle","datePublished":"2023-05-06","author":[{"@type":"Person","name":"A B"},"C D"],
                "keywords":["x","y"]}]"#,
        );
        assert_eq!(i.date_published.as_deref(), Some("2023-05-06"));
        assert_eq!(i.authors, vec!["A B".to_string(), "C D".to_string()]);
        assert_eq!(i.keywords, vec!["x".to_string(), "y".to_string()]);
    }

    #[test]
    fn nested_main_entity() {
        let i = info(
            r#"{"@type":"QAPage","mainEntity":{"@type":"Question","name":"Why?","dateCreated":"2022-02-02T01:02:03Z",
               "author":{"@type":"Person","name":"asker"}}}"#,
        );
        assert_eq!(i.date_created.as_deref(), Some("2022-02-02T01:02:03Z"));
        assert_eq!(i.authors, vec!["asker".to_string()]);
    }

    #[test]
    fn malformed_scripts_are_tolerated() {
        let v = parse_lenient("<![CDATA[ {\"@type\":\"Article\",\"headline\":\"a\nb\",} ]]>");
        assert_eq!(extract(&v).headline.as_deref(), Some("a b"));
        let v =
            parse_lenient(r#"{"@type":"Article","headline":"one"} {"@type":"WebSite","name":"S"}"#);
        assert_eq!(v.len(), 2);
        let v =
            parse_lenient(r#"{"@type":"Article","headline":"one"},{"@type":"WebSite","name":"S"}"#);
        assert_eq!(extract(&v).site_name.as_deref(), Some("S"));
        assert!(parse_lenient("{not json at all").is_empty());
        let deep = "[".repeat(10_000);
        assert!(extract(&parse_lenient(&deep)).headline.is_none());
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_entities("It&#8217;s &amp; &#x41; &bogus; &"),
            "It\u{2019}s & A &bogus; &"
        );
    }
}
