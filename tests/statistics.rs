//! Every number the README publishes from a Monte Carlo run, pinned by a
//! test whose tolerance comes from the trial counts, not chosen to pass.
//!
//! Each test draws fresh trials (seeds other than the README's) and asks
//! whether they and the published number could come from the same
//! distribution: the difference of the two means must lie within the 99%
//! confidence interval of a difference, 2.576 × s × √(1/n + 1/n_published)
//! (s: the fresh trials' standard deviation), widened by half a unit of the
//! last digit the README prints. With the trial counts used here the
//! interval is a few percent of the value, so an implementation off by a
//! factor of 2 fails. A rate of rare events (SWIM's false positives) uses
//! the Poisson interval instead.

use splitbrain::experiments::failover::{self, FailoverParams};
use splitbrain::experiments::gossip::{self, GossipParams, MAX_CYCLES};
use splitbrain::experiments::swim::{self, SwimParams};
use splitbrain::protocols::gossip::LossOfInterest;
use splitbrain::protocols::raft::Raft;
use splitbrain::scenario::{presets, Runner};
use splitbrain::sim::rng::derive_seed;

mod common;
use common::{agrees, Z99};

/// The README's failover table, 150-300 ms (seed 1, 100,000 trials): mean
/// 176 ms, 1.019 terms per failover, a split-vote rate of 0.019. 10,000
/// fresh trials: rare split votes need that many for a 2x error to fail.
#[test]
fn readme_failover_at_150_300_ms() {
    let p = FailoverParams { seed: 77, ..FailoverParams::default() };
    let trials: Vec<_> = (0..10_000).map(|i| failover::trial(&p, derive_seed(p.seed, i))).collect();
    let ms: Vec<f64> = trials.iter().map(|t| t.failover_us as f64 / 1000.0).collect();
    let width = agrees("mean failover (ms)", &ms, 176.0, 100_000, 1.0);
    assert!(width < 0.1, "the interval is {:.0}% of the value: too wide to catch a 2x error", width * 100.0);
    // The terms beyond the first: a failover that took twice as many
    // extra terms must fail.
    let extra: Vec<f64> = trials.iter().map(|t| t.terms as f64 - 1.0).collect();
    let width = agrees("extra terms per failover", &extra, 0.019, 100_000, 0.001);
    assert!(width < 0.5, "the interval is {:.0}% of the extra terms", width * 100.0);
    let split: Vec<f64> = trials.iter().map(|t| f64::from(u8::from(t.split_vote))).collect();
    let width = agrees("split-vote rate", &split, 0.019, 100_000, 0.001);
    assert!(width < 0.5, "the interval is {:.0}% of the split-vote rate", width * 100.0);
}

/// The README's rotation windows: 900 rotations over 100 seeds of
/// `rotation-under-load`, mean 26.1 ms.
#[test]
fn readme_rotation_window() {
    let mut gaps = Vec::new();
    for seed in 1001..1025 {
        let mut s = presets::find("rotation-under-load").unwrap().scenario().unwrap();
        s.seed = seed;
        let mut r: Runner<Raft> = Runner::new(s).unwrap();
        r.run_to_end();
        gaps.extend(r.observed().rotation_gap_us().map(|us| us as f64 / 1000.0));
    }
    assert!(gaps.len() >= 200, "{} rotations", gaps.len());
    let width = agrees("rotation window (ms)", &gaps, 26.1, 900, 0.1);
    assert!(width < 0.1, "interval {:.0}% of the value", width * 100.0);
}

/// The README's reproduction of Demers Table 1, our columns (300 trials,
/// seed 1987): residue, traffic, t_ave and t_last for k = 1..5.
#[test]
fn readme_table_1_our_columns() {
    const OURS: [(u32, f64, f64, f64, f64, f64); 5] = [
        // k, residue, its printed unit, traffic, t_ave, t_last
        (1, 0.174, 0.001, 1.75, 9.80, 16.93),
        (2, 0.0369, 0.0001, 3.30, 9.96, 17.06),
        (3, 0.0105, 0.0001, 4.53, 10.03, 17.25),
        (4, 0.0034, 0.0001, 5.64, 10.05, 17.47),
        (5, 0.0012, 0.0001, 6.68, 10.06, 17.70),
    ];
    for (k, residue, unit, traffic, t_ave, t_last) in OURS {
        let p =
            GossipParams { interest: LossOfInterest { feedback: true, counter: true, k }, ..GossipParams::default() };
        let trials: Vec<_> = (0..600).map(|i| gossip::trial(&p, derive_seed(2026, i))).collect();
        let r: Vec<f64> = trials.iter().map(|t| t.residue).collect();
        let width = agrees(&format!("k={k} residue"), &r, residue, 300, unit);
        assert!(width < 0.5, "k={k}: the residue's interval is {:.0}% of it", width * 100.0);
        let tr: Vec<f64> = trials.iter().map(|t| t.traffic).collect();
        agrees(&format!("k={k} traffic"), &tr, traffic, 300, 0.01);
        let ta: Vec<f64> = trials.iter().filter_map(|t| t.t_ave).collect();
        agrees(&format!("k={k} t_ave"), &ta, t_ave, 300, 0.01);
        let tl: Vec<f64> = trials.iter().filter_map(|t| t.t_last).map(|c| c as f64).collect();
        agrees(&format!("k={k} t_last"), &tl, t_last, 300, 0.01);
    }
}

