//! Leader leases (Ongaro's dissertation §6.4.1) and vote stickiness (§4.2.3).

use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::protocols::raft::{cluster, Raft, RaftConfig};
use splitbrain::scenario::presets;
use splitbrain::scenario::Runner;
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::{Sim, MS, SEC};

/// Chaos schedules skew clocks by up to ±5% (50,000 ppm). With leases sized
/// for a 6% bound, no two servers ever believe they hold a lease at once,
/// and no read is stale. The count of reads served by lease shows that the
/// leases were really held: "no violation" is not "no lease".
#[test]
fn leases_stay_exclusive_under_chaos_when_drift_is_within_the_bound() {
    // Clocks drift but are never stepped: a lease needs a monotonic clock.
    // Every write is followed by a read, served by lease or ReadIndex.
    let mut p = ChaosParams { clock_steps: false, reads: true, ..ChaosParams::default() };
    p.raft.lease_drift_bound_ppm = Some(60_000);
    let mut by_lease = 0;
    for seed in 0..400 {
        let mut r = Runner::new(chaos::schedule(&p, seed)).unwrap();
        r.record(true);
        r.run_to_end();
        assert!(r.violations().is_empty(), "seed {seed}: {:?}", r.violations());
        by_lease += r.text().iter().filter(|l| l.ends_with("(lease)")).count();
    }
    assert!(by_lease > 10_000, "only {by_lease} reads were served by lease");
}

/// Chaos whose clocks drift by up to ±50%, with leases sized for 1%: the
/// checker catches an overlapping lease. Overlaps need a slow leader to be
/// cut off and replaced inside its lease: measured, 8 schedules in 3,000
/// with a fault every 60 ms on average (rate 0.27%). 2,000 schedules all
/// miss with probability (1 − 0.00267)^2000 = 0.5%. The lease preset
/// scripts an overlap, with the stale read it allows.
#[test]
fn the_lease_checker_catches_drift_past_the_bound() {
    let mut p = ChaosParams {
        clock_steps: false,
        max_drift_ppm: 500_000,
        mean_fault_gap_us: 60 * MS,
        reads: true,
        ..ChaosParams::default()
    };
    p.raft.lease_drift_bound_ppm = Some(10_000);
    let caught =
        (0..2000).find(|&seed| chaos::run(&p, seed).violations.iter().any(|v| v.property == "Lease Exclusivity"));
    assert!(caught.is_some(), "no overlap found in 2000 schedules");
}

/// The preset pair: a leader clock 50% slow overlaps leases; 0.5% does not.
#[test]
fn the_lease_presets_show_both_ways_it_can_go() {
    let run = |id: &str| {
        let mut r = Runner::new(presets::find(id).unwrap().scenario().unwrap()).unwrap();
        r.run_to_end();
        r.violations().iter().map(|v| v.property).collect::<Vec<_>>()
    };
    assert_eq!(run("lease-clock-skew"), ["Lease Exclusivity", "Linearizable Reads"]);
    assert!(run("lease-clock-skew-in-bound").is_empty());
}

/// §4.2.3: with vote stickiness, a server that stops hearing the leader
/// (here: the leader's link to it is cut one way) and campaigns cannot
/// disrupt a leader that everyone else still hears from.
#[test]
fn vote_stickiness_rejects_a_disruptive_candidate() {
    for (sticky, disrupted) in [(false, true), (true, false)] {
        let cfg = RaftConfig { vote_stickiness: sticky, ..RaftConfig::default() };
        let mut sim: Sim<Raft> = Sim::new(cfg, 5, 21, LinkConfig::default());
        sim.run_until(SEC);
        let leader = cluster::leader(&sim).unwrap();
        let term = sim.node(leader).unwrap().term();
        let f = (leader + 1) % 5;
        sim.cut(leader, f);
        sim.run_until(3 * SEC); // f times out and asks everyone for votes
        let still = cluster::leader(&sim) == Some(leader) && sim.node(leader).unwrap().term() == term;
        assert_eq!(!still, disrupted, "sticky={sticky}");
    }
}

/// §6.4.1: the lease lasts T_min·(1 − ε)/(1 + ε) of the leader's clock,
/// from the start of the heartbeat round a majority acknowledged. With
/// T_min = 150 ms and ε = 1%: 150 × 0.99 / 1.01 = 147.0297 ms.
#[test]
fn the_lease_length_is_the_minimum_election_timeout_shrunk_by_the_drift_bound() {
    let cfg = RaftConfig { lease_drift_bound_ppm: Some(10_000), ..RaftConfig::default() };
    assert_eq!(cfg.election_timeout_min_us, 150_000);
    assert_eq!(cfg.lease_us(), Some(147_029));
    let cfg = RaftConfig { lease_drift_bound_ppm: Some(100_000), ..cfg };
    assert_eq!(cfg.lease_us(), Some(122_727), "150 × 0.9 / 1.1 = 122.727 ms");
}

/// §6.4.1: a leader holds a lease only while a majority acknowledged it
/// recently; cut off, it loses the lease within the lease's length
/// (147.029 ms for T_min = 150 ms and ε = 1%, pinned above).
#[test]
fn an_isolated_leader_loses_its_lease_within_the_lease_length() {
    let cfg = RaftConfig { lease_drift_bound_ppm: Some(10_000), ..RaftConfig::default() };
    let lease = 147_029;
    let mut sim: Sim<Raft> = Sim::new(cfg, 5, 22, LinkConfig::default());
    sim.run_until(SEC);
    let leader = cluster::leader(&sim).unwrap();
    assert!(sim.node(leader).unwrap().lease_valid(sim.local_time(leader)));
    sim.isolate(leader);
    let cut = sim.now();
    sim.run_until(cut + lease + 10 * MS);
    let r = sim.node(leader).unwrap();
    assert!(!r.lease_valid(sim.local_time(leader)), "lease still valid {} us after the cut", sim.now() - cut);
}

/// Without leases, reads go through ReadIndex (a round of heartbeats), and
/// chaos with reads finds no stale answer either.
#[test]
fn read_index_reads_are_linearizable_under_chaos() {
    let p = ChaosParams { reads: true, ..ChaosParams::default() };
    let mut served = 0;
    for seed in 0..300 {
        let mut r = Runner::new(chaos::schedule(&p, seed)).unwrap();
        r.record(true);
        r.run_to_end();
        assert!(r.violations().is_empty(), "seed {seed}: {:?}", r.violations());
        served += r.text().iter().filter(|l| l.contains("(read index)")).count();
    }
    assert!(served > 1000, "only {served} reads answered");
}
