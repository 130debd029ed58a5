//! What a protocol brings to the playground beyond the spine's [`Registered`]:
//! the scenario it opens with, what "the configuration" is, and the status
//! bar's summary. Raft and the store have boards; the runner, time travel,
//! faults, menus, drag-to-partition, the log and share links are the
//! playground's own and serve both.

use crate::protocols::raft::{cluster, Raft, MAX_NODES};
use crate::protocols::store::node::StoreNode;
use crate::scenario::{Registered, Scenario};
use crate::sim::Sim;

pub trait Board: Registered {
    /// The most nodes the view draws.
    const MAX_VIEW_NODES: u32;
    /// The event log's filter: (kind, what it is called here).
    const LOG_KINDS: &'static [(&'static str, &'static str)];
    /// The scenario the view opens with.
    fn default_scenario() -> Scenario;
    /// The nodes in the configuration, as a bit set (default: all).
    fn members(sim: &Sim<Self>) -> u32 {
        if sim.len() >= 32 {
            u32::MAX
        } else {
            (1u32 << sim.len()) - 1
        }
    }
    /// One line for the status bar.
    fn summary(sim: &Sim<Self>) -> String;
}

impl Board for Raft {
    const MAX_VIEW_NODES: u32 = MAX_NODES;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &super::LOG_KINDS;

    fn default_scenario() -> Scenario {
        super::settings::playground()
    }

    /// The configuration as the leader sees it (or, with no leader, every
    /// server any live server counts as a member).
    fn members(sim: &Sim<Raft>) -> u32 {
        match cluster::leader(sim).and_then(|l| sim.node(l)) {
            Some(r) => r.members(),
            None => (0..sim.len()).filter_map(|n| sim.node(n)).fold(0, |m, r| m | r.members()),
        }
    }

    fn summary(sim: &Sim<Raft>) -> String {
        match cluster::leader(sim) {
            Some(l) => format!("leader n{l} · term {}", sim.node(l).map_or(0, |r| r.term())),
            None => format!("no leader · term {}", cluster::max_term(sim)),
        }
    }
}

impl Board for StoreNode {
    const MAX_VIEW_NODES: u32 = 20;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &super::STORE_LOG_KINDS;

    fn default_scenario() -> Scenario {
        super::settings::store()
    }

    fn summary(sim: &Sim<StoreNode>) -> String {
        let pending: usize = (0..sim.len()).filter_map(|n| sim.node(n)).map(StoreNode::pending_requests).sum();
        let hints: usize = (0..sim.len()).filter_map(|n| sim.node(n)).map(|s| s.hints().count()).sum();
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!("{} in progress · {} held", plural(pending, "request", "requests"), plural(hints, "hint", "hints"))
    }
}
