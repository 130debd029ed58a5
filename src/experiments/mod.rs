//! Monte Carlo experiments: many seeded runs, one summary. The CLI prints
//! them; the benchmarks time them. Every trial's seed derives from the
//! experiment's seed and the trial's index, so a run is repeatable to the byte.

pub mod cap;
pub mod chaos;
pub mod elect;
pub mod failover;
pub mod figure16;
pub mod golden;
pub mod gossip;
pub mod lab;
pub mod lab_plots;
mod lab_request;
pub mod pbs;
pub mod plot;
pub mod quorum;
pub mod swim;

/// Parses a number of milliseconds, as the CLI's flags and the Experiments
/// panel's fields take them.
pub fn parse_ms(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("'{s}' is not a number of milliseconds"))?;
    if !v.is_finite() || !(0.0..=3_600_000.0).contains(&v) {
        return Err(format!("{s} ms is out of range (0 to 3600000)"));
    }
    Ok(v)
}

/// Parses `A-B` (or a single `A`, meaning `A-A`) in milliseconds.
pub fn parse_range(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (parse_ms(a)?, parse_ms(b)?),
        None => {
            let a = parse_ms(s)?;
            (a, a)
        }
    };
    if a > b {
        return Err(format!("the range {s} is backwards: write the smaller bound first ({b}-{a})"));
    }
    Ok((a, b))
}

/// Milliseconds to whole microseconds.
pub fn us(ms: f64) -> u64 {
    (ms * 1000.0).round() as u64
}
