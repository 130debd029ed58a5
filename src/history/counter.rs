//! The sequential model of Raft's state machine as the playground runs it:
//! a counter that each applied client request increments and that a read
//! returns (`Note::Read`'s value is the number of requests applied).

use super::SequentialSpec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Increment,
    Read,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Ok,
    Value(u64),
    Unknown,
}

pub struct Counter;

impl SequentialSpec for Counter {
    type State = u64;
    type Input = Input;
    type Output = Output;

    fn init(&self) -> u64 {
        0
    }

    fn step(&self, state: &u64, input: &Input, output: &Output) -> Option<u64> {
        match (input, output) {
            (Input::Increment, _) => Some(state + 1),
            (Input::Read, Output::Value(v)) => (v == state).then_some(*state),
            (Input::Read, _) => Some(*state),
        }
    }

    fn step_pending(&self, state: &u64, input: &Input) -> u64 {
        match input {
            Input::Increment => state + 1,
            Input::Read => *state,
        }
    }
}
