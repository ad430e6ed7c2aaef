//! WARC input: stream the page records of a `.warc` / `.warc.gz` file in file order.
//!
//! A small streaming reader rather than a crate: it has to know where each record
//! starts (the record's `source` is `FILE#OFFSET`, stable between runs and usable to
//! read that one record again), bound the bytes it holds per record, and carry on after a
//! corrupt record, which the crates we looked at (`warc`, `rust_warc`) do not offer.
//!
//! Layouts: uncompressed, one gzip member per record (the usual one; `OFFSET` is the
//! member's offset in the file, as in CDX indexes) and whole-file gzip (several records
//! in one member; a record that does not start a member is `FILE#MEMBER+INNER`, `INNER`
//! counting decompressed bytes into the member).
//!
//! Only `response` records (HTTP) and `resource` records become pages; other record types
//! (`request`, `metadata`, `warcinfo`, `revisit`, ...) are passed over silently. A response
//! that is not a 2xx, or whose `Content-Type` is not HTML, is skipped and counted by reason.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::decode::ContentKind;
use crate::record::Record;

/// Longest WARC or HTTP header block accepted; a longer one means we are not reading headers.
const MAX_HEADER_BYTES: u64 = 64 * 1024;
/// Room for the HTTP headers on top of `max_page_bytes` when reading a response block.
const HTTP_HEADER_ALLOWANCE: u64 = 1 << 20;
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Whether a file name names a WARC file (`.warc`, `.warc.gz`, any case).
pub fn is_warc_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".warc") || lower.ends_with(".warc.gz")
}

/// One page record, read into memory and ready for the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `FILE#OFFSET` (or `FILE#MEMBER+INNER` inside a whole-file gzip).
    pub source: String,
    /// The HTTP payload, with transfer and content encodings undone.
    pub bytes: Vec<u8>,
    /// The `charset` of the HTTP `Content-Type`, if any.
    pub charset: Option<String>,
    /// `WARC-Target-URI`.
    pub url: Option<String>,
    /// `WARC-Date`, as written (ISO 8601).
    pub crawled_at: Option<String>,
    /// HTML when the `Content-Type` says so; `None` (the decoder sniffs) without one.
    pub kind_hint: Option<ContentKind>,
}

/// What one WARC record gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Page(Page),
    /// A record that could not be read (status `error` or `too_large`).
    Reject(Box<Record>),
    /// A record that is not a page to extract, with the reason (`not-html`, `http-status`, ...).
    Skip(&'static str),
}

/// Counts consumed bytes of a buffered reader, so record offsets are known.
struct Pos<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Read for Pos<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Pos<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

type FileReader = Pos<BufReader<File>>;
type MemberReader = Pos<BufReader<flate2::bufread::GzDecoder<FileReader>>>;

impl FileReader {
    fn open_at(mut file: File, offset: u64) -> io::Result<Self> {
        file.seek(SeekFrom::Start(offset))?;
        Ok(Pos {
            inner: BufReader::with_capacity(1 << 16, file),
            pos: offset,
        })
    }

    fn seek_to(&mut self, offset: u64) -> io::Result<()> {
        self.inner.seek(SeekFrom::Start(offset))?;
        self.pos = offset;
        Ok(())
    }

    /// Whether the next bytes are a gzip member header (without consuming them).
    fn at_gzip(&mut self) -> io::Result<bool> {
        Ok(self.fill_buf()?.starts_with(&GZIP_MAGIC[..2]))
    }
}

fn member_reader(file: FileReader) -> MemberReader {
    Pos {
        inner: BufReader::with_capacity(1 << 16, flate2::bufread::GzDecoder::new(file)),
        pos: 0,
    }
}

fn into_file(m: MemberReader) -> FileReader {
    m.inner.into_inner().into_inner()
}

/// Why a record could not be read.
#[derive(Debug)]
enum Fail {
    /// Not a well-formed record; the stream itself is still readable.
    Format(String),
    /// The stream ended inside the record.
    Truncated,
    /// The stream cannot be read further here (bad gzip data, I/O error).
    Broken(String),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::UnexpectedEof => Fail::Truncated,
            _ => Fail::Broken(e.to_string()),
        }
    }
}

