//! Reference histories for testing and benchmarking the checker: clients
//! issuing puts and gets against one ideal register per key, each operation
//! taking effect at a random instant between its call and its return (so
//! the history is linearizable by construction), or against a broken one
//! that sometimes answers a get with an older value.

use super::kv::{Input, Key, Output, Value};
use super::Op;
use crate::sim::rng::Rng;
use crate::sim::Time;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    pub clients: u32,
    pub ops_per_client: u32,
    pub keys: Key,
    /// Chance that a get answers with the value before the current one (a
    /// stale replica), which breaks linearizability.
    pub stale: f64,
    /// Chance that an operation never returns.
    pub pending: f64,
    pub seed: u64,
}

/// A history of `clients × ops_per_client` operations.
pub fn history(w: &Workload) -> Vec<Op<Input, Output>> {
    let mut rng = Rng::new(w.seed, 0x6b76);
    // Each client runs its operations one after another, with gaps.
    struct Planned {
        op: Op<Input, Output>,
        at: Time,
    }
    let mut planned = Vec::new();
    let mut next_value: Value = 1;
    for client in 0..w.clients {
        let mut t = rng.below(20);
        for _ in 0..w.ops_per_client {
            let call = t;
            let ret = call + 1 + rng.below(40);
            let at = rng.range_inclusive(call, ret);
            let key = rng.below(u64::from(w.keys.max(1))) as Key;
            let input = if rng.chance(0.5) {
                next_value += 1;
                Input::Put { key, value: next_value }
            } else {
                Input::Get { key }
            };
            let pending = rng.chance(w.pending);
            planned.push(Planned {
                op: Op { client, call, ret: (!pending).then_some(ret), input, output: Output::Unknown },
                at,
            });
            if pending {
                break; // a client that lost an answer stops
            }
            t = ret + rng.below(10);
        }
    }
    // Apply in order of the instants they take effect.
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| (planned[i].at, i));
    let mut current: Vec<Option<Value>> = vec![None; w.keys.max(1) as usize];
    let mut previous: Vec<Option<Value>> = vec![None; w.keys.max(1) as usize];
    for i in order {
        let p = &mut planned[i];
        let k = p.op.input.key() as usize;
        let answer = match p.op.input {
            Input::Put { value, .. } => {
                previous[k] = current[k];
                current[k] = Some(value);
                Output::Ok
            }
            Input::Get { .. } => {
                if rng.chance(w.stale) {
                    Output::Read(previous[k])
                } else {
                    Output::Read(current[k])
                }
            }
        };
        if p.op.ret.is_some() {
            p.op.output = answer;
        }
    }
    planned.into_iter().map(|p| p.op).collect()
}
