//! Scenarios: a protocol, its parameters, a cluster, a seed, a network and a
//! timeline of timed actions. A scenario is the unit that the CLI runs, that
//! a link will carry, and that chaos tests generate. See `docs/scenario.md`.

pub mod alerts;
pub mod batch;
pub mod codec;
pub mod compare;
mod expect;
pub mod export;
mod legacy;
mod log;
pub mod presets;
pub mod pretty;
mod runner;
mod strict;
pub mod tour;
pub mod travel;

pub use crate::contract::{
    ms_to_us, Action, HeavyTail, LinkSpec, Millis, Region, Regions, Target, TimedAction, MAX_DURATION_US,
};
pub use crate::protocols::registry::{ProtocolKind, ProtocolSpec, Registered};
pub use expect::{Bound, Expect};
pub use log::{Hop, Logged, Marked, NodeChange, Wire};
pub use runner::{Metrics, RunReport, Runner};

use crate::contract::{Cluster, ConfigError};
use crate::protocols::raft::{Raft, RaftConfig, RaftParams};
use crate::protocols::registry::ForEach;
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};

/// The scenario format version this build reads and writes.
pub const VERSION: u32 = 1;

/// Runs code that is generic over the protocol on a scenario of any
/// protocol: the one place where the protocol named in a file picks a type.
pub trait Visit {
    type Output;
    fn visit<P: Registered>(self, scenario: Scenario) -> Self::Output;
}

/// Runs `v` with the scenario's protocol as its type parameter.
pub fn visit<V: Visit>(scenario: Scenario, v: V) -> V::Output {
    struct With<V>(Scenario, V);
    impl<V: Visit> ForEach for With<V> {
        type Output = V::Output;
        fn call<P: Registered>(self) -> V::Output {
            self.1.visit::<P>(self.0)
        }
    }
    scenario.protocol.kind().dispatch(With(scenario, v))
}

/// A per-link override of the network defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOverride {
    pub from: NodeId,
    pub to: NodeId,
    pub link: LinkSpec,
}

/// Steady client load: a request to the leader every `interval_ms`, and
/// with `reads`, a read right after each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientLoad {
    pub interval_ms: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reads: bool,
}

/// A complete, reproducible run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub protocol: ProtocolSpec,
    pub nodes: u32,
    pub seed: u64,
    /// How long `splitbrain run` simulates.
    #[serde(default = "default_duration")]
    pub duration_ms: Millis,
    #[serde(default)]
    pub network: LinkSpec,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkOverride>,
    /// Named regions of consecutive nodes; `network` is then the latency
    /// within a region, and `inter_region` the latency between two.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Region>,
    /// Links between regions (default: 40-60 ms). Per-node `links` win.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inter_region: Option<LinkSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientLoad>,
    /// Stable storage's write latency, drawn per write from this range in
    /// ms (Raft persists its term, vote and log entries before it acts on
    /// them; [`crate::sim::storage`]). Absent: instantaneous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fsync_ms: Option<[f64; 2]>,
    /// Nothing happens by itself: messages wait until the timeline
    /// delivers or drops them, and timers until it fires them
    /// ([`crate::sim::script`]). What `splitbrain explore` writes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scripted: bool,
    #[serde(default)]
    pub timeline: Vec<TimedAction>,
    /// What the scenario declares it shows; `splitbrain run` checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
    /// Budgets over the run; an alert that fires fails `splitbrain run`
    /// (see [`alerts`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<alerts::AlertRule>,
    /// Key moments of the run, listed beside the scrubber (see [`tour`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<tour::Bookmark>,
    /// A guided tour: captions at given instants (see [`tour`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tour: Vec<tour::TourStep>,
}

/// The longest storage write a scenario or experiment may ask for.
pub const MAX_FSYNC_MS: f64 = 10_000.0;

/// A storage write latency range in ms, checked, in µs.
pub fn storage_range_us(lo: f64, hi: f64) -> Result<(u64, u64), String> {
    if !(lo.is_finite() && hi.is_finite()) || lo < 0.0 || hi < 0.0 {
        return Err(format!("a storage latency must be 0 ms or more, not {lo}-{hi}"));
    }
    if lo > hi {
        return Err(format!("the range {lo}-{hi} ms runs backwards: its minimum is above its maximum"));
    }
    if hi > MAX_FSYNC_MS {
        return Err(format!("a storage write of {hi} ms is beyond the {MAX_FSYNC_MS} ms limit"));
    }
    Ok(((lo * 1000.0).round() as u64, (hi * 1000.0).round() as u64))
}