impl Fail {
    fn message(&self) -> String {
        match self {
            Fail::Format(m) => format!("corrupt WARC record: {m}"),
            Fail::Truncated => "truncated WARC record".to_string(),
            Fail::Broken(m) => format!("unreadable WARC data: {m}"),
        }
    }
}

/// A record's WARC headers.
#[derive(Debug, Default)]
struct Head {
    warc_type: String,
    uri: Option<String>,
    date: Option<String>,
    content_type: Option<String>,
    length: u64,
}

/// Skip the blank lines between records; `false` at the end of the stream.
fn skip_blank(r: &mut impl BufRead) -> io::Result<bool> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let n = buf
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
            .count();
        if n == 0 {
            return Ok(true);
        }
        r.consume(n);
    }
}

/// Pass over bytes until a line that starts with `WARC/` (the next record's first line).
fn skip_to_header(r: &mut impl BufRead) -> io::Result<()> {
    let mut at_line_start = true;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if at_line_start && buf.starts_with(b"WARC/") {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                at_line_start = true;
            }
            None => {
                let n = buf.len();
                r.consume(n);
                at_line_start = false;
            }
        }
    }
}

/// Read one header line (without its line end), bounded by `budget`.
fn header_line(r: &mut impl BufRead, budget: &mut u64) -> Result<String, Fail> {
    let mut line = Vec::new();
    let n = r.by_ref().take(*budget).read_until(b'\n', &mut line)? as u64;
    if n == 0 {
        return Err(Fail::Truncated);
    }
    *budget = budget.saturating_sub(n);
    if line.last() != Some(&b'\n') {
        return Err(if *budget == 0 {
            Fail::Format("header block too long".into())
        } else {
            Fail::Truncated
        });
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Read a record's header block. `Ok(None)` at a clean end of the stream.
fn read_head(r: &mut impl BufRead) -> Result<Option<Head>, Fail> {
    if !skip_blank(r)? {
        return Ok(None);
    }
    let mut budget = MAX_HEADER_BYTES;
    let first = header_line(r, &mut budget)?;
    if !first.starts_with("WARC/") {
        return Err(Fail::Format("no WARC/ version line".into()));
    }
    let mut head = Head::default();
    let mut length = None;
    loop {
        let line = header_line(r, &mut budget)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            // Continuation lines (leading space) carry nothing we use.
            if line.starts_with([' ', '\t']) {
                continue;
            }
            return Err(Fail::Format(format!("bad header line {line:?}")));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "warc-type" => head.warc_type = value.to_ascii_lowercase(),
            "warc-target-uri" => {
                // WARC 1.0 examples wrap the URI in angle brackets.
                let v = value.trim_start_matches('<').trim_end_matches('>');
                head.uri = Some(v.to_string()).filter(|v| !v.is_empty());
            }
            "warc-date" => head.date = Some(value.to_string()).filter(|v| !v.is_empty()),
            "content-type" => head.content_type = Some(value.to_string()),
            "content-length" => {
                length = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| Fail::Format(format!("bad Content-Length {value:?}")))?,
                )
            }
            _ => {}
        }
    }
    head.length = length.ok_or_else(|| Fail::Format("no Content-Length".into()))?;
    Ok(Some(head))
}

/// Read `len` bytes of block, or pass over them (`None`) when they exceed `limit`.
fn read_block(r: &mut impl BufRead, len: u64, limit: u64) -> Result<Option<Vec<u8>>, Fail> {
    if len > limit {
        let n = io::copy(&mut r.by_ref().take(len), &mut io::sink())?;
        if n < len {
            return Err(Fail::Truncated);
        }
        return Ok(None);
    }
    let mut buf = Vec::with_capacity(len as usize);
    r.by_ref().take(len).read_to_end(&mut buf)?;
    if (buf.len() as u64) < len {
        return Err(Fail::Truncated);
    }
    Ok(Some(buf))
}

