//! SWIM failure-detection experiments: how fast a crash is detected and
//! spread, and how often a live member is wrongly declared failed.

use crate::contract::Observer;
use crate::protocols::swim::{Note, Status, Swim, SwimConfig, SwimObserver, TargetSelection};
use crate::sim::network::{Latency, LinkConfig};
use crate::sim::rng::{derive_seed, Rng, DRIVER_STREAM};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use crate::stats::Summary;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub struct SwimParams {
    pub nodes: u32,
    pub period_us: u64,
    pub indirect: u32,
    pub target: TargetSelection,
    pub loss: f64,
    pub suspicion_us: Option<u64>,
    pub trials: u32,
    pub seed: u64,
}

impl Default for SwimParams {
    fn default() -> Self {
        SwimParams {
            nodes: 100,
            period_us: 1_000_000,
            indirect: 3,
            target: TargetSelection::RoundRobin,
            loss: 0.0,
            suspicion_us: Some(5_000_000),
            trials: 100,
            seed: 1,
        }
    }
}

/// Periods of warm-up before the crash, and of observation for false positives.
pub const WARMUP_PERIODS: u64 = 5;
pub const FALSE_POSITIVE_PERIODS: u64 = 100;
/// A trial that has not spread the failure by then gives up (never seen).
pub const GIVE_UP_PERIODS: u64 = 1000;

impl SwimParams {
    pub fn config(&self) -> SwimConfig {
        SwimConfig {
            nodes: self.nodes,
            period_us: self.period_us,
            indirect: self.indirect,
            target: self.target,
            suspicion_us: self.suspicion_us,
            ..SwimConfig::default()
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        self.config().validate().map_err(|e| e.to_string())?;
        if !(0.0..=1.0).contains(&self.loss) || self.loss.is_nan() {
            return Err(format!("loss must be between 0 and 1, not {}", self.loss));
        }
        if self.trials == 0 {
            return Err("--trials must be at least 1".into());
        }
        Ok(())
    }

    fn link(&self) -> LinkConfig {
        LinkConfig { latency: Latency::Uniform { min_us: 1_000, max_us: 10_000 }, loss: self.loss, dup: 0.0 }
    }
}

/// One crash trial: periods from the crash to the first suspicion (or
/// failure) and to the last live member's failure declaration, as the SWIM
/// view and `splitbrain run` count them ([`SwimObserver`]); `None` for what
/// did not happen within [`GIVE_UP_PERIODS`].
pub fn crash_trial(p: &SwimParams, seed: u64) -> (Option<f64>, Option<f64>) {
    let mut sim: Sim<Swim> = Sim::new(p.config(), p.nodes, seed, p.link());
    let mut rng = Rng::new(seed, DRIVER_STREAM);
    let victim = rng.below(u64::from(p.nodes)) as u32;
    let crash_at = WARMUP_PERIODS * p.period_us + rng.below(p.period_us);
    sim.run_until(crash_at);
    let mut seen = SwimObserver::default();
    sim.crash(victim);
    seen.observe(&sim);
    let detection = |seen: &SwimObserver| seen.detections.last().copied().expect("the crash is observed");
    while detection(&seen).known_by_all.is_none() && sim.step() {
        if sim.now() > crash_at + GIVE_UP_PERIODS * p.period_us {
            break;
        }
        seen.observe(&sim);
    }
    let d = detection(&seen);
    let period = p.period_us as f64;
    let periods = |t: Option<Time>| t.map(|t| (t - crash_at) as f64 / period);
    (periods(d.first_detection), periods(d.known_by_all))
}

/// False positives: with nobody crashed, how often a live member is
/// declared failed (by anyone), per member per period. A declared member
/// stays failed, so this is a hazard rate: declarations divided by the
/// member-periods during which each member was still undeclared.
/// Returns (declarations, member-periods at risk).
pub fn false_positive_trial(p: &SwimParams, seed: u64) -> (u64, f64) {
    let mut sim: Sim<Swim> = Sim::new(p.config(), p.nodes, seed, p.link());
    let end = FALSE_POSITIVE_PERIODS * p.period_us;
    let mut declared: Vec<Option<Time>> = vec![None; p.nodes as usize];
    while sim.step_through(end) {
        for e in sim.trace().last_step() {
            if let EventKind::Note { note: Note::Marked { member, status: Status::Failed, .. }, .. } = e.kind {
                declared[member as usize].get_or_insert(e.time);
            }
        }
    }
    let events = declared.iter().filter(|d| d.is_some()).count() as u64;
    let at_risk: f64 = declared.iter().map(|d| d.unwrap_or(end) as f64 / p.period_us as f64).sum();
    (events, at_risk)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Periods {
    pub mean: f64,
    pub p50: f64,
    pub p99: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwimReport {
    pub trials: u32,
    /// Over the trials that got there (null if none did); the counts below
    /// say how many did not within the give-up limit.
    pub first_detection_periods: Option<Periods>,
    pub full_dissemination_periods: Option<Periods>,
    pub undetected: u32,
    pub not_spread: u32,
    pub false_positive_rate: f64,
}

/// The running sums behind a [`SwimReport`]: the CLI and the browser's
/// Experiments panel add the same trials to one of these, in the same order.
#[derive(Clone, Debug, Default)]
pub struct SwimSums {
    trials: u32,
    /// Periods to the first detection and to full dissemination, per trial
    /// that got there.
    pub first: Vec<f64>,
    pub full: Vec<f64>,
    fp_events: u64,
    fp_exposure: f64,
}

impl SwimSums {
    /// Runs trial `i` (a crash trial and a false-positive trial), adds it,
    /// and returns its periods to first detection and full dissemination
    /// and its false positives.
    pub fn run_trial(&mut self, p: &SwimParams, i: u32) -> (Option<f64>, Option<f64>, u64) {
        let (a, b) = crash_trial(p, derive_seed(p.seed, u64::from(i)));
        self.first.extend(a);
        self.full.extend(b);
        let (events, exposure) = false_positive_trial(p, derive_seed(p.seed ^ 0x5157_494d, u64::from(i)));
        self.fp_events += events;
        self.fp_exposure += exposure;
        self.trials += 1;
        (a, b, events)
    }

    pub fn report(&self) -> SwimReport {
        let periods = |v: &[f64]| {
            let s = Summary::of(v);
            (!v.is_empty()).then_some(Periods { mean: s.mean, p50: s.p50, p99: s.p99 })
        };
        SwimReport {
            trials: self.trials,
            first_detection_periods: periods(&self.first),
            full_dissemination_periods: periods(&self.full),
            undetected: self.trials - self.first.len() as u32,
            not_spread: self.trials - self.full.len() as u32,
            false_positive_rate: (self.fp_events as f64 / self.fp_exposure.max(1.0) * 1e6).round() / 1e6,
        }
    }
}

pub fn run(p: &SwimParams, mut progress: impl FnMut(u32)) -> SwimReport {
    let mut sums = SwimSums::default();
    for i in 0..p.trials {
        sums.run_trial(p, i);
        progress(i + 1);
    }
    sums.report()
}
