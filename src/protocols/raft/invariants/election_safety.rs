//! **Election Safety** (Raft §5.2, Figure 3): at most one leader can be
//! elected in a given term.
//!
//! Checked when a server becomes leader: the checker remembers the leader of
//! every term it has seen.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::Raft;
use crate::sim::invariant::Violation;

pub(super) fn check(c: &mut RaftChecker, raft: &Raft, at: &At, out: &mut Vec<Violation>) {
    let (term, n) = (raft.term(), raft.id());
    match c.leaders.get(&term) {
        Some(&other) if other != n => {
            let detail =
                format!("n{n} became leader of term {term}, but n{other} was already elected leader of term {term}");
            c.report(out, at, Property::ElectionSafety, vec![other, n], detail);
        }
        Some(_) => {}
        None => {
            c.leaders.insert(term, n);
        }
    }
}
