//! Property: whatever bytes a page holds, `process_page` gives a record (status `ok`,
//! with text) or a reject (a non-`ok` status), never a panic, and the record is one line
//! of valid JSON. Three shapes of input: raw bytes, bytes inside an HTML skeleton, and
//! bytes as a text dump. The fuzz targets in `fuzz/` explore the same code for longer.

use std::sync::LazyLock;

use boilerstrip::{config::Rules, decode::ContentKind, process_page, PageInput};
use proptest::prelude::*;
use serde_json::Value;

static RULES: LazyLock<Rules> = LazyLock::new(Rules::defaults);

/// Run one page and check the record; a panic inside fails the property.
fn check(bytes: &[u8], hint: Option<ContentKind>) -> Result<(), TestCaseError> {
    let page = PageInput {
        source: "p/page.html",
        bytes,
        kind_hint: hint,
        ..Default::default()
    };
    let rec = process_page(&RULES, &page).record;
    prop_assert!(!rec.status.is_empty());
    if rec.status == "ok" {
        prop_assert!(!rec.text.is_empty(), "ok record without text");
        prop_assert!(rec.error.is_none());
    } else {
        prop_assert!(
            rec.error.is_some(),
            "reject {} without a reason",
            rec.status
        );
    }
    let line = serde_json::to_string(&rec).unwrap();
    prop_assert!(!line.contains('\n'), "a JSONL record is one line");
    let back: Value = serde_json::from_str(&line).unwrap();
    prop_assert_eq!(back["source"].as_str(), Some("p/page.html"));
    prop_assert_eq!(back["status"].as_str(), Some(rec.status.as_str()));
    Ok(())
}

fn hint() -> impl Strategy<Value = Option<ContentKind>> {
    prop_oneof![
        Just(None),
        Just(Some(ContentKind::Html)),
        Just(Some(ContentKind::Text)),
    ]
}

/// Bytes that are mostly text-like, with some markup characters and stray high bytes,
/// so the HTML and text paths get past the binary sniffing.
fn texty() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::char::range('a', 'z').prop_map(|c| c as u8),
            2 => Just(b' '),
            1 => prop::sample::select(b"<>/=\"'&;#.\n\t-:0123456789".to_vec()),
            1 => any::<u8>(),
        ],
        0..1500,
    )
}

proptest! {
    // Dev profile: keep the whole file to a few seconds.
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_give_a_record_or_a_reject(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        hint in hint(),
    ) {
        check(&bytes, hint)?;
    }

    #[test]
    fn bytes_inside_an_html_skeleton(
        title in texty(),
        body in texty(),
        raw in prop::collection::vec(any::<u8>(), 0..256),
        charset in prop::sample::select(vec!["utf-8", "windows-1252", "shift_jis", "utf-16", "bogus"]),
    ) {
        let mut page = format!(
            "<!DOCTYPE html><html><head><meta charset=\"{charset}\"><title>"
        ).into_bytes();
        page.extend_from_slice(&title);
        page.extend_from_slice(b"</title></head><body><article><h1>Headline</h1><p>");
        page.extend_from_slice(&body);
        page.extend_from_slice(b"</p><p>");
        page.extend_from_slice(&raw);
        page.extend_from_slice(b"</p></article><footer>Footer</footer></body></html>");
        check(&page, Some(ContentKind::Html))?;
    }

    #[test]
    fn bytes_as_a_text_dump(
        header in prop::collection::vec(prop::char::range('a', 'z').prop_map(|c| c as u8), 0..80),
        body in texty(),
        raw in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        // A dump's first line is its title, then paragraphs.
        let mut page = header;
        page.extend_from_slice(b"\n\n");
        page.extend_from_slice(&body);
        page.extend_from_slice(b"\n\n");
        page.extend_from_slice(&raw);
        check(&page, Some(ContentKind::Text))?;
    }
}
