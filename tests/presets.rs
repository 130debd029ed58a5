//! Every preset parses, runs, and shows what its explanation promises.

use splitbrain::protocols::raft::{cluster, Raft, Role};
use splitbrain::scenario::presets::{self, PRESETS};
use splitbrain::scenario::{Runner, Scenario};
use splitbrain::sim::MS;

fn run(id: &str) -> Runner<Raft> {
    let p = presets::find(id).unwrap_or_else(|| panic!("no preset {id}"));
    let mut r = Runner::new(p.scenario().unwrap()).unwrap();
    r.record(true);
    r.run_to_end();
    r
}

fn leaders(r: &Runner<Raft>) -> Vec<(u32, u64)> {
    (0..r.sim().len())
        .filter_map(|n| r.sim().node(n).filter(|x| x.role() == Role::Leader).map(|x| (n, x.term())))
        .collect()
}

#[test]
fn there_are_at_least_ten_presets_each_valid_named_and_explained() {
    assert!(PRESETS.len() >= 10);
    for p in PRESETS {
        let s: Scenario = p.scenario().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(!s.name.is_empty() && s.description.len() > 100, "{} needs a name and an explanation", p.id);
        let file =
            std::fs::read_to_string(format!("{}/static/scenarios/{}.json", env!("CARGO_MANIFEST_DIR"), p.id)).unwrap();
        assert_eq!(file, p.json());
    }
}

/// Presets test themselves: each declares what it shows (`expect`), and a
/// run that does not show it (a property violated that it does not name, a
/// named one not violated, a bound missed) fails here as `splitbrain run`
/// fails on it.
///
/// Each preset's whole report (`splitbrain run --json`: the trace hash, the
/// counts and the figures) is also pinned, as a digest per preset in
/// `tests/golden/preset_reports.txt`: work on speed must not change what a
/// run reports. Regenerate with `UPDATE_GOLDEN=1 cargo test --test presets`
/// only for an intended change.
#[test]
fn every_preset_of_every_protocol_shows_what_it_declares() {
    let mut protocols = std::collections::BTreeSet::new();
    let mut digests = String::new();
    for p in PRESETS {
        let s = p.scenario().unwrap();
        assert!(s.expect.is_some(), "{} declares nothing", p.id);
        protocols.insert(s.protocol.name());
        let mut out = String::new();
        let batch =
            splitbrain::scenario::batch::stream(s, 1, p.id.into(), true, &mut |l| out.push_str(l), |_| {}).unwrap();
        assert!(batch.misses.is_empty(), "{}: {:?}", p.id, batch.misses);
        // FNV-1a over the report's JSON.
        let digest =
            out.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        digests.push_str(&format!("{} {digest:016x}\n", p.id));
    }
    // Every protocol the registry lists has presets.
    let mut all: Vec<&str> = splitbrain::scenario::ProtocolKind::ALL.iter().map(|k| k.name()).collect();
    all.sort();
    assert_eq!(protocols.into_iter().collect::<Vec<_>>(), all);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/preset_reports.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &digests).unwrap();
    }
    let recorded = std::fs::read_to_string(path).unwrap();
    for (now, was) in digests.lines().zip(recorded.lines()) {
        assert_eq!(now, was, "a preset's report changed; if that is intended, rerun with UPDATE_GOLDEN=1");
    }
    assert_eq!(digests.lines().count(), recorded.lines().count(), "presets were added or removed");
}

/// The declarations can fail: the same presets with what they show denied.
#[test]
fn a_preset_that_does_not_show_what_it_declares_fails() {
    let mut s = presets::find("figure-8").unwrap().scenario().unwrap();
    s.expect.as_mut().unwrap().violations.pop();
    let b = splitbrain::scenario::batch::run(s, 1, "figure-8".into(), |_| {}).unwrap();
    assert_eq!(b.misses, ["seed 8: State Machine Safety was violated, and the scenario does not expect it"]);
    assert_eq!(b.exit_code(), 1);
    let mut s = presets::find("rumor-k4").unwrap().scenario().unwrap();
    s.expect.as_mut().unwrap().bounds[0].max = Some(0.001);
    let b = splitbrain::scenario::batch::run(s, 1, "rumor-k4".into(), |_| {}).unwrap();
    assert_eq!(b.misses, ["seed 1: figures.residue is 0.0025, expected at most 0.001"]);
}

#[test]
fn leader_crash_elects_a_new_leader_that_keeps_committing() {
    let r = run("leader-crash");
    let m = r.metrics();
    assert!(m.protocol.leader_changes >= 2);
    assert!(leaders(&r).len() == 1);
    assert!(m.protocol.committed_entries > 40, "{m:?}");
}

