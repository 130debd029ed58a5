//! Times and link settings as scenario files write them, shared by the
//! timeline and by every protocol's spec.

use crate::sim::network::{Latency, LinkConfig};
use crate::sim::Time;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest scenario a file may ask for (one simulated day).
pub const MAX_DURATION_US: Time = 24 * 3600 * 1_000_000;

/// A time in the timeline, written in milliseconds (fractions allowed, to the
/// microsecond) and held in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Millis(pub Time);

impl Millis {
    pub fn from_ms(ms: u64) -> Self {
        Millis(ms * 1000)
    }
    pub fn us(&self) -> Time {
        self.0
    }
}

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(1000) {
            s.serialize_u64(self.0 / 1000)
        } else {
            s.serialize_f64(self.0 as f64 / 1000.0)
        }
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ms = f64::deserialize(d)?;
        if !ms.is_finite() || ms < 0.0 {
            return Err(D::Error::custom(format!("a time must be a non-negative number of milliseconds, not {ms}")));
        }
        let us = (ms * 1000.0).round();
        if us > MAX_DURATION_US as f64 {
            return Err(D::Error::custom(format!("{ms} ms is longer than the one-day limit")));
        }
        Ok(Millis(us as Time))
    }
}

/// A time in a spec that no run can take.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{what} must be between 0 and one day in milliseconds, not {ms}")]
pub struct TimeError {
    /// The field, as the file names it.
    pub what: &'static str,
    pub ms: f64,
}

/// Milliseconds as a spec writes them, checked, in µs.
pub fn ms_to_us(ms: f64, what: &'static str) -> Result<u64, TimeError> {
    if !ms.is_finite() || ms < 0.0 || ms * 1000.0 > MAX_DURATION_US as f64 {
        return Err(TimeError { what, ms });
    }
    Ok((ms * 1000.0).round() as u64)
}

/// A protocol's period or wait outside 0.1 ms to one hour.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{what} must be between 0.1 ms and one hour, not {ms}")]
pub struct PeriodError {
    /// The field, as the file names it.
    pub what: &'static str,
    pub ms: f64,
}

/// A protocol's period or wait, in milliseconds as a spec writes it,
/// checked to lie between 0.1 ms and one hour, in µs.
pub fn period_us(ms: f64, what: &'static str) -> Result<u64, PeriodError> {
    if !(0.1..=3.6e6).contains(&ms) {
        return Err(PeriodError { what, ms });
    }
    Ok((ms * 1000.0).round() as u64)
}

/// A link's behaviour as a scenario writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSpec {
    /// Uniform latency range, inclusive.
    pub latency_ms: [f64; 2],
    /// If set, a message's latency is multiplied by a Pareto factor with this
    /// probability (see [`Latency::HeavyTail`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heavy_tail: Option<HeavyTail>,
    pub loss: f64,
    pub dup: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeavyTail {
    pub probability: f64,
    pub alpha: f64,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec { latency_ms: [5.0, 10.0], heavy_tail: None, loss: 0.0, dup: 0.0 }
    }
}

impl LinkSpec {
    pub fn to_config(&self) -> Result<LinkConfig, String> {
        let min_us = ms_to_us(self.latency_ms[0], "latency_ms").map_err(|e| e.to_string())?;
        let max_us = ms_to_us(self.latency_ms[1], "latency_ms").map_err(|e| e.to_string())?;
        let latency = match self.heavy_tail {
            None => Latency::Uniform { min_us, max_us },
            Some(h) => Latency::HeavyTail { min_us, max_us, tail: h.probability, alpha: h.alpha },
        };
        let cfg = LinkConfig { latency, loss: self.loss, dup: self.dup };
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn from_config(c: &LinkConfig) -> Self {
        let (lo, hi) = c.latency.bounds_us();
        let heavy_tail = match c.latency {
            Latency::HeavyTail { tail, alpha, .. } => Some(HeavyTail { probability: tail, alpha }),
            // Scenario files do not carry exponential latency yet (only
            // `splitbrain quorum` uses it); it shows as its 0-100x-mean range.
            Latency::Uniform { .. } | Latency::Exponential { .. } => None,
        };
        LinkSpec { latency_ms: [lo as f64 / 1000.0, hi as f64 / 1000.0], heavy_tail, loss: c.loss, dup: c.dup }
    }
}
