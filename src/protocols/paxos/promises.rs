//! Promise Kept (Lamport, "Paxos Made Simple", 2001, §2.2, P1a, and §2.5):
//! an acceptor that has promised ballot n never promises a ballot at or
//! below n again and never accepts one below n, across restarts too (it
//! must remember its promise on stable storage).

use super::{Note, Paxos};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::Sim;

pub const PROPERTY: &str = "Promise Kept";
pub const REFERENCE: &str = "Paxos Made Simple §2.2 (P1a), §2.5";

#[derive(Clone, Debug, Default)]
pub struct PromiseKept {
    /// The highest ballot each acceptor has promised (or accepted) in the
    /// whole run.
    highest: Vec<u64>,
    failed: bool,
}

impl Checker<Paxos> for PromiseKept {
    fn check(&mut self, sim: &Sim<Paxos>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        self.highest.resize(sim.len() as usize, 0);
        for e in sim.trace().last_step() {
            let (node, ballot, broken) = match e.kind {
                EventKind::Note { node, note: Note::Promised { ballot } } => {
                    (node, ballot, ballot <= self.highest[node as usize])
                }
                EventKind::Note { node, note: Note::Accepted { ballot, .. } } => {
                    (node, ballot, ballot < self.highest[node as usize])
                }
                _ => continue,
            };
            let before = self.highest[node as usize];
            if broken {
                self.failed = true;
                let what = if matches!(e.kind, EventKind::Note { note: Note::Promised { .. }, .. }) {
                    "promised"
                } else {
                    "accepted"
                };
                out.push(Violation::after(
                    PROPERTY,
                    REFERENCE,
                    e,
                    vec![node],
                    format!("n{node} {what} b{ballot} after it had promised b{before}"),
                ));
                return;
            }
            self.highest[node as usize] = before.max(ballot);
        }
    }
}
