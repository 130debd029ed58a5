//! The store as a protocol on the spine: scenarios with clients, faults,
//! sloppy quorums, hinted handoff and anti-entropy; the Convergence checker
//! and its broken variant; idempotent retries; and what a run measures.

use splitbrain::protocols::store::convergence::divergent;
use splitbrain::protocols::store::crdt::Crdt;
use splitbrain::protocols::store::inventory::BACK_ORDERED;
use splitbrain::protocols::store::node::{crdt_value, StoreNode};
use splitbrain::scenario::{Runner, Scenario};

fn scenario(store: &str, nodes: u32, seed: u64, duration_ms: u64, timeline: &str) -> Scenario {
    let json = format!(
        r#"{{"version":1,"protocol":{{"store":{store}}},"nodes":{nodes},"seed":{seed},"duration_ms":{duration_ms},"timeline":[{timeline}]}}"#
    );
    Scenario::from_json(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

fn run(s: Scenario) -> Runner<StoreNode> {
    let mut r: Runner<StoreNode> = Runner::build(s).expect("valid");
    r.run_to_end();
    r
}

/// Writes on both sides of a partition to keys nobody reads afterwards, so
/// only anti-entropy can bring the replicas together after the heal.
const SPLIT: &str = r#"{"at_ms":500,"action":"partition","groups":[[0,1]]},
    {"at_ms":2500,"action":"heal_all"}"#;
const WRITERS: &str =
    r#""workload":{"clients":10,"think_ms":20,"read_fraction":0,"keys":30,"read_before_write":false,"stop_ms":2000}"#;

#[test]
fn after_the_heal_anti_entropy_converges_every_key_within_the_bound() {
    for seed in 0..12 {
        let s = scenario(&format!(r#"{{"anti_entropy_ms":100,{WRITERS}}}"#), 5, seed, 6000, SPLIT);
        let r = run(s);
        assert!(r.violations().is_empty(), "seed {seed}: {:?}", r.violations());
        assert_eq!(divergent(r.sim()), None, "seed {seed}: every replica agrees at the end");
        let c = &r.observed().counts;
        assert!(c.sync_rounds > 100 && c.sync_bytes > 0, "seed {seed}: {c:?}");
        assert!(c.sync_bytes < c.sync_full_bytes, "seed {seed}: the trees cost less than sending everything");
    }
}

#[test]
fn the_convergence_checker_catches_anti_entropy_that_never_repairs() {
    let mut caught = 0;
    for seed in 0..6 {
        let s = scenario(
            &format!(r#"{{"anti_entropy_ms":100,"bug":"sync_without_repair",{WRITERS}}}"#),
            5,
            seed,
            6000,
            SPLIT,
        );
        let r = run(s);
        let v: Vec<_> = r.violations().iter().filter(|v| v.property == "Convergence").collect();
        if let Some(v) = v.first() {
            caught += 1;
            assert!(v.detail.contains("still hold different versions"), "{}", v.detail);
            // Judged once the bound has passed after the last write.
            assert!(v.time_us >= 2_000_000 + 500_000, "{v:?}");
        }
    }
    assert_eq!(caught, 6, "every seed leaves replicas apart without repair");
}

#[test]
fn without_anti_entropy_there_is_no_bound_and_no_convergence_check() {
    let s = scenario(&format!(r#"{{"anti_entropy_ms":null,{WRITERS}}}"#), 5, 1, 6000, SPLIT);
    let r = run(s);
    assert!(r.violations().is_empty());
    assert!(divergent(r.sim()).is_some(), "blind writes on both sides stay apart without repair");
}

#[test]
fn a_retried_write_is_applied_once() {
    // N = W = 3: the acknowledgements of n-th replica are cut, so every
    // attempt falls one short; the write is retried with its idempotency
    // key and must exist as one version, not one per attempt.
    let mut found = false;
    for seed in 0..10 {
        let s = scenario(r#"{"n":3,"r":1,"w":3,"retries":2,"anti_entropy_ms":null}"#, 3, seed, 2000, "");
        let mut r: Runner<StoreNode> = Runner::build(s).expect("valid");
        r.act(splitbrain::scenario::Action::Cut { from: 2, to: 0, both: false });
        r.act(splitbrain::scenario::Action::Request { node: splitbrain::scenario::Target::Node(0), key: None });
        r.run_to_end();
        let retried = r.observed().counts.retried;
        let key = r.observed().ops.get(0).expect("the write was invoked").key;
        if retried < 2 {
            continue;
        }
        found = true;
        for n in 0..3 {
            let held = r.sim().node(n).and_then(|s| s.siblings(key)).map_or(0, |s| s.len());
            assert!(held <= 1, "seed {seed}: n{n} holds {held} versions of one write");
        }
        assert_eq!(r.sim().node(1).and_then(|s| s.siblings(key)).map(|s| s.len()), Some(1));
    }
    assert!(found, "some seed retried twice");
}

/// Clients on both sides of a 2|3 partition of five nodes, N = 3.
const CLIENTS: &str = r#""workload":{"clients":10,"think_ms":20,"keys":20,"stop_ms":4000}"#;
const MINORITY: &str = r#"{"at_ms":1000,"action":"partition","groups":[[0,1]]},{"at_ms":3000,"action":"heal_all"}"#;

#[test]
fn a_sloppy_quorum_answers_on_both_sides_where_a_strict_one_cannot() {
    let mut strict_minority = Vec::new();
    let mut sloppy_minority = Vec::new();
    for seed in 0..5 {
        let strict = run(scenario(&format!(r#"{{"n":3,"r":2,"w":2,{CLIENTS}}}"#), 5, seed, 6000, MINORITY));
        let sloppy =
            run(scenario(&format!(r#"{{"n":3,"r":2,"w":2,"quorum":"sloppy",{CLIENTS}}}"#), 5, seed, 6000, MINORITY));
        for r in [&strict, &sloppy] {
            assert!(r.violations().is_empty(), "seed {seed}: {:?}", r.violations());
            assert_eq!(divergent(r.sim()), None, "seed {seed}: converged after the heal");
        }
        let f = |r: &Runner<StoreNode>| r.observed().counts.minority_side.fraction().expect("requests there");
        strict_minority.push(f(&strict));
        sloppy_minority.push(f(&sloppy));
        let c = &sloppy.observed().counts;
        assert!(c.hinted > 0 && c.handoff_messages > 0, "seed {seed}: stand-ins held hints and handed them off");
        for n in 0..5 {
            assert_eq!(sloppy.sim().node(n).map(|s| s.hints().count()), Some(0), "seed {seed}: n{n} kept a hint");
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(mean(&sloppy_minority) > 0.9, "{sloppy_minority:?}");
    assert!(mean(&strict_minority) < 0.7, "{strict_minority:?}");
}

#[test]
fn even_with_r_plus_w_over_n_a_sloppy_store_is_not_linearizable() {
    let verdicts: Vec<String> = (0..5)
        .map(|seed| {
            let r = run(scenario(
                &format!(r#"{{"n":3,"r":2,"w":2,"quorum":"sloppy",{CLIENTS}}}"#),
                5,
                seed,
                6000,
                MINORITY,
            ));
            r.report().figures.linearizability
        })
        .collect();
    assert!(verdicts.iter().any(|v| v.starts_with("not linearizable")), "{verdicts:?}");
    // And a history with no faults and no concurrency on a key checks out.
    let calm = run(scenario(
        r#"{"n":3,"r":2,"w":2,"workload":{"clients":1,"think_ms":50,"keys":4,"stop_ms":3000}}"#,
        5,
        1,
        4000,
        "",
    ));
    assert!(
        calm.report().figures.linearizability.starts_with("linearizable"),
        "{}",
        calm.report().figures.linearizability
    );
}

#[test]
fn last_writer_wins_loses_acknowledged_writes_to_a_skewed_clock_and_siblings_keep_them() {
    // n0's clock runs 2 s behind: its writes lose to any concurrent write.
    let skew = r#"{"at_ms":0,"action":"skew","node":0,"offset_ms":-2000}"#;
    let timeline = format!("{skew},{MINORITY}");
    let clients = r#""workload":{"clients":10,"think_ms":20,"keys":5,"read_before_write":false,"stop_ms":4000}"#;
    let (mut lww_lost, mut sib_lost) = (0, 0);
    for seed in 0..3 {
        let lww = run(scenario(&format!(r#"{{"resolution":"lww",{clients}}}"#), 5, seed, 6000, &timeline));
        let sib = run(scenario(&format!(r#"{{"resolution":"siblings",{clients}}}"#), 5, seed, 6000, &timeline));
        assert!(lww.violations().is_empty() && sib.violations().is_empty());
        lww_lost += lww.observed().counts.lost_writes;
        sib_lost += sib.observed().counts.lost_writes;
        assert!(sib.observed().counts.max_sibling_keys > 0);
    }
    assert!(lww_lost > 0, "last-writer-wins lost nothing");
    assert_eq!(sib_lost, 0);
}

#[test]
fn bad_store_scenarios_get_clear_errors() {
    let bad = |store: &str, nodes: u32| {
        let json = format!(r#"{{"version":1,"protocol":{{"store":{store}}},"nodes":{nodes},"seed":1}}"#);
        Scenario::from_json(&json).expect_err("refused").to_string()
    };
    assert!(bad(r#"{"n":3,"r":4}"#, 5).contains("R = 4 and W = 2 must each be at most N = 3"));
    assert!(bad(r#"{"n":3,"w":4}"#, 5).contains("at most N = 3"));
    assert!(bad(r#"{"n":6}"#, 5).contains("N = 6 replicas is more than the 5 nodes"));
    assert!(bad(r#"{"resolution":"newest"}"#, 5).contains("unknown variant `newest`"));
    assert!(bad(r#"{"workload":{"keys":1000000}}"#, 5).contains("keys must be 1 to 100000"));
    assert!(bad(r#"{"workload":{"clients":5000}}"#, 5).contains("clients must be 1 to 1000"));
    assert!(bad(r#"{}"#, 101).contains("at most 100 nodes"));
}

/// A random fault schedule: crashes and restarts, pauses, partitions, cuts
/// and loss, all healed at 3 s; clients stop at 3.5 s.
fn random_timeline(seed: u64) -> String {
    let mut rng = splitbrain::sim::rng::Rng::new(seed, 77);
    let mut t = 0;
    let mut out = Vec::new();
    loop {
        t += 50 + rng.below(250);
        if t >= 3000 {
            break;
        }
        let n = rng.below(5);
        let m = (n + 1 + rng.below(4)) % 5;
        out.push(match rng.below(7) {
            0 => format!(r#"{{"at_ms":{t},"action":"crash","node":{n}}}"#),
            1 => format!(r#"{{"at_ms":{t},"action":"restart","node":{n}}}"#),
            2 => format!(r#"{{"at_ms":{t},"action":"pause","node":{n}}}"#),
            3 => format!(r#"{{"at_ms":{t},"action":"resume","node":{n}}}"#),
            4 => format!(r#"{{"at_ms":{t},"action":"partition","groups":[[{n},{m}]]}}"#),
            5 => format!(r#"{{"at_ms":{t},"action":"cut","from":{n},"to":{m}}}"#),
            _ => format!(r#"{{"at_ms":{t},"action":"heal_all"}}"#),
        });
    }
    out.push(r#"{"at_ms":3000,"action":"heal_all"}"#.into());
    for n in 0..5 {
        out.push(format!(r#"{{"at_ms":3000,"action":"restart","node":{n}}}"#));
        out.push(format!(r#"{{"at_ms":3000,"action":"resume","node":{n}}}"#));
    }
    out.join(",")
}

#[test]
fn under_random_faults_no_write_is_lost_causality_holds_and_replicas_converge() {
    for seed in 0..24 {
        let quorum = if seed % 2 == 0 { "strict" } else { "sloppy" };
        let store = format!(
            r#"{{"quorum":"{quorum}","anti_entropy_ms":100,"workload":{{"clients":8,"think_ms":20,"keys":12,"stop_ms":3500}}}}"#
        );
        let r = run(scenario(&store, 5, seed, 7000, &random_timeline(seed)));
        assert!(r.violations().is_empty(), "seed {seed} ({quorum}): {:?}", r.violations());
        assert_eq!(divergent(r.sim()), None, "seed {seed}");
        assert!(r.observed().counts.writes_acked > 50, "seed {seed}: the clients wrote");
    }
}

#[test]
fn under_random_faults_a_store_that_ignores_the_writers_context_breaks_causality() {
    let caught = (0..8)
        .filter(|&seed| {
            let store = r#"{"bug":"server_context","anti_entropy_ms":100,"workload":{"clients":8,"think_ms":20,"keys":4,"stop_ms":3500}}"#;
            let r = run(scenario(store, 5, seed, 7000, &random_timeline(seed)));
            r.violations().iter().any(|v| v.property == "Causality")
        })
        .count();
    assert!(caught >= 4, "Causality caught in only {caught} of 8 schedules");
}

/// Runs a store scenario one event at a time and, from outside the
/// checkers, finds the acknowledged writes that some replica dropped
/// while none of the versions it then held had the write in its past:
/// every replica's every key compared after every event, by value (each
/// write's value is its own), against the writes the clients saw
/// acknowledged by the end.
fn dropped_acknowledged_writes(s: Scenario) -> (Runner<StoreNode>, std::collections::BTreeSet<(u32, u64)>) {
    use splitbrain::protocols::store::dvv::Dot;
    use std::collections::{BTreeMap, BTreeSet};
    let end = s.duration_ms.us();
    let nodes = s.nodes;
    let mut r: Runner<StoreNode> = Runner::build(s).expect("valid");
    let mut held: BTreeMap<(u32, u32), Vec<(Dot, u64)>> = BTreeMap::new();
    let mut dropped: BTreeMap<u64, Dot> = BTreeMap::new();
    loop {
        let reached = r.run_within(end, &mut 1);
        for node in 0..nodes {
            let Some(n) = r.sim().node(node) else { continue };
            for (&key, siblings) in n.keys() {
                let versions = siblings.versions();
                let now: Vec<(Dot, u64)> = versions.iter().map(|v| (v.dot, v.value.value)).collect();
                for (dot, value) in held.insert((node, key), now.clone()).unwrap_or_default() {
                    let kept = now.iter().any(|&(d, _)| d == dot);
                    if !kept && !versions.iter().any(|v| v.past.contains(dot)) {
                        dropped.insert(value, dot);
                    }
                }
            }
        }
        if reached || r.sim().halted().is_some() {
            break;
        }
    }
    let acked: BTreeSet<u64> = r.observed().ops.iter().filter(|o| o.ret.is_some()).filter_map(|o| o.write).collect();
    let lost = dropped.into_iter().filter(|(v, _)| acked.contains(v)).map(|(_, d)| (d.node, d.counter)).collect();
    (r, lost)
}

/// Keeping one sibling of concurrent writes drops the others. No Lost
/// Write must catch it in exactly the schedules where a dropped write was
/// acknowledged, before or after the drop, and never in the correct store;
/// and name every such write.
#[test]
fn no_lost_write_catches_every_schedule_where_an_acknowledged_write_is_dropped() {
    // "(node,counter)" in a violation's words.
    let named = |detail: &str| -> (u32, u64) {
        let inner = detail.split_once("write (").and_then(|(_, rest)| rest.split_once(')')).expect("names a write").0;
        let (n, c) = inner.split_once(',').expect("a dot");
        (n.parse().expect("a node"), c.parse().expect("a counter"))
    };
    let (mut dropping, mut caught) = (0, 0);
    for seed in 0..8 {
        for bug in [None, Some("keep_one_sibling")] {
            let bug_field = bug.map(|b| format!(r#""bug":"{b}","#)).unwrap_or_default();
            let store = format!(
                r#"{{{bug_field}"anti_entropy_ms":100,"workload":{{"clients":8,"think_ms":20,"keys":4,"stop_ms":3500}}}}"#
            );
            let (r, lost) = dropped_acknowledged_writes(scenario(&store, 5, seed, 7000, &random_timeline(seed)));
            let flagged: std::collections::BTreeSet<(u32, u64)> =
                r.violations().iter().filter(|v| v.property == "No Lost Write").map(|v| named(&v.detail)).collect();
            if bug.is_none() {
                assert!(lost.is_empty() && flagged.is_empty(), "seed {seed}: the correct store drops nothing");
                continue;
            }
            eprintln!("seed {seed}: {} acknowledged writes dropped; {} named", lost.len(), flagged.len());
            assert_eq!(flagged, lost, "seed {seed}: the writes named, and the writes dropped");
            dropping += usize::from(!lost.is_empty());
            caught += usize::from(!flagged.is_empty());
        }
    }
    assert_eq!(caught, dropping);
    assert!(dropping >= 6, "the bug dropped an acknowledged write in only {dropping} of 8 schedules");
}

/// The joined CRDT value of `key` at each of its home replicas.
fn crdt_values(r: &Runner<StoreNode>, key: u32) -> Vec<Crdt> {
    let first = r.sim().node(0).expect("n0 is up");
    let home = first.ring().preference_list(key, first.config().n);
    home.iter()
        .map(|&h| {
            let n = r.sim().node(h).expect("every node is up at the end");
            let versions = n.siblings(key).map(|s| s.versions().to_vec()).unwrap_or_default();
            crdt_value(n.config(), &versions).expect("a CRDT store")
        })
        .collect()
}

/// For each key of a counter run: the least and the most the counter can
/// read if every acknowledged update counts once, and any update that was
/// not acknowledged (failed or cut off) may or may not count. A client's
/// update adds one, or subtracts one when its id is 3 mod 4.
fn counter_bounds(r: &Runner<StoreNode>) -> std::collections::BTreeMap<u32, (i64, i64)> {
    let mut out = std::collections::BTreeMap::new();
    for op in r.observed().ops.iter().filter(|o| o.write.is_some()) {
        let delta = if op.id % 4 == 3 { -1 } else { 1 };
        let b: &mut (i64, i64) = out.entry(op.key).or_default();
        let (lo, hi) = if op.ret.is_some() { (delta, delta) } else { (delta.min(0), delta.max(0)) };
        b.0 += lo;
        b.1 += hi;
    }
    out
}

/// A CRDT store (`resolution`, and a `bug` if any) with 8 clients on 3 keys
/// under the random fault schedule of `seed`.
fn crdt_run(resolution: &str, bug: Option<&str>, seed: u64) -> Runner<StoreNode> {
    let bug = bug.map(|b| format!(r#""bug":"{b}","#)).unwrap_or_default();
    let store = format!(
        r#"{{"resolution":"{resolution}",{bug}"anti_entropy_ms":100,"workload":{{"clients":8,"think_ms":20,"keys":3,"stop_ms":3500}}}}"#
    );
    run(scenario(&store, 5, seed, 7000, &random_timeline(seed)))
}

/// No checker fired, every key converged, and the clients wrote.
fn clean(r: &Runner<StoreNode>, seed: u64) {
    assert!(r.violations().is_empty(), "seed {seed}: {:?}", r.violations());
    assert_eq!(divergent(r.sim()), None, "seed {seed}");
    assert!(r.observed().counts.writes_acked > 50, "seed {seed}: the clients wrote");
}

#[test]
fn a_crdt_counter_counts_every_acknowledged_update_from_both_sides() {
    for seed in 0..8 {
        let r = crdt_run("pn_counter", None, seed);
        clean(&r, seed);
        for (key, (lo, hi)) in counter_bounds(&r) {
            for v in crdt_values(&r, key) {
                let Crdt::Counter(c) = v else { panic!("a counter") };
                assert!((lo..=hi).contains(&c.value()), "seed {seed} k{key}: {} not in {lo}..={hi}", c.value());
            }
        }
    }
}

#[test]
fn a_counter_that_keeps_one_sibling_loses_updates_and_is_caught() {
    let (mut caught, mut short) = (0, 0);
    for seed in 0..8 {
        let r = crdt_run("pn_counter", Some("keep_one_sibling"), seed);
        caught += usize::from(r.violations().iter().any(|v| v.property == "No Lost Write"));
        let lost = counter_bounds(&r).into_iter().any(|(key, (lo, hi))| {
            crdt_values(&r, key).iter().any(|v| matches!(v, Crdt::Counter(c) if !(lo..=hi).contains(&c.value())))
        });
        short += usize::from(lost);
    }
    assert!(caught >= 4, "No Lost Write caught the naive merge in only {caught} of 8 schedules");
    assert!(short >= 4, "the naive merge miscounted in only {short} of 8 schedules");
}

#[test]
fn a_crdt_set_converges_under_random_faults_with_no_add_lost() {
    for seed in 0..8 {
        let r = crdt_run("or_set", None, seed);
        clean(&r, seed);
        let ids: std::collections::BTreeSet<u64> = r.observed().ops.iter().filter_map(|o| o.write).collect();
        for key in 0..3 {
            let values = crdt_values(&r, key);
            assert!(values.windows(2).all(|w| w[0] == w[1]), "seed {seed} k{key}: the replicas agree");
            let elements = values[0].read();
            // Clients remove once they see four; concurrent adds on both
            // sides of a fault can leave a few more.
            assert!(elements.len() < 12, "seed {seed} k{key}: removes took effect: {elements:?}");
            assert!(elements.iter().all(|e| ids.contains(e)), "seed {seed} k{key}: only what clients added");
        }
    }
}

#[test]
fn an_oversold_inventory_is_compensated_once_per_order_after_the_heal() {
    for (kind, seed) in [("refund", 1), ("refund", 2), ("back_order", 1), ("back_order", 3)] {
        let store = format!(
            r#"{{"n":3,"r":2,"w":2,"quorum":"sloppy","resolution":"or_set","workload":{{"clients":6,"think_ms":300,"read_fraction":0.2,"keys":1,"stop_ms":9000,"inventory":{{"stock":20,"compensation":"{kind}"}}}}}}"#
        );
        let split = r#"{"at_ms":500,"action":"partition","groups":[[0,1]]},{"at_ms":5000,"action":"heal_all"}"#;
        let r = run(scenario(&store, 5, seed, 12000, split));
        assert!(r.violations().is_empty(), "{kind} seed {seed}: {:?}", r.violations());
        let compensated = r.observed().counts.compensations;
        assert!(compensated > 0, "{kind} seed {seed}: both sides sold, so the item was oversold");
        for v in crdt_values(&r, 0) {
            let elements = v.read();
            let kept = elements.iter().filter(|&&e| e & BACK_ORDERED == 0).count();
            let back_ordered = elements.len() - kept;
            assert_eq!(kept, 20, "{kind} seed {seed}: exactly the stock is sold in the end");
            let expected = if kind == "refund" { 0 } else { compensated as usize };
            assert_eq!(back_ordered, expected, "{kind} seed {seed}: each oversold order compensated once");
        }
    }
}

#[test]
fn crdt_and_inventory_scenarios_refuse_what_they_cannot_do() {
    let bad = |store: &str| {
        let json = format!(r#"{{"version":1,"protocol":{{"store":{store}}},"nodes":5,"seed":1}}"#);
        Scenario::from_json(&json).expect_err("refused").to_string()
    };
    assert!(bad(r#"{"resolution":"pn_counter","workload":{"read_before_write":false}}"#)
        .contains("read_before_write must be true"));
    assert!(bad(r#"{"workload":{"inventory":{"stock":5,"compensation":"refund"}}}"#).contains("needs resolution"));
    assert!(bad(r#"{"resolution":"or_set","workload":{"inventory":{"stock":5,"compensation":"apologise"}}}"#)
        .contains("unknown variant `apologise`"));
    assert!(bad(r#"{"resolution":"or_set","workload":{"inventory":{"stock":50000,"compensation":"refund"}}}"#)
        .contains("stock must be at most 10000"));
}

/// The store's history is checked as a multi-value register's: every
/// write the clients saw acknowledged carries the version it made.
#[test]
fn every_acknowledged_write_in_the_checked_history_carries_its_version() {
    use splitbrain::history::mvr::{Input, Output};
    for seed in 0..4 {
        let store = r#"{"anti_entropy_ms":100,"workload":{"clients":8,"think_ms":20,"keys":4,"stop_ms":3500}}"#;
        let r = run(scenario(store, 5, seed, 7000, &random_timeline(seed)));
        let h = r.observed().sibling_history();
        let acked = h.iter().filter(|o| o.output == Output::Ok).count();
        let unversioned =
            h.iter().filter(|o| o.output == Output::Ok && matches!(o.input, Input::Put { dot: None, .. })).count();
        assert!(acked > 50, "seed {seed}: {acked}");
        assert_eq!(unversioned, 0, "seed {seed}: {unversioned} of {acked} acknowledged writes without a version");
        let multi = h.iter().filter(|o| matches!(&o.output, Output::Read(v) if v.len() > 1)).count();
        assert!(multi > 0, "seed {seed}: some read returned siblings");
    }
}

/// How long after the quiet instant (the heal at 2.5 s; writes stop at
/// 2 s) every key's replicas agree for good, the checker's bound, and
/// whether it flagged the run.
fn convergence_time(bug: Option<&str>, seed: u64) -> (Option<u64>, u64, bool) {
    use splitbrain::protocols::store::convergence::Convergence;
    let bug = bug.map(|b| format!(r#""bug":"{b}","#)).unwrap_or_default();
    let s = scenario(&format!(r#"{{{bug}"anti_entropy_ms":100,{WRITERS}}}"#), 5, seed, 6000, SPLIT);
    let (end, cluster) = (s.duration_ms.us(), s.cluster());
    let mut r: Runner<StoreNode> = Runner::build(s).expect("valid");
    r.run_until(2_500_000);
    let cfg = r.sim().node(0).expect("up").config().clone();
    let bound = Convergence::bound(&cfg, cluster.max_latency_us).expect("anti-entropy is on");
    let mut agreed = None;
    loop {
        let reached = r.run_within(end, &mut 1);
        match (divergent(r.sim()), agreed) {
            (None, None) => agreed = Some(r.sim().now() - 2_500_000),
            (Some(_), Some(_)) => agreed = None,
            _ => {}
        }
        if reached {
            break;
        }
    }
    let flagged = r.violations().iter().any(|v| v.property == "Convergence");
    (agreed, bound, flagged)
}

/// The bound is tested from both sides. The correct store converges well
/// within it; a store whose rounds come three times as far apart still
/// converges, but on some seeds just past the bound, and the checker flags
/// exactly those.
#[test]
fn convergence_is_flagged_exactly_when_it_comes_past_the_bound() {
    let (mut late, mut worst_correct) = (0, 0);
    for seed in 0..12 {
        let (agreed, bound, flagged) = convergence_time(None, seed);
        let agreed = agreed.expect("the correct store converges");
        assert!(!flagged && agreed < bound, "seed {seed}: {agreed} µs against the bound {bound} µs");
        worst_correct = worst_correct.max(agreed);
        let (agreed, bound, flagged) = convergence_time(Some("slow_sync"), seed);
        let agreed = agreed.expect("the slow store converges too, in the end");
        assert_eq!(flagged, agreed > bound, "seed {seed}: converged after {agreed} µs, the bound is {bound} µs");
        if flagged {
            late += 1;
            assert!(agreed < 2 * bound, "seed {seed}: {agreed} µs is not just past the bound {bound} µs");
        }
    }
    assert!(late >= 3, "the slow store came past the bound on only {late} of 12 seeds");
    eprintln!("slow store past the bound on {late} of 12 seeds; the correct one at most {worst_correct} µs");
}
