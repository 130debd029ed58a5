//! The event queue: pending events by time, and in push order within an
//! instant (the order the simulator scheduled them in).
//!
//! A binary heap serves small queues best. On a large swarm it spent most
//! of its time on cache misses: 100,000 gossip sites keep ~300,000 events
//! pending, spread over only a few thousand instants (every site's cycle
//! timer fires at the same instant). Past [`CALENDAR_FROM`] events the queue
//! therefore becomes a calendar (Brown, "Calendar queues", CACM 1988): a
//! ring of buckets of [`WIDTH`] µs each, unsorted, and a bucket is sorted
//! only when time reaches it. Events pushed into the bucket being consumed
//! wait in a small heap beside it; events past the ring's span wait in
//! another. It returns to the heap once empty. Both give the same order.

use super::Time;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Above this many pending events the queue becomes a calendar.
const CALENDAR_FROM: usize = 1 << 16;
/// A calendar bucket spans this many µs (about a millisecond; a power of
/// two, so that dividing by it is a shift).
const WIDTH: Time = 1 << 10;
/// Buckets in the ring: it spans about 4.2 s ahead of the current one.
const RING: usize = 4096;
/// A bucket's buffer stays in its ring slot for reuse up to this many
/// events; larger ones go to a pool of room for at most [`POOL`] events in
/// all, or twice the events in the ring if that is more, which the next
/// empty bucket to be filled takes from (a swarm's busy buckets would
/// otherwise each grow from nothing, or each keep a large buffer). Without
/// the second bound, a million sites' buffers were freed and allocated
/// again every cycle, and zeroing the fresh pages took 14% of the run.
const KEEP: usize = 1024;
const POOL: usize = 1 << 19;

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
    /// Large ones (a swarm's): a calendar.
    Calendar(Box<Calendar<T>>),
}

/// An event: ordered by time, then by push order.
#[derive(Clone, Debug)]
struct Entry<T> {
    time: Time,
    n: u64,
    item: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (Time, u64) {
        (self.time, self.n)
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
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
        self.key().cmp(&other.key())
    }
}

/// The calendar. Bucket number `b` holds the events of `[b·WIDTH,
/// (b+1)·WIDTH)`, in ring slot `b % RING`, for `b` in `(now_bucket,
/// now_bucket + RING)`. Bucket `now_bucket` is being consumed: its events
/// are `now` (sorted latest first, so that the earliest pops off its end)
/// and `late` (pushed since it was sorted). From the switch from the heap
/// to the first pop, both are empty and no bucket is current yet.
#[derive(Clone, Debug)]
struct Calendar<T> {
    now_bucket: u64,
    now: Vec<Entry<T>>,
    late: BinaryHeap<Reverse<Entry<T>>>,
    ring: Vec<Vec<Entry<T>>>,
    /// Events in the ring.
    in_ring: usize,
    /// Events past the ring's span.
    far: BinaryHeap<Reverse<Entry<T>>>,
    /// Scratch space for sorting a bucket.
    dest: Vec<u32>,
    pool: Vec<Vec<Entry<T>>>,
}

impl<T> Calendar<T> {
    fn new(now_bucket: u64) -> Self {
        Calendar {
            now_bucket,
            now: Vec::new(),
            late: BinaryHeap::new(),
            ring: (0..RING).map(|_| Vec::new()).collect(),
            in_ring: 0,
            far: BinaryHeap::new(),
            dest: Vec::new(),
            pool: Vec::new(),
        }
    }

    fn push(&mut self, e: Entry<T>) {
        let b = e.time / WIDTH;
        if b <= self.now_bucket {
            self.late.push(Reverse(e));
        } else if b < self.now_bucket + RING as u64 {
            let slot = &mut self.ring[(b % RING as u64) as usize];
            if slot.capacity() == 0 {
                if let Some(buffer) = self.pool.pop() {
                    *slot = buffer;
                }
            }
            slot.push(e);
            self.in_ring += 1;
        } else {
            self.far.push(Reverse(e));
        }
    }

    fn peek(&self) -> Option<&Entry<T>> {
        match (self.now.last(), self.late.peek()) {
            (Some(a), Some(Reverse(b))) => Some(if a.key() <= b.key() { a } else { b }),
            (None, None) => self.first_pending(),
            (a, b) => a.or(b.map(|Reverse(b)| b)),
        }
    }

    /// The earliest event while no bucket is current (from the switch to
    /// the first pop, see `EventQueue::switch_to_calendar`): the first in
    /// push order of the earliest instant of the first busy bucket.
    #[cold]
    fn first_pending(&self) -> Option<&Entry<T>> {
        let ring = (1..RING as u64).map(|d| &self.ring[((self.now_bucket + d) % RING as u64) as usize]);
        match ring.into_iter().find(|b| !b.is_empty()) {
            Some(bucket) => bucket.iter().min_by_key(|e| e.key()),
            None => self.far.peek().map(|Reverse(e)| e),
        }
    }

