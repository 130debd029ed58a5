//! The same seeded runs in wasm (under Node.js, by wasm-bindgen-test-runner)
//! must give the same trace hashes as natively: both compare with one file.
#![cfg(target_arch = "wasm32")]

use splitbrain::experiments::golden;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn golden_trace_hashes_match_in_wasm() {
    let recorded = include_str!("golden/trace_hashes.txt");
    assert_eq!(golden::render(&golden::cases()), recorded);
}

#[wasm_bindgen_test]
fn figure_8_trace_text_matches_in_wasm() {
    use splitbrain::scenario::{Runner, Scenario};
    let mut r = Runner::new(Scenario::from_json(golden::FIGURE_8).unwrap()).unwrap();
    r.record(true);
    r.run_to_end();
    let text: String = r.text().iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(text, include_str!("golden/figure-8.trace"));
}
