//! What `splitbrain run` and the view count in a Multi-Paxos run: client
//! writes acknowledged and how long each took, reads answered, commands
//! turned away, ballots started and leaders elected, and the longest
//! stretch with no write acknowledged (what a leader change costs the
//! clients).

use super::{ByCommand, Cmd, MultiPaxos, Note, Value};
use crate::contract::{Counts, Observer};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use crate::stats::Summary;
use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct MultiPaxosObserver {
    /// When each client command reached a node that took it.
    called: ByCommand<Time>,
    /// Each acknowledged write: (when, how long it took).
    writes: Vec<(Time, Time)>,
    reads: u64,
    refused: u64,
    ballots: u64,
    elected: u64,
    /// The first command's call, and the longest stretch between it or
    /// one write's acknowledgement and the next.
    first_call: Option<Time>,
    longest_gap: Time,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MultiPaxosCounts {
    pub writes: u64,
    pub reads: u64,
    pub refused: u64,
    pub ballots: u64,
    pub elected: u64,
}

impl Counts for MultiPaxosCounts {
    fn merge(&mut self, o: &Self) {
        self.writes += o.writes;
        self.reads += o.reads;
        self.refused += o.refused;
        self.ballots += o.ballots;
        self.elected += o.elected;
    }
}

/// One run's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MultiPaxosFigures {
    pub writes: u64,
    pub reads: u64,
    pub refused: u64,
    pub ballots: u64,
    pub elected: u64,
    /// Write latency (ms), from the leader taking it to its answer.
    pub commit_ms: Summary,
    /// The longest stretch with no write acknowledged (ms).
    pub longest_gap_ms: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Samples {
    commit: Vec<f64>,
    gaps: Vec<f64>,
    runs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub runs: u64,
    pub commit_ms: Summary,
    pub longest_gap_ms: Summary,
}

fn ms(t: Time) -> f64 {
    t as f64 / 1000.0
}

impl Observer<MultiPaxos> for MultiPaxosObserver {
    type Counts = MultiPaxosCounts;
    type Figures = MultiPaxosFigures;
    type Samples = Samples;
    type Pooled = Pooled;
    const LATENCY: bool = true;

    fn observe(&mut self, sim: &Sim<MultiPaxos>) {
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Command { cmd, accepted: true, .. } => {
                    let v = match cmd {
                        Cmd::Request(id) => Value::Write(id),
                        Cmd::Read(id) => Value::Read(id),
                    };
                    self.called.set(v, Some(e.time));
                    self.first_call.get_or_insert(e.time);
                }
                EventKind::Note { note: Note::Ballot { .. }, .. } => self.ballots += 1,
                EventKind::Note { note: Note::Elected { .. }, .. } => self.elected += 1,
                EventKind::Note { note: Note::Refused { value }, .. } => {
                    self.refused += 1;
                    self.called.set(value, None);
                }
                EventKind::Note { note: Note::Replied { value, .. }, .. } => {
                    let Some(call) = self.called.get(value) else { continue };
                    self.called.set(value, None);
                    if let Value::Write(_) = value {
                        let since = self.writes.last().map_or(self.first_call.unwrap_or(call), |w| w.0);
                        self.longest_gap = self.longest_gap.max(e.time - since);
                        self.writes.push((e.time, e.time - call));
                    } else {
                        self.reads += 1;
                    }
                }
                _ => {}
            }
        }
    }

    fn latency(&self, i: usize) -> Option<(Time, Time)> {
        self.writes.get(i).copied()
    }

    fn counts(&self, _: &Sim<MultiPaxos>) -> MultiPaxosCounts {
        MultiPaxosCounts {
            writes: self.writes.len() as u64,
            reads: self.reads,
            refused: self.refused,
            ballots: self.ballots,
            elected: self.elected,
        }
    }

    fn figures(&self, sim: &Sim<MultiPaxos>) -> MultiPaxosFigures {
        let c = self.counts(sim);
        // A run that stops acknowledging counts its last stretch too.
        let tail = self.writes.last().map(|w| w.0).or(self.first_call).map_or(0, |t| sim.now().saturating_sub(t));
        MultiPaxosFigures {
            writes: c.writes,
            reads: c.reads,
            refused: c.refused,
            ballots: c.ballots,
            elected: c.elected,
            commit_ms: Summary::of(&self.writes.iter().map(|w| ms(w.1)).collect::<Vec<_>>()),
            longest_gap_ms: ms(self.longest_gap.max(tail)),
        }
    }

    fn sample(&self, sim: &Sim<MultiPaxos>, into: &mut Samples) {
        into.runs += 1;
        into.commit.extend(self.writes.iter().map(|w| ms(w.1)));
        into.gaps.push(self.figures(sim).longest_gap_ms);
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled { runs: s.runs, commit_ms: Summary::of(&s.commit), longest_gap_ms: Summary::of(&s.gaps) }
    }

    fn describe(c: &MultiPaxosCounts, p: &Pooled, one: Option<&MultiPaxosFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "writes".to_string(),
                format!(
                    "{} acknowledged in {} runs; commit latency p50 {} ms, p99 {} ms",
                    c.writes, p.runs, p.commit_ms.p50, p.commit_ms.p99
                ),
            ),
            ("reads".into(), format!("{} answered; {} commands turned away by a node not leading", c.reads, c.refused)),
            ("leaders".into(), format!("{} elected after {} ballots", c.elected, c.ballots)),
            (
                "longest gap".into(),
                format!(
                    "with no write acknowledged: p50 {} ms, max {} ms a run",
                    p.longest_gap_ms.p50, p.longest_gap_ms.max
                ),
            ),
        ];
        if let Some(f) = one {
            out.push((
                "this run".into(),
                format!(
                    "{} writes, commit p50 {} ms; longest gap {} ms; {} leaders",
                    f.writes, f.commit_ms.p50, f.longest_gap_ms, f.elected
                ),
            ));
        }
        out
    }
}
