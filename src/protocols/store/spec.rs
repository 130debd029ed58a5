//! The store on the spine: its scenario parameters, its checkers and the
//! caps on what a scenario may ask for. Its observer is in
//! [`super::observe`].

use super::checkers::{Causality, NoLostWrite};
use super::clients::Workload;
use super::config::StoreConfigError;
use super::convergence::Convergence;
use super::inventory::{Compensation, Inventory};
use super::linearizable::ClaimedLinearizable;
use super::node::{Cmd, Resolution, StoreBug, StoreConfig, StoreNode};
use super::observe::StoreObserver;
use crate::contract::{Cluster, ConfigError, Runnable};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// The most nodes a store scenario may ask for.
pub const MAX_STORE_NODES: u32 = 100;

/// Whether only the N home replicas count toward a quorum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuorumKind {
    #[default]
    Strict,
    /// The first N reachable nodes count; stand-ins hold hints.
    Sloppy,
}

/// The clients as a scenario writes them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkloadSpec {
    pub clients: u32,
    /// Mean think time between a client's operations.
    pub think_ms: f64,
    /// The fraction of operations that are reads.
    pub read_fraction: f64,
    pub keys: u32,
    /// The Zipf exponent of key popularity; 0 is uniform.
    pub zipf: f64,
    /// A write first reads the key and writes over what it read; false:
    /// blind writes.
    pub read_before_write: bool,
    /// Clients stop issuing at this time (on their node's clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_ms: Option<f64>,
    /// The clients buy one item from a stock (with `resolution: "or_set"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<InventorySpec>,
}

/// An inventory as a scenario writes it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventorySpec {
    pub stock: u32,
    /// What is done with orders beyond the stock once both sides' orders
    /// meet: `"refund"` or `"back_order"`.
    pub compensation: Compensation,
}

/// The most units an inventory may start with.
pub const MAX_STOCK: u32 = 10_000;

impl Default for WorkloadSpec {
    fn default() -> Self {
        let w = Workload::default();
        WorkloadSpec {
            clients: w.clients,
            think_ms: w.think_us as f64 / 1000.0,
            read_fraction: f64::from(w.read_permille) / 1000.0,
            keys: w.keys,
            zipf: 0.0,
            read_before_write: w.read_before_write,
            stop_ms: None,
            inventory: None,
        }
    }
}

/// The store's parameters as a scenario file writes them (`"protocol":
/// {"store": {...}}`); the number of nodes is the scenario's `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSpec {
    pub n: u32,
    pub r: u32,
    pub w: u32,
    pub vnodes: u32,
    pub quorum: QuorumKind,
    pub resolution: Resolution,
    pub timeout_ms: f64,
    pub retries: u32,
    /// Anti-entropy every this many ms; `null`: none.
    pub anti_entropy_ms: Option<f64>,
    pub merkle_depth: u32,
    pub handoff_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<StoreBug>,
    /// The design claims linearizability: its client history is checked
    /// against it ([`super::linearizable`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub claim_linearizable: bool,
}

impl Default for StoreSpec {
    fn default() -> Self {
        let c = StoreConfig::default();
        StoreSpec {
            n: c.n,
            r: c.r,
            w: c.w,
            // Eight tokens a node: enough to spread keys, few enough that
            // the ring in the view stays readable.
            vnodes: 8,
            quorum: QuorumKind::Strict,
            resolution: c.resolution,
            timeout_ms: c.timeout_us as f64 / 1000.0,
            retries: 1,
            anti_entropy_ms: Some(1000.0),
            merkle_depth: c.merkle_depth,
            handoff_ms: c.handoff_us as f64 / 1000.0,
            workload: None,
            bug: None,
            claim_linearizable: false,
        }
    }
}

fn us(ms: f64, what: &'static str, min_ms: f64) -> Result<u64, StoreConfigError> {
    if !(min_ms..=3.6e6).contains(&ms) {
        return Err(StoreConfigError::range(what, format!("between {min_ms} ms and one hour"), ms));
    }
    Ok((ms * 1000.0).round() as u64)
}

