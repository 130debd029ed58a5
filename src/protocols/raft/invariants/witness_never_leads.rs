//! **Witness Never Leads** (witnesses after Pâris, "Voting with Witnesses",
//! 1986): a witness votes and acknowledges entries, so it counts toward
//! quorums, but it holds no state machine (and perhaps no payloads), so it
//! must never become leader.
//!
//! Checked whenever a server becomes leader.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::Raft;
use crate::sim::invariant::Violation;

pub(super) fn check(c: &mut RaftChecker, raft: &Raft, at: &At, out: &mut Vec<Violation>) {
    if raft.is_witness() {
        let detail = format!("witness n{} became leader of term {}", raft.id(), raft.term());
        c.report(out, at, Property::WitnessNeverLeads, vec![raft.id()], detail);
    }
}
