//! **Log Matching** (Raft §5.3, Figure 3): if two logs contain an entry with
//! the same index and term, then the logs are identical in all entries up
//! through the given index.
//!
//! Each log entry carries a digest of the log up to it, so the property says
//! that one (index, term) pair never has two digests. The checker records the
//! digest of every (index, term) it sees in any log, at any time, and compares
//! each new or changed entry with it. That is the form of the paper's proof: a
//! leader creates at most one entry per index in a term, and the consistency
//! check extends agreement to the prefix.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::Raft;
use crate::sim::invariant::Violation;

pub(super) fn check(c: &mut RaftChecker, raft: &Raft, changed_from: u64, at: &At, out: &mut Vec<Violation>) {
    let log = raft.log();
    for i in changed_from.max(log.first_index())..=log.last_index() {
        let (Some(term), Some(digest)) = (log.term_at(i), log.digest(i)) else {
            continue;
        };
        let slot = (i - 1) as usize;
        while c.entries.len() <= slot {
            c.entries.push(Vec::new());
        }
        let seen = c.entries.get(slot).and_then(|v| v.iter().find(|(t, _, _)| *t == term).copied());
        match seen {
            Some((_, d, other)) if d != digest => {
                let detail = format!(
                    "n{} and n{other} both hold an entry at index {i} of term {term}, but their logs differ at or before index {i}",
                    raft.id()
                );
                c.report(out, at, Property::LogMatching, vec![other, raft.id()], detail);
            }
            Some(_) => {}
            None => {
                if let Some(v) = c.entries.get_mut(slot) {
                    v.push((term, digest, raft.id()));
                }
            }
        }
    }
}
