//! Per-node clocks: true time plus an offset plus drift.
//!
//! Timers fire on the node's own clock, so a fast clock fires early in true
//! time and a slow one late. Invariants are judged on true time.

use super::{LocalTime, Time};

/// The largest drift we accept, in parts per million (±50%).
pub const MAX_DRIFT_PPM: i64 = 500_000;

/// A clock that reads `local(t) = base_local + (t - base_true) * (1 + drift)`.
///
/// Skewing re-bases the clock at the current instant, so the clock is a
/// continuous piecewise-linear function of true time except for the jump that
/// an offset change asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    base_true: Time,
    base_local: LocalTime,
    drift_ppm: i64,
    offset_us: i64,
}

impl Clock {
    /// True time: no offset, no drift (what [`Clock::default`] gives).
    pub const TRUE: Clock = Clock { base_true: 0, base_local: 0, drift_ppm: 0, offset_us: 0 };

    /// The local reading at true time `t` (`t >= base_true`).
    pub fn local(&self, t: Time) -> LocalTime {
        if self.drift_ppm == 0 {
            // The same value as below, without 128-bit division.
            return self.base_local + t.saturating_sub(self.base_true) as i64;
        }
        let elapsed = i128::from(t.saturating_sub(self.base_true));
        let scaled = elapsed * i128::from(1_000_000 + self.drift_ppm) / 1_000_000;
        self.base_local + scaled as i64
    }

    /// The earliest true time at which the local clock reads at least `local`.
    /// Never earlier than `now`.
    pub fn true_at(&self, local: LocalTime, now: Time) -> Time {
        let ahead = i128::from(local - self.base_local);
        if ahead <= 0 {
            return now.max(self.base_true);
        }
        if self.drift_ppm == 0 {
            return (self.base_true.saturating_add(ahead as u64)).max(now);
        }
        let rate = i128::from(1_000_000 + self.drift_ppm);
        // ceil(ahead * 1e6 / rate), so a timer never fires before its deadline.
        let elapsed = (ahead * 1_000_000 + rate - 1) / rate;
        let t = self.base_true as i128 + elapsed;
        (t.max(now as i128)).min(u64::MAX as i128) as Time
    }

    /// Sets the clock to read `true + offset_us` now, and to drift by
    /// `drift_ppm` from here on.
    pub fn skew(&mut self, now: Time, offset_us: i64, drift_ppm: i64) {
        self.base_true = now;
        self.base_local = now as i64 + offset_us;
        self.drift_ppm = drift_ppm.clamp(-MAX_DRIFT_PPM, MAX_DRIFT_PPM);
        self.offset_us = offset_us;
    }

    pub fn drift_ppm(&self) -> i64 {
        self.drift_ppm
    }

    /// The offset set by the last skew (not counting drift since).
    pub fn offset_us(&self) -> i64 {
        self.offset_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_at_inverts_local_for_drifting_clocks() {
        for drift in [-200_000, -37, 0, 5, 100_000] {
            let mut c = Clock::default();
            c.skew(1_000, -400, drift);
            for local in [0i64, 700, 1_000_000, 123_456_789] {
                let t = c.true_at(local, 1_000);
                assert!(c.local(t) >= local, "drift {drift} local {local}");
                if t > 1_000 {
                    assert!(c.local(t - 1) < local, "drift {drift} local {local}: not earliest");
                }
            }
        }
    }
}
