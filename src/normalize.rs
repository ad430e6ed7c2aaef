//! Normalisation: Unicode NFC, invisible characters, spaces and paragraph breaks,
//! applied to the kept blocks to make the record's `text`.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::block::{Block, BlockKind};
use crate::config::NormalizeConfig;

/// Zero-width and other invisible format characters that carry no text.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    ) || (c.is_control() && c != '\n' && c != '\t')
}

/// The chars of `text` with each run of ASCII chars squeezed to one `a`. The NFC quick
/// check resets its state on every ASCII char and reads nothing else from it, so it gives
/// the same answer on this without decoding the ASCII text.
fn squeeze_ascii(text: &str) -> impl Iterator<Item = char> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        if b.is_ascii() {
            while bytes.get(i).is_some_and(u8::is_ascii) {
                i += 1;
            }
            return Some('a');
        }
        let c = text[i..].chars().next()?;
        i += c.len_utf8();
        Some(c)
    })
}

/// `text.chars().any(is_invisible)`, decoding only chars whose lead byte an invisible
/// char can have (ASCII controls, U+0080-U+00AD, U+180E, U+200B-U+2060, U+FEFF).
fn has_invisible_char(text: &str) -> bool {
    let bytes = text.as_bytes();
    // A branch-free pass first (it vectorises): nearly every block has no such byte.
    let maybe = bytes.iter().fold(false, |acc, &b| {
        acc | ((b < 0x20) & (b != b'\n') & (b != b'\t'))
            | (b == 0x7f)
            | (b == 0xC2)
            | (b == 0xE1)
            | (b == 0xE2)
            | (b == 0xEF)
    });
    maybe
        && bytes.iter().enumerate().any(|(i, &b)| match b {
            0xC2 | 0xE1 | 0xE2 | 0xEF => text[i..].chars().next().is_some_and(is_invisible),
            _ => b.is_ascii() && is_invisible(char::from(b)),
        })
}

/// Whether collapsing spaces leaves `line` (no `\n` in it) as it is: no space but
/// single ASCII spaces. Checked branch-free (it vectorises), since nearly every line
/// passes; a line with a byte that may start another space (a control, or the lead
/// byte of U+0085, U+00A0, U+1680, U+2000-U+205F, U+3000) takes the exact path.
fn plain_spaces(line: &str) -> bool {
    let b = line.as_bytes();
    let odd = b.iter().fold(false, |acc, &b| {
        acc | (b < b' ') | (b == 0xC2) | (b == 0xE1) | (b == 0xE2) | (b == 0xE3)
    });
    !odd && !crate::block::has_double_space(b)
}

