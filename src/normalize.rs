//! Normalisation: Unicode NFC, invisible characters, spaces and paragraph breaks,
//! applied to the kept blocks to make the record's `text`.

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

/// Normalise one block's text (code blocks keep their inner whitespace).
pub fn block_text(text: &str, kind: BlockKind, cfg: &NormalizeConfig) -> String {
    let mut s: String = if cfg.nfc && is_nfc_quick(text.chars()) != IsNormalized::Yes {
        text.nfc().collect()
    } else {
        text.to_string()
    };
    if cfg.strip_invisible && s.chars().any(is_invisible) {
        s = s
            .chars()
            .filter(|c| !is_invisible(*c))
            .map(|c| if c == '\r' { '\n' } else { c })
            .collect();
    }
    if kind == BlockKind::Code {
        return if cfg.trim {
            s.trim_matches('\n').trim_end().to_string()
        } else {
            s
        };
    }
    if cfg.collapse_spaces || cfg.trim {
        let mut out = String::with_capacity(s.len());
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let line = if cfg.trim { line.trim() } else { line };
            if cfg.collapse_spaces {
                // Each run of spaces becomes one ' '; the text between runs is copied
                // in one piece. NBSP and other Unicode spaces count as spaces.
                let mut prev_space = false;
                let mut from = 0;
                for (i, c) in line.char_indices() {
                    if c.is_whitespace() {
                        out.push_str(&line[from..i]);
                        if !prev_space {
                            out.push(' ');
                        }
                        prev_space = true;
                        from = i + c.len_utf8();
                    } else {
                        prev_space = false;
                    }
                }
                out.push_str(&line[from..]);
            } else {
                out.push_str(line);
            }
        }
        s = out;
        if cfg.trim {
            // Drop empty lines inside a block: a blank line would split the paragraph.
            if s.contains("\n\n") || s.starts_with('\n') || s.ends_with('\n') {
                s = s
                    .split('\n')
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n");
            }
        }
    }
    s
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

/// Words in the text, counted as runs of alphanumeric characters (CJK characters count one each).
pub fn word_count(text: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in text.chars() {
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

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
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

    #[test]
    fn words_are_counted_across_scripts() {
        assert_eq!(word_count("Hello, world! 2024"), 3);
        assert_eq!(word_count("日本語"), 3);
    }
}
