//! The whole pipeline (`process_page`) on bytes named `.html`.
#![no_main]

use std::sync::LazyLock;

use boilerstrip::{config::Rules, decode::ContentKind, process_page, PageInput};
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<Rules> = LazyLock::new(Rules::defaults);

fuzz_target!(|data: &[u8]| {
    let page = PageInput {
        source: "fuzz.html",
        bytes: data,
        kind_hint: Some(ContentKind::Html),
        url: Some("https://example.com/news/2024/05/06/story.html"),
        ..Default::default()
    };
    let out = process_page(&RULES, &page);
    let line = serde_json::to_string(&out.record).expect("a record serialises");
    assert!(!line.contains('\n'));
});
