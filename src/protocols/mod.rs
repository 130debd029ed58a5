//! Protocols, each a pure state machine hosted by [`crate::sim::Sim`].

pub mod raft;
