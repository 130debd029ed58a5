//! A search's report, as `splitbrain search --json` prints it, and the
//! merging of shards' reports into the single run's.
//!
//! A shard runs exactly the schedules of its lanes that a single run would
//! (see [`super`]), so the single run's result follows from the shards':
//! its violation is the one in the lowest schedule, it ran every schedule
//! up to that one, and it reached the abstract states that some shard
//! first reached at or before that schedule. A shard's report carries what
//! this takes: each state with the schedule that first reached it.

use super::{Outcome, Shard, LANES};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What `splitbrain search --json` prints: a search's result, and with
/// `--shard`, what merging it needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub found: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Schedules run.
    pub schedules: u64,
    /// Distinct abstract states reached.
    pub states: u64,
    /// The schedule that broke the property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<u64>,
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrunk_actions: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrink_runs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_us: Option<u64>,
    /// Wall time, and schedules a second.
    pub seconds: f64,
    pub schedules_per_s: f64,
    /// The shrunk scenario's file, and its link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardPart>,
}

/// What a shard's report adds for merging.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardPart {
    pub index: u64,
    pub count: u64,
    /// The schedules asked of the whole search.
    pub asked: u64,
    /// The searched scenario's hash: shards of different searches are
    /// not merged.
    pub scenario: String,
    /// Whether it ran all its schedules (up to its violation, if any):
    /// false when the budget ran out first.
    pub complete: bool,
    /// Each abstract state it reached, with the first schedule to.
    pub seen: Vec<(u64, u64)>,
}

impl Report {
    /// The report of `out`, a search of `shard` among `asked` schedules;
    /// the shrunk file and link are filled in by the caller.
    pub fn of(out: &Outcome, seed: u64, seconds: f64) -> Report {
        let f = out.found.as_ref();
        Report {
            found: f.is_some(),
            property: f.map(|f| f.property.clone()),
            detail: f.map(|f| f.detail.clone()),
            schedules: out.schedules,
            states: out.states,
            schedule: f.map(|f| f.schedule),
            seed,
            actions: f.map(|f| f.actions),
            shrunk_actions: f.map(|f| f.shrunk_actions),
            shrink_runs: f.map(|f| f.shrink_runs),
            at_us: f.map(|f| f.at_us),
            seconds: round3(seconds),
            schedules_per_s: round3(out.schedules as f64 / seconds.max(1e-9)),
            file: None,
            link: None,
            shard: None,
        }
    }
}

/// The single run's report from its shards' reports, or why they do not
/// make one search. With a shard cut short by its budget, the result is
/// what the shards did, not what a single run would have; `complete` in
/// the returned flag says which.
pub fn merge(parts: &[Report]) -> Result<(Report, bool), String> {
    let first = parts.first().ok_or("merge needs the reports of a search's shards")?;
    let head =
        first.shard.as_ref().ok_or("a report without \"shard\" is not a shard's: run search with --shard i/n")?;
    let count = head.count;
    if count == 0 || count > LANES {
        return Err(format!("a search has 1 to {LANES} shards, not {count}"));
    }
    let mut have = vec![false; count as usize];
    for r in parts {
        let s = r.shard.as_ref().ok_or("a report without \"shard\" is not a shard's: run search with --shard i/n")?;
        if (s.count, s.asked, &s.scenario, r.seed) != (count, head.asked, &head.scenario, first.seed) {
            return Err(format!(
                "shard {}/{} is of another search (its scenario, seed, --schedules or shard count differ)",
                s.index, s.count
            ));
        }
        if s.index >= count || std::mem::replace(&mut have[s.index as usize], true) {
            return Err(format!("shard {}/{} is given twice", s.index, s.count));
        }
    }
    if let Some(i) = have.iter().position(|h| !h) {
        return Err(format!("shard {i}/{count} is missing"));
    }
    let complete = parts.iter().all(|r| r.shard.as_ref().is_some_and(|s| s.complete));
    let winner = parts.iter().filter(|r| r.found).min_by_key(|r| r.schedule);
    let last = winner.and_then(|w| w.schedule);
    let mut seen: HashMap<u64, u64> = HashMap::new();
    for r in parts {
        for &(state, at) in &r.shard.as_ref().expect("checked").seen {
            let e = seen.entry(state).or_insert(at);
            *e = (*e).min(at);
        }
    }
    let states = seen.values().filter(|&&at| last.is_none_or(|l| at <= l)).count() as u64;
    let ran: u64 = parts.iter().map(|r| r.schedules).sum();
    let schedules = match last {
        Some(l) if complete => l + 1,
        None if complete => head.asked,
        _ => ran,
    };
    let seconds = parts.iter().map(|r| r.seconds).fold(0.0, f64::max);
    let mut out = match winner {
        Some(w) => Report { shard: None, ..w.clone() },
        None => Report { shard: None, ..first.clone() },
    };
    out.schedules = schedules;
    out.states = states;
    out.seconds = seconds;
    out.schedules_per_s = round3(ran as f64 / seconds.max(1e-9));
    Ok((out, complete))
}

/// The shard's part of a report.
pub fn shard_part(out: &Outcome, shard: Shard, asked: u64, scenario: u64) -> ShardPart {
    ShardPart {
        index: shard.index,
        count: shard.count,
        asked,
        scenario: format!("{scenario:016x}"),
        complete: out.complete,
        seen: out.seen.clone(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
