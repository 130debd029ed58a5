//! Raft: leader election and log replication (Ongaro & Ousterhout, "In Search
//! of an Understandable Consensus Algorithm", 2014), with the dissertation's
//! PreVote (§9.6), CheckQuorum (§6.2) and leadership transfer (§3.10), and
//! the leader patterns of the dissertation and practice: leases (§6.4.1),
//! witnesses, rotating leadership, snapshots with InstallSnapshot (§5) and
//! single-server membership changes (§4.1).
//!
//! A pure state machine: each handler takes one event and a [`Ctx`], and says
//! what to do through effects. Handlers are split by role as in the paper
//! (`step_leader`, `step_candidate`, `step_follower`), and role changes are
//! verbs (`become_follower`, `become_pre_candidate`, `become_candidate`,
//! `become_leader`).
//!
//! [`Bug`] switches on deliberately broken variants, so that tests (and the
//! playground) can show each safety checker catching a real mistake.

pub mod cluster;
mod election;
pub mod invariants;
pub mod log;
mod membership;
mod model;
pub mod observe;
mod read_index;
mod replication;
mod snapshot;
mod transfer;

use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::{LocalTime, NodeId, MS};
use log::{member_list, members_text, Entry, Log, Payload};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A deliberately broken variant of Raft, for showing the checkers work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// A server grants a vote to every candidate of a term, forgetting that it
    /// already voted (breaks §5.2's "at most one vote per term").
    VoteTwice,
    /// A server votes without the up-to-date log check of §5.4.1.
    VoteWithoutLogCheck,
    /// A follower appends entries without checking `prevLogTerm` (§5.3).
    SkipPrevTermCheck,
    /// A leader replaces its newest uncommitted entry with a new client
    /// request, instead of only appending (breaks §5.3's append-only leader).
    LeaderOverwritesUncommitted,
    /// A leader commits entries of earlier terms by counting replicas: the
    /// mistake of the paper's Figure 8 (§5.4.2).
    CommitPreviousTermByCount,
    /// Witnesses campaign like full servers, so one can be elected.
    WitnessCampaigns,
    /// A leader answers a ReadIndex read at once, without the heartbeat
    /// round that proves it still leads (§6.4): a deposed leader that does
    /// not know it serves stale reads.
    ReadWithoutRound,
}

impl Bug {
    pub const ALL: [Bug; 7] = [
        Bug::VoteTwice,
        Bug::VoteWithoutLogCheck,
        Bug::SkipPrevTermCheck,
        Bug::LeaderOverwritesUncommitted,
        Bug::CommitPreviousTermByCount,
        Bug::WitnessCampaigns,
        Bug::ReadWithoutRound,
    ];

    pub fn describe(&self) -> &'static str {
        match self {
            Bug::VoteTwice => "servers may vote twice in one term",
            Bug::VoteWithoutLogCheck => "servers vote without checking the candidate's log",
            Bug::SkipPrevTermCheck => "followers skip the prevLogTerm consistency check",
            Bug::LeaderOverwritesUncommitted => "leaders overwrite their newest uncommitted entry",
            Bug::CommitPreviousTermByCount => "leaders commit earlier-term entries by counting replicas (Figure 8)",
            Bug::WitnessCampaigns => "witnesses campaign for leadership like full servers",
            Bug::ReadWithoutRound => "leaders answer ReadIndex reads without confirming they still lead",
        }
    }
}

