//! No Un-learning (Demers et al. 1987, §1: a site's copy of the database
//! only grows; anti-entropy merges, it never replaces).
//!
//! "A site that has learned the update never loses it": not by an exchange,
//! and not by a crash, since sites keep the update in their database
//! (`Persistent`). The checker remembers which sites knew and reports the
//! first step after which one of them, up and running, no longer does.

use super::Gossip;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::{EventKind, Fault};
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "No Un-learning";
pub const REFERENCE: &str = "Demers et al. 1987, §1";

#[derive(Clone, Debug, Default)]
pub struct NoUnlearning {
    knew: Vec<bool>,
    failed: bool,
}

impl Checker<Gossip> for NoUnlearning {
    fn properties(&self) -> Vec<&'static str> {
        vec!["No Un-learning"]
    }

    fn check(&mut self, sim: &Sim<Gossip>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        if self.knew.len() < sim.len() as usize {
            self.knew.resize(sim.len() as usize, false);
        }
        let events = sim.trace().last_step();
        let Some(last) = events.last() else { return };
        for e in events {
            let n: NodeId = match &e.kind {
                EventKind::Deliver { to, .. } => *to,
                EventKind::Timer { node, .. } | EventKind::Command { node, .. } | EventKind::Note { node, .. } => *node,
                EventKind::Fault(f) => match **f {
                    Fault::Restart(n) | Fault::Resume(n) => n,
                    _ => continue,
                },
                _ => continue,
            };
            let Some(site) = sim.node(n) else { continue };
            let knew = &mut self.knew[n as usize];
            if *knew && !site.knows() {
                self.failed = true;
                out.push(Violation::after(
                    PROPERTY,
                    REFERENCE,
                    last,
                    vec![n],
                    format!("n{n} knew the update and no longer does"),
                ));
                return;
            }
            *knew |= site.knows();
        }
    }
}
