//! `splitbrain quorum`: partial-quorum staleness on the store.

use crate::cli::{parse_ms, parse_range};
use crate::output::{emit, experiment};
use clap::Args;

macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PropagationArg {
    /// A put goes to all N replicas, a get asks all N (Dynamo).
    All,
    /// A put reaches only W replicas, a get asks only R (PBS k-staleness).
    None,
}

#[derive(Args)]
pub struct QuorumArgs {
    /// Replicas per key.
    #[arg(long, default_value_t = 3)]
    n: u32,
    /// Read quorum.
    #[arg(long, default_value_t = 1)]
    r: u32,
    /// Write quorum.
    #[arg(long, default_value_t = 1)]
    w: u32,
    /// Nodes in the cluster [default: N].
    #[arg(long)]
    nodes: Option<u32>,
    #[arg(long, value_enum, default_value = "all")]
    propagation: PropagationArg,
    /// Sloppy quorums: a request with no quorum after half its timeout asks
    /// the next nodes on the ring (stand-ins holding hints); needs --nodes
    /// above N to have any.
    #[arg(long)]
    sloppy: bool,
    /// One-way network latency range in ms, inclusive.
    #[arg(long, value_name = "L1-L2", default_value = "5-10", value_parser = parse_range)]
    latency_ms: (f64, f64),
    /// Exponentially distributed latency with this mean, in ms, instead
    /// (the WARS model's assumption).
    #[arg(long, value_name = "MEAN", value_parser = parse_ms, conflicts_with = "latency_ms")]
    exp_latency_ms: Option<f64>,
    /// Probability that a message is lost (0 to below 1).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    loss: f64,
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    trials: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    json: bool,
}

pub fn quorum_cmd(a: QuorumArgs) -> i32 {
    use splitbrain::experiments::quorum::{self, QuorumParams};
    let p = QuorumParams {
        nodes: a.nodes.unwrap_or(a.n),
        n: a.n,
        r: a.r,
        w: a.w,
        propagate: matches!(a.propagation, PropagationArg::All),
        sloppy: a.sloppy,
        latency_ms: (a.latency_ms.0.round() as u64, a.latency_ms.1.round() as u64),
        exp_latency_ms: a.exp_latency_ms,
        loss: a.loss,
        trials: a.trials,
        seed: a.seed,
    };
    let r = match experiment(p.validate(), p.trials, a.json, |tick| quorum::run(&p, tick)) {
        Ok(Some(r)) => r,
        Ok(None) => return 0,
        Err(code) => return code,
    };
    let latency = match p.exp_latency_ms {
        Some(m) => format!("exponential, mean {m} ms"),
        None => format!("{}-{} ms", p.latency_ms.0, p.latency_ms.1),
    };
    outln!(
        "quorum: N={} R={} W={}{} on {} nodes, propagation {}, latency {latency}, loss {}; {} trials (seed {})",
        p.n,
        p.r,
        p.w,
        if p.sloppy { " (sloppy)" } else { "" },
        p.nodes,
        if p.propagate { "all" } else { "none" },
        p.loss,
        r.trials,
        p.seed
    );
    if r.failed > 0 {
        outln!("failed            {} trials got no quorum and are not counted", r.failed);
    }
    let at: Vec<String> = r.p_consistent_read_at.iter().map(|a| format!("{} ms {:.3}", a.delay_ms, a.p)).collect();
    outln!("consistent read   {}", at.join(", "));
    for k in 1..=3 {
        let key = k.to_string();
        outln!(
            "{k}-staleness       {:.4} measured, {:.4} closed form{}",
            r.k_staleness[&key],
            r.k_staleness_closed_form[&key],
            if p.propagate { " (of the model without propagation)" } else { "" }
        );
    }
    let t = |x: Option<f64>| x.map_or("not within 500 ms".to_string(), |v| format!("{v} ms"));
    outln!(
        "t-visibility      p50 {}, p99 {}, p99.9 {}",
        t(r.t_visibility_ms.p50),
        t(r.t_visibility_ms.p99),
        t(r.t_visibility_ms.p999)
    );
    0
}
