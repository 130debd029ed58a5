//! What a store run counts, summed over seeds by `splitbrain run --seeds`
//! (the definitions are in [`super::observe`]).

use super::node::StoreNode;
use crate::contract::Counts;
use crate::sim::{NodeId, Sim, Time};
use crate::stats::round3;
use serde::Serialize;

/// Where a request's coordinator stood when the request began: with every
/// node in reach, or on the majority or minority side of a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Every node reachable.
    Connected,
    Majority,
    Minority,
}

impl Side {
    pub fn of(sim: &Sim<StoreNode>, node: NodeId) -> Side {
        Side::in_network(sim.network(), node)
    }

    /// Where `node` stands in `net`, whatever protocol runs on it.
    pub fn in_network(net: &crate::sim::network::Network, node: NodeId) -> Side {
        if !net.is_partitioned() && net.cuts().next().is_none() {
            return Side::Connected;
        }
        let g = net.groups();
        let mine = g[node as usize];
        if 2 * g.iter().filter(|x| **x == mine).count() > g.len() {
            Side::Majority
        } else {
            Side::Minority
        }
    }
}

/// Requests invoked and answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Served {
    pub invoked: u64,
    pub answered: u64,
}

impl Served {
    pub fn fraction(&self) -> Option<f64> {
        (self.invoked > 0).then(|| round3(self.answered as f64 / self.invoked as f64))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StoreCounts {
    pub connected: Served,
    pub majority_side: Served,
    pub minority_side: Served,
    pub reads: u64,
    pub stale_reads: u64,
    pub writes_acked: u64,
    pub lost_writes: u64,
    pub failed: u64,
    pub retried: u64,
    pub read_repairs: u64,
    pub read_repair_bytes: u64,
    pub hinted: u64,
    pub handoff_messages: u64,
    pub handoff_bytes: u64,
    pub sync_rounds: u64,
    pub sync_messages: u64,
    pub sync_bytes: u64,
    /// What the same rounds would have sent as full-state exchanges.
    pub sync_full_bytes: u64,
    pub max_sibling_keys: u64,
    pub max_divergence_us: Time,
    /// Inventory orders refunded or back-ordered (each once).
    pub compensations: u64,
}

impl StoreCounts {
    pub(super) fn side(&mut self, s: Side) -> &mut Served {
        match s {
            Side::Connected => &mut self.connected,
            Side::Majority => &mut self.majority_side,
            Side::Minority => &mut self.minority_side,
        }
    }

    pub fn repair_bytes(&self) -> u64 {
        self.read_repair_bytes + self.handoff_bytes + self.sync_bytes
    }

    pub fn repair_messages(&self) -> u64 {
        self.read_repairs + self.handoff_messages + self.sync_messages
    }
}

impl Counts for StoreCounts {
    fn merge(&mut self, o: &Self) {
        for (a, b) in [
            (&mut self.connected, o.connected),
            (&mut self.majority_side, o.majority_side),
            (&mut self.minority_side, o.minority_side),
        ] {
            a.invoked += b.invoked;
            a.answered += b.answered;
        }
        for (a, b) in [
            (&mut self.reads, o.reads),
            (&mut self.stale_reads, o.stale_reads),
            (&mut self.writes_acked, o.writes_acked),
            (&mut self.lost_writes, o.lost_writes),
            (&mut self.failed, o.failed),
            (&mut self.retried, o.retried),
            (&mut self.read_repairs, o.read_repairs),
            (&mut self.read_repair_bytes, o.read_repair_bytes),
            (&mut self.hinted, o.hinted),
            (&mut self.handoff_messages, o.handoff_messages),
            (&mut self.handoff_bytes, o.handoff_bytes),
            (&mut self.sync_rounds, o.sync_rounds),
            (&mut self.sync_messages, o.sync_messages),
            (&mut self.sync_bytes, o.sync_bytes),
            (&mut self.sync_full_bytes, o.sync_full_bytes),
            (&mut self.compensations, o.compensations),
        ] {
            *a += b;
        }
        self.max_sibling_keys = self.max_sibling_keys.max(o.max_sibling_keys);
        self.max_divergence_us = self.max_divergence_us.max(o.max_divergence_us);
    }
}