/// The media type and charset of a `Content-Type` value.
fn media_type(ct: &str) -> (String, Option<String>) {
    let mut parts = ct.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let v = v.trim().trim_matches(['"', '\'']).trim();
        (!v.is_empty()).then(|| v.to_string())
    });
    (mime, charset)
}

/// Whether a media type is a page to extract. No type at all lets the decoder sniff.
fn is_html_type(mime: &str) -> bool {
    mime.is_empty() || mime == "text/html" || mime == "application/xhtml+xml"
}

/// Undo `Transfer-Encoding: chunked`; `None` if the body is not well-formed chunks.
fn dechunk(body: &[u8], limit: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let eol = rest.iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&rest[..eol]).ok()?.trim();
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size || (out.len() + size) as u64 > limit {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size..];
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))?;
    }
}

/// Undo a gzip or deflate `Content-Encoding`, within `limit` bytes.
fn decompress(body: &[u8], encoding: &str, limit: u64) -> Result<Vec<u8>, (&'static str, String)> {
    let mut out = Vec::new();
    let res = match encoding {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(body)
            .take(limit + 1)
            .read_to_end(&mut out),
        // "deflate" is zlib-wrapped per the RFC, raw deflate in the wild.
        "deflate" => match flate2::read::ZlibDecoder::new(body)
            .take(limit + 1)
            .read_to_end(&mut out)
        {
            Ok(n) => Ok(n),
            Err(_) => {
                out.clear();
                flate2::read::DeflateDecoder::new(body)
                    .take(limit + 1)
                    .read_to_end(&mut out)
            }
        },
        other => {
            return Err((
                "error",
                format!("unsupported HTTP Content-Encoding {other:?}"),
            ))
        }
    };
    res.map_err(|e| ("error", format!("bad {encoding} Content-Encoding: {e}")))?;
    if out.len() as u64 > limit {
        return Err(("too_large", too_large_message(limit)));
    }
    Ok(out)
}

fn too_large_message(limit: u64) -> String {
    format!("record payload is larger than limits.max_page_bytes ({limit} bytes)")
}

/// Turn a `response` or `resource` block into an entry.
fn page_entry(head: &Head, source: String, block: Vec<u8>, max_bytes: u64) -> Entry {
    let reject = |status: &str, msg: String| {
        let mut r = Record::reject(&source, status, Some(msg));
        r.url = head.uri.clone();
        r.crawled_at = head.date.clone();
        Entry::Reject(Box::new(r))
    };
    let (payload, content_type) = if head.warc_type == "resource" {
        (block, head.content_type.clone())
    } else {
        if !block.starts_with(b"HTTP/") {
            return Entry::Skip("not-http");
        }
        let Some(end) = find_header_end(&block) else {
            return reject("error", "HTTP headers without an end".into());
        };
        let head_text = String::from_utf8_lossy(&block[..end.0]);
        let mut lines = head_text.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse::<u16>().ok());
        if !matches!(status, Some(200..=299)) {
            return Entry::Skip("http-status");
        }
        let mut content_type = None;
        let mut transfer = String::new();
        let mut encoding = String::new();
        for l in lines {
            if let Some((k, v)) = l.split_once(':') {
                let v = v.trim();
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-type" => content_type = Some(v.to_string()),
                    "transfer-encoding" => transfer = v.to_ascii_lowercase(),
                    "content-encoding" => encoding = v.to_ascii_lowercase(),
                    _ => {}
                }
            }
        }
        let (mime, _) = media_type(content_type.as_deref().unwrap_or(""));
        if !is_html_type(&mime) {
            return Entry::Skip("not-html");
        }
        let mut body = block[end.1..].to_vec();
        if transfer.contains("chunked") {
            // Archives often store the body already de-chunked under the original header.
            if let Some(b) = dechunk(&body, max_bytes) {
                body = b;
            }
        }
        if !encoding.is_empty() && encoding != "identity" {
            match decompress(&body, &encoding, max_bytes) {
                Ok(b) => body = b,
                Err((status, msg)) => return reject(status, msg),
            }
        }
        (body, content_type)
    };
    let (mime, charset) = media_type(content_type.as_deref().unwrap_or(""));
    if !is_html_type(&mime) {
        return Entry::Skip("not-html");
    }
    if payload.len() as u64 > max_bytes {
        return reject("too_large", too_large_message(max_bytes));
    }
    Entry::Page(Page {
        source,
        bytes: payload,
        charset,
        url: head.uri.clone(),
        crawled_at: head.date.clone(),
        kind_hint: (!mime.is_empty()).then_some(ContentKind::Html),
    })
}