/// Cluster-wide Raft settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaftConfig {
    /// Cluster size (servers are `0..nodes`).
    pub nodes: u32,
    pub election_timeout_min_us: u64,
    pub election_timeout_max_us: u64,
    pub heartbeat_us: u64,
    /// Campaign in a pre-vote round first, so a partitioned server cannot
    /// inflate terms (dissertation §9.6).
    pub prevote: bool,
    /// A leader steps down when it hears from no majority for an election
    /// timeout (dissertation §6.2).
    pub check_quorum: bool,
    /// A new leader appends a no-op entry of its term at once (§8), so that
    /// earlier-term entries commit without waiting for a client request.
    pub leader_noop: bool,
    /// Most entries in one AppendEntries.
    pub max_entries_per_append: u32,
    /// Servers that heard from a leader within the minimum election timeout
    /// (or booted less than that ago) ignore RequestVote (dissertation §4.2.3).
    pub vote_stickiness: bool,
    /// Leader leases (dissertation §6.4.1), with this bound on any clock's
    /// drift in ppm; `None` turns leases off. Implies vote stickiness.
    pub lease_drift_bound_ppm: Option<u32>,
    /// Witnesses: servers that vote and acknowledge replication (so they
    /// count for quorums) but never lead and never apply commands.
    pub witnesses: Vec<NodeId>,
    /// What a witness keeps of each entry.
    pub witness_log: WitnessLog,
    /// Rotate leadership every this many µs of the leader's clock.
    pub rotate_every_us: Option<u64>,
    /// Rotate leadership after this many entries commit under one leader.
    pub rotate_every_commits: Option<u64>,
    /// Compact the log into a snapshot once this many applied entries
    /// follow the last one (dissertation chapter 5).
    pub snapshot_every: Option<u64>,
    /// The initial voting configuration; `None` means every server. Others
    /// start as spares that a membership change can add (§4.1).
    pub members: Option<Vec<NodeId>>,
    pub bug: Option<Bug>,
}

/// What a witness stores of each log entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WitnessLog {
    /// Terms, indices and configurations only; client payloads are elided
    /// (the leader sends them stripped).
    #[default]
    Metadata,
    /// Every entry in full, as a full server stores it.
    Full,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            nodes: 5,
            election_timeout_min_us: 150 * MS,
            election_timeout_max_us: 300 * MS,
            heartbeat_us: 75 * MS,
            prevote: false,
            check_quorum: false,
            leader_noop: true,
            max_entries_per_append: 64,
            vote_stickiness: false,
            lease_drift_bound_ppm: None,
            witnesses: Vec::new(),
            witness_log: WitnessLog::Metadata,
            rotate_every_us: None,
            rotate_every_commits: None,
            snapshot_every: None,
            members: None,
            bug: None,
        }
    }
}

/// The largest cluster Raft runs here.
pub const MAX_NODES: u32 = 15;

impl RaftConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(format!("a Raft cluster has 1 to {MAX_NODES} servers, not {}", self.nodes));
        }
        if self.election_timeout_min_us == 0 {
            return Err("the election timeout must be positive".into());
        }
        if self.election_timeout_min_us > self.election_timeout_max_us {
            return Err(format!(
                "election timeout range {}-{} ms is backwards: the minimum is above the maximum",
                self.election_timeout_min_us as f64 / 1000.0,
                self.election_timeout_max_us as f64 / 1000.0
            ));
        }
        if self.heartbeat_us == 0 {
            return Err("the heartbeat interval must be positive".into());
        }
        if self.max_entries_per_append == 0 {
            return Err("max_entries_per_append must be at least 1".into());
        }
        if self.lease_drift_bound_ppm.is_some_and(|b| b >= 200_000) {
            return Err("the lease drift bound must be below 200000 ppm (20%)".into());
        }
        for (what, list) in [("witness", &self.witnesses), ("member", self.members.as_ref().unwrap_or(&Vec::new()))] {
            if let Some(n) = list.iter().find(|n| **n >= self.nodes) {
                return Err(format!("{what} n{n} does not exist: the cluster has servers n0 to n{}", self.nodes - 1));
            }
        }
        if self.members.as_ref().is_some_and(|m| m.is_empty()) {
            return Err("the initial configuration needs at least one member".into());
        }
        if !member_list(self.initial_members()).any(|n| !self.witnesses.contains(&n)) {
            return Err("every member is a witness, so no server could ever lead".into());
        }
        if self.rotate_every_us == Some(0) || self.rotate_every_commits == Some(0) {
            return Err("a rotation cadence must be positive".into());
        }
        if self.snapshot_every == Some(0) {
            return Err("snapshot_every must be at least 1 entry".into());
        }
        Ok(())
    }

    /// The initial voting configuration as a bit set.
    pub fn initial_members(&self) -> u32 {
        match &self.members {
            Some(m) => m.iter().filter(|n| **n < 32).fold(0, |acc, n| acc | (1 << n)),
            None => (0..self.nodes.min(32)).fold(0, |acc, n| acc | (1 << n)),
        }
    }

    pub fn is_witness(&self, n: NodeId) -> bool {
        self.witnesses.contains(&n)
    }

    fn sticky(&self) -> bool {
        self.vote_stickiness || self.lease_drift_bound_ppm.is_some()
    }

    /// The lease a majority's acknowledgement buys, on the leader's clock:
    /// the minimum election timeout shrunk so that even a leader clock that
    /// runs slow by the bound, against a follower clock that runs fast by it,
    /// ends the lease before that follower would vote: T·(1−ε)/(1+ε).
    pub fn lease_us(&self) -> Option<u64> {
        self.lease_drift_bound_ppm.map(|b| {
            let b = u128::from(b);
            (u128::from(self.election_timeout_min_us) * (1_000_000 - b) / (1_000_000 + b)) as u64
        })
    }

    fn has(&self, bug: Bug) -> bool {
        self.bug == Some(bug)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Follower,
    /// Collecting pre-votes before starting a real election (§9.6).
    PreCandidate,
    Candidate,
    Leader,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Follower => "follower",
            Role::PreCandidate => "pre-candidate",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        })
    }
}

