//! Invariant checkers under randomized fault schedules: the correct Raft
//! never violates Figure 3, and each checker catches a deliberately broken
//! variant (DESIGN law 7).

use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::experiments::golden::FIGURE_8;
use splitbrain::protocols::raft::invariants::{Property, RaftChecker};
use splitbrain::protocols::raft::Bug;
use splitbrain::scenario::{LinkSpec, Runner, Scenario};

/// 2,000 random schedules of crashes, restarts, partitions, heals, loss,
/// duplication, pauses, clock skew, transfers and forced elections, with
/// client load, across cluster sizes and options: zero violations.
#[test]
fn correct_raft_survives_2000_random_fault_schedules() {
    let (mut events, mut eventful) = (0, 0);
    for seed in 0..2000u64 {
        let mut p = ChaosParams { nodes: 3 + (seed % 5) as u32, ..ChaosParams::default() };
        p.raft.prevote = seed % 2 == 1;
        p.raft.check_quorum = seed % 3 == 1;
        if seed % 4 == 3 {
            p.network = LinkSpec { latency_ms: [1.0, 40.0], loss: 0.05, dup: 0.02, ..LinkSpec::default() };
        }
        let r = chaos::run(&p, seed);
        assert!(r.violations.is_empty(), "seed {seed} ({} nodes): {:?}", p.nodes, r.violations);
        events += r.metrics.events;
        // Schedules that changed leaders and committed entries test something.
        eventful += u32::from(r.metrics.protocol.leader_changes >= 2 && r.metrics.protocol.committed_entries >= 10);
    }
    println!("{events} events; {eventful} of 2000 schedules had 2+ leaders and 10+ commits");
    assert!(events > 2_000_000, "only {events} events: the schedules are too short to mean much");
    assert!(eventful > 1000, "only {eventful} schedules exercised elections and commits");
}

/// Runs chaos schedules with `bug` and a checker of `property` alone; returns
/// the first seed at which the checker reports a violation.
fn first_catch(bug: Bug, property: Property, seeds: u64) -> Option<u64> {
    let mut p = ChaosParams::default();
    p.raft.bug = Some(bug);
    (0..seeds).find(|&seed| {
        let mut r = Runner::<splitbrain::protocols::raft::Raft>::with_checker(
            chaos::schedule(&p, seed),
            RaftChecker::new(&[property]),
        )
        .unwrap();
        r.run_to_end();
        let v = r.violations();
        assert!(v.iter().all(|v| v.property == property.name()));
        !v.is_empty()
    })
}

/// Raft §5.2: a server that votes twice in a term lets two leaders win it.
#[test]
fn election_safety_checker_catches_servers_that_vote_twice() {
    assert!(first_catch(Bug::VoteTwice, Property::ElectionSafety, 200).is_some());
}

/// Raft §5.3: a leader that rewrites its own uncommitted entry is caught.
#[test]
fn leader_append_only_checker_catches_a_leader_that_overwrites_its_log() {
    assert!(first_catch(Bug::LeaderOverwritesUncommitted, Property::LeaderAppendOnly, 50).is_some());
}

/// Raft §5.3: a follower that skips the prevLogTerm check ends up with an
/// entry whose index and term match another log's but whose prefix does not.
#[test]
fn log_matching_checker_catches_followers_that_skip_the_consistency_check() {
    assert!(first_catch(Bug::SkipPrevTermCheck, Property::LogMatching, 200).is_some());
}

/// Raft §5.4.1: voting without the up-to-date check elects a leader that
/// lacks committed entries.
#[test]
fn leader_completeness_checker_catches_votes_without_the_log_check() {
    assert!(first_catch(Bug::VoteWithoutLogCheck, Property::LeaderCompleteness, 200).is_some());
}

/// Raft §5.4.2, Figure 8: committing an earlier-term entry by counting
/// replicas lets a later leader overwrite it after it was applied.
#[test]
fn state_machine_safety_checker_catches_the_figure_8_commit_rule() {
    let s = Scenario::from_json(FIGURE_8).unwrap();
    let mut r =
        Runner::<splitbrain::protocols::raft::Raft>::with_checker(s, RaftChecker::new(&[Property::StateMachineSafety]))
            .unwrap();
    r.run_to_end();
    let v = r.violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].property, "State Machine Safety");
    assert_eq!(v[0].nodes, vec![0, 4]);
    assert!(v[0].detail.contains("index 2"), "{}", v[0].detail);
}

/// Every bug is also caught by the full checker in chaos: the variants are
/// not tailored to one property.
#[test]
fn every_broken_variant_is_caught_somewhere_in_chaos() {
    for bug in [Bug::VoteTwice, Bug::VoteWithoutLogCheck, Bug::SkipPrevTermCheck, Bug::LeaderOverwritesUncommitted] {
        let mut p = ChaosParams::default();
        p.raft.bug = Some(bug);
        let caught = (0..200).any(|seed| !chaos::run(&p, seed).violations.is_empty());
        assert!(caught, "{bug:?} was never caught");
    }
}
