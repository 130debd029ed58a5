//! **State Machine Safety** (Raft §5.4.3, Figure 3): if a server has applied
//! a log entry at a given index to its state machine, no other server will
//! ever apply a different log entry for the same index.
//!
//! Checked whenever a server's last-applied index advances: each newly
//! applied entry must equal the entry first applied at that index by anyone.
//! A snapshot applies a whole prefix at once: its base digest must be the
//! digest of the committed prefix there.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::Raft;
use crate::sim::invariant::Violation;

pub(super) fn check(c: &mut RaftChecker, raft: &Raft, old_applied: u64, at: &At, out: &mut Vec<Violation>) {
    // A restart resets lastApplied to 0; the server applies again from the start.
    let from = if raft.last_applied() < old_applied { 1 } else { old_applied + 1 };
    let base = raft.log().snapshot_index();
    if raft.last_applied() != old_applied && base >= from {
        let digest = raft.log().digest(base);
        if let Some(first) = c.committed.get(base as usize - 1).filter(|e| Some(e.digest) != digest) {
            let detail = format!(
                "n{} holds a snapshot up to index {base} that differs from what n{} committed there",
                raft.id(),
                first.by
            );
            let by = first.by;
            c.report(out, at, Property::StateMachineSafety, vec![by, raft.id()], detail);
        }
    }
    let from = from.max(base + 1);
    for i in from..=raft.last_applied() {
        let Some(entry) = raft.log().get(i) else {
            continue;
        };
        let slot = i as usize - 1;
        if let Some(&(first, by)) = c.applied.get(slot) {
            if first != *entry {
                let detail = format!(
                    "n{} applied {} of term {} at index {i}, but n{by} applied {} of term {} there",
                    raft.id(),
                    entry.payload,
                    entry.term,
                    first.payload,
                    first.term
                );
                c.report(out, at, Property::StateMachineSafety, vec![by, raft.id()], detail);
            }
        } else if slot == c.applied.len() {
            c.applied.push((*entry, raft.id()));
        }
    }
}
