//! Reference histories for testing and benchmarking the checker: clients
//! issuing puts and gets against one ideal register per key, each operation
//! taking effect at a random instant between its call and its return (so
//! the history is linearizable by construction), or against a broken one
//! that sometimes answers a get with an older value.

use super::counter;
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

/// One planned operation: when it is called and returns, whether it
/// writes, and the instant it takes effect.
struct Planned {
    client: u32,
    call: Time,
    ret: Option<Time>,
    key: Key,
    write: bool,
    at: Time,
}

/// Each client runs its operations one after another, with gaps; the
/// plans in client order, and the order they take effect in.
fn plan(w: &Workload, rng: &mut Rng) -> (Vec<Planned>, Vec<usize>) {
    let mut planned = Vec::new();
    for client in 0..w.clients {
        let mut t = rng.below(20);
        for _ in 0..w.ops_per_client {
            let call = t;
            let ret = call + 1 + rng.below(40);
            let at = rng.range_inclusive(call, ret);
            let key = rng.below(u64::from(w.keys.max(1))) as Key;
            let write = rng.chance(0.5);
            let pending = rng.chance(w.pending);
            planned.push(Planned { client, call, ret: (!pending).then_some(ret), key, write, at });
            if pending {
                break; // a client that lost an answer stops
            }
            t = ret + rng.below(10);
        }
    }
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|&i| (planned[i].at, i));
    (planned, order)
}

/// A key-value history of `clients × ops_per_client` operations: every
/// put writes a value of its own.
pub fn history(w: &Workload) -> Vec<Op<Input, Output>> {
    let mut rng = Rng::new(w.seed, 0x6b76);
    let (planned, order) = plan(w, &mut rng);
    let mut next_value: Value = 1;
    let mut ops: Vec<Op<Input, Output>> = planned
        .iter()
        .map(|p| {
            let input = if p.write {
                next_value += 1;
                Input::Put { key: p.key, value: next_value }
            } else {
                Input::Get { key: p.key }
            };
            Op { client: p.client, call: p.call, ret: p.ret, input, output: Output::Unknown }
        })
        .collect();
    // Apply in order of the instants they take effect.
    let mut current: Vec<Option<Value>> = vec![None; w.keys.max(1) as usize];
    let mut previous: Vec<Option<Value>> = vec![None; w.keys.max(1) as usize];
    for i in order {
        let op = &mut ops[i];
        let k = op.input.key() as usize;
        let answer = match op.input {
            Input::Put { value, .. } => {
                previous[k] = current[k];
                current[k] = Some(value);
                Output::Ok
            }
            Input::Get { .. } => Output::Read(if rng.chance(w.stale) { previous[k] } else { current[k] }),
        };
        if op.ret.is_some() {
            op.output = answer;
        }
    }
    ops
}

/// A counter history of `clients × ops_per_client` operations (`keys` is
/// not used): every write is the same increment, so many operations are
/// alike, the case that defeats a plain search. A stale read answers two
/// to four less than the count (a replica behind by one is too often
/// explained by an increment in flight).
pub fn counter_history(w: &Workload) -> Vec<Op<counter::Input, counter::Output>> {
    let mut rng = Rng::new(w.seed, 0x6b76);
    let (planned, order) = plan(w, &mut rng);
    let mut ops: Vec<Op<counter::Input, counter::Output>> = planned
        .iter()
        .map(|p| Op {
            client: p.client,
            call: p.call,
            ret: p.ret,
            input: if p.write { counter::Input::Increment } else { counter::Input::Read },
            output: counter::Output::Unknown,
        })
        .collect();
    let mut count = 0u64;
    for i in order {
        let op = &mut ops[i];
        let answer = match op.input {
            counter::Input::Increment => {
                count += 1;
                counter::Output::Ok
            }
            counter::Input::Read if count > 1 && rng.chance(w.stale) => {
                counter::Output::Value(count - 2 - rng.below(count - 1).min(2))
            }
            counter::Input::Read => counter::Output::Value(count),
        };
        if op.ret.is_some() {
            op.output = answer;
        }
    }
    ops
}
