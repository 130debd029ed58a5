//! Multi-Paxos on the spine: its scenario parameters, checkers and
//! observer.

use super::linearizable_reads::LinearizableReads;
use super::log_safety::LogSafety;
use super::state_machine_safety::StateMachineSafety;
use super::{Bug, Cmd, MultiPaxos, MultiPaxosConfig, MultiPaxosObserver, Note, Role, MAX_NODES};
use crate::contract::{Cluster, ConfigError, LaneNote, Runnable};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::{Event, EventKind};
use crate::sim::{NodeId, Sim};
use serde::{Deserialize, Serialize};

/// Multi-Paxos's parameters as a scenario file writes them (`"protocol":
/// {"multipaxos": {...}}`); the cluster's size is the scenario's `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MultiPaxosSpec {
    /// How often the leader sends heartbeats.
    pub heartbeat_ms: f64,
    /// How long a node hears no leader before it runs phase 1 (plus a
    /// random part up to as long again).
    pub election_ms: f64,
    /// Flexible quorums: promises a leader needs, and acceptances that
    /// choose a slot (a majority each when left out). Safe only with
    /// q1 + q2 > nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q1: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q2: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for MultiPaxosSpec {
    fn default() -> Self {
        let c = MultiPaxosConfig::default();
        MultiPaxosSpec {
            heartbeat_ms: c.heartbeat_us as f64 / 1000.0,
            election_ms: c.election_us as f64 / 1000.0,
            q1: c.q1,
            q2: c.q2,
            bug: c.bug,
        }
    }
}

/// A Multi-Paxos spec that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MultiPaxosConfigError {
    #[error("Multi-Paxos needs at least 1 node and runs at most {MAX_NODES}, not {0}")]
    Nodes(u32),
    #[error("{which} must be 1 to the {nodes} nodes, not {q}")]
    Quorum { which: &'static str, q: u32, nodes: u32 },
    #[error("election_ms ({election} ms) must be longer than heartbeat_ms ({heartbeat} ms), or followers elect a new leader between heartbeats")]
    Election { election: f64, heartbeat: f64 },
    #[error(transparent)]
    Time(#[from] crate::contract::PeriodError),
}

impl MultiPaxosSpec {
    pub fn to_config(&self, nodes: u32) -> Result<MultiPaxosConfig, MultiPaxosConfigError> {
        use MultiPaxosConfigError as E;
        if nodes == 0 || nodes > MAX_NODES {
            return Err(E::Nodes(nodes));
        }
        if let Some((which, q)) = crate::protocols::paxos::quorums::out_of_range(self.q1, self.q2, nodes) {
            return Err(E::Quorum { which, q, nodes });
        }
        let heartbeat_us = crate::contract::period_us(self.heartbeat_ms, "heartbeat_ms")?;
        let election_us = crate::contract::period_us(self.election_ms, "election_ms")?;
        if election_us <= heartbeat_us {
            return Err(E::Election { election: self.election_ms, heartbeat: self.heartbeat_ms });
        }
        Ok(MultiPaxosConfig { nodes, heartbeat_us, election_us, q1: self.q1, q2: self.q2, bug: self.bug })
    }
}

/// Multi-Paxos's properties.
#[derive(Clone, Debug, Default)]
pub struct MultiPaxosChecker {
    pub log: LogSafety,
    pub state_machine: StateMachineSafety,
    pub reads: LinearizableReads,
}

impl Checker<MultiPaxos> for MultiPaxosChecker {
    fn properties(&self) -> Vec<&'static str> {
        vec![super::log_safety::PROPERTY, super::state_machine_safety::PROPERTY, super::linearizable_reads::PROPERTY]
    }

    fn check(&mut self, sim: &Sim<MultiPaxos>, out: &mut Vec<Violation>) {
        self.log.check(sim, out);
        self.state_machine.check(sim, out);
        self.reads.check(sim, out);
    }
}

impl Runnable for MultiPaxos {
    const HAS_LEADER: bool = true;
    type Spec = MultiPaxosSpec;
    type Checker = MultiPaxosChecker;
    type Observer = MultiPaxosObserver;

    fn config(spec: &MultiPaxosSpec, cluster: &Cluster) -> Result<MultiPaxosConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        cluster.periods("heartbeat_ms", cfg.heartbeat_us).map_err(ConfigError::of)?;
        Ok(cfg)
    }

    fn checker(_: &MultiPaxosSpec, _: &Cluster) -> MultiPaxosChecker {
        MultiPaxosChecker::default()
    }

    /// The node leading the highest ballot, if one does.
    fn leader(sim: &Sim<MultiPaxos>) -> Option<NodeId> {
        (0..sim.len())
            .filter_map(|n| sim.node(n).filter(|p| matches!(p.role, Role::Leading { .. })).map(|p| (p.ballot, n)))
            .max()
            .map(|(_, n)| n)
    }

    /// Each node's role, and how far its promise and its learned log lag
    /// the cluster's (capped at 3), for the coverage-guided search.
    fn abstract_nodes(sim: &Sim<MultiPaxos>, out: &mut Vec<u64>) {
        let live = || (0..sim.len()).filter_map(|n| sim.node(n));
        let promised = live().map(MultiPaxos::promised).max().unwrap_or(0);
        let chosen = live().map(MultiPaxos::chosen).max().unwrap_or(0);
        for n in 0..sim.len() {
            out.push(sim.node(n).map_or(0, |p| {
                let role = match p.role {
                    Role::Follower => 1,
                    Role::Preparing { .. } => 2,
                    Role::Leading { .. } => 3,
                };
                let lag = |max: u64, x: u64| (max - x).min(3);
                role + 4 * lag(promised, p.promised) + 16 * lag(chosen, p.chosen)
            }));
        }
    }

    fn request(id: u64, _: Option<u32>) -> Option<Cmd> {
        Some(Cmd::Request(id))
    }

    fn read(id: u64, _: Option<u32>) -> Option<Cmd> {
        Some(Cmd::Read(id))
    }

    /// Every property holds with no bug set and majority quorums. Flexible
    /// quorums hold only when q1 + q2 exceeds the nodes, which the spec
    /// alone does not know, so they are not promised here (the tests run
    /// them with the node count at hand).
    fn must_hold(spec: &Self::Spec, _: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none() && spec.q1.is_none() && spec.q2.is_none()
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    fn marks_leader(e: &Event<MultiPaxos>) -> bool {
        matches!(e.kind, EventKind::Note { note: Note::Elected { .. }, .. })
    }

    fn msg_kind(msg: &super::Msg) -> &'static str {
        msg.label()
    }

    fn lane_note(note: &Note) -> Option<LaneNote> {
        Some(match note {
            Note::Ballot { ballot } => LaneNote { class: "candidate", text: format!("b{ballot}"), state: true },
            Note::Elected { ballot } => LaneNote { class: "leader", text: format!("leads b{ballot}"), state: true },
            Note::Learned { .. } | Note::Applied { .. } => return None,
            Note::Replied { value, writes } => {
                LaneNote { class: "done", text: format!("{value} → {writes}"), state: false }
            }
            Note::Refused { value } => LaneNote { class: "op", text: format!("{value} refused"), state: false },
        })
    }
}
