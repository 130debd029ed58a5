//! Speed as wasm, side by side with native: the same
//! experiments as `benches/sim.rs`'s `failover/1000_trials_150-300ms` and
//! `gossip/rumor_push_feedback_counter_1000_trials_n1000`, built with the
//! page's profile and with the Experiments worker's, and run under Node.js.
//! `cargo xtask bench` runs this file (`--profile wasm-release` and
//! `--profile worker-release`, `--nocapture`) and prints each time; the
//! ratio to the native criterion numbers is in BENCHMARKS.md. Each run
//! must also give the native result to the digit, so a fast wrong build
//! cannot pass for a fast one.
#![cfg(target_arch = "wasm32")]

use splitbrain::experiments::failover::{self, FailoverParams};
use splitbrain::experiments::gossip::{self, GossipParams};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// The best of `runs` wall-clock times, in ms, and the last result.
fn best_of<R>(runs: u32, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t0 = js_sys::Date::now();
        out = Some(f());
        best = best.min(js_sys::Date::now() - t0);
    }
    (best, out.expect("ran at least once"))
}

#[wasm_bindgen_test]
fn failover_1000_trials_as_wasm() {
    let p = FailoverParams { trials: 1000, ..FailoverParams::default() };
    let (ms, r) = best_of(5, || failover::run(&p, |_| {}));
    console_log!("wasm failover/1000_trials_150-300ms: {ms:.1} ms (best of 5)");
    assert_eq!(r.failover_ms.mean, 177.329, "the native CLI's `failover --json`");
}

#[wasm_bindgen_test]
fn rumor_1000_trials_as_wasm() {
    let p = GossipParams { trials: 1000, ..GossipParams::default() };
    let (ms, r) = best_of(3, || gossip::run(&p, |_| {}));
    console_log!("wasm gossip/rumor_push_feedback_counter_1000_trials_n1000: {ms:.1} ms (best of 3)");
    assert_eq!((r.residue, r.traffic), (0.175439, 1.743), "the native CLI's `gossip --trials 1000 --json`");
}
