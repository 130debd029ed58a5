//! Chang and Roberts' ring election on the board view: the ids round the
//! ring, its form, status line and inspector.

use crate::protocols::ring::{largest, Ring};
use crate::scenario::Scenario;
use crate::sim::{NodeId, Sim};
use crate::viewmodel::playground::{Board, Knob, KnobKind};

/// The ring election as its face draws it.
pub mod seen {
    pub use crate::protocols::ring::{Msg, Ring};
}

const KINDS: [(&str, &str); 7] = super::log_kinds("elections");

const KNOBS: [Knob; 2] = [
    Knob { key: "ids", label: "Ids", tip: "The id at each place round the ring (node 0 sends to node 1, and so on), all different; empty: n down to 1, the order that costs most", kind: KnobKind::Nodes },
    Knob { key: "bug", label: "Bug", tip: "A deliberately broken variant: nodes forward smaller ids and swallow larger ones, so the smallest is elected", kind: KnobKind::Choice(&["", "forward_smaller"]) },
];

impl Board for Ring {
    const MAX_VIEW_NODES: u32 = 16;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &KINDS;
    const KNOBS: &'static [Knob] = &KNOBS;
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[(
        largest::PROPERTY,
        largest::REFERENCE,
        "The node elected has the largest id, and every node that learns a leader learns that one.",
    )];

    /// Eight nodes, their ids in a shuffled order round the ring.
    fn default_scenario() -> Scenario {
        Scenario::from_json(
            r#"{"version":1,"name":"ring","protocol":{"ring":{"ids":[3,7,1,8,5,2,6,4]}},"nodes":8,"seed":1,
                "duration_ms":1000,"network":{"latency_ms":[5,10]}}"#,
        )
        .expect("the ring view's own scenario is valid")
    }

    fn summary(sim: &Sim<Ring>) -> String {
        let told = (0..sim.len()).filter_map(|n| sim.node(n)?.leader()).count();
        match (0..sim.len()).find_map(|n| sim.node(n)?.leader()) {
            Some(l) => format!("leader {l} · {told} of {} nodes know", sim.len()),
            None => "electing".into(),
        }
    }

    fn inspect(sim: &Sim<Ring>, n: NodeId) -> Vec<(&'static str, String)> {
        let Some(r) = sim.node(n) else { return Vec::new() };
        let next = (n + 1) % sim.len();
        vec![
            ("id", r.id().to_string()),
            ("sends to", format!("n{next}")),
            ("leader", r.leader().map_or("not known".into(), |l| l.to_string())),
        ]
    }
}
