//! Flexible quorums (Howard, Malkhi and Spiegelman, "Flexible Paxos:
//! Quorum intersection revisited", 2016, §3).
//!
//! Paxos needs only that every phase-1 quorum meets every phase-2 quorum:
//! |Q1| + |Q2| > N. Majorities for both are one choice; a small phase-2
//! quorum (fast commits) with a large phase-1 quorum (costly leader
//! changes) is another. With |Q1| + |Q2| ≤ N a new proposer's phase 1 can
//! miss every acceptor that accepted a chosen value, and choose another:
//! the scenario warns, and Agreement catches it.

use super::PaxosConfig;

/// A quorum size as a spec gives it (`None`: a majority of `nodes`).
/// Multi-Paxos's quorums follow the same rules.
pub fn size(q: Option<u32>, nodes: u32) -> u32 {
    q.unwrap_or(nodes / 2 + 1)
}

/// The first of `q1` and `q2` that is not 1 to `nodes`, by name.
pub fn out_of_range(q1: Option<u32>, q2: Option<u32>, nodes: u32) -> Option<(&'static str, u32)> {
    [("q1", q1), ("q2", q2)].into_iter().find_map(|(which, q)| Some((which, q.filter(|q| *q == 0 || *q > nodes)?)))
}

/// A configuration with flexible quorums: its nodes and the sizes its
/// spec gives (`None`: a majority). Paxos and Multi-Paxos count their
/// quorums through it alike.
pub trait Flexible {
    /// The nodes, and the spec's phase-1 and phase-2 quorum sizes.
    fn quorum_spec(&self) -> (u32, Option<u32>, Option<u32>);

    /// Promises a proposer (or leader) needs before phase 2.
    fn phase1_quorum(&self) -> u32 {
        let (nodes, q1, _) = self.quorum_spec();
        size(q1, nodes)
    }

    /// Acceptances that choose a value.
    fn phase2_quorum(&self) -> u32 {
        let (nodes, _, q2) = self.quorum_spec();
        size(q2, nodes)
    }

    /// Whether every phase-1 quorum meets every phase-2 quorum.
    fn quorums_intersect(&self) -> bool {
        self.phase1_quorum() + self.phase2_quorum() > self.quorum_spec().0
    }
}

impl Flexible for PaxosConfig {
    fn quorum_spec(&self) -> (u32, Option<u32>, Option<u32>) {
        (self.nodes, self.q1, self.q2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majorities_intersect_and_so_do_flexible_quorums_that_sum_past_n() {
        let c = |nodes, q1, q2| PaxosConfig { nodes, q1, q2, ..PaxosConfig::default() };
        assert_eq!((c(6, None, None).phase1_quorum(), c(6, None, None).phase2_quorum()), (4, 4));
        assert!(c(6, None, None).quorums_intersect());
        assert!(c(6, Some(5), Some(2)).quorums_intersect(), "5 + 2 > 6");
        assert!(!c(6, Some(4), Some(2)).quorums_intersect(), "4 + 2 = 6");
        assert!(!c(6, Some(3), Some(3)).quorums_intersect());
    }

    #[test]
    fn impossible_quorums_and_proposers_are_refused_with_what_is_allowed() {
        use super::super::PaxosSpec;
        let err = |s: PaxosSpec| s.to_config(6).unwrap_err().to_string();
        assert_eq!(err(PaxosSpec { q1: Some(7), ..PaxosSpec::default() }), "q1 must be 1 to the 6 nodes, not 7");
        assert_eq!(err(PaxosSpec { q2: Some(0), ..PaxosSpec::default() }), "q2 must be 1 to the 6 nodes, not 0");
        assert_eq!(
            err(PaxosSpec { proposers: vec![1, 6], ..PaxosSpec::default() }),
            "proposers: n6 is not a node (the nodes are n0 to n5)"
        );
        assert_eq!(err(PaxosSpec { proposers: vec![1, 1], ..PaxosSpec::default() }), "proposers: n1 is listed twice");
        assert_eq!(
            err(PaxosSpec { proposers: vec![], ..PaxosSpec::default() }),
            "proposers: at least one node must propose"
        );
        // Quorums that do not intersect run (the checker shows the harm).
        assert!(PaxosSpec { q1: Some(4), q2: Some(2), ..PaxosSpec::default() }.to_config(6).is_ok());
    }
}
