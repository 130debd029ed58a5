//! What `splitbrain run` and the view count in a Paxos run: ballots
//! started, refusals, when each node learned the value, and messages.

use super::{Msg, Note, Paxos};
use crate::contract::{Counts, Observer};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct PaxosObserver {
    ballots: u64,
    nacks: u64,
    /// When the first node learned the value, and how many have.
    first_learned: Option<Time>,
    learned: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PaxosCounts {
    pub ballots: u64,
    pub nacks: u64,
    /// Learners that learned the value.
    pub learners: u64,
}

impl Counts for PaxosCounts {
    fn merge(&mut self, o: &Self) {
        self.ballots += o.ballots;
        self.nacks += o.nacks;
        self.learners += o.learners;
    }
}

/// One run's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PaxosFigures {
    pub ballots: u64,
    pub nacks: u64,
    pub learners: u64,
    /// When the value was first learned (ms), if it was.
    pub decided_ms: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct Samples {
    decided: Vec<f64>,
    ballots: Vec<f64>,
    runs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub runs: u64,
    /// Runs in which a value was learned.
    pub decided: u64,
    pub decided_ms: crate::stats::Summary,
    pub ballots: crate::stats::Summary,
}

impl Observer<Paxos> for PaxosObserver {
    type Counts = PaxosCounts;
    type Figures = PaxosFigures;
    type Samples = Samples;
    type Pooled = Pooled;

    fn observe(&mut self, sim: &Sim<Paxos>) {
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Note { note: Note::Ballot { .. }, .. } => self.ballots += 1,
                EventKind::Note { note: Note::Learned { .. }, .. } => {
                    self.learned += 1;
                    self.first_learned.get_or_insert(e.time);
                }
                EventKind::Deliver { msg: Msg::Nack { .. }, .. } => self.nacks += 1,
                _ => {}
            }
        }
    }

    fn counts(&self, _: &Sim<Paxos>) -> PaxosCounts {
        PaxosCounts { ballots: self.ballots, nacks: self.nacks, learners: self.learned }
    }

    fn figures(&self, _: &Sim<Paxos>) -> PaxosFigures {
        PaxosFigures {
            ballots: self.ballots,
            nacks: self.nacks,
            learners: self.learned,
            decided_ms: self.first_learned.map(|t| t as f64 / 1000.0),
        }
    }

    fn sample(&self, _: &Sim<Paxos>, into: &mut Samples) {
        into.runs += 1;
        into.ballots.push(self.ballots as f64);
        if let Some(t) = self.first_learned {
            into.decided.push(t as f64 / 1000.0);
        }
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled {
            runs: s.runs,
            decided: s.decided.len() as u64,
            decided_ms: crate::stats::Summary::of(&s.decided),
            ballots: crate::stats::Summary::of(&s.ballots),
        }
    }

    fn describe(c: &PaxosCounts, p: &Pooled, one: Option<&PaxosFigures>) -> Vec<(String, String)> {
        let mut out = vec![(
            "decided".to_string(),
            format!(
                "{} of {} runs; first learned p50 {} ms, p99 {} ms",
                p.decided, p.runs, p.decided_ms.p50, p.decided_ms.p99
            ),
        )];
        out.push(("ballots".into(), format!("p50 {}, max {} a run", p.ballots.p50, p.ballots.max)));
        if let Some(f) = one {
            out.push((
                "this run".into(),
                match f.decided_ms {
                    Some(ms) => format!("learned at {ms} ms by {} nodes after {} ballots", f.learners, f.ballots),
                    None => format!("nothing learned after {} ballots ({} refusals)", f.ballots, f.nacks),
                },
            ));
        }
        out.push(("refusals".into(), format!("{} Nacks delivered in all", c.nacks)));
        out
    }
}
