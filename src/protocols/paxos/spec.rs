//! Single-decree Paxos on the spine: its scenario parameters, checkers and
//! observer.

use super::agreement::Agreement;
use super::promises::PromiseKept;
use super::validity::Validity;
use super::{Backoff, Bug, Note, Paxos, PaxosConfig, PaxosObserver, MAX_NODES};
use crate::contract::{Cluster, ConfigError, LaneNote, Runnable};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::{NodeId, Sim};
use serde::{Deserialize, Serialize};

/// Paxos's parameters as a scenario file writes them (`"protocol":
/// {"paxos": {...}}`); the cluster's size is the scenario's `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaxosSpec {
    /// The nodes that propose, each its own value (100 + its id).
    pub proposers: Vec<NodeId>,
    pub start_ms: f64,
    /// A ballot that has not chosen a value by then is tried again higher.
    pub timeout_ms: f64,
    /// The wait after a refusal: exactly this (fixed), or random up to
    /// four times it.
    pub backoff_ms: f64,
    pub backoff: Backoff,
    /// Flexible quorums: promises needed before phase 2, and acceptances
    /// that choose a value (a majority each when left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q1: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q2: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for PaxosSpec {
    fn default() -> Self {
        let c = PaxosConfig::default();
        PaxosSpec {
            proposers: c.proposers,
            start_ms: c.start_us as f64 / 1000.0,
            timeout_ms: c.timeout_us as f64 / 1000.0,
            backoff_ms: c.backoff_us as f64 / 1000.0,
            backoff: c.backoff,
            q1: c.q1,
            q2: c.q2,
            bug: c.bug,
        }
    }
}

/// A Paxos spec that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PaxosConfigError {
    #[error("Paxos needs at least 1 node and runs at most {MAX_NODES}, not {0}")]
    Nodes(u32),
    #[error("proposers: at least one node must propose")]
    NoProposer,
    #[error("proposers: n{0} is not a node (the nodes are n0 to n{1})")]
    NoSuchNode(NodeId, u32),
    #[error("proposers: n{0} is listed twice")]
    Twice(NodeId),
    #[error("{which} must be 1 to the {nodes} nodes, not {q}")]
    Quorum { which: &'static str, q: u32, nodes: u32 },
    #[error(transparent)]
    Time(#[from] crate::contract::PeriodError),
}

impl PaxosSpec {
    pub fn to_config(&self, nodes: u32) -> Result<PaxosConfig, PaxosConfigError> {
        use PaxosConfigError as E;
        if nodes == 0 || nodes > MAX_NODES {
            return Err(E::Nodes(nodes));
        }
        if self.proposers.is_empty() {
            return Err(E::NoProposer);
        }
        for (i, p) in self.proposers.iter().enumerate() {
            if *p >= nodes {
                return Err(E::NoSuchNode(*p, nodes - 1));
            }
            if self.proposers[..i].contains(p) {
                return Err(E::Twice(*p));
            }
        }
        if let Some((which, q)) = super::quorums::out_of_range(self.q1, self.q2, nodes) {
            return Err(E::Quorum { which, q, nodes });
        }
        Ok(PaxosConfig {
            nodes,
            proposers: self.proposers.clone(),
            start_us: crate::contract::period_us(self.start_ms, "start_ms")?,
            timeout_us: crate::contract::period_us(self.timeout_ms, "timeout_ms")?,
            backoff_us: crate::contract::period_us(self.backoff_ms, "backoff_ms")?,
            backoff: self.backoff,
            q1: self.q1,
            q2: self.q2,
            bug: self.bug,
        })
    }
}

/// Paxos's properties.
#[derive(Clone, Debug, Default)]
pub struct PaxosChecker {
    pub agreement: Agreement,
    pub validity: Validity,
    pub promises: PromiseKept,
}

impl Checker<Paxos> for PaxosChecker {
    fn properties(&self) -> Vec<&'static str> {
        vec![super::agreement::PROPERTY, super::validity::PROPERTY, super::promises::PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Paxos>, out: &mut Vec<Violation>) {
        self.agreement.check(sim, out);
        self.validity.check(sim, out);
        self.promises.check(sim, out);
    }
}

impl Runnable for Paxos {
    type Spec = PaxosSpec;
    type Checker = PaxosChecker;
    type Observer = PaxosObserver;

    fn config(spec: &PaxosSpec, cluster: &Cluster) -> Result<PaxosConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        cluster.periods("timeout_ms", cfg.timeout_us).map_err(ConfigError::of)?;
        cluster.periods("backoff_ms", cfg.backoff_us).map_err(ConfigError::of)?;
        Ok(cfg)
    }

    fn checker(_: &PaxosSpec, _: &Cluster) -> PaxosChecker {
        PaxosChecker::default()
    }

    fn must_hold(spec: &Self::Spec, _: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none()
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    fn msg_kind(msg: &super::Msg) -> &'static str {
        msg.label()
    }

    fn lane_note(note: &Note) -> Option<LaneNote> {
        Some(match note {
            Note::Ballot { ballot } => LaneNote { class: "candidate", text: format!("b{ballot}"), state: true },
            Note::Learned { value } => LaneNote { class: "done", text: format!("learned {value}"), state: true },
            Note::Promised { ballot } => LaneNote { class: "op", text: format!("promise b{ballot}"), state: false },
            Note::Accepted { ballot, value } => {
                LaneNote { class: "op", text: format!("accept {value}@b{ballot}"), state: false }
            }
            Note::Proposed { ballot, value } => {
                LaneNote { class: "leader", text: format!("{value}@b{ballot}"), state: true }
            }
        })
    }
}
