//! The portable random number generator.
//!
//! One seed decides everything. Each node gets its own ChaCha8 stream, and the
//! network gets another, so that adding a draw in one place never shifts the
//! draws of another. Every helper works on `u64` and exact float arithmetic, so
//! native and wasm32 builds draw the same numbers.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// The stream reserved for the network.
pub const NETWORK_STREAM: u64 = 0;
/// The stream reserved for stable storage's write latencies.
pub const DISK_STREAM: u64 = u64::MAX - 1;
/// The stream reserved for experiment drivers (crash instants, client load).
pub const DRIVER_STREAM: u64 = u64::MAX;

/// A seeded, portable generator. Clone it to fork a copy of its state.
///
/// A clone is parked: it keeps only the key, the stream and the position
/// (64 bytes) and rebuilds ChaCha's 256-byte block buffer at its first
/// draw. Time travel clones every node's generator into every checkpoint,
/// so this halves a large group's checkpoints; the draws are the same.
#[derive(Debug)]
#[repr(C)]
pub struct Rng {
    /// First, so that a draw's handle is the struct's first
    /// [`Rng::HANDLE_BYTES`] (see `sim::prefetch`).
    live: Option<Box<ChaCha8Rng>>,
    seed: [u8; 32],
    stream: u64,
    /// The next 32-bit word's position in the stream (while parked).
    word_pos: u128,
}

impl Clone for Rng {
    fn clone(&self) -> Self {
        Rng { seed: self.seed, stream: self.stream, word_pos: self.position(), live: None }
    }
}

impl Rng {
    /// The bytes a draw reads before it follows the handle to the live
    /// generator.
    pub(crate) const HANDLE_BYTES: usize = std::mem::size_of::<Option<Box<ChaCha8Rng>>>();

    /// The generator for `stream` of `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream);
        Rng { seed: inner.get_seed(), stream, word_pos: 0, live: Some(Box::new(inner)) }
    }

    fn position(&self) -> u128 {
        self.live.as_ref().map_or(self.word_pos, |r| r.get_word_pos())
    }

    #[inline]
    fn live(&mut self) -> &mut ChaCha8Rng {
        if self.live.is_none() {
            self.unpark();
        }
        self.live.as_mut().expect("unparked above")
    }

    #[cold]
    fn unpark(&mut self) {
        let mut r = ChaCha8Rng::from_seed(self.seed);
        r.set_stream(self.stream);
        r.set_word_pos(self.word_pos);
        self.live = Some(Box::new(r));
    }

    /// The stream of node `id` (streams 1..; 0 is the network's).
    pub fn for_node(seed: u64, id: u32) -> Self {
        Self::new(seed, 1 + u64::from(id))
    }

    /// Asks for the live generator's memory early (a cache hint, see
    /// `sim::prefetch`); a parked one has nothing to fetch.
    pub(crate) fn prefetch(&self) {
        if let Some(r) = &self.live {
            super::prefetch::value(&**r);
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.live().next_u64()
    }

    /// A uniform draw from `0..n`. `n` must be positive.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0)");
        // Lemire's multiply-and-reject: unbiased and branch-light. The
        // threshold (a division) is needed only when the low half is below
        // `n`, since it is itself below `n`: the draws are the same.
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// A uniform draw from `lo..=hi` (inclusive). Requires `lo <= hi`.
    #[inline]
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.below(span + 1)
    }

    /// A uniform float in `[0, 1)`, from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`. Draws nothing when `p` is 0 or 1.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            self.unit() < p
        }
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// A uniform pick, or `None` for an empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len() as u64) as usize])
        }
    }
}

/// Mixes a seed and an index into a new seed (SplitMix64 finaliser), for
/// per-trial seeds that do not overlap.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_repeatable() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(8, 1).next_u64());
    }

    /// A clone, parked or not, at any position (also mid-block and at
    /// an odd word), draws exactly what the original draws next.
    #[test]
    fn a_clone_draws_what_the_original_draws() {
        let mut a = Rng::new(9, 4);
        for skip in [0usize, 1, 7, 31, 32, 33, 100] {
            for _ in 0..skip {
                a.next_u64();
            }
            let mut b = a.clone();
            let mut c = b.clone(); // a clone of a parked clone
            let expect: Vec<u64> = (0..70).map(|_| a.next_u64()).collect();
            assert_eq!((0..70).map(|_| b.next_u64()).collect::<Vec<_>>(), expect, "after {skip}");
            assert_eq!((0..70).map(|_| c.next_u64()).collect::<Vec<_>>(), expect, "after {skip}");
        }
    }

    #[test]
    fn range_inclusive_covers_both_ends() {
        let mut r = Rng::new(1, 0);
        let mut seen = [false; 3];
        for _ in 0..200 {
            let x = r.range_inclusive(10, 12);
            assert!((10..=12).contains(&x));
            seen[(x - 10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.range_inclusive(5, 5), 5);
    }

    #[test]
    fn unit_is_in_half_open_interval() {
        let mut r = Rng::new(3, 0);
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
