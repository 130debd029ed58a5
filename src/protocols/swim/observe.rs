//! What SWIM observes over a run (Das et al. 2002, §3 and §5): each
//! crash's first detection and when every member knew, and live members
//! wrongly declared failed, as `splitbrain run` reports them.

use super::{Note, Status, Swim};
use crate::contract::{Counts, Observer};
use crate::sim::trace::{EventKind, Fault};
use crate::sim::{NodeId, NodeStatus, Sim, Time};
use crate::stats::MsSummary;
use serde::Serialize;

/// A crash and how the group learned of it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Detection {
    pub member: NodeId,
    pub crashed_at: Time,
    /// When some member first suspected or declared it failed.
    pub first_detection: Option<Time>,
    /// When every live member had declared it failed.
    pub known_by_all: Option<Time>,
}

/// SWIM's counts over a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SwimCounts {
    pub members: u64,
    pub crashes: u64,
    pub detected: u64,
    pub known_by_all: u64,
    /// Distinct members declared failed by someone while they were not crashed.
    pub false_positives: u64,
}

impl Counts for SwimCounts {
    fn merge(&mut self, o: &Self) {
        self.members += o.members;
        self.crashes += o.crashes;
        self.detected += o.detected;
        self.known_by_all += o.known_by_all;
        self.false_positives += o.false_positives;
    }
}

/// Detections of crashes, and live members wrongly declared failed.
#[derive(Clone, Debug, Default)]
pub struct SwimObserver {
    pub detections: Vec<Detection>,
    wrongly_failed: Vec<bool>,
    pub false_positives: u64,
}

impl Observer<Swim> for SwimObserver {
    type Counts = SwimCounts;
    type Figures = SwimFigures;
    type Samples = SwimSamples;
    type Pooled = SwimPooled;

    fn observe(&mut self, sim: &Sim<Swim>) {
        let mut failed_notes = false;
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Fault(ref f) => {
                    let Fault::Crash(m) = **f else { continue };
                    if self.detections.iter().any(|d| d.member == m && d.known_by_all.is_none()) {
                        continue;
                    }
                    // A member that already suspected it (a false positive
                    // that happened to hit it) detects it at the crash.
                    let others = || (0..sim.len()).filter(|o| *o != m).filter_map(|o| sim.node(o));
                    let suspected = others().any(|o| o.status_of(m) != Status::Alive);
                    self.detections.push(Detection {
                        member: m,
                        crashed_at: e.time,
                        first_detection: suspected.then_some(e.time),
                        known_by_all: None,
                    });
                    failed_notes |= suspected;
                }
                EventKind::Note { node, note: Note::Marked { member, status, .. } }
                    if status != Status::Alive && node != member =>
                {
                    failed_notes |= status == Status::Failed;
                    if sim.status(member) == NodeStatus::Crashed {
                        if let Some(d) = self.detections.iter_mut().rev().find(|d| d.member == member) {
                            d.first_detection.get_or_insert(e.time);
                        }
                    } else if status == Status::Failed {
                        let i = member as usize;
                        if self.wrongly_failed.len() <= i {
                            self.wrongly_failed.resize(i + 1, false);
                        }
                        if !std::mem::replace(&mut self.wrongly_failed[i], true) {
                            self.false_positives += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        if !failed_notes {
            return;
        }
        // Everyone knows once every live member has it failed.
        let now = sim.now();
        for d in self.detections.iter_mut().filter(|d| d.known_by_all.is_none()) {
            if (0..sim.len()).filter_map(|o| sim.node(o)).all(|m| m.status_of(d.member) == Status::Failed) {
                d.known_by_all = Some(now);
            }
        }
    }

    fn counts(&self, sim: &Sim<Swim>) -> SwimCounts {
        SwimCounts {
            members: u64::from(sim.len()),
            crashes: self.detections.len() as u64,
            detected: self.detections.iter().filter(|d| d.first_detection.is_some()).count() as u64,
            known_by_all: self.detections.iter().filter(|d| d.known_by_all.is_some()).count() as u64,
            false_positives: self.false_positives,
        }
    }

    fn figures(&self, _: &Sim<Swim>) -> SwimFigures {
        SwimFigures { detections: self.detections.clone(), false_positives: self.false_positives }
    }

    fn sample(&self, _: &Sim<Swim>, into: &mut SwimSamples) {
        for d in &self.detections {
            into.first.extend(d.first_detection.map(|t| t - d.crashed_at));
            into.all.extend(d.known_by_all.map(|t| t - d.crashed_at));
        }
    }

    fn pool(s: &SwimSamples) -> SwimPooled {
        SwimPooled {
            first_detection_ms: MsSummary::of_us(s.first.iter().copied()),
            known_by_all_ms: MsSummary::of_us(s.all.iter().copied()),
        }
    }

    fn describe(c: &SwimCounts, p: &SwimPooled, _: Option<&SwimFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            ("crashes".to_string(), format!("{}: {} detected, {} known by all", c.crashes, c.detected, c.known_by_all)),
            ("false positives".into(), format!("{} live members declared failed", c.false_positives)),
        ];
        if p.first_detection_ms.count > 0 {
            out.push(("first detection".into(), p.first_detection_ms.to_string()));
        }
        if p.known_by_all_ms.count > 0 {
            out.push(("known by all".into(), p.known_by_all_ms.to_string()));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwimFigures {
    pub detections: Vec<Detection>,
    pub false_positives: u64,
}

#[derive(Default)]
pub struct SwimSamples {
    first: Vec<Time>,
    all: Vec<Time>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwimPooled {
    pub first_detection_ms: MsSummary,
    pub known_by_all_ms: MsSummary,
}
