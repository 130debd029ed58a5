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

impl MultiPaxosConfig {
    /// Promises a leader needs (default: a majority).
    pub fn phase1_quorum(&self) -> u32 {
        self.q1.unwrap_or(self.nodes / 2 + 1)
    }

    /// Acceptances that choose a slot's value (default: a majority).
    pub fn phase2_quorum(&self) -> u32 {
        self.q2.unwrap_or(self.nodes / 2 + 1)
    }

    /// Whether every phase-1 quorum meets every phase-2 quorum.
    pub fn quorums_intersect(&self) -> bool {
        self.phase1_quorum() + self.phase2_quorum() > self.nodes
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
}
