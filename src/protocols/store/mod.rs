//! The availability-first store (issue 12), being built: a replicated
//! key-value store with dotted version vectors ([`dvv`]), self-merging
//! values ([`crdt`]), a consistent hash ring ([`ring`]) and Dynamo-style
//! quorum reads and writes with read repair on the simulator ([`node`]).
//! Still to come: sloppy quorums with hinted handoff, last-writer-wins,
//! Merkle-tree anti-entropy, the client workload, the scenario model with
//! its checkers and observer, `splitbrain quorum`, and the view.

pub mod crdt;
pub mod dvv;
pub mod node;
pub mod ring;
