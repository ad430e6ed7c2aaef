//! Metadata: title, date, author, site, URL, language and tags, from the DOM
//! (JSON-LD, OpenGraph, Dublin Core, microdata, visible bylines) or from the text
//! headers a text page carried. (Stub: being implemented.)

use scraper::Html;

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

/// Metadata from an HTML document.
pub fn from_html(doc: &Html, ctx: &Context) -> Metadata {
    let _ = ctx;
    let sel = scraper::Selector::parse("title").unwrap();
    let title = doc
        .select(&sel)
        .next()
        .map(|t| t.text().collect::<String>().trim().to_string())
        .filter(|t| !t.is_empty());
    Metadata {
        title,
        ..Default::default()
    }
}

/// Fold values that text rules captured (e.g. a ` date 2024-01-04 ` header) into `meta`.
pub fn apply_captures(meta: &mut Metadata, captures: &[Capture]) {
    for c in captures {
        match c.field.as_str() {
            "date" if meta.date.is_none() => {
                meta.date = Some(c.value.clone());
                meta.date_source = Some(format!("text:{}", c.rule));
            }
            "author" if meta.author.is_none() => meta.author = Some(c.value.clone()),
            "title" if meta.title.is_none() => meta.title = Some(c.value.clone()),
            _ => {}
        }
    }
}

/// Last step: fill what only the final text can tell (the language, when the page did not say).
pub fn finish(meta: &mut Metadata, text: &str) {
    if meta.language.is_none() {
        meta.language = whatlang::detect(text)
            .filter(|i| i.is_reliable())
            .map(|i| i.lang().code().to_string());
    }
}
