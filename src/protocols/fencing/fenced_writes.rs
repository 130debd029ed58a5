//! Fenced Writes (Kleppmann 2016; Chubby's sequencers, OSDI 2006, §2.4):
//! the resource never accepts a write made under a lease that a newer
//! lease has superseded (a write whose token is below the newest granted).

use super::{Fencing, Note};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "Fenced Writes";
pub const REFERENCE: &str = "Kleppmann 2016; Chubby §2.4";

#[derive(Clone, Debug, Default)]
pub struct FencedWrites {
    /// The newest lease granted: its token and holder.
    newest: Option<(u64, NodeId)>,
    failed: bool,
}

impl Checker<Fencing> for FencedWrites {
    fn properties(&self) -> Vec<&'static str> {
        vec![PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Fencing>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Note { note: Note::Granted { token, client }, .. } => self.newest = Some((token, client)),
                EventKind::Note {
                    node,
                    note: Note::Wrote { token, client, .. } | Note::AlreadyDone { token, client, .. },
                } => {
                    let Some((newest, holder)) = self.newest.filter(|(t, _)| token < *t) else { continue };
                    self.failed = true;
                    out.push(Violation::after(
                        PROPERTY,
                        REFERENCE,
                        e,
                        vec![node, client, holder],
                        format!(
                            "the resource accepted n{client}'s write with token #{token}, after lease #{newest} was granted to n{holder}"
                        ),
                    ));
                    return;
                }
                _ => {}
            }
        }
    }
}
