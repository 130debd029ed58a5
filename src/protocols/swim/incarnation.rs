//! Incarnation Precedence (Das, Gupta and Motivala, SWIM, DSN 2002, §4.2).
//!
//! The rules by which a member's view of another changes, so that a member
//! suspected by mistake can refute the suspicion with a higher incarnation
//! number, and no stale rumour can undo that:
//! - {Alive M, i} overrides {Suspect M, j} and {Alive M, j} only if i > j;
//! - {Suspect M, i} overrides {Suspect M, j} if i > j, and {Alive M, j} if i ≥ j;
//! - {Confirm M} (failed) overrides everything, and nothing overrides it.
//!
//! The checker shadows each member's view from the `Marked` notes and
//! reports the first change that breaks these rules. A restart starts a
//! member's view afresh.

use super::{Note, Status, Swim};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::{EventKind, Fault};
use crate::sim::{NodeId, Sim};
use std::collections::BTreeMap;

pub const PROPERTY: &str = "Incarnation Precedence";
pub const REFERENCE: &str = "SWIM §4.2";

#[derive(Clone, Debug, Default)]
pub struct IncarnationPrecedence {
    /// (observer, member) -> (status, incarnation), where it is not Alive@0.
    views: BTreeMap<(NodeId, NodeId), (Status, u64)>,
    failed: bool,
}

/// Whether a view may move from `old` to `new` (§4.2).
pub fn allowed(old: (Status, u64), new: (Status, u64)) -> bool {
    match (old.0, new.0) {
        (Status::Failed, _) => false,
        (_, Status::Failed) => true,
        (Status::Alive, Status::Suspect) => new.1 >= old.1,
        (Status::Suspect, Status::Suspect) | (_, Status::Alive) => new.1 > old.1,
    }
}

impl Checker<Swim> for IncarnationPrecedence {
    fn check(&mut self, sim: &Sim<Swim>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        let events = sim.trace().last_step();
        for e in events {
            match e.kind {
                EventKind::Fault(ref f) => {
                    if let Fault::Restart(j) = **f {
                        self.views.retain(|(o, _), _| *o != j)
                    }
                }
                EventKind::Note { node, note: Note::Marked { member, status, incarnation, .. } } => {
                    let old = self.views.get(&(node, member)).copied().unwrap_or((Status::Alive, 0));
                    let new = (status, incarnation);
                    if !allowed(old, new) {
                        self.failed = true;
                        out.push(Violation::after(
                            PROPERTY,
                            REFERENCE,
                            e,
                            vec![node, member],
                            format!(
                                "n{node} changed its view of n{member} from {:?}@{} to {:?}@{}",
                                old.0, old.1, new.0, new.1
                            )
                            .to_ascii_lowercase(),
                        ));
                        return;
                    }
                    self.views.insert((node, member), new);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_of_section_4_2() {
        use Status::*;
        assert!(allowed((Alive, 0), (Suspect, 0)), "a suspicion at the same incarnation wins over alive");
        assert!(!allowed((Alive, 1), (Suspect, 0)), "a stale suspicion loses to a refutation");
        assert!(allowed((Suspect, 0), (Alive, 1)), "a refutation wins");
        assert!(!allowed((Suspect, 1), (Alive, 1)), "alive needs a higher incarnation");
        assert!(!allowed((Suspect, 2), (Suspect, 2)));
        assert!(allowed((Suspect, 0), (Failed, 0)));
        assert!(!allowed((Failed, 0), (Alive, 9)), "failed is final");
    }
}
