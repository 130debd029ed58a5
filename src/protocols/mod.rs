//! Protocols, each a pure state machine hosted by [`crate::sim::Sim`].

pub mod gossip;
pub mod raft;
pub mod store;
pub mod swim;
