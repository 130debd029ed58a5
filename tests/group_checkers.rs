//! Gossip's and SWIM's checked properties under random fault schedules: the
//! correct protocols never violate them, and each checker catches its
//! deliberately broken variant, by name and alone (law 7, docs/architecture.md).

use splitbrain::experiments::chaos::{fault_schedule, FaultParams};
use splitbrain::protocols::gossip::{self, Exchange, Gossip, GossipSpec, Mode};
use splitbrain::protocols::swim::{self, Swim, SwimSpec, TargetSelection};
use splitbrain::scenario::{LinkSpec, ProtocolSpec, RunReport, Runner, Scenario};
use splitbrain::sim::{MS, SEC};

fn gossip(bug: Option<gossip::Bug>) -> ProtocolSpec {
    ProtocolSpec::Gossip(GossipSpec {
        mode: Mode::AntiEntropy,
        exchange: Exchange::PushPull,
        period_ms: 100.0,
        bug,
        ..GossipSpec::default()
    })
}

fn swim(suspicion: bool, bug: Option<swim::Bug>) -> ProtocolSpec {
    ProtocolSpec::Swim(SwimSpec {
        period_ms: 200.0,
        target: TargetSelection::RoundRobin,
        suspicion_ms: suspicion.then_some(600.0),
        bug,
        ..SwimSpec::default()
    })
}

fn params(protocol: ProtocolSpec, nodes: u32) -> FaultParams {
    FaultParams {
        protocol,
        nodes,
        duration_us: 30 * SEC,
        faults_until_us: 12 * SEC,
        mean_fault_gap_us: 400 * MS,
        network: LinkSpec { latency_ms: [5.0, 30.0], ..LinkSpec::default() },
        max_drift_ppm: 50_000,
    }
}

fn run_gossip(s: Scenario) -> RunReport<Gossip> {
    let mut r = Runner::<Gossip>::build(s).unwrap();
    r.run_to_end();
    r.report()
}

fn run_swim(s: Scenario) -> RunReport<Swim> {
    let mut r = Runner::<Swim>::build(s).unwrap();
    r.run_to_end();
    r.report()
}

fn props<P: splitbrain::scenario::Registered>(r: &RunReport<P>) -> Vec<&'static str> {
    r.violations.iter().map(|v| v.property).collect()
}

/// 300 random fault schedules against 30-site push-pull anti-entropy:
/// crashes (a site keeps the update in its database), restarts, pauses,
/// partitions, lossy links and drifting clocks. No site ever un-learns.
#[test]
fn correct_anti_entropy_never_unlearns_under_300_fault_schedules() {
    let (mut informed, mut sites) = (0, 0);
    for seed in 0..300 {
        let r = run_gossip(fault_schedule(&params(gossip(None), 30), seed));
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
        informed += r.metrics.protocol.informed;
        sites += r.metrics.protocol.sites;
    }
    // The update really spread: the property was exercised, not vacuous.
    assert!(informed * 10 > sites * 9, "only {informed} of {sites} sites ever learned the update");
}

/// Demers §1: anti-entropy merges. A variant that copies the partner's
/// state instead forgets the update; the checker catches it in 199 of 200
/// schedules (measured by `catch_rates`). Asking for 17 of 20: at that
/// rate all but 3 miss with probability 3e-6, and a checker that caught
/// half as often would pass with probability 0.001.
#[test]
fn no_unlearning_checker_catches_anti_entropy_that_replaces_instead_of_merging() {
    let p = params(gossip(Some(gossip::Bug::ReplaceOnPull)), 30);
    let caught = (0..20).filter(|s| props(&run_gossip(fault_schedule(&p, *s))) == ["No Un-learning"]).count();
    assert!(caught >= 17, "caught in {caught} of 20 schedules");
}

/// 300 schedules against 20-member SWIM, with and without suspicion: no
/// member breaks the incarnation rules, and every crash that outlives the
/// bound is declared failed by every steady member in time.
#[test]
fn correct_swim_is_complete_and_keeps_incarnation_precedence_under_300_fault_schedules() {
    let (mut crashes, mut known) = (0, 0);
    for seed in 0..300 {
        let r = run_swim(fault_schedule(&params(swim(seed % 2 == 0, None), 20), seed));
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
        crashes += r.metrics.protocol.crashes;
        known += r.metrics.protocol.known_by_all;
    }
    assert!(crashes > 300 && known > 100, "{crashes} crashes, {known} known by all: too few to mean much");
}

/// SWIM §2: a member that stays suspect forever never completes detection.
/// Caught in every one of 200 schedules (measured); 3 schedules suffice.
#[test]
fn strong_completeness_checker_catches_suspicions_that_never_expire() {
    let p = params(swim(true, Some(swim::Bug::SuspectForever)), 20);
    for seed in 0..3 {
        assert_eq!(props(&run_swim(fault_schedule(&p, seed))), ["Strong Completeness"], "seed {seed}");
    }
}

/// The same bug with one crash and no other fault: the violation names the
/// crashed member and a member that still only suspects it, after the bound.
#[test]
fn strong_completeness_names_who_missed_the_crash_and_when() {
    let mut s = Scenario {
        protocol: swim(true, Some(swim::Bug::SuspectForever)),
        duration_ms: splitbrain::scenario::Millis(20 * SEC),
        ..Scenario::raft(10, 3)
    };
    s.timeline.push(splitbrain::scenario::TimedAction {
        at: splitbrain::scenario::Millis(SEC),
        action: splitbrain::scenario::Action::Crash { node: splitbrain::scenario::Target::Node(4) },
    });
    let r = run_swim(s);
    let v = &r.violations[0];
    // B = (2n + 1)·T + T_suspicion = 21 × 200 ms + 600 ms = 4.8 s after the
    // crash at 1 s; the checker reports it at the first event past 5.8 s
    // (members tick every 200 ms, so within one period).
    assert!((5_800 * MS..6_000 * MS).contains(&v.time_us), "{v}");
    assert_eq!(v.nodes[1], 4);
    assert!(v.detail.contains("still sees it as suspect"), "{v}");
}

/// SWIM §4.2: applying updates without comparing incarnations lets a stale
/// suspicion undo a refutation. Caught in 161 of 200 schedules (measured
/// by `catch_rates`). Asking for 19 of 30: at that rate fewer happen with
/// probability 0.008, and a checker that caught half as often would pass
/// with probability 0.009.
#[test]
fn incarnation_checker_catches_updates_applied_without_comparing_incarnations() {
    let p = params(swim(true, Some(swim::Bug::IgnoreIncarnation)), 20);
    let caught = (0..30).filter(|s| props(&run_swim(fault_schedule(&p, *s))) == ["Incarnation Precedence"]).count();
    assert!(caught >= 19, "caught in {caught} of 30 schedules");
}

/// The catch rates the thresholds above come from, over 200 schedules.
/// `cargo test --release --test group_checkers catch_rates -- --ignored --nocapture`.
#[test]
#[ignore]
fn catch_rates() {
    let p = params(gossip(Some(gossip::Bug::ReplaceOnPull)), 30);
    let caught = (0..200).filter(|s| props(&run_gossip(fault_schedule(&p, *s))) == ["No Un-learning"]).count();
    println!("ReplaceOnPull: {caught}/200");
    let p = params(swim(true, Some(swim::Bug::IgnoreIncarnation)), 20);
    let caught = (0..200).filter(|s| props(&run_swim(fault_schedule(&p, *s))) == ["Incarnation Precedence"]).count();
    println!("IgnoreIncarnation: {caught}/200");
}