impl WorkloadSpec {
    pub fn to_workload(&self) -> Result<Workload, StoreConfigError> {
        if !(0.0..=1.0).contains(&self.read_fraction) {
            return Err(StoreConfigError::range("workload.read_fraction", "0 to 1", self.read_fraction));
        }
        if !(0.0..=5.0).contains(&self.zipf) {
            return Err(StoreConfigError::range("workload.zipf", "0 (uniform) to 5", self.zipf));
        }
        Ok(Workload {
            clients: self.clients,
            think_us: us(self.think_ms, "workload.think_ms", 0.1)?,
            read_permille: (self.read_fraction * 1000.0).round() as u32,
            keys: self.keys,
            zipf_milli: (self.zipf * 1000.0).round() as u32,
            read_before_write: self.read_before_write,
            stop_us: self.stop_ms.map(|ms| us(ms, "workload.stop_ms", 0.0)).transpose()?,
            inventory: match self.inventory {
                Some(i) if i.stock > MAX_STOCK => {
                    return Err(StoreConfigError::range(
                        "workload.inventory.stock",
                        format!("at most {MAX_STOCK}"),
                        i.stock,
                    ))
                }
                Some(i) => Some(Inventory { stock: i.stock, compensation: i.compensation }),
                None => None,
            },
        })
    }
}

impl StoreSpec {
    pub fn to_config(&self, nodes: u32) -> Result<StoreConfig, StoreConfigError> {
        use StoreConfigError as E;
        if nodes > MAX_STORE_NODES {
            return Err(E::TooManyNodes { max: MAX_STORE_NODES, nodes });
        }
        if self.n > nodes {
            return Err(E::MoreReplicasThanNodes { n: self.n, nodes });
        }
        if self.r > self.n || self.w > self.n {
            return Err(E::QuorumAboveN { r: self.r, w: self.w, n: self.n });
        }
        if !(1..=256).contains(&self.vnodes) {
            return Err(E::range("vnodes", "1 to 256", self.vnodes));
        }
        if self.retries > 10 {
            return Err(E::range("retries", "0 to 10", self.retries));
        }
        if self.claim_linearizable && self.resolution.is_crdt() {
            return Err(E::range("claim_linearizable", "false for counters and sets (a CRDT is not a register)", true));
        }
        let cfg = StoreConfig {
            nodes,
            n: self.n,
            r: self.r,
            w: self.w,
            vnodes: self.vnodes,
            propagate: true,
            sloppy: self.quorum == QuorumKind::Sloppy,
            timeout_us: us(self.timeout_ms, "timeout_ms", 1.0)?,
            retries: self.retries,
            anti_entropy_us: self.anti_entropy_ms.map(|ms| us(ms, "anti_entropy_ms", 1.0)).transpose()?,
            merkle_depth: self.merkle_depth,
            handoff_us: us(self.handoff_ms, "handoff_ms", 1.0)?,
            resolution: self.resolution,
            workload: self.workload.as_ref().map(WorkloadSpec::to_workload).transpose()?,
            bug: self.bug,
        };
        cfg.validate()?;
        Ok(cfg)
    }
}

/// The store's properties, each of which can be checked alone.
#[derive(Clone, Debug, Default)]
pub struct StoreChecker {
    pub no_lost_write: Option<NoLostWrite>,
    pub causality: Option<Causality>,
    pub convergence: Option<Convergence>,
    pub linearizable: Option<ClaimedLinearizable>,
}

impl Checker<StoreNode> for StoreChecker {
    fn properties(&self) -> Vec<&'static str> {
        [
            (self.no_lost_write.is_some(), "No Lost Write"),
            (self.causality.is_some(), "Causality"),
            (self.convergence.is_some(), "Convergence"),
            (self.linearizable.is_some(), "Linearizability"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }

    fn check(&mut self, sim: &Sim<StoreNode>, out: &mut Vec<Violation>) {
        if let Some(c) = &mut self.no_lost_write {
            c.check(sim, out);
        }
        if let Some(c) = &mut self.causality {
            c.check(sim, out);
        }
        if let Some(c) = &mut self.convergence {
            c.check(sim, out);
        }
        if let Some(c) = &mut self.linearizable {
            c.check(sim, out);
        }
    }
}

impl Runnable for StoreNode {
    type Spec = StoreSpec;
    type Checker = StoreChecker;
    type Observer = StoreObserver;

