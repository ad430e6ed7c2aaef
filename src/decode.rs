//! Decoding: raw page bytes to UTF-8 text, and sniffing HTML versus plain text.
//! (Stub: being implemented.)

use serde::Deserialize;

/// Whether a page is HTML or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Html,
    Text,
}

/// `[decode]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DecodeConfig {
    /// Bytes of the page given to the charset detector (never the whole page).
    pub detect_prefix_bytes: usize,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            detect_prefix_bytes: 64 * 1024,
        }
    }
}

/// A decoded page.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used, e.g. `UTF-8`, `windows-1252`.
    pub encoding: &'static str,
    /// U+FFFD characters introduced by decoding.
    pub replaced_chars: usize,
    pub kind: ContentKind,
}

/// Why a page could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Mostly NUL bytes or otherwise not text.
    Binary(String),
    /// No bytes at all (or only whitespace).
    Empty,
}

/// Decode `bytes`. `hint` is the kind the file name suggests; the content decides.
/// `declared` is a charset from outside the page (an HTTP header), if known.
pub fn decode(
    bytes: &[u8],
    cfg: &DecodeConfig,
    hint: Option<ContentKind>,
    declared: Option<&str>,
) -> Result<Decoded, DecodeError> {
    let _ = (cfg, declared);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    let (text, enc, had_errors) = encoding_rs::UTF_8.decode(bytes);
    let _ = had_errors;
    let kind = hint.unwrap_or(if text.trim_start().starts_with('<') {
        ContentKind::Html
    } else {
        ContentKind::Text
    });
    Ok(Decoded {
        replaced_chars: text.matches('\u{FFFD}').count(),
        text: text.into_owned(),
        encoding: enc.name(),
        kind,
    })
}
