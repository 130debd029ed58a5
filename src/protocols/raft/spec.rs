//! Raft on the spine: its parameters as a scenario file writes them
//! (milliseconds) and their conversion to and from its configuration, its
//! checker and observer, and which timeline actions are Raft commands.

use super::invariants::RaftChecker;
use super::observe::Observed;
use super::{cluster, Cmd, Note, Raft, RaftConfig, RaftConfigError, Role, WitnessLog};
use crate::contract::{ms_to_us, Action, Cluster, ConfigError, Route, Runnable, Target};
use crate::sim::trace::{Event, EventKind};
use crate::sim::{NodeId, Sim};
use serde::{Deserialize, Serialize};

/// Raft's parameters as a scenario writes them (milliseconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaftParams {
    pub election_timeout_ms: [f64; 2],
    pub heartbeat_ms: f64,
    pub prevote: bool,
    pub check_quorum: bool,
    /// A new leader appends a no-op entry (§8). Default true.
    pub leader_noop: bool,
    /// Ignore RequestVote within the minimum election timeout of hearing
    /// from a leader (dissertation §4.2.3).
    pub vote_stickiness: bool,
    /// Leader leases with this clock-drift bound in ppm (§6.4.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_drift_bound_ppm: Option<u32>,
    /// Servers that vote and acknowledge but never lead or apply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<NodeId>,
    /// What witnesses keep: "metadata" (terms and indices) or "full".
    #[serde(skip_serializing_if = "is_default_witness_log")]
    pub witness_log: WitnessLog,
    /// Hand leadership to the next server every this many ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotate_every_ms: Option<f64>,
    /// Hand leadership to the next server after this many commits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotate_every_commits: Option<u64>,
    /// Compact the log once this many applied entries follow the snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_every: Option<u64>,
    /// The initial voting members (default: every server); the others are
    /// spares that `add_server` can bring in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<NodeId>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<super::Bug>,
}

fn is_default_witness_log(w: &WitnessLog) -> bool {
    *w == WitnessLog::default()
}

impl Default for RaftParams {
    fn default() -> Self {
        let d = RaftConfig::default();
        RaftParams {
            election_timeout_ms: [d.election_timeout_min_us as f64 / 1000.0, d.election_timeout_max_us as f64 / 1000.0],
            heartbeat_ms: d.heartbeat_us as f64 / 1000.0,
            prevote: d.prevote,
            check_quorum: d.check_quorum,
            leader_noop: d.leader_noop,
            vote_stickiness: d.vote_stickiness,
            lease_drift_bound_ppm: None,
            witnesses: Vec::new(),
            witness_log: WitnessLog::default(),
            rotate_every_ms: None,
            rotate_every_commits: None,
            snapshot_every: None,
            members: None,
            bug: None,
        }
    }
}

impl RaftParams {
    pub fn to_config(&self, nodes: u32) -> Result<RaftConfig, RaftConfigError> {
        let cfg = RaftConfig {
            nodes,
            election_timeout_min_us: ms_to_us(self.election_timeout_ms[0], "election_timeout_ms")?,
            election_timeout_max_us: ms_to_us(self.election_timeout_ms[1], "election_timeout_ms")?,
            heartbeat_us: ms_to_us(self.heartbeat_ms, "heartbeat_ms")?,
            prevote: self.prevote,
            check_quorum: self.check_quorum,
            leader_noop: self.leader_noop,
            vote_stickiness: self.vote_stickiness,
            lease_drift_bound_ppm: self.lease_drift_bound_ppm,
            witnesses: self.witnesses.clone(),
            witness_log: self.witness_log,
            rotate_every_us: self.rotate_every_ms.map(|ms| ms_to_us(ms, "rotate_every_ms")).transpose()?,
            rotate_every_commits: self.rotate_every_commits,
            snapshot_every: self.snapshot_every,
            members: self.members.clone(),
            bug: self.bug,
            ..RaftConfig::default()
        };
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn from_config(cfg: &RaftConfig) -> Self {
        RaftParams {
            election_timeout_ms: [
                cfg.election_timeout_min_us as f64 / 1000.0,
                cfg.election_timeout_max_us as f64 / 1000.0,
            ],
            heartbeat_ms: cfg.heartbeat_us as f64 / 1000.0,
            prevote: cfg.prevote,
            check_quorum: cfg.check_quorum,
            leader_noop: cfg.leader_noop,
            vote_stickiness: cfg.vote_stickiness,
            lease_drift_bound_ppm: cfg.lease_drift_bound_ppm,
            witnesses: cfg.witnesses.clone(),
            witness_log: cfg.witness_log,
            rotate_every_ms: cfg.rotate_every_us.map(|us| us as f64 / 1000.0),
            rotate_every_commits: cfg.rotate_every_commits,
            snapshot_every: cfg.snapshot_every,
            members: cfg.members.clone(),
            bug: cfg.bug,
        }
    }
}

impl Runnable for Raft {
    const HAS_LEADER: bool = true;
    type Spec = RaftParams;
    type Checker = RaftChecker;
    type Observer = Observed;

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    /// No broken variant, and with leases, no clock stepped or drifting
    /// past the lease's bound (leases rest on that bound, §6.4.1).
    fn must_hold(spec: &RaftParams, timeline: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none()
            && spec.lease_drift_bound_ppm.is_none_or(|bound| {
                timeline.iter().all(|a| match a.action {
                    Action::Skew { offset_ms, drift_ppm, .. } => {
                        offset_ms == 0.0 && drift_ppm.unsigned_abs() <= u64::from(bound)
                    }
                    _ => true,
                })
            })
    }

