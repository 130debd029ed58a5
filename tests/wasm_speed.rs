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

/// Opening a share link at the last instant of a 10-minute run (what the
/// page does: the event log's tail, metrics, marks and checkpoints on the
/// way) against replaying the same span with every checker (a seek's
/// work), in the same wasm build. The open should cost at most 1.5x.
#[wasm_bindgen_test]
fn open_late_against_replay_as_wasm() {
    use splitbrain::protocols::raft::Raft;
    use splitbrain::scenario::{Runner, Scenario};
    use splitbrain::viewmodel::playground::{Gesture, Playground};
    let s = Scenario::from_json(include_str!("../benches/raftscope-like.json")).unwrap();
    let end = s.duration_ms.us();
    let (replay, events) = best_of(3, || {
        let mut r: Runner<Raft> = Runner::new(s.clone()).unwrap();
        r.run_until(end);
        r.sim().trace().len()
    });
    let (open, now) = best_of(3, || {
        let mut pg: Playground<Raft> = Playground::open();
        pg.apply(Gesture::Load { scenario: Box::new(s.clone()), at_us: Some(end), playing: false });
        pg.now()
    });
    assert_eq!((events, now), (381_109, end), "the native run's event count; the link opens at its end");
    console_log!(
        "wasm open_late/raftscope_10min: open the link {open:.1} ms ({:.0} simulated s per wall s), replay {replay:.1} ms ({:.0}); open / replay = {:.2}",
        600_000.0 / open,
        600_000.0 / replay,
        open / replay
    );
}

/// The store under load as the page runs it, without the view: the
/// preset `store-load-20` (20 nodes, 250 clients, 10 simulated seconds)
/// with its observer and every checker. Playing it at 10x in the page
/// needs this many events per wall second and more; the result says how
/// far the engine alone is from that, on this build and machine.
#[wasm_bindgen_test]
fn store_load_20_as_wasm() {
    use splitbrain::protocols::store::node::StoreNode;
    use splitbrain::scenario::{presets, Runner};
    let s = presets::find("store-load-20").unwrap().scenario().unwrap();
    let (ms, events) = best_of(3, || {
        let mut r: Runner<StoreNode> = Runner::build(s.clone()).unwrap();
        r.run_to_end();
        r.metrics().events
    });
    let rate = events as f64 / ms * 1000.0;
    console_log!(
        "wasm checked/store_load_20_10s_all_checkers: {ms:.0} ms (best of 3), {:.2} M events/s, {:.1}x real time",
        rate / 1e6,
        10_000.0 / ms
    );
    assert_eq!(events, 2_044_093, "the native run's event count");
}