/// Normalise one block's text (code blocks keep their inner whitespace).
pub fn block_text(text: &str, kind: BlockKind, cfg: &NormalizeConfig) -> String {
    // ASCII text is NFC, and its only invisible characters are controls: both checks
    // skip the per-char work for it.
    let ascii = text.is_ascii();
    // Borrowed until a step changes it: most blocks are copied once, into the output.
    let mut s: Cow<str> =
        if cfg.nfc && !ascii && is_nfc_quick(squeeze_ascii(text)) != IsNormalized::Yes {
            Cow::Owned(text.nfc().collect())
        } else {
            Cow::Borrowed(text)
        };
    let has_invisible = || has_invisible_char(&s);
    if cfg.strip_invisible && has_invisible() {
        s = Cow::Owned(
            s.chars()
                .filter(|c| !is_invisible(*c))
                .map(|c| if c == '\r' { '\n' } else { c })
                .collect(),
        );
    }
    if kind == BlockKind::Code {
        return if cfg.trim {
            s.trim_matches('\n').trim_end().to_string()
        } else {
            s.into_owned()
        };
    }
    if cfg.collapse_spaces || cfg.trim {
        let mut out = String::with_capacity(s.len());
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let line = if cfg.trim { line.trim() } else { line };
            if cfg.collapse_spaces && plain_spaces(line) {
                out.push_str(line);
            } else if cfg.collapse_spaces {
                // Each run of spaces becomes one ' '; the text between runs is copied
                // in one piece. NBSP and other Unicode spaces count as spaces.
                let mut prev_space = false;
                let mut from = 0;
                let bytes = line.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    // ASCII bytes without decoding a char; in ASCII, `char::is_whitespace`
                    // is tab, line feed, vertical tab, form feed, carriage return, space.
                    let b = bytes[i];
                    let (space, len) = if b.is_ascii() {
                        (matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '), 1)
                    } else if matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3) {
                        // The lead bytes of every non-ASCII space (U+0085, U+00A0,
                        // U+1680, U+2000-U+205F, U+3000).
                        let c = line[i..].chars().next().unwrap_or('x');
                        (c.is_whitespace(), c.len_utf8())
                    } else {
                        // Any other byte of a non-space char: step over it byte by byte.
                        (false, 1)
                    };
                    if space {
                        // A lone ASCII space stays in the piece being copied; any other
                        // space, or one after it, ends the piece.
                        if prev_space {
                            out.push_str(&line[from..i]);
                            from = i + len;
                        } else if b != b' ' {
                            out.push_str(&line[from..i]);
                            out.push(' ');
                            from = i + len;
                        }
                        prev_space = true;
                    } else {
                        prev_space = false;
                    }
                    i += len;
                }
                out.push_str(&line[from..]);
            } else {
                out.push_str(line);
            }
        }
        if cfg.trim {
            // Drop empty lines inside a block: a blank line would split the paragraph.
            if out.contains("\n\n") || out.starts_with('\n') || out.ends_with('\n') {
                return out
                    .split('\n')
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
        return out;
    }
    s.into_owned()
}

/// Join the kept blocks into the record text: one blank line between paragraphs.
pub fn join(blocks: &[Block], cfg: &NormalizeConfig) -> String {
    let sep = if cfg.paragraph_breaks { "\n\n" } else { "\n" };
    let mut out = String::new();
    for b in blocks.iter().filter(|b| b.is_kept()) {
        let t = block_text(&b.text, b.kind, cfg);
        if t.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(&t);
    }
    if cfg.trim {
        let t = out.trim();
        if t.len() != out.len() {
            out = t.to_string();
        }
    }
    out
}

/// How [`markdown`] writes the text.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions<'a> {
    /// Links become `[text](href)`; otherwise their text alone.
    pub keep_links: bool,
    /// The page URL, against which relative links are resolved.
    pub base_url: Option<&'a str>,
    /// The blocks come from a text page: only evident structure (bullet and numbered
    /// lines, detected headings) becomes Markdown.
    pub from_text: bool,
}

