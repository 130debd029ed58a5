//! Small, deterministic summary statistics.

use crate::sim::Time;
use serde::Serialize;

/// Mean and nearest-rank percentiles of a sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Rounds to three decimals, so printed results do not show float noise.
/// How much of the line the spans `[a, b)` cover together (overlaps
/// counted once).
pub fn covered(mut spans: Vec<(u64, u64)>) -> u64 {
    spans.sort_unstable();
    let (mut total, mut reach) = (0, 0);
    for (a, b) in spans {
        let a = a.max(reach);
        if b > a {
            total += b - a;
            reach = b;
        }
    }
    total
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The nearest-rank percentile `p` (0..=100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Sorts floats in their total order: the one float sort the code uses, so
/// the page carries one copy of it.
pub fn sort_f64(v: &mut [f64]) {
    v.sort_unstable_by(f64::total_cmp);
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        let mut v = values.to_vec();
        sort_f64(&mut v);
        let mean = if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
        Summary {
            mean: round3(mean),
            p50: round3(percentile(&v, 50.0)),
            p90: round3(percentile(&v, 90.0)),
            p99: round3(percentile(&v, 99.0)),
            max: round3(v.last().copied().unwrap_or(0.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covered_counts_overlaps_once() {
        assert_eq!(covered(vec![]), 0);
        assert_eq!(covered(vec![(5, 10), (0, 3), (8, 12), (9, 11), (20, 20)]), 3 + 7);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Summary::of(&v);
        assert_eq!((s.p50, s.p90, s.p99, s.max, s.mean), (50.0, 90.0, 99.0, 100.0, 50.5));
        assert_eq!(Summary::of(&[7.0]).p99, 7.0);
    }
}

/// A summary of a sample in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MsSummary {
    pub count: usize,
    #[serde(flatten)]
    pub summary: Summary,
}

impl MsSummary {
    pub fn of_us(values: impl Iterator<Item = Time>) -> Self {
        let v: Vec<f64> = values.map(|us| us as f64 / 1000.0).collect();
        MsSummary { count: v.len(), summary: Summary::of(&v) }
    }
}

impl std::fmt::Display for MsSummary {
    /// `n=4  mean 2.0  p50 2.0  p99 2.0  max 2.0 ms`, as `splitbrain run` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.summary;
        write!(f, "n={}  mean {:.1}  p50 {:.1}  p99 {:.1}  max {:.1} ms", self.count, s.mean, s.p50, s.p99, s.max)
    }
}
