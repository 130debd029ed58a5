//! Epidemic dissemination and SWIM, checked against the published results
//! and against each other.

use splitbrain::experiments::gossip::{self, GossipParams};
use splitbrain::experiments::swim::{self, SwimParams};
use splitbrain::protocols::gossip::{Exchange, LossOfInterest, Mode};
use splitbrain::sim::rng::derive_seed;

use splitbrain::experiments::gossip::DEMERS_TABLE_1 as TABLE_1;

const TRIALS: u32 = 300;

fn push_rumor(k: u32) -> (Vec<gossip::GossipTrial>, gossip::GossipReport) {
    let p = GossipParams {
        interest: LossOfInterest { feedback: true, counter: true, k },
        trials: TRIALS,
        seed: 1987,
        ..GossipParams::default()
    };
    let trials = (0..TRIALS).map(|i| gossip::trial(&p, derive_seed(p.seed, u64::from(i)))).collect();
    (trials, gossip::run(&p, |_| {}))
}

/// Residue and traffic of Table 1. Tolerances:
/// - k = 1: the residue must match within 3 standard errors of our mean
///   (computed from the trials) plus 0.01 for the paper's two digits, and
///   the traffic within 0.1.
/// - k = 2..5: our traffic is systematically ~7% below the paper's (we do
///   not know the paper's exact within-cycle rules; ours are documented in
///   src/protocols/gossip), so traffic must be within 10%, and the residue,
///   which is exponential in traffic (next test), within a factor of 2.
///   t_ave and t_last are reported, not asserted.
#[test]
fn push_rumor_mongering_reproduces_table_1_residue_and_traffic() {
    println!("k | residue ours (paper) | traffic ours (paper) | t_ave ours (paper) | t_last ours (paper)");
    for (k, residue, traffic, t_ave, t_last) in TABLE_1 {
        let (trials, r) = push_rumor(k);
        println!(
            "{k} | {:.4} ({residue}) | {:.3} ({traffic}) | {:.2} ({t_ave}) | {:.2} ({t_last})",
            r.residue,
            r.traffic,
            r.t_ave.expect("sites heard it"),
            r.t_last.expect("sites heard it")
        );
        let mean = r.residue;
        let var = trials.iter().map(|t| (t.residue - mean).powi(2)).sum::<f64>() / f64::from(TRIALS - 1);
        let se = (var / f64::from(TRIALS)).sqrt();
        if k == 1 {
            assert!((mean - residue).abs() <= 3.0 * se + 0.01, "k=1 residue {mean} vs {residue} (se {se})");
            assert!((r.traffic - traffic).abs() <= 0.1, "k=1 traffic {} vs {traffic}", r.traffic);
        } else {
            assert!((r.traffic / traffic - 1.0).abs() <= 0.10, "k={k} traffic {} vs {traffic}", r.traffic);
            assert!(mean / residue < 2.0 && residue / mean < 2.0, "k={k} residue {mean} vs {residue}");
        }
        let ours = r.t_last.expect("sites heard it");
        assert!((ours - t_last).abs() < 2.0, "k={k} t_last {ours} vs {t_last}");
    }
}

/// §1.4: for push rumor mongering, residue ≈ e^(−traffic). With 300 trials
/// of 1000 sites, even k = 5 leaves ~600 uninformed sites in all, so ln of
/// the residue has a standard error of about 1/√600 ≈ 0.04; 0.15 is ~3.5 SE.
#[test]
fn residue_is_about_e_to_the_minus_traffic_across_k() {
    for k in 1..=5 {
        let (_, r) = push_rumor(k);
        let gap = (r.residue.ln() + r.traffic).abs();
        assert!(gap <= 0.15, "k={k}: residue {} but e^-traffic {}", r.residue, (-r.traffic).exp());
    }
}

#[test]
fn anti_entropy_reaches_every_site_and_push_pull_is_fastest() {
    let run = |exchange| {
        let p = GossipParams { mode: Mode::AntiEntropy, exchange, trials: 30, ..GossipParams::default() };
        gossip::run(&p, |_| {})
    };
    let (push, pull, both) = (run(Exchange::Push), run(Exchange::Pull), run(Exchange::PushPull));
    for r in [&push, &pull, &both] {
        assert_eq!(r.residue, 0.0);
        assert!(r.rounds_to.p100.is_some());
    }
    let done = |r: &gossip::GossipReport| r.rounds_to.p100.unwrap();
    assert!(done(&both) < done(&push) && done(&both) < done(&pull), "{} {} {}", done(&push), done(&pull), done(&both));
    // Push-pull is about log3(n) + O(ln ln n) cycles: 1000 sites in ~8-12.
    assert!((7.0..=13.0).contains(&done(&both)), "{}", done(&both));
}

