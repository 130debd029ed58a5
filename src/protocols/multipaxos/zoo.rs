//! Multi-Paxos's bug zoo: a leader that ignores what its promises report,
//! a learner that applies past gaps, a leader that answers reads on its
//! own, and flexible quorums that do not intersect.

use crate::contract::Variant;

pub const ZOO: &[Variant] = &[
    Variant {
        id: "multipaxos-ignore-accepted",
        protocol: "Multi-Paxos",
        title: "A new leader that ignores accepted values",
        explanation: "After phase 1 the new leader proposes its own commands from the end of what it has learned, \
                      instead of re-proposing the values its promises reported (Paxos Made Simple \u{a7}3), so a \
                      slot chosen under the old leader can be chosen again with another value.",
        property: "Log Safety",
        json: r#"{"version":1,"protocol":{"multipaxos":{"bug":"ignore_accepted"}},"nodes":5,"seed":1,"duration_ms":4000,"client":{"interval_ms":20}}"#,
    },
    Variant {
        id: "multipaxos-apply-gaps",
        protocol: "Multi-Paxos",
        title: "A learner that applies past gaps",
        explanation: "A node applies each slot as soon as it learns it, before the slots below it, so its state \
                      machine runs the commands in another order than the log's (Paxos Made Simple \u{a7}3: \
                      command i only after commands 1 through i \u{2212} 1).",
        property: "State Machine Safety",
        json: r#"{"version":1,"protocol":{"multipaxos":{"bug":"apply_gaps"}},"nodes":5,"seed":1,"duration_ms":4000,"network":{"latency_ms":[1,30],"loss":0.1},"client":{"interval_ms":10}}"#,
    },
    Variant {
        id: "multipaxos-local-reads",
        protocol: "Multi-Paxos",
        title: "A leader that answers reads on its own",
        explanation: "The leader answers a read from its own state at once, without putting it through the log, so \
                      a leader that a new ballot has deposed (cut off, or paused) still answers, with a count the \
                      new leader has moved past.",
        property: "Linearizable Reads",
        json: r#"{"version":1,"protocol":{"multipaxos":{"bug":"local_reads"}},"nodes":5,"seed":1,"duration_ms":4000,"client":{"interval_ms":20,"reads":true}}"#,
    },
    Variant {
        id: "multipaxos-small-quorums",
        protocol: "Multi-Paxos",
        title: "Flexible quorums that do not intersect",
        explanation: "Six acceptors with phase-1 and phase-2 quorums of three: 3 + 3 is not more than 6 (Howard et \
                      al. 2016 \u{a7}3), so a new leader's phase 1 can miss every acceptor that accepted a chosen \
                      value, and choose another in its slot.",
        property: "Log Safety",
        json: r#"{"version":1,"protocol":{"multipaxos":{"q1":3,"q2":3}},"nodes":6,"seed":1,"duration_ms":4000,"client":{"interval_ms":20}}"#,
    },
];
