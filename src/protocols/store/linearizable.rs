//! **Linearizability, when claimed** (Herlihy and Wing, "Linearizability:
//! A Correctness Condition for Concurrent Objects", TOPLAS 1990). Dynamo
//! does not claim it, and R + W > N alone does not give it; a design that
//! claims it anyway (`"claim_linearizable": true`) is held to it. Each time
//! a client operation returns, the history so far is checked key by key:
//! under last-writer-wins as a register's, with siblings as a multi-value
//! register's ([`super::client_history`]). A history that no order of the
//! operations, each taking effect between its call and its return,
//! explains is a violation.

use super::node::{Note, StoreNode};
use super::observe::{StoreObserver, MAX_CHECKED_OPS};
use crate::contract::Observer;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::Sim;

#[derive(Clone, Debug, Default)]
pub struct ClaimedLinearizable {
    /// The client operations, recorded as the report's verdict reads them.
    history: StoreObserver,
    /// Reported once: a history that is not linearizable stays so.
    broken: bool,
}

impl Checker<StoreNode> for ClaimedLinearizable {
    fn check(&mut self, sim: &Sim<StoreNode>, out: &mut Vec<Violation>) {
        if self.broken {
            return;
        }
        self.history.observe(sim);
        let step = sim.trace().last_step();
        let returned = step
            .iter()
            .any(|e| matches!(e.kind, EventKind::Note { note: Note::PutAcked { .. } | Note::GetReturned { .. }, .. }));
        if !returned || self.history.ops.len() > MAX_CHECKED_OPS {
            return;
        }
        let Some(Err(v)) = self.history.verdict() else { return };
        let Some(last) = step.last() else { return };
        self.broken = true;
        let op = self.history.ops.get(v.op);
        let detail = format!(
            "the store claims linearizability, but its client history is not linearizable: {v}; that operation \
             was called at {:.3} s",
            op.map_or(0, |o| o.call) as f64 / 1e6
        );
        let nodes = op.map(|o| vec![o.node]).unwrap_or_default();
        out.push(Violation::after("Linearizability", "Herlihy and Wing 1990", last, nodes, detail));
    }
}
