//! Gossip's bug zoo: anti-entropy that replaces instead of merging.

use crate::contract::Variant;

/// This protocol's broken variants, each a scenario that runs it.
pub const ZOO: &[Variant] = &[Variant {
    id: "gossip-replace-on-pull",
    protocol: "Gossip",
    title: "Anti-entropy that replaces instead of merging",
    explanation: "A site that pulls copies its partner's state instead of merging it with its own (Demers et \
                      al. merge). A pull answered by a site that has not heard the update makes the puller forget \
                      it.",
    property: "No Un-learning",
    json: r#"{"version":1,"protocol":{"gossip":{"mode":"anti-entropy","exchange":"pull","period_ms":100,"bug":"replace_on_pull"}},"nodes":30,"seed":1,"duration_ms":4000}"#,
}];
