//! Bytes as a `.warc` file (plain or gzip, the reader sniffs), read to the end by the
//! streaming reader, and every record it names read again by address.
#![no_main]

use std::io::Write;

use boilerstrip::warc::{self, Entry};
use libfuzzer_sys::fuzz_target;

/// Small, so the `too_large` paths are reached too.
const MAX_BYTES: u64 = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut f = tempfile::Builder::new()
        .suffix(".warc")
        .tempfile()
        .expect("temp file");
    f.write_all(data).expect("write");
    f.flush().expect("flush");
    let path = f.path();
    let Ok(reader) = warc::Reader::open(path, "f.warc", MAX_BYTES) else {
        return;
    };
    // A reader that never ends would hang a batch: bound it by the input size.
    let mut n = 0usize;
    for entry in reader {
        n += 1;
        assert!(n <= data.len() + 1, "more entries than input bytes");
        let source = match &entry {
            Entry::Page(p) => p.source.clone(),
            Entry::Reject(r) => r.source.clone(),
            Entry::Skip(_) => continue,
        };
        if let Some((_, member, inner)) = warc::parse_address(&source) {
            let _ = warc::read_at(path, "f.warc", member, inner, MAX_BYTES);
        }
    }
});
