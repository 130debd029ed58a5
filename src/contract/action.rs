//! The timeline: actions and when they happen, as a scenario file writes
//! them (`{"at_ms": 1500, "action": "crash", "node": "leader"}`).
//!
//! Actions are parsed by hand from JSON values rather than by serde's
//! derive for internally tagged enums, which buffers every entry and
//! generates a large deserializer for the web build; the messages name the
//! entry's action and field.

use super::{LinkSpec, Millis};
use crate::sim::NodeId;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// A node named by id, or "leader": the live leader with the highest term
/// when the action runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Node(NodeId),
    Leader,
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Target::Node(n) => s.serialize_u32(*n),
            Target::Leader => s.serialize_str("leader"),
        }
    }
}

impl Target {
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::String(s) if s == "leader" => Ok(Target::Leader),
            Value::Number(n) => n
                .as_u64()
                .filter(|n| *n <= u64::from(u32::MAX))
                .map(|n| Target::Node(n as NodeId))
                .ok_or_else(|| format!("node must be a node number or \"leader\", not {n}")),
            other => Err(format!("node must be a node number or \"leader\", not {other}")),
        }
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Target::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(n) => write!(f, "n{n}"),
            Target::Leader => write!(f, "the leader"),
        }
    }
}

/// One thing that happens at a time in the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Crash {
        node: Target,
    },
    Restart {
        node: NodeId,
    },
    Pause {
        node: Target,
    },
    Resume {
        node: NodeId,
    },
    /// Cut one direction; with `both`, both.
    Cut {
        from: NodeId,
        to: NodeId,
        #[serde(default)]
        both: bool,
    },
    Heal {
        a: NodeId,
        b: NodeId,
    },
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Isolate {
        node: Target,
    },
    HealAll,
    SetLink {
        from: NodeId,
        to: NodeId,
        link: LinkSpec,
    },
    /// Set every link that has no override of its own (the whole network).
    SetNetwork {
        link: LinkSpec,
    },
    Skew {
        node: NodeId,
        #[serde(default)]
        offset_ms: f64,
        #[serde(default)]
        drift_ppm: i64,
    },
    /// A client request sent to a node (or the leader); with `key`, of
    /// that key, for a protocol whose requests name one (the store).
    Request {
        node: Target,
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<u32>,
    },
    /// A client read sent to a node (or the leader), of `key` where given.
    Read {
        node: Target,
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<u32>,
    },
    /// Ask the leader to hand leadership to `to`.
    Transfer {
        to: NodeId,
    },
    /// Make a node start an election now, as if its timer fired.
    Campaign {
        node: NodeId,
    },
    /// Ask the leader to add a server to the configuration (§4.1).
    AddServer {
        node: NodeId,
    },
    /// Ask the leader to remove a server from the configuration (§4.1).
    RemoveServer {
        node: NodeId,
    },
    /// In a scripted run: deliver the `nth` (from 0) message waiting from
    /// `from` to `to`.
    Deliver {
        from: NodeId,
        to: NodeId,
        #[serde(default)]
        nth: u32,
    },
    /// In a scripted run: lose that message instead.
    Drop {
        from: NodeId,
        to: NodeId,
        #[serde(default)]
        nth: u32,
    },
    /// In a scripted run: fire a node's armed timer, by its name.
    Fire {
        node: NodeId,
        timer: String,
    },
    /// Crash every node of a region (a region outage).
    RegionDown {
        region: String,
    },
    /// Restart every crashed node of a region.
    RegionUp {
        region: String,
    },
    /// Partition the network between groups of regions; regions left out
    /// form one more group.
    SplitRegions {
        groups: Vec<Vec<String>>,
    },
}

/// An action and when it happens.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedAction {
    pub at: Millis,
    pub action: Action,
}

impl Serialize for TimedAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.action).map_err(serde::ser::Error::custom)?;
        if let Value::Object(m) = &mut v {
            m.insert("at_ms".into(), serde_json::to_value(self.at).map_err(serde::ser::Error::custom)?);
        }
        v.serialize(s)
    }
}

impl<'de> Deserialize<'de> for TimedAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(mut obj) = Value::deserialize(d)? else {
            return Err(D::Error::custom("a timeline entry must be an object"));
        };
        let at = obj.remove("at_ms").ok_or_else(|| D::Error::custom("a timeline entry needs \"at_ms\""))?;
        let at = Millis::deserialize(at).map_err(D::Error::custom)?;
        let action = Action::from_object(obj).map_err(D::Error::custom)?;
        Ok(TimedAction { at, action })
    }
}

