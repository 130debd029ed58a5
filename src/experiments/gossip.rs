//! The epidemic experiments of Demers et al. (1987): inject one update at one
//! site and measure how it spreads, averaged over seeded trials.

use crate::protocols::gossip::{Exchange, Gossip, GossipConfig, LossOfInterest, Mode, Note};
use crate::sim::network::{Latency, LinkConfig};
use crate::sim::rng::{derive_seed, Rng, DRIVER_STREAM};
use crate::sim::trace::EventKind;
use crate::sim::Sim;
use crate::stats::round3;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub struct GossipParams {
    pub nodes: u32,
    pub mode: Mode,
    pub exchange: Exchange,
    pub interest: LossOfInterest,
    pub fanout: u32,
    pub loss: f64,
    pub trials: u32,
    pub seed: u64,
}

impl Default for GossipParams {
    fn default() -> Self {
        GossipParams {
            nodes: 1000,
            mode: Mode::Rumor,
            exchange: Exchange::Push,
            interest: LossOfInterest { feedback: true, counter: true, k: 1 },
            fanout: 1,
            loss: 0.0,
            trials: 100,
            seed: 1,
        }
    }
}

/// Demers et al. 1987, Table 1: push rumor mongering with feedback and
/// counters, N = 1000. Columns: k, residue, traffic, t_ave, t_last.
pub const DEMERS_TABLE_1: [(u32, f64, f64, f64, f64); 5] = [
    (1, 0.18, 1.7, 11.0, 16.8),
    (2, 0.037, 3.3, 12.1, 16.9),
    (3, 0.011, 4.5, 12.5, 17.4),
    (4, 0.0036, 5.6, 12.7, 17.5),
    (5, 0.0012, 6.7, 12.8, 17.7),
];

/// Demers et al. 1987, Table 2: push rumor mongering, blind and coin (lose
/// interest with probability 1/k after every contact), N = 1000. Columns as
/// in Table 1.
pub const DEMERS_TABLE_2: [(u32, f64, f64, f64, f64); 5] = [
    (1, 0.96, 0.04, 19.0, 38.0),
    (2, 0.20, 1.6, 17.0, 33.0),
    (3, 0.060, 2.8, 15.0, 32.0),
    (4, 0.021, 3.9, 14.1, 32.0),
    (5, 0.008, 4.9, 13.8, 32.0),
];

/// The cycle period; latencies (1-10 ms) are far below it, so every
/// message arrives within the cycle it was sent in.
pub const PERIOD_US: u64 = 1_000_000;
/// Anti-entropy runs at most this many cycles (it never stops by itself).
pub const MAX_CYCLES: u64 = 10_000;

impl GossipParams {
    pub fn config(&self, origin: u32) -> GossipConfig {
        GossipConfig {
            nodes: self.nodes,
            mode: self.mode,
            exchange: self.exchange,
            interest: self.interest,
            fanout: self.fanout,
            period_us: PERIOD_US,
            origin,
            bug: None,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        self.config(0).validate().map_err(|e| e.to_string())?;
        if !(0.0..=1.0).contains(&self.loss) || self.loss.is_nan() {
            return Err(format!("loss must be between 0 and 1, not {}", self.loss));
        }
        if self.trials == 0 {
            return Err("--trials must be at least 1".into());
        }
        Ok(())
    }
}

/// One trial's outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct GossipTrial {
    /// Fraction of sites that never received the update.
    pub residue: f64,
    /// Update-carrying messages per site.
    pub traffic: f64,
    /// Mean cycle at which a site (other than the origin) first received it.
    pub t_ave: Option<f64>,
    /// The cycle at which the last site that received it did so (`None`
    /// when no site but the origin ever did).
    pub t_last: Option<u64>,
    /// Cycles until 50%, 99% and 100% of sites were informed (None: never).
    pub rounds_to: [Option<u64>; 3],
    /// Sites informed by the end of each cycle (index = cycle), and
    /// update-carrying messages sent in each cycle.
    pub informed_per_cycle: Vec<u32>,
    pub messages_per_cycle: Vec<u64>,
}

