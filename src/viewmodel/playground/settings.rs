//! The settings form edits a draft scenario: a reset loads the draft. There
//! is no separate settings type: a field of the form is a field of
//! [`Scenario`] (or of its [`RaftParams`]), so a new option is added once.

use crate::protocols::raft::RaftParams;
use crate::scenario::{LinkSpec, ProtocolSpec, Scenario};

/// The scenario the playground opens with and settings links start from.
pub fn playground() -> Scenario {
    let raft = RaftParams { election_timeout_ms: [150.0, 300.0], heartbeat_ms: 50.0, ..RaftParams::default() };
    Scenario {
        name: "playground".into(),
        protocol: ProtocolSpec::Raft(raft),
        network: LinkSpec { latency_ms: [10.0, 20.0], ..LinkSpec::default() },
        ..Scenario::raft(5, 1)
    }
}

/// The scenario the store view opens with: five nodes, N = 3, R = W = 2,
/// four clients over eight keys.
pub fn store() -> Scenario {
    use crate::protocols::store::spec::{StoreSpec, WorkloadSpec};
    let workload = WorkloadSpec { clients: 4, think_ms: 300.0, keys: 8, ..WorkloadSpec::default() };
    Scenario {
        name: "store".into(),
        protocol: ProtocolSpec::Store(StoreSpec { workload: Some(workload), ..StoreSpec::default() }),
        network: LinkSpec { latency_ms: [10.0, 20.0], ..LinkSpec::default() },
        duration_ms: crate::scenario::Millis::from_ms(60_000),
        ..Scenario::raft(5, 1)
    }
}

/// The draft's Raft parameters (a draft of another protocol edits a
/// throwaway copy: the Raft view loads only Raft scenarios).
pub fn raft(s: &mut Scenario) -> &mut RaftParams {
    if !matches!(s.protocol, ProtocolSpec::Raft(_)) {
        s.protocol = ProtocolSpec::Raft(RaftParams::default());
    }
    match &mut s.protocol {
        ProtocolSpec::Raft(r) => r,
        _ => unreachable!("set just above"),
    }
}

/// How many of the highest-numbered servers start outside the configuration.
pub fn spares(s: &Scenario) -> u32 {
    match &s.protocol {
        ProtocolSpec::Raft(r) => r.members.as_ref().map_or(0, |m| s.nodes.saturating_sub(m.len() as u32)),
        _ => 0,
    }
}

/// Starts the `k` highest-numbered servers outside the configuration (at
/// least one server stays a member).
pub fn set_spares(s: &mut Scenario, k: u32) {
    let nodes = s.nodes;
    let k = k.min(nodes.saturating_sub(1));
    raft(s).members = (k > 0).then(|| (0..nodes - k).collect());
}

/// Changes the cluster size, keeping the number of spare servers.
pub fn set_nodes(s: &mut Scenario, nodes: u32) {
    let k = spares(s);
    s.nodes = nodes;
    if k > 0 {
        set_spares(s, k);
    }
}

/// How many leader patterns the draft turns on, for the menu's label.
pub fn patterns_on(s: &Scenario) -> usize {
    let ProtocolSpec::Raft(r) = &s.protocol else { return 0 };
    [
        r.lease_drift_bound_ppm.is_some(),
        !r.witnesses.is_empty(),
        r.rotate_every_ms.is_some() || r.rotate_every_commits.is_some(),
        r.snapshot_every.is_some(),
        spares(s) > 0,
    ]
    .iter()
    .filter(|x| **x)
    .count()
}
