//! The leader-failover experiment of the Raft paper (§9.3, Figure 16).
//!
//! Each trial elects a leader, lets the cluster settle, then crashes the
//! leader at a uniformly random point of its heartbeat interval. It measures
//! the time from the crash until every live server has received an
//! AppendEntries from the new leader, the number of terms that took, and
//! whether the first term after the crash elected nobody (a split vote).
//!
//! Each server's clock drifts by a random rate within ±100 ppm. This matters
//! only for fixed timeouts (`150-150`): servers whose timers fire in lock-step
//! split their votes until drift pulls them apart, which is why such clusters
//! fail over so slowly.
//!
//! With `unequal_logs`, the leader appends one last client entry just before
//! it crashes, and that entry reaches only some followers (the paper's
//! "leader replicating a new log entry prior to crashing"): the servers
//! then have logs of different lengths, and only some of them can win.

use crate::protocols::raft::{cluster, Cmd, Msg, Note, Raft, RaftConfig, Role, Timer};
use crate::sim::network::{Latency, LinkConfig};
use crate::sim::rng::{derive_seed, Rng, DRIVER_STREAM};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim, Time, SEC};
use crate::stats::{round3, Summary};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub struct FailoverParams {
    pub nodes: u32,
    pub timeout_us: (u64, u64),
    pub latency_us: (u64, u64),
    /// Defaults to half the minimum election timeout.
    pub heartbeat_us: Option<u64>,
    pub trials: u32,
    pub seed: u64,
    pub prevote: bool,
    pub check_quorum: bool,
    pub unequal_logs: bool,
    /// Stable storage's write latency range in µs (`(0, 0)`: instantaneous).
    pub fsync_us: (u64, u64),
}

impl Default for FailoverParams {
    fn default() -> Self {
        FailoverParams {
            nodes: 5,
            timeout_us: (150_000, 300_000),
            latency_us: (7_000, 8_000),
            heartbeat_us: None,
            trials: 1000,
            seed: 1,
            prevote: false,
            check_quorum: false,
            unequal_logs: false,
            fsync_us: (0, 0),
        }
    }
}

impl FailoverParams {
    pub fn raft_config(&self) -> RaftConfig {
        RaftConfig {
            nodes: self.nodes,
            election_timeout_min_us: self.timeout_us.0,
            election_timeout_max_us: self.timeout_us.1,
            heartbeat_us: self.heartbeat_us.unwrap_or(self.timeout_us.0 / 2),
            prevote: self.prevote,
            check_quorum: self.check_quorum,
            ..RaftConfig::default()
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.nodes < 3 {
            return Err(format!(
                "failover needs at least 3 servers, not {}: with fewer, the survivors of a crash can never form a majority",
                self.nodes
            ));
        }
        self.raft_config().validate()?;
        if self.latency_us.0 > self.latency_us.1 {
            return Err("latency range is backwards: the minimum is above the maximum".into());
        }
        let ms = |us: u64| us as f64 / 1000.0;
        crate::scenario::storage_range_us(ms(self.fsync_us.0), ms(self.fsync_us.1))
            .map_err(|e| format!("--fsync-ms: {e}"))?;
        if self.trials == 0 {
            return Err("--trials must be at least 1".into());
        }
        Ok(())
    }
}

/// One trial's outcome.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trial {
    pub failover_us: Time,
    /// Terms from the crashed leader's to the new leader's.
    pub terms: u64,
    /// The first term after the crash elected no leader.
    pub split_vote: bool,
}

/// The experiment's report; the field names are the CLI's JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub trials: u32,
    /// Trials that hit [`TRIAL_CAP`] (not part of the JSON).
    #[serde(skip)]
    pub capped: u32,
    pub failover_ms: Summary,
    pub terms_per_failover: f64,
    pub split_vote_rate: f64,
}

/// Each server's clock drifts at a random rate within this bound, a typical
/// quartz tolerance.
pub const CLOCK_DRIFT_PPM: u64 = 100;

/// How long a trial may run. A trial that reaches it counts as a failover
/// of exactly this long (a censored value; the CLI says how many there were).
pub const TRIAL_CAP: Time = 600 * SEC;

/// Runs one trial with its own seed.
pub fn trial(p: &FailoverParams, seed: u64) -> Trial {
    trial_with_hash(p, seed).1
}

/// Runs one trial and also returns the hash of its trace.
pub fn trial_with_hash(p: &FailoverParams, seed: u64) -> (u64, Trial) {
    let mut sim = None;
    let t = run_trial(p, seed, &mut sim);
    (sim.map_or(0, |s: Sim<Raft>| s.trace().hash()), t)
}

fn run_trial(p: &FailoverParams, seed: u64, out: &mut Option<Sim<Raft>>) -> Trial {
    let sim = out.insert(Sim::new(p.raft_config(), p.nodes, seed, link_of(p)));
    sim.set_storage(Some(p.fsync_us));
    trial_on(p, seed, sim)
}

fn link_of(p: &FailoverParams) -> LinkConfig {
    LinkConfig { latency: Latency::Uniform { min_us: p.latency_us.0, max_us: p.latency_us.1 }, loss: 0.0, dup: 0.0 }
}

