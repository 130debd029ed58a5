//! Partial-quorum staleness, measured on the store: how often a
//! read sees the latest acknowledged write, right away and after a delay,
//! and how often it sees one of the k latest, over many seeded trials of
//! the store node on the simulator ([`crate::protocols::store::node`]).
//! With `propagate` off this is Bailis et al.'s k-staleness model, whose
//! closed form ([`super::pbs::k_staleness`]) the measured numbers must
//! match.

use crate::protocols::store::dvv::VersionVector;
use crate::protocols::store::node::{Cmd, Note, StoreConfig, StoreNode};
use crate::sim::network::{Latency, LinkConfig};
use crate::sim::rng::derive_seed;
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time, MS};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct QuorumParams {
    pub nodes: u32,
    pub n: u32,
    pub r: u32,
    pub w: u32,
    pub propagate: bool,
    /// Sloppy quorums: a request that has no quorum after half its timeout
    /// asks the nodes past the N home replicas (with hints).
    pub sloppy: bool,
    pub latency_ms: (u64, u64),
    /// Exponential latency with this mean (ms) instead of the uniform range.
    pub exp_latency_ms: Option<f64>,
    pub loss: f64,
    pub trials: u32,
    pub seed: u64,
}

/// Delays after the acknowledgement at which reads are tried, in ms.
pub const DELAYS_MS: [u64; 10] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500];