/// (end of the header text, start of the body) of an HTTP message.
fn find_header_end(block: &[u8]) -> Option<(usize, usize)> {
    let scan = &block[..block.len().min(MAX_HEADER_BYTES as usize)];
    let crlf = scan.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = scan.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) if b < a => Some((b, b + 2)),
        (Some(a), _) => Some((a, a + 4)),
        (None, Some(b)) => Some((b, b + 2)),
        (None, None) => None,
    }
}

/// Read the block of the record whose head was just read, and make its entry.
/// `None` for record types that are not pages.
fn record_entry(
    r: &mut impl BufRead,
    head: &Head,
    source: String,
    max_bytes: u64,
) -> Result<Option<Entry>, Fail> {
    let page = matches!(head.warc_type.as_str(), "response" | "resource");
    if !page {
        read_block(r, head.length, 0)?;
        return Ok(None);
    }
    let allowance = if head.warc_type == "response" {
        HTTP_HEADER_ALLOWANCE
    } else {
        0
    };
    match read_block(r, head.length, max_bytes.saturating_add(allowance))? {
        Some(block) => Ok(Some(page_entry(head, source, block, max_bytes))),
        None => {
            let mut rec = Record::reject(&source, "too_large", Some(too_large_message(max_bytes)));
            rec.url = head.uri.clone();
            rec.crawled_at = head.date.clone();
            Ok(Some(Entry::Reject(Box::new(rec))))
        }
    }
}

fn source_of(name: &str, member: u64, inner: u64) -> String {
    if inner == 0 {
        format!("{name}#{member}")
    } else {
        format!("{name}#{member}+{inner}")
    }
}

fn reject_entry(source: &str, fail: &Fail) -> Entry {
    Entry::Reject(Box::new(Record::reject(
        source,
        "error",
        Some(fail.message()),
    )))
}

enum State {
    /// Gzip, between members.
    Between(FileReader),
    /// Gzip, inside the member that starts at `start`.
    /// (Boxed: the decoder state is large.)
    Member {
        r: Box<MemberReader>,
        start: u64,
    },
    Plain(FileReader),
    Done,
}

/// Reads the entries of one WARC file in order. Memory is bounded by one record.
pub struct Reader {
    name: String,
    max_bytes: u64,
    state: State,
    /// After a corrupt record: look for the next good one without reporting each failed try.
    resync: bool,
}

impl Reader {
    /// Open `path`; records are named `NAME#OFFSET`. Gzip is recognised by its magic bytes.
    pub fn open(path: &Path, name: &str, max_bytes: u64) -> io::Result<Reader> {
        let mut r = FileReader::open_at(File::open(path)?, 0)?;
        let state = if r.at_gzip()? {
            State::Between(r)
        } else {
            State::Plain(r)
        };
        Ok(Reader {
            name: name.to_string(),
            max_bytes,
            state,
            resync: false,
        })
    }

