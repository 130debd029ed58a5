//! `splitbrain explore`: every interleaving of a small cluster's
//! deliveries, crashes, restarts, timers and requests, breadth first, then
//! Go-Explore walks past what that can hold; a violation's path is written
//! as a scripted scenario and printed as a link.

use crate::output::emit;
use clap::Args;
use splitbrain::search::explore::{explore, Bounds, By};
use std::path::PathBuf;
use std::time::{Duration, Instant};

macro_rules! outln {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

#[derive(Args)]
pub struct ExploreArgs {
    /// Scenario file or playground link: its protocol options and cluster
    /// (3 servers, say). Its timeline, client load and network are left
    /// out: the explorer takes every step itself.
    scenario: PathBuf,
    /// Steps on a path, at most.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=1000))]
    depth: u32,
    /// Stop after this many seconds of wall time.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    budget: f64,
    /// Breadth-first search stops at this many states; Go-Explore walks go
    /// on from there for the rest of the budget.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    states: u64,
    /// Walks at most (default: as many as the budget allows).
    #[arg(long)]
    walks: Option<u64>,
    /// Crashes on a path, at most.
    #[arg(long, default_value_t = 1)]
    crashes: u32,
    /// Client requests on a path, at most.
    #[arg(long, default_value_t = 2)]
    requests: u32,
    /// Timer firings on a path, at most (Raft: elections and heartbeats).
    #[arg(long, default_value_t = 8)]
    timers: u32,
    /// Explore losing messages too (it adds no state of the nodes that
    /// leaving them on the wire does not reach).
    #[arg(long)]
    drops: bool,
    /// Explore states that differ only by which server is which apart.
    #[arg(long)]
    no_symmetry: bool,
    /// Seeds the walks.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the path's scenario [default: FILE's name with .path.json].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    output: crate::search::Output,
}

pub fn explore_cmd(a: ExploreArgs) -> i32 {
    if !(a.budget.is_finite() && a.budget > 0.0) {
        return crate::output::fail(format!("--budget must be a positive number of seconds, not {}", a.budget));
    }
    let base = match crate::cli::load(&a.scenario) {
        Ok(s) => s,
        Err(e) => return crate::output::fail(e),
    };
    let bounds = Bounds {
        depth: a.depth,
        crashes: a.crashes,
        requests: a.requests,
        timers: a.timers,
        drops: a.drops,
        max_states: a.states,
        walks: a.walks.unwrap_or(u64::MAX),
        symmetry: !a.no_symmetry,
    };
    let start = Instant::now();
    let budget = Duration::from_secs_f64(a.budget);
    let terminal = !a.output.json && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut shown = 0.0;
    let out = explore(&base, bounds, a.seed, &mut |p| {
        let t = start.elapsed().as_secs_f64();
        if terminal && t - shown > 0.25 {
            shown = t;
            let at = if p.depth > 0 { format!("depth {}", p.depth) } else { format!("{} walks", p.walks) };
            eprint!("\r\x1b[K{} states, {at}, {t:.0} s of {}", p.states, a.budget);
        }
        start.elapsed() < budget
    });
    if terminal {
        eprint!("\r\x1b[K");
    }
    let out = match out {
        Ok(o) => o,
        Err(e) => return crate::output::fail(e),
    };
    let seconds = start.elapsed().as_secs_f64();
    let per_s = out.states as f64 / seconds.max(1e-9);
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let mut json = serde_json::json!({
        "found": out.found.is_some(), "states": out.states, "states_per_s": round(per_s),
        "transitions": out.transitions, "depth": out.depth, "exhausted": out.exhausted, "walks": out.walks,
        "seconds": round(seconds), "seed": a.seed,
    });
    let Some(f) = out.found else {
        if a.output.json {
            outln!("{json}");
        } else {
            let walks = if out.walks > 0 { format!(", then {} Go-Explore walks", out.walks) } else { String::new() };
            let depth = if out.exhausted {
                format!("every state within the bounds ({} levels)", out.depth)
            } else {
                format!("every path of {} steps{walks}", out.depth)
            };
            outln!(
                "no property broke: {} states, {depth}; {seconds:.1} s, {:.0} states a second ({:.1} M a minute)",
                out.states,
                per_s,
                per_s * 60.0 / 1e6
            );
        }
        return 0;
    };
    let file = a.out.unwrap_or_else(|| a.scenario.with_extension("path.json"));
    let mut scenario = f.scenario.clone();
    scenario.name = format!("{}: found by explore ({} steps)", f.property, f.shrunk_steps);
    if let Err(e) = std::fs::write(&file, scenario.to_json() + "\n") {
        return crate::output::fail(format!("cannot write {}: {e}", file.display()));
    }
    // The scrubber opens at the last step, where the property broke.
    let at = f.at_us();
    let link = format!("{}#{}", a.output.base, splitbrain::scenario::codec::fragment(&scenario, at));
    if a.output.json {
        let extra = serde_json::json!({
            "property": f.property, "detail": f.detail, "by": f.by, "steps": f.steps,
            "shrunk_steps": f.shrunk_steps, "file": file.display().to_string(), "link": link,
        });
        if let (Some(o), serde_json::Value::Object(e)) = (json.as_object_mut(), extra) {
            o.extend(e);
        }
        outln!("{json}");
    } else {
        let how = match f.by {
            By::BreadthFirst => format!("breadth first at depth {} (a shortest path)", f.steps),
            By::GoExplore => {
                format!("by Go-Explore after {} walks, its {} steps shrunk to {}", out.walks, f.steps, f.shrunk_steps)
            }
        };
        outln!("{} broke, found {how}; {} states, {seconds:.1} s", f.property, out.states);
        outln!("  {}", f.detail);
        outln!("written to {}", file.display());
        outln!("{link}");
    }
    1
}
