//! `splitbrain cap`: one partition script against Raft and the store.

use crate::cli::parse_range;
use crate::output::emit;
use clap::Args;
use splitbrain::experiments::cap::CapParams;

macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

#[derive(Args)]
pub struct CapArgs {
    #[arg(long, default_value_t = 5)]
    nodes: u32,
    /// Nodes cut off from the rest (a minority), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "0,1")]
    minority: Vec<u32>,
    /// When the partition starts and heals, in ms.
    #[arg(long, value_name = "FROM-TO", default_value = "2000-7000", value_parser = parse_range)]
    split_ms: (f64, f64),
    #[arg(long, default_value_t = 10_000)]
    duration_ms: u64,
    #[arg(long, default_value_t = 10)]
    clients: u32,
    /// A client's mean think time between operations, in ms.
    #[arg(long, default_value_t = 100)]
    think_ms: u64,
    #[arg(long, default_value_t = 0.5)]
    read_fraction: f64,
    /// Keys the store's clients use.
    #[arg(long, default_value_t = 8)]
    keys: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    json: bool,
}

pub fn cap_cmd(a: CapArgs) -> i32 {
    let p = CapParams {
        nodes: a.nodes,
        clients: a.clients,
        think_ms: a.think_ms,
        read_fraction: a.read_fraction,
        keys: a.keys,
        minority: a.minority,
        split_ms: (a.split_ms.0.round() as u64, a.split_ms.1.round() as u64),
        duration_ms: a.duration_ms,
        seed: a.seed,
    };
    let rows = match p.compare() {
        Ok(rows) => rows,
        Err(e) => return crate::output::fail(e),
    };
    if a.json {
        emit(format_args!("{}", serde_json::to_string(&rows).expect("rows serialise")));
        return 0;
    }
    let minority: Vec<String> = p.minority.iter().map(|n| format!("n{n}")).collect();
    outln!(
        "cap: {} nodes, {} cut off from {} ms to {} ms; {} clients (think {} ms, {:.0}% reads); seed {}",
        p.nodes,
        minority.join(" "),
        p.split_ms.0,
        p.split_ms.1,
        p.clients,
        p.think_ms,
        p.read_fraction * 100.0,
        p.seed
    );
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    outln!(
        "{:<42} {:>9} {:>9} {:>9} {:>12} {:>10}",
        "system",
        "connected",
        "majority",
        "minority",
        "stale reads",
        "lost"
    );
    for r in &rows {
        outln!(
            "{:<42} {:>9} {:>9} {:>9} {:>12} {:>10}",
            r.system,
            pct(r.connected),
            pct(r.majority_side),
            pct(r.minority_side),
            format!("{}/{}", r.stale_reads, r.reads),
            format!("{}/{}", r.lost_writes, r.writes_acked)
        );
    }
    for r in &rows {
        outln!("{}: {} violation(s); {}", r.system, r.violations, r.linearizable);
    }
    0
}