/// Write the kept blocks as Markdown: `#` headings, `-` / `1.` lists (nested by
/// indentation), `>` quotes, fenced code (whitespace kept) and pipe tables. The words
/// are those of [`join`]; only markup is added, and text that would read as markup is
/// escaped with a backslash.
pub fn markdown(blocks: &[Block], cfg: &NormalizeConfig, opts: &MarkdownOptions) -> String {
    let kept: Vec<&Block> = blocks.iter().filter(|b| b.is_kept()).collect();
    let mut out = String::new();
    // Content column of each open list level: where an item's text (and a nested item's
    // marker) starts, relative to its parent's.
    let mut widths: Vec<usize> = Vec::new();
    // What the previous piece was: (in a list, quote depth).
    let mut prev: Option<(bool, usize)> = None;
    let mut i = 0;
    while i < kept.len() {
        let b = kept[i];
        let quote = usize::from(b.shape.quote_depth).max(usize::from(b.kind == BlockKind::Quote));
        let depth = usize::from(b.shape.list_depth);
        let mut item = b.shape.item;
        if b.kind == BlockKind::ListItem && depth == 0 && !opts.from_text {
            // `dt`/`dd`, or an item outside any list.
            item = Some(0);
        }
        let in_list = depth > 0 || item.is_some();
        let piece = if b.kind == BlockKind::TableRow && !opts.from_text {
            let table = b.shape.table;
            let mut rows = Vec::new();
            while i < kept.len()
                && kept[i].kind == BlockKind::TableRow
                && kept[i].shape.table == table
            {
                let row: Vec<String> = kept[i]
                    .text
                    .split('\t')
                    .map(|c| {
                        block_text(c, BlockKind::Paragraph, cfg)
                            .replace('\n', " ")
                            .replace('|', "\\|")
                    })
                    .collect();
                if row.iter().any(|c| !c.trim().is_empty()) {
                    rows.push(row);
                }
                i += 1;
            }
            i -= 1;
            pipe_table(&rows)
        } else {
            let mut t = block_text(&b.text, b.kind, cfg);
            if b.kind != BlockKind::Code && opts.keep_links && !b.shape.links.is_empty() {
                t = with_links(&t, &b.shape.links, opts.base_url);
            }
            match b.kind {
                _ if t.trim().is_empty() => String::new(),
                BlockKind::Heading(n) => {
                    let level = usize::from(n.clamp(1, 6));
                    format!("{} {}", "#".repeat(level), t.replace('\n', " "))
                }
                BlockKind::Code => fenced(&t, b.shape.lang.as_deref()),
                _ if opts.from_text => text_lines(&t),
                _ => t
                    .split('\n')
                    .map(escape_line)
                    .collect::<Vec<_>>()
                    .join("\n"),
            }
        };
        i += 1;
        if piece.is_empty() {
            continue;
        }
        // List indentation: an item gets its marker, anything else in an item is
        // indented to the item's content column.
        let (first_prefix, rest_prefix) = if in_list {
            let level = depth.max(1);
            widths.resize(widths.len().max(level - 1), 2);
            match item {
                Some(n) => {
                    widths.truncate(level - 1);
                    let indent = " ".repeat(widths.iter().sum());
                    let marker = if n > 0 { format!("{n}.") } else { "-".into() };
                    widths.push(marker.len() + 1);
                    (
                        format!("{indent}{marker} "),
                        " ".repeat(widths.iter().sum()),
                    )
                }
                None => {
                    widths.resize(level, 2);
                    widths.truncate(level);
                    let indent = " ".repeat(widths.iter().sum());
                    (indent.clone(), indent)
                }
            }
        } else {
            widths.clear();
            (String::new(), String::new())
        };
        let q = "> ".repeat(quote);
        let mut body = String::with_capacity(piece.len() + 16);
        for (n, line) in piece.split('\n').enumerate() {
            if n > 0 {
                body.push('\n');
            }
            let indent = if n == 0 { &first_prefix } else { &rest_prefix };
            let line = format!("{q}{indent}{line}");
            body.push_str(if line.trim().is_empty() {
                line.trim_end()
            } else {
                &line
            });
        }
        if let Some((prev_list, prev_quote)) = prev {
            if in_list && prev_list && item.is_some() && quote == prev_quote {
                out.push('\n');
            } else if quote > 0 && prev_quote > 0 {
                out.push('\n');
                out.push_str(&">".repeat(quote.min(prev_quote)));
                out.push('\n');
            } else {
                out.push_str("\n\n");
            }
        }
        out.push_str(&body);
        prev = Some((in_list, quote));
    }
    out
}

/// A pipe table; the first row is the header (Markdown has no table without one).
/// A one-column table (a layout table around text) becomes plain paragraphs.
fn pipe_table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    if cols <= 1 {
        return rows
            .iter()
            .flat_map(|r| r.first())
            .map(|c| escape_line(c.trim()).into_owned())
            .collect::<Vec<_>>()
            .join("\n\n");
    }
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push('|');
        for c in 0..cols {
            let cell = row.get(c).map_or("", |s| s.trim());
            out.push(' ');
            out.push_str(cell);
            out.push_str(if cell.is_empty() { "|" } else { " |" });
        }
        if n == 0 {
            out.push('\n');
            out.push('|');
            out.push_str(&" --- |".repeat(cols));
        }
    }
    out
}