#[test]
fn split_votes_take_several_terms_to_resolve() {
    let r = run("split-votes");
    let m = r.metrics();
    assert!(m.protocol.elections >= m.protocol.leader_changes + 5, "{m:?}");
    assert_eq!(leaders(&r).len(), 1);
}

#[test]
fn the_stale_leader_accepts_writes_it_cannot_commit_then_steps_down() {
    let r = run("stale-leader");
    let text = r.text();
    // The old leader n0 took the requests sent to it during the partition...
    let taken: Vec<&String> = text
        .iter()
        .filter(|l| l.contains("note n0 accepted"))
        .filter(|l| {
            let t: u64 = l.split(' ').next().unwrap().parse().unwrap();
            (2500 * MS..4000 * MS).contains(&t)
        })
        .collect();
    assert_eq!(taken.len(), 2, "{taken:?}");
    // ...and after healing it is a follower of the newer term.
    let n0 = r.sim().node(0).unwrap();
    assert_eq!(n0.role(), Role::Follower);
    assert_eq!(n0.term(), cluster::max_term(r.sim()));
}

#[test]
fn a_flapping_link_inflates_terms_without_prevote_and_not_with_it() {
    let without = run("flapping-link");
    let with = run("flapping-link-prevote");
    assert!(without.metrics().protocol.max_term >= 5, "{:?}", without.metrics());
    assert!(without.metrics().protocol.leader_changes >= 3);
    assert_eq!(with.metrics().protocol.max_term, 1);
    assert_eq!(with.metrics().protocol.leader_changes, 1);
}

#[test]
fn an_isolated_leader_lingers_without_check_quorum_and_steps_down_with_it() {
    for (id, lingering) in [("isolated-leader", 2), ("isolated-leader-checkquorum", 1)] {
        let p = presets::find(id).unwrap();
        let mut r = Runner::new(p.scenario().unwrap()).unwrap();
        r.run_until(4900 * MS);
        assert_eq!(leaders(&r).len(), lingering, "{id}: {:?}", leaders(&r));
    }
}

#[test]
fn leadership_transfer_hands_over_then_aborts_when_the_target_is_down() {
    let r = run("leadership-transfer");
    let text = r.text();
    assert!(text.iter().any(|l| l.contains("note n1 became leader t2")));
    assert!(text.iter().any(|l| l.contains("transfer to n3 aborted")));
}

#[test]
fn a_lossy_network_still_commits() {
    let r = run("lossy-network");
    let m = r.metrics();
    assert!(m.dropped_loss > 100, "{m:?}");
    assert!(m.protocol.committed_entries > 50, "{m:?}");
}

#[test]
fn a_fast_clock_makes_a_follower_start_an_unneeded_election() {
    let r = run("clock-skew");
    assert!(r.text().iter().any(|l| l.contains("note n3 became candidate")));
    assert!(r.metrics().protocol.leader_changes >= 2);
}

/// A run reports its progress in slices of simulated time, and slicing
/// changes nothing: the same trace as one uninterrupted run.
#[test]
fn a_run_reports_its_progress_as_it_goes() {
    use splitbrain::scenario::batch::{self, Reached, PROGRESS_SLICE_US};
    let s = splitbrain::scenario::presets::find("leader-crash").unwrap().scenario().unwrap();
    let end = s.duration_ms.us();
    let mut seen: Vec<Reached> = Vec::new();
    let mut out = String::new();
    batch::stream(s.clone(), 2, "leader-crash".into(), true, &mut |l| out.push_str(l), |r| seen.push(r)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut whole = splitbrain::scenario::Runner::new(s).unwrap();
    whole.run_to_end();
    assert_eq!(json["runs"][0]["trace_hash"], whole.report().trace_hash.as_str());
    let first: Vec<&Reached> = seen.iter().filter(|r| r.seeds_done == 0).collect();
    assert_eq!(first.len() as u64, end.div_ceil(PROGRESS_SLICE_US), "one report per slice");
    assert!(first.windows(2).all(|w| w[0].now_us < w[1].now_us && w[0].events <= w[1].events));
    assert_eq!(first.last().unwrap().now_us, end);
    // After each seed, a report that counts it.
    let counted: Vec<u64> = seen.iter().map(|r| r.seeds_done).collect();
    assert_eq!(counted.iter().filter(|d| **d == 2).count(), 1);
    assert_eq!(counted.last(), Some(&2));
    assert!(counted.windows(2).all(|w| w[0] <= w[1]));
}
