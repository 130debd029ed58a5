//! Safety properties as code (docs/architecture.md, law 7).

use super::protocol::Protocol;
use super::{NodeId, Sim, Time};
use serde::Serialize;
use std::fmt;

/// A safety property that failed: which, where in the run, and who.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The property's name, e.g. "Election Safety".
    pub property: &'static str,
    /// Where the property comes from, e.g. "Raft §5.2".
    pub reference: &'static str,
    /// True simulated time of the event after which it failed.
    pub time_us: Time,
    /// Index of the last trace event of that step.
    pub trace_index: u64,
    pub nodes: Vec<NodeId>,
    /// What happened, in plain words.
    pub detail: String,
}

impl Violation {
    /// A violation of `property` found after trace event `at`.
    pub fn after<P: Protocol>(
        property: &'static str,
        reference: &'static str,
        at: &super::trace::Event<P>,
        nodes: Vec<NodeId>,
        detail: String,
    ) -> Self {
        Violation { property, reference, time_us: at.time, trace_index: at.index, nodes, detail }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) violated at t={}us (trace #{}), nodes {:?}: {}",
            self.property, self.reference, self.time_us, self.trace_index, self.nodes, self.detail
        )
    }
}

/// Checks properties after every step of a simulation.
pub trait Checker<P: Protocol> {
    /// Called after each step (and after each fault or command) with the
    /// simulator; reads `sim.trace().last_step()` for what just happened.
    fn check(&mut self, sim: &Sim<P>, out: &mut Vec<Violation>);

    /// The properties it checks, by name. A protocol's checker lists
    /// them; the search refuses a scenario whose checker lists none
    /// (there would be nothing to find), and the Find a bug panel shows
    /// them.
    fn properties(&self) -> Vec<&'static str> {
        Vec::new()
    }
}
