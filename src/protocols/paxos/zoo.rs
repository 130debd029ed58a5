//! Paxos's bug zoo: acceptors without stable storage, a proposer that
//! drops the accepted value, and one that proposes its ballot number.

use crate::contract::Variant;

pub const ZOO: &[Variant] = &[
    Variant {
        id: "paxos-forget-promise",
        protocol: "Paxos",
        title: "Acceptors without stable storage",
        explanation: "Acceptors keep their promise and accepted proposal in memory only, so one that restarts has \
                      forgotten them and may promise or accept a lower ballot (Paxos Made Simple \u{a7}2.5: an \
                      acceptor must remember even if it fails and restarts).",
        property: "Promise Kept",
        json: r#"{"version":1,"protocol":{"paxos":{"proposers":[0,1,2],"bug":"forget_promise"}},"nodes":5,"seed":1,"duration_ms":3000}"#,
    },
    Variant {
        id: "paxos-ignore-accepted",
        protocol: "Paxos",
        title: "A proposer that ignores the accepted value",
        explanation: "In phase 2 the proposer asks for its own value even when a promise reports a value already \
                      accepted (Paxos Made Simple \u{a7}2.2, P2c), so a second value can be chosen after the first.",
        property: "Agreement",
        json: r#"{"version":1,"protocol":{"paxos":{"proposers":[0,1,2],"bug":"ignore_accepted"}},"nodes":5,"seed":1,"duration_ms":3000}"#,
    },
    Variant {
        id: "paxos-ballot-as-value",
        protocol: "Paxos",
        title: "A proposer that proposes its ballot number",
        explanation: "With no accepted value to carry, the proposer asks for its ballot number instead of its own \
                      value: a value no one proposed is chosen (Paxos Made Simple \u{a7}2.1).",
        property: "Validity",
        json: r#"{"version":1,"protocol":{"paxos":{"proposers":[0,1],"bug":"ballot_as_value"}},"nodes":5,"seed":1,"duration_ms":2000}"#,
    },
];