/// Rumor mongering stops by itself: every trial ends because no site is
/// still infective, long before the cap on cycles, and its last cycle
/// sends no update.
#[test]
fn rumor_mongering_stops() {
    for k in [1, 2, 5] {
        let p =
            GossipParams { interest: LossOfInterest { feedback: true, counter: true, k }, ..GossipParams::default() };
        for i in 0..50 {
            let t = gossip::trial(&p, derive_seed(7, i));
            // The trial loop ends when no site is infective, or at the cap.
            let cycles = t.messages_per_cycle.len() as u64;
            assert!(cycles < 60, "k={k} trial {i}: still running after {cycles} cycles (the cap is {MAX_CYCLES})");
            assert!(
                t.messages_per_cycle.iter().rev().take_while(|&&m| m == 0).count() <= 1,
                "k={k} trial {i}: quiet cycles before the end would mean it was not stopped by loss of interest"
            );
        }
    }
}

/// SWIM, 100 members (README): first detection 1.93 periods on average
/// over 200 trials, and under 20% loss 0.0326 false positives per member
/// per period with suspicion, 0.1126 without (20 trials each).
#[test]
fn readme_swim_detection_and_false_positives() {
    let p = SwimParams { seed: 99, ..SwimParams::default() };
    let first: Vec<f64> = (0..300).filter_map(|i| swim::crash_trial(&p, derive_seed(p.seed, i)).0).collect();
    assert_eq!(first.len(), 300, "every crash is detected");
    let width = agrees("first detection (periods)", &first, 1.926, 200, 0.001);
    assert!(width < 0.2, "interval {:.0}% of the value", width * 100.0);
    for (suspicion, published) in [(Some(5_000_000), 0.0326), (None, 0.1126)] {
        let p = SwimParams { loss: 0.2, suspicion_us: suspicion, seed: 99, ..SwimParams::default() };
        let (mut events, mut exposure) = (0u64, 0.0);
        for i in 0..20 {
            let (e, x) = swim::false_positive_trial(&p, derive_seed(p.seed ^ 0x5157_494d, i));
            events += e;
            exposure += x;
        }
        // Declarations are Poisson given the exposure: the 99% interval of
        // the difference of two rates, each with about `events` events.
        let rate = events as f64 / exposure;
        let half = Z99 * (2.0 * events as f64).sqrt() / exposure + 0.00005;
        assert!(
            (rate - published).abs() <= half,
            "false positives with suspicion {suspicion:?}: {rate:.4} against {published} (±{half:.4})"
        );
        assert!(half / published < 0.3, "interval {:.0}% of the rate", 100.0 * half / published);
    }
}

/// SWIM §3.1 (Das et al., DSN 2002): with targets chosen at random, the
/// expected number of protocol periods until some member probes a failed
/// one is e/(e−1), about 1.58, for large groups: each period nobody picks
/// it with probability q = (1 − 1/(n−1))^(n−1) → 1/e. Here members start
/// their periods at random phases, so the model is checked in that form,
/// from the first detection time D (in periods, crash to first suspicion,
/// which comes at the prober's next period): the probe that finds it comes
/// W = D − 1 after the crash, P(W > m) = q^m at whole periods, so the
/// periods begun before it, ⌈W⌉, average 1/(1 − q) (1.5773 for n = 100;
/// e/(e−1) = 1.5820 in the limit), and D itself averages
/// 1 + (1 − (1 − p)^n) / (p·n·(1 − q)) with p = 1/(n−1) (1.9957). Both
/// are compared with 2,000 fresh trials, with no loss (where the model
/// applies).
#[test]
fn swim_first_detection_against_the_analytic_model() {
    use splitbrain::protocols::swim::TargetSelection;
    let p = SwimParams { target: TargetSelection::Random, seed: 4242, ..SwimParams::default() };
    let n = f64::from(p.nodes);
    let d: Vec<f64> = (0..2000).filter_map(|i| swim::crash_trial(&p, derive_seed(p.seed, i)).0).collect();
    assert_eq!(d.len(), 2000, "every crash is detected");
    let pick = 1.0 / (n - 1.0);
    let q = (1.0 - pick).powf(n - 1.0);
    let periods_begun: Vec<f64> = d.iter().map(|d| (d - 1.0).ceil().max(1.0)).collect();
    let expected_periods = 1.0 / (1.0 - q);
    assert!((expected_periods - std::f64::consts::E / (std::f64::consts::E - 1.0)).abs() < 0.01);
    let width = agrees("periods until probed", &periods_begun, expected_periods, usize::MAX, 0.0);
    assert!(width < 0.1, "interval {:.0}% of the value", width * 100.0);
    let expected_d = 1.0 + (1.0 - (1.0 - pick).powf(n)) / (pick * n * (1.0 - q));
    let width = agrees("first detection (periods)", &d, expected_d, usize::MAX, 0.0);
    assert!(width < 0.1, "interval {:.0}% of the value", width * 100.0);
    // And the tail: no member probed it in the first period after the crash.
    let late: Vec<f64> = d.iter().map(|d| f64::from(u8::from(*d > 2.0))).collect();
    let width = agrees("P(first detection > 2 periods)", &late, q, usize::MAX, 0.0);
    assert!(width < 0.2, "interval {:.0}% of the value", width * 100.0);
}