/// A fenced code block, the fence longer than any backtick run inside the code.
fn fenced(code: &str, lang: Option<&str>) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{}\n{code}\n{fence}", lang.unwrap_or(""))
}

/// Wrap each link's anchor text, found in order, as `[text](href)`.
fn with_links(text: &str, links: &[(String, String)], base: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len() + links.len() * 24);
    let mut rest = text;
    for (anchor, href) in links {
        let Some(at) = rest.find(anchor.as_str()) else {
            continue;
        };
        out.push_str(&rest[..at]);
        let href = resolve(base, href);
        let href = if href.contains([' ', '(', ')', '<', '>']) {
            format!("<{}>", href.replace(['<', '>'], ""))
        } else {
            href
        };
        out.push('[');
        out.push_str(&anchor.replace('[', "\\[").replace(']', "\\]"));
        out.push_str("](");
        out.push_str(&href);
        out.push(')');
        rest = &rest[at + anchor.len()..];
    }
    out.push_str(rest);
    out
}

/// `href` made absolute against the page URL (when there is one and `href` is relative).
fn resolve(base: Option<&str>, href: &str) -> String {
    let Some((scheme, rest)) = base.and_then(|b| b.split_once("://")) else {
        return href.to_string();
    };
    if href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:") {
        return href.to_string();
    }
    if let Some(h) = href.strip_prefix("//") {
        return format!("{scheme}://{h}");
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = &base.unwrap_or_default()[..scheme.len() + 3 + end];
    if href.starts_with('/') {
        return format!("{origin}{href}");
    }
    // A relative path: the base's folder (its path up to the last `/`).
    let path = rest[end..].split(['?', '#']).next().unwrap_or("");
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    if href.starts_with('?') {
        return format!("{origin}{path}{href}");
    }
    format!("{origin}{dir}{}", href.strip_prefix("./").unwrap_or(href))
}

/// A text page's paragraph: bullet lines (`-`, `*`, `•`, `·`, `–`) become `- ` items,
/// numbered lines (`1.`, `1)`) `1. ` items; a list after running text gets a blank line.
fn text_lines(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 8);
    let mut prev_item: Option<bool> = None;
    for line in t.split('\n') {
        let item = list_line(line);
        if let Some(was_item) = prev_item {
            out.push('\n');
            if item.is_some() && !was_item {
                out.push('\n');
            }
        }
        match &item {
            Some(s) => out.push_str(s),
            None => out.push_str(&escape_line(line)),
        }
        prev_item = Some(item.is_some());
    }
    out
}

/// A bullet or numbered line of a text page, as a Markdown item.
fn list_line(line: &str) -> Option<String> {
    let mut chars = line.chars();
    let first = chars.next()?;
    if matches!(first, '-' | '*' | '•' | '·' | '–') {
        let rest = chars.as_str();
        let body = rest.strip_prefix([' ', '\t'])?.trim_start();
        return (!body.is_empty()).then(|| format!("- {body}"));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        let body = rest
            .strip_prefix(['.', ')'])?
            .strip_prefix([' ', '\t'])?
            .trim_start();
        return (!body.is_empty()).then(|| format!("{}. {body}", &line[..digits]));
    }
    None
}

/// Escape what would make a line of text read as other Markdown block markup: `#`
/// headings, `>` quotes, fences, and rules (which would also turn the line above into
/// a heading). A line the page itself starts with `1.` or `- ` is left alone: it
/// renders as the numbered or bulleted line the author wrote.
fn escape_line(line: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let b = line.as_bytes();
    let Some(&first) = b.first() else {
        return Cow::Borrowed(line);
    };
    let hashes = b.iter().take_while(|c| **c == b'#').count();
    let heading = (1..=6).contains(&hashes) && b.get(hashes).is_none_or(|c| *c == b' ');
    let rule = b.len() >= 3
        && matches!(first, b'-' | b'*' | b'_' | b'=')
        && b.iter().all(|c| *c == first || *c == b' ');
    if heading || first == b'>' || rule || line.starts_with("```") || line.starts_with("~~~") {
        Cow::Owned(format!("\\{line}"))
    } else {
        Cow::Borrowed(line)
    }
}

