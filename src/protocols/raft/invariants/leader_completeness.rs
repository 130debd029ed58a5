//! **Leader Completeness** (Raft §5.4, Figure 3): if a log entry is committed
//! in a given term, then that entry will be present in the logs of the
//! leaders for all higher-numbered terms.
//!
//! An entry counts as committed once any server's commit index reaches it,
//! and is "committed in" that server's term. Checked twice: when a server
//! becomes leader (its log must hold every entry committed in a lower term),
//! and when a new entry commits (every current leader of a higher term must
//! hold it).

use super::{At, Property, RaftChecker};
use crate::protocols::raft::{Raft, Role};
use crate::sim::invariant::Violation;
use crate::sim::Sim;

/// The highest committed index whose commit term is below `term`.
fn committed_before(c: &RaftChecker, term: u64) -> Option<usize> {
    c.commit_runs.iter().rev().find(|(t, _)| *t < term).map(|(_, end)| end - 1)
}

fn check_leader(c: &mut RaftChecker, raft: &Raft, upto: usize, at: &At, out: &mut Vec<Violation>) {
    if c.committed.get(upto).is_none() {
        return;
    }
    let log = raft.log();
    // Entries folded into a snapshot are held if the snapshot's base digest
    // is the committed prefix's digest there.
    let base = log.snapshot_index();
    let held = |i: usize| {
        if (i as u64) < base {
            c.committed.get(base as usize - 1).is_none_or(|b| Some(b.digest) == log.digest(base))
        } else {
            c.committed.get(i).is_none_or(|e| log.digest(i as u64 + 1) == Some(e.digest))
        }
    };
    if held(upto) {
        return;
    }
    // Name the first committed entry that the leader lacks.
    let missing = (0..=upto).find(|&i| !held(i)).unwrap_or(upto);
    let Some(e) = c.committed.get(missing) else { return };
    let detail = format!(
        "n{} is leader of term {} but lacks entry {} ({} of term {}) that n{} committed in term {}",
        raft.id(),
        raft.term(),
        missing + 1,
        e.entry.payload,
        e.entry.term,
        e.by,
        e.term
    );
    let by = e.by;
    c.report(out, at, Property::LeaderCompleteness, vec![by, raft.id()], detail);
}

pub(super) fn check_new_leader(c: &mut RaftChecker, raft: &Raft, at: &At, out: &mut Vec<Violation>) {
    if let Some(upto) = committed_before(c, raft.term()) {
        check_leader(c, raft, upto, at, out);
    }
}

pub(super) fn check_leaders_after_commit(c: &mut RaftChecker, sim: &Sim<Raft>, at: &At, out: &mut Vec<Violation>) {
    for n in 0..sim.len() {
        let Some(raft) = sim.node(n) else { continue };
        if raft.role() != Role::Leader {
            continue;
        }
        if let Some(upto) = committed_before(c, raft.term()) {
            check_leader(c, raft, upto, at, out);
        }
    }
}
