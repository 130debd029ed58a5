//! What the views see of each protocol: the types the UI draws, named in
//! one place, so that the UI reaches the protocols only through the
//! view-models (`tests/layers.rs` holds it to that; the registry, which
//! chooses views by type, is the one other door).

/// Raft as its view draws it: roles, logs, the checked properties, the
/// observer's series, and the settings form's parameters.
pub mod raft {
    pub use crate::protocols::raft::invariants::Property;
    pub use crate::protocols::raft::log::{members_text, Log, Payload};
    pub use crate::protocols::raft::observe::{Observed, BUCKET_US};
    pub use crate::protocols::raft::{Msg, Raft, RaftParams, Role, WitnessLog, MAX_NODES};
}

/// The store as its view draws it: nodes and their versions, the ring,
/// messages, the observer's samples, and the settings form's spec.
pub mod store {
    pub use crate::protocols::store::dvv::VersionVector;
    pub use crate::protocols::store::messages::{label, Msg};
    pub use crate::protocols::store::node::{crdt_value, Resolution, StoreConfig, StoreNode};
    pub use crate::protocols::store::observe::{Sample, Served, Side};
    pub use crate::protocols::store::ring::Ring;
    pub use crate::protocols::store::spec::{QuorumKind, StoreSpec, WorkloadSpec};
}

/// Gossip as the swarm view's form sets it.
pub mod gossip {
    pub use crate::protocols::gossip::{Exchange, Mode};
}
