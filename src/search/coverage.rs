//! Coverage guidance: an abstraction of the cluster's state, sampled along
//! each run, so that the search keeps the schedules that reach states no
//! earlier schedule reached and mutates them (as AFL keeps inputs that
//! reach new branches; Zalewski, "american fuzzy lop", 2013).
//!
//! The abstraction is each node's status and the protocol's value for it
//! ([`Runnable::abstract_nodes`]), sorted so that which node is which does
//! not count, and the partition's shape (its groups' sizes, and how many
//! one-way cuts there are, up to 3).

use crate::contract::Runnable;
use crate::sim::trace::StableHasher;
use crate::sim::{NodeStatus, Sim};
use std::hash::{Hash, Hasher};

/// The abstract state of `sim` now, as one hash. `scratch` is reused
/// between calls.
pub fn abstract_state<P: Runnable>(sim: &Sim<P>, scratch: &mut Vec<u64>) -> u64 {
    scratch.clear();
    P::abstract_nodes(sim, scratch);
    let status = |i: u32| match sim.status(i) {
        NodeStatus::Up => 0u64,
        NodeStatus::Paused => 1,
        NodeStatus::Crashed => 2,
    };
    let n = sim.len();
    let mut nodes: Vec<(u64, u64)> =
        (0..n).map(|i| (status(i), scratch.get(i as usize).copied().unwrap_or(0))).collect();
    nodes.sort_unstable();
    let mut groups: Vec<u32> = sim.network().groups().to_vec();
    groups.sort_unstable();
    let mut sizes: Vec<usize> = groups.chunk_by(|a, b| a == b).map(<[u32]>::len).collect();
    sizes.sort_unstable();
    let mut h = StableHasher::default();
    nodes.hash(&mut h);
    sizes.hash(&mut h);
    sim.network().cuts().count().min(3).hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Raft;
    use crate::scenario::{Runner, Scenario};

    fn runner() -> Runner<Raft> {
        let s = r#"{"version":1,"protocol":{"raft":{}},"nodes":3,"seed":1,"duration_ms":2000}"#;
        Runner::build(Scenario::from_json(s).unwrap()).unwrap()
    }

    /// Renaming nodes does not change the abstract state; a crash, a
    /// partition or a new leader does.
    #[test]
    fn the_abstraction_ignores_names_and_sees_what_matters() {
        let mut scratch = Vec::new();
        let mut r = runner();
        let start = abstract_state(r.sim(), &mut scratch);
        r.run_until(1_000_000);
        let led = abstract_state(r.sim(), &mut scratch);
        assert_ne!(start, led, "a leader was elected");
        let leader = Raft::leader(r.sim()).expect("a leader");
        let (mut a, mut b) = (r.clone(), r.clone());
        a.act(crate::contract::Action::Crash { node: crate::contract::Target::Node((leader + 1) % 3) });
        b.act(crate::contract::Action::Crash { node: crate::contract::Target::Node((leader + 2) % 3) });
        let (sa, sb) = (abstract_state(a.sim(), &mut scratch), abstract_state(b.sim(), &mut scratch));
        assert_eq!(sa, sb, "either follower down is the same state");
        assert_ne!(sa, led);
        let mut c = r.clone();
        c.act(crate::contract::Action::Isolate { node: crate::contract::Target::Node(leader) });
        assert_ne!(abstract_state(c.sim(), &mut scratch), led);
    }
}
