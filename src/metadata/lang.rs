//! Language codes: page declarations normalised to a primary subtag, and the
//! detector's ISO 639-3 codes mapped to ISO 639-1 where one exists.

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
    fn detector_codes_map_to_two_letters() {
        assert_eq!(iso639_1("eng"), "en");
        assert_eq!(iso639_1("cmn"), "zh");
        assert_eq!(iso639_1("xyz"), "xyz");
    }
}
