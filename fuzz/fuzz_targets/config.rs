//! A user's `config.toml` text through the checker and compiler: errors are fine,
//! panics are not.
#![no_main]

use boilerstrip::config::Rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errs) = Rules::from_sources(Some(("fuzz.toml", src))) {
        assert!(!errs.is_empty());
    }
});
