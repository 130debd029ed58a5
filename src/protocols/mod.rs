//! Protocols, each a pure state machine hosted by [`crate::sim::Sim`] and
//! plugged into the spine through [`crate::contract`]; [`registry`] lists
//! them.

pub mod bully;
pub mod federation;
pub mod fencing;
pub mod gossip;
pub mod help;
pub mod multipaxos;
pub mod paxos;
pub mod raft;
pub mod registry;
pub mod ring;
pub mod store;
pub mod swim;