    fn pop(&mut self) -> Option<Entry<T>> {
        if self.now.is_empty() && self.late.is_empty() {
            self.advance(); // the first pop since the switch
        }
        let from_late = match (self.now.last(), self.late.peek()) {
            (Some(a), Some(Reverse(b))) => b.key() < a.key(),
            (None, Some(_)) => true,
            (_, None) => false,
        };
        let e = if from_late { self.late.pop().map(|Reverse(e)| e) } else { self.now.pop() };
        if self.now.is_empty() && self.late.is_empty() {
            self.advance();
        }
        e
    }

    /// Makes the next non-empty bucket the current one (nothing to do if
    /// there is none), so that `peek` can read the earliest event.
    fn advance(&mut self) {
        if self.in_ring == 0 {
            let Some(Reverse(first)) = self.far.peek() else { return };
            // Jump to the far events' first bucket; the ring is empty.
            self.now_bucket = (first.time / WIDTH) - 1;
        }
        // Bring in the far events that the move puts within the ring's span.
        let next = loop {
            self.now_bucket += 1;
            let end = self.now_bucket + RING as u64;
            while self.far.peek().is_some_and(|Reverse(e)| (e.time / WIDTH) < end) {
                let Reverse(e) = self.far.pop().expect("peeked");
                let b = e.time / WIDTH;
                self.ring[(b % RING as u64) as usize].push(e);
                self.in_ring += 1;
            }
            let slot = (self.now_bucket % RING as u64) as usize;
            if !self.ring[slot].is_empty() {
                break slot;
            }
        };
        let mut bucket = std::mem::take(&mut self.ring[next]);
        self.in_ring -= bucket.len();
        self.sort(&mut bucket);
        // Hand the emptied buffer back to the ring slot, unless it is
        // large: a swarm's busy buckets would otherwise each keep one.
        let spent = std::mem::replace(&mut self.now, bucket);
        if spent.capacity() <= KEEP {
            self.ring[next] = spent;
        } else if self.pool.iter().map(Vec::capacity).sum::<usize>() + spent.capacity() <= POOL.max(2 * self.in_ring) {
            self.pool.push(spent);
        }
    }

    /// Sorts a bucket by time, latest first, and within an instant latest
    /// pushed first (so that popping its end gives the earliest). A
    /// bucket holds its events in push order (events from `far` arrive
    /// before any pushed into the bucket directly, and in order), so a
    /// stable sort by time sorts it by key: a counting sort on the time's
    /// offset within the bucket, then the permutation (reversed) applied in
    /// place.
    /// (One algorithm for every size: a second would be compiled once per
    /// protocol into the page's bundle.)
    fn sort(&mut self, bucket: &mut [Entry<T>]) {
        let offset = |e: &Entry<T>| (e.time % WIDTH) as usize;
        let mut starts = [0u32; WIDTH as usize];
        for e in bucket.iter() {
            starts[offset(e)] += 1;
        }
        let mut sum = 0;
        for c in starts.iter_mut() {
            (*c, sum) = (sum, sum + *c);
        }
        let last = (bucket.len() as u32).saturating_sub(1);
        let dest = &mut self.dest;
        dest.clear();
        dest.extend(bucket.iter().map(|e| {
            let d = &mut starts[offset(e)];
            *d += 1;
            last - (*d - 1)
        }));
        for i in 0..bucket.len() {
            while dest[i] as usize != i {
                let d = dest[i] as usize;
                bucket.swap(i, d);
                dest.swap(i, d);
            }
        }
        debug_assert!(bucket.windows(2).all(|w| w[0].key() > w[1].key()), "a bucket out of push order");
    }

    fn iter(&self) -> impl Iterator<Item = &Entry<T>> {
        let late = self.late.iter().map(|Reverse(e)| e);
        let far = self.far.iter().map(|Reverse(e)| e);
        self.now.iter().chain(late).chain(self.ring.iter().flatten()).chain(far)
    }
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { inner: Inner::Heap(BinaryHeap::new()), len: 0, pushed: 0 }
    }
}

impl<T> EventQueue<T> {
    /// The bytes one queued event takes.
    pub const ENTRY_BYTES: usize = std::mem::size_of::<Entry<T>>();

    /// Adds an event at `time`, after every event already queued for it.
    pub fn push(&mut self, time: Time, item: T) {
        self.len += 1;
        self.pushed += 1;
        let e = Entry { time, n: self.pushed, item };
        match &mut self.inner {
            Inner::Heap(h) => {
                h.push(Reverse(e));
                if h.len() > CALENDAR_FROM {
                    self.switch_to_calendar();
                }
            }
            Inner::Calendar(c) => c.push(e),
        }
    }

