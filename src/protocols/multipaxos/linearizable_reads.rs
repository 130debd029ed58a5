//! Linearizable Reads (Herlihy and Wing, "Linearizability", TOPLAS 1990;
//! Lamport, "Paxos Made Simple", 2001, §3): the clients' history of writes
//! and reads is explained by some order of the operations, each taking
//! effect at one instant between its call and its return, on a counter
//! that each write increments and each read returns. The check is the
//! history checker's, run each time a read returns. A command a node
//! turned away never took effect, and leaves the history; a write that
//! never returned may have taken effect at any time after its call.

use super::{ByCommand, Cmd, MultiPaxos, Note, Value};
use crate::history::counter::{Counter, Input, Output};
use crate::history::linearizability::{check_within, Verdict};
use crate::history::Op;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::Sim;

pub const PROPERTY: &str = "Linearizable Reads";
pub const REFERENCE: &str = "Herlihy and Wing 1990";

/// The longest history checked (past it, the check stops).
pub const MAX_CHECKED_OPS: usize = 2_000;

/// The most steps one search may take. A leader that took many commands
/// it could not commit, then had them adopted by the next, returns them
/// all at once, long after their calls: a history the search can take
/// exponential time over. Past this budget the check falls back, for the
/// rest of the run, to bounds every linearizable read meets ([`bounds`]).
pub const SEARCH_BUDGET: u64 = 300_000;

#[derive(Clone, Debug, Default)]
pub struct LinearizableReads {
    ops: Vec<Op<Input, Output>>,
    /// Whether each op is still in the history (a refused one is not).
    live: Vec<bool>,
    /// Each client command's op, by its log value.
    by_value: ByCommand<usize>,
    failed: bool,
    /// Whether a search ran out of budget, so that reads are now held to
    /// [`bounds`] alone.
    pub bounded: bool,
}

/// What any linearizable history's read `r` meets on a counter: it counts
/// at least the writes that returned before it was called, at most the
/// writes called before it returned, and no fewer than a read that
/// returned before it was called. `None` if it does; otherwise why not.
fn bounds(history: &[Op<Input, Output>], r: &Op<Input, Output>) -> Option<String> {
    let (Output::Value(v), Some(ret)) = (r.output, r.ret) else { return None };
    let writes = || history.iter().filter(|o| o.input == Input::Increment);
    let before = writes().filter(|o| o.ret.is_some_and(|t| t < r.call)).count() as u64;
    let called = writes().filter(|o| o.call <= ret).count() as u64;
    let seen = history
        .iter()
        .filter(|o| o.ret.is_some_and(|t| t < r.call))
        .filter_map(|o| if let Output::Value(x) = o.output { Some(x) } else { None })
        .max()
        .unwrap_or(0);
    if v < before {
        Some(format!("it returned {v}, but {before} writes had returned before it was called"))
    } else if v > called {
        Some(format!("it returned {v}, but only {called} writes had been called by its return"))
    } else if v < seen {
        Some(format!("it returned {v}, but a read that returned before it was called had returned {seen}"))
    } else {
        None
    }
}

impl LinearizableReads {
    /// The operations recorded so far, less those that cannot matter: a
    /// command turned away, and a read that has not returned (it changes
    /// nothing and its answer is unknown, so any order explains it; left
    /// in, each makes the search try it at every point).
    pub fn history(&self) -> Vec<Op<Input, Output>> {
        let matters = |o: &Op<Input, Output>| o.ret.is_some() || o.input != Input::Read;
        self.ops.iter().zip(&self.live).filter(|(o, l)| **l && matters(o)).map(|(o, _)| o.clone()).collect()
    }
}

impl Checker<MultiPaxos> for LinearizableReads {
    fn check(&mut self, sim: &Sim<MultiPaxos>, out: &mut Vec<Violation>) {
        if self.failed || self.ops.len() > MAX_CHECKED_OPS {
            return;
        }
        // The last read to return in this step, if one did: the history is
        // checked once a step, however many reads a leader answered in it.
        let mut returned = None;
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Command { cmd, accepted: true, .. } => {
                    let (value, input) = match cmd {
                        Cmd::Request(id) => (Value::Write(id), Input::Increment),
                        Cmd::Read(id) => (Value::Read(id), Input::Read),
                    };
                    let client = self.ops.len() as u32;
                    self.by_value.set(value, Some(self.ops.len()));
                    self.ops.push(Op { client, call: e.time, ret: None, input, output: Output::Unknown });
                    self.live.push(true);
                }
                EventKind::Note { note: Note::Refused { value }, .. } => {
                    if let Some(i) = self.by_value.get(value) {
                        self.live[i] = false;
                    }
                }
                EventKind::Note { node, note: Note::Replied { value, writes } } => {
                    let Some(i) = self.by_value.get(value) else { continue };
                    let op = &mut self.ops[i];
                    op.ret = Some(e.time);
                    op.output = if matches!(value, Value::Read(_)) { Output::Value(writes) } else { Output::Ok };
                    if op.input == Input::Read {
                        returned = Some((e, node, value, writes));
                    }
                }
                _ => {}
            }
        }
        let Some((e, node, value, writes)) = returned else { return };
        let history = self.history();
        let verdict = if self.bounded { None } else { check_within(&Counter, &history, SEARCH_BUDGET) };
        self.bounded |= verdict.is_none();
        let broken = match verdict {
            Some(Verdict::Linearizable) => None,
            Some(Verdict::Not { op, prefix }) => {
                let bad = &history[op];
                let what = match (bad.input, bad.output) {
                    (Input::Read, Output::Value(v)) => format!("a read that returned {v}"),
                    (Input::Read, _) => "a read".to_string(),
                    _ => "a write".to_string(),
                };
                Some(format!(
                    "no order of the clients' operations explains {what} (called at {:.1} ms): at most {prefix} of {} operations can be put in order; n{node} had just answered read {value} with {writes} writes",
                    bad.call as f64 / 1000.0,
                    history.len()
                ))
            }
            None => {
                let reads = history.iter().filter(|o| o.input == Input::Read && o.ret == Some(e.time));
                reads.filter_map(|r| Some((r, bounds(&history, r)?))).next().map(|(r, why)| {
                    format!("a read called at {:.1} ms cannot be linearized: {why}", r.call as f64 / 1000.0)
                })
            }
        };
        if let Some(detail) = broken {
            self.failed = true;
            out.push(Violation::after(PROPERTY, REFERENCE, e, vec![node], detail));
        }
    }
}
