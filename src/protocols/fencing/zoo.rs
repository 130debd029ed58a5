//! The fencing bug zoo: a resource that checks no tokens, and one that
//! does a task again when it is sent again.

use crate::contract::Variant;

pub const ZOO: &[Variant] = &[
    Variant {
        id: "fencing-no-token-check",
        protocol: "Fencing",
        title: "A resource that checks no tokens",
        explanation: "The resource accepts every write, whatever its token, so a client that paused past its \
                      lease and wakes up still believing it holds it overwrites the new holder's work \
                      (Kleppmann 2016; Chubby \u{a7}2.4, sequencers).",
        property: "Fenced Writes",
        json: r#"{"version":1,"protocol":{"fencing":{"bug":"no_token_check"}},"nodes":5,"seed":1,"duration_ms":3000}"#,
    },
    Variant {
        id: "fencing-no-idempotency",
        protocol: "Fencing",
        title: "Tasks without idempotency keys",
        explanation: "The resource does a task again when a new lease holder sends it again after a failover, \
                      so a task is done twice (Kleppmann, DDIA ch. 11: idempotence).",
        property: "Exactly Once",
        json: r#"{"version":1,"protocol":{"fencing":{"bug":"no_idempotency"}},"nodes":5,"seed":1,"duration_ms":3000}"#,
    },
];
