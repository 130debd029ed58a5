//! `splitbrain elect`: classic elections next to Raft's, in messages and
//! time, in their textbook set-ups.
//!
//! - Ring (Chang and Roberts 1979): every node starts at once; the ids are
//!   a random permutation round the ring. Theory: n·H(n) election messages
//!   on average, n² at worst; the announcement goes round once (n).
//! - Bully (Garcia-Molina 1982): the highest node has crashed and the
//!   lowest notices. Every live node then holds an election: (n − 1)²
//!   messages (Election and Ok); the announcement reaches the n − 2 others.
//! - Raft (Ongaro and Ousterhout 2014, §5.2): a cluster that has just
//!   booted, with the default timeouts; its election messages are the
//!   votes asked for and given, and the new leader's first heartbeats to
//!   the n − 1 others are its announcement.
//!
//! Time to elect is from the start (the ring's start, the bully's
//! detection, Raft's boot) to the moment the winner knows it has won.

use crate::protocols::bully::{self, Bully, BullyConfig};
use crate::protocols::raft::{cluster, Raft, RaftConfig};
use crate::protocols::ring::{self, Ring, RingConfig};
use crate::sim::network::LinkConfig;
use crate::sim::protocol::Protocol;
use crate::sim::rng::{derive_seed, Rng, DRIVER_STREAM};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use crate::stats::Summary;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Bully,
    Ring,
    Raft,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ElectParams {
    pub algorithm: Algorithm,
    pub nodes: u32,
    pub trials: u32,
    pub seed: u64,
}

/// The most nodes an election runs (Raft's limit; the ring and bully take
/// the same so the three compare).
pub const MAX_NODES: u32 = 15;

impl ElectParams {
    pub fn validate(&self) -> Result<(), String> {
        let least = if self.algorithm == Algorithm::Bully { 3 } else { 2 };
        if !(least..=MAX_NODES).contains(&self.nodes) {
            return Err(format!("--nodes must be {least} to {MAX_NODES} for {:?}, not {}", self.algorithm, self.nodes)
                .to_lowercase());
        }
        if !(1..=100_000).contains(&self.trials) {
            return Err(format!("--trials must be 1 to 100000, not {}", self.trials));
        }
        Ok(())
    }
}

/// One election: its own messages, the winner's announcement, and how
/// long it took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trial {
    pub messages: u64,
    pub announce: u64,
    pub elect_us: Time,
}

/// A summary of counts: mean, median and largest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counted {
    pub mean: f64,
    pub p50: f64,
    pub max: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ElectReport {
    pub algorithm: Algorithm,
    pub nodes: u32,
    pub trials: u32,
    pub seed: u64,
    pub messages: Counted,
    pub announce_messages: Counted,
    pub elect_ms: Summary,
    /// The textbook numbers for this n: n², n·H(n) and (n − 1)².
    pub n_squared: u64,
    pub n_h_n: f64,
    pub n_minus_1_squared: u64,
}

/// H(n) = 1 + 1/2 + ... + 1/n.
pub fn harmonic(n: u32) -> f64 {
    (1..=n).map(|k| 1.0 / f64::from(k)).sum()
}

/// Counts a run's sends by what `split` says they are (election message
/// or announcement), until `done` says the election is over.
fn count<P: Protocol>(
    sim: &mut Sim<P>,
    split: impl Fn(&P::Msg) -> bool,
    mut won: impl FnMut(&Sim<P>) -> bool,
    cap: Time,
) -> Trial {
    let (mut messages, mut announce, mut elect_us) = (0, 0, None);
    while sim.step_through(cap) {
        for e in sim.trace().last_step() {
            if let EventKind::Send { msg, .. } = &e.kind {
                if split(msg) {
                    announce += 1;
                } else {
                    messages += 1;
                }
            }
        }
        if elect_us.is_none() && won(sim) {
            elect_us = Some(sim.now());
        }
    }
    Trial { messages, announce, elect_us: elect_us.unwrap_or(cap) }
}

