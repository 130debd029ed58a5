//! Linearizability checking: Wing and Gong's search ("Testing and
//! verifying concurrent objects", JPDC 1993) with Lowe's memoisation of
//! (operations linearized, state) pairs ("Testing for linearizability",
//! Concurrency and Computation 2017), as Knossos and Porcupine do.
//!
//! The history becomes a list of call and return events in time order (a
//! call at the same instant as a return comes first: the two operations
//! overlap). The search walks the list: at a call it may linearize that
//! operation now (if the model accepts its output), at a return it must
//! already have linearized that operation, else it backtracks to the most
//! recent choice. A (set, state) pair seen before cannot lead anywhere new,
//! which keeps the search small on real histories. An operation that never
//! returned may be linearized at any point after its call, or never.
//!
//! Identical operations (the same input and output, both returned or both
//! not) are interchangeable: when two of them could both be linearized
//! next, putting the one that returns first before the other loses no
//! order (swapping them in any order that does the opposite keeps every
//! call before and every return after its point, and leaves every state
//! the same). So among identical operations that are ready at once, the
//! search tries only the one that returns first. A counter's increments,
//! all alike, would otherwise make it try every subset of the ones in
//! flight.

use super::{Op, SequentialSpec};
use std::collections::{HashMap, HashSet};

/// The verdict on one history.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Some order explains every output.
    Linearizable,
    /// No order does. `op` (an index into the history) is the first
    /// operation whose return no order reaches with it linearized: the
    /// history up to its call is explainable, but not past its return.
    /// `prefix` is the most operations any order managed to linearize.
    Not { op: usize, prefix: usize },
}

impl Verdict {
    pub fn is_linearizable(&self) -> bool {
        *self == Verdict::Linearizable
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Call,
    Return,
}

/// The event list as a doubly linked list over a vector (entries are
/// unlinked as operations are linearized, and relinked on backtracking).
struct Events {
    op: Vec<usize>,
    kind: Vec<Kind>,
    /// For a call, the index of its return event (if any).
    matching: Vec<Option<usize>>,
    prev: Vec<usize>,
    next: Vec<usize>,
}

const HEAD: usize = 0;

impl Events {
    /// From each operation's call and return.
    fn new(times: &[(u64, Option<u64>)]) -> Self {
        // (time, 0 for a call and 1 for a return, op): calls first at equal
        // times.
        let mut order: Vec<(u64, u8, usize)> = Vec::with_capacity(times.len() * 2);
        for (i, &(call, ret)) in times.iter().enumerate() {
            order.push((call, 0, i));
            if let Some(r) = ret {
                order.push((r.max(call), 1, i));
            }
        }
        order.sort_unstable();
        // Slot 0 is the head sentinel; events are 1..=n; n+1 is the tail.
        let n = order.len();
        let mut ev = Events {
            op: vec![usize::MAX; n + 2],
            kind: vec![Kind::Call; n + 2],
            matching: vec![None; n + 2],
            prev: (0..n + 2).map(|i| i.saturating_sub(1)).collect(),
            next: (0..n + 2).map(|i| (i + 1).min(n + 1)).collect(),
        };
        let mut call_slot = vec![0; times.len()];
        for (slot, &(_, k, i)) in order.iter().enumerate() {
            let kind = if k == 0 { Kind::Call } else { Kind::Return };
            let slot = slot + 1;
            ev.op[slot] = i;
            ev.kind[slot] = kind;
            match kind {
                Kind::Call => call_slot[i] = slot,
                Kind::Return => ev.matching[call_slot[i]] = Some(slot),
            }
        }
        ev
    }

    fn tail(&self) -> usize {
        self.op.len() - 1
    }

    /// Removes a call and its return from the list.
    fn lift(&mut self, call: usize) {
        for slot in [Some(call), self.matching[call]].into_iter().flatten() {
            let (p, n) = (self.prev[slot], self.next[slot]);
            self.next[p] = n;
            self.prev[n] = p;
        }
    }

    /// Puts them back (in the reverse order of `lift`).
    fn unlift(&mut self, call: usize) {
        for slot in [self.matching[call], Some(call)].into_iter().flatten() {
            let (p, n) = (self.prev[slot], self.next[slot]);
            self.next[p] = slot;
            self.prev[n] = slot;
        }
    }
}

/// A set of operation indices, as a bitset (hashable, for the cache).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

/// Classes of identical operations: each operation's class, and its rank
/// among them (by return, never-returned last, then by index).
struct Alike {
    class: Vec<usize>,
    rank: Vec<usize>,
    /// How many operations each class has.
    size: Vec<usize>,
}

impl Alike {
    /// `same(a, b)`: whether operations `a` and `b` are alike.
    fn new(times: &[(u64, Option<u64>)], same: &dyn Fn(usize, usize) -> bool) -> Self {
        let mut firsts: Vec<usize> = Vec::new();
        let mut class = Vec::with_capacity(times.len());
        for i in 0..times.len() {
            match firsts.iter().position(|&f| times[f].1.is_some() == times[i].1.is_some() && same(f, i)) {
                Some(c) => class.push(c),
                None => {
                    class.push(firsts.len());
                    firsts.push(i);
                }
            }
        }
        // Ranks within each class, by (return, index).
        let mut by_return: Vec<(u64, usize)> = (0..times.len()).map(|i| (times[i].1.unwrap_or(u64::MAX), i)).collect();
        by_return.sort_unstable();
        let mut size = vec![0; firsts.len()];
        let mut rank = vec![0; times.len()];
        for (_, i) in by_return {
            rank[i] = size[class[i]];
            size[class[i]] += 1;
        }
        Alike { class, rank, size }
    }

