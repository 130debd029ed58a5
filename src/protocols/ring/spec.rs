//! Chang and Roberts' ring election on the spine: the ids round the ring,
//! the checker and the observer.

use super::largest::LargestElected;
use super::{Bug, Msg, Note, Ring, RingConfig};
use crate::contract::{Cluster, ConfigError, Counts, LaneNote, Observer, Runnable, TimedAction};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim, Time};
use serde::{Deserialize, Serialize};

/// The most nodes a ring scenario may have.
pub const MAX_NODES: u32 = 20;

/// The parameters as a scenario file writes them (`"protocol": {"ring":
/// {...}}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RingSpec {
    /// The id of the node at each place on the ring, all different (left
    /// out: n, n − 1, ..., 1 in ring order, the order that costs most,
    /// n(n + 1)/2 messages).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

/// A ring spec that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RingConfigError {
    #[error("the ring election needs 2 to {MAX_NODES} nodes, not {0}")]
    Nodes(u32),
    #[error("ids: {got} ids for {nodes} nodes; give one per node, or none")]
    Count { got: usize, nodes: u32 },
    #[error("ids: {0} is given twice; every id must be different")]
    Twice(u64),
}

impl RingSpec {
    pub fn to_config(&self, nodes: u32) -> Result<RingConfig, RingConfigError> {
        if !(2..=MAX_NODES).contains(&nodes) {
            return Err(RingConfigError::Nodes(nodes));
        }
        let ids = if self.ids.is_empty() { (1..=u64::from(nodes)).rev().collect() } else { self.ids.clone() };
        if ids.len() != nodes as usize {
            return Err(RingConfigError::Count { got: ids.len(), nodes });
        }
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(RingConfigError::Twice(*id));
            }
        }
        Ok(RingConfig { ids, start_us: 1_000, bug: self.bug })
    }
}

impl Runnable for Ring {
    const HAS_LEADER: bool = true;
    type Spec = RingSpec;
    type Checker = LargestElected;
    type Observer = RingObserver;

    fn config(spec: &RingSpec, cluster: &Cluster) -> Result<RingConfig, ConfigError> {
        spec.to_config(cluster.nodes).map_err(ConfigError::of)
    }

    fn checker(_: &RingSpec, _: &Cluster) -> LargestElected {
        LargestElected::default()
    }

    /// The node that was elected.
    fn leader(sim: &Sim<Ring>) -> Option<NodeId> {
        (0..sim.len()).find(|n| sim.node(*n).is_some_and(|r| r.leader() == Some(r.id())))
    }

    /// A crash can swallow the largest id on its way round, and the ring
    /// then elects no one or (after a restart) someone else: only runs
    /// without faults are held to the property.
    fn must_hold(spec: &RingSpec, timeline: &[TimedAction]) -> bool {
        spec.bug.is_none() && timeline.is_empty()
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        &[crate::contract::Variant {
            id: "ring-forward-smaller",
            protocol: "Ring election",
            title: "A ring that forwards the smaller ids",
            explanation: "Each node forwards the ids smaller than its own and swallows the larger, so the smallest \
                          id comes back to its node and is elected (Chang & Roberts 1979 \u{a7}2).",
            property: super::largest::PROPERTY,
            json: r#"{"version":1,"protocol":{"ring":{"bug":"forward_smaller"}},"nodes":6,"seed":1,"duration_ms":500}"#,
        }]
    }

    fn msg_kind(msg: &Msg) -> &'static str {
        match msg {
            Msg::Election(_) => "Election",
            Msg::Elected(_) => "Elected",
        }
    }

    fn lane_note(note: &Note) -> Option<LaneNote> {
        Some(match note {
            Note::Won => LaneNote { class: "leader", text: "elected".into(), state: true },
            Note::Leader(id) => LaneNote { class: "follower", text: format!("→ {id}"), state: true },
        })
    }
}

/// What a ring run counts: the election's messages, the announcement's
/// apart, and when the last node learned the result.
#[derive(Clone, Debug, Default)]
pub struct RingObserver {
    counts: RingCounts,
    elected: Option<Time>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RingCounts {
    pub election_messages: u64,
    pub announce_messages: u64,
}

impl Counts for RingCounts {
    fn merge(&mut self, o: &Self) {
        self.election_messages += o.election_messages;
        self.announce_messages += o.announce_messages;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RingFigures {
    pub counts: RingCounts,
    /// When the last node learned the leader (ms).
    pub elected_ms: Option<f64>,
}

#[derive(Clone, Debug, Default)]
pub struct Samples {
    runs: u64,
    messages: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub runs: u64,
    pub messages: crate::stats::Summary,
}

impl Observer<Ring> for RingObserver {
    type Counts = RingCounts;
    type Figures = RingFigures;
    type Samples = Samples;
    type Pooled = Pooled;

    fn observe(&mut self, sim: &Sim<Ring>) {
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Send { msg: Msg::Election(_), .. } => self.counts.election_messages += 1,
                EventKind::Send { msg: Msg::Elected(_), .. } => self.counts.announce_messages += 1,
                EventKind::Note { note: Note::Leader(_), .. } => self.elected = Some(e.time),
                _ => {}
            }
        }
    }

    fn counts(&self, _: &Sim<Ring>) -> RingCounts {
        self.counts.clone()
    }

    fn figures(&self, _: &Sim<Ring>) -> RingFigures {
        RingFigures { counts: self.counts.clone(), elected_ms: self.elected.map(|t| t as f64 / 1000.0) }
    }

    fn sample(&self, _: &Sim<Ring>, into: &mut Samples) {
        into.runs += 1;
        into.messages.push(self.counts.election_messages as f64);
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled { runs: s.runs, messages: crate::stats::Summary::of(&s.messages) }
    }

    fn describe(c: &RingCounts, p: &Pooled, one: Option<&RingFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "election".to_string(),
                format!("messages a run p50 {}, max {} (over {} runs)", p.messages.p50, p.messages.max, p.runs),
            ),
            ("announcement".into(), format!("{} messages in all", c.announce_messages)),
        ];
        if let Some(ms) = one.and_then(|f| f.elected_ms) {
            out.push(("elected".into(), format!("every node told by {ms} ms")));
        }
        out
    }
}