/// Raft's RPCs (Figure 2), plus TimeoutNow (§3.10).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    RequestVote {
        term: u64,
        candidate: NodeId,
        last_log_index: u64,
        last_log_term: u64,
        /// A pre-vote asks "would you vote for me in `term`?" and changes no state.
        prevote: bool,
        /// Sent after TimeoutNow: a leadership transfer, not a disruption.
        transfer: bool,
    },
    RequestVoteReply {
        term: u64,
        granted: bool,
        prevote: bool,
    },
    AppendEntries {
        term: u64,
        leader: NodeId,
        prev_log_index: u64,
        prev_log_term: u64,
        entries: Vec<Entry>,
        leader_commit: u64,
        /// The leader's heartbeat round, echoed in the reply (leases).
        round: u64,
    },
    AppendEntriesReply {
        term: u64,
        success: bool,
        round: u64,
        /// On success, the follower's last matching index; on failure, the
        /// next index the leader should try (the first index of the
        /// conflicting term, §5.3's optimisation).
        index: u64,
    },
    /// "Start an election now" from a leader handing over (§3.10).
    TimeoutNow {
        term: u64,
    },
    /// The leader's snapshot, for a follower whose next entries were
    /// compacted away (dissertation §5.1). Answered by an AppendEntriesReply.
    InstallSnapshot {
        term: u64,
        leader: NodeId,
        last_index: u64,
        last_term: u64,
        /// The log digest at `last_index` (stands for the snapshot's bytes).
        digest: u64,
        state: SnapState,
        round: u64,
    },
}

/// A snapshot's state: the state machine (the number of client commands
/// applied and the last one) and the configuration as of its last index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SnapState {
    pub applied_requests: u64,
    pub last_applied_request: Option<u64>,
    pub members: u32,
}

impl Msg {
    pub fn term(&self) -> u64 {
        match self {
            Msg::RequestVote { term, .. }
            | Msg::RequestVoteReply { term, .. }
            | Msg::AppendEntries { term, .. }
            | Msg::AppendEntriesReply { term, .. }
            | Msg::TimeoutNow { term }
            | Msg::InstallSnapshot { term, .. } => *term,
        }
    }

