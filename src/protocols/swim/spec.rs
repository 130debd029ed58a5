//! SWIM on the spine: its scenario parameters, checkers and observer.

use super::completeness::StrongCompleteness;
use super::incarnation::IncarnationPrecedence;
use super::observe::SwimObserver;
use super::{Bug, Swim, SwimConfig, SwimConfigError, TargetSelection};
use crate::contract::{Cluster, ConfigError, Runnable};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::Sim;
use serde::{Deserialize, Serialize};

/// The most members a SWIM scenario may ask for: each member keeps a view
/// of every other (16 bytes each), so 2,000 members hold 64 MB of views.
pub const MAX_MEMBERS: u32 = 2_000;

/// SWIM's parameters as a scenario file writes them (`"protocol":
/// {"swim": {...}}`); the group size is the scenario's `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SwimSpec {
    pub period_ms: f64,
    /// Members asked to probe indirectly (k).
    pub indirect: u32,
    pub target: TargetSelection,
    /// The suspicion timeout; `null` turns suspicion off (§3's basic protocol).
    pub suspicion_ms: Option<f64>,
    /// λ in "each update is piggybacked λ·log n times".
    pub lambda: u32,
    pub max_piggyback: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for SwimSpec {
    fn default() -> Self {
        Self::from_config(&SwimConfig::default())
    }
}

fn us(ms: f64, what: &'static str) -> Result<u64, SwimConfigError> {
    if !(1.0..=3.6e6).contains(&ms) {
        return Err(SwimConfigError::Time { what, ms });
    }
    Ok((ms * 1000.0).round() as u64)
}

impl SwimSpec {
    pub fn to_config(&self, nodes: u32) -> Result<SwimConfig, SwimConfigError> {
        if nodes > MAX_MEMBERS {
            return Err(SwimConfigError::ScenarioTooLarge { max: MAX_MEMBERS, members: nodes });
        }
        let cfg = SwimConfig {
            nodes,
            period_us: us(self.period_ms, "period_ms")?,
            indirect: self.indirect,
            target: self.target,
            suspicion_us: self.suspicion_ms.map(|ms| us(ms, "suspicion_ms")).transpose()?,
            lambda: self.lambda,
            max_piggyback: self.max_piggyback,
            bug: self.bug,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn from_config(c: &SwimConfig) -> Self {
        SwimSpec {
            period_ms: c.period_us as f64 / 1000.0,
            indirect: c.indirect,
            target: c.target,
            suspicion_ms: c.suspicion_us.map(|us| us as f64 / 1000.0),
            lambda: c.lambda,
            max_piggyback: c.max_piggyback,
            bug: c.bug,
        }
    }
}

/// SWIM's properties, each of which can be checked alone.
#[derive(Clone, Debug, Default)]
pub struct SwimChecker {
    pub completeness: Option<StrongCompleteness>,
    pub incarnation: Option<IncarnationPrecedence>,
}

impl SwimChecker {
    pub fn all() -> Self {
        SwimChecker { completeness: Some(Default::default()), incarnation: Some(Default::default()) }
    }
}

impl Checker<Swim> for SwimChecker {
    fn properties(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.completeness.is_some() {
            out.push("Strong Completeness");
        }
        if self.incarnation.is_some() {
            out.push("Incarnation Precedence");
        }
        out
    }

    fn check(&mut self, sim: &Sim<Swim>, out: &mut Vec<Violation>) {
        if let Some(c) = &mut self.completeness {
            c.check(sim, out);
        }
        if let Some(c) = &mut self.incarnation {
            c.check(sim, out);
        }
    }
}

impl Runnable for Swim {
    type Spec = SwimSpec;
    type Checker = SwimChecker;
    type Observer = SwimObserver;

    fn msg_kind(msg: &super::Msg) -> &'static str {
        msg.label()
    }

    fn lane_note(note: &super::Note) -> Option<crate::contract::LaneNote> {
        use super::{Note, Status};
        Some(match note {
            Note::Marked { member, status, first_hand, .. } => crate::contract::LaneNote {
                class: match status {
                    Status::Alive => "alive",
                    Status::Suspect => "suspect",
                    Status::Failed => "failed",
                },
                text: format!("n{member} {status:?}{}", if *first_hand { "!" } else { "" }).to_lowercase(),
                state: false,
            },
            Note::Refuted { incarnation } => {
                crate::contract::LaneNote { class: "alive", text: format!("refutes @{incarnation}"), state: false }
            }
        })
    }

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    fn must_hold(spec: &Self::Spec, _: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none()
    }

    fn config(spec: &SwimSpec, cluster: &Cluster) -> Result<SwimConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        cluster.periods("period_ms", cfg.period_us).map_err(ConfigError::of)?;
        Ok(cfg)
    }

    fn checker(_: &SwimSpec, _: &Cluster) -> SwimChecker {
        SwimChecker::all()
    }

    /// Each member keeps a view of every member (status and incarnation).
    fn state_bytes(sim: &Sim<Swim>) -> usize {
        sim.base_bytes() + (0..sim.len()).filter_map(|i| sim.node(i)).map(Swim::unshared_heap_bytes).sum::<usize>()
    }
}
