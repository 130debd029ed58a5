//! Fuzzes the scenario-link decoder: any input gives a scenario that
//! validates, or an error; never a panic, never more than the caps allow.
//! Run: `cargo +nightly fuzz run decode_link -- -max_total_time=300`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use splitbrain::scenario::codec;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(s) = codec::decode(text) {
        assert!(s.validate().is_ok());
        // What decodes must re-encode and decode to the same scenario.
        assert_eq!(codec::decode(&codec::encode(&s)).unwrap(), s);
    }
    let _ = codec::parse_fragment(text);
});