    /// A short type name, for drawing and filtering.
    pub fn label(&self) -> &'static str {
        match self {
            Msg::RequestVote { prevote: true, .. } => "PreVote",
            Msg::RequestVote { .. } => "RequestVote",
            Msg::RequestVoteReply { prevote: true, .. } => "PreVoteReply",
            Msg::RequestVoteReply { .. } => "VoteReply",
            Msg::AppendEntries { .. } => "AppendEntries",
            Msg::AppendEntriesReply { .. } => "AppendReply",
            Msg::TimeoutNow { .. } => "TimeoutNow",
            Msg::InstallSnapshot { .. } => "InstallSnapshot",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::RequestVote { term, candidate, last_log_index, last_log_term, prevote, transfer } => write!(
                f,
                "{}(t{term} n{candidate} last={last_log_index}/t{last_log_term}{})",
                if *prevote { "PreVote" } else { "RequestVote" },
                if *transfer { " transfer" } else { "" }
            ),
            Msg::RequestVoteReply { term, granted, prevote } => write!(
                f,
                "{}(t{term} {})",
                if *prevote { "PreVoteReply" } else { "VoteReply" },
                if *granted { "granted" } else { "denied" }
            ),
            Msg::AppendEntries { term, prev_log_index, prev_log_term, entries, leader_commit, .. } => write!(
                f,
                "AppendEntries(t{term} prev={prev_log_index}/t{prev_log_term} +{} commit={leader_commit})",
                entries.len()
            ),
            Msg::AppendEntriesReply { term, success, index, .. } => {
                write!(f, "AppendReply(t{term} {} {index})", if *success { "ok" } else { "reject" })
            }
            Msg::TimeoutNow { term } => write!(f, "TimeoutNow(t{term})"),
            Msg::InstallSnapshot { term, last_index, last_term, .. } => {
                write!(f, "InstallSnapshot(t{term} upto={last_index}/t{last_term})")
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Followers and candidates: start an election. Leaders with
    /// CheckQuorum: check that a majority was heard from.
    Election,
    /// Leaders: send AppendEntries to every follower.
    Heartbeat,
    /// Leaders: give up a leadership transfer that did not finish.
    TransferTimeout,
    /// Leaders with time-based rotation: hand over now.
    Rotate,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
            Timer::TransferTimeout => "transfer-timeout",
            Timer::Rotate => "rotate",
        })
    }
}

/// Commands from outside the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmd {
    /// A client request with a unique id.
    Request(u64),
    /// Ask a leader to hand leadership to a server (§3.10).
    TransferLeadership(NodeId),
    /// Act as if the election timer fired now.
    Campaign,
    /// A client read with a unique id: served at once under a valid lease,
    /// otherwise after a round of heartbeats (ReadIndex, §6.4).
    Read(u64),
    /// Ask a leader to add a server to the configuration (§4.1).
    AddServer(NodeId),
    /// Ask a leader to remove a server from the configuration (§4.1).
    RemoveServer(NodeId),
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Request(id) => write!(f, "request c{id}"),
            Cmd::TransferLeadership(to) => write!(f, "transfer leadership to n{to}"),
            Cmd::Campaign => write!(f, "campaign"),
            Cmd::Read(id) => write!(f, "read r{id}"),
            Cmd::AddServer(n) => write!(f, "add server n{n}"),
            Cmd::RemoveServer(n) => write!(f, "remove server n{n}"),
        }
    }
}

