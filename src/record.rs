//! The output record: one JSON object per page, and the page metadata it carries.

use serde::{Deserialize, Serialize};

/// Page metadata found by the `metadata` stage (or by text-page headers).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    pub title: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The full ISO-8601 timestamp, when the page gave one.
    pub datetime: Option<String>,
    /// Where `date` came from, e.g. `json-ld`, `meta:article:published_time`, `url`, `text-header`.
    pub date_source: Option<String>,
    pub site_name: Option<String>,
    pub url: Option<String>,
    /// ISO 639-1 where known (e.g. `en`), else ISO 639-3 from the detector.
    pub language: Option<String>,
    pub tags: Vec<String>,
}

/// How much text one rule removed from a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    pub rule: String,
    pub chars: usize,
}

/// One JSONL record. Field order is the documented schema order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Record {
    pub source: String,
    pub id: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub datetime: Option<String>,
    pub date_source: Option<String>,
    pub site_name: Option<String>,
    pub url: Option<String>,
    /// When the page was fetched (`WARC-Date`), when known; null otherwise.
    pub crawled_at: Option<String>,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub text: String,
    pub word_count: usize,
    /// 0..1: how sure the extraction is that `text` is the page's main content.
    pub confidence: f32,
    /// Flags for what looks wrong: `short`, `nav_heavy`, `listing`, `consent_wall`, ...
    pub quality: Vec<String>,
    pub format: Option<String>,
    pub encoding: Option<String>,
    pub replaced_chars: usize,
    pub removed: Vec<Removal>,
}

/// The stable id of a source path: 64-bit FNV-1a, as 16 hex digits.
///
/// FNV rather than std's hasher because std's is not guaranteed stable across releases.
pub fn stable_id(source: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Record {
    /// A record for a page that produced no text, with a status such as `binary` or `error`.
    pub fn reject(source: &str, status: &str, error: Option<String>) -> Self {
        Record {
            source: source.to_string(),
            id: stable_id(source),
            status: status.to_string(),
            error,
            ..Default::default()
        }
    }

    /// Fill the metadata fields from `meta`.
    pub fn set_metadata(&mut self, meta: Metadata) {
        self.title = meta.title;
        self.description = meta.description;
        self.author = meta.author;
        self.date = meta.date;
        self.datetime = meta.datetime;
        self.date_source = meta.date_source;
        self.site_name = meta.site_name;
        self.url = meta.url;
        self.language = meta.language;
        self.tags = meta.tags;
    }

    /// With `--min-confidence x`: an ok record below `x` becomes a `low_confidence` reject.
    pub fn gate_confidence(&self, min: Option<f32>) -> Option<Record> {
        let x = min?;
        if !self.is_ok() || self.confidence >= x {
            return None;
        }
        let mut r = self.clone();
        r.status = "low_confidence".into();
        r.error = Some(format!(
            "confidence {} is below --min-confidence {x}",
            r.confidence
        ));
        Some(r)
    }

    /// Whether the record goes to OUT (rather than the rejects file).
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_id_is_fnv1a() {
        // Reference values of 64-bit FNV-1a.
        assert_eq!(stable_id(""), "cbf29ce484222325");
        assert_eq!(stable_id("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn reject_record_serialises_status_and_error() {
        let r = Record::reject("x.html", "binary", Some("looks binary".into()));
        let j = serde_json::to_string(&r).unwrap();
        assert!(j.starts_with(r#"{"source":"x.html","id":""#));
        assert!(j.contains(r#""status":"binary","error":"looks binary""#));
    }
}
