//! A fixed set of seeded runs whose trace hashes are recorded in
//! `tests/golden/trace_hashes.txt`. The native and the wasm test suites both
//! compute them and compare with that file, which proves that the simulator
//! draws and orders everything the same way on both.

use super::chaos::{self, ChaosParams, FaultParams};
use super::failover::{self, FailoverParams};
use crate::protocols::gossip::GossipSpec;
use crate::protocols::raft::WitnessLog;
use crate::protocols::swim::SwimSpec;
use crate::scenario::{presets, visit, LinkSpec, ProtocolKind, ProtocolSpec, Registered, Runner, Scenario, Visit};
use crate::sim::rng::derive_seed;

/// The Figure 8 preset, shared with the playground.
pub const FIGURE_8: &str = include_str!("../../static/scenarios/figure-8.json");

/// `(name, trace hash)` for every golden case, in a fixed order.
pub fn cases() -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let lossy = ChaosParams {
        network: LinkSpec { latency_ms: [2.0, 30.0], loss: 0.1, dup: 0.05, ..LinkSpec::default() },
        ..ChaosParams::default()
    };
    // 50 seeded scenarios: random faults (crash, partition, pause, clock
    // skew, transfers), half of them on a lossy, duplicating network.
    for seed in 0..25 {
        let r = chaos::run(&ChaosParams::default(), seed);
        out.push((format!("chaos-{seed}"), u64::from_str_radix(&r.trace_hash, 16).unwrap_or(0)));
        let r = chaos::run(&lossy, seed);
        out.push((format!("chaos-lossy-{seed}"), u64::from_str_radix(&r.trace_hash, 16).unwrap_or(0)));
    }
    let mut fig8 = Runner::new(Scenario::from_json(FIGURE_8).expect("preset parses")).expect("preset is valid");
    fig8.run_to_end();
    out.push(("figure-8".into(), fig8.sim().trace().hash()));
    // One failover trial per case; its hash covers the drifting clocks.
    for i in 0..4 {
        let p = FailoverParams { trials: 1, unequal_logs: i % 2 == 1, ..FailoverParams::default() };
        let (hash, _) = failover::trial_with_hash(&p, derive_seed(1, i));
        out.push((format!("failover-{i}"), hash));
    }
    // The leader-pattern presets, and the metrics figures of one of them.
    for id in ["witness-2-plus-1", "rotation-under-load", "long-outage-snapshot", "membership-change", "slow-disk"] {
        let s = presets::find(id).and_then(|p| p.scenario().ok()).expect("preset parses");
        let mut r = Runner::new(s).expect("preset is valid");
        r.run_to_end();
        out.push((id.to_string(), r.sim().trace().hash()));
        if id == "rotation-under-load" {
            let json = serde_json::to_string(&r.report().figures).expect("figures serialise");
            let mut h = crate::sim::trace::StableHasher::default();
            std::hash::Hasher::write(&mut h, json.as_bytes());
            out.push(("figures-rotation-under-load".into(), std::hash::Hasher::finish(&h)));
        }
    }
    // Chaos with every pattern mixed in: leases, a witness, rotation,
    // snapshots, membership changes and reads.
    for seed in 0..6u64 {
        let mut p = ChaosParams { clock_steps: false, reads: true, membership: true, ..ChaosParams::default() };
        p.raft.lease_drift_bound_ppm = Some(60_000);
        p.raft.witnesses = vec![4];
        p.raft.witness_log = if seed % 2 == 0 { WitnessLog::Metadata } else { WitnessLog::Full };
        p.raft.rotate_every_ms = Some(400.0);
        p.raft.snapshot_every = Some(15);
        let r = chaos::run(&p, seed);
        out.push((format!("chaos-patterns-{seed}"), u64::from_str_radix(&r.trace_hash, 16).unwrap_or(0)));
    }
    // Gossip and SWIM on the same runner: every preset of theirs, and
    // random fault schedules (crashes, pauses, partitions, loss, drift).
    for p in presets::PRESETS.iter().filter(|p| p.protocol() != ProtocolKind::Raft) {
        let s = p.scenario().expect("preset parses");
        out.push((p.id.to_string(), run_any(s)));
    }
    for seed in 0..3u64 {
        for (name, protocol, nodes) in [
            ("gossip", ProtocolSpec::Gossip(GossipSpec { period_ms: 100.0, ..GossipSpec::default() }), 40),
            (
                "swim",
                ProtocolSpec::Swim(SwimSpec { period_ms: 200.0, suspicion_ms: Some(600.0), ..SwimSpec::default() }),
                20,
            ),
        ] {
            let p = FaultParams {
                protocol,
                nodes,
                duration_us: 20_000_000,
                faults_until_us: 10_000_000,
                mean_fault_gap_us: 400_000,
                network: LinkSpec { latency_ms: [5.0, 30.0], ..LinkSpec::default() },
                max_drift_ppm: 50_000,
            };
            out.push((format!("faults-{name}-{seed}"), run_any(chaos::fault_schedule(&p, seed))));
        }
    }
    out
}

/// The trace hash of a scenario of any protocol, run to its end.
fn run_any(s: Scenario) -> u64 {
    struct Hash;
    impl Visit for Hash {
        type Output = u64;
        fn visit<P: Registered>(self, s: Scenario) -> u64 {
            let mut r = Runner::<P>::build(s).expect("a valid scenario");
            r.run_to_end();
            r.sim().trace().hash()
        }
    }
    visit(s, Hash)
}

/// The golden file's text for `cases`.
pub fn render(cases: &[(String, u64)]) -> String {
    cases.iter().map(|(n, h)| format!("{n} {h:016x}\n")).collect()
}