/// The actions, with the fields each takes.
const ACTIONS: [(&str, &[&str]); 24] = [
    ("crash", &["node"]),
    ("restart", &["node"]),
    ("pause", &["node"]),
    ("resume", &["node"]),
    ("cut", &["from", "to", "both"]),
    ("heal", &["a", "b"]),
    ("partition", &["groups"]),
    ("isolate", &["node"]),
    ("heal_all", &[]),
    ("set_link", &["from", "to", "link"]),
    ("set_network", &["link"]),
    ("skew", &["node", "offset_ms", "drift_ppm"]),
    ("request", &["node", "key"]),
    ("read", &["node", "key"]),
    ("transfer", &["to"]),
    ("campaign", &["node"]),
    ("add_server", &["node"]),
    ("remove_server", &["node"]),
    ("deliver", &["from", "to", "nth"]),
    ("drop", &["from", "to", "nth"]),
    ("fire", &["node", "timer"]),
    ("region_down", &["region"]),
    ("region_up", &["region"]),
    ("split_regions", &["groups"]),
];

/// An entry's fields, taken out one by one.
struct Fields {
    action: &'static str,
    map: Map<String, Value>,
}

impl Fields {
    fn take<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, String> {
        let v = self.map.remove(key).ok_or_else(|| format!("'{}' needs \"{key}\"", self.action))?;
        serde_json::from_value(v).map_err(|e| format!("'{}': {key}: {e}", self.action))
    }

    fn take_or<T: DeserializeOwned>(&mut self, key: &str, default: T) -> Result<T, String> {
        if self.map.contains_key(key) {
            self.take(key)
        } else {
            Ok(default)
        }
    }

    fn target(&mut self) -> Result<Target, String> {
        let v = self.map.remove("node").ok_or_else(|| format!("'{}' needs \"node\"", self.action))?;
        Target::from_value(v).map_err(|e| format!("'{}': {e}", self.action))
    }
}

impl Action {
    /// Parses an entry's fields (without `at_ms`).
    fn from_object(mut map: Map<String, Value>) -> Result<Action, String> {
        let tag = match map.remove("action") {
            Some(Value::String(t)) => t,
            Some(other) => return Err(format!("\"action\" must be a name, not {other}")),
            None => return Err("a timeline entry needs \"action\"".into()),
        };
        let Some(&(action, allowed)) = ACTIONS.iter().find(|(name, _)| *name == tag) else {
            let names: Vec<&str> = ACTIONS.iter().map(|(n, _)| *n).collect();
            return Err(format!("unknown action '{tag}'; the actions are {}", names.join(", ")));
        };
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("'{k}' is not a field of '{action}' (it takes: {})", allowed.join(", ")));
        }
        let mut f = Fields { action, map };
        Ok(match action {
            "crash" => Action::Crash { node: f.target()? },
            "restart" => Action::Restart { node: f.take("node")? },
            "pause" => Action::Pause { node: f.target()? },
            "resume" => Action::Resume { node: f.take("node")? },
            "cut" => Action::Cut { from: f.take("from")?, to: f.take("to")?, both: f.take_or("both", false)? },
            "heal" => Action::Heal { a: f.take("a")?, b: f.take("b")? },
            "partition" => Action::Partition { groups: f.take("groups")? },
            "isolate" => Action::Isolate { node: f.target()? },
            "heal_all" => Action::HealAll,
            "set_link" => {
                Action::SetLink { from: f.take("from")?, to: f.take("to")?, link: f.take::<LinkSpec>("link")? }
            }
            "set_network" => Action::SetNetwork { link: f.take::<LinkSpec>("link")? },
            "skew" => Action::Skew {
                node: f.take("node")?,
                offset_ms: f.take_or("offset_ms", 0.0)?,
                drift_ppm: f.take_or("drift_ppm", 0)?,
            },
            "request" => Action::Request { node: f.target()?, key: f.take_or("key", None)? },
            "read" => Action::Read { node: f.target()?, key: f.take_or("key", None)? },
            "transfer" => Action::Transfer { to: f.take("to")? },
            "campaign" => Action::Campaign { node: f.take("node")? },
            "add_server" => Action::AddServer { node: f.take("node")? },
            "remove_server" => Action::RemoveServer { node: f.take("node")? },
            "deliver" => Action::Deliver { from: f.take("from")?, to: f.take("to")?, nth: f.take_or("nth", 0)? },
            "drop" => Action::Drop { from: f.take("from")?, to: f.take("to")?, nth: f.take_or("nth", 0)? },
            "fire" => Action::Fire { node: f.take("node")?, timer: f.take("timer")? },
            "region_down" => Action::RegionDown { region: f.take("region")? },
            "region_up" => Action::RegionUp { region: f.take("region")? },
            _ => Action::SplitRegions { groups: f.take("groups")? },
        })
    }
}

