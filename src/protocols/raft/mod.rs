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
mod config;
mod election;
mod fingerprint;
pub mod invariants;
pub mod log;
mod membership;
mod messages;
pub mod observe;
mod read_index;
mod replication;
mod snapshot;
mod spec;
#[cfg(test)]
mod testkit;
mod transfer;
pub mod zoo;

pub use config::{Bug, RaftConfig, RaftConfigError, WitnessLog, MAX_NODES};
pub use messages::{Cmd, Msg, Note, Role, SnapState, Timer};
pub use spec::RaftParams;

use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::{LocalTime, NodeId, MS};
use log::{member_list, members_text, Entry, Log, Payload};
use serde::{Deserialize, Serialize};
use std::fmt;

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
                self.handle_vote_reply(ctx, from, term, granted, prevote)
            }
            _ => {}
        }
    }

    fn step_leader(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::AppendEntriesReply { term, success, index, round } if term == self.current_term => {
                self.handle_append_reply(ctx, from, success, index, round)
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
                    ctx.note(Note::Read { id, value: self.read_value(), lease: true });
                } else if self.cfg.bug == Some(Bug::ReadWithoutRound) {
                    ctx.note(Note::Read { id, value: self.read_value(), lease: false });
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
