//! Decoding: raw page bytes to UTF-8 text, and sniffing HTML versus plain text.
//!
//! # How the encoding is chosen
//!
//! 1. A byte order mark (UTF-8, UTF-16LE/BE, and UTF-32LE/BE, which `encoding_rs` lacks and
//!    which is decoded by hand here) wins outright.
//! 2. Without a BOM the first [`SNIFF_BYTES`] are checked for binary content (magic numbers,
//!    NUL bytes, C0 control bytes: over 3% is binary) and the whole input for "mostly NUL"
//!    (counted only when the first or last [`SNIFF_BYTES`] hold a NUL, to keep the common
//!    case to one pass). NUL or control bytes that form UTF-16 (or UTF-32) text without a
//!    BOM are decoded as such instead of being rejected.
//! 3. Declared charsets, in this order: the `declared` argument (HTTP header), then an XML
//!    declaration and `<meta charset>` / `<meta http-equiv="Content-Type">` found in the first
//!    [`DecodeConfig::prescan_bytes`]. Labels go through `Encoding::for_label`. UTF-16 declared
//!    for bytes that are not UTF-16 (they got here, so they are ASCII-compatible) and the
//!    `replacement` encoding are ignored; `x-user-defined` is read as windows-1252, as
//!    browsers do for `<meta>`. A declaration loses when the bytes contradict it:
//!    * valid UTF-8 that has non-ASCII characters is decoded as UTF-8 whatever was declared;
//!    * for invalid UTF-8, the *error rate* of an encoding is the number of replacement
//!      characters decoding produces per non-ASCII byte of input (markup is ASCII, so this
//!      measures the text, not the page size). A declared encoding whose error rate is above
//!      [`DecodeConfig::max_error_rate`] is contradicted and the next candidate is tried;
//!    * UTF-8 is *plausible* when the input has valid multi-byte sequences and its UTF-8 error
//!      rate is within the limit (a UTF-8 page with a stray Latin-1 byte or two). Plausible
//!      UTF-8 beats a declared legacy encoding, because legacy text practically never forms
//!      valid multi-byte UTF-8 sequences while the reverse mistake (a UTF-8 CMS behind a stale
//!      `iso-8859-1` header) is common.
//! 4. Valid UTF-8 (or plausible UTF-8, as above) is UTF-8. Pure ASCII with ISO-2022-JP escape
//!    sequences is ISO-2022-JP.
//! 5. Otherwise `chardetng` guesses from at most [`DecodeConfig::detect_prefix_bytes`]. If a
//!    declaration was contradicted, the guess replaces it only when it decodes with fewer
//!    errors. chardetng never runs on valid UTF-8.
//!
//! # HTML or text
//!
//! The file name's hint is kept unless the content clearly says otherwise. A `.txt` is HTML
//! when it starts (after whitespace, comments and an XML declaration) with an HTML doctype
//! or an `<html>`/`<head>`/`<body>` tag, or with a run of real tags (three within 512 bytes).
//! Tags further in do not count: text dumps of pages about HTML hold dozens of them. An
//! `.html` file with no tag at all is text. Without a hint, a page that starts like HTML by
//! WHATWG MIME sniffing (`<p`, `<div`, `<table`, a comment, ...) is HTML too. A stray `<`
//! (as in `a < b`) is never a tag: a tag needs a name and a closing `>`.

use std::borrow::Cow;

use chardetng::EncodingDetector;
use encoding_rs::{
    Encoding, ISO_2022_JP, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED,
};
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
    /// Bytes of the page searched for `<meta charset>` and an XML encoding declaration.
    pub prescan_bytes: usize,
    /// Replacement characters per non-ASCII input byte above which a charset counts as
    /// contradicted by the bytes (see the module documentation).
    pub max_error_rate: f64,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            detect_prefix_bytes: 64 * 1024,
            prescan_bytes: 8 * 1024,
            max_error_rate: 0.1,
        }
    }
}

/// A decoded page.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used, e.g. `UTF-8`, `windows-1252` (or `UTF-32LE` /
    /// `UTF-32BE`, which WHATWG does not define).
    pub encoding: &'static str,
    /// U+FFFD characters introduced by decoding (0 when decoding found no error, so a literal
    /// U+FFFD in valid input is not counted).
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

/// Bytes at the start of the page looked at for binary content and UTF-16 without a BOM,
/// and (as characters) for HTML-versus-text evidence.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// Decode `bytes`. `hint` is the kind the file name suggests; the content decides.
/// `declared` is a charset from outside the page (an HTTP header), if known: either a bare
/// label (`ISO-8859-1`) or a whole `Content-Type` value (`text/html; charset=ISO-8859-1`).
pub fn decode(
    bytes: &[u8],
    cfg: &DecodeConfig,
    hint: Option<ContentKind>,
    declared: Option<&str>,
) -> Result<Decoded, DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    let (text, encoding, replaced_chars) = match choose(bytes, cfg, declared)? {
        Plan::Utf32 { big_endian, skip } => {
            let (text, bad) = decode_utf32(&bytes[skip..], big_endian);
            (text, if big_endian { "UTF-32BE" } else { "UTF-32LE" }, bad)
        }
        Plan::Enc { enc, skip, done } => {
            let (cow, had_errors) = match done {
                Some(d) => d,
                None => enc.decode_without_bom_handling(&bytes[skip..]),
            };
            let replaced = if had_errors {
                count_replacements(&cow)
            } else {
                0
            };
            (cow.into_owned(), enc.name(), replaced)
        }
    };
    if text
        .chars()
        .all(|c| c.is_whitespace() || c == '\u{FEFF}' || c == '\0')
    {
        return Err(DecodeError::Empty);
    }
    let kind = sniff_kind(&text, hint);
    Ok(Decoded {
        text,
        encoding,
        replaced_chars,
        kind,
    })
}

/// The decision: which decoder to run on `bytes[skip..]`. `done` carries a decode already
/// made while weighing candidates, so it is not repeated.
enum Plan<'a> {
    Enc {
        enc: &'static Encoding,
        skip: usize,
        done: Option<(Cow<'a, str>, bool)>,
    },
    Utf32 {
        big_endian: bool,
        skip: usize,
    },
}

impl Plan<'_> {
    fn enc(enc: &'static Encoding) -> Self {
        Plan::Enc {
            enc,
            skip: 0,
            done: None,
        }
    }
}

