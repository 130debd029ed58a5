//! **Linearizable Reads** (Ongaro's dissertation §6.4): no read returns a
//! value older than the latest write committed before the read began, nor
//! one that reflects a write not committed by the time it returns, judged
//! on true time.
//!
//! The state machine's value is the number of client requests applied. When
//! a read begins, the checker notes how many client writes had committed
//! (anywhere) by then; the value the read returns must be at least that,
//! and at most the writes committed when it returns. A leader that wrongly
//! believes its lease (a clock past its drift bound) answers from a state
//! the new leader has moved past; one that answers from its log, committed
//! or not, answers from a state that may never be; both are caught here.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::{Cmd, Note, Raft};
use crate::sim::invariant::Violation;
use crate::sim::trace::{Event, EventKind};

/// Records the reads that begin in this step (before its commits count).
pub(super) fn begin(c: &mut RaftChecker, events: &[Event<Raft>]) {
    for e in events {
        if let EventKind::Command { cmd: Cmd::Read(id), accepted: true, .. } = e.kind {
            c.reads.insert(id, (e.time, c.committed_writes));
        }
    }
}

pub(super) fn check(c: &mut RaftChecker, events: &[Event<Raft>], at: &At, out: &mut Vec<Violation>) {
    for e in events {
        if let EventKind::Note { node, note: Note::Read { id, value, lease } } = e.kind {
            let Some((began, needed)) = c.reads.remove(&id) else { continue };
            if value < needed {
                let detail = format!(
                    "n{node} answered read r{id} ({}) with {value} writes applied, but {needed} writes had committed \
                     when the read began at {} ms",
                    if lease { "by lease" } else { "by read index" },
                    began as f64 / 1000.0
                );
                c.report(out, at, Property::LinearizableReads, vec![node], detail);
            } else if value > c.committed_writes {
                let detail = format!(
                    "n{node} answered read r{id} ({}) with {value} writes applied, but only {} writes had committed \
                     by then: it saw a write that was not committed",
                    if lease { "by lease" } else { "by read index" },
                    c.committed_writes
                );
                c.report(out, at, Property::LinearizableReads, vec![node], detail);
            }
        }
    }
}