/// Words in the text, counted as runs of alphanumeric characters (CJK characters count one each).
pub fn word_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        // A run of ASCII bytes is counted without decoding chars and without a branch
        // per byte (it vectorises): a word starts where an alphanumeric byte follows
        // one that is not.
        let run = bytes[i..]
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(bytes.len() - i);
        if run > 0 {
            let r = &bytes[i..i + run];
            n += usize::from(ascii_alnum(r[0]) && !in_word) + ascii_word_starts(r);
            in_word = ascii_alnum(r[run - 1]);
            i += run;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if is_cjk(c) {
            n += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                n += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    n
}

/// `b.is_ascii_alphanumeric()`, as arithmetic (no branches, so loops over it vectorise).
fn ascii_alnum(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26)
}

/// Positions after the first of an ASCII run where an alphanumeric byte follows a
/// non-alphanumeric one. Counted in chunks of 255 pairs, so the sums fit a `u8` lane.
fn ascii_word_starts(run: &[u8]) -> usize {
    let mut n = 0;
    for (cur, prev) in run[1..].chunks(255).zip(run.chunks(255)) {
        let starts = cur
            .iter()
            .zip(prev)
            .map(|(&c, &p)| u8::from(ascii_alnum(c) & !ascii_alnum(p)))
            .sum::<u8>();
        n += usize::from(starts);
    }
    n
}

