//! **Leader Append-Only** (Raft §5.3, Figure 3): a leader never overwrites or
//! deletes entries in its log; it only appends new entries.
//!
//! Checked on every step of a server that was leader of the same term before
//! the step: the first index at which its log changed must be past the end of
//! the log it had.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::{Raft, Role};
use crate::sim::invariant::Violation;

pub(super) fn check(
    c: &mut RaftChecker,
    raft: &Raft,
    was_leader_same_term: bool,
    changed_from: u64,
    old_len: u64,
    at: &At,
    out: &mut Vec<Violation>,
) {
    if was_leader_same_term && raft.role() == Role::Leader && changed_from <= old_len {
        let detail = format!(
            "leader n{} of term {} changed its own log at index {} (its log had {} entries); a leader may only append",
            raft.id(),
            raft.term(),
            changed_from,
            old_len
        );
        c.report(out, at, Property::LeaderAppendOnly, vec![raft.id()], detail);
    }
}
