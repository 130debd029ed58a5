//! `splitbrain search`: fault schedules around a scenario until a property
//! breaks; the violation shrunk to a small scenario, written as a file and
//! printed as a link.

use crate::output::emit;
use clap::Args;
use splitbrain::search::search;
use std::path::PathBuf;
use std::time::{Duration, Instant};

macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

#[derive(Args)]
pub struct SearchArgs {
    /// Scenario file (see docs/scenario.md) or a playground link: its
    /// protocol, cluster, network and load, and its timeline, which every
    /// schedule adds faults to.
    scenario: PathBuf,
    /// Schedules to try at most.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    schedules: u64,
    /// Stop after this many seconds of wall time, if sooner.
    #[arg(long, value_name = "SECONDS")]
    budget: Option<f64>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the shrunk scenario [default: FILE's name with .min.json].
    #[arg(long)]
    out: Option<PathBuf>,
    /// The playground's address, for the link.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    base: String,
    #[arg(long)]
    json: bool,
}

pub fn search_cmd(a: SearchArgs) -> i32 {
    if let Some(b) = a.budget.filter(|b| !(b.is_finite() && *b > 0.0)) {
        return crate::output::fail(format!("--budget must be a positive number of seconds, not {b}"));
    }
    let base = match crate::cli::load(&a.scenario) {
        Ok(s) => s,
        Err(e) => return crate::output::fail(e),
    };
    let start = Instant::now();
    let budget = a.budget.map(Duration::from_secs_f64);
    let out = search(&base, a.seed, a.schedules, &mut |_| budget.is_none_or(|b| start.elapsed() < b));
    let seconds = start.elapsed().as_secs_f64();
    let per_s = out.schedules as f64 / seconds.max(1e-9);
    let Some(f) = out.found else {
        if a.json {
            outln!(
                "{}",
                serde_json::json!({"found": false, "schedules": out.schedules, "seed": a.seed, "seconds": round3(seconds), "schedules_per_s": round3(per_s)})
            );
        } else {
            outln!(
                "no property broke in {} schedules (seed {}, {seconds:.1} s, {per_s:.0} a second)",
                out.schedules,
                a.seed
            );
        }
        return 0;
    };
    let file = a.out.unwrap_or_else(|| a.scenario.with_extension("min.json"));
    let mut scenario = f.scenario.clone();
    scenario.name = format!("{}: found by search (seed {}, schedule {})", f.property, a.seed, f.schedule);
    if let Err(e) = std::fs::write(&file, scenario.to_json() + "\n") {
        return crate::output::fail(format!("cannot write {}: {e}", file.display()));
    }
    let link = format!("{}#{}", a.base, splitbrain::scenario::codec::fragment(&scenario, f.at_us));
    if a.json {
        outln!(
            "{}",
            serde_json::json!({
                "found": true, "property": f.property, "detail": f.detail, "schedules": out.schedules,
                "schedule": f.schedule, "seed": a.seed, "actions": f.actions, "shrunk_actions": f.shrunk_actions,
                "shrink_runs": f.shrink_runs, "at_us": f.at_us, "seconds": round3(seconds),
                "schedules_per_s": round3(per_s), "file": file.display().to_string(), "link": link,
            })
        );
    } else {
        outln!(
            "{} broke in schedule {} of seed {} ({} schedules, {seconds:.1} s)",
            f.property,
            f.schedule,
            a.seed,
            out.schedules
        );
        outln!("  {}", f.detail);
        outln!(
            "shrunk from {} to {} actions ({} runs); it breaks at {:.3} ms",
            f.actions,
            f.shrunk_actions,
            f.shrink_runs,
            f.at_us as f64 / 1000.0
        );
        outln!("written to {}", file.display());
        outln!("{link}");
    }
    1
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
