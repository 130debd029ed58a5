//! What a Raft server exchanges and reports: roles, the RPCs of Figure 2
//! (with TimeoutNow, §3.10, and InstallSnapshot, §5), timers, client
//! commands and the notes the trace records.

use super::*;

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
