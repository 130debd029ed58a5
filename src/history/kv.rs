//! The sequential model of a key-value store: each key a register that a
//! put overwrites and a get reads. Linearizability is local (Herlihy and
//! Wing 1990, §3.3): a history is linearizable exactly when each key's
//! sub-history is, so [`check`] checks keys one by one, which keeps each
//! search small.

use super::linearizability::{self, Verdict};
use super::{Op, SequentialSpec};
use std::collections::BTreeMap;

pub type Key = u32;
pub type Value = u64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Put { key: Key, value: Value },
    Get { key: Key },
}

impl Input {
    pub fn key(&self) -> Key {
        match *self {
            Input::Put { key, .. } | Input::Get { key } => key,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// A put was acknowledged.
    Ok,
    /// What a get returned (`None`: the key was never written).
    Read(Option<Value>),
    /// No answer (the operation never returned).
    Unknown,
}

/// One key's register.
pub struct Register;

impl SequentialSpec for Register {
    type State = Option<Value>;
    type Input = Input;
    type Output = Output;

    fn init(&self) -> Option<Value> {
        None
    }

    fn step(&self, state: &Option<Value>, input: &Input, output: &Output) -> Option<Option<Value>> {
        match (*input, *output) {
            (Input::Put { value, .. }, Output::Ok | Output::Unknown) => Some(Some(value)),
            (Input::Get { .. }, Output::Read(v)) => (v == *state).then_some(*state),
            (Input::Get { .. }, Output::Unknown) => Some(*state),
            _ => None,
        }
    }

    fn step_pending(&self, state: &Option<Value>, input: &Input) -> Option<Value> {
        match *input {
            Input::Put { value, .. } => Some(value),
            Input::Get { .. } => *state,
        }
    }
}

/// Where a key-value history stops being linearizable.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub key: Key,
    /// The operation (an index into the whole history) that no order of
    /// that key's operations can place.
    pub op: usize,
    /// How many of that key's operations some order did linearize.
    pub prefix: usize,
    /// That key's operations in the history.
    pub ops: usize,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "key {}: operation #{} cannot be placed in any order (the best order placed {} of the key's {} operations first)",
            self.key, self.op, self.prefix, self.ops
        )
    }
}

/// Checks a key-value history, key by key; the first key (in key order)
/// that is not linearizable is reported.
pub fn check(history: &[Op<Input, Output>]) -> Result<(), Violation> {
    check_by_key(&Register, history, Input::key)
}

/// Checks a history against `model` key by key (`key` says an
/// operation's); the first key (in key order) that is not linearizable is
/// reported.
pub fn check_by_key<M: SequentialSpec>(
    model: &M,
    history: &[Op<M::Input, M::Output>],
    key: impl Fn(&M::Input) -> Key,
) -> Result<(), Violation>
where
    M::Input: Clone,
    M::Output: Clone,
{
    let mut by_key: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.iter().enumerate() {
        by_key.entry(key(&op.input)).or_default().push(i);
    }
    for (key, indices) in by_key {
        let sub: Vec<Op<M::Input, M::Output>> = indices.iter().map(|&i| history[i].clone()).collect();
        if let Verdict::Not { op, prefix } = linearizability::check(model, &sub) {
            return Err(Violation { key, op: indices[op], prefix, ops: indices.len() });
        }
    }
    Ok(())
}