    fn msg_kind(msg: &super::messages::Msg) -> &'static str {
        use super::messages::Msg;
        match msg {
            Msg::Replicate { req: 0, .. } => "Repair",
            Msg::Replicate { .. } => "Replicate",
            Msg::Ack { .. } => "Ack",
            Msg::Read { .. } => "Read",
            Msg::ReadReply { .. } => "ReadReply",
            Msg::Handoff { .. } => "Handoff",
            Msg::HandoffAck { .. } => "HandoffAck",
            Msg::SyncTree { .. } => "SyncTree",
            Msg::SyncDiff { .. } => "SyncDiff",
            Msg::SyncPush { .. } => "SyncPush",
        }
    }

    fn lane_note(note: &super::messages::Note) -> Option<crate::contract::LaneNote> {
        use super::messages::Note;
        let (class, text) = match note {
            Note::Invoked { key, write: Some(_), .. } => ("op", format!("put k{key}")),
            Note::Invoked { key, write: None, .. } => ("op", format!("get k{key}")),
            Note::PutAcked { key, .. } => ("done", format!("acked k{key}")),
            Note::GetReturned { key, .. } => ("done", format!("read k{key}")),
            Note::Failed { key, .. } => ("failed", format!("failed k{key}")),
            Note::Overwritten { key, .. } => ("failed", format!("lost a version of k{key}")),
            _ => return None,
        };
        Some(crate::contract::LaneNote { class, text, state: false })
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    fn must_hold(spec: &Self::Spec, _: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none()
    }

    fn config(spec: &StoreSpec, cluster: &Cluster) -> Result<StoreConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        let bound = |what, us| cluster.periods(what, us).map_err(ConfigError::of);
        bound("handoff_ms", cfg.handoff_us)?;
        if let Some(every) = cfg.anti_entropy_us {
            bound("anti_entropy_ms", every)?;
        }
        if let Some(w) = &cfg.workload {
            // Each client starts at most one operation per think time.
            cluster
                .bound("workload.think_ms", w.think_us, (w.clients, "client(s)"), crate::contract::MAX_CLIENT_OPS)
                .map_err(ConfigError::of)?;
        }
        Ok(cfg)
    }

    /// Whether a node holds hints for others, and how many client
    /// requests it coordinates (up to 3): where handoff and quorum
    /// waits live.
    fn abstract_nodes(sim: &Sim<StoreNode>, out: &mut Vec<u64>) {
        for i in 0..sim.len() {
            out.push(
                sim.node(i)
                    .map_or(0, |n| 1 + u64::from(n.hints().next().is_some()) + 2 * n.pending_requests().min(3) as u64),
            );
        }
    }

    /// No Lost Write under siblings and CRDTs (under last-writer-wins losing writes
    /// is the rule, measured by the observer); Causality always;
    /// Convergence when anti-entropy runs; Linearizability when claimed.
    fn checker(spec: &StoreSpec, cluster: &Cluster) -> StoreChecker {
        let Ok(cfg) = <Self as Runnable>::config(spec, cluster) else { return StoreChecker::default() };
        StoreChecker {
            no_lost_write: (cfg.resolution != Resolution::Lww).then(NoLostWrite::default),
            causality: Some(Causality::default()),
            convergence: Convergence::bound(&cfg, cluster.max_latency_us).map(Convergence::new),
            linearizable: spec.claim_linearizable.then(ClaimedLinearizable::default),
        }
    }

    const KEYED: bool = true;

    /// A client's update: read the key, merge, write back; the key drawn
    /// from the workload unless the request names it.
    fn request(id: u64, key: Option<u32>) -> Option<Cmd> {
        Some(match key {
            Some(key) => Cmd::Update { id, key },
            None => Cmd::Write { id },
        })
    }

    fn read(id: u64, key: Option<u32>) -> Option<Cmd> {
        Some(match key {
            Some(key) => Cmd::Get { id, key },
            None => Cmd::Read { id },
        })
    }

    fn state_bytes(sim: &Sim<StoreNode>) -> usize {
        sim.base_bytes() + (0..sim.len()).filter_map(|i| sim.node(i)).map(StoreNode::heap_bytes).sum::<usize>()
    }
}
