//! The availability-first store (issue 12), being built: a replicated
//! key-value store with dotted version vectors ([`dvv`]), self-merging
//! values ([`crdt`]), a consistent hash ring ([`ring`]) and Dynamo-style
//! quorum reads and writes with read repair and last-writer-wins on the
//! simulator ([`node`]), its safety properties No Lost Write and
//! Causality ([`checkers`]), and Merkle trees that count what anti-entropy
//! exchanges ([`merkle`]).
//! Still to come: sloppy quorums with hinted handoff in the node (the ring
//! already chooses stand-ins), anti-entropy rounds between replicas, the
//! client workload, the convergence and linearizability checks on store
//! runs, the scenario model with its observer,
//! `splitbrain quorum`, and the view.

pub mod checkers;
pub mod crdt;
pub mod dvv;
pub mod merkle;
pub mod node;
pub mod ring;
