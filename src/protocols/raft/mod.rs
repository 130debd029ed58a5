//! Raft: leader election and log replication (Ongaro & Ousterhout, "In Search
//! of an Understandable Consensus Algorithm", 2014), with the dissertation's
//! PreVote (§9.6), CheckQuorum (§6.2) and leadership transfer (§3.10).
//!
//! A pure state machine: each handler takes one event and a [`Ctx`], and says
//! what to do through effects. Handlers are split by role as in the paper
//! (`step_leader`, `step_candidate`, `step_follower`), and role changes are
//! verbs (`become_follower`, `become_pre_candidate`, `become_candidate`,
//! `become_leader`).
//!
//! [`Bug`] switches on deliberately broken variants, so that tests (and the
//! playground) can show each safety checker catching a real mistake.

pub mod invariants;
pub mod log;

use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::{LocalTime, NodeId, MS};
use log::{Entry, Log, Payload};
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
}

impl Bug {
    pub const ALL: [Bug; 5] = [
        Bug::VoteTwice,
        Bug::VoteWithoutLogCheck,
        Bug::SkipPrevTermCheck,
        Bug::LeaderOverwritesUncommitted,
        Bug::CommitPreviousTermByCount,
    ];

    pub fn describe(&self) -> &'static str {
        match self {
            Bug::VoteTwice => "servers may vote twice in one term",
            Bug::VoteWithoutLogCheck => "servers vote without checking the candidate's log",
            Bug::SkipPrevTermCheck => "followers skip the prevLogTerm consistency check",
            Bug::LeaderOverwritesUncommitted => "leaders overwrite their newest uncommitted entry",
            Bug::CommitPreviousTermByCount => "leaders commit earlier-term entries by counting replicas (Figure 8)",
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
    pub bug: Option<Bug>,
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
        Ok(())
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

    fn quorum(&self) -> usize {
        self.nodes as usize / 2 + 1
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
}

impl Msg {
    pub fn term(&self) -> u64 {
        match self {
            Msg::RequestVote { term, .. }
            | Msg::RequestVoteReply { term, .. }
            | Msg::AppendEntries { term, .. }
            | Msg::AppendEntriesReply { term, .. }
            | Msg::TimeoutNow { term } => *term,
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
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
            Timer::TransferTimeout => "transfer-timeout",
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
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Request(id) => write!(f, "request c{id}"),
            Cmd::TransferLeadership(to) => write!(f, "transfer leadership to n{to}"),
            Cmd::Campaign => write!(f, "campaign"),
            Cmd::Read(id) => write!(f, "read r{id}"),
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
        }
    }
}

/// What survives a crash (Figure 2's "persistent state on all servers").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Persistent {
    pub current_term: u64,
    pub voted_for: Option<NodeId>,
    pub log: Log,
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
    /// Votes received in the current campaign.
    pub fn votes(&self) -> usize {
        self.votes.iter().filter(|v| **v).count()
    }

    fn peers(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.cfg.nodes).filter(move |p| *p != self.id)
    }

    // ----- role changes -----

    fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let timeout = ctx.rng().range_inclusive(self.cfg.election_timeout_min_us, self.cfg.election_timeout_max_us);
        ctx.set_timer(Timer::Election, timeout);
    }

    fn become_follower(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, leader: Option<NodeId>) {
        let changed = self.role != Role::Follower || term != self.current_term;
        if term > self.current_term {
            self.current_term = term;
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.leader_id = leader;
        for (id, _, _) in std::mem::take(&mut self.pending_reads) {
            ctx.note(Note::Rejected { id, leader });
        }
        self.abort_transfer(ctx, false);
        ctx.cancel_timer(Timer::Heartbeat);
        self.reset_election_timer(ctx);
        if changed {
            ctx.note(Note::Role { role: Role::Follower, term: self.current_term });
        }
    }

    fn become_pre_candidate(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::PreCandidate;
        self.leader_id = None;
        self.start_campaign(ctx, self.current_term + 1, true, false);
    }

    fn become_candidate(&mut self, ctx: &mut Ctx<'_, Self>, transfer: bool) {
        self.current_term += 1;
        self.voted_for = Some(self.id);
        self.role = Role::Candidate;
        self.leader_id = None;
        self.start_campaign(ctx, self.current_term, false, transfer);
    }

    fn start_campaign(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, prevote: bool, transfer: bool) {
        ctx.note(Note::Role { role: self.role, term: self.current_term });
        self.votes = vec![false; self.cfg.nodes as usize];
        self.votes[self.id as usize] = true;
        self.reset_election_timer(ctx);
        let rv = Msg::RequestVote {
            term,
            candidate: self.id,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
            prevote,
            transfer,
        };
        for p in self.peers().collect::<Vec<_>>() {
            ctx.send(p, rv.clone());
        }
        self.tally(ctx);
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::Leader;
        self.leader_id = Some(self.id);
        ctx.note(Note::Role { role: Role::Leader, term: self.current_term });
        // A new leader commits earlier-term entries only through an entry of
        // its own term, so it appends a no-op at once (§8).
        if self.cfg.leader_noop {
            self.log.append(Entry { term: self.current_term, payload: Payload::Noop });
        }
        let n = self.cfg.nodes as usize;
        self.next_index = vec![self.log.last_index(); n];
        self.match_index = vec![0; n];
        self.match_index[self.id as usize] = self.log.last_index();
        self.sent_index = vec![0; n];
        self.acked_round = vec![0; n];
        self.round_sent.clear();
        self.lease_until = LocalTime::MIN;
        self.start_round(ctx);
        self.recent_active = vec![false; n];
        if self.cfg.check_quorum {
            ctx.set_timer(Timer::Election, self.cfg.election_timeout_min_us);
        } else {
            ctx.cancel_timer(Timer::Election);
        }
        self.broadcast_append(ctx);
        ctx.set_timer(Timer::Heartbeat, self.cfg.heartbeat_us);
        self.maybe_commit(ctx);
    }

    fn campaign(&mut self, ctx: &mut Ctx<'_, Self>, transfer: bool) {
        if self.cfg.prevote && !transfer {
            self.become_pre_candidate(ctx);
        } else {
            self.become_candidate(ctx, transfer);
        }
    }

    /// Counts votes; wins the (pre-)election with a majority.
    fn tally(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.votes() < self.cfg.quorum() {
            return;
        }
        match self.role {
            Role::PreCandidate => self.become_candidate(ctx, false),
            Role::Candidate => self.become_leader(ctx),
            _ => {}
        }
    }

    fn abort_transfer(&mut self, ctx: &mut Ctx<'_, Self>, noted: bool) {
        if let Some(to) = self.transfer.take() {
            ctx.cancel_timer(Timer::TransferTimeout);
            if noted {
                ctx.note(Note::TransferAbort { to });
            }
        }
    }

    // ----- message handling -----

    /// RequestVote, from any role (§5.2, §5.4.1; pre-votes §9.6).
    fn handle_request_vote(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &Msg) {
        let Msg::RequestVote { term, candidate, last_log_index, last_log_term, prevote, .. } = *msg else {
            return;
        };
        let log_ok = self.cfg.has(Bug::VoteWithoutLogCheck) || self.log.is_up_to_date(last_log_index, last_log_term);
        if prevote {
            // Grant a pre-vote only to a sufficiently up-to-date log, and only
            // if no leader has been heard from within the minimum election
            // timeout; a pre-vote changes nothing here (§9.6).
            let heard_leader = self.role == Role::Leader
                || (self.leader_id.is_some()
                    && self
                        .last_leader_contact
                        .is_some_and(|t| ctx.now() - t < self.cfg.election_timeout_min_us as i64));
            let granted = term > self.current_term && log_ok && !heard_leader;
            let term = if granted { term } else { self.current_term };
            ctx.send(from, Msg::RequestVoteReply { term, granted, prevote: true });
            return;
        }
        // Higher terms were adopted before we got here, so `term` is ours or stale.
        let free = match self.voted_for {
            None => true,
            Some(v) => v == candidate || self.cfg.has(Bug::VoteTwice),
        };
        let granted = term == self.current_term && free && log_ok;
        if granted {
            self.voted_for = Some(candidate);
            self.reset_election_timer(ctx);
        }
        ctx.send(from, Msg::RequestVoteReply { term: self.current_term, granted, prevote: false });
    }

    fn step_follower(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntries { .. } => self.handle_append_entries(ctx, from, msg),
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
            _ => {}
        }
    }

    /// AppendEntries at a follower (§5.3), or a stale one at anyone.
    fn handle_append_entries(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::AppendEntries { term, leader, prev_log_index, prev_log_term, entries, leader_commit, round } = msg
        else {
            return;
        };
        let reply = |ctx: &mut Ctx<'_, Self>, term, success, index| {
            ctx.send(from, Msg::AppendEntriesReply { term, success, index, round });
        };
        if term < self.current_term {
            reply(ctx, self.current_term, false, 0);
            return;
        }
        self.leader_id = Some(leader);
        self.last_leader_contact = Some(ctx.now());
        self.vote_ban_until = self.vote_ban_until.max(ctx.now() + self.cfg.election_timeout_min_us as i64);
        self.reset_election_timer(ctx);

        // Consistency check (§5.3).
        if prev_log_index > self.log.last_index() {
            reply(ctx, self.current_term, false, self.log.last_index() + 1);
            return;
        }
        let prev_ok = self.cfg.has(Bug::SkipPrevTermCheck) || self.log.term_at(prev_log_index) == Some(prev_log_term);
        if !prev_ok {
            // Skip back over the whole conflicting term in one round trip.
            let conflict = self.log.term_at(prev_log_index);
            let mut hint = prev_log_index;
            while hint > self.commit_index + 1 && self.log.term_at(hint - 1) == conflict {
                hint -= 1;
            }
            reply(ctx, self.current_term, false, hint.max(1));
            return;
        }
        let last_new = prev_log_index + entries.len() as u64;
        for (i, entry) in entries.into_iter().enumerate() {
            let index = prev_log_index + 1 + i as u64;
            match self.log.term_at(index) {
                Some(t) if t == entry.term => {}
                Some(_) => {
                    // A conflicting entry and all that follow it go (§5.3).
                    self.log.truncate_from(index);
                    self.log.append(entry);
                }
                None => self.log.append(entry),
            }
        }
        if leader_commit > self.commit_index {
            let commit = leader_commit.min(last_new);
            if commit > self.commit_index {
                self.commit_index = commit;
                ctx.note(Note::Commit { index: commit });
                self.apply();
            }
        }
        reply(ctx, self.current_term, true, last_new);
    }

    /// AppendEntries to `to` from its nextIndex.
    fn send_append(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        let next = self.next_index[to as usize].max(1);
        self.send_append_from(ctx, to, next);
    }

    /// AppendEntries to `to` carrying entries from `next` on.
    fn send_append_from(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, next: u64) {
        let prev_log_index = next - 1;
        let prev_log_term = self.log.term_at(prev_log_index).unwrap_or(0);
        let last = next + u64::from(self.cfg.max_entries_per_append) - 1;
        let entries = self.log.slice(next, last);
        if let Some(sent) = self.sent_index.get_mut(to as usize) {
            *sent = prev_log_index + entries.len() as u64;
        }
        ctx.send(
            to,
            Msg::AppendEntries {
                term: self.current_term,
                leader: self.id,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit: self.commit_index,
                round: self.round,
            },
        );
    }

    fn broadcast_append(&mut self, ctx: &mut Ctx<'_, Self>) {
        for p in self.peers().collect::<Vec<_>>() {
            self.send_append(ctx, p);
        }
    }

    /// Commits the highest index stored on a majority, if it is of the
    /// current term (§5.4.2). Earlier-term entries commit with it.
    fn maybe_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
        let mut matched: Vec<u64> = self.match_index.clone();
        matched[self.id as usize] = self.log.last_index();
        matched.sort_unstable_by(|a, b| b.cmp(a));
        let n = matched[self.cfg.quorum() - 1];
        if n <= self.commit_index {
            return;
        }
        let own_term = self.log.term_at(n) == Some(self.current_term);
        if own_term || self.cfg.has(Bug::CommitPreviousTermByCount) {
            self.commit_index = n;
            ctx.note(Note::Commit { index: n });
            self.apply();
            self.serve_reads(ctx);
        }
    }

    fn apply(&mut self) {
        while self.last_applied < self.commit_index {
            let Some(entry) = self.log.get(self.last_applied + 1) else {
                break;
            };
            if let Payload::Client(id) = entry.payload {
                self.applied_requests += 1;
                self.last_applied_request = Some(id);
            }
            self.last_applied += 1;
        }
    }

    /// The round a majority has acknowledged (this leader counts itself).
    fn majority_round(&self) -> u64 {
        let mut acked = self.acked_round.clone();
        acked.sort_unstable_by(|a, b| b.cmp(a));
        acked.get(self.cfg.quorum() - 1).copied().unwrap_or(0)
    }

    /// Answers ReadIndex reads whose heartbeat round a majority acked and
    /// whose read index is applied (§6.4).
    fn serve_reads(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.pending_reads.is_empty() {
            return;
        }
        let acked = self.majority_round();
        let applied = self.last_applied;
        let value = self.applied_requests;
        self.pending_reads.retain(|&(id, index, round)| {
            let ready = acked >= round && applied >= index;
            if ready {
                ctx.note(Note::Read { id, value, lease: false });
            }
            !ready
        });
    }

    /// A new heartbeat round: replies that echo it prove that a majority
    /// heard from this leader after `now` (for the lease).
    fn start_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.round += 1;
        self.round_sent.push_back((self.round, ctx.now()));
        if self.round_sent.len() > 64 {
            self.round_sent.pop_front();
        }
        if let Some(a) = self.acked_round.get_mut(self.id as usize) {
            *a = self.round;
        }
    }

    /// Extends the lease to (start of the newest round a majority acked) +
    /// the lease length (dissertation §6.4.1).
    fn extend_lease(&mut self) {
        let Some(lease) = self.cfg.lease_us() else { return };
        if self.transfer.is_some() {
            return; // handing over: the target may win at once (§3.10)
        }
        let r = self.majority_round();
        if let Some(&(_, sent)) = self.round_sent.iter().find(|(x, _)| *x == r) {
            self.lease_until = self.lease_until.max(sent + lease as i64);
        }
    }

    fn check_quorum(&mut self, ctx: &mut Ctx<'_, Self>) {
        let heard = 1 + self.peers().filter(|p| self.recent_active[*p as usize]).count();
        if heard < self.cfg.quorum() {
            ctx.note(Note::StepDown { term: self.current_term });
            self.become_follower(ctx, self.current_term, None);
        } else {
            self.recent_active.iter_mut().for_each(|a| *a = false);
            ctx.set_timer(Timer::Election, self.cfg.election_timeout_min_us);
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
        let p = persisted.unwrap_or(Persistent { current_term: 0, voted_for: None, log: Log::new() });
        Raft {
            id,
            cfg: config.clone(),
            current_term: p.current_term,
            voted_for: p.voted_for,
            log: p.log,
            role: Role::Follower,
            leader_id: None,
            commit_index: 0,
            last_applied: 0,
            applied_requests: 0,
            last_applied_request: None,
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
        }
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
                self.log.append(Entry { term: self.current_term, payload: Payload::Client(id) });
                let index = self.log.last_index();
                self.match_index[self.id as usize] = index;
                ctx.note(Note::Accepted { id, index });
                // Pipeline the new entry to followers that were sent
                // everything before it; the others are mid catch-up, and
                // their replies will carry it.
                for p in self.peers().collect::<Vec<_>>() {
                    if self.sent_index[p as usize] + 1 == index {
                        self.send_append_from(ctx, p, index);
                    }
                }
                self.maybe_commit(ctx);
            }
            Cmd::TransferLeadership(to) => {
                if self.role != Role::Leader || to == self.id || to >= self.cfg.nodes || self.transfer.is_some() {
                    return;
                }
                self.transfer = Some(to);
                // The target will win without waiting out anyone's lease.
                self.lease_until = LocalTime::MIN;
                ctx.note(Note::TransferStart { to });
                // Abort after one election timeout (§3.10).
                ctx.set_timer(Timer::TransferTimeout, self.cfg.election_timeout_min_us);
                if self.match_index[to as usize] == self.log.last_index() {
                    ctx.send(to, Msg::TimeoutNow { term: self.current_term });
                } else {
                    self.send_append(ctx, to);
                }
            }
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
        Persistent { current_term: self.current_term, voted_for: self.voted_for, log: self.log.clone() }
    }
}

/// Cluster-level views used by drivers, experiments and the UI.
pub mod cluster {
    use super::{Raft, Role};
    use crate::sim::{NodeId, NodeStatus, Sim};

    /// The live leader with the highest term, if any (an oracle's view).
    pub fn leader(sim: &Sim<Raft>) -> Option<NodeId> {
        (0..sim.len())
            .filter(|n| sim.status(*n) == NodeStatus::Up)
            .filter_map(|n| sim.node(n).map(|r| (n, r)))
            .filter(|(_, r)| r.role() == Role::Leader)
            .max_by_key(|(n, r)| (r.term(), u32::MAX - n))
            .map(|(n, _)| n)
    }

    /// The highest term any server has reached (crashed ones included).
    pub fn max_term(sim: &Sim<Raft>) -> u64 {
        (0..sim.len())
            .map(|n| match sim.node(n) {
                Some(r) => r.term(),
                None => sim.persisted(n).map_or(0, |p| p.current_term),
            })
            .max()
            .unwrap_or(0)
    }
}