/// What Raft reports to the trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// The server's role or term changed.
    Role {
        role: Role,
        term: u64,
    },
    /// The commit index advanced.
    Commit {
        index: u64,
    },
    /// The leader appended a client request.
    Accepted {
        id: u64,
        index: u64,
    },
    /// A server that is not an available leader refused a request.
    Rejected {
        id: u64,
        leader: Option<NodeId>,
    },
    TransferStart {
        to: NodeId,
    },
    TransferAbort {
        to: NodeId,
    },
    /// CheckQuorum: the leader heard from no majority and stepped down.
    StepDown {
        term: u64,
    },
    /// A read was answered with the state machine's value (the number of
    /// client requests applied), by lease or by ReadIndex.
    Read {
        id: u64,
        value: u64,
        lease: bool,
    },
    /// The server now uses this configuration (the latest in its log).
    Config {
        members: u32,
    },
    /// A leader refused a membership change.
    ConfigRefused {
        node: NodeId,
        add: bool,
        reason: &'static str,
    },
    /// The log was compacted into a snapshot up to `index`.
    Compacted {
        index: u64,
    },
    /// A snapshot from the leader replaced the log up to `index`.
    Installed {
        index: u64,
    },
    /// The leader's rotation cadence came due: it hands over to `to`.
    Rotate {
        to: NodeId,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Role { role, term } => write!(f, "became {role} t{term}"),
            Note::Commit { index } => write!(f, "commit {index}"),
            Note::Accepted { id, index } => write!(f, "accepted c{id} at {index}"),
            Note::Rejected { id, leader: Some(l) } => write!(f, "rejected c{id} (leader is n{l})"),
            Note::Rejected { id, leader: None } => write!(f, "rejected c{id} (no leader known)"),
            Note::TransferStart { to } => write!(f, "transfer to n{to}"),
            Note::TransferAbort { to } => write!(f, "transfer to n{to} aborted"),
            Note::StepDown { term } => write!(f, "step down t{term}: no quorum heard"),
            Note::Read { id, value, lease } => {
                write!(f, "read r{id} = {value} ({})", if *lease { "lease" } else { "read index" })
            }
            Note::Config { members } => write!(f, "configuration {}", members_text(*members)),
            Note::ConfigRefused { node, add, reason } => {
                write!(f, "refused to {} n{node}: {reason}", if *add { "add" } else { "remove" })
            }
            Note::Compacted { index } => write!(f, "snapshot up to {index}"),
            Note::Installed { index } => write!(f, "installed snapshot up to {index}"),
            Note::Rotate { to } => write!(f, "rotation: hand over to n{to}"),
        }
    }
}

/// What survives a crash (Figure 2's "persistent state on all servers").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persistent {
    pub current_term: u64,
    pub voted_for: Option<NodeId>,
    /// The log, with its base at the snapshot's last index.
    pub log: Log,
    /// The snapshot's state machine and configuration.
    pub snapshot: SnapState,
}

/// One Raft server.
#[derive(Clone, Debug)]
pub struct Raft {
    id: NodeId,
    cfg: RaftConfig,
    // Persistent state (Figure 2).
    current_term: u64,
    voted_for: Option<NodeId>,
    log: Log,
    // Volatile state.
    role: Role,
    leader_id: Option<NodeId>,
    commit_index: u64,
    last_applied: u64,
    /// Client commands applied to the state machine, and the last one.
    applied_requests: u64,
    last_applied_request: Option<u64>,
    /// Votes (or pre-votes) received in the current campaign, by server.
    votes: Vec<bool>,
    // Leader state.
    next_index: Vec<u64>,
    match_index: Vec<u64>,
    /// The last index sent to each follower, so that replies to older
    /// AppendEntries do not start more (pipelining without a storm).
    sent_index: Vec<u64>,
    /// Followers heard from since the last CheckQuorum tick.
    recent_active: Vec<bool>,
    transfer: Option<NodeId>,
    /// When this server last heard from a leader of its term (local clock).
    last_leader_contact: Option<LocalTime>,
    /// Vote stickiness: no votes before this local time.
    vote_ban_until: LocalTime,
    // Leases: heartbeat rounds, when each was sent, and who acked which.
    round: u64,
    round_sent: std::collections::VecDeque<(u64, LocalTime)>,
    acked_round: Vec<u64>,
    /// The leader's lease runs until this local time.
    lease_until: LocalTime,
    /// ReadIndex reads waiting: (id, read index, round that must be acked).
    pending_reads: Vec<(u64, u64, u64)>,
    /// The configuration in use (the latest in the log) and its index.
    members: u32,
    members_index: u64,
    /// The state as of the snapshot (the log's base).
    snap: SnapState,
    witness: bool,
    /// Entries committed since this server became leader (rotation).
    commits_in_term: u64,
}

impl Raft {
    // ----- getters -----