/// Trial `i` of `p`.
pub fn trial(p: &ElectParams, i: u32) -> Trial {
    let seed = derive_seed(p.seed, u64::from(i));
    let n = p.nodes;
    match p.algorithm {
        Algorithm::Ring => {
            let mut ids: Vec<u64> = (1..=u64::from(n)).collect();
            Rng::new(seed, DRIVER_STREAM).shuffle(&mut ids);
            let cfg = RingConfig { ids, start_us: 1_000, bug: None };
            let mut sim: Sim<Ring> = Sim::new(cfg, n, seed, LinkConfig::default());
            // Sends after the last delivery of the announcement: none.
            let t = count(
                &mut sim,
                |m| matches!(m, ring::Msg::Elected(_)),
                |s| (0..n).any(|i| s.node(i).is_some_and(|r| r.leader() == Some(u64::from(n)))),
                crate::sim::SEC * 60,
            );
            Trial { elect_us: t.elect_us.saturating_sub(1_000), ..t }
        }
        Algorithm::Bully => {
            let cfg = BullyConfig { nodes: n, detector: 0, detect_us: 1_000, timeout_us: 50_000, bug: None };
            let mut sim: Sim<Bully> = Sim::new(cfg, n, seed, LinkConfig::default());
            sim.crash(n - 1);
            let winner = n - 2;
            let t = count(
                &mut sim,
                |m| *m == bully::Msg::Coordinator,
                |s| s.node(winner).is_some_and(|b| b.coordinator() == Some(winner)),
                crate::sim::SEC * 60,
            );
            Trial { elect_us: t.elect_us.saturating_sub(1_000), ..t }
        }
        Algorithm::Raft => {
            let cfg = RaftConfig { nodes: n, ..RaftConfig::default() };
            let mut sim: Sim<Raft> = Sim::new(cfg, n, seed, LinkConfig::default());
            let (mut messages, mut elect_us, mut leader) = (0, None, None);
            let mut announce = 0;
            // Until the leader has sent its first heartbeat to every other
            // server: vote messages before that are the election's.
            while sim.step_through(crate::sim::SEC * 60) {
                for e in sim.trace().last_step() {
                    if let EventKind::Send { from, msg, .. } = &e.kind {
                        let kind = <Raft as crate::contract::Runnable>::msg_kind(msg);
                        if kind.contains("Vote") {
                            messages += 1;
                        } else if Some(*from) == leader && kind == "Heartbeat" {
                            announce += 1;
                        }
                    }
                }
                if leader.is_none() {
                    leader = cluster::leader(&sim);
                    if leader.is_some() {
                        elect_us = Some(sim.now());
                    }
                }
                if announce >= u64::from(n - 1) {
                    break;
                }
            }
            Trial { messages, announce, elect_us: elect_us.unwrap_or(crate::sim::SEC * 60) }
        }
    }
}

fn counted(v: &[f64]) -> Counted {
    let s = Summary::of(v);
    Counted { mean: s.mean, p50: s.p50, max: s.max }
}

pub fn run(p: &ElectParams, mut progress: impl FnMut(u32)) -> ElectReport {
    let (mut msgs, mut ann, mut ms) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..p.trials {
        let t = trial(p, i);
        msgs.push(t.messages as f64);
        ann.push(t.announce as f64);
        ms.push(t.elect_us as f64 / 1000.0);
        progress(i + 1);
    }
    let n = u64::from(p.nodes);
    ElectReport {
        algorithm: p.algorithm,
        nodes: p.nodes,
        trials: p.trials,
        seed: p.seed,
        messages: counted(&msgs),
        announce_messages: counted(&ann),
        elect_ms: Summary::of(&ms),
        n_squared: n * n,
        n_h_n: crate::stats::round3(p.nodes as f64 * harmonic(p.nodes)),
        n_minus_1_squared: (n - 1) * (n - 1),
    }
}
