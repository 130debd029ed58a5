//! Single-decree Paxos in the simulator: under random crashes and restarts
//! its three properties hold; each broken variant is caught by name; and
//! two duelling proposers that retry at once take more ballots than with
//! random back-off (Paxos Made Simple §2.4).

use splitbrain::protocols::paxos::quorums::Flexible;
use splitbrain::protocols::paxos::{Backoff, Bug, Note, Paxos, PaxosChecker, PaxosConfig};
use splitbrain::sim::invariant::Checker;
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::rng::Rng;
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{Sim, Time, MS, SEC};

/// Runs to `end` with every property checked after each step; `faults`
/// crashes and restarts random nodes (seeded) every 20 to 60 ms. Returns
/// the properties broken and when the first node learned (if one did).
fn run(cfg: PaxosConfig, seed: u64, faults: bool, end: Time) -> (Vec<&'static str>, Option<Time>) {
    let n = cfg.nodes;
    let mut sim: Sim<Paxos> = Sim::new(cfg, n, seed, LinkConfig::default());
    let mut checker = PaxosChecker::default();
    let mut broken = Vec::new();
    let mut rng = Rng::new(seed, 999);
    let mut next_fault = 20 * MS;
    let mut learned = None;
    while sim.now() < end && broken.is_empty() {
        let until = if faults { next_fault.min(end) } else { end };
        while sim.step_through(until) {
            let mut out = Vec::new();
            checker.check(&sim, &mut out);
            broken.extend(out.iter().map(|v| v.property));
            if learned.is_none() && (0..n).any(|i| sim.node(i).is_some_and(|p| p.learned().is_some())) {
                learned = Some(sim.now());
            }
            if !broken.is_empty() {
                break;
            }
        }
        sim.run_until(until);
        if faults && sim.now() >= next_fault {
            let node = rng.below(u64::from(n)) as u32;
            if sim.node(node).is_some() {
                sim.crash(node);
            } else {
                sim.restart(node);
            }
            next_fault += 20 * MS + rng.below(40 * MS);
        }
    }
    (broken, learned)
}

fn cfg(proposers: Vec<u32>, backoff: Backoff, bug: Option<Bug>) -> PaxosConfig {
    PaxosConfig { nodes: 5, proposers, backoff, bug, ..PaxosConfig::default() }
}

#[test]
fn the_properties_hold_under_random_crashes_and_restarts() {
    let mut decided = 0;
    for seed in 0..200 {
        let (broken, learned) = run(cfg(vec![0, 1, 2], Backoff::Random, None), seed, true, 2 * SEC);
        assert!(broken.is_empty(), "seed {seed}: {broken:?}");
        decided += usize::from(learned.is_some());
    }
    // A value is chosen whenever a majority and a proposer stay up long
    // enough; with a crash or restart every 40 ms on average, nearly always.
    assert!(decided >= 190, "{decided} of 200 runs decided");
}

#[test]
fn each_broken_variant_is_caught_by_its_property() {
    for (bug, property) in
        [(Bug::ForgetPromise, "Promise Kept"), (Bug::IgnoreAccepted, "Agreement"), (Bug::BallotAsValue, "Validity")]
    {
        let caught = (0..200).find(|seed| {
            run(cfg(vec![0, 1, 2], Backoff::Random, Some(bug)), *seed, true, 2 * SEC).0.contains(&property)
        });
        assert!(caught.is_some(), "{bug:?}: {property} never broken in 200 seeds");
    }
}

/// Ballots started in a run of two proposers that both begin at 10 ms,
/// and when the first node learned.
fn duel(backoff: Backoff, backoff_us: Time, seed: u64) -> (u64, Option<Time>) {
    let c = PaxosConfig { backoff, backoff_us, ..cfg(vec![0, 1], backoff, None) };
    let mut sim: Sim<Paxos> = Sim::new(c, 5, seed, LinkConfig::default());
    let mut ballots = 0;
    let mut learned = None;
    while sim.step_through(5 * SEC) {
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Note { note: Note::Ballot { .. }, .. } => ballots += 1,
                EventKind::Note { note: Note::Learned { .. }, .. } => {
                    learned.get_or_insert(e.time);
                }
                _ => {}
            }
        }
    }
    (ballots, learned)
}

#[test]
fn duelling_proposers_retrying_at_once_take_more_ballots_than_with_random_back_off() {
    // Retrying 0.1 ms after a refusal, two proposers keep pre-empting each
    // other's phase 2 (§2.4) until the network's jitter lets one through;
    // a random wait of up to 20 ms ends the duel sooner.
    let (mut long_fixed, mut long_random, mut most) = (0, 0, 0);
    for seed in 0..200 {
        let (f, f_at) = duel(Backoff::Fixed, 100, seed);
        let (r, r_at) = duel(Backoff::Random, 20 * MS, seed);
        assert!(f_at.is_some() && r_at.is_some(), "seed {seed}: every run decides in the end");
        long_fixed += usize::from(f >= 5);
        long_random += usize::from(r >= 5);
        most = most.max(f);
    }
    eprintln!("runs with 5 or more ballots: {long_fixed} of 200 retrying at once, {long_random} with random back-off; most {most}");
    assert!(long_fixed >= 10 && long_fixed >= 3 * long_random.max(1), "{long_fixed} against {long_random}");
}

/// Flexible Paxos (Howard et al. 2016): six acceptors choosing with
/// phase-2 quorums of 2 stay safe while |Q1| + |Q2| > 6 (Q1 = 5); with
/// Q1 = 4, 4 + 2 = 6, and a new proposer can miss the two that accepted:
/// Agreement catches it.
#[test]
fn flexible_quorums_are_safe_when_they_intersect_and_caught_when_they_do_not() {
    let flexible =
        |q1, q2| PaxosConfig { nodes: 6, q1: Some(q1), q2: Some(q2), ..cfg(vec![0, 1, 2], Backoff::Random, None) };
    let mut decided = 0;
    for seed in 0..200 {
        let (broken, learned) = run(flexible(5, 2), seed, true, 2 * SEC);
        assert!(broken.is_empty(), "seed {seed}: {broken:?}");
        decided += usize::from(learned.is_some());
    }
    assert!(decided >= 190, "{decided} of 200 runs decided");
    let caught = (0..500).find(|seed| run(flexible(4, 2), *seed, true, 2 * SEC).0.contains(&"Agreement"));
    assert!(caught.is_some(), "|Q1| + |Q2| = N never broke Agreement in 500 seeds");
    assert!(!flexible(4, 2).quorums_intersect() && flexible(5, 2).quorums_intersect());
}
