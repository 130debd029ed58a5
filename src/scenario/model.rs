//! What a protocol brings to the spine.
//!
//! The runner, time travel, the link codec, `splitbrain run` and the trace
//! serve every protocol alike. A protocol plugs in by implementing [`Model`]
//! for its state machine: how a scenario configures it, its checker, what
//! it observes over a run, and which timeline commands are its own. Nothing
//! else is written per protocol.

use super::{Action, Scenario, ScenarioError, Target};
use crate::sim::invariant::Checker;
use crate::sim::protocol::Protocol;
use crate::sim::trace::Event;
use crate::sim::{NodeId, Sim};
use serde::Serialize;
use std::fmt::Debug;

/// Where a protocol command goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// To this node (or the leader, resolved when the action runs).
    To(Target),
    /// To the leader; dropped when there is none.
    Leader,
}

/// Counts a protocol keeps over a run, beside the trace's own; summed over
/// seeds by `splitbrain run --seeds`.
pub trait Counts: Clone + Debug + Default + PartialEq + Serialize {
    /// Adds another run's counts to these.
    fn merge(&mut self, other: &Self);
}

/// What a protocol observes over a run, read off the trace after every step:
/// the series behind its metrics panel, its counts, and the figures that
/// `splitbrain run` prints. A clone is part of a time-travel checkpoint, so
/// long series should share storage (`sim::cow`).
pub trait Observer<P: Protocol>: Clone + Default {
    type Counts: Counts;
    /// One run's figures.
    type Figures: Clone + Debug + PartialEq + Serialize;
    /// Samples gathered over several seeds' runs...
    type Samples: Default;
    /// ...and their summary.
    type Pooled: Clone + Debug + Serialize;

    /// Called after every step that left events in `sim.trace().last_step()`.
    fn observe(&mut self, sim: &Sim<P>);
    fn counts(&self, sim: &Sim<P>) -> Self::Counts;
    fn figures(&self, sim: &Sim<P>) -> Self::Figures;
    /// Adds this run's samples.
    fn sample(&self, sim: &Sim<P>, into: &mut Self::Samples);
    fn pool(samples: &Self::Samples) -> Self::Pooled;
    /// Lines for `splitbrain run`'s text output: (label, text).
    fn describe(counts: &Self::Counts, pooled: &Self::Pooled, one_run: Option<&Self::Figures>)
        -> Vec<(String, String)>;
}

/// A protocol the spine can run.
pub trait Model: Protocol {
    /// Its key in a scenario's `protocol` object, e.g. "raft".
    const NAME: &'static str;
    /// Whether the protocol has a leader, so that "leader" can name a node.
    const HAS_LEADER: bool = false;
    type Checker: Checker<Self> + Clone;
    type Observer: Observer<Self>;

    /// The cluster-wide configuration a scenario asks for.
    fn config(scenario: &Scenario) -> Result<Self::Config, ScenarioError>;
    /// A checker of every property the protocol has.
    fn checker(scenario: &Scenario) -> Self::Checker;
    /// The node that "leader" names in a timeline action, if any.
    fn leader(_sim: &Sim<Self>) -> Option<NodeId> {
        None
    }
    /// The command for client write number `id`, if the protocol takes writes.
    fn request(_id: u64) -> Option<Self::Cmd> {
        None
    }
    /// The command for client read number `id`, if the protocol takes reads.
    fn read(_id: u64) -> Option<Self::Cmd> {
        None
    }
    /// The command a timeline action asks for, if it is one of this
    /// protocol's own commands (shared faults are not commands).
    fn command(_action: &Action) -> Option<(Route, Self::Cmd)> {
        None
    }
    /// Whether a trace event marks a new leader (for the scrubber's marks).
    fn marks_leader(_event: &Event<Self>) -> bool {
        false
    }
    /// About how many bytes a checkpoint taken now adds: the group's state
    /// that no earlier checkpoint shares, so time travel can keep its
    /// checkpoints within a memory budget. The default counts the engine's
    /// own (see [`Sim::base_bytes`]); a protocol that keeps large state on
    /// the heap adds what of it is not shared.
    fn state_bytes(sim: &Sim<Self>) -> usize {
        sim.base_bytes()
    }
}

/// Runs code that is generic over the protocol on a scenario of any
/// protocol: the one place where the protocol named in a file picks a type.
pub trait Visit {
    type Output;
    fn visit<P: Model>(self, scenario: Scenario) -> Self::Output;
}
