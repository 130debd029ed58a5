//! `splitbrain search`: fault schedules around a scenario until a property
//! breaks; the violation shrunk to a small scenario, written as a file and
//! printed as a link.

use crate::output::emit;
use clap::Args;
use splitbrain::search::merge::shard_part;
use splitbrain::search::{merge, search, Report, Shard};
use splitbrain::sim::trace::StableHasher;
use std::hash::{Hash, Hasher};
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
    /// Run only shard i of n (from 0; n at most 64): the schedules whose
    /// lane (index mod 64) is i mod n. `splitbrain merge` puts the
    /// shards' --json reports together into the single run's.
    #[arg(long, value_name = "i/n")]
    shard: Option<String>,
    /// Where to write the shrunk scenario [default: FILE's name with .min.json].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
}

/// How a found bug is shown: its link's address, and JSON or text.
#[derive(Args)]
pub struct Output {
    /// The playground's address, for the link.
    #[arg(long, default_value = "http://127.0.0.1:8080/")]
    pub base: String,
    #[arg(long)]
    pub json: bool,
}

pub fn search_cmd(a: SearchArgs) -> i32 {
    if let Some(b) = a.budget.filter(|b| !(b.is_finite() && *b > 0.0)) {
        return crate::output::fail(format!("--budget must be a positive number of seconds, not {b}"));
    }
    let shard = match a.shard.as_deref().map(Shard::parse).transpose() {
        Ok(s) => s,
        Err(e) => return crate::output::fail(e),
    };
    let base = match crate::cli::load(&a.scenario) {
        Ok(s) => s,
        Err(e) => return crate::output::fail(e),
    };
    if let Err(e) = splitbrain::search::searchable(&base) {
        return crate::output::fail(e);
    }
    let start = Instant::now();
    let budget = a.budget.map(Duration::from_secs_f64);
    let progress = crate::output::Progress::new("schedules", a.schedules);
    let out = search(&base, a.seed, a.schedules, shard.unwrap_or(Shard::ALL), &mut |i| {
        progress.tick(i);
        budget.is_none_or(|b| start.elapsed() < b)
    });
    progress.clear();
    let mut report = Report::of(&out, a.seed, start.elapsed().as_secs_f64());
    if let Some(sh) = shard {
        let mut h = StableHasher::default();
        base.to_json().hash(&mut h);
        report.shard = Some(shard_part(&out, sh, a.schedules, h.finish()));
    }
    let Some(f) = &out.found else {
        print(&report, a.output.json);
        return 0;
    };
    let file = a.out.clone().unwrap_or_else(|| match shard {
        Some(s) => a.scenario.with_extension(format!("shard{}of{}.min.json", s.index, s.count)),
        None => a.scenario.with_extension("min.json"),
    });
    let mut scenario = f.scenario.clone();
    scenario.name = format!("{}: found by search (seed {}, schedule {})", f.property, a.seed, f.schedule);
    if let Err(e) = std::fs::write(&file, scenario.to_json() + "\n") {
        return crate::output::fail(format!("cannot write {}: {e}", file.display()));
    }
    report.file = Some(file.display().to_string());
    report.link = Some(format!("{}#{}", a.output.base, splitbrain::scenario::codec::fragment(&scenario, f.at_us)));
    print(&report, a.output.json);
    1
}

/// Prints a report, as JSON or as text.
fn print(r: &Report, json: bool) {
    if json {
        outln!("{}", serde_json::to_string(r).expect("serializes"));
        return;
    }
    let (Some(property), Some(schedule)) = (&r.property, r.schedule) else {
        outln!(
            "no property broke in {} schedules (seed {}{}, {} abstract states, {:.1} s, {:.0} a second)",
            r.schedules,
            r.seed,
            r.shard.as_ref().map(|s| format!(", shard {}/{}", s.index, s.count)).unwrap_or_default(),
            r.states,
            r.seconds,
            r.schedules_per_s
        );
        return;
    };
    outln!(
        "{property} broke in schedule {schedule} of seed {} ({} schedules, {} abstract states, {:.1} s)",
        r.seed,
        r.schedules,
        r.states,
        r.seconds
    );
    outln!("  {}", r.detail.as_deref().unwrap_or(""));
    outln!(
        "shrunk from {} to {} actions ({} runs); it breaks at {:.3} ms",
        r.actions.unwrap_or(0),
        r.shrunk_actions.unwrap_or(0),
        r.shrink_runs.unwrap_or(0),
        r.at_us.unwrap_or(0) as f64 / 1000.0
    );
    outln!("written to {}", r.file.as_deref().unwrap_or(""));
    outln!("{}", r.link.as_deref().unwrap_or(""));
}

#[derive(Args)]
pub struct MergeArgs {
    /// The shards' reports (`splitbrain search --shard i/n --json`), one
    /// file each.
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// `splitbrain merge`: the shards' reports put together into the report
/// a single run would have printed; exit 1 when a property broke, 0 when
/// none did, 2 when the reports are not one search's shards.
pub fn merge_cmd(a: MergeArgs) -> i32 {
    let mut parts = Vec::new();
    for path in &a.reports {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return crate::output::fail(format!("cannot read report '{}': {e}", path.display())),
        };
        match serde_json::from_str::<Report>(&text) {
            Ok(r) => parts.push(r),
            Err(e) => {
                return crate::output::fail(format!(
                    "'{}' is not a report of splitbrain search --json: {e}",
                    path.display()
                ))
            }
        }
    }
    let (report, complete) = match merge(&parts) {
        Ok(m) => m,
        Err(e) => return crate::output::fail(e),
    };
    if !complete {
        eprintln!("warning: a shard stopped at its --budget, so this is what the shards ran, not what one run of every schedule would find");
    }
    print(&report, a.json);
    i32::from(report.found)
}
