//! Multi-Paxos on the board view: the scenario it opens with, its settings
//! form, status line and what the inspector shows of a node.

use crate::contract::{Observer, Runnable};
use crate::protocols::multipaxos::{linearizable_reads, log_safety, state_machine_safety, MultiPaxos, MultiPaxosSpec};
use crate::scenario::{ClientLoad, LinkSpec, ProtocolSpec, Scenario};
use crate::sim::{NodeId, Sim};
use crate::viewmodel::playground::{Board, Knob, KnobKind, Playground};

/// Multi-Paxos as its face draws it.
pub mod seen {
    pub use crate::protocols::multipaxos::{Msg, MultiPaxos, Value};
}

const KINDS: [(&str, &str); 7] = super::log_kinds("ballots & the log");

const KNOBS: [Knob; 5] = [
    Knob { key: "heartbeat_ms", label: "Heartbeat ms", tip: "How often the leader says it leads, how far the log is chosen, and re-sends open proposals", kind: KnobKind::Number },
    Knob { key: "election_ms", label: "Election ms", tip: "A node that hears no leader this long (plus a random part up to as long again) runs phase 1", kind: KnobKind::Number },
    Knob { key: "q1", label: "Q1", tip: "Flexible quorums: promises a new leader needs (empty: a majority). Safe only with Q1 + Q2 > nodes", kind: KnobKind::Optional },
    Knob { key: "q2", label: "Q2", tip: "Flexible quorums: acceptances that choose a slot (empty: a majority). Safe only with Q1 + Q2 > nodes", kind: KnobKind::Optional },
    Knob { key: "bug", label: "Bug", tip: "A deliberately broken variant: a leader that ignores accepted values, a learner that applies past gaps, or a leader that answers reads on its own", kind: KnobKind::Choice(&["", "ignore_accepted", "apply_gaps", "local_reads"]) },
];

/// The last few learned slots, as "12 w5 · 13 r5 · 14 noop".
fn tail(p: &MultiPaxos) -> String {
    let log = p.log();
    let from = log.len().saturating_sub(6);
    let slots: Vec<String> =
        (from..log.len()).map(|s| log[s].map_or(format!("{s} ?"), |v| format!("{s} {v}"))).collect();
    if slots.is_empty() {
        "empty".into()
    } else {
        format!("{}{}", if from > 0 { "… " } else { "" }, slots.join(" · "))
    }
}

impl Board for MultiPaxos {
    const MAX_VIEW_NODES: u32 = 20;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &KINDS;
    const KNOBS: &'static [Knob] = &KNOBS;
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[
        (log_safety::PROPERTY, log_safety::REFERENCE, "No two nodes learn different values for the same slot of the log."),
        (
            state_machine_safety::PROPERTY,
            state_machine_safety::REFERENCE,
            "Every node applies the same commands in the same order, slot after slot with no gap.",
        ),
        (
            linearizable_reads::PROPERTY,
            linearizable_reads::REFERENCE,
            "Some order of the clients' writes and reads, each at an instant between its call and return, explains every read.",
        ),
    ];

    /// Five nodes, a write every 100 ms and a read after each.
    fn default_scenario() -> Scenario {
        Scenario {
            name: "multipaxos".into(),
            protocol: ProtocolSpec::MultiPaxos(MultiPaxosSpec::default()),
            network: LinkSpec { latency_ms: [5.0, 15.0], ..LinkSpec::default() },
            duration_ms: crate::scenario::Millis::from_ms(10_000),
            client: Some(ClientLoad { interval_ms: 100.0, reads: true }),
            ..Scenario::raft(5, 1)
        }
    }

    fn summary(sim: &Sim<MultiPaxos>) -> String {
        let chosen = (0..sim.len()).filter_map(|n| sim.node(n)).map(MultiPaxos::chosen).max().unwrap_or(0);
        let leader = match <MultiPaxos as Runnable>::leader(sim) {
            Some(l) => format!("n{l} leads b{}", sim.node(l).map_or(0, MultiPaxos::ballot)),
            None => "no leader".into(),
        };
        format!("{leader} · {chosen} slots chosen")
    }

    fn figures(pg: &Playground<MultiPaxos>) -> Vec<(&'static str, f64)> {
        let f = pg.observed().figures(pg.sim());
        vec![
            ("writes acknowledged", f.writes as f64),
            ("commit latency p50 (ms)", f.commit_ms.p50),
            ("leaders elected", f.elected as f64),
            ("ballots started", f.ballots as f64),
            ("longest gap with no write (ms)", f.longest_gap_ms),
        ]
    }

    fn inspect(sim: &Sim<MultiPaxos>, n: NodeId) -> Vec<(&'static str, String)> {
        let Some(p) = sim.node(n) else { return Vec::new() };
        let role = if p.leading() {
            format!("leader of b{} · {} proposals open", p.ballot(), p.open())
        } else if p.preparing() {
            format!("phase 1 with b{}", p.ballot())
        } else {
            "acceptor and learner".into()
        };
        let (applied, writes) = p.applied();
        vec![
            ("role", role),
            ("promised", if p.promised() == 0 { "nothing".into() } else { format!("b{}", p.promised()) }),
            ("learned", format!("{} slots without a gap", p.chosen())),
            ("log", tail(p)),
            ("state machine", format!("{applied} slots applied · {writes} writes")),
        ]
    }
}