impl Action {
    /// The action's name as a scenario file writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Crash { .. } => "crash",
            Action::Restart { .. } => "restart",
            Action::Pause { .. } => "pause",
            Action::Resume { .. } => "resume",
            Action::Cut { .. } => "cut",
            Action::Heal { .. } => "heal",
            Action::Partition { .. } => "partition",
            Action::Isolate { .. } => "isolate",
            Action::HealAll => "heal_all",
            Action::SetLink { .. } => "set_link",
            Action::SetNetwork { .. } => "set_network",
            Action::Skew { .. } => "skew",
            Action::Request { .. } => "request",
            Action::Read { .. } => "read",
            Action::Transfer { .. } => "transfer",
            Action::Campaign { .. } => "campaign",
            Action::AddServer { .. } => "add_server",
            Action::RemoveServer { .. } => "remove_server",
            Action::Deliver { .. } => "deliver",
            Action::Drop { .. } => "drop",
            Action::Fire { .. } => "fire",
            Action::RegionDown { .. } => "region_down",
            Action::RegionUp { .. } => "region_up",
            Action::SplitRegions { .. } => "split_regions",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<Action> {
        let link = LinkSpec { loss: 0.25, ..LinkSpec::default() };
        vec![
            Action::Crash { node: Target::Leader },
            Action::Restart { node: 0 },
            Action::Pause { node: Target::Node(1) },
            Action::Resume { node: 1 },
            Action::Cut { from: 0, to: 1, both: true },
            Action::Heal { a: 0, b: 1 },
            Action::Partition { groups: vec![vec![0, 2]] },
            Action::Isolate { node: Target::Node(2) },
            Action::HealAll,
            Action::SetLink { from: 0, to: 1, link: link.clone() },
            Action::SetNetwork { link },
            Action::Skew { node: 0, offset_ms: 1.5, drift_ppm: -100 },
            Action::Request { node: Target::Leader, key: None },
            Action::Read { node: Target::Node(0), key: Some(3) },
            Action::Transfer { to: 1 },
            Action::Campaign { node: 2 },
            Action::AddServer { node: 2 },
            Action::RemoveServer { node: 1 },
            Action::Deliver { from: 0, to: 1, nth: 2 },
            Action::Drop { from: 1, to: 0, nth: 0 },
            Action::Fire { node: 2, timer: "election".into() },
            Action::RegionDown { region: "eu".into() },
            Action::RegionUp { region: "eu".into() },
            Action::SplitRegions { groups: vec![vec!["us".into()], vec!["eu".into(), "ap".into()]] },
        ]
    }

    #[test]
    fn every_action_round_trips_and_is_listed() {
        let all = every_action();
        assert_eq!(all.len(), ACTIONS.len());
        for (a, (name, fields)) in all.into_iter().zip(ACTIONS) {
            assert_eq!(a.name(), name);
            let t = TimedAction { at: Millis(1500), action: a };
            let json = serde_json::to_value(&t).unwrap();
            for k in json.as_object().unwrap().keys().filter(|k| !["at_ms", "action"].contains(&k.as_str())) {
                assert!(fields.contains(&k.as_str()), "{name} writes {k}");
            }
            assert_eq!(serde_json::from_value::<TimedAction>(json).unwrap(), t);
        }
    }

    #[test]
    fn defaults_apply_and_bad_entries_are_named() {
        let t: TimedAction = serde_json::from_str(r#"{"at_ms": 1, "action": "cut", "from": 0, "to": 1}"#).unwrap();
        assert_eq!(t.action, Action::Cut { from: 0, to: 1, both: false });
        let t: TimedAction = serde_json::from_str(r#"{"at_ms": 1, "action": "skew", "node": 2}"#).unwrap();
        assert_eq!(t.action, Action::Skew { node: 2, offset_ms: 0.0, drift_ppm: 0 });
        for (json, needle) in [
            (r#"{"at_ms": 1, "action": "explode"}"#, "unknown action 'explode'; the actions are crash"),
            (
                r#"{"at_ms": 1, "action": "crash", "node": 1, "colour": 2}"#,
                "'colour' is not a field of 'crash' (it takes: node)",
            ),
            (r#"{"at_ms": 1, "action": "crash"}"#, "'crash' needs \"node\""),
            (r#"{"at_ms": 1, "action": "crash", "node": "boss"}"#, "node must be a node number or \"leader\""),
            (r#"{"at_ms": 1, "action": "restart", "node": "leader"}"#, "'restart': node:"),
            (r#"{"action": "heal_all"}"#, "needs \"at_ms\""),
            (r#"{"at_ms": 1, "action": 7}"#, "\"action\" must be a name"),
            (r#"[1]"#, "must be an object"),
        ] {
            let e = serde_json::from_str::<TimedAction>(json).unwrap_err().to_string();
            assert!(e.contains(needle), "{json}: {e}");
        }
    }
}