    /// Restart the gzip reading at the next gzip magic after `from` (the start of a bad member).
    fn resync_gzip(&mut self, mut f: FileReader, from: u64) -> State {
        self.resync = true;
        if f.seek_to(from + 1).is_err() {
            return State::Done;
        }
        // Find the magic across buffer refills, then seek back onto it.
        let mut matched = 0usize;
        loop {
            let buf = match f.fill_buf() {
                Ok(b) if !b.is_empty() => b,
                _ => return State::Done,
            };
            let mut found = None;
            for (i, &b) in buf.iter().enumerate() {
                if b == GZIP_MAGIC[matched] {
                    matched += 1;
                    if matched == GZIP_MAGIC.len() {
                        found = Some(i);
                        break;
                    }
                } else {
                    matched = usize::from(b == GZIP_MAGIC[0]);
                }
            }
            match found {
                Some(i) => {
                    let at = f.pos + i as u64 + 1 - GZIP_MAGIC.len() as u64;
                    return match f.seek_to(at) {
                        Ok(()) => State::Between(f),
                        Err(_) => State::Done,
                    };
                }
                None => {
                    let n = buf.len();
                    f.consume(n);
                }
            }
        }
    }
}

impl Iterator for Reader {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return None,
                State::Between(mut f) => match f.fill_buf() {
                    Ok([]) => return None,
                    Ok(_) => {
                        let start = f.pos;
                        self.state = State::Member {
                            r: Box::new(member_reader(f)),
                            start,
                        };
                    }
                    Err(e) => {
                        return Some(reject_entry(
                            &source_of(&self.name, f.pos, 0),
                            &Fail::from(e),
                        ))
                    }
                },
                State::Member { mut r, start } => {
                    // The offset of the record itself, past blank lines.
                    let inner = match skip_blank(&mut r) {
                        Ok(_) => r.pos,
                        Err(e) => {
                            // Bad data between records: only a member that gave no record
                            // yet is worth a reject (a record already read was whole).
                            let first = r.pos == 0;
                            let was_resync = self.resync;
                            self.state = self.resync_gzip(into_file(*r), start);
                            if first && !was_resync {
                                return Some(reject_entry(
                                    &source_of(&self.name, start, 0),
                                    &Fail::from(e),
                                ));
                            }
                            continue;
                        }
                    };
                    let source = source_of(&self.name, start, inner);
                    let got = read_head(&mut r).and_then(|h| match h {
                        None => Ok(None),
                        Some(h) => record_entry(&mut r, &h, source.clone(), self.max_bytes)
                            .map(|e| Some((h, e))),
                    });
                    match got {
                        Ok(None) => self.state = State::Between(into_file(*r)),
                        Ok(Some((_, entry))) => {
                            self.resync = false;
                            self.state = State::Member { r, start };
                            if let Some(e) = entry {
                                return Some(e);
                            }
                        }
                        Err(Fail::Format(m)) => {
                            // The gzip stream is fine: look for the next header in it.
                            let was_resync = std::mem::replace(&mut self.resync, true);
                            match skip_to_header(&mut r) {
                                Ok(()) => self.state = State::Member { r, start },
                                Err(_) => {
                                    self.state = self.resync_gzip(into_file(*r), start);
                                }
                            }
                            if !was_resync {
                                return Some(reject_entry(&source, &Fail::Format(m)));
                            }
                        }
                        Err(fail) => {
                            let was_resync = self.resync;
                            self.state = self.resync_gzip(into_file(*r), start);
                            if !was_resync {
                                return Some(reject_entry(&source, &fail));
                            }
                        }
                    }
                }
                State::Plain(mut f) => {
                    let at = match skip_blank(&mut f) {
                        Ok(_) => f.pos,
                        Err(_) => f.pos,
                    };
                    let source = source_of(&self.name, at, 0);
                    let got = read_head(&mut f).and_then(|h| match h {
                        None => Ok(None),
                        Some(h) => {
                            record_entry(&mut f, &h, source.clone(), self.max_bytes).map(Some)
                        }
                    });
                    match got {
                        Ok(None) => return None,
                        Ok(Some(entry)) => {
                            self.resync = false;
                            self.state = State::Plain(f);
                            if let Some(e) = entry {
                                return Some(e);
                            }
                        }
                        Err(Fail::Format(m)) => {
                            let was_resync = std::mem::replace(&mut self.resync, true);
                            if skip_to_header(&mut f).is_ok() {
                                self.state = State::Plain(f);
                            }
                            if !was_resync {
                                return Some(reject_entry(&source, &Fail::Format(m)));
                            }
                        }
                        Err(fail) => return Some(reject_entry(&source, &fail)),
                    }
                }
            }
        }
    }
}

