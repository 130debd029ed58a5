//! The bully algorithm on the spine: the scenario's parameters, its
//! checker and observer. The textbook set-up is a scenario's: the highest
//! node crashes at the start (a timeline action), and `detector` notices.

use super::one_coordinator::OneCoordinator;
use super::{Bug, Bully, BullyConfig, Msg, Note};
use crate::contract::{Action, Cluster, ConfigError, Counts, LaneNote, Observer, Runnable, TimedAction};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim, Time};
use serde::{Deserialize, Serialize};

/// The most nodes a bully scenario may have.
pub const MAX_NODES: u32 = 20;

/// The parameters as a scenario file writes them (`"protocol":
/// {"bully": {...}}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BullySpec {
    /// The node that notices the coordinator has gone, and when.
    pub detector: NodeId,
    pub detect_ms: f64,
    /// How long a node waits for an Ok before it takes over.
    pub timeout_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for BullySpec {
    fn default() -> Self {
        BullySpec { detector: 0, detect_ms: 10.0, timeout_ms: 50.0, bug: None }
    }
}

/// A bully spec that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BullyConfigError {
    #[error("the bully algorithm needs 2 to {MAX_NODES} nodes, not {0}")]
    Nodes(u32),
    #[error("detector: n{0} is not a node (the nodes are n0 to n{1})")]
    Detector(NodeId, u32),
    #[error(transparent)]
    Time(#[from] crate::contract::PeriodError),
}

impl BullySpec {
    pub fn to_config(&self, nodes: u32) -> Result<BullyConfig, BullyConfigError> {
        if !(2..=MAX_NODES).contains(&nodes) {
            return Err(BullyConfigError::Nodes(nodes));
        }
        if self.detector >= nodes {
            return Err(BullyConfigError::Detector(self.detector, nodes - 1));
        }
        Ok(BullyConfig {
            nodes,
            detector: self.detector,
            detect_us: crate::contract::period_us(self.detect_ms, "detect_ms")?,
            timeout_us: crate::contract::period_us(self.timeout_ms, "timeout_ms")?,
            bug: self.bug,
        })
    }
}

impl Runnable for Bully {
    const HAS_LEADER: bool = true;
    type Spec = BullySpec;
    type Checker = OneCoordinator;
    type Observer = ElectionObserver;

    fn config(spec: &BullySpec, cluster: &Cluster) -> Result<BullyConfig, ConfigError> {
        spec.to_config(cluster.nodes).map_err(ConfigError::of)
    }

    fn checker(_: &BullySpec, _: &Cluster) -> OneCoordinator {
        OneCoordinator::default()
    }

    /// The highest live node acting as coordinator.
    fn leader(sim: &Sim<Bully>) -> Option<NodeId> {
        (0..sim.len()).rev().find(|n| sim.node(*n).is_some_and(|b| b.coordinator() == Some(*n)))
    }

    /// The algorithm assumes every message arrives in time: a cut link or
    /// a partition may elect two coordinators, and that is not a bug.
    fn must_hold(spec: &BullySpec, timeline: &[TimedAction]) -> bool {
        spec.bug.is_none()
            && !timeline.iter().any(|t| {
                matches!(
                    t.action,
                    Action::Cut { .. }
                        | Action::Partition { .. }
                        | Action::Isolate { .. }
                        | Action::SetLink { .. }
                        | Action::SetNetwork { .. }
                        | Action::Pause { .. }
                )
            })
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        &[crate::contract::Variant {
            id: "bully-no-ok",
            protocol: "Bully election",
            title: "Higher nodes that never answer",
            explanation: "A node that gets an Election holds its own but never answers Ok, so the node below it \
                          hears nothing, takes over, and two nodes act as coordinator (Garcia-Molina 1982 \u{a7}4).",
            property: super::one_coordinator::PROPERTY,
            json: r#"{"version":1,"protocol":{"bully":{"bug":"no_ok"}},"nodes":5,"seed":1,"duration_ms":1000}"#,
        }]
    }

    fn msg_kind(msg: &Msg) -> &'static str {
        msg.label()
    }

    fn lane_note(note: &Note) -> Option<LaneNote> {
        Some(match note {
            Note::Elects => LaneNote { class: "candidate", text: "elects".into(), state: true },
            Note::Won => LaneNote { class: "leader", text: "coordinator".into(), state: true },
            Note::Coordinator(c) => LaneNote { class: "follower", text: format!("→ n{c}"), state: true },
        })
    }
}

/// What an election run counts: the election's own messages, the
/// announcement's apart, and when the last node learned the result.
#[derive(Clone, Debug, Default)]
pub struct ElectionObserver {
    counts: ElectionCounts,
    elected: Option<Time>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ElectionCounts {
    pub election_messages: u64,
    pub announce_messages: u64,
    /// Nodes that took over as coordinator.
    pub winners: u64,
}

impl Counts for ElectionCounts {
    fn merge(&mut self, o: &Self) {
        self.election_messages += o.election_messages;
        self.announce_messages += o.announce_messages;
        self.winners += o.winners;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ElectionFigures {
    pub counts: ElectionCounts,
    /// When the last announcement arrived (ms).
    pub elected_ms: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct Samples {
    runs: u64,
    messages: Vec<f64>,
    elected: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub runs: u64,
    pub messages: crate::stats::Summary,
    pub elected_ms: crate::stats::Summary,
}

impl Observer<Bully> for ElectionObserver {
    type Counts = ElectionCounts;
    type Figures = ElectionFigures;
    type Samples = Samples;
    type Pooled = Pooled;

    fn observe(&mut self, sim: &Sim<Bully>) {
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Send { msg: Msg::Coordinator, .. } => self.counts.announce_messages += 1,
                EventKind::Send { .. } => self.counts.election_messages += 1,
                EventKind::Note { note: Note::Won, .. } => self.counts.winners += 1,
                EventKind::Note { note: Note::Coordinator(_), .. } => self.elected = Some(e.time),
                _ => {}
            }
        }
    }

    fn counts(&self, _: &Sim<Bully>) -> ElectionCounts {
        self.counts.clone()
    }

    fn figures(&self, _: &Sim<Bully>) -> ElectionFigures {
        ElectionFigures { counts: self.counts.clone(), elected_ms: self.elected.map(|t| t as f64 / 1000.0) }
    }

    fn sample(&self, _: &Sim<Bully>, into: &mut Samples) {
        into.runs += 1;
        into.messages.push(self.counts.election_messages as f64);
        if let Some(t) = self.elected {
            into.elected.push(t as f64 / 1000.0);
        }
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled {
            runs: s.runs,
            messages: crate::stats::Summary::of(&s.messages),
            elected_ms: crate::stats::Summary::of(&s.elected),
        }
    }

    fn describe(c: &ElectionCounts, p: &Pooled, one: Option<&ElectionFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "election".to_string(),
                format!("messages a run p50 {}, max {} (over {} runs)", p.messages.p50, p.messages.max, p.runs),
            ),
            ("announcement".into(), format!("{} messages in all", c.announce_messages)),
            ("elected".into(), format!("last node told p50 {} ms, p99 {} ms", p.elected_ms.p50, p.elected_ms.p99)),
        ];
        if let Some(f) = one {
            out.push(("coordinators".into(), format!("{} took over", f.counts.winners)));
        }
        out
    }
}