impl QuorumParams {
    pub fn config(&self) -> StoreConfig {
        StoreConfig {
            nodes: self.nodes,
            n: self.n,
            r: self.r,
            w: self.w,
            propagate: self.propagate,
            sloppy: self.sloppy,
            ..StoreConfig::default()
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.nodes < 1 || self.nodes > 100 {
            return Err(format!("--nodes must be 1 to 100, not {}", self.nodes));
        }
        if self.n == 0 || self.n > self.nodes {
            return Err(format!("--n {} is impossible: N must be 1 to the number of nodes ({})", self.n, self.nodes));
        }
        if self.r == 0 || self.r > self.n {
            return Err(format!("--r {} is impossible: R must be 1 to N ({})", self.r, self.n));
        }
        if self.w == 0 || self.w > self.n {
            return Err(format!("--w {} is impossible: W must be 1 to N ({})", self.w, self.n));
        }
        if self.sloppy && !self.propagate {
            return Err("--sloppy needs --propagation all: the k-staleness model asks only W and R replicas".into());
        }
        if !(0.0..1.0).contains(&self.loss) {
            return Err(format!("--loss must be at least 0 and below 1, not {}", self.loss));
        }
        if let Some(m) = self.exp_latency_ms {
            if !(0.001..=10_000.0).contains(&m) {
                return Err(format!("--exp-latency-ms must be 0.001 to 10000 ms, not {m}"));
            }
        }
        if self.latency_ms.0 > self.latency_ms.1 {
            return Err(format!("--latency-ms {}-{} is backwards", self.latency_ms.0, self.latency_ms.1));
        }
        Ok(())
    }

    fn link(&self) -> LinkConfig {
        let latency = match self.exp_latency_ms {
            Some(mean) => Latency::Exponential { mean_us: (mean * 1000.0).round() as u64 },
            None => Latency::uniform_ms(self.latency_ms.0, self.latency_ms.1),
        };
        LinkConfig { latency, loss: self.loss, dup: 0.0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Visibility {
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    pub p999: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AtDelay {
    pub delay_ms: u64,
    pub p: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuorumReport {
    pub trials: u32,
    /// Trials in which a write or a read got no quorum (not counted below).
    pub failed: u32,
    /// The fraction of reads issued right after the write's
    /// acknowledgement that returned it.
    pub p_consistent_read: f64,
    /// The same for reads issued at each delay after it.
    pub p_consistent_read_at: Vec<AtDelay>,
    /// The fraction of reads right after the third of three writes that
    /// returned one of the k newest, for k = 1, 2, 3.
    pub k_staleness: BTreeMap<String, f64>,
    /// The closed form of the k-staleness model (meaningful without
    /// propagation).
    pub k_staleness_closed_form: BTreeMap<String, f64>,
    /// The least delay (of those tried) after which reads see the write
    /// with that probability; `null` if none of them reached it.
    pub t_visibility_ms: Visibility,
}

/// Steps until the note answering request `id`; `None` if none comes.
fn answer(sim: &mut Sim<StoreNode>, id: u64) -> Option<Note> {
    let deadline = sim.now() + 10_000 * MS;
    while sim.step() {
        for e in sim.trace().last_step() {
            if let EventKind::Note { note, .. } = &e.kind {
                match note {
                    Note::PutAcked { id: i, .. } | Note::GetReturned { id: i, .. } | Note::Failed { id: i, .. }
                        if *i == id =>
                    {
                        return Some(note.clone())
                    }
                    _ => {}
                }
            }
        }
        if sim.now() > deadline {
            break;
        }
    }
    None
}

/// A put of `value` with `context`; the context a client would hold after
/// it (the write's dot), or `None` if it failed.
fn put(sim: &mut Sim<StoreNode>, at: u32, id: u64, value: u64, mut context: VersionVector) -> Option<VersionVector> {
    sim.command(at, Cmd::Put { id, key: 0, value, context: context.clone() });
    match answer(sim, id)? {
        Note::PutAcked { dot, .. } => {
            context.add(dot);
            Some(context)
        }
        _ => None,
    }
}

fn get(sim: &mut Sim<StoreNode>, at: u32, id: u64) -> Option<Vec<u64>> {
    sim.command(at, Cmd::Get { id, key: 0 });
    match answer(sim, id)? {
        Note::GetReturned { values, .. } => Some(values),
        _ => None,
    }
}

/// One trial: three chained writes then a read (k-staleness), and one
/// write then reads at each delay (each on its own copy of the run).
fn trial(p: &QuorumParams, seed: u64) -> Option<([bool; 3], Vec<bool>)> {
    let mut sim: Sim<StoreNode> = Sim::new(p.config(), p.nodes, seed, p.link());
    let coord = (seed % u64::from(p.nodes)) as u32;
    let mut ctx = VersionVector::default();
    for v in 1..=3 {
        ctx = put(&mut sim, coord, v, v, ctx)?;
    }
    let read = get(&mut sim, coord, 4)?;
    let fresh = [1, 2, 3].map(|k| read.iter().any(|v| *v > 3 - k));

    let mut sim: Sim<StoreNode> = Sim::new(p.config(), p.nodes, derive_seed(seed, 1), p.link());
    put(&mut sim, coord, 1, 1, VersionVector::default())?;
    let acked: Time = sim.now();
    let mut seen = Vec::new();
    for d in DELAYS_MS {
        let mut copy = sim.clone();
        copy.run_until(acked + d * MS);
        seen.push(get(&mut copy, coord, 2)? == [1]);
    }
    Some((fresh, seen))
}

pub fn run(p: &QuorumParams, mut progress: impl FnMut(u32)) -> QuorumReport {
    let mut sums = QuorumSums::default();
    for t in 0..p.trials {
        sums.run_trial(p, t);
        progress(t + 1);
    }
    sums.report(p)
}

/// What the trials run so far add up to: the CLI sums all of them, the
/// Experiments panel one at a time.
#[derive(Clone, Debug, Default)]
pub struct QuorumSums {
    trials: u32,
    failed: u32,
    fresh: [u32; 3],
    seen: Vec<u32>,
}

impl QuorumSums {
    /// Runs trial `t` of `p` and adds it; returns what the read right after
    /// the write saw (`None`: no quorum).
    pub fn run_trial(&mut self, p: &QuorumParams, t: u32) -> Option<bool> {
        self.seen.resize(DELAYS_MS.len(), 0);
        self.trials += 1;
        match trial(p, derive_seed(p.seed, u64::from(t))) {
            Some((f, s)) => {
                for (sum, fresh) in self.fresh.iter_mut().zip(f) {
                    *sum += u32::from(fresh);
                }
                let first = s.first().copied();
                for (i, ok) in s.into_iter().enumerate() {
                    self.seen[i] += u32::from(ok);
                }
                first
            }
            None => {
                self.failed += 1;
                None
            }
        }
    }

    /// The CLI's report of the trials so far.
    pub fn report(&self, p: &QuorumParams) -> QuorumReport {
        report(p, self.trials, self.failed, self.fresh, &self.seen)
    }
}

fn report(p: &QuorumParams, trials: u32, failed: u32, fresh: [u32; 3], seen: &[u32]) -> QuorumReport {
    let mut seen = seen.to_vec();
    seen.resize(DELAYS_MS.len(), 0);
    let ok = f64::from((trials - failed).max(1));
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    let p_at: Vec<f64> = seen.iter().map(|s| f64::from(*s) / ok).collect();
    let t_for = |q: f64| DELAYS_MS.iter().zip(&p_at).find(|(_, p)| **p >= q).map(|(d, _)| *d as f64);
    QuorumReport {
        trials,
        failed,
        p_consistent_read: round(p_at[0]),
        p_consistent_read_at: DELAYS_MS
            .iter()
            .zip(&p_at)
            .map(|(d, p)| AtDelay { delay_ms: *d, p: round(*p) })
            .collect(),
        k_staleness: (1..=3).map(|k| (k.to_string(), round(f64::from(fresh[k - 1]) / ok))).collect(),
        k_staleness_closed_form: (1..=3u32)
            .map(|k| (k.to_string(), round(super::pbs::k_staleness(p.n, p.r, p.w, k))))
            .collect(),
        t_visibility_ms: Visibility { p50: t_for(0.5), p99: t_for(0.99), p999: t_for(0.999) },
    }
}