/// A record address: `PATH#OFFSET` or `PATH#MEMBER+INNER` where PATH names a WARC file
/// (a `file://` prefix is allowed). `None` for anything else.
pub fn parse_address(s: &str) -> Option<(&str, u64, u64)> {
    let s = s.strip_prefix("file://").unwrap_or(s);
    let (path, frag) = s.rsplit_once('#')?;
    if !is_warc_name(path) {
        return None;
    }
    let (member, inner) = match frag.split_once('+') {
        Some((m, i)) => (m.parse().ok()?, i.parse().ok()?),
        None => (frag.parse().ok()?, 0),
    };
    Some((path, member, inner))
}

/// Read the one record at `member`/`inner` of `path` (see [`parse_address`]); its
/// `source` is `NAME#...`, the same as when the whole file is read. A record that is not a
/// page gives [`Entry::Skip`] (`not-response` for other record types).
pub fn read_at(path: &Path, name: &str, member: u64, inner: u64, max_bytes: u64) -> Entry {
    let source = source_of(name, member, inner);
    let run = || -> Result<Entry, Fail> {
        let mut f = FileReader::open_at(File::open(path)?, member)?;
        let gz = f.at_gzip()?;
        let go = |r: &mut dyn BufRead| -> Result<Entry, Fail> {
            let n = io::copy(&mut r.take(inner), &mut io::sink())?;
            if n < inner {
                return Err(Fail::Truncated);
            }
            let mut r = BufReader::new(r);
            match read_head(&mut r)? {
                None => Err(Fail::Truncated),
                Some(h) => Ok(record_entry(&mut r, &h, source.clone(), max_bytes)?
                    .unwrap_or(Entry::Skip("not-response"))),
            }
        };
        if gz {
            go(&mut member_reader(f))
        } else {
            go(&mut f)
        }
    };
    run().unwrap_or_else(|fail| reject_entry(&source, &fail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn record(uri: &str, http: &str) -> Vec<u8> {
        let mut v = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2020-05-06T07:08:09Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        v.extend_from_slice(http.as_bytes());
        v.extend_from_slice(b"\r\n\r\n");
        v
    }

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    fn entries(bytes: &[u8]) -> Vec<Entry> {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.warc.gz");
        std::fs::write(&p, bytes).unwrap();
        Reader::open(&p, "t.warc.gz", 1 << 20).unwrap().collect()
    }

    const OK: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\n\r\n<p>caf\u{e9}</p>";

    #[test]
    fn per_record_gzip_offsets_and_headers() {
        let a = gz(&record("http://a.example/", OK));
        let b = gz(&record(
            "http://b.example/x.png",
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG",
        ));
        let c = gz(&record(
            "http://c.example/",
            "HTTP/1.1 404 Not Found\r\n\r\nno",
        ));
        let d = gz(&record("http://d.example/", OK));
        let all = [a.clone(), b.clone(), c.clone(), d].concat();
        let got = entries(&all);
        assert_eq!(got.len(), 4);
        let Entry::Page(p) = &got[0] else { panic!() };
        assert_eq!(p.source, "t.warc.gz#0");
        assert_eq!(p.url.as_deref(), Some("http://a.example/"));
        assert_eq!(p.charset.as_deref(), Some("ISO-8859-1"));
        assert_eq!(p.crawled_at.as_deref(), Some("2020-05-06T07:08:09Z"));
        assert_eq!(p.bytes, "<p>caf\u{e9}</p>".as_bytes());
        assert_eq!(got[1], Entry::Skip("not-html"));
        assert_eq!(got[2], Entry::Skip("http-status"));
        let Entry::Page(p) = &got[3] else { panic!() };
        let off = (a.len() + b.len() + c.len()) as u64;
        assert_eq!(p.source, format!("t.warc.gz#{off}"));
    }

    #[test]
    fn whole_file_gzip_and_plain_give_the_same_pages() {
        let raw = [
            record("http://a.example/", OK),
            record("http://b.example/", OK),
        ]
        .concat();
        let whole = entries(&gz(&raw));
        let plain = entries(&raw);
        let sources = |v: &[Entry]| -> Vec<String> {
            v.iter()
                .map(|e| match e {
                    Entry::Page(p) => p.source.clone(),
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        let second = record("http://a.example/", OK).len();
        assert_eq!(
            sources(&whole),
            vec!["t.warc.gz#0".to_string(), format!("t.warc.gz#0+{second}")]
        );
        assert_eq!(
            sources(&plain),
            vec!["t.warc.gz#0".to_string(), format!("t.warc.gz#{second}")]
        );
    }

    #[test]
    fn corrupt_member_is_rejected_and_the_rest_read() {
        let a = gz(&record("http://a.example/", OK));
        let mut b = gz(&record("http://b.example/", OK));
        let mid = b.len() / 2;
        for x in &mut b[mid..mid + 4] {
            *x ^= 0x5a;
        }
        let c = gz(&record("http://c.example/", OK));
        let bad_header = gz(b"WARC/1.0\r\nWARC-Type: response\r\n\r\nxx");
        let d = gz(&record("http://d.example/", OK));
        let got = entries(&[a, b, c, bad_header, d].concat());
        let kinds: Vec<&str> = got
            .iter()
            .map(|e| match e {
                Entry::Page(_) => "page",
                Entry::Reject(_) => "reject",
                Entry::Skip(_) => "skip",
            })
            .collect();
        assert_eq!(kinds, ["page", "reject", "page", "reject", "page"]);
        let Entry::Reject(r) = &got[3] else { panic!() };
        assert!(r.error.as_deref().unwrap().contains("Content-Length"));
    }

    #[test]
    fn truncated_file_rejects_the_last_record() {
        let all = [
            gz(&record("http://a.example/", OK)),
            gz(&record("http://b.example/", OK)),
        ]
        .concat();
        let second = gz(&record("http://b.example/", OK)).len();
        let got = entries(&all[..all.len() - second / 2]);
        assert!(matches!(got[0], Entry::Page(_)));
        assert_eq!(got.len(), 2);
        let Entry::Reject(r) = &got[1] else { panic!() };
        assert_eq!(r.status, "error");
    }

    #[test]
    fn records_are_read_again_by_address() {
        let a = gz(&record("http://a.example/", OK));
        let all = [a.clone(), gz(&record("http://b.example/", OK))].concat();
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.warc.gz");
        std::fs::write(&p, &all).unwrap();
        let addr = format!("{}#{}", p.display(), a.len());
        let (path, m, i) = parse_address(&addr).unwrap();
        let Entry::Page(pg) = read_at(Path::new(path), "t.warc.gz", m, i, 1 << 20) else {
            panic!()
        };
        assert_eq!(pg.url.as_deref(), Some("http://b.example/"));
        assert_eq!(pg.source, format!("t.warc.gz#{}", a.len()));
        assert!(parse_address("x.html#3").is_none());
    }

    #[test]
    fn chunked_and_gzip_bodies_are_decoded_and_limits_hold() {
        let body = gz(b"<p>zipped</p>");
        let mut http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        http.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        http.extend_from_slice(&body);
        http.extend_from_slice(b"\r\n0\r\n\r\n");
        let mut rec = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        rec.extend_from_slice(&http);
        let got = entries(&gz(&rec));
        let Entry::Page(p) = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(p.bytes, b"<p>zipped</p>");
        let big = record(
            "http://a.example/",
            &format!("HTTP/1.1 200 OK\r\n\r\n{}", "x".repeat(5000)),
        );
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("t.warc");
        std::fs::write(&path, &big).unwrap();
        let got: Vec<Entry> = Reader::open(&path, "t.warc", 1000).unwrap().collect();
        let Entry::Reject(r) = &got[0] else { panic!() };
        assert_eq!(r.status, "too_large");
    }
}
