//! Epidemic dissemination on the spine: its scenario parameters, checker
//! and observer.

use super::no_unlearning::NoUnlearning;
use super::observe::GossipObserver;
use super::{Bug, Exchange, Gossip, GossipConfig, GossipConfigError, LossOfInterest, Mode};
use crate::contract::{Cluster, ConfigError, Runnable};
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};

/// The most sites a gossip scenario may ask for (a site takes about 100
/// bytes; the run's events dominate memory).
pub const MAX_SITES: u32 = 100_000;

/// Gossip's parameters as a scenario file writes them (`"protocol":
/// {"gossip": {...}}`); the number of sites is the scenario's `nodes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GossipSpec {
    pub mode: Mode,
    pub exchange: Exchange,
    /// Loss of interest (rumor mongering, §1.4): after `k` unnecessary
    /// contacts in a row (`counter`) or with probability 1/k each (coin); counting
    /// only contacts with sites that knew (`feedback`) or all (blind).
    pub k: u32,
    pub feedback: bool,
    pub counter: bool,
    /// Partners contacted per cycle.
    pub fanout: u32,
    pub period_ms: f64,
    /// The site that starts with the update.
    pub origin: NodeId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

impl Default for GossipSpec {
    fn default() -> Self {
        let d = GossipConfig::default();
        GossipSpec {
            mode: d.mode,
            exchange: d.exchange,
            k: d.interest.k,
            feedback: d.interest.feedback,
            counter: d.interest.counter,
            fanout: d.fanout,
            period_ms: d.period_us as f64 / 1000.0,
            origin: d.origin,
            bug: None,
        }
    }
}

impl GossipSpec {
    pub fn to_config(&self, nodes: u32) -> Result<GossipConfig, GossipConfigError> {
        if nodes > MAX_SITES {
            return Err(GossipConfigError::ScenarioTooLarge { max: MAX_SITES, sites: nodes });
        }
        if !(1.0..=3.6e6).contains(&self.period_ms) {
            return Err(GossipConfigError::Period(self.period_ms));
        }
        let cfg = GossipConfig {
            nodes,
            mode: self.mode,
            exchange: self.exchange,
            interest: LossOfInterest { feedback: self.feedback, counter: self.counter, k: self.k },
            fanout: self.fanout,
            period_us: (self.period_ms * 1000.0).round() as u64,
            origin: self.origin,
            bug: self.bug,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn from_config(c: &GossipConfig) -> Self {
        GossipSpec {
            mode: c.mode,
            exchange: c.exchange,
            k: c.interest.k,
            feedback: c.interest.feedback,
            counter: c.interest.counter,
            fanout: c.fanout,
            period_ms: c.period_us as f64 / 1000.0,
            origin: c.origin,
            bug: c.bug,
        }
    }
}

impl Runnable for Gossip {
    type Spec = GossipSpec;
    type Checker = NoUnlearning;
    type Observer = GossipObserver;

    fn zoo() -> &'static [crate::contract::Variant] {
        super::zoo::ZOO
    }

    fn msg_kind(msg: &super::Msg) -> &'static str {
        match msg {
            super::Msg::Push => "Push",
            super::Msg::PushReply { .. } => "PushReply",
            super::Msg::PullRequest { .. } => "PullRequest",
            super::Msg::PullReply { .. } => "PullReply",
        }
    }

    fn lane_note(note: &super::Note) -> Option<crate::contract::LaneNote> {
        let (class, text) = match note {
            super::Note::Infected { cycle } => ("infective", format!("knows, c{cycle}")),
            super::Note::Removed { cycle } => ("removed", format!("removed, c{cycle}")),
        };
        Some(crate::contract::LaneNote { class, text, state: true })
    }

    fn must_hold(spec: &Self::Spec, _: &[crate::contract::TimedAction]) -> bool {
        spec.bug.is_none()
    }

    fn config(spec: &GossipSpec, cluster: &Cluster) -> Result<GossipConfig, ConfigError> {
        let cfg = spec.to_config(cluster.nodes).map_err(ConfigError::of)?;
        cluster.periods("period_ms", cfg.period_us).map_err(ConfigError::of)?;
        Ok(cfg)
    }

    fn checker(_: &GossipSpec, _: &Cluster) -> NoUnlearning {
        NoUnlearning::default()
    }
}
