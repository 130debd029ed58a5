//! Federated regions on the spine: the scenario's parameters, the policy's
//! checks, the checkers and the observer.

use super::local_decisions::LocalDecisions;
use super::quota::Quota;
use super::{Bug, Cmd, Federation, FederationConfig, FederationObserver, Note, Outcome, MAX_NODES};
use crate::contract::{Cluster, ConfigError, LaneNote, Runnable};
use crate::protocols::multipaxos::{self as mp, MultiPaxosSpec};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::{NodeId, Sim};
use serde::{Deserialize, Serialize};

/// The parameters as a scenario file writes them (`"protocol":
/// {"federation": {...}}`); the regions are the scenario's `regions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederationSpec {
    /// The global quota, in units, and each region's pre-allocated share
    /// of it; the global group draws from what the shares leave.
    pub quota: u32,
    pub share: u32,
    /// The region the global group's leader is placed in (the first when
    /// left out): its nodes stand for global leader first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_leader: Option<String>,
    /// The region the client load comes from: each command goes to a node
    /// of it. Left out, each goes to a node anywhere, at random.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clients: Option<String>,
    /// Every group's heartbeat, and how long a node hears no leader before
    /// it stands (plus a random part as long again; nodes outside the
    /// global leader's region wait four times as long for the global one).
    pub heartbeat_ms: f64,
    pub election_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for FederationSpec {
    fn default() -> Self {
        FederationSpec {
            quota: 30,
            share: 5,
            global_leader: None,
            clients: None,
            heartbeat_ms: 50.0,
            election_ms: 300.0,
            bug: None,
        }
    }
}

/// How much longer nodes outside the preferred region wait before they
/// stand for global leader.
const FAR_PATIENCE: u64 = 4;

/// A federation spec that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FederationConfigError {
    #[error("a federation needs 2 or more regions: add \"regions\" to the scenario, each with its nodes")]
    Regions,
    #[error("a federation runs at most {MAX_NODES} nodes, not {0}")]
    Nodes(u32),
    #[error("global_leader: {0}")]
    LeaderRegion(String),
    #[error("clients: {0}")]
    ClientRegion(String),
    #[error("no allocation satisfies the policy: {regions} regions with a share of {share} units each need {need}, but the quota is {quota} (lower share or raise quota)")]
    Unsatisfiable { regions: u32, share: u32, need: u64, quota: u32 },
    #[error("quota must be 1 unit or more")]
    Quota,
    #[error("{0}")]
    Group(String),
}

impl FederationSpec {
    pub fn to_config(&self, cluster: &Cluster) -> Result<FederationConfig, FederationConfigError> {
        use FederationConfigError as E;
        let regions = &cluster.regions;
        if regions.len() < 2 {
            return Err(E::Regions);
        }
        if cluster.nodes > MAX_NODES {
            return Err(E::Nodes(cluster.nodes));
        }
        if self.quota == 0 {
            return Err(E::Quota);
        }
        let need = u64::from(self.share) * regions.len() as u64;
        if need > u64::from(self.quota) {
            return Err(E::Unsatisfiable { regions: regions.len() as u32, share: self.share, need, quota: self.quota });
        }
        let leader_region = match &self.global_leader {
            Some(name) => regions.index(name).map_err(E::LeaderRegion)?,
            None => 0,
        };
        let client_region = match &self.clients {
            Some(name) => Some(regions.index(name).map_err(E::ClientRegion)?),
            None => None,
        };
        let group = |nodes: u32, patience: u64| {
            let spec = MultiPaxosSpec {
                heartbeat_ms: self.heartbeat_ms,
                election_ms: self.election_ms,
                ..MultiPaxosSpec::default()
            };
            let mut cfg = spec.to_config(nodes).map_err(|e| E::Group(e.to_string()))?;
            cfg.election_us *= patience;
            Ok(cfg)
        };
        let spans: Vec<(u32, u32)> =
            (0..regions.len()).map(|i| (regions.members(i).start, regions.0[i].nodes)).collect();
        Ok(FederationConfig {
            region_groups: spans.iter().map(|&(_, n)| group(n, 1)).collect::<Result<_, _>>()?,
            regions: spans,
            names: regions.0.iter().map(|r| r.name.clone()).collect(),
            global_near: group(cluster.nodes, 1)?,
            global_far: group(cluster.nodes, FAR_PATIENCE)?,
            leader_region,
            client_region,
            quota: self.quota,
            share: self.share,
            bug: self.bug,
        })
    }
}

/// The federation's properties.
#[derive(Clone, Debug, Default)]
pub struct FederationChecker {
    pub quota: Quota,
    pub local: LocalDecisions,
}

impl Checker<Federation> for FederationChecker {
    fn properties(&self) -> Vec<&'static str> {
        vec![super::quota::PROPERTY, super::local_decisions::PROPERTY]
    }

    fn check(&mut self, sim: &Sim<Federation>, out: &mut Vec<Violation>) {
        self.quota.check(sim, out);
        self.local.check(sim, out);
    }
}

impl Runnable for Federation {
    type Spec = FederationSpec;
    type Checker = FederationChecker;
    type Observer = FederationObserver;

    fn config(spec: &FederationSpec, cluster: &Cluster) -> Result<FederationConfig, ConfigError> {
        let cfg = spec.to_config(cluster).map_err(ConfigError::of)?;
        cluster.periods("heartbeat_ms", cfg.global_near.heartbeat_us).map_err(ConfigError::of)?;
        Ok(cfg)
    }

    fn checker(spec: &FederationSpec, cluster: &Cluster) -> FederationChecker {
        let names = cluster.regions.0.iter().map(|r| r.name.clone()).collect();
        FederationChecker { quota: Quota::new(spec.quota, spec.share, names), local: LocalDecisions::default() }
    }

    /// Where the client load's commands go: with `clients` set, to that
    /// region's leader (or, with none, a live node of the region);
    /// otherwise nowhere in particular, so each goes to a random node.
    fn leader(sim: &Sim<Federation>) -> Option<NodeId> {
        let cfg = sim.config();
        let (start, n) = cfg.regions[cfg.client_region?];
        let live = || (start..start + n).filter(|&m| sim.node(m).is_some());
        live().find(|&m| sim.node(m).is_some_and(|p| p.local().leading())).or_else(|| live().next())
    }

    /// A client's command: odd-numbered ones are region-local writes,
    /// even-numbered ones spend a unit of the quota.
    fn request(id: u64, _: Option<u32>) -> Option<Cmd> {
        Some(if id % 2 == 1 { Cmd::Write(id) } else { Cmd::Spend(id) })
    }

    fn must_hold(spec: &FederationSpec, _: &[crate::contract::TimedAction]) -> bool {
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
            Note::Region(mp::Note::Elected { ballot }) => {
                LaneNote { class: "leader", text: format!("region b{ballot}"), state: true }
            }
            Note::Global(mp::Note::Elected { ballot }) => {
                LaneNote { class: "leader", text: format!("global b{ballot}"), state: false }
            }
            Note::Done { op, outcome, .. } => LaneNote {
                class: if outcome.answered() { "done" } else { "op" },
                text: match outcome {
                    Outcome::Written { .. } | Outcome::Spent { .. } => format!("{op} local"),
                    Outcome::Granted => format!("{op} global"),
                    Outcome::Denied => format!("{op} denied"),
                    Outcome::Refused { .. } => format!("{op} refused"),
                },
                state: false,
            },
            _ => return None,
        })
    }
}
