//! The leader-failover experiment of the Raft paper (§9.3, Figure 16).
//!
//! Each trial elects a leader, lets the cluster settle, then crashes the
//! leader at a uniformly random point of its heartbeat interval. It measures
//! the time from the crash until every live server has received an
//! AppendEntries from the new leader (the instant that ends a trial: a new
//! leader is elected *and known*), the number of terms that took, and
//! whether the first term after the crash elected nobody (a split vote).
//!
//! Each server's clock drifts by a random rate within ±100 ppm. This matters
//! only for fixed timeouts (`150-150`): servers whose timers fire in lock-step
//! split their votes until drift pulls them apart, which is why such clusters
//! fail over so slowly.
//!
//! With `unequal_logs`, each trial is the paper's worst case: "the servers
//! in each trial had different log lengths, so some candidates were not
//! eligible to become leader", and "our test script triggered a
//! synchronized broadcast of heartbeat RPCs from the leader before
//! terminating its process" ([`unequal_logs`]). [`RAFT_PAPER`] is the whole
//! testbed: that worst case on the wire and disk that fit the paper's three
//! numbers at once (README, "Figure 16").

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

/// The CLI's defaults: the README's failover table.
pub const DEFAULT: FailoverParams = FailoverParams {
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
};

impl Default for FailoverParams {
    fn default() -> Self {
        DEFAULT
    }
}

/// The testbed of the Raft paper's §9.3 as this simulator models it: five
/// servers, 2.5–3.5 ms one-way messages, 0.5–1 ms storage writes, and the
/// worst case (unequal logs, a synchronized heartbeat before the crash).
/// These are the values with which the paper's three numbers (150–155 ms:
/// median 287 ms; 150–200 ms: worst of 1,000 trials 513 ms; 12–24 ms: mean
/// 35 ms) all come out within 15% at once; `--timeout-ms` still chooses
/// the timeouts.
pub const RAFT_PAPER: FailoverParams =
    FailoverParams { latency_us: (2_500, 3_500), fsync_us: (500, 1_000), unequal_logs: true, ..DEFAULT };

impl FailoverParams {
    /// The same experiment on [`RAFT_PAPER`]'s testbed: its wire, storage
    /// and worst case; the timeouts, heartbeat, cluster size, options,
    /// trials and seed stay as they are.
    pub fn on_raft_paper(self) -> FailoverParams {
        FailoverParams {
            latency_us: RAFT_PAPER.latency_us,
            fsync_us: RAFT_PAPER.fsync_us,
            unequal_logs: RAFT_PAPER.unequal_logs,
            ..self
        }
    }