/// Runs one trial: one update, injected at a random site in cycle 0.
pub fn trial(p: &GossipParams, seed: u64) -> GossipTrial {
    let mut driver = Rng::new(seed, DRIVER_STREAM);
    let origin = driver.below(u64::from(p.nodes)) as u32;
    let link = LinkConfig { latency: Latency::Uniform { min_us: 1_000, max_us: 10_000 }, loss: p.loss, dup: 0.0 };
    let mut sim: Sim<Gossip> = Sim::new(p.config(origin), p.nodes, seed, link);
    let n = p.nodes as usize;
    // Who has learned, one bit per site: at a million sites a vector of
    // cycles missed the cache on every note (3% of the run).
    let mut learned = vec![0u64; n.div_ceil(64)];
    learned[origin as usize / 64] |= 1 << (origin % 64);
    // Over the sites other than the origin: how many learned, the sum of
    // the cycles in which they did, and the last of those.
    let (mut others, mut sum, mut last) = (0u64, 0u64, None::<u64>);
    let mut informed = 1u32;
    let mut infective: i64 = if p.mode == Mode::Rumor { 1 } else { 0 };
    let mut traffic = 0u64;
    let mut informed_per_cycle = vec![1u32];
    let mut messages_per_cycle = vec![0u64];
    let mut cycle = 0u64;
    loop {
        // Run one whole cycle: its ticks and every message they cause.
        let end = (cycle + 1) * PERIOD_US + PERIOD_US / 2;
        while sim.step_through(end - 1) {
            for e in sim.trace().last_step() {
                match &e.kind {
                    EventKind::Send { msg, .. } if msg.carries_update() => {
                        traffic += 1;
                        if let Some(m) = messages_per_cycle.last_mut() {
                            *m += 1;
                        }
                    }
                    EventKind::Note { node, note: Note::Infected { cycle: c } } => {
                        let (word, bit) = (&mut learned[*node as usize / 64], 1u64 << (node % 64));
                        if *word & bit == 0 {
                            *word |= bit;
                            informed += 1;
                            (others, sum, last) = (others + 1, sum + c, last.max(Some(*c)));
                        }
                        infective += 1;
                    }
                    EventKind::Note { note: Note::Removed { .. }, .. } => infective -= 1,
                    _ => {}
                }
            }
        }
        cycle += 1;
        informed_per_cycle.push(informed);
        messages_per_cycle.push(0);
        let done = match p.mode {
            Mode::Rumor => infective <= 0,
            Mode::AntiEntropy => informed as usize == n,
        };
        if done || cycle >= MAX_CYCLES || sim.next_event_time().is_none() {
            break;
        }
    }
    messages_per_cycle.pop();
    let t_ave = (others > 0).then(|| sum as f64 / others as f64);
    let reach = |frac: f64| {
        let need = (frac * n as f64).ceil() as u32;
        informed_per_cycle.iter().position(|&k| k >= need).map(|c| c as u64)
    };
    GossipTrial {
        residue: (n as u32 - informed) as f64 / n as f64,
        traffic: traffic as f64 / n as f64,
        t_ave,
        t_last: last,
        rounds_to: [reach(0.5), reach(0.99), reach(1.0)],
        informed_per_cycle,
        messages_per_cycle,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoundsTo {
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    pub p100: Option<f64>,
}

/// Averages over trials; the CLI's JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GossipReport {
    pub trials: u32,
    pub residue: f64,
    pub traffic: f64,
    /// Means over the trials in which some site besides the origin heard
    /// the update (null if none did; `silent_trials` counts the others).
    pub t_ave: Option<f64>,
    pub t_last: Option<f64>,
    pub silent_trials: u32,
    /// Mean over the trials that reached each fraction (null if none did).
    pub rounds_to: RoundsTo,
}

/// The running sums behind a [`GossipReport`]: the CLI and the browser's
/// Experiments panel add the same trials to one of these, in the same order.
#[derive(Clone, Debug, Default)]
pub struct GossipSums {
    trials: u32,
    residue: f64,
    traffic: f64,
    t_ave: f64,
    t_last: f64,
    heard: u32,
    rounds: [(u64, u32); 3],
}

impl GossipSums {
    pub fn add(&mut self, t: &GossipTrial) {
        self.trials += 1;
        self.residue += t.residue;
        self.traffic += t.traffic;
        if let (Some(a), Some(l)) = (t.t_ave, t.t_last) {
            self.t_ave += a;
            self.t_last += l as f64;
            self.heard += 1;
        }
        for (acc, r) in self.rounds.iter_mut().zip(t.rounds_to) {
            if let Some(c) = r {
                acc.0 += c;
                acc.1 += 1;
            }
        }
    }

    pub fn report(&self) -> GossipReport {
        let k = f64::from(self.trials.max(1));
        let heard = self.heard;
        let mean_rounds = |(sum, n): (u64, u32)| (n > 0).then(|| round3(sum as f64 / f64::from(n)));
        GossipReport {
            trials: self.trials,
            residue: round3_small(self.residue / k),
            traffic: round3(self.traffic / k),
            t_ave: (heard > 0).then(|| round3(self.t_ave / f64::from(heard))),
            t_last: (heard > 0).then(|| round3(self.t_last / f64::from(heard))),
            silent_trials: self.trials - heard,
            rounds_to: RoundsTo {
                p50: mean_rounds(self.rounds[0]),
                p99: mean_rounds(self.rounds[1]),
                p100: mean_rounds(self.rounds[2]),
            },
        }
    }
}

/// Trial `i`'s seed.
pub fn trial_seed(p: &GossipParams, i: u32) -> u64 {
    derive_seed(p.seed, u64::from(i))
}

pub fn run(p: &GossipParams, mut progress: impl FnMut(u32)) -> GossipReport {
    let mut sums = GossipSums::default();
    for i in 0..p.trials {
        sums.add(&trial(p, trial_seed(p, i)));
        progress(i + 1);
    }
    sums.report()
}

/// Residues are small numbers: keep five significant decimals.
fn round3_small(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
