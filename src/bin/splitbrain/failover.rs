//! `splitbrain failover` and `splitbrain figure16`: the Raft paper's §9.3.

use crate::cli::{experiment, fail, parse_ms, parse_range, us, write_raw, Progress};
use crate::output::emit;
use clap::Args;
use splitbrain::experiments::failover::{self, FailoverParams};
use splitbrain::experiments::figure16;

macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[derive(Args)]
pub struct FailoverArgs {
    /// Cluster size (3 to 15).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(3..=15))]
    nodes: u32,
    /// Election timeout range in ms, inclusive (a fixed value is A-A).
    #[arg(long, value_name = "A-B", default_value = "150-300", value_parser = parse_range)]
    timeout_ms: (f64, f64),
    /// One-way network latency range in ms, inclusive.
    #[arg(long, value_name = "L1-L2", default_value = "7-8", value_parser = parse_range)]
    latency_ms: (f64, f64),
    /// Heartbeat interval in ms [default: half the minimum election timeout].
    #[arg(long, value_name = "H", value_parser = parse_ms)]
    heartbeat_ms: Option<f64>,
    /// Stable storage's write latency range in ms, drawn per write: a
    /// server persists its term, vote and log entries before it replies.
    #[arg(long, value_name = "A-B", default_value = "0-0", value_parser = parse_range)]
    fsync_ms: (f64, f64),
    /// Number of failovers to measure.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    trials: u32,
    /// Seed of the whole experiment; each trial derives its own.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Campaign with PreVote (dissertation §9.6).
    #[arg(long)]
    prevote: bool,
    /// Leaders step down without a majority (dissertation §6.2).
    #[arg(long)]
    check_quorum: bool,
    /// Give servers logs of different lengths, so only some can win.
    #[arg(long)]
    unequal_logs: bool,
    /// Run on a whole testbed: `raft-paper` is the Raft paper's §9.3 as
    /// modelled here (2.5-3.5 ms wire, 0.5-1 ms storage writes, unequal logs
    /// and a synchronized heartbeat before the crash); --timeout-ms still
    /// chooses the timeouts.
    #[arg(long, value_enum, conflicts_with_all = ["latency_ms", "fsync_ms", "unequal_logs"])]
    testbed: Option<Testbed>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Testbed {
    RaftPaper,
}

pub fn failover_cmd(a: FailoverArgs) -> i32 {
    let mut p = FailoverParams {
        nodes: a.nodes,
        timeout_us: (us(a.timeout_ms.0), us(a.timeout_ms.1)),
        latency_us: (us(a.latency_ms.0), us(a.latency_ms.1)),
        heartbeat_us: a.heartbeat_ms.map(us),
        trials: a.trials,
        seed: a.seed,
        prevote: a.prevote,
        check_quorum: a.check_quorum,
        unequal_logs: a.unequal_logs,
        fsync_us: (us(a.fsync_ms.0), us(a.fsync_ms.1)),
    };
    if a.testbed.is_some() {
        p = p.on_raft_paper();
    }
    let report = match experiment(p.validate(), p.trials, a.json, |tick| failover::run(&p, tick)) {
        Ok(Some(r)) => r,
        Ok(None) => return 0,
        Err(code) => return code,
    };
    let cfg = p.raft_config();
    outln!(
        "leader failover: {} servers, election timeout {}-{} ms, heartbeat {} ms, latency {}-{} ms, storage writes {}-{} ms{}{}{}",
        p.nodes,
        a.timeout_ms.0,
        a.timeout_ms.1,
        cfg.heartbeat_us as f64 / 1000.0,
        ms(p.latency_us.0),
        ms(p.latency_us.1),
        ms(p.fsync_us.0),
        ms(p.fsync_us.1),
        if p.prevote { ", prevote" } else { "" },
        if p.check_quorum { ", check-quorum" } else { "" },
        if p.unequal_logs { ", unequal logs" } else { "" },
    );
    outln!("trials            {} (seed {})", report.trials, p.seed);
    let f = &report.failover_ms;
    outln!(
        "failover ms       mean {:.1}  p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
        f.mean,
        f.p50,
        f.p90,
        f.p99,
        f.max
    );
    outln!("terms/failover    {:.3}", report.terms_per_failover);
    outln!("split-vote rate   {:.3}", report.split_vote_rate);
    if report.capped > 0 {
        outln!(
            "note              {} trials elected no leader within {} s of simulated time; they count as {} s",
            report.capped,
            failover::TRIAL_CAP / 1_000_000,
            failover::TRIAL_CAP / 1_000_000
        );
    }
    0
}

#[derive(Args)]
pub struct Figure16Args {
    /// Trials per line (the paper's: 1,000, and 100 for 150-150 ms, which
    /// always gets a tenth).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    trials: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the CDF plot (both of the figure's graphs) to this SVG file.
    #[arg(long, value_name = "FILE")]
    svg: Option<std::path::PathBuf>,
    /// Print JSON (each line's report) instead of the Markdown table.
    #[arg(long)]
    json: bool,
}

pub fn figure16_cmd(a: Figure16Args) -> i32 {
    let base = FailoverParams { trials: a.trials, seed: a.seed, ..failover::RAFT_PAPER };
    for l in &figure16::LINES {
        if let Err(e) = l.params(&base).validate() {
            return fail(e);
        }
    }
    // A path that cannot be written is refused before the run, not after.
    let file = match a.svg.as_ref().map(std::fs::File::create).transpose() {
        Ok(f) => f,
        Err(e) => {
            return fail(format!(
                "cannot write {}: {e}",
                a.svg.as_ref().map_or(String::new(), |p| p.display().to_string())
            ))
        }
    };
    let progress = Progress::new("trials", u64::from(figure16::total_trials(&base)));
    let rows = figure16::run(&base, |done| progress.tick(u64::from(done)));
    if let (Some(path), Some(mut file)) = (&a.svg, file) {
        let caption = format!(
            "Figure 16 on splitbrain's raft-paper testbed ({}-{} ms wire, {}-{} ms writes, seed {})",
            ms(base.latency_us.0),
            ms(base.latency_us.1),
            ms(base.fsync_us.0),
            ms(base.fsync_us.1),
            base.seed
        );
        if let Err(e) = std::io::Write::write_all(&mut file, figure16::svg(&rows, &caption).as_bytes()) {
            fail(format!("cannot write {}: {e}", path.display()));
            return 1;
        }
    }
    if a.json {
        emit(format_args!("{}", serde_json::to_string(&rows).expect("rows serialise")));
        return 0;
    }
    let mut t = String::from("| timeouts | trials | median | mean | p99 | worst | terms/failover | the paper (§9.3 text) |\n|---|---|---|---|---|---|---|---|\n");
    for (r, l) in rows.iter().zip(&figure16::LINES) {
        let f = &r.report.failover_ms;
        let capped = if r.report.capped > 0 { format!(" ({} capped)", r.report.capped) } else { String::new() };
        t.push_str(&format!(
            "| {}-{} ms | {}{} | {} | {} | {} | {} | {:.2} | {} |\n",
            r.timeout_ms.0,
            r.timeout_ms.1,
            r.report.trials,
            capped,
            human(f.p50),
            human(f.mean),
            human(f.p99),
            human(f.max),
            r.report.terms_per_failover,
            l.paper.unwrap_or("—"),
        ));
    }
    write_raw(&t);
    0
}

/// `287 ms`, `1,234 ms`, `12.3 s`.
fn human(ms: f64) -> String {
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        let r = ms.round() as u64;
        format!("{},{:03} ms", r / 1000, r % 1000)
    } else {
        format!("{ms:.0} ms")
    }
}