    /// The shortest time a candidate can collect its votes in: a request
    /// out, the voter's two writes (its new term, its vote) and the reply
    /// back, each at its slowest.
    pub fn broadcast_us(&self) -> u64 {
        2 * self.latency_us.1 + 2 * self.fsync_us.1
    }

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
        let ms = |us: u64| us as f64 / 1000.0;
        if self.nodes < 3 {
            return Err(format!(
                "failover needs at least 3 servers, not {}: with fewer, the survivors of a crash can never form a majority",
                self.nodes
            ));
        }
        self.raft_config().validate().map_err(|e| e.to_string())?;
        if self.latency_us.0 > self.latency_us.1 {
            return Err("latency range is backwards: the minimum is above the maximum".into());
        }
        crate::scenario::storage_range_us(ms(self.fsync_us.0), ms(self.fsync_us.1))
            .map_err(|e| format!("--fsync-ms: {e}"))?;
        if self.trials == 0 {
            return Err("--trials must be at least 1".into());
        }
        let broadcast = self.broadcast_us();
        if self.timeout_us.1 <= broadcast {
            return Err(format!(
                "election timeouts of {}-{} ms are below the broadcast time of {} ms (a request, a voter's two storage writes and its reply, at --latency-ms {}-{} and --fsync-ms {}-{}): a candidate's timer fires again before its votes can arrive, so no leader is ever elected. Raise --timeout-ms above {} ms or make the wire or disk faster",
                ms(self.timeout_us.0),
                ms(self.timeout_us.1),
                ms(broadcast),
                ms(self.latency_us.0),
                ms(self.latency_us.1),
                ms(self.fsync_us.0),
                ms(self.fsync_us.1),
                ms(broadcast),
            ));
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

impl Trial {
    pub fn ms(&self) -> f64 {
        self.failover_us as f64 / 1000.0
    }
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

/// A trial's cluster at the instant `beat` when its leader, settled (and,
/// with unequal logs, set up for the worst case), has just sent the
/// heartbeats that begin the interval it will crash in: `(sim, leader,
/// beat)`, or `None` if no leader settled within [`TRIAL_CAP`].
pub fn prepared(p: &FailoverParams, seed: u64) -> Option<(Sim<Raft>, NodeId, Time)> {
    let mut sim = Sim::new(p.raft_config(), p.nodes, seed, link_of(p));
    sim.set_storage(Some(p.fsync_us));
    let (leader, beat) = prepare(p, &mut sim, &mut Rng::new(seed, DRIVER_STREAM))?;
    Some((sim, leader, beat))
}

fn prepare(p: &FailoverParams, sim: &mut Sim<Raft>, rng: &mut Rng) -> Option<(NodeId, Time)> {
    // Real clocks drift. Without it, servers whose fixed timeouts fire in
    // lock-step would split their votes forever; with it they drift apart.
    for n in 0..p.nodes {
        let drift = rng.range_inclusive(0, 2 * CLOCK_DRIFT_PPM) as i64 - CLOCK_DRIFT_PPM as i64;
        sim.skew(n, 0, drift);
    }
    let settle = p.timeout_us.1;

    // Settle: a leader that has held its term for a full maximum timeout.
    loop {
        while cluster::leader(sim).is_none() && sim.now() < TRIAL_CAP && sim.step() {}
        let l = cluster::leader(sim)?;
        let term = sim.node(l).map_or(0, Raft::term);
        sim.run_until(sim.now() + settle);
        let held = |sim: &Sim<Raft>| cluster::leader(sim) == Some(l) && sim.node(l).map(Raft::term) == Some(term);
        if held(sim) {
            let beat = next_beat(sim, l)?;
            if p.unequal_logs {
                let mut followers: Vec<NodeId> = (0..p.nodes).filter(|n| *n != l).collect();
                rng.shuffle(&mut followers);
                unequal_logs(sim, l, &followers);
            }
            return Some((l, beat));
        }
        if sim.now() >= TRIAL_CAP || sim.halted().is_some() {
            return None;
        }
    }
}

fn trial_on(p: &FailoverParams, seed: u64, sim: &mut Sim<Raft>) -> Trial {
    let cfg = p.raft_config();
    let mut rng = Rng::new(seed, DRIVER_STREAM);
    let Some((leader, beat)) = prepare(p, sim, &mut rng) else {
        return stuck();
    };

    // Crash at a uniform point of the heartbeat interval that began with
    // the heartbeats sent at `beat`.
    let crash_at = (beat + rng.below(cfg.heartbeat_us)).max(sim.now());
    sim.run_until(crash_at);
    let old_term = sim.node(leader).map_or(0, Raft::term);
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

/// Runs until `leader` next sends heartbeats; returns that instant.
fn next_beat(sim: &mut Sim<Raft>, leader: NodeId) -> Option<Time> {
    loop {
        if !sim.step() || sim.now() >= TRIAL_CAP {
            return None;
        }
        let fired = sim
            .trace()
            .last_step()
            .iter()
            .any(|e| matches!(e.kind, EventKind::Timer { node, timer: Timer::Heartbeat } if node == leader));
        if fired {
            return Some(sim.now());
        }
    }
}

/// The paper's worst case, set up at `beat`, when the leader has just sent
/// its heartbeats: logs of distinct lengths, and a synchronized broadcast
/// that resets every follower's timer at once. The leader appends two
/// entries at a time, and after each pair fires its heartbeat to fewer
/// followers: each AppendEntries carries every entry a follower lacks, so
/// with four followers they end 0, 2, 4 and 6 entries behind the leader
/// (the order the messages arrive in does not matter). Everything leaves
/// at `beat`; the leader's writes go in parallel with it (dissertation
/// §10.2.1). Links that lose every message *sent* on them (rather than
/// cuts, which drop what is in flight too) keep the broadcast and drop
/// everything else, including all the leader sends afterwards, so the logs
/// stay unequal until the crash.
pub fn unequal_logs(sim: &mut Sim<Raft>, leader: NodeId, followers: &[NodeId]) {
    let normal = *sim.network().link(leader, followers[0]);
    let lost = LinkConfig { loss: 1.0, ..normal };
    let storage = sim.storage();
    sim.set_storage(None);
    for keep in (1..followers.len()).rev() {
        for &f in followers {
            sim.set_link(leader, f, lost);
        }
        sim.command(leader, Cmd::Request(2 * keep as u64));
        sim.command(leader, Cmd::Request(2 * keep as u64 + 1));
        for &f in &followers[..keep] {
            sim.set_link(leader, f, normal);
        }
        sim.fire(leader, Timer::Heartbeat);
    }
    for &f in followers {
        sim.set_link(leader, f, lost);
    }
    sim.set_storage(storage);
}

fn stuck() -> Trial {
    Trial { failover_us: TRIAL_CAP, terms: 0, split_vote: true }
}

/// Runs every trial, in order. `progress` is called after each.
pub fn trials(p: &FailoverParams, mut progress: impl FnMut(u32)) -> Vec<Trial> {
    (0..p.trials)
        .map(|i| {
            let t = trial(p, derive_seed(p.seed, u64::from(i)));
            progress(i + 1);
            t
        })
        .collect()
}

/// Runs every trial and summarises them. `progress` is called after each.
pub fn run(p: &FailoverParams, progress: impl FnMut(u32)) -> Report {
    Report::of(p, &trials(p, progress))
}

impl Report {
    pub fn of(p: &FailoverParams, trials: &[Trial]) -> Report {
        let ms: Vec<f64> = trials.iter().map(Trial::ms).collect();
        let terms: u64 = trials.iter().map(|t| t.terms).sum();
        let splits = trials.iter().filter(|t| t.split_vote).count() as u32;
        let capped = trials.iter().filter(|t| t.failover_us >= TRIAL_CAP).count() as u32;
        Report {
            trials: p.trials,
            capped,
            failover_ms: Summary::of(&ms),
            terms_per_failover: round3(terms as f64 / f64::from(p.trials)),
            split_vote_rate: round3(f64::from(splits) / f64::from(p.trials)),
        }
    }
}

/// Runs one trial and returns the number of trace events it produced.
pub fn trial_events(p: &FailoverParams, seed: u64) -> u64 {
    let mut sim = None;
    run_trial(p, seed, &mut sim);
    sim.map_or(0, |s: Sim<Raft>| s.trace().len())
}
