//! Client histories and the linearizability checker.
//!
//! A history is what clients saw: each operation's call and return on true
//! (simulated) time, with its input and its output. [`linearizability`]
//! decides whether some order of the operations, each taking effect at one
//! instant between its call and its return, explains every output by a
//! sequential [`SequentialSpec`]; when none does, it says where the history stops
//! being explainable. [`kv`] is the model of a key-value register, checked
//! key by key.

pub mod counter;
pub mod kv;
pub mod linearizability;
pub mod mvr;
pub mod workload;

use crate::sim::Time;

/// One client operation as the client saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Op<I, O> {
    pub client: u32,
    pub call: Time,
    /// `None` for an operation that never returned (its client crashed or
    /// gave up): it may have taken effect at any time after its call, or
    /// never.
    pub ret: Option<Time>,
    pub input: I,
    pub output: O,
}

/// A sequential specification: the state an object starts in, and what one
/// operation does to it.
pub trait SequentialSpec {
    type State: Clone + Eq + std::hash::Hash + std::fmt::Debug;
    /// Equality says which operations are alike (see `linearizability`).
    type Input: std::fmt::Debug + PartialEq;
    type Output: std::fmt::Debug + PartialEq;

    fn init(&self) -> Self::State;

    /// The state after `input`, if the object in `state` could answer it
    /// with `output`; `None` if it could not.
    fn step(&self, state: &Self::State, input: &Self::Input, output: &Self::Output) -> Option<Self::State>;

    /// An operation that never returned has no output to check; this says
    /// what it may have done (for a write, its effect; for a read, nothing).
    fn step_pending(&self, state: &Self::State, input: &Self::Input) -> Self::State;
}
