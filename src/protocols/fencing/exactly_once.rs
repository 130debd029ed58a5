//! Exactly Once (Kleppmann, "Designing Data-Intensive Applications", 2017,
//! ch. 11, "idempotence"): across failovers of the lease, the resource
//! does no task twice. (That each is done at least once is a matter of the
//! run lasting long enough; the tests check it at the end.)

use super::{Fencing, Note};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "Exactly Once";
pub const REFERENCE: &str = "Kleppmann, DDIA ch. 11";

#[derive(Clone, Debug, Default)]
pub struct ExactlyOnce {
    /// Who did each task, by its key.
    done: Vec<Option<NodeId>>,
    failed: bool,
}

impl Checker<Fencing> for ExactlyOnce {
    fn properties(&self) -> Vec<&'static str> {
        vec![PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Fencing>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        for e in sim.trace().last_step() {
            let EventKind::Note { node, note: Note::Wrote { client, task, .. } } = e.kind else { continue };
            let i = task as usize;
            if self.done.len() <= i {
                self.done.resize(i + 1, None);
            }
            if let Some(first) = self.done[i] {
                self.failed = true;
                out.push(Violation::after(
                    PROPERTY,
                    REFERENCE,
                    e,
                    vec![node, client, first],
                    format!("task {task} was done twice: for n{first}, then again for n{client}"),
                ));
                return;
            }
            self.done[i] = Some(client);
        }
    }
}
