//! The store's bug zoo: its broken variants ([`super::config::StoreBug`])
//! and two designs that claim linearizability without having it.

use crate::contract::Variant;

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

/// This protocol's broken variants, each a scenario that runs it.
pub const ZOO: &[Variant] = &[
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
];
