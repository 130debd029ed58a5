//! The bug zoo: every broken variant of every protocol, each a scenario
//! that runs it, with what is wrong and which property catches it. The
//! Find a bug panel lists them; *find it yourself* loads one as a mystery
//! (its name and description say only that something is broken) for a
//! person to break by hand before asking the searcher.
//!
//! Each variant's scenario has no crash, pause or cut in it: its bug shows
//! only when faults (or, for the claims, ordinary concurrency) expose it,
//! which is what the searcher and the person are for. Skewed clocks, where
//! a variant needs them, are part of its world. `zoo_bar` in the search tests holds
//! every one to the bar: found within 60 s of native search and shrunk to
//! at most 20 timeline actions.

use crate::scenario::Scenario;

/// One broken variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Variant {
    pub id: &'static str,
    /// The protocol's name as the page shows it.
    pub protocol: &'static str,
    pub title: &'static str,
    /// What is wrong, and why it matters: shown once the person asks.
    pub explanation: &'static str,
    /// The property whose checker catches it.
    pub property: &'static str,
    json: &'static str,
}

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

/// A 5-node store (N = 3) under 8 clients on 4 keys, anti-entropy every
/// 100 ms, for 8 s.
macro_rules! store {
    ($options:literal) => {
        concat!(
            r#"{"version":1,"protocol":{"store":{"#,
            $options,
            r#""anti_entropy_ms":100,"workload":{"clients":8,"think_ms":20,"keys":4,"stop_ms":3000}}},"nodes":5,"seed":1,"duration_ms":8000}"#
        )
    };
}

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
    Variant {
        id: "store-server-context",
        protocol: "Store",
        title: "Versions stamped with the server's context",
        explanation: "A coordinator stamps a new version with everything it holds rather than what the client \
                      read (dotted version vectors need the client's context). The new version then claims to \
                      supersede siblings its writer never saw, and they are discarded.",
        property: "Causality",
        json: store!(r#""bug":"server_context","#),
    },
    Variant {
        id: "store-keep-one-sibling",
        protocol: "Store",
        title: "Keeps one sibling",
        explanation: "Where two concurrent writes leave siblings, a replica keeps only one of them. The other \
                      write was acknowledged and is gone: the store loses writes without even last-writer-wins \
                      to blame.",
        property: "No Lost Write",
        json: store!(r#""bug":"keep_one_sibling","#),
    },
    Variant {
        id: "store-sync-without-repair",
        protocol: "Store",
        title: "Anti-entropy that compares and never repairs",
        explanation: "Replicas exchange Merkle trees and find where they differ, but never send the differing \
                      keys. A replica that missed a write while cut off stays behind for ever once the hints are \
                      gone.",
        property: "Convergence",
        json: store!(r#""bug":"sync_without_repair","#),
    },
    Variant {
        id: "store-slow-sync",
        protocol: "Store",
        title: "Anti-entropy that repairs too slowly",
        explanation: "Anti-entropy repairs only part of what differs each round, three times slower than the \
                      bound the design promises: replicas converge, but later than the stated bound.",
        property: "Convergence",
        json: store!(r#""bug":"slow_sync","#),
    },
    Variant {
        id: "store-weak-quorum-claimed-linearizable",
        protocol: "Store",
        title: "R + W \u{2264} N, claimed linearizable",
        explanation: "With N = 3, R = 1 and W = 1 a read and a write need not meet on any replica, so a read can \
                      miss a write acknowledged before it began. The design claims linearizability anyway; the \
                      history checker (Herlihy and Wing) finds a read no order of the operations explains.",
        property: "Linearizability",
        json: store!(r#""r":1,"w":1,"claim_linearizable":true,"#),
    },
    Variant {
        id: "store-lww-skew-claimed-linearizable",
        protocol: "Store",
        title: "Last writer wins under clock skew, claimed linearizable",
        explanation: "Quorums overlap (R = W = 2, N = 3), but conflicts are resolved by the coordinator's clock, \
                      and n0's clock runs 3 s behind. A write n0 coordinates is stamped earlier than writes it \
                      follows in real time, and loses to them: a later read returns the older value.",
        property: "Linearizability",
        json: r#"{"version":1,"protocol":{"store":{"resolution":"lww","claim_linearizable":true,"anti_entropy_ms":100,"workload":{"clients":8,"think_ms":20,"keys":4,"read_before_write":false,"stop_ms":3000}}},"nodes":5,"seed":1,"duration_ms":8000,"timeline":[{"at_ms":0,"action":"skew","node":0,"offset_ms":-3000,"drift_ppm":0}]}"#,
    },
    Variant {
        id: "gossip-replace-on-pull",
        protocol: "Gossip",
        title: "Anti-entropy that replaces instead of merging",
        explanation: "A site that pulls copies its partner's state instead of merging it with its own (Demers et \
                      al. merge). A pull answered by a site that has not heard the update makes the puller forget \
                      it.",
        property: "No Un-learning",
        json: r#"{"version":1,"protocol":{"gossip":{"mode":"anti-entropy","exchange":"pull","period_ms":100,"bug":"replace_on_pull"}},"nodes":30,"seed":1,"duration_ms":4000}"#,
    },
    Variant {
        id: "swim-suspect-forever",
        protocol: "SWIM",
        title: "Suspicion that never ends",
        explanation: "The suspicion timer never declares a suspect failed, so a crashed member stays suspect \
                      for ever and no one learns it failed (SWIM \u{a7}4.2).",
        property: "Strong Completeness",
        json: r#"{"version":1,"protocol":{"swim":{"period_ms":200,"suspicion_ms":600,"bug":"suspect_forever"}},"nodes":20,"seed":1,"duration_ms":30000}"#,
    },
    Variant {
        id: "swim-ignore-incarnation",
        protocol: "SWIM",
        title: "SWIM without incarnations",
        explanation: "Updates are applied without comparing incarnation numbers (SWIM \u{a7}4.2), so a stale \
                      suspicion overrides a member's refutation of it: a live member is suspected again after it \
                      has answered.",
        property: "Incarnation Precedence",
        json: r#"{"version":1,"protocol":{"swim":{"period_ms":200,"suspicion_ms":600,"bug":"ignore_incarnation"}},"nodes":20,"seed":1,"duration_ms":30000}"#,
    },
];

impl Variant {
    /// The variant by its id.
    pub fn find(id: &str) -> Option<&'static Variant> {
        ZOO.iter().find(|v| v.id == id)
    }

    /// The variant's scenario, named for what it is.
    pub fn scenario(&self) -> Scenario {
        let mut s = Scenario::from_json(self.json).expect("the zoo's scenarios are valid");
        s.name = format!("Bug zoo: {}", self.title);
        s.description = self.explanation.to_string();
        s
    }

    /// The variant a mystery's name names (`Mystery 3: …`), if it is one.
    pub fn of_mystery(name: &str) -> Option<&'static Variant> {
        let (number, _) = name.strip_prefix("Mystery ")?.split_once(':')?;
        let v = ZOO.get(number.parse::<usize>().ok()?.checked_sub(1)?)?;
        (v.mystery_name() == name).then_some(v)
    }

    fn mystery_name(&self) -> String {
        let number = ZOO.iter().position(|v| v.id == self.id).map_or(0, |i| i + 1);
        format!("Mystery {number}: a {} cluster with a bug", self.protocol)
    }

    /// The scenario as a mystery: its name and description say only that
    /// something in this protocol is broken.
    pub fn mystery(&self) -> Scenario {
        let mut s = self.scenario();
        s.name = self.mystery_name();
        s.description = format!(
            "One rule of this {} cluster is broken. Crash, pause and isolate nodes, cut links and skew clocks \
             until a checker reports a violation; or open Find a bug and let the searcher try.",
            self.protocol
        );
        s
    }
}
