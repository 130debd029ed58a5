//! Raft's bug zoo: its broken variants ([`super::config::Bug`]) and a lease
//! without its drift margin, each with what is wrong and the property that
//! catches it.

use crate::contract::Variant;

/// A 5-server Raft cluster under a client writing and reading every 20 ms.
macro_rules! raft {
    ($options:literal) => {
        concat!(
            r#"{"version":1,"protocol":{"raft":{"#,
            $options,
            r#"}},"nodes":5,"seed":1,"duration_ms":4000,"client":{"interval_ms":20,"reads":true}}"#
        )
    };
}

/// This protocol's broken variants, each a scenario that runs it.
pub const ZOO: &[Variant] = &[
    Variant {
        id: "raft-vote-twice",
        protocol: "Raft",
        title: "A server votes twice in one term",
        explanation: "A follower grants its vote to every candidate of a term, forgetting that it already voted. \
                      Two candidates of the same term can then both win a majority: two leaders in one term \
                      (Raft \u{a7}5.2 allows one vote per server per term, kept on stable storage).",
        property: "Election Safety",
        json: raft!(r#""bug":"vote_twice""#),
    },
    Variant {
        id: "raft-vote-without-log-check",
        protocol: "Raft",
        title: "Votes without the up-to-date check",
        explanation: "A server votes for a candidate whose log is behind its own (\u{a7}5.4.1 refuses). A server \
                      that missed committed entries can be elected, and its log overwrites them on the others: \
                      a committed entry is lost.",
        property: "Leader Completeness",
        json: raft!(r#""bug":"vote_without_log_check""#),
    },
    Variant {
        id: "raft-skip-prev-term-check",
        protocol: "Raft",
        title: "Appends without checking prevLogTerm",
        explanation: "A follower appends a leader's entries after checking only the index of the entry before \
                      them, not its term (\u{a7}5.3). After a leader change its log can hold entries of two \
                      histories spliced together, and two logs that agree on an index disagree before it.",
        property: "Log Matching",
        json: raft!(r#""bug":"skip_prev_term_check""#),
    },
    Variant {
        id: "raft-leader-overwrites",
        protocol: "Raft",
        title: "A leader overwrites its own entry",
        explanation: "A leader replaces its newest uncommitted entry with a new client request instead of \
                      appending (\u{a7}5.3: a leader never overwrites or deletes its own entries). A follower \
                      that already holds the old entry then disagrees with the leader at the same index and term.",
        property: "Leader Append-Only",
        json: raft!(r#""bug":"leader_overwrites_uncommitted""#),
    },
    Variant {
        id: "raft-figure-8",
        protocol: "Raft",
        title: "Commits an old term's entry by counting (Figure 8)",
        explanation: "A new leader commits an entry of an earlier term as soon as a majority stores it. The \
                      paper's Figure 8 shows how a later leader can still overwrite that entry; \u{a7}5.4.2 \
                      commits only entries of the leader's own term by counting. The next leader can lack an \
                      entry counted as committed. No no-op entry at election and rare requests leave the \
                      window open.",
        property: "Leader Completeness",
        json: r#"{"version":1,"protocol":{"raft":{"bug":"commit_previous_term_by_count","leader_noop":false}},"nodes":5,"seed":1,"duration_ms":10000,"client":{"interval_ms":500,"reads":false}}"#,
    },
    Variant {
        id: "raft-witness-campaigns",
        protocol: "Raft",
        title: "A witness campaigns",
        explanation: "A witness votes and stores log metadata but has no state machine; it must never lead. \
                      Here witnesses campaign like full servers, and one that wins leads a cluster it cannot serve.",
        property: "Witness Never Leads",
        json: raft!(r#""bug":"witness_campaigns","witnesses":[4]"#),
    },
    Variant {
        id: "raft-read-without-round",
        protocol: "Raft",
        title: "Reads without the heartbeat round",
        explanation: "A leader answers a ReadIndex read at once, without the round of heartbeats that proves it \
                      still leads (dissertation \u{a7}6.4). A leader cut off from the others does not know it has \
                      been replaced, and answers with values the new leader has moved past.",
        property: "Linearizable Reads",
        json: raft!(r#""bug":"read_without_round""#),
    },
    Variant {
        id: "raft-read-uncommitted",
        protocol: "Raft",
        title: "Reads see uncommitted writes",
        explanation: "A leader answers reads from its whole log, counting requests it has appended but not \
                      committed. A read can then see a write that is never committed: a leader that crashes \
                      before replicating it takes the write with it.",
        property: "Linearizable Reads",
        json: raft!(r#""bug":"read_uncommitted""#),
    },
    Variant {
        id: "raft-lease-without-margin",
        protocol: "Raft",
        title: "A lease without its drift margin",
        explanation: "Leader leases (dissertation \u{a7}6.4.1) let a leader answer reads alone, for less than an \
                      election timeout, shrunk by a bound on clock drift. Here the bound is 0 while the servers' \
                      clocks run up to 30% slow or fast (exaggerated, to widen the window): a cut-off \
                      leader's slow clock keeps its lease after the others have elected a new leader, and two \
                      servers believe they hold it.",
        property: "Lease Exclusivity",
        json: r#"{"version":1,"protocol":{"raft":{"election_timeout_ms":[150,160],"heartbeat_ms":50,"lease_drift_bound_ppm":0}},"nodes":5,"seed":1,"duration_ms":4000,"network":{"latency_ms":[2,5]},"client":{"interval_ms":20,"reads":true},"timeline":[{"at_ms":0,"action":"skew","node":0,"offset_ms":0,"drift_ppm":-300000},{"at_ms":0,"action":"skew","node":1,"offset_ms":0,"drift_ppm":-150000},{"at_ms":0,"action":"skew","node":3,"offset_ms":0,"drift_ppm":150000},{"at_ms":0,"action":"skew","node":4,"offset_ms":0,"drift_ppm":300000}]}"#,
    },
];