fn choose<'a>(
    bytes: &'a [u8],
    cfg: &DecodeConfig,
    declared: Option<&str>,
) -> Result<Plan<'a>, DecodeError> {
    // 1. BOM. FF FE 00 00 is also a UTF-16LE BOM followed by U+0000; it is UTF-32LE only
    // when what follows reads as UTF-32 text.
    if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Ok(Plan::Utf32 {
            big_endian: true,
            skip: 4,
        });
    }
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0])
        && (bytes.len() == 4 || utf32_textual(&bytes[4..], false))
    {
        return Ok(Plan::Utf32 {
            big_endian: false,
            skip: 4,
        });
    }
    if let Some((enc, skip)) = Encoding::for_bom(bytes) {
        return Ok(Plan::Enc {
            enc,
            skip,
            done: None,
        });
    }

    // 2. Binary content, or UTF-16/32 without a BOM.
    if let Some(plan) = sniff_binary(bytes)? {
        return Ok(plan);
    }

    // Valid UTF-8 is checked before the declarations, which is the same decision as the
    // documented order (valid non-ASCII UTF-8 beats any declaration) without a prescan for
    // most pages. A declaration still names the encoding of pure ASCII (and makes escape
    // sequences ISO-2022-JP).
    if let Ok(text) = std::str::from_utf8(bytes) {
        // Validated once here; the decode step reuses it.
        let utf8 = Plan::Enc {
            enc: UTF_8,
            skip: 0,
            done: Some((Cow::Borrowed(text), false)),
        };
        if !bytes.is_ascii() {
            return Ok(utf8);
        }
        for enc in declarations(bytes, cfg, declared) {
            if enc != ISO_2022_JP || iso_2022_jp_valid(bytes) {
                return Ok(Plan::enc(enc));
            }
        }
        if bytes.contains(&0x1B) && has_iso_2022_jp_escapes(bytes) && iso_2022_jp_valid(bytes) {
            return Ok(Plan::enc(ISO_2022_JP));
        }
        return Ok(utf8);
    }

    // Invalid UTF-8: weigh the declarations against the bytes.
    let stats = Utf8Stats::of(bytes);
    let max_errors = cfg.max_error_rate * stats.non_ascii.max(1) as f64;
    let utf8_plausible = stats.multibyte > 0 && stats.invalid as f64 <= max_errors;
    if utf8_plausible {
        // Beats a legacy declaration, confirms a UTF-8 one, and needs no detection.
        return Ok(Plan::enc(UTF_8));
    }
    // The least-bad contradicted declaration: (encoding, its decode, its error count).
    let mut contradicted: Option<(&'static Encoding, Cow<'a, str>, usize)> = None;
    for enc in declarations(bytes, cfg, declared) {
        if enc == UTF_8 {
            continue; // not plausible, so contradicted
        }
        let (cow, had_errors) = enc.decode_without_bom_handling(bytes);
        let errors = if had_errors {
            count_replacements(&cow)
        } else {
            0
        };
        if errors as f64 <= max_errors {
            return Ok(Plan::Enc {
                enc,
                skip: 0,
                done: Some((cow, had_errors)),
            });
        }
        if contradicted.as_ref().is_none_or(|c| errors < c.2) {
            contradicted = Some((enc, cow, errors));
        }
    }

    // Detection on a prefix; UTF-8 is already ruled out.
    let prefix = &bytes[..bytes.len().min(cfg.detect_prefix_bytes)];
    let mut detector = EncodingDetector::new();
    detector.feed(prefix, prefix.len() == bytes.len());
    let guess = detector.guess(None, false);
    if let Some((enc, cow, errors)) = contradicted {
        if enc != guess {
            let (gcow, g_had_errors) = guess.decode_without_bom_handling(bytes);
            let gerrors = if g_had_errors {
                count_replacements(&gcow)
            } else {
                0
            };
            if gerrors < errors {
                return Ok(Plan::Enc {
                    enc: guess,
                    skip: 0,
                    done: Some((gcow, g_had_errors)),
                });
            }
        }
        return Ok(Plan::Enc {
            enc,
            skip: 0,
            done: Some((cow, errors > 0)),
        });
    }
    Ok(Plan::enc(guess))
}

fn count_replacements(s: &str) -> usize {
    s.matches('\u{FFFD}').count()
}

/// How (in)valid the input is as UTF-8.
struct Utf8Stats {
    /// Invalid sequences, each of which decodes to one U+FFFD.
    invalid: usize,
    /// Valid multi-byte sequences (non-ASCII characters).
    multibyte: usize,
    /// Bytes >= 0x80.
    non_ascii: usize,
}

impl Utf8Stats {
    fn of(bytes: &[u8]) -> Utf8Stats {
        let mut s = Utf8Stats {
            invalid: 0,
            multibyte: 0,
            non_ascii: bytes.iter().filter(|&&b| b >= 0x80).count(),
        };
        for chunk in bytes.utf8_chunks() {
            // Lead bytes (>= 0xC0) start exactly the multi-byte characters of valid text.
            s.multibyte += chunk.valid().bytes().filter(|&b| b >= 0xC0).count();
            if !chunk.invalid().is_empty() {
                s.invalid += 1;
            }
        }
        s
    }
}

// ---------------------------------------------------------------------------------------
// Declarations

/// Usable encodings declared for the page, in priority order (HTTP, XML declaration, meta),
/// without repeats. Only called for bytes that are not UTF-16, so a UTF-16 declaration is
/// wrong and dropped (browsers do the same for `<meta>`).
fn declarations(
    bytes: &[u8],
    cfg: &DecodeConfig,
    declared: Option<&str>,
) -> Vec<&'static Encoding> {
    let mut out: Vec<&'static Encoding> = Vec::new();
    let mut add = |label: &[u8]| {
        let Some(enc) = Encoding::for_label(label) else {
            return;
        };
        let enc = if enc == X_USER_DEFINED {
            WINDOWS_1252
        } else {
            enc
        };
        if enc == REPLACEMENT || enc == UTF_16LE || enc == UTF_16BE || out.contains(&enc) {
            return;
        }
        out.push(enc);
    };
    if let Some(d) = declared {
        let d = d.as_bytes();
        match charset_from_content(d) {
            Some(label) => add(label),
            None if !d.contains(&b'=') && !d.contains(&b';') => add(trim_quotes(d)),
            None => {}
        }
    }
    let prefix = &bytes[..bytes.len().min(cfg.prescan_bytes)];
    if let Some(label) = xml_declared_encoding(prefix) {
        add(label);
    }
    for label in meta_charsets(prefix) {
        add(label);
    }
    out
}

fn trim_quotes(s: &[u8]) -> &[u8] {
    let s = s.trim_ascii();
    let s = s.strip_prefix(b"\"").unwrap_or(s);
    let s = s.strip_suffix(b"\"").unwrap_or(s);
    s.trim_ascii()
}