    /// Whether an operation identical to `op` that returns no later is
    /// also ready: its call is in the run of calls before the first
    /// return still in the list.
    fn dominated(&self, op: usize, ev: &Events) -> bool {
        let c = self.class[op];
        if self.size[c] < 2 {
            return false;
        }
        let mut slot = ev.next[HEAD];
        while slot != ev.tail() {
            if let Kind::Return = ev.kind[slot] {
                return false;
            }
            let other = ev.op[slot];
            if self.class[other] == c && self.rank[other] < self.rank[op] {
                return true;
            }
            slot = ev.next[slot];
        }
        false
    }
}

/// Checks one history against `model`.
pub fn check<M: SequentialSpec>(model: &M, history: &[Op<M::Input, M::Output>]) -> Verdict {
    check_within(model, history, u64::MAX).expect("an unbounded search ends with a verdict")
}

/// [`check`], giving up (`None`) after `budget` steps of the search. Most
/// histories take a few steps per operation; one where many operations
/// overlap, some never returning, can take exponentially many, and a
/// checker run after every step of a simulation bounds what it spends.
pub fn check_within<M: SequentialSpec>(model: &M, history: &[Op<M::Input, M::Output>], budget: u64) -> Option<Verdict> {
    let times: Vec<(u64, Option<u64>)> = history.iter().map(|o| (o.call, o.ret)).collect();
    let alike =
        Alike::new(&times, &|a, b| history[a].input == history[b].input && history[a].output == history[b].output);
    // States by number, so that the search below is compiled once for every
    // model (the page carries each model's copy of the generic part only),
    // found by their hash (fixed keys: the same on every run).
    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut states: Vec<M::State> = Vec::new();
    fn number<S: Eq + std::hash::Hash>(index: &mut HashMap<u64, Vec<u32>>, states: &mut Vec<S>, s: S) -> u32 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        s.hash(&mut h);
        let same = index.entry(std::hash::Hasher::finish(&h)).or_default();
        if let Some(&id) = same.iter().find(|&&id| states[id as usize] == s) {
            return id;
        }
        states.push(s);
        let id = (states.len() - 1) as u32;
        same.push(id);
        id
    }
    let init = number(&mut index, &mut states, model.init());
    let mut step = |state: u32, op: usize| -> Option<u32> {
        let o = &history[op];
        let s = &states[state as usize];
        let next = match o.ret {
            Some(_) => model.step(s, &o.input, &o.output),
            None => Some(model.step_pending(s, &o.input)),
        }?;
        Some(number(&mut index, &mut states, next))
    };
    search(&times, &alike, init, &mut step, budget)
}

/// The search itself, over numbered states: `step(state, op)` is the
/// state after linearizing `op` in `state`, if the model allows it.
fn search(
    times: &[(u64, Option<u64>)],
    alike: &Alike,
    init: u32,
    step: &mut dyn FnMut(u32, usize) -> Option<u32>,
    mut budget: u64,
) -> Option<Verdict> {
    let mut ev = Events::new(times);
    let tail = ev.tail();
    let mut state = init;
    let mut done = Bits::new(times.len());
    let mut cache: HashSet<(Bits, u32)> = HashSet::new();
    // Each choice made: the call linearized, and the state before it.
    let mut stack: Vec<(usize, u32)> = Vec::new();
    let mut slot = ev.next[HEAD];
    // Where the search got furthest: the blocking return, and how many
    // operations were linearized then.
    let (mut furthest, mut prefix) = (0usize, 0usize);
    loop {
        if slot == tail {
            // Every return was reached with its operation linearized;
            // operations that never returned need not take effect.
            return Some(Verdict::Linearizable);
        }
        budget = budget.checked_sub(1)?;
        let next_state = match ev.kind[slot] {
            Kind::Call if alike.dominated(ev.op[slot], &ev) => None,
            Kind::Call => step(state, ev.op[slot]),
            Kind::Return => None,
        };
        let mut advanced = false;
        if let Some(s) = next_state {
            let i = ev.op[slot];
            done.set(i);
            if cache.insert((done.clone(), s)) {
                stack.push((slot, std::mem::replace(&mut state, s)));
                ev.lift(slot);
                slot = ev.next[HEAD];
                advanced = true;
            } else {
                done.clear(i);
            }
        }
        if advanced {
            continue;
        }
        if let Kind::Return = ev.kind[slot] {
            // Blocked: this operation had to be linearized by now.
            if stack.len() > prefix || (stack.len() == prefix && slot > furthest) {
                prefix = stack.len();
                furthest = slot;
            }
            // Undo the latest choice, and try the event after it instead.
            let Some((call, prev_state)) = stack.pop() else {
                return Some(Verdict::Not { op: ev.op[furthest], prefix });
            };
            state = prev_state;
            done.clear(ev.op[call]);
            ev.unlift(call);
            slot = ev.next[call];
            // Backtracking past every choice leaves the head: not linearizable.
            continue;
        }
        slot = ev.next[slot];
    }
}
