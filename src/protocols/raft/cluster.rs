//! Cluster-level views used by drivers, experiments and the UI.

use super::{Raft, Role};
use crate::sim::{NodeId, NodeStatus, Sim};

/// The live leader with the highest term, if any (an oracle's view).
pub fn leader(sim: &Sim<Raft>) -> Option<NodeId> {
    (0..sim.len())
        .filter(|n| sim.status(*n) == NodeStatus::Up)
        .filter_map(|n| sim.node(n).map(|r| (n, r)))
        .filter(|(_, r)| r.role() == Role::Leader)
        .max_by_key(|(n, r)| (r.term(), u32::MAX - n))
        .map(|(n, _)| n)
}

/// The highest term any server has reached (crashed ones included).
pub fn max_term(sim: &Sim<Raft>) -> u64 {
    (0..sim.len())
        .map(|n| match sim.node(n) {
            Some(r) => r.term(),
            None => sim.persisted(n).map_or(0, |p| p.current_term),
        })
        .max()
        .unwrap_or(0)
}
