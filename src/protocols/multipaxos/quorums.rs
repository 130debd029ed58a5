//! Flexible quorums (Howard, Malkhi and Spiegelman, "Flexible Paxos:
//! Quorum intersection revisited", 2016, §4: Multi-Paxos).
//!
//! A leader's phase 1 must meet every phase-2 quorum that may have chosen
//! a value: |Q1| + |Q2| > N. In Multi-Paxos phase 1 runs once per leader
//! and phase 2 once per command, so a small Q2 makes every commit cheaper
//! (the leader waits for the fastest Q2 − 1 others) and a large Q1 makes
//! every leader change dearer: with Q1 = N − 1, one more crash stops any
//! new leader from being elected. With |Q1| + |Q2| ≤ N two leaders can
//! each choose a value in the same slot on either side of a partition;
//! Log Safety catches it.

use super::MultiPaxosConfig;
use crate::protocols::paxos::quorums::Flexible;

impl Flexible for MultiPaxosConfig {
    fn quorum_spec(&self) -> (u32, Option<u32>, Option<u32>) {
        (self.nodes, self.q1, self.q2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorums_default_to_majorities_and_intersect_only_when_they_sum_past_n() {
        let c = |nodes, q1, q2| MultiPaxosConfig { nodes, q1, q2, ..MultiPaxosConfig::default() };
        assert_eq!((c(6, None, None).phase1_quorum(), c(6, None, None).phase2_quorum()), (4, 4));
        assert_eq!((c(5, None, None).phase1_quorum(), c(5, None, None).phase2_quorum()), (3, 3));
        assert!(c(6, Some(5), Some(2)).quorums_intersect(), "5 + 2 > 6");
        assert!(!c(6, Some(3), Some(3)).quorums_intersect(), "3 + 3 = 6");
        assert!(!c(6, Some(4), Some(2)).quorums_intersect(), "4 + 2 = 6");
    }

    #[test]
    fn impossible_settings_are_refused_with_what_is_allowed() {
        use super::super::MultiPaxosSpec;
        let err = |s: MultiPaxosSpec, n| s.to_config(n).unwrap_err().to_string();
        let d = MultiPaxosSpec::default;
        assert_eq!(err(MultiPaxosSpec { q1: Some(9), ..d() }, 6), "q1 must be 1 to the 6 nodes, not 9");
        assert_eq!(err(MultiPaxosSpec { q2: Some(0), ..d() }, 6), "q2 must be 1 to the 6 nodes, not 0");
        assert_eq!(err(d(), 0), "Multi-Paxos needs at least 1 node and runs at most 64, not 0");
        assert_eq!(
            err(MultiPaxosSpec { election_ms: 50.0, ..d() }, 5),
            "election_ms (50 ms) must be longer than heartbeat_ms (50 ms), or followers elect a new leader between heartbeats"
        );
        assert!(err(MultiPaxosSpec { heartbeat_ms: -1.0, ..d() }, 5).contains("heartbeat_ms"));
        // Quorums that do not intersect run (Log Safety shows the harm).
        assert!(MultiPaxosSpec { q1: Some(3), q2: Some(3), ..d() }.to_config(6).is_ok());
    }
}