/// ASCII-case-insensitive search for `needle` (lower case) in `hay` from `from`.
fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= hay.len() || hay.len() - from < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len())
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn skip_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// The `encoding` of an XML declaration at the start of the page.
fn xml_declared_encoding(prefix: &[u8]) -> Option<&[u8]> {
    let start = skip_space(prefix, 0);
    let s = &prefix[start..];
    if !s.starts_with(b"<?xml") {
        return None;
    }
    let end = s.windows(2).take(1024).position(|w| w == b"?>")?;
    let decl = &s[..end];
    let mut from = 0;
    while let Some(i) = find_ci(decl, b"encoding", from) {
        let mut j = skip_space(decl, i + 8);
        if decl.get(j) == Some(&b'=') {
            j = skip_space(decl, j + 1);
            let quote = *decl.get(j)?;
            if quote == b'"' || quote == b'\'' {
                let len = decl[j + 1..].iter().position(|&b| b == quote)?;
                return Some(&decl[j + 1..j + 1 + len]);
            }
            return None;
        }
        from = i + 8;
    }
    None
}

/// WHATWG "extracting a character encoding from a meta element" (also used for the
/// `Content-Type` header): the value after `charset=`, quoted or up to `;`/space.
fn charset_from_content(content: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    loop {
        let i = find_ci(content, b"charset", from)?;
        let j = skip_space(content, i + 7);
        if content.get(j) != Some(&b'=') {
            from = i + 7;
            continue;
        }
        let j = skip_space(content, j + 1);
        let first = *content.get(j)?;
        if first == b'"' || first == b'\'' {
            let len = content[j + 1..].iter().position(|&b| b == first)?;
            return Some(&content[j + 1..j + 1 + len]);
        }
        let len = content[j..]
            .iter()
            .position(|&b| is_space(b) || b == b';')
            .unwrap_or(content.len() - j);
        return (len > 0).then(|| &content[j..j + len]);
    }
}

/// Charset labels from `<meta>` tags in `prefix`, in document order. Comments are skipped;
/// a tag cut off by the end of the prefix is ignored.
fn meta_charsets(prefix: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = prefix[i..].iter().position(|&b| b == b'<') {
        i += off;
        let rest = &prefix[i..];
        if rest.starts_with(b"<!--") {
            match find_ci(prefix, b"-->", i + 4) {
                Some(end) => {
                    i = end + 3;
                    continue;
                }
                None => break,
            }
        }
        if starts_with_ci(rest, b"<meta") && rest.get(5).is_some_and(|&b| is_space(b) || b == b'/')
        {
            match meta_tag(prefix, i + 5) {
                Some((label, end)) => {
                    if let Some(l) = label {
                        out.push(l);
                    }
                    i = end;
                    continue;
                }
                None => break,
            }
        }
        i += 1;
    }
    out
}

/// Parse the attributes of a `<meta` tag from `i`; returns its charset label (if any) and
/// the index after the tag, or `None` if the tag is cut off.
fn meta_tag(s: &[u8], mut i: usize) -> Option<(Option<&[u8]>, usize)> {
    let mut charset = None;
    let mut content = None;
    let mut pragma = false;
    loop {
        while i < s.len() && (is_space(s[i]) || s[i] == b'/') {
            i += 1;
        }
        match s.get(i) {
            None => return None,
            Some(b'>') => break,
            _ => {}
        }
        let name_start = i;
        while i < s.len() && !is_space(s[i]) && !matches!(s[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &s[name_start..i];
        i = skip_space(s, i);
        let mut value: &[u8] = b"";
        if s.get(i) == Some(&b'=') {
            i = skip_space(s, i + 1);
            match s.get(i) {
                None => return None,
                Some(&q) if q == b'"' || q == b'\'' => {
                    let len = s[i + 1..].iter().position(|&b| b == q)?;
                    value = &s[i + 1..i + 1 + len];
                    i += len + 2;
                }
                Some(_) => {
                    let start = i;
                    while i < s.len() && !is_space(s[i]) && s[i] != b'>' {
                        i += 1;
                    }
                    value = &s[start..i];
                }
            }
        }
        if name.eq_ignore_ascii_case(b"charset") {
            charset.get_or_insert(value);
        } else if name.eq_ignore_ascii_case(b"content") {
            content.get_or_insert(value);
        } else if name.eq_ignore_ascii_case(b"http-equiv") {
            pragma |= value.trim_ascii().eq_ignore_ascii_case(b"content-type");
        }
    }
    let label = match charset {
        Some(c) => Some(c.trim_ascii()),
        None if pragma => content.and_then(charset_from_content),
        None => None,
    };
    Some((label, i + 1))
}

fn has_iso_2022_jp_escapes(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        matches!(
            w,
            [0x1B, b'$', b'B'] | [0x1B, b'$', b'@'] | [0x1B, b'(', b'J'] | [0x1B, b'(', b'I']
        )
    })
}

fn iso_2022_jp_valid(bytes: &[u8]) -> bool {
    ISO_2022_JP
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some()
}

// ---------------------------------------------------------------------------------------
// Binary content and UTF-16/32 without a BOM

/// C0 controls that do not occur in text (tab, LF, VT, FF, CR and ESC do; NUL is counted
/// separately).
fn is_binary_control(b: u8) -> bool {
    matches!(b, 0x01..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F)
}

/// File formats recognised by their first bytes.
fn magic(bytes: &[u8]) -> Option<&'static str> {
    const SIGS: &[(&[u8], &str)] = &[
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"PK\x05\x06", "a ZIP archive"),
        (b"PK\x07\x08", "a ZIP archive"),
        (b"\x1F\x8B", "gzip data"),
        (b"\xFD7zXZ\0", "xz data"),
        (b"\x28\xB5\x2F\xFD", "zstd data"),
        (b"7z\xBC\xAF\x27\x1C", "a 7z archive"),
        (b"Rar!\x1A\x07", "a RAR archive"),
        (b"\x7FELF", "an ELF executable"),
        (b"\xCA\xFE\xBA\xBE", "a Java class or Mach-O file"),
        (b"\0asm", "a WebAssembly module"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an OLE (old MS Office) document",
        ),
        (b"OggS\0", "Ogg media"),
        (b"fLaC", "FLAC audio"),
        (b"wOFF", "a WOFF font"),
        (b"wOF2", "a WOFF2 font"),
        (b"SQLite format 3\0", "an SQLite database"),
    ];
    if let Some((_, what)) = SIGS.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(what);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") {
        match &bytes[8..12] {
            b"WEBP" => return Some("a WebP image"),
            b"WAVE" => return Some("WAV audio"),
            b"AVI " => return Some("an AVI video"),
            _ => {}
        }
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some("an MP4/QuickTime/HEIF file");
    }
    if bytes.len() >= 10
        && bytes.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&bytes[3])
        && &bytes[4..10] == b"1AY&SY"
    {
        return Some("bzip2 data");
    }
    if bytes.len() >= 10
        && bytes.starts_with(b"ID3")
        && (2..=4).contains(&bytes[3])
        && bytes[4] < 0x10
    {
        return Some("MP3 audio");
    }
    None
}

