//! Leases with fencing tokens on the spine: the scenario's parameters,
//! the checkers together, and the observer.

use super::exactly_once::ExactlyOnce;
use super::fenced_writes::FencedWrites;
use super::{Bug, Fencing, FencingConfig, FencingObserver, Msg, Note};
use crate::contract::{Cluster, ConfigError, LaneNote, Runnable};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::{NodeId, Sim};
use serde::{Deserialize, Serialize};

/// The most nodes a fencing scenario may have: the service, the resource
/// and up to 18 clients.
pub const MAX_NODES: u32 = 20;
/// At most this many tasks (the resource keeps them in a 64-bit set).
pub const MAX_TASKS: u32 = 64;

/// The parameters as a scenario file writes them (`"protocol":
/// {"fencing": {...}}`). Node 0 is the lock service, node 1 the resource,
/// the rest clients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FencingSpec {
    /// How long a lease lasts, by the service's clock.
    pub lease_ms: f64,
    /// A client's work between deciding to write and writing.
    pub work_ms: f64,
    /// The tasks to do, each one write with its own idempotency key.
    pub tasks: u32,
    /// Tasks a client does under one lease before it lets go.
    pub per_lease: u32,
    /// How long a client waits before asking for the lease again.
    pub retry_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for FencingSpec {
    fn default() -> Self {
        let c = FencingConfig::default();
        FencingSpec {
            lease_ms: c.lease_us as f64 / 1000.0,
            work_ms: c.work_us as f64 / 1000.0,
            tasks: c.tasks,
            per_lease: c.per_lease,
            retry_ms: c.retry_us as f64 / 1000.0,
            bug: c.bug,
        }
    }
}

/// A fencing spec that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FencingConfigError {
    #[error("fencing needs 3 to {MAX_NODES} nodes (the lock service, the resource and at least one client), not {0}")]
    Nodes(u32),
    #[error("tasks must be 1 to {MAX_TASKS}, not {0}")]
    Tasks(u32),
    #[error("per_lease must be at least 1, not 0")]
    PerLease,
    #[error(transparent)]
    Time(#[from] crate::contract::PeriodError),
}

impl FencingSpec {
    pub fn to_config(&self, nodes: u32) -> Result<FencingConfig, FencingConfigError> {
        use FencingConfigError as E;
        if !(3..=MAX_NODES).contains(&nodes) {
            return Err(E::Nodes(nodes));
        }
        if !(1..=MAX_TASKS).contains(&self.tasks) {
            return Err(E::Tasks(self.tasks));
        }
        if self.per_lease == 0 {
            return Err(E::PerLease);
        }
        Ok(FencingConfig {
            nodes,
            lease_us: crate::contract::period_us(self.lease_ms, "lease_ms")?,
            work_us: crate::contract::period_us(self.work_ms, "work_ms")?,
            tasks: self.tasks,
            per_lease: self.per_lease,
            retry_us: crate::contract::period_us(self.retry_ms, "retry_ms")?,
            bug: self.bug,
        })
    }
}

/// Both properties.
#[derive(Clone, Debug, Default)]
pub struct FencingChecker {
    pub fenced: FencedWrites,
    pub once: ExactlyOnce,
}

impl Checker<Fencing> for FencingChecker {
    fn properties(&self) -> Vec<&'static str> {
        vec![super::fenced_writes::PROPERTY, super::exactly_once::PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Fencing>, out: &mut Vec<Violation>) {
        self.fenced.check(sim, out);
        self.once.check(sim, out);
    }
}

impl Runnable for Fencing {
    const HAS_LEADER: bool = true;
    type Spec = FencingSpec;
    type Checker = FencingChecker;
    type Observer = FencingObserver;

    fn config(spec: &FencingSpec, cluster: &Cluster) -> Result<FencingConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        cluster.periods("retry_ms", cfg.retry_us).map_err(ConfigError::of)?;
        cluster.periods("work_ms", cfg.work_us).map_err(ConfigError::of)?;
        Ok(cfg)
    }

    fn checker(_: &FencingSpec, _: &Cluster) -> FencingChecker {
        FencingChecker::default()
    }

    /// "leader" in a timeline action: the client holding the newest lease.
    fn leader(sim: &Sim<Fencing>) -> Option<NodeId> {
        (2..sim.len()).filter_map(|n| Some((sim.node(n)?.lease()?, n))).max().map(|(_, n)| n)
    }

    fn must_hold(spec: &FencingSpec, _: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none()
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    fn msg_kind(msg: &Msg) -> &'static str {
        msg.label()
    }

    fn lane_note(note: &Note) -> Option<LaneNote> {
        Some(match note {
            Note::Granted { token, client } => {
                LaneNote { class: "leader", text: format!("#{token} → n{client}"), state: false }
            }
            Note::Wrote { token, task, .. } => {
                LaneNote { class: "op", text: format!("task {task} #{token}"), state: false }
            }
            Note::AlreadyDone { task, .. } => {
                LaneNote { class: "op", text: format!("task {task} again"), state: false }
            }
            Note::Refused { token, .. } => LaneNote { class: "bad", text: format!("refuses #{token}"), state: false },
        })
    }
}
