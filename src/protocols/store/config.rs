//! A store's configuration: the cluster, the quorums, the repair
//! mechanisms, the conflict rule and the clients, and its deliberately
//! broken variants.

use super::clients::Workload;

#[derive(Clone, Debug, PartialEq)]
pub struct StoreConfig {
    pub nodes: u32,
    /// Replicas per key, read quorum, write quorum.
    pub n: u32,
    pub r: u32,
    pub w: u32,
    pub vnodes: u32,
    /// Send puts to all N and reads to all N (Dynamo); off: to W and R of
    /// them only (the k-staleness model).
    pub propagate: bool,
    /// Count the first N reachable nodes, not only the N home replicas:
    /// stand-ins hold writes with hints for the home nodes they replace.
    pub sloppy: bool,
    /// How long a coordinator waits for its quorum before it retries.
    pub timeout_us: u64,
    /// Times a client request is retried (same idempotency key) before it
    /// fails.
    pub retries: u32,
    /// Every node syncs with one replica peer this often (Merkle trees).
    pub anti_entropy_us: Option<u64>,
    /// Levels below a Merkle tree's root: 2^depth leaf buckets.
    pub merkle_depth: u32,
    /// How often a stand-in tries to hand its hints to their home nodes.
    pub handoff_us: u64,
    pub resolution: Resolution,
    pub workload: Option<Workload>,
    /// A deliberately broken variant, for testing the checkers.
    pub bug: Option<StoreBug>,
}

/// Broken variants that the store's checkers must catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreBug {
    /// The coordinator stamps a write with everything it holds for the key
    /// (a server-side clock) instead of what the client read: the write
    /// then supersedes concurrent writes its client never saw.
    ServerContext,
    /// A replica keeps only the sibling with the greatest dot, as a naive
    /// merge would: concurrent acknowledged writes vanish.
    KeepOneSibling,
    /// Anti-entropy compares trees but never sends the keys that differ:
    /// replicas that missed a write stay behind for ever.
    SyncWithoutRepair,
    /// Anti-entropy rounds come three times as far apart as configured:
    /// replicas still converge, but often later than the bound promises.
    SlowSync,
}

/// What a replica does with concurrent versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Keep them all as siblings; the client merges and writes back.
    Siblings,
    /// Last writer wins, by the coordinating node's own clock at the write
    /// (ties by dot): the others are dropped, so a node whose clock is
    /// behind loses writes made after the ones that beat them.
    Lww,
    /// Each key is a PN-Counter: a write adds or subtracts, and a read
    /// returns the join of the siblings' counters (no client merge).
    PnCounter,
    /// Each key is an add-wins observed-remove set of 64-bit elements.
    OrSet,
}

impl Resolution {
    /// Whether values are CRDTs that the store joins by itself.
    pub fn is_crdt(self) -> bool {
        matches!(self, Resolution::PnCounter | Resolution::OrSet)
    }

    /// The value of a key nothing has been written to.
    pub fn empty(self) -> Option<super::crdt::Crdt> {
        use super::crdt::{Crdt, OrSet, PnCounter};
        match self {
            Resolution::PnCounter => Some(Crdt::Counter(PnCounter::default())),
            Resolution::OrSet => Some(Crdt::Set(OrSet::default())),
            _ => None,
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            nodes: 5,
            n: 3,
            r: 2,
            w: 2,
            vnodes: 32,
            propagate: true,
            sloppy: false,
            timeout_us: 200_000,
            retries: 0,
            anti_entropy_us: None,
            merkle_depth: 6,
            handoff_us: 500_000,
            resolution: Resolution::Siblings,
            workload: None,
            bug: None,
        }
    }
}

/// A store configuration that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StoreConfigError {
    #[error("N = {n} replicas needs 1 to {nodes} (the nodes)")]
    Replicas { n: u32, nodes: u32 },
    #[error("R = {r} and W = {w} must each be 1 to N = {n}")]
    Quorums { r: u32, w: u32, n: u32 },
    /// The same rule as the scenario file states it (R, W at most N).
    #[error("R = {r} and W = {w} must each be at most N = {n} (a quorum of more replicas than there are)")]
    QuorumAboveN { r: u32, w: u32, n: u32 },
    #[error("N = {n} replicas is more than the {nodes} nodes")]
    MoreReplicasThanNodes { n: u32, nodes: u32 },
    #[error("a store scenario runs at most {max} nodes, not {nodes}")]
    TooManyNodes { max: u32, nodes: u32 },
    /// A count or a fraction outside what is allowed: `{what} must be
    /// {allowed}, not {value}`.
    #[error("{what} must be {allowed}, not {value}")]
    OutOfRange { what: &'static str, allowed: String, value: String },
    #[error("a client's think time must be at least 0.1 ms")]
    ThinkTooShort,
    #[error("CRDT values are updated by reading the key first: read_before_write must be true")]
    CrdtNeedsRead,
    #[error("an inventory workload keeps its orders in a set: it needs resolution \"or_set\"")]
    InventoryNeedsSet,
}

impl StoreConfigError {
    pub(super) fn range(what: &'static str, allowed: impl ToString, value: impl ToString) -> Self {
        StoreConfigError::OutOfRange { what, allowed: allowed.to_string(), value: value.to_string() }
    }
}

impl StoreConfig {
    pub fn validate(&self) -> Result<(), StoreConfigError> {
        use StoreConfigError as E;
        if self.n == 0 || self.n > self.nodes {
            return Err(E::Replicas { n: self.n, nodes: self.nodes });
        }
        if self.r == 0 || self.r > self.n || self.w == 0 || self.w > self.n {
            return Err(E::Quorums { r: self.r, w: self.w, n: self.n });
        }
        if self.merkle_depth > 16 {
            return Err(E::range("merkle_depth", "0 to 16", self.merkle_depth));
        }
        if let Some(w) = &self.workload {
            w.validate(self.nodes)?;
            if self.resolution.is_crdt() && !w.read_before_write {
                return Err(E::CrdtNeedsRead);
            }
            if w.inventory.is_some() && self.resolution != Resolution::OrSet {
                return Err(E::InventoryNeedsSet);
            }
        }
        Ok(())
    }
}