fn default_duration() -> Millis {
    Millis::from_ms(10_000)
}

/// What is wrong with a scenario, a file or a link. Each says, in words a
/// person can act on, what was found and what this build supports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("the scenario is {bytes} bytes; the limit is {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("missing \"version\" (this build reads version {VERSION})")]
    MissingVersion,
    /// A scenario (or gossip link) of a version this build does not read.
    #[error("unsupported {what} version {found}; this build reads version {supported}")]
    Version { what: &'static str, found: String, supported: u32 },
    #[error("unknown protocol '{found}'; this build runs {}", ProtocolKind::names())]
    UnknownProtocol { found: String },
    /// A scenario opened where another protocol's is expected.
    #[error("this is a {found} scenario, not a {expected} one")]
    WrongProtocol { found: &'static str, expected: &'static str },
    /// JSON that does not have a scenario's shape.
    #[error("invalid scenario: {0}")]
    Shape(String),
    /// A scenario that parses but cannot run: where, and why.
    #[error("{0}")]
    Invalid(String),
    /// A share link that cannot be decoded.
    #[error("{0}")]
    Link(String),
}

impl From<ConfigError> for ScenarioError {
    fn from(e: ConfigError) -> Self {
        ScenarioError::Invalid(e.to_string())
    }
}

/// The most client requests one run makes (duration / interval).
pub const MAX_CLIENT_REQUESTS: u64 = crate::contract::MAX_CLIENT_OPS;

/// The largest scenario JSON we parse.
pub const MAX_JSON_BYTES: usize = 1 << 20;

impl Scenario {
    /// A default Raft scenario: `nodes` servers, no faults.
    pub fn raft(nodes: u32, seed: u64) -> Self {
        Scenario {
            version: VERSION,
            name: String::new(),
            description: String::new(),
            protocol: ProtocolSpec::Raft(RaftParams::default()),
            nodes,
            seed,
            duration_ms: default_duration(),
            network: LinkSpec::default(),
            links: Vec::new(),
            regions: Vec::new(),
            inter_region: None,
            client: None,
            fsync_ms: None,
            scripted: false,
            timeline: Vec::new(),
            expect: None,
            alerts: Vec::new(),
            marks: Vec::new(),
            tour: Vec::new(),
        }
    }