/// Reject binary input; recognise UTF-16/32 without a BOM. `Ok(None)`: ASCII-compatible
/// text, go on.
fn sniff_binary(bytes: &[u8]) -> Result<Option<Plan<'static>>, DecodeError> {
    if let Some(what) = magic(bytes) {
        return Err(DecodeError::Binary(format!(
            "looks like {what} (magic number)"
        )));
    }
    let prefix = &bytes[..bytes.len().min(SNIFF_BYTES)];
    // Counted in u32 lanes (the prefix is at most SNIFF_BYTES long), which vectorises.
    let count = |f: fn(u8) -> bool| prefix.iter().map(|&b| u32::from(f(b))).sum::<u32>() as usize;
    let nul = count(|b| b == 0);
    let control = count(is_binary_control);
    let suspicious = nul + control;
    if suspicious > 0 {
        // UTF-32 first: its ASCII text also has UTF-16's NUL pattern.
        for big_endian in [false, true] {
            if utf32_textual(prefix, big_endian) {
                return Ok(Some(Plan::Utf32 {
                    big_endian,
                    skip: 0,
                }));
            }
        }
        if let Some(enc) = sniff_utf16(prefix) {
            return Ok(Some(Plan::Enc {
                enc,
                skip: 0,
                done: None,
            }));
        }
    }
    // "Mostly NUL" needs a count over the whole input, which is costly for big pages; do it
    // only when the prefix or the last SNIFF_BYTES have a NUL (zero padding sits at the end).
    let tail = &bytes[bytes.len().saturating_sub(SNIFF_BYTES).max(prefix.len())..];
    let total_nul = if bytes.len() == prefix.len() {
        nul
    } else if nul > 0 || tail.contains(&0) {
        bytes.iter().filter(|&&b| b == 0).count()
    } else {
        0
    };
    if total_nul * 2 > bytes.len() {
        return Err(DecodeError::Binary(format!(
            "mostly NUL bytes ({}%)",
            total_nul * 100 / bytes.len()
        )));
    }
    // Real text has essentially none of these; random or compressed data has ~10%.
    if suspicious >= 4 && suspicious * 100 > prefix.len() * 3 {
        return Err(DecodeError::Binary(format!(
            "{}% NUL or control bytes in the first {} bytes",
            suspicious * 100 / prefix.len(),
            prefix.len()
        )));
    }
    Ok(None)
}

/// How text-like a decoded sample is: `(ok, ascii)`. Not ok when more than 2% of it is
/// replacement characters, controls other than whitespace, private-use or non-characters
/// (random bytes read as UTF-16 give ~13%), or when under 5% is ASCII (ASCII-compatible
/// text read as UTF-16 gives none: markup, spaces and newlines are ASCII in real UTF-16).
fn textual(s: &str) -> (bool, usize) {
    let mut n = 0usize;
    let mut bad = 0usize;
    let mut ascii = 0usize;
    for c in s.chars() {
        n += 1;
        let u = c as u32;
        let is_bad = match c {
            '\t' | '\n' | '\r' | '\x0c' => false,
            '\u{FFFD}' | '\u{FFFE}' | '\u{FFFF}' => true,
            _ => u < 0x20 || (0x7F..0xA0).contains(&u) || (0xE000..0xF900).contains(&u),
        };
        if is_bad {
            bad += 1;
        } else if c.is_ascii() {
            ascii += 1;
        }
    }
    let ok = n >= 2 && bad * 50 <= n && ascii * 20 >= n;
    (ok, ascii)
}

/// UTF-16 without a BOM: the endianness whose reading of `prefix` is text-like and has
/// more ASCII.
fn sniff_utf16(prefix: &[u8]) -> Option<&'static Encoding> {
    let even = &prefix[..prefix.len() & !1];
    if even.len() < 4 {
        return None;
    }
    let le = textual(&UTF_16LE.decode_without_bom_handling(even).0);
    let be = textual(&UTF_16BE.decode_without_bom_handling(even).0);
    match (le.0, be.0) {
        (true, true) if be.1 > le.1 => Some(UTF_16BE),
        (true, _) => Some(UTF_16LE),
        (false, true) => Some(UTF_16BE),
        (false, false) => None,
    }
}

/// Whether `bytes` (a prefix) reads as UTF-32 text of the given endianness.
fn utf32_textual(bytes: &[u8], big_endian: bool) -> bool {
    let whole = &bytes[..bytes.len() & !3];
    if whole.len() < 8 {
        return false;
    }
    textual(&decode_utf32(whole, big_endian).0).0
}

/// UTF-32 by hand (`encoding_rs` follows WHATWG, which dropped it). Returns the text and
/// the number of replacement characters.
fn decode_utf32(bytes: &[u8], big_endian: bool) -> (String, usize) {
    let mut s = String::with_capacity(bytes.len() / 4 + 4);
    let mut bad = 0;
    for unit in bytes.chunks(4) {
        let c = <[u8; 4]>::try_from(unit).ok().and_then(|u| {
            char::from_u32(if big_endian {
                u32::from_be_bytes(u)
            } else {
                u32::from_le_bytes(u)
            })
        });
        s.push(c.unwrap_or_else(|| {
            bad += 1;
            '\u{FFFD}'
        }));
    }
    (s, bad)
}

// ---------------------------------------------------------------------------------------
// HTML or text

/// Tag names that count as evidence of HTML.
const KNOWN_TAGS: &[&str] = &[
    "a",
    "abbr",
    "article",
    "aside",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "label",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "option",
    "p",
    "pre",
    "script",
    "section",
    "select",
    "small",
    "span",
    "strong",
    "style",
    "sub",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "textarea",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "u",
    "ul",
];

/// Tags that make a page HTML when it starts with one (WHATWG MIME sniffing's table, used
/// when there is no file-name hint).
const HTML_START_TAGS: &[&str] = &[
    "a", "b", "body", "br", "div", "font", "h1", "head", "html", "iframe", "p", "script", "style",
    "table", "title",
];

/// Bytes after the first element in which "several tags near the start" are counted.
const NEAR_START: usize = 512;

/// What the start of a decoded page says about HTML.
#[derive(Debug, Default)]
struct TagEvidence<'a> {
    /// After whitespace, comments and `<?xml ...?>`: `<!doctype html`.
    doctype_html: bool,
    /// The first non-whitespace is a real tag, a comment, a doctype or `<?`.
    starts_with_markup: bool,
    /// The first non-whitespace is a comment.
    starts_with_comment: bool,
    /// The first element, when the page starts (after whitespace, comments, `<?...?>` and a
    /// doctype) with a real tag.
    lead: Option<&'a [u8]>,
    /// Real tags (closed by `>`, outside comments) with a known name, opening or closing.
    known: usize,
    /// Of those, `html`, `head` and `body`.
    structural: usize,
    /// Of those, the ones starting within [`NEAR_START`] bytes of the first element.
    near_start: usize,
}

