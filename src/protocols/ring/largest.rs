//! Largest Elected (Chang & Roberts 1979, §2): the node elected is the one
//! with the largest id on the ring, and every node that learns a leader
//! learns that one.

use super::Ring;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::Sim;

pub const PROPERTY: &str = "Largest Elected";
pub const REFERENCE: &str = "Chang & Roberts 1979 §2";

#[derive(Clone, Debug, Default)]
pub struct LargestElected {
    failed: bool,
}

impl Checker<Ring> for LargestElected {
    fn properties(&self) -> Vec<&'static str> {
        vec![PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Ring>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        let largest = sim.config().ids.iter().copied().max().unwrap_or(0);
        let wrong = (0..sim.len()).find_map(|n| Some((n, sim.node(n)?.leader().filter(|l| *l != largest)?)));
        let Some((n, leader)) = wrong else { return };
        let Some(e) = sim.trace().last_step().last() else { return };
        self.failed = true;
        out.push(Violation::after(
            PROPERTY,
            REFERENCE,
            e,
            vec![n],
            format!("n{n} takes id {leader} as the leader, but the largest id on the ring is {largest}"),
        ));
    }
}
