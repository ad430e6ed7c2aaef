//! Language codes: page declarations normalised to a primary subtag, the
//! detector's ISO 639-3 codes mapped to ISO 639-1 where one exists, and a quick
//! function-word guess that spares most pages the (much slower) trigram detector.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// The primary subtag of a language tag, lowercase (`en-US` → `en`, `pt_BR` → `pt`);
/// `None` for values that are not language tags (empty, `x-default`, `*`, junk).
pub fn normalize_tag(tag: &str) -> Option<String> {
    let primary = tag
        .trim()
        .split(['-', '_', ',', ';', ' '])
        .next()?
        .to_ascii_lowercase();
    let ok = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    (ok && primary != "xx" && primary != "und" && primary != "mul" && primary != "zxx")
        .then_some(primary)
}

/// ISO 639-1 for the ISO 639-3 codes whatlang reports; other codes pass through.
pub fn iso639_1(code3: &str) -> String {
    let two = match code3 {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        other => other,
    };
    two.to_string()
}

/// Common function words of the languages most pages are in. Counting them
/// decides clear cases in microseconds; the trigram detector takes hundreds.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "is", "that", "for", "it", "with", "as", "was", "on", "are",
            "this", "be", "by", "you", "not", "or", "have", "from", "at", "but", "an", "they",
            "which", "we", "can", "has", "will",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "zu", "sich", "auf",
            "ein", "eine", "dem", "des", "für", "auch", "es", "im", "werden", "wird", "sind",
            "oder", "bei", "aus", "wie", "nach", "noch", "einer",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "des", "est", "une", "dans", "pour", "que", "qui", "pas",
            "sur", "au", "avec", "du", "ce", "il", "sont", "plus", "par", "ne", "se", "ou",
            "cette", "mais", "nous", "vous", "aux", "été",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "de", "que", "y", "en", "del", "por", "con", "una", "para",
            "es", "al", "se", "no", "su", "como", "más", "pero", "sus", "le", "ya", "o", "este",
            "entre", "cuando", "muy", "también",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "la", "e", "per", "un", "una", "non", "sono", "del", "della", "con",
            "le", "si", "da", "gli", "al", "è", "anche", "come", "più", "nel", "alla", "dei",
            "questo", "ma", "ha", "nella", "delle",
        ],
    ),
    (
        "pt",
        &[
            "o", "de", "que", "e", "do", "da", "em", "um", "para", "com", "não", "uma", "os", "no",
            "se", "na", "por", "mais", "as", "dos", "como", "mas", "ao", "ele", "das", "à", "seu",
            "sua", "ou", "são",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "van", "is", "dat", "op", "te", "in", "zijn", "voor", "met",
            "niet", "die", "aan", "er", "ook", "als", "bij", "door", "maar", "om", "wordt", "nog",
            "worden", "naar", "heeft", "deze", "dan",
        ],
    ),
];

/// A function word (at most 8 bytes) packed into a `u64`, zero-padded: a cheap hash key.
fn key(w: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[..w.len()].copy_from_slice(w);
    u64::from_le_bytes(buf)
}

/// Each function word (packed by [`key`]) with the languages (bit `i` for
/// `FUNCTION_WORDS[i]`) it belongs to.
static WORD_LANGS: LazyLock<FxHashMap<u64, u8>> = LazyLock::new(|| {
    let mut m: FxHashMap<u64, u8> = FxHashMap::default();
    for (i, (_, list)) in FUNCTION_WORDS.iter().enumerate() {
        for w in *list {
            debug_assert!(w.len() <= 8, "function word {w} too long for a key");
            *m.entry(key(w.as_bytes())).or_default() |= 1 << i;
        }
    }
    m
});

/// The languages `w` is a function word of (0 for none). Every function word is
/// lowercase and at most 8 bytes, so a longer `w` (even after lowercasing) is none.
fn word_mask(w: &str) -> u8 {
    if w.len() > 8 {
        return 0;
    }
    let b = w.as_bytes();
    let k = if w.is_ascii() {
        let mut buf = [0u8; 8];
        for (d, s) in buf.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        u64::from_le_bytes(buf)
    } else if w.chars().any(char::is_uppercase) {
        let lower = w.to_lowercase();
        if lower.len() > 8 {
            return 0;
        }
        key(lower.as_bytes())
    } else {
        key(b)
    };
    WORD_LANGS.get(&k).copied().unwrap_or(0)
}

