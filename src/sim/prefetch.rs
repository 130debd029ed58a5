//! Cache hints for the event loop.
//!
//! A swarm's events land on random sites, so nearly every event starts with
//! cache misses: the site's slot, its timers, its generator. The calendar
//! queue knows which sites the next events are for, so the loop asks for
//! their memory a few events early ([`super::Sim::step`]) and the misses
//! overlap with the work in between instead of following one another.
//!
//! A hint changes nothing that the program can observe: not the trace, not
//! the draws. Where the target has no stable prefetch instruction (wasm32,
//! aarch64), it does nothing.
//!
//! Measured on push-pull anti-entropy (the CLI's `gossip --mode
//! anti-entropy --exchange push-pull`, BENCHMARKS.md, session 11): 100,000
//! sites 0.68 s without, 0.43 s with the first hints; 1,000,000 sites 11.5 s
//! without, 6.2-6.4 s with them 12 events ahead (4 to 20 did as well at
//! 100,000; 6 and 20 did worse at 1,000,000), and 5.7-6.0 s once each event
//! fetched only what it reads: at that size the prefetches themselves had
//! been waiting for room among the misses in flight (14% of a profile).
//! Session 12 made each of those lines fewer (a node slot is one line; a
//! tick's timers and generator handle share the cold slot's first):
//! 0.28-0.29 s and 4.0-4.1 s.

use super::{Payload, Protocol, Rng, Sim};

/// How far ahead [`Sim::step`] asks for the next events' memory.
const FAR: usize = 12;
const NEAR: usize = 6;

impl<P: Protocol> Payload<P> {
    /// The node the event happens at.
    fn node(&self) -> super::NodeId {
        match self {
            Payload::Deliver { to, .. } => *to,
            Payload::Timer { node, .. } | Payload::Command { node, .. } | Payload::Flush { node } => *node,
        }
    }
}

impl<P: Protocol> Sim<P> {
    /// Asks for the memory that the coming events will read: the queue's
    /// entry `2 * FAR` events ahead; the node slot of the site [`FAR`]
    /// ahead, and if that event is a timer, the first line of its cold slot
    /// (its timers, natively the first of them inline, and its generator's
    /// handle); and, once those are in cache, the generator block (and
    /// timers kept apart, if any) behind the pointers of the one [`NEAR`]
    /// ahead, if it is a timer.
    #[inline]
    pub(super) fn prefetch_ahead(&self) {
        // The queue's own entries: a million sites' buckets outgrow the
        // cache (5.41 -> 5.19-5.25 s).
        if let Some(q) = self.queue.ahead(2 * FAR) {
            value(q);
        }
        if let Some(q) = self.queue.ahead(FAR) {
            let n = q.node() as usize;
            if let Some(slot) = self.nodes.get(n) {
                value(slot);
            }
            // Only a timer draws (a swarm's sites pick partners on their
            // ticks); fetching lines that no one reads costs the others.
            if let (Payload::Timer { .. }, Some(cold)) = (q, self.cold.get(n)) {
                // The timers' and the generator's handles, which lead the
                // cold slot (`ColdSlot` and `Rng` are `repr(C)`).
                lines(cold, std::mem::offset_of!(super::ColdSlot<P>, rng) + Rng::HANDLE_BYTES);
            }
        }
        if let Some(Payload::Timer { node, .. }) = self.queue.ahead(NEAR) {
            if let Some(cold) = self.cold.get(*node as usize) {
                cold.timers.prefetch();
                cold.rng.prefetch();
            }
        }
    }
}

/// Asks for the cache lines that hold `len` bytes from `p`.
#[inline(always)]
pub(crate) fn lines<T: ?Sized>(p: *const T, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let p = p.cast::<i8>();
        // Every line from the one holding the first byte to the one holding
        // the last (a value may straddle one more line than its size says);
        // none for no bytes (an empty map's pointer is only a placeholder).
        let skew = p as usize % 64;
        for offset in (0..if len == 0 { 0 } else { skew + len }).step_by(64) {
            let offset = offset as isize - skew as isize;
            // SAFETY: PREFETCHT0 is a hint. It never faults, whatever the
            // address, and has no effect but on the cache; `wrapping_offset`
            // forms the address without claiming that it is in bounds.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.wrapping_offset(offset));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, len);
}

/// Asks for the cache lines that hold `*r`.
#[inline(always)]
pub(crate) fn value<T>(r: &T) {
    lines(r as *const T, std::mem::size_of::<T>());
}
