//! The sequential model of a multi-value register, key by key: what a
//! store that keeps concurrent writes as siblings promises (Dynamo §4.4;
//! Preguiça et al., "Dotted Version Vectors", 2012, §3). Each write names
//! the versions it has read (its past, a version vector); it replaces
//! those and keeps every other version, so writes that did not see each
//! other stay side by side. A read returns every value kept.
//!
//! A history is linearizable against this model when some order, each
//! operation at one instant between its call and its return, explains
//! every read's whole set of values: a read that returns an overwritten
//! sibling, or misses one, is caught, as reducing each read to one value
//! could not.

use super::kv::{Key, Value, Violation};
use super::{Op, SequentialSpec};

/// A version's identity: the node that wrote it and that node's counter.
pub type Dot = (u32, u64);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A write of `value` as the version `dot`, having read `past` (for
    /// each node, how many of its writes); `dot` is `None` if the write was
    /// never seen to leave its coordinator.
    Put {
        key: Key,
        value: Value,
        dot: Option<Dot>,
        past: Vec<Dot>,
    },
    Get {
        key: Key,
    },
}

impl Input {
    pub fn key(&self) -> Key {
        match *self {
            Input::Put { key, .. } | Input::Get { key } => key,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    Ok,
    /// The values a read returned, in increasing order.
    Read(Vec<Value>),
    Unknown,
}

/// One key's register. Its state: the versions kept, by value.
pub struct MultiValue;

fn covers(past: &[Dot], (node, counter): Dot) -> bool {
    past.iter().any(|&(n, c)| n == node && c >= counter)
}

fn write(state: &[(Value, Option<Dot>)], value: Value, dot: Option<Dot>, past: &[Dot]) -> Vec<(Value, Option<Dot>)> {
    let mut next: Vec<(Value, Option<Dot>)> =
        state.iter().copied().filter(|&(_, d)| !d.is_some_and(|d| covers(past, d))).collect();
    if let Err(i) = next.binary_search_by_key(&value, |&(v, _)| v) {
        next.insert(i, (value, dot));
    }
    next
}

impl SequentialSpec for MultiValue {
    type State = Vec<(Value, Option<Dot>)>;
    type Input = Input;
    type Output = Output;

    fn init(&self) -> Self::State {
        Vec::new()
    }

    fn step(&self, state: &Self::State, input: &Input, output: &Output) -> Option<Self::State> {
        match (input, output) {
            (Input::Put { value, dot, past, .. }, Output::Ok | Output::Unknown) => {
                Some(write(state, *value, *dot, past))
            }
            (Input::Get { .. }, Output::Read(values)) => {
                state.iter().map(|&(v, _)| v).eq(values.iter().copied()).then(|| state.clone())
            }
            (Input::Get { .. }, Output::Unknown) => Some(state.clone()),
            _ => None,
        }
    }

    fn step_pending(&self, state: &Self::State, input: &Input) -> Self::State {
        match input {
            Input::Put { value, dot, past, .. } => write(state, *value, *dot, past),
            Input::Get { .. } => state.clone(),
        }
    }
}

/// Checks a multi-value history, key by key; the first key (in key order)
/// that is not linearizable is reported.
pub fn check(history: &[Op<Input, Output>]) -> Result<(), Violation> {
    super::kv::check_by_key(&MultiValue, history, Input::key)
}
