//! The federation's bug zoo: a region that spends past its share while cut
//! off, a global group that grants without checking the pool, and a
//! region's leader that answers before its region has chosen.

use crate::contract::Variant;

pub const ZOO: &[Variant] = &[
    Variant {
        id: "federation-spend-when-cut-off",
        protocol: "Federated regions",
        title: "A region that spends past its share while cut off",
        explanation: "Cut off from the global group, region ap goes on spending past its pre-allocated share, \
                      meaning to settle later; the fallback rule allows only the share (the Demarcation Protocol \
                      \u{a7}2: what the sites use stays within the limit).",
        property: "Quota",
        json: r#"{"version":1,"protocol":{"federation":{"quota":60,"share":4,"bug":"spend_when_cut_off"}},"nodes":9,"seed":1,"duration_ms":10000,"network":{"latency_ms":[2,5]},"regions":[{"name":"us","nodes":3},{"name":"eu","nodes":3},{"name":"ap","nodes":3}],"inter_region":{"latency_ms":[40,60]},"client":{"interval_ms":100},"timeline":[{"at_ms":2000,"action":"split_regions","groups":[["ap"]]},{"at_ms":8000,"action":"heal_all"}]}"#,
    },
    Variant {
        id: "federation-unchecked-global",
        protocol: "Federated regions",
        title: "A global group that grants without checking the policy",
        explanation: "The global group grants every draw without checking what is left of the pool, so once the \
                      clients want more than the quota, the regions spend more than it.",
        property: "Quota",
        json: r#"{"version":1,"protocol":{"federation":{"quota":20,"share":4,"bug":"unchecked_global"}},"nodes":9,"seed":1,"duration_ms":10000,"network":{"latency_ms":[2,5]},"regions":[{"name":"us","nodes":3},{"name":"eu","nodes":3},{"name":"ap","nodes":3}],"inter_region":{"latency_ms":[40,60]},"client":{"interval_ms":50},"timeline":[]}"#,
    },
    Variant {
        id: "federation-ack-early",
        protocol: "Federated regions",
        title: "A region leader that answers before its region chooses",
        explanation: "The leader of region us tells a client its write is done as soon as it proposes it. Cut off \
                      from the rest of its region, it goes on answering; the region elects another leader, which \
                      chooses other commands in those slots, and the writes the clients were told of are lost.",
        property: "Local Decisions",
        json: r#"{"version":1,"protocol":{"federation":{"quota":60,"share":5,"clients":"us","bug":"ack_early"}},"nodes":9,"seed":1,"duration_ms":10000,"network":{"latency_ms":[2,5]},"regions":[{"name":"us","nodes":3},{"name":"eu","nodes":3},{"name":"ap","nodes":3}],"inter_region":{"latency_ms":[40,60]},"client":{"interval_ms":100},"timeline":[{"at_ms":3000,"action":"isolate","node":2},{"at_ms":6000,"action":"heal_all"}]}"#,
    },
];
