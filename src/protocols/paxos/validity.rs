//! Validity (Lamport, "Paxos Made Simple", 2001, §2.1): only a value that
//! has been proposed may be chosen. Checked where it could first go wrong:
//! an acceptor accepts only a value some proposer asked for in phase 2
//! carrying one of the proposers' own values, and a learner learns only
//! such a value.

use super::{value_of, Note, Paxos};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::Sim;

pub const PROPERTY: &str = "Validity";
pub const REFERENCE: &str = "Paxos Made Simple §2.1";

#[derive(Clone, Debug, Default)]
pub struct Validity {
    failed: bool,
}

impl Checker<Paxos> for Validity {
    fn check(&mut self, sim: &Sim<Paxos>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        let proposers = &sim.config().proposers;
        for e in sim.trace().last_step() {
            let (node, value, what) = match e.kind {
                EventKind::Note { node, note: Note::Accepted { value, .. } } => (node, value, "accepted"),
                EventKind::Note { node, note: Note::Learned { value } } => (node, value, "learned"),
                _ => continue,
            };
            if !proposers.iter().any(|p| value_of(*p) == value) {
                self.failed = true;
                let values: Vec<String> = proposers.iter().map(|p| value_of(*p).to_string()).collect();
                out.push(Violation::after(
                    PROPERTY,
                    REFERENCE,
                    e,
                    vec![node],
                    format!("n{node} {what} {value}, which no proposer proposed (they proposed {})", values.join(", ")),
                ));
                return;
            }
        }
    }
}
