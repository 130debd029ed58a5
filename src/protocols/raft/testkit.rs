//! Raft's side of the single-event test kit ([`crate::sim::testkit`]): a
//! known configuration, a ready-made leader, and message builders. The
//! rule files' tests use this; no simulator runs.

use super::*;

pub use crate::sim::testkit::{notes, sends};

/// An effect of a Raft server, comparable.
pub type Fx = crate::sim::testkit::Fx<Raft>;

/// One server and its clock ([`crate::sim::testkit::Node`]).
pub type Server = crate::sim::testkit::Node<Raft>;

/// A 3-server configuration with a fixed 150 ms election timeout (the draw
/// from `[min, max]` is then known) and 50 ms heartbeats.
pub fn cfg() -> RaftConfig {
    RaftConfig {
        nodes: 3,
        election_timeout_min_us: 150 * MS,
        election_timeout_max_us: 150 * MS,
        heartbeat_us: 50 * MS,
        ..RaftConfig::default()
    }
}

/// Server 0 as leader of term 1, elected by n1's vote, with its no-op
/// (index 1) sent but not yet acknowledged.
pub fn elected(cfg: RaftConfig) -> Server {
    let mut s = Server::new(0, cfg);
    s.timer(Timer::Election);
    s.msg(1, Msg::RequestVoteReply { term: 1, granted: true, prevote: false });
    assert_eq!(s.node.role(), Role::Leader);
    s
}

/// AppendEntries from leader 1 of `term`.
pub fn append(term: u64, prev: (u64, u64), entries: Vec<Entry>, commit: u64) -> Msg {
    Msg::AppendEntries {
        term,
        leader: 1,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries,
        leader_commit: commit,
        round: 1,
    }
}

/// An entry of `term` carrying client command `id`.
pub fn entry(term: u64, id: u64) -> Entry {
    Entry { term, payload: Payload::Client(id) }
}
