//! Raft's configuration: cluster size, timeouts, the optional rules
//! (PreVote §9.6, CheckQuorum §6.2, vote stickiness §4.2.3, leases §6.4.1)
//! and leader patterns (witnesses, rotation, snapshots, membership), and the
//! deliberately broken variants ([`Bug`]) the checkers are tested against.

use super::*;

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
    /// A leader answers reads (after the round or within its lease, as it
    /// should) from its whole log, counting client requests it has
    /// appended but not yet committed: a read sees a write that may never
    /// happen.
    ReadUncommitted,
    /// A follower refuses an AppendEntries below its own snapshot, sending
    /// the leader back to the same index: with duplicated messages each
    /// refusal doubles, a storm that the simulator's cap on messages in
    /// flight stops (the bug behind a storm that once grew a run to 3 GB).
    RefuseBelowSnapshot,
}

impl Bug {
    pub const ALL: [Bug; 9] = [
        Bug::VoteTwice,
        Bug::VoteWithoutLogCheck,
        Bug::SkipPrevTermCheck,
        Bug::LeaderOverwritesUncommitted,
        Bug::CommitPreviousTermByCount,
        Bug::WitnessCampaigns,
        Bug::ReadWithoutRound,
        Bug::ReadUncommitted,
        Bug::RefuseBelowSnapshot,
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
            Bug::ReadUncommitted => "leaders answer reads from their log, uncommitted requests included",
            Bug::RefuseBelowSnapshot => "followers refuse AppendEntries below their snapshot (a message storm)",
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

/// The shortest election timeout and heartbeat interval accepted (1 ms).
pub const MIN_TIMER_US: u64 = 1_000;

/// The largest cluster Raft runs here.
pub const MAX_NODES: u32 = 15;

/// A Raft configuration that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RaftConfigError {
    #[error("a Raft cluster has 1 to {MAX_NODES} servers, not {0}")]
    ClusterSize(u32),
    #[error("the election timeout must be at least {} ms, not {ms} ms (shorter timers cannot be meant, and a day of them is unbounded work)", MIN_TIMER_US / 1000)]
    ElectionTimeoutTooShort { ms: f64 },
    #[error("election timeout range {min_ms}-{max_ms} ms is backwards: the minimum is above the maximum")]
    ElectionTimeoutBackwards { min_ms: f64, max_ms: f64 },
    #[error("the heartbeat interval must be at least {} ms, not {ms} ms (shorter timers cannot be meant, and a day of them is unbounded work)", MIN_TIMER_US / 1000)]
    HeartbeatTooShort { ms: f64 },
    #[error("max_entries_per_append must be at least 1")]
    NoEntriesPerAppend,
    #[error("the lease drift bound must be below 200000 ppm (20%)")]
    LeaseDriftBound,
    #[error("{what} n{node} does not exist: the cluster has servers n0 to n{last}")]
    NoSuchServer { what: &'static str, node: NodeId, last: NodeId },
    #[error("{what} lists n{node} twice")]
    ListedTwice { what: &'static str, node: NodeId },
    #[error("the initial configuration needs at least one member")]
    NoMembers,
    #[error("every member is a witness, so no server could ever lead")]
    OnlyWitnesses,
    #[error("a rotation cadence must be positive")]
    RotationNotPositive,
    #[error("rotate_every_ms must be at least the minimum election timeout, {min_ms} ms, not {ms} ms: a hand-over takes an election, and rotating faster only interrupts hand-overs")]
    RotationTooFast { ms: f64, min_ms: f64 },
    #[error("snapshot_every must be at least 1 entry")]
    SnapshotEveryZero,
    /// A time in the spec that no run can take.
    #[error(transparent)]
    Time(#[from] crate::contract::TimeError),
}

impl RaftConfig {
    pub fn validate(&self) -> Result<(), RaftConfigError> {
        use RaftConfigError as E;
        let ms = |us: u64| us as f64 / 1000.0;
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return Err(E::ClusterSize(self.nodes));
        }
        if self.election_timeout_min_us < MIN_TIMER_US {
            return Err(E::ElectionTimeoutTooShort { ms: ms(self.election_timeout_min_us) });
        }
        if self.election_timeout_min_us > self.election_timeout_max_us {
            return Err(E::ElectionTimeoutBackwards {
                min_ms: ms(self.election_timeout_min_us),
                max_ms: ms(self.election_timeout_max_us),
            });
        }
        if self.heartbeat_us < MIN_TIMER_US {
            return Err(E::HeartbeatTooShort { ms: ms(self.heartbeat_us) });
        }
        if self.max_entries_per_append == 0 {
            return Err(E::NoEntriesPerAppend);
        }
        if self.lease_drift_bound_ppm.is_some_and(|b| b >= 200_000) {
            return Err(E::LeaseDriftBound);
        }
        for (what, list) in [("witness", &self.witnesses), ("member", self.members.as_ref().unwrap_or(&Vec::new()))] {
            if let Some(&node) = list.iter().find(|n| **n >= self.nodes) {
                return Err(E::NoSuchServer { what, node, last: self.nodes - 1 });
            }
        }
        for (what, list) in [("witnesses", &self.witnesses), ("members", self.members.as_ref().unwrap_or(&Vec::new()))]
        {
            if let Some(&node) = list.iter().enumerate().find_map(|(i, n)| list[..i].contains(n).then_some(n)) {
                return Err(E::ListedTwice { what, node });
            }
        }
        if self.members.as_ref().is_some_and(|m| m.is_empty()) {
            return Err(E::NoMembers);
        }
        if !member_list(self.initial_members()).any(|n| !self.witnesses.contains(&n)) {
            return Err(E::OnlyWitnesses);
        }
        if self.rotate_every_us == Some(0) || self.rotate_every_commits == Some(0) {
            return Err(E::RotationNotPositive);
        }
        if let Some(every) = self.rotate_every_us.filter(|e| *e < self.election_timeout_min_us) {
            return Err(E::RotationTooFast { ms: ms(every), min_ms: ms(self.election_timeout_min_us) });
        }
        if self.snapshot_every == Some(0) {
            return Err(E::SnapshotEveryZero);
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

    pub(super) fn sticky(&self) -> bool {
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

    pub(super) fn has(&self, bug: Bug) -> bool {
        self.bug == Some(bug)
    }
}
