//! Migration of the gossip view's old link format (`#g=<payload>`) into a
//! scenario, so links shared before the one format keep opening and replay
//! the same run (tests/golden/gossip_links.txt holds links made by the old
//! view, with the trace hashes they must reproduce).
//!
//! The old payload was deflated JSON of a `SwarmScenario`: the protocol's
//! whole configuration, a seed, a network-wide loss, a "crash n7 at 3 s"
//! flag and the gestures a person made, each at its simulated time.

use super::{Action, LinkSpec, Millis, ProtocolSpec, Scenario, ScenarioError, Target, TimedAction, VERSION};
use crate::protocols::gossip::{GossipConfig, GossipSpec};
use crate::protocols::swim::{SwimConfig, SwimSpec};
use crate::sim::{NodeId, Time};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    // The old link format's name for gossip.
    Epidemic(GossipConfig),
    Swim(SwimConfig),
}

/// A gesture, read by hand from `{"action": "kill", "node": 3}` (serde's
/// derive for tagged enums costs the web build more than this does).
#[derive(Clone, Copy)]
enum Step {
    Kill { node: NodeId },
    Pause { node: NodeId },
    Resume { node: NodeId },
    Split,
    HealAll,
    SetLoss { loss: f64 },
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = serde_json::Value::deserialize(d)?;
        let node = || v.get("node").and_then(|n| n.as_u64()).filter(|n| *n <= u64::from(u32::MAX)).map(|n| n as NodeId);
        let need_node = || node().ok_or_else(|| D::Error::custom("a gesture needs a node number"));
        Ok(match v.get("action").and_then(|a| a.as_str()) {
            Some("kill") => Step::Kill { node: need_node()? },
            Some("pause") => Step::Pause { node: need_node()? },
            Some("resume") => Step::Resume { node: need_node()? },
            Some("split") => Step::Split,
            Some("heal_all") => Step::HealAll,
            Some("set_loss") => Step::SetLoss {
                loss: v
                    .get("loss")
                    .and_then(|l| l.as_f64())
                    .ok_or_else(|| D::Error::custom("set_loss needs a loss"))?,
            },
            other => return Err(D::Error::custom(format!("unknown gesture {other:?}"))),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SwarmScenario {
    version: u32,
    preset: String,
    kind: Kind,
    seed: u64,
    loss: f64,
    crash: u32,
    timeline: Vec<(Time, Step)>,
}

/// The old view ran every group on 20-120 ms links.
const LATENCY_MS: [f64; 2] = [20.0, 120.0];
/// When its presets crashed member n7.
const PRESET_CRASH: (Time, NodeId) = (3_000_000, 7);

/// The scenario an old `g=` payload's JSON describes (named after the preset
/// it came from).
pub fn migrate_gossip_link(json: &str) -> Result<Scenario, ScenarioError> {
    let bad = |m: String| ScenarioError::Link(format!("the gossip link is invalid: {m}"));
    // Through `Value`, as `Scenario::from_json` does (one deserializer in the web build).
    serde_json::from_str::<super::strict::NoDuplicateKeys>(json).map_err(|e| bad(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let old: SwarmScenario = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    if old.version != 1 {
        return Err(ScenarioError::Version { what: "gossip link", found: old.version.to_string(), supported: 1 });
    }
    let (protocol, nodes) = match &old.kind {
        Kind::Epidemic(c) => (ProtocolSpec::Gossip(GossipSpec::from_config(c)), c.nodes),
        Kind::Swim(c) => (ProtocolSpec::Swim(SwimSpec::from_config(c)), c.nodes),
    };
    if !(0.0..=1.0).contains(&old.loss) {
        return Err(bad(format!("loss {} is not between 0 and 1", old.loss)));
    }
    let network = LinkSpec { latency_ms: LATENCY_MS, loss: old.loss, ..LinkSpec::default() };
    let mut timeline = Vec::new();
    let mut crash_pending = old.crash > 0;
    let mut last = 0;
    for (at, step) in old.timeline {
        if at < last {
            return Err(bad("its steps go back in time".into()));
        }
        last = at;
        // The old view crashed n7 as it crossed 3 s, before any step at 3 s.
        if crash_pending && at >= PRESET_CRASH.0 {
            crash_pending = false;
            timeline.push(crash_at(PRESET_CRASH));
        }
        let action = match step {
            Step::Kill { node } => Action::Crash { node: Target::Node(node) },
            Step::Pause { node } => Action::Pause { node: Target::Node(node) },
            Step::Resume { node } => Action::Resume { node },
            Step::Split => Action::Partition { groups: vec![(0..nodes / 2).collect()] },
            Step::HealAll => Action::HealAll,
            Step::SetLoss { loss } => Action::SetNetwork { link: LinkSpec { loss, ..network.clone() } },
        };
        timeline.push(TimedAction { at: Millis(at), action });
    }
    if crash_pending {
        timeline.push(crash_at(PRESET_CRASH));
    }
    let s = Scenario {
        version: VERSION,
        name: old.preset,
        description: String::new(),
        protocol,
        nodes,
        seed: old.seed,
        duration_ms: Millis(600_000_000.max(last)),
        network,
        links: Vec::new(),
        regions: Vec::new(),
        inter_region: None,
        client: None,
        fsync_ms: None,
        scripted: false,
        timeline,
        expect: None,
        alerts: Vec::new(),
        marks: Vec::new(),
        tour: Vec::new(),
    };
    s.validate().map_err(|e| bad(e.to_string()))?;
    Ok(s)
}

fn crash_at((at, node): (Time, NodeId)) -> TimedAction {
    TimedAction { at: Millis(at), action: Action::Crash { node: Target::Node(node) } }
}
