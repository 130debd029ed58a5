//! The availability-first store: a replicated key-value store
//! with dotted version vectors ([`dvv`]), self-merging values ([`crdt`]), a
//! consistent hash ring ([`ring`]), Dynamo-style quorum reads and writes
//! with read repair and last-writer-wins ([`node`]), sloppy quorums with
//! hinted handoff ([`handoff`]), Merkle-tree anti-entropy ([`anti_entropy`],
//! [`merkle`]), a client workload ([`clients`]), and its checked
//! properties ([`checkers`], [`convergence`]).

pub mod anti_entropy;
pub mod checkers;
pub mod client_history;
pub mod clients;
pub mod config;
pub mod convergence;
pub mod counts;
pub mod crdt;
pub mod dvv;
pub mod handoff;
pub mod inventory;
pub mod linearizable;
pub mod merkle;
pub mod messages;
pub mod node;
pub mod observe;
pub mod ring;
pub mod spec;

#[cfg(test)]
mod tests;
pub mod zoo;
