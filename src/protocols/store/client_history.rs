//! The store's client operations as histories for the linearizability
//! checker (Herlihy and Wing 1990), and the verdict on them: under
//! last-writer-wins as a register's, each read returning one value; with
//! siblings as a multi-value register's ([`crate::history::mvr`]), each
//! write with the version it made and each read with every sibling.

use super::observe::{OpRecord, StoreObserver, MAX_CHECKED_OPS};
use crate::history::kv::{self, Input, Output};
use crate::history::{mvr, Op};

impl OpRecord {
    /// This operation in a history, with the input and output a model
    /// reads it as (a client named by its node when it has no number).
    fn op<I, O>(&self, input: I, output: O) -> Op<I, O> {
        Op { client: self.client.unwrap_or(u32::MAX - self.node), call: self.call, ret: self.ret, input, output }
    }
}

impl StoreObserver {
    /// The history of client operations as a multi-value register's: each
    /// write with the version it made, each read with every sibling it
    /// returned. What a store that keeps siblings is checked against.
    pub fn sibling_history(&self) -> Vec<Op<mvr::Input, mvr::Output>> {
        self.ops
            .iter()
            .map(|o| {
                let input = match (o.write, &o.version) {
                    (Some(value), Some((dot, past))) => mvr::Input::Put {
                        key: o.key,
                        value,
                        dot: Some((dot.node, dot.counter)),
                        past: past.iter().collect(),
                    },
                    (Some(value), None) => mvr::Input::Put { key: o.key, value, dot: None, past: Vec::new() },
                    (None, _) => mvr::Input::Get { key: o.key },
                };
                let output = match (o.ret, o.write) {
                    (None, _) => mvr::Output::Unknown,
                    (Some(_), Some(_)) => mvr::Output::Ok,
                    (Some(_), None) => {
                        let mut values = o.values.clone();
                        values.sort_unstable();
                        mvr::Output::Read(values)
                    }
                };
                o.op(input, output)
            })
            .collect()
    }

    /// The history of client operations as a register's, each read
    /// returning one value: what last-writer-wins is checked against.
    pub fn history(&self) -> Vec<Op<Input, Output>> {
        self.ops
            .iter()
            .map(|o| {
                let input = match o.write {
                    Some(value) => Input::Put { key: o.key, value },
                    None => Input::Get { key: o.key },
                };
                let output = match (o.ret, o.write) {
                    (None, _) => Output::Unknown,
                    (Some(_), Some(_)) => Output::Ok,
                    (Some(_), None) => Output::Read(o.values.iter().max().copied()),
                };
                o.op(input, output)
            })
            .collect()
    }

    /// The verdict on the history so far: `None` when it cannot be checked
    /// (counters and sets are not registers; too many operations).
    pub(super) fn verdict(&self) -> Option<Result<(), kv::Violation>> {
        if self.mode.is_some_and(|(_, crdt)| crdt) || self.unrecorded > 0 || self.ops.len() > MAX_CHECKED_OPS {
            return None;
        }
        // Both histories hold the operations in the order recorded.
        Some(if self.mode.is_some_and(|(lww, _)| lww) {
            kv::check(&self.history())
        } else {
            mvr::check(&self.sibling_history())
        })
    }

    /// The verdict on the run's history, per key, in words.
    pub(super) fn linearizability(&self) -> String {
        if self.mode.is_some_and(|(_, crdt)| crdt) {
            return "not applicable: counters and sets are not registers".to_string();
        }
        match self.verdict() {
            None => format!(
                "not checked: {} operations (the check runs on at most {MAX_CHECKED_OPS})",
                self.ops.len() as u64 + self.unrecorded
            ),
            Some(Ok(())) => format!("linearizable ({} operations)", self.ops.len()),
            Some(Err(v)) => {
                let call = self.ops.get(v.op).map_or(0, |o| o.call);
                format!("not linearizable: {v}; that operation was called at {:.3} s", call as f64 / 1e6)
            }
        }
    }
}
