//! State Machine Safety (Lamport, "Paxos Made Simple", 2001, §3; Schneider,
//! "Implementing fault-tolerant services using the state machine
//! approach", 1990): every node applies the same commands in the same
//! order, slot after slot with no gap, so every node's state machine goes
//! through the same states. A node that restarts applies again from the
//! first slot.

use super::{MultiPaxos, Note, Value};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::{EventKind, Fault};
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "State Machine Safety";
pub const REFERENCE: &str = "Paxos Made Simple §3";

#[derive(Clone, Debug, Default)]
pub struct StateMachineSafety {
    /// The command applied in each slot, by whichever node applied it
    /// first.
    applied: Vec<Option<(Value, NodeId)>>,
    /// How many slots each node has applied since it booted.
    count: Vec<u64>,
    failed: bool,
}

impl Checker<MultiPaxos> for StateMachineSafety {
    fn check(&mut self, sim: &Sim<MultiPaxos>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        self.count.resize(sim.len() as usize, 0);
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Fault(f) => {
                    if let Fault::Restart(n) = **f {
                        self.count[n as usize] = 0;
                    }
                }
                &EventKind::Note { node, note: Note::Applied { slot, value } } => {
                    let nth = self.count[node as usize];
                    self.count[node as usize] += 1;
                    let detail = if slot != nth {
                        Some((vec![node], format!("n{node} applied slot {slot} ({value}) as its command number {nth}: it skipped a slot it had not learned")))
                    } else {
                        match self.applied.get(slot as usize).copied().flatten() {
                            Some((v, by)) if v != value => Some((
                                vec![by, node],
                                format!("n{node} applied {value} in slot {slot}, but n{by} applied {v} there"),
                            )),
                            _ => None,
                        }
                    };
                    if let Some((nodes, detail)) = detail {
                        self.failed = true;
                        out.push(Violation::after(PROPERTY, REFERENCE, e, nodes, detail));
                        return;
                    }
                    let i = slot as usize;
                    if self.applied.len() <= i {
                        self.applied.resize(i + 1, None);
                    }
                    self.applied[i].get_or_insert((value, node));
                }
                _ => {}
            }
        }
    }
}