    fn config(spec: &RaftParams, cluster: &Cluster) -> Result<RaftConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        let bound = |what, us| cluster.periods(what, us).map_err(ConfigError::of);
        bound("heartbeat_ms", cfg.heartbeat_us)?;
        bound("election_timeout_ms", cfg.election_timeout_min_us)?;
        if let Some(every) = cfg.rotate_every_us {
            bound("rotate_every_ms", every)?;
        }
        Ok(cfg)
    }

    fn checker(_: &RaftParams, _: &Cluster) -> RaftChecker {
        RaftChecker::default()
    }

    fn leader(sim: &Sim<Raft>) -> Option<NodeId> {
        cluster::leader(sim)
    }

    fn explorable(spec: &RaftParams) -> Result<(), String> {
        super::fingerprint::explorable(spec)
    }

    fn symmetric(spec: &RaftParams) -> bool {
        spec.witnesses.is_empty()
    }

    fn fingerprint(&self, rename: &crate::contract::Rename, h: &mut crate::sim::trace::StableHasher) {
        super::fingerprint::node(self, rename, h)
    }

    fn msg_fingerprint(msg: &super::Msg, rename: &crate::contract::Rename, h: &mut crate::sim::trace::StableHasher) {
        super::fingerprint::msg(msg, rename, h)
    }

    /// Role, and the lag of term, last log term, log and commit point
    /// behind the cluster's most (each up to 3): where Figure 8's states
    /// live.
    fn abstract_nodes(sim: &Sim<Raft>, out: &mut Vec<u64>) {
        let live = || (0..sim.len()).filter_map(|i| sim.node(i));
        let term = live().map(Raft::term).max().unwrap_or(0);
        let last = live().map(|r| r.log().last_index()).max().unwrap_or(0);
        let commit = live().map(Raft::commit_index).max().unwrap_or(0);
        for i in 0..sim.len() {
            out.push(sim.node(i).map_or(0, |r| {
                let lag = |max: u64, x: u64| (max - x).min(3);
                1 + r.role() as u64
                    + 8 * lag(term, r.term())
                    + 32 * lag(last, r.log().last_index())
                    + 128 * lag(commit, r.commit_index())
                    + 512 * lag(term, r.log().last_term())
            }));
        }
    }

    fn request(id: u64, _: Option<u32>) -> Option<Cmd> {
        Some(Cmd::Request(id))
    }

    fn read(id: u64, _: Option<u32>) -> Option<Cmd> {
        Some(Cmd::Read(id))
    }

    fn command(action: &Action) -> Option<(Route, Cmd)> {
        Some(match *action {
            Action::Transfer { to } => (Route::Leader, Cmd::TransferLeadership(to)),
            Action::Campaign { node } => (Route::To(Target::Node(node)), Cmd::Campaign),
            Action::AddServer { node } => (Route::Leader, Cmd::AddServer(node)),
            Action::RemoveServer { node } => (Route::Leader, Cmd::RemoveServer(node)),
            _ => return None,
        })
    }

    fn marks_leader(e: &Event<Raft>) -> bool {
        matches!(e.kind, EventKind::Note { note: Note::Role { role: Role::Leader, .. }, .. })
    }

    fn msg_kind(msg: &super::Msg) -> &'static str {
        match msg {
            super::Msg::AppendEntries { entries, .. } if entries.is_empty() => "Heartbeat",
            _ => msg.label(),
        }
    }

    fn lane_note(note: &Note) -> Option<crate::contract::LaneNote> {
        let Note::Role { role, term } = note else { return None };
        let (class, letter) = match role {
            Role::Follower => ("follower", "F"),
            Role::PreCandidate => ("precandidate", "P"),
            Role::Candidate => ("candidate", "C"),
            Role::Leader => ("leader", "L"),
        };
        Some(crate::contract::LaneNote { class, text: format!("{letter} t{term}"), state: true })
    }
}
