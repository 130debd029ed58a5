//! The event queue: pending events by time, and in push order within an
//! instant (the order the simulator scheduled them in).
//!
//! A binary heap serves small queues best. On a large swarm it spent most
//! of its time on cache misses: 100,000 gossip sites keep ~300,000 events
//! pending, spread over only a few thousand instants (every site's cycle
//! timer fires at the same instant). Past [`BUCKETS_FROM`] events the queue
//! therefore keeps one FIFO bucket per instant in a B-tree instead, which
//! made that run twice as fast (and small runs no slower), and it returns
//! to the heap once empty. Both give the same order.

use super::Time;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

/// Above this many pending events the queue moves to buckets.
const BUCKETS_FROM: usize = 1 << 16;
/// Spare buckets kept at most (each keeps its capacity).
const SPARE: usize = 64;

#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    inner: Inner<T>,
    len: usize,
    pushed: u64,
}

#[derive(Clone, Debug)]
enum Inner<T> {
    /// Small queues (a Raft cluster's): a binary heap is fastest.
    Heap(BinaryHeap<Reverse<Entry<T>>>),
    /// Large ones: one FIFO bucket per instant, in a B-tree.
    Buckets { buckets: BTreeMap<Time, VecDeque<T>>, spare: Vec<VecDeque<T>> },
}

/// A heap entry: ordered by time, then by push order.
#[derive(Clone, Debug)]
struct Entry<T> {
    time: Time,
    n: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.n) == (other.time, other.n)
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.n).cmp(&(other.time, other.n))
    }
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { inner: Inner::Heap(BinaryHeap::new()), len: 0, pushed: 0 }
    }
}

impl<T> EventQueue<T> {
    /// Adds an event at `time`, after every event already queued for it.
    pub fn push(&mut self, time: Time, item: T) {
        self.len += 1;
        self.pushed += 1;
        match &mut self.inner {
            Inner::Heap(h) => {
                h.push(Reverse(Entry { time, n: self.pushed, item }));
                if h.len() > BUCKETS_FROM {
                    self.switch_to_buckets();
                }
            }
            Inner::Buckets { buckets, spare } => {
                buckets.entry(time).or_insert_with(|| spare.pop().unwrap_or_default()).push_back(item);
            }
        }
    }

    /// Moves every event into buckets, keeping their order.
    fn switch_to_buckets(&mut self) {
        let Inner::Heap(h) = &mut self.inner else { return };
        let mut buckets: BTreeMap<Time, VecDeque<T>> = BTreeMap::new();
        for Reverse(e) in std::mem::take(h).into_sorted_vec().into_iter().rev() {
            buckets.entry(e.time).or_default().push_back(e.item);
        }
        self.inner = Inner::Buckets { buckets, spare: Vec::new() };
    }

    /// Removes the earliest event, with its time.
    pub fn pop(&mut self) -> Option<(Time, T)> {
        let out = match &mut self.inner {
            Inner::Heap(h) => h.pop().map(|Reverse(e)| (e.time, e.item)),
            Inner::Buckets { buckets, spare } => {
                let mut first = buckets.first_entry()?;
                let time = *first.key();
                let item = first.get_mut().pop_front().expect("buckets are never empty");
                if first.get().is_empty() {
                    let bucket = first.remove();
                    if spare.len() < SPARE {
                        spare.push(bucket);
                    }
                }
                Some((time, item))
            }
        }?;
        self.len -= 1;
        if self.len == 0 && matches!(self.inner, Inner::Buckets { .. }) {
            self.inner = Inner::Heap(BinaryHeap::new());
        }
        Some(out)
    }

    /// The earliest event, with its time.
    pub fn peek(&self) -> Option<(Time, &T)> {
        match &self.inner {
            Inner::Heap(h) => h.peek().map(|Reverse(e)| (e.time, &e.item)),
            Inner::Buckets { buckets, .. } => buckets.first_key_value().and_then(|(t, b)| b.front().map(|i| (*t, i))),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every event, in no particular order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = &T> + '_> {
        match &self.inner {
            Inner::Heap(h) => Box::new(h.iter().map(|Reverse(e)| &e.item)),
            Inner::Buckets { buckets, .. } => Box::new(buckets.values().flatten()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_push_order() {
        let mut q = EventQueue::default();
        for (t, v) in [(5, 'a'), (3, 'b'), (5, 'c'), (3, 'd'), (9, 'e')] {
            q.push(t, v);
        }
        assert_eq!(q.len(), 5);
        assert_eq!(q.peek(), Some((3, &'b')));
        let mut all: Vec<char> = q.iter().copied().collect();
        all.sort_unstable();
        assert_eq!(all, ['a', 'b', 'c', 'd', 'e']);
        let mut out = vec![];
        while let Some((t, v)) = q.pop() {
            out.push((t, v));
            if v == 'a' {
                q.push(5, 'f'); // same instant, pushed later: after 'c'
            }
        }
        assert_eq!(out, [(3, 'b'), (3, 'd'), (5, 'a'), (5, 'c'), (5, 'f'), (9, 'e')]);
        assert!(q.is_empty() && q.peek().is_none());
    }
}

#[cfg(test)]
mod large {
    use super::*;

    /// The bucket form gives the heap's order, across the switch and back.
    #[test]
    fn buckets_and_heap_pop_the_same_order() {
        let mut rng = crate::sim::rng::Rng::new(7, 0);
        let mut q = EventQueue::default();
        let mut model: BinaryHeap<Reverse<(Time, u64)>> = BinaryHeap::new();
        let (mut n, mut now) = (0u64, 0);
        for round in 0..3 {
            for _ in 0..2 * BUCKETS_FROM {
                n += 1;
                let t = now + rng.below(50);
                q.push(t, n);
                model.push(Reverse((t, n)));
                if rng.below(3) == 0 {
                    let (t, v) = q.pop().unwrap();
                    assert_eq!(Reverse((t, v)), model.pop().unwrap(), "round {round}");
                    now = t;
                }
            }
            assert!(matches!(q.inner, Inner::Buckets { .. }));
            assert_eq!(q.len(), model.len());
            while let Some((t, v)) = q.pop() {
                assert_eq!(Reverse((t, v)), model.pop().unwrap());
                now = t;
            }
            assert!(matches!(q.inner, Inner::Heap(_)), "an empty queue is a heap again");
        }
    }
}