fn trial_on(p: &FailoverParams, seed: u64, sim: &mut Sim<Raft>) -> Trial {
    let cfg = p.raft_config();
    let mut rng = Rng::new(seed, DRIVER_STREAM);
    // Real clocks drift. Without it, servers whose fixed timeouts fire in
    // lock-step would split their votes forever; with it they drift apart.
    for n in 0..p.nodes {
        let drift = rng.range_inclusive(0, 2 * CLOCK_DRIFT_PPM) as i64 - CLOCK_DRIFT_PPM as i64;
        sim.skew(n, 0, drift);
    }
    let settle = cfg.election_timeout_max_us;

    // Settle: a leader that has held its term for a full maximum timeout.
    let leader = loop {
        while cluster::leader(sim).is_none() && sim.now() < TRIAL_CAP && sim.step() {}
        let Some(l) = cluster::leader(sim) else {
            return stuck();
        };
        let term = sim.node(l).map_or(0, Raft::term);
        sim.run_until(sim.now() + settle);
        if cluster::leader(sim) == Some(l) && sim.node(l).map(Raft::term) == Some(term) {
            break l;
        }
        if sim.now() >= TRIAL_CAP || sim.halted().is_some() {
            return stuck();
        }
    };

    // Crash at a uniform point of the heartbeat interval that starts when
    // the leader next sends heartbeats.
    let beat = loop {
        if !sim.step() || sim.now() >= TRIAL_CAP {
            return stuck();
        }
        let fired = sim
            .trace()
            .last_step()
            .iter()
            .any(|e| matches!(e.kind, EventKind::Timer { node, timer: Timer::Heartbeat } if node == leader));
        if fired {
            break sim.now();
        }
    };
    let crash_at = beat + rng.below(cfg.heartbeat_us);
    sim.run_until(crash_at);
    let old_term = sim.node(leader).map_or(0, Raft::term);
    if p.unequal_logs {
        let mut followers: Vec<NodeId> = (0..p.nodes).filter(|n| *n != leader).collect();
        rng.shuffle(&mut followers);
        let missing = 1 + rng.below(followers.len() as u64 - 1) as usize;
        for &f in &followers[..missing] {
            sim.cut(leader, f);
        }
        sim.command(leader, Cmd::Request(1));
        // With slow storage the entry leaves once it is written: let it
        // reach the followers that are not cut off, then crash (the crash
        // comes that much later in the heartbeat interval).
        if let Some(until) = sim.writing_until(leader) {
            sim.run_until(until + p.latency_us.1);
        }
    }
    let crash_at = sim.now();
    sim.crash(leader);

    // Watch the election and the new leader's first AppendEntries.
    let mut new_leader: Option<(NodeId, u64)> = None;
    let mut heard = vec![false; p.nodes as usize];
    while sim.step() {
        if sim.now() - crash_at > TRIAL_CAP {
            return stuck();
        }
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Note { node, note: Note::Role { role: Role::Leader, term } }
                    if new_leader.is_none_or(|(_, t)| *term > t) =>
                {
                    new_leader = Some((*node, *term));
                    heard.iter_mut().for_each(|h| *h = false);
                    heard[*node as usize] = true;
                    heard[leader as usize] = true;
                }
                EventKind::Deliver { to, msg: Msg::AppendEntries { term, leader: l, .. }, .. }
                    if new_leader == Some((*l, *term)) =>
                {
                    heard[*to as usize] = true;
                }
                _ => {}
            }
        }
        if let Some((_, term)) = new_leader {
            if heard.iter().all(|h| *h) {
                return Trial {
                    failover_us: sim.now() - crash_at,
                    terms: term - old_term,
                    split_vote: term > old_term + 1,
                };
            }
        }
    }
    stuck()
}

fn stuck() -> Trial {
    Trial { failover_us: TRIAL_CAP, terms: 0, split_vote: true }
}

/// Runs every trial and summarises them. `progress` is called after each.
pub fn run(p: &FailoverParams, mut progress: impl FnMut(u32)) -> Report {
    let mut ms = Vec::with_capacity(p.trials as usize);
    let (mut terms, mut splits, mut capped) = (0u64, 0u32, 0u32);
    for i in 0..p.trials {
        let t = trial(p, derive_seed(p.seed, u64::from(i)));
        ms.push(t.failover_us as f64 / 1000.0);
        terms += t.terms;
        splits += u32::from(t.split_vote);
        capped += u32::from(t.failover_us >= TRIAL_CAP);
        progress(i + 1);
    }
    Report {
        trials: p.trials,
        capped,
        failover_ms: Summary::of(&ms),
        terms_per_failover: round3(terms as f64 / f64::from(p.trials)),
        split_vote_rate: round3(f64::from(splits) / f64::from(p.trials)),
    }
}

/// Runs one trial and returns the number of trace events it produced.
pub fn trial_events(p: &FailoverParams, seed: u64) -> u64 {
    let mut sim = None;
    run_trial(p, seed, &mut sim);
    sim.map_or(0, |s: Sim<Raft>| s.trace().len())
}