    /// Moves every event into a calendar, keeping their order.
    fn switch_to_calendar(&mut self) {
        let Inner::Heap(h) = &mut self.inner else { return };
        // In order, so that each bucket keeps push order within an instant
        // (see `Calendar::sort`).
        let events = std::mem::take(h).into_sorted_vec();
        let first = events.last().map_or(0, |Reverse(e)| e.time);
        // No bucket is current until the first pop: the earliest events
        // wait in the ring, not in `late`. A swarm's sites all tick at one
        // instant: otherwise a million first ticks would be pushed on, and
        // popped off, a heap (4% of the run).
        let mut c = Calendar::new((first / WIDTH).saturating_sub(1));
        for Reverse(e) in events.into_iter().rev() {
            c.push(e);
        }
        self.inner = Inner::Calendar(Box::new(c));
    }

    /// Removes the earliest event, with its time.
    pub fn pop(&mut self) -> Option<(Time, T)> {
        let e = match &mut self.inner {
            Inner::Heap(h) => h.pop().map(|Reverse(e)| e),
            Inner::Calendar(c) => c.pop(),
        }?;
        self.len -= 1;
        if self.len == 0 && matches!(self.inner, Inner::Calendar(_)) {
            self.inner = Inner::Heap(BinaryHeap::new());
        }
        Some((e.time, e.item))
    }

    /// The earliest event, with its time.
    pub fn peek(&self) -> Option<(Time, &T)> {
        let e = match &self.inner {
            Inner::Heap(h) => h.peek().map(|Reverse(e)| e),
            Inner::Calendar(c) => c.peek(),
        }?;
        Some((e.time, &e.item))
    }

    /// Roughly the event `d` places after the earliest: exact within the
    /// calendar's current bucket but for events pushed into it since it was
    /// sorted, and `None` for a small queue (whose heap has no cheap
    /// answer). Good enough for a cache hint.
    pub fn ahead(&self, d: usize) -> Option<&T> {
        match &self.inner {
            Inner::Heap(_) => None,
            Inner::Calendar(c) => c.now.len().checked_sub(d + 1).map(|i| &c.now[i].item),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every event with its time, in no particular order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Time, &T)> + '_> {
        match &self.inner {
            Inner::Heap(h) => Box::new(h.iter().map(|Reverse(e)| (e.time, &e.item))),
            Inner::Calendar(c) => Box::new(c.iter().map(|e| (e.time, &e.item))),
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
        let mut all: Vec<(Time, char)> = q.iter().map(|(t, v)| (t, *v)).collect();
        all.sort_unstable();
        assert_eq!(all, [(3, 'b'), (3, 'd'), (5, 'a'), (5, 'c'), (9, 'e')]);
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

    /// The calendar gives the heap's order, across the switch and back,
    /// whether the events fall within one bucket, across the ring, or past
    /// its span.
    #[test]
    fn calendar_and_heap_pop_the_same_order() {
        for spread in [1, 50, 20 * WIDTH, 3 * RING as u64 * WIDTH] {
            let mut rng = crate::sim::rng::Rng::new(7, 0);
            let mut q = EventQueue::default();
            let mut model: BinaryHeap<Reverse<(Time, u64)>> = BinaryHeap::new();
            let (mut n, mut now) = (0u64, 0);
            for round in 0..3 {
                for _ in 0..2 * CALENDAR_FROM {
                    n += 1;
                    let t = now + rng.below(spread);
                    q.push(t, n);
                    model.push(Reverse((t, n)));
                    // Also between the switch and the first pop after it.
                    assert_eq!(q.peek().map(|(t, v)| (t, *v)), model.peek().map(|Reverse(p)| *p));
                    if rng.below(3) == 0 {
                        let (t, v) = q.pop().unwrap();
                        assert_eq!(Reverse((t, v)), model.pop().unwrap(), "spread {spread}, round {round}");
                        now = t;
                    }
                }
                assert!(matches!(q.inner, Inner::Calendar(_)));
                assert_eq!(q.len(), model.len());
                assert_eq!(q.iter().count(), model.len());
                assert_eq!(q.peek().map(|(t, v)| (t, *v)), model.peek().map(|Reverse(p)| *p));
                while let Some((t, v)) = q.pop() {
                    assert_eq!(Reverse((t, v)), model.pop().unwrap(), "spread {spread}");
                    now = t;
                }
                assert!(matches!(q.inner, Inner::Heap(_)), "an empty queue is a heap again");
            }
        }
    }
}
