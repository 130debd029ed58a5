//! Stable storage as a modelled cost: a server's
//! messages wait for the writes that precede them, a crash loses what
//! waited, Raft stays safe under random faults with slow disks, and with no
//! latency set runs are unchanged (the golden hashes, `tests/determinism.rs`).

use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::experiments::failover::FailoverParams;
use splitbrain::protocols::raft::{Msg, Raft, RaftConfig};
use splitbrain::scenario::{Runner, Scenario};
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{NodeId, Sim, Time, MS};

/// Runs a 3-server cluster for 2 s, returning its sends, writes and crash
/// as (time, kind name, node that acted, a granted vote, a write's end).
fn first_election(
    storage: Option<(u64, u64)>,
    crash_first_writer: bool,
) -> Vec<(Time, &'static str, NodeId, bool, Time)> {
    let cfg = RaftConfig { nodes: 3, ..RaftConfig::default() };
    let mut sim: Sim<Raft> = Sim::new(cfg, 3, 5, LinkConfig::default());
    sim.set_storage(storage);
    let mut out = Vec::new();
    let mut crashed = None;
    while sim.now() < 2_000 * MS && sim.step() {
        // It comes back 10 ms later, before its write would have ended.
        if let Some((n, at)) = crashed {
            if sim.now() >= at + 10 * MS && sim.node(n).is_none() {
                sim.restart(n);
                out.push((sim.now(), "restart", n, false, 0));
            }
        }
        let mut crash = None;
        for e in sim.trace().last_step() {
            let (name, node, vote, until) = match &e.kind {
                EventKind::Send { from, msg: Msg::RequestVoteReply { granted, .. }, .. } => {
                    ("reply", *from, *granted, 0)
                }
                EventKind::Send { from, .. } => ("send", *from, false, 0),
                EventKind::Persist { node, until } => ("disk", *node, false, *until),
                _ => continue,
            };
            out.push((e.time, name, node, vote, until));
            // The first voter to start writing its vote crashes at once.
            if crash_first_writer
                && crashed.is_none()
                && name == "disk"
                && sim.node(node).is_some_and(|r| r.voted_for() != Some(node))
            {
                crash = Some(node);
            }
        }
        if let Some(n) = crash {
            sim.crash(n);
            crashed = Some((n, sim.now()));
            out.push((sim.now(), "crash", n, false, 0));
        }
    }
    out
}

#[test]
fn a_granted_vote_leaves_only_once_the_vote_is_written() {
    let events = first_election(Some((20 * MS, 20 * MS)), false);
    let votes: Vec<_> = events.iter().filter(|e| e.1 == "reply" && e.3).collect();
    assert!(!votes.is_empty(), "someone voted: {events:?}");
    for &&(t, _, voter, ..) in &votes {
        // It adopted the term and then voted: two writes, one after the
        // other; the vote leaves when the last one ends.
        let writes: Vec<_> = events.iter().filter(|e| e.1 == "disk" && e.2 == voter && e.0 <= t).collect();
        let last = writes.iter().map(|e| e.4).max().expect("the voter wrote its vote first");
        assert_eq!(t, last, "n{voter}'s vote left at {t}, its writes ended at {last}");
        let began = writes.iter().filter(|e| e.4 == last).map(|e| e.0).max().unwrap_or(0);
        assert!(t >= began + 20 * MS, "the write takes 20 ms");
    }
    // Without storage latency the vote leaves in the same instant, and no
    // write is traced.
    let fast = first_election(None, false);
    assert!(fast.iter().all(|e| e.1 != "disk"));
    assert!(fast.iter().any(|e| e.1 == "reply" && e.3));
}

#[test]
fn a_crash_during_the_write_loses_what_waited_for_it() {
    let events = first_election(Some((50 * MS, 50 * MS)), true);
    let &(at, _, node, ..) = events.iter().find(|e| e.1 == "crash").expect("a voter crashed mid-write");
    assert!(events.iter().any(|e| e.1 == "restart" && e.2 == node), "it restarted");
    // The vote it was writing (two 50 ms writes: the term, then the vote)
    // was never sent, before or after the restart.
    let votes: Vec<_> = events.iter().filter(|e| e.2 == node && e.0 >= at && e.0 <= at + 120 * MS && e.3).collect();
    assert!(votes.is_empty(), "n{node} sent the vote its crash interrupted: {votes:?}");
}

#[test]
fn raft_stays_safe_under_random_faults_with_slow_storage() {
    for seed in 0..12 {
        let p = ChaosParams::default();
        let mut s: Scenario = chaos::schedule(&p, seed);
        s.fsync_ms = Some([1.0, 30.0]);
        let mut r: Runner<Raft> = Runner::new(s).expect("valid");
        r.run_to_end();
        assert!(r.violations().is_empty(), "seed {seed}: {:?}", r.violations());
        assert!(r.report().metrics.events > 1000);
    }
}

#[test]
fn impossible_storage_latencies_are_refused() {
    let bad = |fsync: &str| {
        let json = format!(r#"{{"version":1,"protocol":{{"raft":{{}}}},"nodes":3,"seed":1,"fsync_ms":{fsync}}}"#);
        Scenario::from_json(&json).expect_err("refused").to_string()
    };
    assert!(bad("[9, 3]").contains("runs backwards"));
    assert!(bad("[-1, 3]").contains("0 ms or more"));
    assert!(bad("[1, 20000]").contains("beyond the 10000 ms limit"));
    let p = FailoverParams { fsync_us: (0, 20_000 * MS), ..FailoverParams::default() };
    assert!(p.validate().unwrap_err().contains("--fsync-ms"));
}
