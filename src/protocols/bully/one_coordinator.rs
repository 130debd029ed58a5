//! One Coordinator (Garcia-Molina 1982, §4, assertion 1 of the bully
//! algorithm): at any time at most one live node acts as coordinator.
//! The bully algorithm keeps it only while the network delivers every
//! message in time: a partition elects a coordinator on each side, which
//! is why this view's runs with cut links are not held to it.

use super::Bully;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::{NodeStatus, Sim};

pub const PROPERTY: &str = "One Coordinator";
pub const REFERENCE: &str = "Garcia-Molina 1982 §4";

#[derive(Clone, Debug, Default)]
pub struct OneCoordinator {
    failed: bool,
}

impl Checker<Bully> for OneCoordinator {
    fn properties(&self) -> Vec<&'static str> {
        vec![PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Bully>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        let acting: Vec<u32> = (0..sim.len())
            .filter(|n| sim.status(*n) != NodeStatus::Crashed)
            .filter(|n| sim.node(*n).is_some_and(|b| b.coordinator() == Some(*n)))
            .collect();
        if acting.len() > 1 {
            self.failed = true;
            let Some(e) = sim.trace().last_step().last() else { return };
            let names: Vec<String> = acting.iter().map(|n| format!("n{n}")).collect();
            let (last, rest) = names.split_last().expect("two or more");
            let who = match rest.len() {
                1 => format!("{} and {last} both act", rest[0]),
                _ => format!("{} and {last} all act", rest.join(", ")),
            };
            out.push(Violation::after(PROPERTY, REFERENCE, e, acting.clone(), format!("{who} as coordinator")));
        }
    }
}
