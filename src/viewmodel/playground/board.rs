//! What a protocol brings to the playground beyond the spine's [`Registered`]:
//! the scenario it opens with, what "the configuration" is, and the status
//! bar's summary. Raft and the store have boards; the runner, time travel,
//! faults, menus, drag-to-partition, the log and share links are the
//! playground's own and serve both.

use crate::protocols::raft::{cluster, Raft, MAX_NODES};
use crate::protocols::store::node::StoreNode;
use crate::scenario::{Registered, Scenario};
use crate::sim::{NodeId, Sim};

pub trait Board: Registered {
    /// The most nodes the view draws.
    const MAX_VIEW_NODES: u32;
    /// The event log's filter: (kind, what it is called here).
    const LOG_KINDS: &'static [(&'static str, &'static str)];
    /// The scenario the view opens with.
    fn default_scenario() -> Scenario;
    /// The nodes in the configuration, as a bit set (default: all).
    fn members(sim: &Sim<Self>) -> u32 {
        if sim.len() >= 32 {
            u32::MAX
        } else {
            (1u32 << sim.len()) - 1
        }
    }
    /// One line for the status bar.
    fn summary(sim: &Sim<Self>) -> String;
    /// The board view's settings form: the keys of the protocol's spec a
    /// person may set (Raft and the store have forms of their own).
    const KNOBS: &'static [Knob] = &[];
    /// The board view's safety panel: (property, reference, statement),
    /// the names its checker reports (Raft and the store have panels of
    /// their own).
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[];
    /// What the board view's inspector shows of a node: (what, value).
    fn inspect(_sim: &Sim<Self>, _n: NodeId) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// Its own figures by name, for compare mode's table (the board view's
    /// protocols; Raft's and the store's are compare mode's own).
    fn figures(_pg: &super::Playground<Self>) -> Vec<(&'static str, f64)> {
        Vec::new()
    }
}

/// A field of the board view's settings form: one key of the protocol's
/// spec, as a scenario file writes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knob {
    pub key: &'static str,
    pub label: &'static str,
    pub tip: &'static str,
    pub kind: KnobKind,
}

/// What a knob holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KnobKind {
    /// A number.
    Number,
    /// A number, or nothing (left empty: the protocol's default).
    Optional,
    /// A list of nodes, written "0, 1".
    Nodes,
    /// One of these words; the first may be "" (none).
    Choice(&'static [&'static str]),
}

/// The spec's object inside a scenario's `{"kind": {...}}`.
fn spec_object(protocol: &serde_json::Value) -> Option<&serde_json::Map<String, serde_json::Value>> {
    protocol.as_object()?.values().next()?.as_object()
}

/// A knob's value in `s`, as the form shows it ("" when unset).
pub fn knob_text(s: &Scenario, key: &str) -> String {
    use serde_json::Value;
    let v = serde_json::to_value(&s.protocol).unwrap_or_default();
    match spec_object(&v).and_then(|o| o.get(key)) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(a)) => a.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "),
        // 100.0 reads as 100.
        Some(Value::Number(x)) => match x.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", f as i64),
            _ => x.to_string(),
        },
        Some(x) => x.to_string(),
    }
}

/// `s` with a knob set from the form's text, or why it cannot be.
pub fn set_knob(s: &Scenario, knob: &Knob, text: &str) -> Result<Scenario, String> {
    use serde_json::Value;
    let text = text.trim();
    let number = |t: &str| -> Result<Value, String> {
        let x: f64 = t.parse().map_err(|_| format!("{}: '{t}' is not a number", knob.label))?;
        Ok(if x.fract() == 0.0 && (0.0..9e15).contains(&x) { Value::from(x as u64) } else { Value::from(x) })
    };
    let new = match knob.kind {
        KnobKind::Optional | KnobKind::Choice(_) if text.is_empty() => Value::Null,
        KnobKind::Number | KnobKind::Optional => number(text)?,
        KnobKind::Nodes => {
            let ids = text.split(',').map(str::trim).filter(|t| !t.is_empty());
            let ids: Result<Vec<u64>, String> = ids
                .map(|t| {
                    t.trim_start_matches('n')
                        .parse::<u64>()
                        .map_err(|_| format!("{}: '{t}' is not a node number", knob.label))
                })
                .collect();
            Value::from(ids?)
        }
        KnobKind::Choice(words) => match words.iter().find(|w| **w == text) {
            Some(w) => Value::from(*w),
            None => return Err(format!("{}: '{text}' is not one of {}", knob.label, words.join(", "))),
        },
    };
    let mut v = serde_json::to_value(&s.protocol).map_err(|e| e.to_string())?;
    let Some(spec) = v.as_object_mut().and_then(|o| o.values_mut().next()).and_then(Value::as_object_mut) else {
        return Err("this protocol has no settings".into());
    };
    if new.is_null() {
        spec.remove(knob.key);
    } else {
        spec.insert(knob.key.to_string(), new);
    }
    let protocol = serde_json::from_value(v).map_err(|e| format!("{}: {e}", knob.label))?;
    Ok(Scenario { protocol, ..s.clone() })
}

impl Board for Raft {
    const MAX_VIEW_NODES: u32 = MAX_NODES;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &super::LOG_KINDS;

    fn default_scenario() -> Scenario {
        super::settings::playground()
    }

    /// The configuration as the leader sees it (or, with no leader, every
    /// server any live server counts as a member).
    fn members(sim: &Sim<Raft>) -> u32 {
        match cluster::leader(sim).and_then(|l| sim.node(l)) {
            Some(r) => r.members(),
            None => (0..sim.len()).filter_map(|n| sim.node(n)).fold(0, |m, r| m | r.members()),
        }
    }

    fn summary(sim: &Sim<Raft>) -> String {
        match cluster::leader(sim) {
            Some(l) => format!("leader n{l} · term {}", sim.node(l).map_or(0, |r| r.term())),
            None => format!("no leader · term {}", cluster::max_term(sim)),
        }
    }
}

impl Board for StoreNode {
    const MAX_VIEW_NODES: u32 = 20;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &super::STORE_LOG_KINDS;

    fn default_scenario() -> Scenario {
        super::settings::store()
    }

    fn summary(sim: &Sim<StoreNode>) -> String {
        let pending: usize = (0..sim.len()).filter_map(|n| sim.node(n)).map(StoreNode::pending_requests).sum();
        let hints: usize = (0..sim.len()).filter_map(|n| sim.node(n)).map(|s| s.hints().count()).sum();
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!("{} in progress · {} held", plural(pending, "request", "requests"), plural(hints, "hint", "hints"))
    }
}
