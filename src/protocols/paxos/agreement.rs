//! Agreement (Lamport, "Paxos Made Simple", 2001, §2.1): only a single
//! value is chosen, so no two learners learn different values, and no
//! learner learns one value and then another.

use super::{Note, Paxos};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "Agreement";
pub const REFERENCE: &str = "Paxos Made Simple §2.1";

#[derive(Clone, Debug, Default)]
pub struct Agreement {
    /// The first value learned, and by whom.
    first: Option<(u64, NodeId)>,
    failed: bool,
}

impl Checker<Paxos> for Agreement {
    fn check(&mut self, sim: &Sim<Paxos>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        for e in sim.trace().last_step() {
            let EventKind::Note { node, note: Note::Learned { value } } = e.kind else { continue };
            match self.first {
                None => self.first = Some((value, node)),
                Some((v, by)) if v != value => {
                    self.failed = true;
                    out.push(Violation::after(
                        PROPERTY,
                        REFERENCE,
                        e,
                        vec![by, node],
                        format!("n{node} learned {value}, but n{by} had learned {v}: two values were chosen"),
                    ));
                    return;
                }
                Some(_) => {}
            }
        }
    }
}
