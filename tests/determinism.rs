//! Determinism: one seed decides everything (law 3, docs/architecture.md).

use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::experiments::golden;
use splitbrain::scenario::{Runner, Scenario};

#[test]
fn the_same_seed_gives_the_same_trace_hash_twice() {
    for seed in [0, 1, 42, 9999] {
        let a = chaos::run(&ChaosParams::default(), seed);
        let b = chaos::run(&ChaosParams::default(), seed);
        assert_eq!(a.trace_hash, b.trace_hash, "seed {seed}");
        assert_eq!(a.metrics, b.metrics, "seed {seed}");
    }
}

#[test]
fn different_seeds_give_different_traces() {
    let hashes: std::collections::BTreeSet<String> =
        (0..50).map(|seed| chaos::run(&ChaosParams::default(), seed).trace_hash).collect();
    assert_eq!(hashes.len(), 50);
    // Same timeline, different seed: still a different run.
    let mut s = Scenario::raft(5, 1);
    let mut a = Runner::new(s.clone()).unwrap();
    s.seed = 2;
    let mut b = Runner::new(s).unwrap();
    a.run_until(2_000_000);
    b.run_until(2_000_000);
    assert_ne!(a.sim().trace().hash(), b.sim().trace().hash());
}

/// The hashes in `tests/golden/trace_hashes.txt` are what this build
/// computes; the wasm suite checks the same file, so native and wasm agree.
/// Regenerate with `UPDATE_GOLDEN=1 cargo test --test determinism`.
#[test]
fn golden_trace_hashes_match_the_recorded_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/trace_hashes.txt");
    let now = golden::render(&golden::cases());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &now).unwrap();
    }
    let recorded = std::fs::read_to_string(path).expect("tests/golden/trace_hashes.txt exists");
    assert_eq!(now, recorded, "trace hashes changed; if that is intended, rerun with UPDATE_GOLDEN=1");
}

/// The whole Figure 8 trace, in its stable text form, as a golden file
/// (etcd's golden-trace habit): any change in behaviour shows up as a diff.
#[test]
fn figure_8_trace_matches_its_golden_text() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/figure-8.trace");
    let mut r = Runner::new(Scenario::from_json(golden::FIGURE_8).unwrap()).unwrap();
    r.record(true);
    r.run_to_end();
    let text: String = r.text().iter().map(|l| format!("{l}\n")).collect();
    assert_eq!(text.lines().count() as u64, r.sim().trace().len());
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let recorded = std::fs::read_to_string(path).expect("tests/golden/figure-8.trace exists");
    assert_eq!(text, recorded, "the Figure 8 trace changed; if intended, rerun with UPDATE_GOLDEN=1");
}

/// An action made by hand at an instant where the client's request is also
/// due replays as it was made: the person acted after the request, and the
/// file puts the action after it too. (Before the tie went to the action,
/// so a shared run with such an action parted from the run it was made in.)
#[test]
fn an_action_made_on_a_client_tick_replays_as_made() {
    use splitbrain::scenario::{Action, ClientLoad, Target};
    let s = Scenario { client: Some(ClientLoad { interval_ms: 100.0, reads: true }), ..Scenario::raft(5, 7) };
    let mut live = Runner::new(s).unwrap();
    live.run_until(3_000_000); // a client tick
    live.act(Action::Crash { node: Target::Node(0) });
    live.run_until(5_000_000);
    let mut replay = Runner::new(live.scenario.clone()).unwrap();
    replay.run_until(5_000_000);
    assert_eq!(live.sim().trace().hash(), replay.sim().trace().hash());
    assert_eq!(live.metrics(), replay.metrics());
}
