//! Monte Carlo experiments: many seeded runs, one summary. The CLI prints
//! them; the benchmarks time them. Every trial's seed derives from the
//! experiment's seed and the trial's index, so a run is repeatable to the byte.

pub mod cap;
pub mod chaos;
pub mod failover;
pub mod figure16;
pub mod golden;
pub mod gossip;
pub mod pbs;
pub mod quorum;
pub mod swim;
