//! **Lease Exclusivity** (Ongaro, "Consensus: Bridging Theory and Practice",
//! §6.4.1): at no instant of *true* time do two servers both believe they
//! hold a valid leader lease.
//!
//! A server's belief is a function of its own clock (leader, and local time
//! before the lease's end), so it can change between events. A second lease
//! can only begin at an event (a new leader's first majority of
//! acknowledgements), and the first lease's belief spans that instant if the
//! two overlap; so checking every server's belief after every step finds
//! every overlap.

use super::{At, Property, RaftChecker};
use crate::protocols::raft::Raft;
use crate::sim::invariant::Violation;
use crate::sim::Sim;

pub(super) fn check(c: &mut RaftChecker, sim: &Sim<Raft>, at: &At, out: &mut Vec<Violation>) {
    if sim.config().lease_drift_bound_ppm.is_none() {
        return;
    }
    let holders: Vec<(u32, u64)> = (0..sim.len())
        .filter_map(|n| sim.node(n).map(|r| (n, r)))
        .filter(|(n, r)| r.lease_valid(sim.local_time(*n)))
        .map(|(n, r)| (n, r.term()))
        .collect();
    if let [(a, ta), (b, tb), ..] = holders[..] {
        let detail = format!(
            "n{a} (term {ta}) and n{b} (term {tb}) both believe they hold a valid lease at true time {} ms; \
             a clock drifting past the configured bound makes a lease outlive the other servers' election timeouts",
            at.time_us as f64 / 1000.0
        );
        c.report(out, at, Property::LeaseExclusivity, vec![a, b], detail);
    }
}
