//! `splitbrain elect`: the bully algorithm, Chang and Roberts' ring and
//! Raft's election side by side, in messages and time.

use crate::output::{emit, experiment};
use clap::Args;
use splitbrain::experiments::elect::{self, Algorithm, ElectParams};

macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AlgorithmArg {
    Bully,
    Ring,
    Raft,
}

#[derive(Args)]
pub struct ElectArgs {
    #[arg(long, value_enum)]
    algorithm: AlgorithmArg,
    /// Nodes (3 to 15 for bully, 2 to 15 otherwise).
    #[arg(long, default_value_t = 5)]
    nodes: u32,
    #[arg(long, default_value_t = 1000)]
    trials: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    json: bool,
}

pub fn elect_cmd(a: ElectArgs) -> i32 {
    let algorithm = match a.algorithm {
        AlgorithmArg::Bully => Algorithm::Bully,
        AlgorithmArg::Ring => Algorithm::Ring,
        AlgorithmArg::Raft => Algorithm::Raft,
    };
    let p = ElectParams { algorithm, nodes: a.nodes, trials: a.trials, seed: a.seed };
    let r = match experiment(p.validate(), p.trials, a.json, |tick| elect::run(&p, tick)) {
        Ok(Some(r)) => r,
        Ok(None) => return 0,
        Err(code) => return code,
    };
    let name = format!("{algorithm:?}").to_lowercase();
    outln!("elect: {name}, {} nodes; {} trials (seed {})", p.nodes, r.trials, p.seed);
    outln!(
        "messages          mean {}, p50 {}, max {} (the election's own)",
        r.messages.mean,
        r.messages.p50,
        r.messages.max
    );
    outln!("announcement      mean {} messages", r.announce_messages.mean);
    outln!("time to elect     p50 {} ms, p99 {} ms, max {} ms", r.elect_ms.p50, r.elect_ms.p99, r.elect_ms.max);
    outln!("for scale         n² = {}, n·H(n) = {}, (n − 1)² = {}", r.n_squared, r.n_h_n, r.n_minus_1_squared);
    0
}
