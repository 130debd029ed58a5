//! The settings a reset applies: the Raft view's form over a scenario.

use crate::scenario::{LinkSpec, ProtocolSpec, RaftParams, Scenario};
use crate::sim::NodeId;

/// The settings a reset applies.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub nodes: u32,
    pub seed: u64,
    pub prevote: bool,
    pub check_quorum: bool,
    pub timeout_ms: (f64, f64),
    pub heartbeat_ms: f64,
    pub latency_ms: (f64, f64),
    /// The leader patterns (see docs/scenario.md).
    pub patterns: Patterns,
}

/// Leases, witnesses, rotation, snapshots and spare servers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patterns {
    pub lease_drift_bound_ppm: Option<u32>,
    pub witnesses: Vec<NodeId>,
    pub witness_log: crate::protocols::raft::WitnessLog,
    pub rotate_every_ms: Option<f64>,
    pub rotate_every_commits: Option<u64>,
    pub snapshot_every: Option<u64>,
    /// The highest-numbered servers start outside the configuration.
    pub spares: u32,
}

impl Patterns {
    fn of(r: &RaftParams, nodes: u32) -> Self {
        let members = r.members.as_ref().map_or(nodes, |m| m.len() as u32);
        Patterns {
            lease_drift_bound_ppm: r.lease_drift_bound_ppm,
            witnesses: r.witnesses.clone(),
            witness_log: r.witness_log,
            rotate_every_ms: r.rotate_every_ms,
            rotate_every_commits: r.rotate_every_commits,
            snapshot_every: r.snapshot_every,
            spares: nodes.saturating_sub(members),
        }
    }

    fn apply(&self, r: &mut RaftParams, nodes: u32) {
        r.lease_drift_bound_ppm = self.lease_drift_bound_ppm;
        r.witnesses = self.witnesses.clone();
        r.witness_log = self.witness_log;
        r.rotate_every_ms = self.rotate_every_ms;
        r.rotate_every_commits = self.rotate_every_commits;
        r.snapshot_every = self.snapshot_every;
        let spares = self.spares.min(nodes.saturating_sub(1));
        r.members = (spares > 0).then(|| (0..nodes - spares).collect());
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            nodes: 5,
            seed: 1,
            prevote: false,
            check_quorum: false,
            timeout_ms: (150.0, 300.0),
            heartbeat_ms: 50.0,
            latency_ms: (10.0, 20.0),
            patterns: Patterns::default(),
        }
    }
}

impl Settings {
    /// The settings a scenario was made with.
    pub fn of(s: &Scenario) -> Settings {
        // The Raft view loads only Raft scenarios; anything else shows the defaults.
        let default = RaftParams::default();
        let r = match &s.protocol {
            ProtocolSpec::Raft(r) => r,
            _ => &default,
        };
        Settings {
            nodes: s.nodes,
            seed: s.seed,
            prevote: r.prevote,
            check_quorum: r.check_quorum,
            timeout_ms: (r.election_timeout_ms[0], r.election_timeout_ms[1]),
            heartbeat_ms: r.heartbeat_ms,
            latency_ms: (s.network.latency_ms[0], s.network.latency_ms[1]),
            patterns: Patterns::of(r, s.nodes),
        }
    }

    /// `base` with these settings applied (its timeline and the rest kept).
    pub fn apply_to(&self, base: &Scenario) -> Scenario {
        let mut s = base.clone();
        s.nodes = self.nodes;
        s.seed = self.seed;
        if let ProtocolSpec::Raft(r) = &mut s.protocol {
            r.prevote = self.prevote;
            r.check_quorum = self.check_quorum;
            r.election_timeout_ms = [self.timeout_ms.0, self.timeout_ms.1];
            r.heartbeat_ms = self.heartbeat_ms;
            self.patterns.apply(r, self.nodes);
        }
        s.network.latency_ms = [self.latency_ms.0, self.latency_ms.1];
        s
    }

    pub fn scenario(&self) -> Scenario {
        let mut raft = RaftParams {
            election_timeout_ms: [self.timeout_ms.0, self.timeout_ms.1],
            heartbeat_ms: self.heartbeat_ms,
            prevote: self.prevote,
            check_quorum: self.check_quorum,
            ..RaftParams::default()
        };
        self.patterns.apply(&mut raft, self.nodes);
        Scenario {
            name: "playground".into(),
            protocol: ProtocolSpec::Raft(raft),
            network: LinkSpec { latency_ms: [self.latency_ms.0, self.latency_ms.1], ..LinkSpec::default() },
            ..Scenario::raft(self.nodes, self.seed)
        }
    }
}