/// The maximal runs of alphabetic chars in `text`, in order (as
/// `text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty())`), with ASCII
/// bytes classified without decoding.
fn alphabetic_words(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut i = 0usize;
    // Length of the char at `i` and whether it is alphabetic.
    let class = move |i: usize| -> (usize, bool) {
        let c = b[i];
        if c < 0x80 {
            (1, c.is_ascii_alphabetic())
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            (ch.len_utf8(), ch.is_alphabetic())
        }
    };
    std::iter::from_fn(move || {
        loop {
            // ASCII separators in a tight loop; anything else is classified by `class`.
            while i < b.len() && b[i] < 0x80 && !b[i].is_ascii_alphabetic() {
                i += 1;
            }
            if i >= b.len() {
                return None;
            }
            let (n, alpha) = class(i);
            if alpha {
                break;
            }
            i += n;
        }
        let start = i;
        loop {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            if i >= b.len() || b[i] < 0x80 {
                break;
            }
            let (n, alpha) = class(i);
            if !alpha {
                break;
            }
            i += n;
        }
        Some(&text[start..i])
    })
}

/// The language of `text` as ISO 639-1 (or 639-3 where there is none), `None`
/// when it cannot be told reliably.
///
/// A function-word count over the first words settles clear cases among the
/// common Latin-script languages; everything else goes to whatlang on a short
/// sample.
pub fn detect(text: &str) -> Option<String> {
    let mut counts = [0usize; 7];
    let mut words = 0usize;
    for w in alphabetic_words(text).take(250) {
        words += 1;
        let mask = word_mask(w);
        if mask != 0 {
            for (i, c) in counts.iter_mut().enumerate() {
                *c += usize::from(mask & (1 << i) != 0);
            }
        }
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    let (best, second) = (counts[order[0]], counts[order[1]]);
    // Clear: enough function words, and well ahead of the runner-up.
    if words >= 30 && best * 100 >= words * 12 && best * 2 >= second * 3 {
        return Some(FUNCTION_WORDS[order[0]].0.to_string());
    }
    let mut cut = text.len().min(1500);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    whatlang::detect(&text[..cut])
        .filter(|i| i.is_reliable())
        .map(|i| iso639_1(i.lang().code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_reduce_to_the_primary_subtag() {
        assert_eq!(normalize_tag("en-US").as_deref(), Some("en"));
        assert_eq!(normalize_tag(" pt_BR ").as_deref(), Some("pt"));
        assert_eq!(normalize_tag("DE").as_deref(), Some("de"));
        assert_eq!(normalize_tag("x-default"), None);
        assert_eq!(normalize_tag(""), None);
        assert_eq!(normalize_tag("english"), None);
    }

    #[test]
    fn function_words_decide_clear_cases() {
        let cases = [
            ("en", "This is the story of a man who went to the market and bought a fish for his family, and it was good."),
            ("de", "Das ist die Geschichte von einem Mann, der auf den Markt ging und für seine Familie einen Fisch kaufte, und es war gut."),
            ("fr", "C'est l'histoire d'un homme qui est allé au marché et qui a acheté un poisson pour sa famille, et il était bon dans la sauce."),
            ("es", "Esta es la historia de un hombre que fue al mercado y compró un pescado para su familia, y estaba muy bueno con la salsa."),
            ("it", "Questa è la storia di un uomo che è andato al mercato e ha comprato un pesce per la sua famiglia, e non era male per niente."),
            ("pt", "Esta é a história de um homem que foi ao mercado e comprou um peixe para a sua família, e não era mau para o jantar dos filhos."),
            ("nl", "Dit is het verhaal van een man die naar de markt ging en een vis kocht voor zijn familie, en het was ook niet slecht voor de prijs."),
        ];
        for (want, text) in cases {
            let text = format!("{text} {text} {text}");
            assert_eq!(detect(&text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(detect("Это довольно длинный русский текст, который детектор должен уверенно распознать как русский язык без ошибок.").as_deref(), Some("ru"));
        assert_eq!(detect("ok"), None);
    }

    #[test]
    fn words_split_like_the_alphabetic_split() {
        for text in [
            "",
            "  Hello, world! It's 2026-12-02.",
            "Größe über Straße; naïve café — déjà vu…",
            "Это текст. 日本語のテキスト! x1y2z",
            "ÉTÉ À L'ÎLE",
        ] {
            let want: Vec<&str> = text
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(alphabetic_words(text).collect::<Vec<_>>(), want, "{text}");
        }
    }

    #[test]
    fn function_words_fit_a_key() {
        for (_, list) in FUNCTION_WORDS {
            for w in *list {
                assert!(w.len() <= 8 && w.to_lowercase() == *w, "{w}");
            }
        }
        assert_eq!(word_mask("THE"), 1);
        assert_eq!(word_mask("Für"), 1 << 1);
        assert_eq!(word_mask("ÉTÉ"), 1 << 2);
        assert_eq!(word_mask("thee"), 0);
    }

    #[test]
    fn detector_codes_map_to_two_letters() {
        assert_eq!(iso639_1("eng"), "en");
        assert_eq!(iso639_1("cmn"), "zh");
        assert_eq!(iso639_1("xyz"), "xyz");
    }
}