fn is_known(name: &[u8]) -> bool {
    KNOWN_TAGS
        .iter()
        .any(|t| t.as_bytes().eq_ignore_ascii_case(name))
}

fn is_structural(name: &[u8]) -> bool {
    [&b"html"[..], b"head", b"body"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(name))
}

impl<'a> TagEvidence<'a> {
    fn scan(window: &'a str) -> TagEvidence<'a> {
        let s = window.as_bytes();
        let mut ev = TagEvidence::default();
        let lead = window.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        let start = s.len() - lead.len();
        let lb = lead.as_bytes();
        ev.starts_with_comment = lb.starts_with(b"<!--");
        ev.starts_with_markup = ev.starts_with_comment
            || lb.starts_with(b"<!")
            || lb.starts_with(b"<?")
            || tag_at(s, start).is_some();
        // Skip the prolog: comments, processing instructions, the doctype.
        let mut i = start;
        loop {
            i = skip_space(s, i);
            let rest = &s[i..];
            let end = if rest.starts_with(b"<!--") {
                find_ci(s, b"-->", i + 4).map(|e| e + 3)
            } else if rest.starts_with(b"<?") || rest.starts_with(b"<!") {
                ev.doctype_html |= starts_with_ci(rest, b"<!doctype html");
                rest.iter().position(|&b| b == b'>').map(|e| i + e + 1)
            } else {
                break;
            };
            match end {
                Some(e) => i = e,
                None => break,
            }
        }
        ev.lead = tag_at(s, i).map(|(name, _)| name);
        let lead_pos = i;
        let mut i = 0;
        while let Some(off) = memchr::memchr(b'<', &s[i..]) {
            i += off;
            if s[i..].starts_with(b"<!--") {
                match find_ci(s, b"-->", i + 4) {
                    Some(end) => i = end + 3,
                    None => break,
                }
                continue;
            }
            if let Some((name, end)) = tag_at(s, i) {
                if is_known(name) {
                    ev.known += 1;
                    ev.structural += usize::from(is_structural(name));
                    ev.near_start += usize::from(i >= lead_pos && i - lead_pos < NEAR_START);
                }
                i = end;
            } else {
                i += 1;
            }
        }
        ev
    }

    /// Clear enough to overrule a `.txt` name. Text dumps of pages about HTML can hold
    /// dozens of tags, so the count alone is not enough: the page must start like HTML.
    fn clearly_html(&self) -> bool {
        let lead_known = self.lead.is_some_and(is_known);
        self.doctype_html
            || self.lead.is_some_and(is_structural)
            || (self.starts_with_markup && self.structural >= 1 && self.known >= 3)
            || (lead_known && self.near_start >= 3)
    }

    /// WHATWG's sniffing rule: starts with a comment or one of [`HTML_START_TAGS`].
    fn starts_like_html(&self) -> bool {
        self.starts_with_comment
            || self.lead.is_some_and(|l| {
                HTML_START_TAGS
                    .iter()
                    .any(|t| t.as_bytes().eq_ignore_ascii_case(l))
            })
    }
}

/// A real tag at `s[i] == b'<'`: `<name` or `</name` followed by space, `/` or `>`, with a
/// `>` before the next `<`. Returns the name and the index after the `>`.
fn tag_at(s: &[u8], i: usize) -> Option<(&[u8], usize)> {
    let mut j = i + 1;
    if s.get(j) == Some(&b'/') {
        j += 1;
    }
    let start = j;
    if !s.get(j)?.is_ascii_alphabetic() {
        return None;
    }
    while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == b'-' || s[j] == b':') {
        j += 1;
    }
    let name = &s[start..j];
    match s.get(j) {
        Some(&b) if is_space(b) || b == b'/' || b == b'>' => {}
        _ => return None,
    }
    let close = s[j..].iter().position(|&b| b == b'>' || b == b'<')?;
    (s[j + close] == b'>').then_some((name, j + close + 1))
}

