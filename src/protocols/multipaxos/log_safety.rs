//! Log Safety (Lamport, "Paxos Made Simple", 2001, §3; §2.1 per slot):
//! each slot of the log is an instance of Paxos, so at most one value is
//! chosen in it, and no two nodes ever learn different values for the same
//! slot.

use super::{MultiPaxos, Note, Value};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "Log Safety";
pub const REFERENCE: &str = "Paxos Made Simple §3";

#[derive(Clone, Debug, Default)]
pub struct LogSafety {
    /// The first value learned in each slot, and by whom.
    first: Vec<Option<(Value, NodeId)>>,
    failed: bool,
}

impl Checker<MultiPaxos> for LogSafety {
    fn check(&mut self, sim: &Sim<MultiPaxos>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        for e in sim.trace().last_step() {
            let EventKind::Note { node, note: Note::Learned { slot, value } } = e.kind else { continue };
            let i = slot as usize;
            if self.first.len() <= i {
                self.first.resize(i + 1, None);
            }
            match self.first[i] {
                None => self.first[i] = Some((value, node)),
                Some((v, by)) if v != value => {
                    self.failed = true;
                    out.push(Violation::after(
                        PROPERTY,
                        REFERENCE,
                        e,
                        vec![by, node],
                        format!("n{node} learned {value} in slot {slot}, but n{by} had learned {v} there: two values were chosen in one slot"),
                    ));
                    return;
                }
                Some(_) => {}
            }
        }
    }
}