#[test]
fn blind_coin_and_pull_variants_spread_and_stop() {
    for (exchange, feedback, counter) in
        [(Exchange::Push, false, false), (Exchange::Pull, true, true), (Exchange::PushPull, false, true)]
    {
        let p = GossipParams {
            exchange,
            interest: LossOfInterest { feedback, counter, k: 2 },
            trials: 20,
            ..GossipParams::default()
        };
        let r = gossip::run(&p, |_| {});
        assert!(r.residue < 0.5 && r.traffic > 0.5, "{exchange:?} {feedback} {counter}: {r:?}");
    }
}

/// Loss slows the epidemic down, and with feedback it also keeps senders
/// interested longer: a lost "I knew" reply is never counted, so they send
/// more, and (by residue ≈ e^-traffic) fewer sites are left out.
#[test]
fn message_loss_slows_the_epidemic_and_stretches_feedback() {
    let base = GossipParams { trials: 100, ..GossipParams::default() };
    let lossy = GossipParams { loss: 0.3, ..base.clone() };
    let (a, b) = (gossip::run(&base, |_| {}), gossip::run(&lossy, |_| {}));
    assert!(b.t_ave.unwrap() > a.t_ave.unwrap(), "t_ave {:?} vs {:?}", b.t_ave, a.t_ave);
    assert!(b.traffic > a.traffic, "traffic {} vs {}", b.traffic, a.traffic);
    assert!(b.residue < a.residue, "residue {} vs {}", b.residue, a.residue);
}

/// SWIM (§3-4): a crash is detected within a few periods and spread to all.
#[test]
fn swim_detects_a_crash_and_everyone_learns_it() {
    let p = SwimParams { trials: 20, ..SwimParams::default() };
    let r = swim::run(&p, |_| {});
    assert_eq!((r.undetected, r.not_spread), (0, 0), "{r:?}");
    let (first, full) = (r.first_detection_periods.clone().unwrap(), r.full_dissemination_periods.clone().unwrap());
    assert!(first.mean < 4.0, "{r:?}");
    // Suspicion (5 periods) plus dissemination.
    assert!(full.p99 < 15.0, "{r:?}");
    assert_eq!(r.false_positive_rate, 0.0);
    let basic = swim::run(&SwimParams { suspicion_us: None, ..p }, |_| {});
    assert!(basic.full_dissemination_periods.unwrap().mean < full.mean, "no suspicion: no waiting");
}

/// SWIM §4.2: under loss, the suspicion mechanism cuts false positives.
#[test]
fn suspicion_reduces_false_positives_under_loss() {
    let p = SwimParams { loss: 0.2, trials: 10, ..SwimParams::default() };
    let with = swim::run(&p, |_| {});
    let without = swim::run(&SwimParams { suspicion_us: None, ..p }, |_| {});
    assert!(without.false_positive_rate > 0.0);
    assert!(
        with.false_positive_rate * 2.0 < without.false_positive_rate,
        "{} vs {}",
        with.false_positive_rate,
        without.false_positive_rate
    );
}

/// Issue 11, class 7: with every message lost nobody hears the update, and
/// the report says so (no t_ave or t_last, every trial silent) instead of
/// reporting that the update arrived at cycle 0.
#[test]
fn an_update_nobody_heard_has_no_arrival_time() {
    let p = GossipParams { loss: 1.0, trials: 5, ..GossipParams::default() };
    let r = gossip::run(&p, |_| {});
    assert_eq!((r.t_ave, r.t_last, r.silent_trials), (None, None, 5));
    assert!(r.residue > 0.99, "{}", r.residue);
    let r = gossip::run(&GossipParams { trials: 5, ..GossipParams::default() }, |_| {});
    assert_eq!(r.silent_trials, 0);
    assert!(r.t_ave.is_some_and(|t| t > 0.0));
}

/// Issue 11, class 7: a crash that is suspected but not declared failed
/// within the give-up limit (here the suspicion timeout is longer than it)
/// is reported as not spread, instead of the limit as a measured time.
#[test]
fn a_failure_never_declared_has_no_dissemination_time() {
    let p = SwimParams { nodes: 10, trials: 2, suspicion_us: Some(2_000 * 1_000_000), ..SwimParams::default() };
    let r = swim::run(&p, |_| {});
    assert_eq!((r.undetected, r.not_spread), (0, 2), "{r:?}");
    assert_eq!(r.full_dissemination_periods, None, "{r:?}");
    assert!(r.first_detection_periods.as_ref().is_some_and(|f| f.mean < 4.0), "suspected at once: {r:?}");
}
