//! Raw bytes through `decode::decode`, with each file-name hint and, when the input
//! has a NUL-free first line, that line as the HTTP-header charset.
#![no_main]

use boilerstrip::decode::{self, ContentKind, DecodeConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = DecodeConfig::default();
    // The first byte picks the hint; the rest is the page.
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let hint = match sel % 3 {
        0 => None,
        1 => Some(ContentKind::Html),
        _ => Some(ContentKind::Text),
    };
    let declared = if sel & 0x80 != 0 {
        bytes
            .iter()
            .position(|&b| b == b'\n')
            .and_then(|n| std::str::from_utf8(&bytes[..n]).ok())
    } else {
        None
    };
    if let Ok(d) = decode::decode(bytes, &cfg, hint, declared) {
        // Decoding never produces an empty page: that is `DecodeError::Empty`.
        assert!(!d.text.is_empty());
    }
});