    /// Parses and validates scenario JSON.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        // Editors on some systems start a UTF-8 file with a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.len() > MAX_JSON_BYTES {
            return Err(ScenarioError::TooLarge { bytes: text.len(), limit: MAX_JSON_BYTES });
        }
        serde_json::from_str::<strict::NoDuplicateKeys>(text).map_err(|e| ScenarioError::Json(e.to_string()))?;
        // Check the version first, so an old or new file gets a message about
        // its version rather than about fields this build does not know.
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ScenarioError::Json(e.to_string()))?;
        match value.get("version") {
            None => return Err(ScenarioError::MissingVersion),
            Some(v) if v.as_u64() != Some(u64::from(VERSION)) => {
                return Err(ScenarioError::Version { what: "scenario", found: v.to_string(), supported: VERSION })
            }
            Some(_) => {}
        }
        if let Some(p) = value.get("protocol").and_then(|p| p.as_object()) {
            if let Some(k) = p.keys().find(|k| ProtocolKind::from_name(k).is_none()) {
                return Err(ScenarioError::UnknownProtocol { found: k.clone() });
            }
        }
        let s: Scenario = serde_json::from_value(value).map_err(|e| ScenarioError::Shape(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// What is allowed but probably not meant, for the CLI to print.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let ProtocolSpec::Raft(r) = &self.protocol {
            if r.heartbeat_ms >= r.election_timeout_ms[0] {
                out.push(format!(
                    "the heartbeat ({} ms) is not shorter than the minimum election timeout ({} ms): followers will time out between heartbeats and elections will not settle",
                    r.heartbeat_ms, r.election_timeout_ms[0]
                ));
            }
        }
        out
    }

    /// The scenario as a file: indented JSON. (Written compact and then
    /// indented, so that the page carries one scenario writer.)
    pub fn to_json(&self) -> String {
        pretty::indent(&serde_json::to_string(self).expect("a scenario always serialises"))
    }

    pub fn raft_config(&self) -> Result<RaftConfig, ScenarioError> {
        self.config::<Raft>()
    }

    /// What a protocol's configuration needs of the scenario around it.
    #[inline(never)]
    pub fn cluster(&self) -> Cluster {
        let max = |l: &LinkSpec| l.to_config().map(|l| l.latency.bounds_us().1).unwrap_or(0);
        let mut max_latency_us = max(&self.network);
        if !self.regions.is_empty() {
            max_latency_us = max_latency_us.max(max(&self.inter_region_link()));
        }
        Cluster { nodes: self.nodes, max_latency_us, duration_us: self.duration_ms.us(), regions: self.regions() }
    }

    /// The scenario's regions.
    pub fn regions(&self) -> Regions {
        Regions(self.regions.clone())
    }

    /// The links between regions, as set or by default.
    pub fn inter_region_link(&self) -> LinkSpec {
        self.inter_region.clone().unwrap_or(LinkSpec { latency_ms: [40.0, 60.0], ..LinkSpec::default() })
    }

    /// The region-wide faults in terms of nodes: the nodes a region
    /// outage or restore acts on, or the node groups of a split.
    pub fn region_nodes(&self, region: &str) -> Result<std::ops::Range<NodeId>, String> {
        let r = self.regions();
        Ok(r.members(r.index(region)?))
    }

    /// A region-wide fault as the faults of its nodes (none for another
    /// action, or a region that does not exist).
    pub fn region_faults(&self, action: &Action) -> Vec<Action> {
        match action {
            Action::RegionDown { region } => self
                .region_nodes(region)
                .into_iter()
                .flatten()
                .map(|n| Action::Crash { node: Target::Node(n) })
                .collect(),
            Action::RegionUp { region } => {
                self.region_nodes(region).into_iter().flatten().map(|node| Action::Restart { node }).collect()
            }
            Action::SplitRegions { groups } => {
                self.region_groups(groups).into_iter().map(|groups| Action::Partition { groups }).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The node groups of a `split_regions`, checked: each region named
    /// at most once.
    pub fn region_groups(&self, groups: &[Vec<String>]) -> Result<Vec<Vec<NodeId>>, String> {
        let r = self.regions();
        let mut seen = Vec::new();
        for name in groups.iter().flatten() {
            if seen.contains(&name) {
                return Err(format!("region '{name}' is in two groups"));
            }
            seen.push(name);
        }
        groups.iter().map(|g| r.nodes_of(g)).collect()
    }

    /// The scenario's spec for protocol `P`, or why it has none.
    pub fn spec<P: Registered>(&self) -> Result<&P::Spec, ScenarioError> {
        P::spec(&self.protocol)
            .ok_or(ScenarioError::WrongProtocol { found: self.protocol.name(), expected: P::KIND.label() })
    }

    /// Protocol `P`'s configuration, as this scenario asks for it.
    pub fn config<P: Registered>(&self) -> Result<P::Config, ScenarioError> {
        P::config(self.spec::<P>()?, &self.cluster()).map_err(ScenarioError::from)
    }

    /// A checker of every property of protocol `P`, as this scenario
    /// configures it (a scenario of another protocol gets the default).
    pub fn checker<P: Registered>(&self) -> P::Checker {
        match self.spec::<P>() {
            Ok(spec) => P::checker(spec, &self.cluster()),
            Err(_) => P::Checker::default(),
        }
    }

    /// Checks everything a run needs, with messages that say where.
    /// Stable storage's write latency range in µs (`None`: instantaneous).
    pub fn storage_us(&self) -> Result<Option<(u64, u64)>, String> {
        let Some([lo, hi]) = self.fsync_ms else { return Ok(None) };
        storage_range_us(lo, hi).map(Some).map_err(|e| format!("fsync_ms: {e}"))
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != VERSION {
            return Err(ScenarioError::Version {
                what: "scenario",
                found: self.version.to_string(),
                supported: VERSION,
            });
        }
        self.regions().validate(self.nodes).map_err(ScenarioError::Invalid)?;
        visit(self.clone(), CheckProtocol)?;
        if let Some(e) = &self.expect {
            e.validate().map_err(ScenarioError::Invalid)?;
        }
        self.network.to_config().map_err(|e| ScenarioError::Invalid(format!("network: {e}")))?;
        self.storage_us().map_err(ScenarioError::Invalid)?;
        self.validate_links()?;
        if let Some(l) = &self.inter_region {
            if self.regions.is_empty() {
                return Err(ScenarioError::Invalid(
                    "inter_region sets links between regions, but there are no \"regions\"".into(),
                ));
            }
            l.to_config().map_err(|e| ScenarioError::Invalid(format!("inter_region: {e}")))?;
        }
        self.validate_client()?;
        tour::validate(self).map_err(ScenarioError::Invalid)?;
        let mut last = Millis(0);
        for (i, t) in self.timeline.iter().enumerate() {
            if t.at < last {
                return Err(ScenarioError::Invalid(format!(
                    "timeline[{i}]: at_ms goes backwards; keep the timeline in time order"
                )));
            }
            if t.at > self.duration_ms {
                return Err(ScenarioError::Invalid(format!(
                    "timeline[{i}]: at_ms {} is after the end of the run (duration_ms {}), so it would never happen",
                    t.at.0 as f64 / 1000.0,
                    self.duration_ms.0 as f64 / 1000.0
                )));
            }
            last = t.at;
            self.validate_action(&t.action).map_err(|e| ScenarioError::Invalid(format!("timeline[{i}]: {e}")))?;
        }
        Ok(())
    }

    /// Per-link overrides join two different, existing nodes.
    fn validate_links(&self) -> Result<(), ScenarioError> {
        let n = self.nodes;
        for (i, l) in self.links.iter().enumerate() {
            if l.from >= n || l.to >= n || l.from == l.to {
                return Err(ScenarioError::Invalid(format!(
                    "links[{i}]: link {}->{} is not between two of the {n} nodes",
                    l.from, l.to
                )));
            }
            l.link.to_config().map_err(|e| ScenarioError::Invalid(format!("links[{i}]: {e}")))?;
        }
        Ok(())
    }

    /// Steady client load: a sane interval, and a bounded number of requests.
    fn validate_client(&self) -> Result<(), ScenarioError> {
        let Some(c) = &self.client else { return Ok(()) };
        if !(c.interval_ms.is_finite() && c.interval_ms >= 0.01) {
            return Err(ScenarioError::Invalid(format!(
                "client.interval_ms must be at least 0.01, not {}",
                c.interval_ms
            )));
        }
        let requests = self.duration_ms.0 as f64 / 1000.0 / c.interval_ms;
        if requests > MAX_CLIENT_REQUESTS as f64 {
            return Err(ScenarioError::Invalid(format!(
                "a client request every {} ms for {} s is {:.0} requests; a run makes at most {MAX_CLIENT_REQUESTS} (lengthen interval_ms or shorten duration_ms)",
                c.interval_ms,
                self.duration_ms.0 as f64 / 1e6,
                requests
            )));
        }
        Ok(())
    }

    /// One timeline action: the nodes and links it names exist, and its
    /// values are within what a run allows.
    fn validate_action(&self, action: &Action) -> Result<(), String> {
        if matches!(action, Action::Deliver { .. } | Action::Drop { .. } | Action::Fire { .. }) && !self.scripted {
            return Err(format!(
                "'{}' acts only in a scripted run, where nothing happens by itself: add \"scripted\": true",
                action.name()
            ));
        }
        let n = self.nodes;
        let node = |id: NodeId| {
            if id < n {
                Ok(())
            } else {
                Err(format!("node {id} does not exist (nodes are 0 to {})", n - 1))
            }
        };
        let target = |t: Target| match t {
            Target::Node(id) => node(id),
            Target::Leader => Ok(()),
        };
        match action {
            Action::Crash { node: t }
            | Action::Pause { node: t }
            | Action::Isolate { node: t }
            | Action::Request { node: t, .. }
            | Action::Read { node: t, .. } => target(*t)?,
            Action::Restart { node: id }
            | Action::Resume { node: id }
            | Action::Campaign { node: id }
            | Action::AddServer { node: id }
            | Action::RemoveServer { node: id }
            | Action::Transfer { to: id } => node(*id)?,
            Action::Cut { from, to, .. } | Action::SetLink { from, to, .. } => {
                node(*from)?;
                node(*to)?;
                if from == to {
                    return Err("a link joins two different nodes".into());
                }
            }
            Action::Heal { a, b } => {
                node(*a)?;
                node(*b)?;
            }
            Action::Deliver { from, to, .. } | Action::Drop { from, to, .. } => {
                node(*from)?;
                node(*to)?;
            }
            Action::Fire { node: id, .. } => node(*id)?,
            Action::Partition { groups } => {
                let mut seen = vec![false; n as usize];
                for &id in groups.iter().flatten() {
                    node(id)?;
                    if std::mem::replace(&mut seen[id as usize], true) {
                        return Err(format!("node {id} is in two partition groups"));
                    }
                }
            }
            Action::Skew { offset_ms, drift_ppm, node: id } => {
                node(*id)?;
                if !offset_ms.is_finite() || offset_ms.abs() > 3.6e6 {
                    return Err(format!("clock offset must be within one hour, not {offset_ms} ms"));
                }
                if drift_ppm.unsigned_abs() > crate::sim::clock::MAX_DRIFT_PPM.unsigned_abs() {
                    return Err(format!(
                        "drift must be within ±{} ppm, not {drift_ppm}",
                        crate::sim::clock::MAX_DRIFT_PPM
                    ));
                }
            }
            Action::HealAll | Action::SetNetwork { .. } => {}
            Action::RegionDown { region } | Action::RegionUp { region } => {
                self.region_nodes(region)?;
            }
            Action::SplitRegions { groups } => {
                self.region_groups(groups)?;
            }
        }
        if let Action::SetLink { link, .. } | Action::SetNetwork { link } = action {
            link.to_config()?;
        }
        Ok(())
    }
}

/// What only the protocol can check: its parameters, and that every
/// command in the timeline (and the client load) is one it takes.
struct CheckProtocol;

impl Visit for CheckProtocol {
    type Output = Result<(), ScenarioError>;
    fn visit<P: Registered>(self, s: Scenario) -> Self::Output {
        s.config::<P>()?;
        if !s.alerts.is_empty() {
            alerts::validate::<P>(&s.alerts, &s.checker::<P>()).map_err(ScenarioError::Invalid)?;
        }
        let name = P::KIND.name();
        if s.client.is_some() && P::request(0, None).is_none() {
            return Err(ScenarioError::Invalid(format!("a {name} scenario has no client load; remove \"client\"")));
        }
        for (i, t) in s.timeline.iter().enumerate() {
            let a = &t.action;
            let supported = match a {
                Action::Request { key: Some(_), .. } | Action::Read { key: Some(_), .. } if !P::KEYED => {
                    return Err(ScenarioError::Invalid(format!(
                        "timeline[{i}]: a {name} client names no key; remove \"key\""
                    )))
                }
                Action::Request { .. } => P::request(0, None).is_some(),
                Action::Read { .. } => P::read(0, None).is_some(),
                Action::Transfer { .. }
                | Action::Campaign { .. }
                | Action::AddServer { .. }
                | Action::RemoveServer { .. } => P::command(a).is_some(),
                _ => true,
            };
            let names_leader = matches!(
                a,
                Action::Crash { node: Target::Leader }
                    | Action::Pause { node: Target::Leader }
                    | Action::Isolate { node: Target::Leader }
                    | Action::Request { node: Target::Leader, .. }
                    | Action::Read { node: Target::Leader, .. }
            );
            if names_leader && !P::HAS_LEADER {
                return Err(ScenarioError::Invalid(format!(
                    "timeline[{i}]: a {name} group has no leader; name the node by its number"
                )));
            }
            if !supported {
                return Err(ScenarioError::Invalid(format!(
                    "timeline[{i}]: '{}' is not a {name} command; a {name} scenario takes the faults crash, restart, pause, resume, cut, heal, partition, isolate, heal_all, set_link, set_network and skew",
                    a.name()
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
