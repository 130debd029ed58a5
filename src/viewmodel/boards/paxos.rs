//! Paxos on the board view: the scenario it opens with, its settings form,
//! its status line and what the inspector shows of a node.

use crate::contract::Observer;
use crate::protocols::paxos::{agreement, promises, validity, Paxos, PaxosSpec};
use crate::scenario::{LinkSpec, ProtocolSpec, Scenario};
use crate::sim::{NodeId, Sim};
use crate::viewmodel::playground::{Board, Knob, KnobKind, Playground};

/// Paxos as its face draws it.
pub mod seen {
    pub use crate::protocols::paxos::{value_of, Msg, Paxos};
}

const KINDS: [(&str, &str); 7] = super::log_kinds("ballots & learning");

const KNOBS: [Knob; 7] = [
    Knob { key: "proposers", label: "Proposers", tip: "The nodes that propose, each its own value (100 + its number), e.g. 0, 1", kind: KnobKind::Nodes },
    Knob { key: "backoff", label: "Back-off", tip: "After a refusal a proposer waits: fixed (the same wait every time, so two proposers can duel for ever) or random (up to four times it, drawn anew: one wins)", kind: KnobKind::Choice(&["fixed", "random"]) },
    Knob { key: "backoff_ms", label: "Back-off ms", tip: "The wait after a refusal (random: up to four times this)", kind: KnobKind::Number },
    Knob { key: "timeout_ms", label: "Timeout ms", tip: "A ballot that has chosen nothing by then is tried again, higher", kind: KnobKind::Number },
    Knob { key: "q1", label: "Q1", tip: "Flexible quorums: promises a proposer needs before phase 2 (empty: a majority). Safe only with Q1 + Q2 > nodes", kind: KnobKind::Optional },
    Knob { key: "q2", label: "Q2", tip: "Flexible quorums: acceptances that choose a value (empty: a majority). Safe only with Q1 + Q2 > nodes", kind: KnobKind::Optional },
    Knob { key: "bug", label: "Bug", tip: "A deliberately broken variant, for the checkers to catch: acceptors that forget their promises on restart, a proposer that ignores accepted values, or one that proposes its ballot number", kind: KnobKind::Choice(&["", "forget_promise", "ignore_accepted", "ballot_as_value"]) },
];

impl Board for Paxos {
    const MAX_VIEW_NODES: u32 = 20;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &KINDS;
    const KNOBS: &'static [Knob] = &KNOBS;
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[
        (agreement::PROPERTY, agreement::REFERENCE, "No two learners learn different values, and none learns one and then another."),
        (validity::PROPERTY, validity::REFERENCE, "Only a value some proposer proposed is chosen."),
        (promises::PROPERTY, promises::REFERENCE, "An acceptor never goes back on a promise: none at or below it again, no acceptance below it, across restarts."),
    ];

    /// Five acceptors, nodes 0 and 1 proposing, with random back-off.
    fn default_scenario() -> Scenario {
        Scenario {
            name: "paxos".into(),
            protocol: ProtocolSpec::Paxos(PaxosSpec::default()),
            network: LinkSpec { latency_ms: [10.0, 20.0], ..LinkSpec::default() },
            duration_ms: crate::scenario::Millis::from_ms(10_000),
            ..Scenario::raft(5, 1)
        }
    }

    fn summary(sim: &Sim<Paxos>) -> String {
        let nodes = || (0..sim.len()).filter_map(|n| sim.node(n));
        let ballot = nodes().map(Paxos::ballot).chain(nodes().map(Paxos::promised)).max().unwrap_or(0);
        let learned: Vec<u64> = nodes().filter_map(Paxos::learned).collect();
        match learned.first() {
            Some(v) => format!("{v} learned by {} of {} · ballot b{ballot}", learned.len(), sim.len()),
            None => format!("nothing chosen yet · ballot b{ballot}"),
        }
    }

    fn figures(pg: &Playground<Paxos>) -> Vec<(&'static str, f64)> {
        let c = pg.metrics().protocol;
        let decided = pg.observed().figures(pg.sim()).decided_ms.unwrap_or(f64::NAN);
        vec![
            ("ballots started", c.ballots as f64),
            ("refusals (Nack)", c.nacks as f64),
            ("nodes that learned", c.learners as f64),
            ("first learned at (ms)", decided),
        ]
    }

    fn inspect(sim: &Sim<Paxos>, n: NodeId) -> Vec<(&'static str, String)> {
        let Some(p) = sim.node(n) else { return Vec::new() };
        let proposer = sim.config().proposers.contains(&n);
        let mut rows = vec![
            ("promised", if p.promised() == 0 { "nothing".into() } else { format!("b{}", p.promised()) }),
            ("accepted", p.accepted().map_or("nothing".into(), |(b, v)| format!("{v} in b{b}"))),
            ("learned", p.learned().map_or("nothing yet".into(), |v| v.to_string())),
        ];
        if proposer {
            let doing = p.proposing().unwrap_or("waiting");
            rows.insert(0, ("proposes", format!("{} · b{} · {doing}", seen::value_of(n), p.ballot())));
        }
        rows
    }
}