    pub fn id(&self) -> NodeId {
        self.id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn term(&self) -> u64 {
        self.current_term
    }
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    pub fn log(&self) -> &Log {
        &self.log
    }
    pub fn leader_id(&self) -> Option<NodeId> {
        self.leader_id
    }
    pub fn commit_index(&self) -> u64 {
        self.commit_index
    }
    pub fn last_applied(&self) -> u64 {
        self.last_applied
    }
    pub fn applied_requests(&self) -> u64 {
        self.applied_requests
    }
    pub fn last_applied_request(&self) -> Option<u64> {
        self.last_applied_request
    }
    pub fn config(&self) -> &RaftConfig {
        &self.cfg
    }
    /// The leader's view of each server's next index (empty unless leader).
    pub fn next_index(&self) -> &[u64] {
        if self.role == Role::Leader {
            &self.next_index
        } else {
            &[]
        }
    }
    /// The leader's view of each server's match index (empty unless leader).
    pub fn match_index(&self) -> &[u64] {
        if self.role == Role::Leader {
            &self.match_index
        } else {
            &[]
        }
    }
    pub fn transfer_target(&self) -> Option<NodeId> {
        self.transfer
    }
    /// Whether this server believes it holds a valid leader lease at local
    /// time `now` (always false with leases off).
    pub fn lease_valid(&self, now: LocalTime) -> bool {
        self.cfg.lease_drift_bound_ppm.is_some() && self.role == Role::Leader && now < self.lease_until
    }
    /// The local time the lease runs to (meaningful while leader).
    pub fn lease_until(&self) -> LocalTime {
        self.lease_until
    }
    /// Votes received in the current campaign, from members.
    pub fn votes(&self) -> usize {
        self.votes.iter().enumerate().filter(|(p, v)| **v && self.is_member(*p as NodeId)).count()
    }
    /// The configuration in use, as a bit set of servers.
    pub fn members(&self) -> u32 {
        self.members
    }
    pub fn is_member(&self, n: NodeId) -> bool {
        n < 32 && self.members & (1 << n) != 0
    }
    pub fn is_witness(&self) -> bool {
        self.witness
    }
    /// A witness that keeps only entries' metadata.
    pub fn is_metadata_witness(&self) -> bool {
        self.witness && self.cfg.witness_log == WitnessLog::Metadata
    }
    /// The state machine and configuration as of the snapshot.
    pub fn snapshot(&self) -> SnapState {
        self.snap
    }

    /// The other members: whom a leader replicates to and a candidate asks.
    fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        member_list(self.members).filter(move |p| *p != self.id)
    }

    /// A majority of the configuration in use.
    fn quorum(&self) -> usize {
        self.members.count_ones() as usize / 2 + 1
    }

    /// Whether `n` may lead: a member and not a witness.
    fn can_lead(&self, n: NodeId) -> bool {
        self.is_member(n) && (!self.cfg.is_witness(n) || self.cfg.has(Bug::WitnessCampaigns))
    }

    // ----- role changes -----

    // ----- message handling -----