/// Any real tag, comment or doctype anywhere in `text`.
fn has_any_tag(text: &str) -> bool {
    let s = text.as_bytes();
    let mut i = 0;
    while let Some(off) = s[i..].iter().position(|&b| b == b'<') {
        i += off;
        let rest = &s[i..];
        if rest.starts_with(b"<!--") || starts_with_ci(rest, b"<!doctype") || tag_at(s, i).is_some()
        {
            return true;
        }
        i += 1;
    }
    false
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
fn window(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// HTML or text: the hint stands unless the content clearly contradicts it.
fn sniff_kind(text: &str, hint: Option<ContentKind>) -> ContentKind {
    let ev = TagEvidence::scan(window(text, SNIFF_BYTES));
    let html = match hint {
        Some(ContentKind::Html) => ev.known > 0 || ev.starts_with_markup || has_any_tag(text),
        Some(ContentKind::Text) => ev.clearly_html(),
        None => ev.clearly_html() || ev.starts_like_html(),
    };
    if html {
        ContentKind::Html
    } else {
        ContentKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_JP, GBK, SHIFT_JIS, WINDOWS_1251};

    fn cfg() -> DecodeConfig {
        DecodeConfig::default()
    }

    fn dec(bytes: &[u8]) -> Decoded {
        decode(bytes, &cfg(), None, None).expect("decodes")
    }

    /// `text` encoded with a legacy encoding (must be representable).
    fn enc(e: &'static Encoding, text: &str) -> Vec<u8> {
        let (b, used, unmappable) = e.encode(text);
        assert_eq!(used, e);
        assert!(!unmappable);
        b.into_owned()
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    /// Deterministic pseudo-random bytes (xorshift), no extra dependency.
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    const FRENCH: &str = "Les élèves ont déjà préparé la fête de l'été. « Ça a été très réussi », \
        a déclaré la directrice, très émue. Où est passée la clé du théâtre ? Personne ne sait.";
    const RUSSIAN: &str = "Городской совет утвердил новый план развития транспорта. По словам \
        мэра, в ближайшие три года в городе появятся новые трамвайные линии и велосипедные дорожки.";
    const JAPANESE: &str = "市立図書館は来月から開館時間を延長すると発表した。仕事帰りの利用者から\
        要望が多く寄せられていたという。自習室の座席も増やす予定だ。";
    const CHINESE: &str = "市政府今天宣布，将在明年春季开通新的地铁线路。这条线路全长二十公里，\
        共设十五个车站，预计每天可以运送乘客十万人次。";

    fn html(meta: &str, body: &str) -> String {
        format!("<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>")
    }

    // ---- 1. BOM ----

    #[test]
    fn utf8_bom_wins_over_meta_and_is_stripped() {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend_from_slice(html(r#"<meta charset="windows-1252">"#, FRENCH).as_bytes());
        let d = dec(&b);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.starts_with("<!DOCTYPE"));
        assert!(d.text.contains("élèves"));
        assert_eq!(d.replaced_chars, 0);
    }

    #[test]
    fn utf16_boms() {
        let page = html("", RUSSIAN);
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(&page, false));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16(&page, true));
        for (b, name) in [(le, "UTF-16LE"), (be, "UTF-16BE")] {
            let d = decode(&b, &cfg(), None, Some("windows-1252")).unwrap();
            assert_eq!(d.encoding, name);
            assert_eq!(d.text, page);
            assert_eq!(d.kind, ContentKind::Html);
        }
    }

    #[test]
    fn utf32_with_and_without_bom() {
        let page = html("", FRENCH);
        let le: Vec<u8> = page
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let be: Vec<u8> = page
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let mut le_bom = vec![0xFF, 0xFE, 0, 0];
        le_bom.extend(&le);
        let mut be_bom = vec![0, 0, 0xFE, 0xFF];
        be_bom.extend(&be);
        for (b, name) in [
            (le_bom, "UTF-32LE"),
            (be_bom, "UTF-32BE"),
            (le, "UTF-32LE"),
            (be, "UTF-32BE"),
        ] {
            let d = dec(&b);
            assert_eq!(d.encoding, name);
            assert_eq!(d.text, page);
        }
    }

    // ---- 2. Declarations ----

    #[test]
    fn http_header_declaration_full_content_type_or_bare_label() {
        let b = enc(WINDOWS_1251, &html("", RUSSIAN));
        for header in [
            "text/html; charset=windows-1251",
            "cp1251",
            "text/html;charset=\"CP1251\"",
        ] {
            let d = decode(&b, &cfg(), None, Some(header)).unwrap();
            assert_eq!(d.encoding, "windows-1251", "{header}");
            assert!(d.text.contains("трамвайные"));
        }
    }

    #[test]
    fn meta_charset_http_equiv_and_xml_declaration() {
        let metas = [
            r#"<meta charset="gb2312">"#,
            "<META CHARSET=GB2312 >",
            r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#,
            r#"<meta content='text/html; charset=gb2312' http-equiv='content-type' />"#,
        ];
        for meta in metas {
            let b = enc(GBK, &html(meta, CHINESE));
            let d = dec(&b);
            assert_eq!(d.encoding, "GBK", "{meta}");
            assert!(d.text.contains("地铁线路"));
        }
        let xml = format!(
            r#"<?xml version="1.0" encoding='Shift_JIS'?>{}"#,
            html("", JAPANESE)
        );
        let d = dec(&enc(SHIFT_JIS, &xml));
        assert_eq!(d.encoding, "Shift_JIS");
        assert!(d.text.contains("開館時間"));
    }

    #[test]
    fn iso_8859_1_label_means_windows_1252() {
        let b = enc(
            WINDOWS_1252,
            &html(r#"<meta charset="iso-8859-1">"#, "Prix : 5 € “net”"),
        );
        let d = dec(&b);
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("5 € “net”"));
    }

    #[test]
    fn http_beats_meta() {
        let b = enc(WINDOWS_1251, &html(r#"<meta charset="koi8-r">"#, RUSSIAN));
        let d = decode(&b, &cfg(), None, Some("windows-1251")).unwrap();
        assert_eq!(d.encoding, "windows-1251");
        // Without the header the (wrong but uncontradicted) meta is obeyed, as browsers do.
        assert_eq!(dec(&b).encoding, "KOI8-R");
    }

    #[test]
    fn meta_in_comment_or_beyond_prescan_is_ignored() {
        let b = enc(
            WINDOWS_1251,
            &html(r#"<!-- <meta charset="koi8-r"> -->"#, RUSSIAN),
        );
        assert_eq!(dec(&b).encoding, "windows-1251"); // detected
        let far = format!(
            "{}{}",
            " ".repeat(cfg().prescan_bytes),
            r#"<meta charset="koi8-r">"#
        );
        let b = enc(WINDOWS_1251, &html(&far, RUSSIAN));
        assert_eq!(dec(&b).encoding, "windows-1251");
    }

    #[test]
    fn unterminated_or_garbage_declarations_do_not_panic() {
        for s in [
            "<meta charset=\"",
            "<meta charset",
            "<meta http-equiv=content-type content=\"charset=",
            "<?xml encoding=\"",
            "<?xml version='1.0' encoding ?>",
            "<!--",
            "<meta",
            "<meta charset=bogus-label>é",
        ] {
            let mut b = s.as_bytes().to_vec();
            b.push(0xE9);
            let _ = decode(&b, &cfg(), None, Some("charset="));
        }
    }

    // ---- Contradictions ----

    #[test]
    fn declared_legacy_loses_to_valid_utf8() {
        let page = html(r#"<meta charset="iso-8859-1">"#, FRENCH);
        let d = decode(page.as_bytes(), &cfg(), None, Some("windows-1252")).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, page);
        let page = html(r#"<meta charset="shift_jis">"#, CHINESE);
        assert_eq!(dec(page.as_bytes()).encoding, "UTF-8");
    }

    #[test]
    fn declared_legacy_loses_to_mostly_valid_utf8() {
        // A UTF-8 page with one stray Latin-1 byte, behind a stale iso-8859-1 header.
        let mut b = html("", &FRENCH.repeat(3)).into_bytes();
        b.extend_from_slice(b"<p>caf\xE9</p>");
        let d = decode(&b, &cfg(), None, Some("iso-8859-1")).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced_chars, 1);
        assert!(d.text.contains("élèves"));
    }

    #[test]
    fn declared_utf8_with_few_errors_stays_utf8() {
        let mut b = html(r#"<meta charset="utf-8">"#, &RUSSIAN.repeat(2)).into_bytes();
        b.extend_from_slice(b"<p>\xFF\xFEbroken</p>");
        let d = dec(&b);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced_chars, 2);
    }

    #[test]
    fn declared_utf8_but_legacy_bytes_falls_through_to_detection() {
        let b = enc(WINDOWS_1252, &html(r#"<meta charset="utf-8">"#, FRENCH));
        let d = dec(&b);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.replaced_chars, 0);
        assert!(d.text.contains("élèves ont déjà préparé"));
        let b = enc(WINDOWS_1251, &html("", RUSSIAN));
        let d = decode(&b, &cfg(), None, Some("utf-8")).unwrap();
        assert_eq!(d.encoding, "windows-1251");
    }

    #[test]
    fn declared_multibyte_with_many_errors_loses_to_detection() {
        // Shift_JIS bytes declared as EUC-JP: most Shift_JIS lead bytes are invalid EUC-JP.
        let page = html(r#"<meta charset="euc-jp">"#, &JAPANESE.repeat(3));
        let b = enc(SHIFT_JIS, &page);
        let (_, had_errors) = EUC_JP.decode_without_bom_handling(&b);
        assert!(had_errors);
        let d = dec(&b);
        assert_eq!(d.encoding, "Shift_JIS");
        assert_eq!(d.replaced_chars, 0);
        assert!(d.text.contains("開館時間"));
    }

    #[test]
    fn meta_utf16_on_ascii_compatible_page_is_ignored() {
        let page = html(r#"<meta charset="utf-16">"#, FRENCH);
        assert_eq!(dec(page.as_bytes()).encoding, "UTF-8");
        let b = enc(WINDOWS_1252, &page);
        let d = dec(&b);
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("élèves"));
        // Pure ASCII: nothing usable declared, so UTF-8.
        let d = dec(html(r#"<meta charset="utf-16le">"#, "plain words").as_bytes());
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn replacement_labels_are_ignored() {
        let b = enc(
            WINDOWS_1251,
            &html(r#"<meta charset="iso-2022-kr">"#, RUSSIAN),
        );
        let d = dec(&b);
        assert_eq!(d.encoding, "windows-1251");
        assert!(d.text.contains("трамвайные"));
    }

    // ---- 3./4. Valid UTF-8, pure ASCII, ISO-2022-JP ----

    #[test]
    fn valid_utf8_and_ascii() {
        let d = dec(html("", CHINESE).as_bytes());
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced_chars, 0);
        let d = dec(b"Just ASCII text.\n");
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.kind, ContentKind::Text);
        // Pure ASCII keeps its (harmless) declaration.
        let d = dec(html(r#"<meta charset="iso-8859-1">"#, "plain words").as_bytes());
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn literal_replacement_char_in_valid_utf8_is_not_counted() {
        let d = dec("Broken upstream: \u{FFFD}\u{FFFD} but valid here.".as_bytes());
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced_chars, 0);
    }

    #[test]
    fn iso_2022_jp_escapes_in_ascii() {
        let (b, _, _) = ISO_2022_JP.encode(JAPANESE);
        assert!(b.is_ascii());
        let d = dec(&b);
        assert_eq!(d.encoding, "ISO-2022-JP");
        assert_eq!(d.text, JAPANESE);
        // An ANSI colour escape in a text dump is not ISO-2022-JP.
        assert_eq!(dec(b"\x1b[1mBold\x1b[0m words").encoding, "UTF-8");
    }

    // ---- 5. Detection ----

    #[test]
    fn detection_without_declaration() {
        let d = dec(&enc(WINDOWS_1251, &html("", &RUSSIAN.repeat(2))));
        assert_eq!(d.encoding, "windows-1251");
        let d = dec(&enc(SHIFT_JIS, &html("", &JAPANESE.repeat(2))));
        assert_eq!(d.encoding, "Shift_JIS");
        let d = dec(&enc(GBK, &html("", &CHINESE.repeat(2))));
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains("地铁线路"));
    }

    #[test]
    fn detection_uses_only_the_prefix() {
        // Cyrillic only after the detection prefix: the detector sees ASCII and says
        // windows-1252 (proof that it never saw the tail).
        let small = DecodeConfig {
            detect_prefix_bytes: 64,
            ..cfg()
        };
        let mut b = "x".repeat(200).into_bytes();
        b.extend(enc(WINDOWS_1251, RUSSIAN));
        assert_eq!(
            decode(&b, &small, None, None).unwrap().encoding,
            "windows-1252"
        );
        assert_eq!(dec(&b).encoding, "windows-1251");
    }

    // ---- UTF-16 without BOM ----

    #[test]
    fn utf16_without_bom_is_recognised() {
        let page = html(r#"<meta charset="utf-16">"#, FRENCH);
        for (be, name) in [(false, "UTF-16LE"), (true, "UTF-16BE")] {
            let d = dec(&utf16(&page, be));
            assert_eq!(d.encoding, name);
            assert_eq!(d.text, page);
            assert_eq!(d.kind, ContentKind::Html);
        }
        // Mostly CJK: few NUL bytes, but markup and newlines are still ASCII.
        let page = format!("<html><body>\n<p>{JAPANESE}</p>\n<p>{CHINESE}</p>\n</body></html>\n");
        for (be, name) in [(false, "UTF-16LE"), (true, "UTF-16BE")] {
            let d = dec(&utf16(&page, be));
            assert_eq!(d.encoding, name);
            assert_eq!(d.text, page);
        }
    }

    // ---- Binary and empty ----

    #[test]
    fn magic_numbers_are_binary() {
        let cases: [(&[u8], &str); 6] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG"),
            (b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", "PDF"),
            (b"PK\x03\x04\x14\0\0\0\x08\0", "ZIP"),
            (b"\x1F\x8B\x08\0\0\0\0\0", "gzip"),
            (b"GIF89a\x01\0\x01\0", "GIF"),
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", "JPEG"),
        ];
        for (b, what) in cases {
            match decode(b, &cfg(), Some(ContentKind::Html), None) {
                Err(DecodeError::Binary(why)) => assert!(why.contains(what), "{why}"),
                other => panic!("{what}: {other:?}"),
            }
        }
    }

    #[test]
    fn nuls_and_control_bytes_are_binary() {
        let mut b = b"Hello".to_vec();
        b.extend(vec![0u8; 100]);
        assert!(matches!(dec_err(&b), DecodeError::Binary(w) if w.contains("NUL")));
        // Random bytes have ~10% C0 controls.
        assert!(matches!(dec_err(&noise(7, 4096)), DecodeError::Binary(_)));
        // A mostly-NUL file whose first KiBs are text.
        let mut b = "text ".repeat(2000).into_bytes();
        b.extend(vec![0u8; 20_000]);
        assert!(matches!(dec_err(&b), DecodeError::Binary(w) if w.contains("mostly NUL")));
        // A stray NUL or form feed in a long text is fine.
        let mut b = FRENCH.repeat(5).into_bytes();
        b.extend(b"\0\x0c\x01 end");
        assert_eq!(dec(&b).encoding, "UTF-8");
    }

    fn dec_err(b: &[u8]) -> DecodeError {
        decode(b, &cfg(), None, None).expect_err("should be rejected")
    }

    #[test]
    fn empty_and_whitespace() {
        for b in [
            &b""[..],
            b"   \n\t\r\n",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB\xBF  \n",
            b"\xFF\xFE \0\n\0",
        ] {
            assert_eq!(dec_err(b), DecodeError::Empty, "{b:?}");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut tiny = cfg();
        tiny.detect_prefix_bytes = 0;
        tiny.prescan_bytes = 3;
        for seed in 1..400u64 {
            let len = (seed * 37 % 3000) as usize;
            let mut b = noise(seed, len);
            // Mix in structure: some pages get a BOM, a meta tag, or only high bytes.
            match seed % 5 {
                0 => b.splice(0..0, [0xFF, 0xFE]).for_each(drop),
                1 => b
                    .splice(0..0, b"<meta charset=utf-8>".iter().copied())
                    .for_each(drop),
                2 => b.iter_mut().for_each(|x| *x |= 0x80),
                3 => b.truncate(len % 7),
                _ => {}
            }
            for c in [&cfg(), &tiny] {
                for hint in [None, Some(ContentKind::Html), Some(ContentKind::Text)] {
                    if let Ok(d) = decode(&b, c, hint, Some("x")) {
                        assert!(!d.encoding.is_empty());
                    }
                }
            }
        }
    }

    // ---- HTML or text ----

    fn kind(text: &str, hint: Option<ContentKind>) -> ContentKind {
        decode(text.as_bytes(), &cfg(), hint, None).unwrap().kind
    }

    #[test]
    fn sniffing_html_versus_text() {
        use ContentKind::{Html, Text};
        let txt = Some(Text);
        let htm = Some(Html);
        // Content wins over a .txt name when clear.
        assert_eq!(
            kind("\n  <!DOCTYPE html>\n<title>x</title>hello", txt),
            Html
        );
        assert_eq!(kind("<html><body>Hello</body></html>", txt), Html);
        assert_eq!(kind("<div><p>One</p><p>Two</p><br></div>", txt), Html);
        // Stray '<' and a lone tag in a text dump are not enough.
        assert_eq!(
            kind(
                "Prices: a < b and 3<4, see <http://x.org> or <me@x.org>.",
                txt
            ),
            Text
        );
        assert_eq!(
            kind("Use the <b> tag for bold, or x<y and z>w in maths.", txt),
            Text
        );
        assert_eq!(kind("Prices: a < b and 3<4, if x<y then", None), Text);
        // An .html file without any tag is text; with tags it stays HTML.
        assert_eq!(
            kind("Just some words.\nAnd a second line, 1 < 2.", htm),
            Text
        );
        assert_eq!(kind("words <span class=x>tagged</span>", htm), Html);
        assert_eq!(kind("<!-- saved page -->words", htm), Html);
        // No hint: markup at the start with a known tag, or clear evidence.
        assert_eq!(kind("<p>Hello</p>", None), Html);
        assert_eq!(kind("Hello <p>world", None), Text);
        assert_eq!(
            kind("\n<!-- saved -->\n<html><body><p>x</p></body></html>", txt),
            Html
        );
        // Text first, markup later: a text dump (here of a page about HTML).
        assert_eq!(
            kind("Title\n\n<html><body><p>x</p></body></html>", None),
            Text
        );
        let mut dump =
            String::from("<table>: The Table element - HTML | MDN\n\nSkip to main content\n");
        dump.push_str(&"Menu entry\n".repeat(60));
        dump.push_str(
            &"<table> <thead> <tr> <th scope=\"col\">Person</th> </tr> </thead> </table>\n"
                .repeat(5),
        );
        assert_eq!(kind(&dump, txt), Text);
        let mut dump = String::from("Autonome Waffensysteme | 02.11.2021\n\nDirekt zum Inhalt\n");
        dump.push_str(
            &"<div class=\"form-item\"><input type=\"checkbox\"><label>x</label></div>\n".repeat(5),
        );
        assert_eq!(kind(&dump, txt), Text);
        // Tags inside a comment do not count; an unclosed comment does not loop.
        assert_eq!(
            kind(
                "hello <!-- <html><body><p>x</p></body></html> --> there",
                txt
            ),
            Text
        );
        assert_eq!(kind("hello <!-- <p>", txt), Text);
        // Case and XHTML.
        assert_eq!(
            kind(
                "<?xml version=\"1.0\"?>\n<HTML xmlns=\"x\"><HEAD></HEAD>",
                txt
            ),
            Html
        );
    }

    #[test]
    fn sniffing_window_is_char_boundary_safe() {
        let mut s = "é".repeat(SNIFF_BYTES); // 2 bytes each: the window ends mid-text
        s.push_str("<p>x</p>");
        assert_eq!(kind(&s, None), ContentKind::Text);
        let s = format!("a{}", "é".repeat(SNIFF_BYTES / 2));
        assert_eq!(kind(&s, Some(ContentKind::Html)), ContentKind::Text);
    }

    // ---- Config ----

    #[test]
    fn config_toml_decode_section_matches_defaults() {
        let shipped = crate::config::Rules::defaults().config.decode;
        let d = DecodeConfig::default();
        assert_eq!(shipped.detect_prefix_bytes, d.detect_prefix_bytes);
        assert_eq!(shipped.prescan_bytes, d.prescan_bytes);
        assert_eq!(shipped.max_error_rate, d.max_error_rate);
        let src = crate::config::DEFAULT_CONFIG;
        for key in ["detect_prefix_bytes", "prescan_bytes", "max_error_rate"] {
            assert!(
                src.contains(&format!("\n{key} = ")),
                "{key} missing from config.toml"
            );
        }
    }

    // ---- Fixtures ----

    #[test]
    fn fixture_windows_1252() {
        let d = dec(include_bytes!("../fixtures/charsets/windows-1252.html"));
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.replaced_chars, 0);
        assert_eq!(d.kind, ContentKind::Html);
        assert!(d
            .text
            .contains("Café prices rise as the “bean crisis” deepens"));
        assert!(d.text.contains("they’ve had no choice"));
        assert!(d.text.contains("now sells for €3.90"));
        assert!(d.text.contains("Hélène Martin"));
    }

    #[test]
    fn fixture_shift_jis() {
        let d = dec(include_bytes!("../fixtures/charsets/shift_jis.html"));
        assert_eq!(d.encoding, "Shift_JIS");
        assert_eq!(d.replaced_chars, 0);
        assert!(d.text.contains("市立図書館、来月から開館時間を延長"));
        assert!(d
            .text
            .contains("館長の田中さんは「働く世代にも気軽に本を手に取ってもらいたい。"));
    }

    #[test]
    fn fixture_utf16_bom() {
        let d = dec(include_bytes!("../fixtures/charsets/utf16-bom.html"));
        assert_eq!(d.encoding, "UTF-16LE");
        assert_eq!(d.replaced_chars, 0);
        assert!(d.text.starts_with("<!DOCTYPE html>"));
        assert!(d
            .text
            .contains("Händler in der Fußgängerzone äußerten Bedenken"));
        assert!(d.text.contains("«Ένα καλό παράδειγμα»"));
        assert!(d.text.contains("«гарний приклад»"));
    }

    #[test]
    fn fixture_no_charset_is_detected() {
        let d = dec(include_bytes!("../fixtures/charsets/no-charset.html"));
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.replaced_chars, 0);
        assert!(d.text.contains("Fête de la musique : un été en chansons"));
        assert!(d.text.contains("Über zweihundert Musikerinnen"));
        assert!(d.text.contains("Straßenbahn"));
    }
}
