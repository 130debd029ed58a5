//! SWIM's bug zoo: endless suspicion, and no incarnations.

use crate::contract::Variant;

/// This protocol's broken variants, each a scenario that runs it.
pub const ZOO: &[Variant] = &[
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