    fn step_follower(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntries { .. } => self.handle_append_entries(ctx, from, msg),
            Msg::InstallSnapshot { .. } => self.handle_install_snapshot(ctx, from, msg),
            Msg::TimeoutNow { term } if term == self.current_term => self.campaign(ctx, true),
            _ => {}
        }
    }

    fn step_candidate(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntries { term, leader, .. } => {
                if term >= self.current_term {
                    // Another server won this term (§5.2).
                    self.become_follower(ctx, term, Some(leader));
                }
                self.handle_append_entries(ctx, from, msg);
            }
            Msg::InstallSnapshot { term, leader, .. } => {
                if term >= self.current_term {
                    self.become_follower(ctx, term, Some(leader));
                }
                self.handle_install_snapshot(ctx, from, msg);
            }
            Msg::RequestVoteReply { term, granted, prevote } => {
                if prevote {
                    if self.role != Role::PreCandidate {
                        return;
                    }
                    if !granted && term > self.current_term {
                        self.become_follower(ctx, term, None);
                    } else if granted && term == self.current_term + 1 {
                        self.votes[from as usize] = true;
                        self.tally(ctx);
                    }
                } else if self.role == Role::Candidate && term == self.current_term && granted {
                    self.votes[from as usize] = true;
                    self.tally(ctx);
                }
            }
            _ => {}
        }
    }

    fn step_leader(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntriesReply { term, success, index, round } if term == self.current_term => {
                self.recent_active[from as usize] = true;
                let f = from as usize;
                self.acked_round[f] = self.acked_round[f].max(round);
                self.extend_lease();
                self.serve_reads(ctx);
                if success {
                    self.match_index[f] = self.match_index[f].max(index);
                    self.next_index[f] = self.next_index[f].max(index + 1);
                    self.maybe_commit(ctx);
                    // Only the reply to the newest AppendEntries sends more;
                    // replies to older ones would start parallel streams.
                    let latest = index >= self.sent_index[f];
                    if self.transfer == Some(from) && self.match_index[f] == self.log.last_index() {
                        ctx.send(from, Msg::TimeoutNow { term: self.current_term });
                    } else if latest && self.next_index[f] <= self.log.last_index() {
                        self.send_append(ctx, from);
                    }
                } else {
                    let back = index.min(self.next_index[f].saturating_sub(1));
                    self.next_index[f] = back.max(self.match_index[f] + 1).max(1);
                    self.send_append(ctx, from);
                }
            }
            // A stale leader's AppendEntries: the reply tells it our term.
            Msg::AppendEntries { term, .. } if term < self.current_term => self.handle_append_entries(ctx, from, msg),
            Msg::InstallSnapshot { term, .. } if term < self.current_term => {
                self.handle_install_snapshot(ctx, from, msg)
            }
            _ => {}
        }
    }
}

impl Protocol for Raft {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    type Persistent = Persistent;
    type Config = RaftConfig;

