//! The bully election on the board view: the textbook set-up (the highest
//! node has crashed and n0 notices), its form, status line and inspector.

use crate::protocols::bully::{one_coordinator, Bully};
use crate::scenario::Scenario;
use crate::sim::{NodeId, Sim};
use crate::viewmodel::playground::{Board, Knob, KnobKind};

/// The bully election as its face draws it.
pub mod seen {
    pub use crate::protocols::bully::{Bully, Msg};
}

const KINDS: [(&str, &str); 7] = super::log_kinds("elections");

const KNOBS: [Knob; 4] = [
    Knob {
        key: "detector",
        label: "Detector",
        tip: "The node that notices the coordinator has gone and holds the first election",
        kind: KnobKind::Number,
    },
    Knob { key: "detect_ms", label: "Detect ms", tip: "When the detector notices", kind: KnobKind::Number },
    Knob {
        key: "timeout_ms",
        label: "Timeout ms",
        tip: "How long a node waits for an Ok from a higher node before it takes over",
        kind: KnobKind::Number,
    },
    Knob {
        key: "bug",
        label: "Bug",
        tip: "A deliberately broken variant: nodes that never answer Ok, so lower nodes take over too",
        kind: KnobKind::Choice(&["", "no_ok"]),
    },
];

impl Board for Bully {
    const MAX_VIEW_NODES: u32 = 16;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &KINDS;
    const KNOBS: &'static [Knob] = &KNOBS;
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[(
        one_coordinator::PROPERTY,
        one_coordinator::REFERENCE,
        "At most one live node acts as coordinator (while every message arrives in time).",
    )];

    /// Six nodes; the highest has crashed, and n0 notices at 10 ms.
    fn default_scenario() -> Scenario {
        Scenario::from_json(
            r#"{"version":1,"name":"bully","protocol":{"bully":{}},"nodes":6,"seed":1,"duration_ms":2000,
                "network":{"latency_ms":[5,10]},"timeline":[{"at_ms":0,"action":"crash","node":5}]}"#,
        )
        .expect("the bully view's own scenario is valid")
    }

    fn summary(sim: &Sim<Bully>) -> String {
        let up = |n: &NodeId| sim.node(*n).is_some();
        let acting: Vec<String> = (0..sim.len())
            .filter(up)
            .filter(|n| sim.node(*n).is_some_and(|b| b.coordinator() == Some(*n)))
            .map(|n| format!("n{n}"))
            .collect();
        let told =
            (0..sim.len()).filter(up).filter(|n| sim.node(*n).is_some_and(|b| b.coordinator().is_some())).count();
        match acting.len() {
            0 => "no coordinator yet".into(),
            1 => format!("coordinator {} · {told} nodes know", acting[0]),
            _ => format!("{} coordinators: {}", acting.len(), acting.join(", ")),
        }
    }

    fn inspect(sim: &Sim<Bully>, n: NodeId) -> Vec<(&'static str, String)> {
        let Some(b) = sim.node(n) else { return Vec::new() };
        vec![
            (
                "coordinator",
                b.coordinator().map_or("not known".into(), |c| if c == n { "itself".into() } else { format!("n{c}") }),
            ),
            ("electing", if b.electing() { "yes: waiting for an Ok from a higher node".into() } else { "no".into() }),
        ]
    }
}
