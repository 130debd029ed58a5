//! What `splitbrain run` and the view count in a fencing run: leases
//! granted, tasks done (and done again), late writes refused, and when the
//! last task was done.

use super::{Fencing, Note};
use crate::contract::{Counts, Observer};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct FencingObserver {
    counts: FencingCounts,
    /// Tasks done, as a set, and when the set was last completed.
    done: u64,
    all_done: Option<Time>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FencingCounts {
    pub leases: u64,
    /// Writes the resource accepted and did.
    pub writes: u64,
    /// Writes of a task done already, answered without doing it again.
    pub repeats: u64,
    /// Writes refused for an old token.
    pub refused: u64,
    /// Distinct tasks done.
    pub tasks_done: u64,
}

impl Counts for FencingCounts {
    fn merge(&mut self, o: &Self) {
        self.leases += o.leases;
        self.writes += o.writes;
        self.repeats += o.repeats;
        self.refused += o.refused;
        self.tasks_done += o.tasks_done;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FencingFigures {
    pub counts: FencingCounts,
    /// When the last of the tasks was done (ms), if all were.
    pub all_done_ms: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct Samples {
    runs: u64,
    all_done: Vec<f64>,
    refused: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub runs: u64,
    /// Runs that did every task.
    pub finished: u64,
    pub all_done_ms: crate::stats::Summary,
    pub refused: crate::stats::Summary,
}

impl Observer<Fencing> for FencingObserver {
    type Counts = FencingCounts;
    type Figures = FencingFigures;
    type Samples = Samples;
    type Pooled = Pooled;

    fn observe(&mut self, sim: &Sim<Fencing>) {
        let tasks = sim.config().tasks;
        for e in sim.trace().last_step() {
            let EventKind::Note { note, .. } = &e.kind else { continue };
            let c = &mut self.counts;
            match note {
                Note::Granted { .. } => c.leases += 1,
                Note::Wrote { task, .. } => {
                    c.writes += 1;
                    self.done |= 1u64.checked_shl(*task).unwrap_or(0);
                    c.tasks_done = u64::from(self.done.count_ones());
                    if c.tasks_done == u64::from(tasks) {
                        self.all_done.get_or_insert(e.time);
                    }
                }
                Note::AlreadyDone { .. } => c.repeats += 1,
                Note::Refused { .. } => c.refused += 1,
            }
        }
    }

    fn counts(&self, _: &Sim<Fencing>) -> FencingCounts {
        self.counts.clone()
    }

    fn figures(&self, _: &Sim<Fencing>) -> FencingFigures {
        FencingFigures { counts: self.counts.clone(), all_done_ms: self.all_done.map(|t| t as f64 / 1000.0) }
    }

    fn sample(&self, _: &Sim<Fencing>, into: &mut Samples) {
        into.runs += 1;
        into.refused.push(self.counts.refused as f64);
        if let Some(t) = self.all_done {
            into.all_done.push(t as f64 / 1000.0);
        }
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled {
            runs: s.runs,
            finished: s.all_done.len() as u64,
            all_done_ms: crate::stats::Summary::of(&s.all_done),
            refused: crate::stats::Summary::of(&s.refused),
        }
    }

    fn describe(c: &FencingCounts, p: &Pooled, one: Option<&FencingFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "finished".to_string(),
                format!(
                    "{} of {} runs did every task; last task done p50 {} ms, p99 {} ms",
                    p.finished, p.runs, p.all_done_ms.p50, p.all_done_ms.p99
                ),
            ),
            ("leases".into(), format!("{} granted", c.leases)),
            (
                "writes".into(),
                format!(
                    "{} done, {} repeats answered without doing them, {} refused as late",
                    c.writes, c.repeats, c.refused
                ),
            ),
        ];
        if let Some(f) = one {
            out.push((
                "this run".into(),
                match f.all_done_ms {
                    Some(ms) => format!("all {} tasks done by {ms} ms", f.counts.tasks_done),
                    None => format!("{} tasks done", f.counts.tasks_done),
                },
            ));
        }
        out
    }
}