    fn boot(id: NodeId, config: &RaftConfig, persisted: Option<Persistent>) -> Self {
        let initial = SnapState { members: config.initial_members(), ..SnapState::default() };
        let p =
            persisted.unwrap_or(Persistent { current_term: 0, voted_for: None, log: Log::new(), snapshot: initial });
        let witness = config.is_witness(id);
        let base = p.log.snapshot_index();
        let mut raft = Raft {
            id,
            cfg: config.clone(),
            current_term: p.current_term,
            voted_for: p.voted_for,
            log: p.log,
            role: Role::Follower,
            leader_id: None,
            commit_index: base,
            last_applied: if witness { 0 } else { base },
            applied_requests: if witness { 0 } else { p.snapshot.applied_requests },
            last_applied_request: if witness { None } else { p.snapshot.last_applied_request },
            votes: vec![false; config.nodes as usize],
            next_index: Vec::new(),
            match_index: Vec::new(),
            sent_index: Vec::new(),
            recent_active: Vec::new(),
            transfer: None,
            last_leader_contact: None,
            vote_ban_until: LocalTime::MIN,
            round: 0,
            round_sent: std::collections::VecDeque::new(),
            acked_round: Vec::new(),
            lease_until: LocalTime::MIN,
            pending_reads: Vec::new(),
            members: p.snapshot.members,
            members_index: base,
            snap: p.snapshot,
            witness,
            commits_in_term: 0,
        };
        let (members, index) = raft.config_at(raft.log.last_index());
        raft.members = members;
        raft.members_index = index;
        raft
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.cfg.sticky() {
            // A restarted server may have acked a lease before it crashed.
            self.vote_ban_until = ctx.now() + self.cfg.election_timeout_min_us as i64;
        }
        ctx.note(Note::Role { role: Role::Follower, term: self.current_term });
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        let term = msg.term();
        // Vote stickiness (§4.2.3): within the minimum election timeout of
        // hearing from a leader (or of booting), a RequestVote is ignored
        // entirely, term included. A leader is its own leader. Transfers pass.
        if let Msg::RequestVote { prevote: false, transfer: false, .. } = msg {
            if self.cfg.sticky() && (self.role == Role::Leader || ctx.now() < self.vote_ban_until) {
                return;
            }
        }
        let is_prevote =
            matches!(msg, Msg::RequestVote { prevote: true, .. } | Msg::RequestVoteReply { prevote: true, .. });
        // Any RPC with a higher term makes us a follower of that term (§5.1),
        // except pre-votes, which never change terms (§9.6).
        if term > self.current_term && !is_prevote {
            let leader = match msg {
                Msg::AppendEntries { leader, .. } => Some(leader),
                _ => None,
            };
            self.become_follower(ctx, term, leader);
        }
        if let Msg::RequestVote { .. } = msg {
            self.handle_request_vote(ctx, from, &msg);
            return;
        }
        match self.role {
            Role::Leader => self.step_leader(ctx, from, msg),
            Role::Candidate | Role::PreCandidate => self.step_candidate(ctx, from, msg),
            Role::Follower => self.step_follower(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match (timer, self.role) {
            (Timer::Election, Role::Leader) => self.check_quorum(ctx),
            (Timer::Election, _) => self.campaign(ctx, false),
            (Timer::Heartbeat, Role::Leader) => {
                self.start_round(ctx);
                self.broadcast_append(ctx);
                ctx.set_timer(Timer::Heartbeat, self.cfg.heartbeat_us);
            }
            (Timer::TransferTimeout, Role::Leader) => self.abort_transfer(ctx, true),
            (Timer::Rotate, Role::Leader) => {
                self.rotate(ctx);
                if let Some(every) = self.cfg.rotate_every_us {
                    ctx.set_timer(Timer::Rotate, every);
                }
            }
            _ => {}
        }
    }

    fn on_command(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        match cmd {
            Cmd::Request(id) => {
                if self.role != Role::Leader || self.transfer.is_some() {
                    ctx.note(Note::Rejected { id, leader: self.leader_id.filter(|l| *l != self.id) });
                    return;
                }
                let last = self.log.last_index();
                if self.cfg.has(Bug::LeaderOverwritesUncommitted)
                    && last > self.commit_index
                    && self.log.last_term() == self.current_term
                {
                    self.log.truncate_from(last);
                }
                ctx.note(Note::Accepted { id, index: self.log.last_index() + 1 });
                self.leader_append(ctx, Payload::Client(id));
                self.maybe_commit(ctx);
            }
            Cmd::TransferLeadership(to) => {
                if self.role != Role::Leader || to == self.id || !self.can_lead(to) || self.transfer.is_some() {
                    return;
                }
                self.start_transfer(ctx, to);
            }
            Cmd::AddServer(n) => self.change_membership(ctx, n, true),
            Cmd::RemoveServer(n) => self.change_membership(ctx, n, false),
            Cmd::Read(id) => {
                // A leader answers only once an entry of its own term is
                // committed: before that its commit index may be behind.
                let ready = self.role == Role::Leader
                    && self.transfer.is_none()
                    && self.log.term_at(self.commit_index) == Some(self.current_term);
                if !ready {
                    ctx.note(Note::Rejected { id, leader: self.leader_id.filter(|l| *l != self.id) });
                } else if self.lease_valid(ctx.now()) {
                    ctx.note(Note::Read { id, value: self.applied_requests, lease: true });
                } else if self.cfg.bug == Some(Bug::ReadWithoutRound) {
                    ctx.note(Note::Read { id, value: self.applied_requests, lease: false });
                } else {
                    self.start_round(ctx);
                    self.pending_reads.push((id, self.commit_index, self.round));
                    self.broadcast_append(ctx);
                    self.serve_reads(ctx);
                }
            }
            Cmd::Campaign => {
                // With stickiness (and leases) a server that heard from a
                // leader within the minimum election timeout may not vote,
                // not even for itself: the lease counts on it.
                let banned = self.cfg.sticky() && ctx.now() < self.vote_ban_until;
                if self.role != Role::Leader && !banned {
                    self.campaign(ctx, false);
                }
            }
        }
    }

    fn persistent(&self) -> Persistent {
        Persistent {
            current_term: self.current_term,
            voted_for: self.voted_for,
            log: self.log.clone(),
            snapshot: self.snap,
        }
    }
}
