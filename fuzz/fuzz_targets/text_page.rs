//! The whole pipeline (`process_page`) on bytes named `.txt` (whole-page text dumps).
#![no_main]

use std::sync::LazyLock;

use boilerstrip::{config::Rules, decode::ContentKind, process_page, PageInput};
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<Rules> = LazyLock::new(Rules::defaults);

fuzz_target!(|data: &[u8]| {
    let page = PageInput {
        source: "fuzz.txt",
        bytes: data,
        kind_hint: Some(ContentKind::Text),
        ..Default::default()
    };
    let out = process_page(&RULES, &page);
    let line = serde_json::to_string(&out.record).expect("a record serialises");
    assert!(!line.contains('\n'));
});