fn is_cjk(c: char) -> bool {
    (c as u32) >= 0x3040
        && matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> NormalizeConfig {
        NormalizeConfig::default()
    }

    #[test]
    fn nfc_and_invisible_characters() {
        let t = block_text("Cafe\u{301}\u{200B} ok", BlockKind::Paragraph, &cfg());
        assert_eq!(t, "Café ok");
    }

    #[test]
    fn spaces_collapse_and_paragraphs_get_one_blank_line() {
        let blocks = vec![
            Block::para("  a \u{a0}  b  "),
            Block::para("   "),
            Block::para("c\n\n\nd"),
        ];
        assert_eq!(join(&blocks, &cfg()), "a b\n\nc\nd");
    }

    #[test]
    fn byte_scans_agree_with_the_char_definitions() {
        for t in [
            "plain ascii",
            "tab\there\x07bell\x7fdel",
            "caf\u{e9} \u{85}nel \u{9f}c1 \u{ad}shy \u{180e}mvs \u{200b}\u{200d}\u{2060}\u{feff}",
            "\u{2019}quotes\u{201d} \u{2014} \u{e9}\u{301} \u{1e9b}\u{323} \u{2000} \u{3000} \u{ac00}",
            "e\u{301}\u{300}a\u{300}\u{301}",
        ] {
            assert_eq!(has_invisible_char(t), t.chars().any(is_invisible), "{t:?}");
            assert_eq!(
                is_nfc_quick(squeeze_ascii(t)),
                is_nfc_quick(t.chars()),
                "{t:?}"
            );
        }
    }

    #[test]
    fn every_space_character_collapses_ascii_or_not() {
        // Vertical tab, form feed and CR are spaces too; with strip_invisible off they
        // reach the collapse step.
        let keep = NormalizeConfig {
            strip_invisible: false,
            ..cfg()
        };
        let t = block_text(
            "a\t\x0B\x0C\r b\u{2003}\u{a0}c \u{3000}\u{85}é",
            BlockKind::Paragraph,
            &keep,
        );
        assert_eq!(t, "a b c é");
    }

    #[test]
    fn each_step_can_be_switched_off() {
        let off = NormalizeConfig {
            nfc: false,
            strip_invisible: false,
            collapse_spaces: false,
            paragraph_breaks: false,
            trim: false,
        };
        assert_eq!(
            block_text(" a  b\u{200B} ", BlockKind::Paragraph, &off),
            " a  b\u{200B} "
        );
        assert_eq!(join(&[Block::para("a"), Block::para("b")], &off), "a\nb");
    }

    #[test]
    fn code_keeps_its_indentation() {
        let t = block_text("fn x() {\n    1\n}\n", BlockKind::Code, &cfg());
        assert_eq!(t, "fn x() {\n    1\n}");
    }

    fn md(blocks: &[Block]) -> String {
        markdown(blocks, &cfg(), &MarkdownOptions::default())
    }

    #[test]
    fn markdown_escapes_text_that_would_read_as_markup() {
        let blocks = [
            Block::para("# not a heading"),
            Block::para("> not a quote\n---"),
            Block::para("1. a numbered line stays as written"),
        ];
        assert_eq!(
            md(&blocks),
            "\\# not a heading\n\n\\> not a quote\n\\---\n\n1. a numbered line stays as written"
        );
    }

    #[test]
    fn ragged_tables_are_padded_and_one_column_tables_are_paragraphs() {
        let row = |t: &str, table| {
            let mut b = Block::new(t, BlockKind::TableRow);
            b.shape.table = table;
            b
        };
        let blocks = [row("a\tb|c", 1), row("1", 1), row("Layout text", 2)];
        assert_eq!(
            md(&blocks),
            "| a | b\\|c |\n| --- | --- |\n| 1 | |\n\nLayout text"
        );
    }

    #[test]
    fn code_fences_outgrow_the_backticks_inside() {
        let mut b = Block::new("let s = \"```\";\n  x", BlockKind::Code);
        b.shape.lang = Some("rust".into());
        assert_eq!(md(&[b]), "````rust\nlet s = \"```\";\n  x\n````");
    }

    #[test]
    fn kept_links_wrap_their_anchor_text_in_order() {
        let mut b = Block::para("See the docs and the docs index.");
        b.shape.links = vec![
            ("the docs index".into(), "/docs/".into()),
            ("missing".into(), "/gone".into()),
        ];
        let opts = MarkdownOptions {
            keep_links: true,
            ..Default::default()
        };
        assert_eq!(
            markdown(&[b], &cfg(), &opts),
            "See the docs and [the docs index](/docs/)."
        );
    }

    #[test]
    fn relative_links_resolve_against_the_page_url() {
        let base = Some("https://example.com/guides/coffee.html?x=1");
        assert_eq!(resolve(base, "/gear"), "https://example.com/gear");
        assert_eq!(
            resolve(base, "kettles.html"),
            "https://example.com/guides/kettles.html"
        );
        assert_eq!(
            resolve(base, "//cdn.example.net/a"),
            "https://cdn.example.net/a"
        );
        assert_eq!(resolve(base, "https://other.org/"), "https://other.org/");
        assert_eq!(
            resolve(Some("https://example.com"), "a"),
            "https://example.com/a"
        );
        assert_eq!(resolve(None, "/gear"), "/gear");
    }

    #[test]
    fn words_are_counted_across_scripts() {
        assert_eq!(word_count("Hello, world! 2024"), 3);
        // Runs of ASCII between other chars, long runs (past one 255-byte chunk), and
        // the bytes next to the letter ranges ('@', '[', '`', '{', '/', ':').
        let long = "word ".repeat(300);
        for (t, words) in [
            ("Caf\u{e9} au lait, na\u{ef}ve", 4),
            ("\u{e9}t\u{e9} x\u{e9}y", 2),
            ("@[`{/:AZaz09", 1),
            ("a\u{2019}s \u{2014}b\u{a0}c", 4),
            ("東京2024年x", 5),
            (long.as_str(), 300),
            ("", 0),
        ] {
            assert_eq!(word_count(t), words, "{t}");
        }
        assert_eq!(word_count("日本語"), 3);
    }
}
