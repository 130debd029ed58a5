//! A fixed set of seeded runs whose trace hashes are recorded in
//! `tests/golden/trace_hashes.txt`. The native and the wasm test suites both
//! compute them and compare with that file, which proves that the simulator
//! draws and orders everything the same way on both.

use super::chaos::{self, ChaosParams};
use super::failover::{self, FailoverParams};
use crate::scenario::{LinkSpec, Runner, Scenario};
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
    out
}

/// The golden file's text for `cases`.
pub fn render(cases: &[(String, u64)]) -> String {
    cases.iter().map(|(n, h)| format!("{n} {h:016x}\n")).collect()
}
