//! The contract between the spine and the protocols: what every protocol
//! implements beyond [`crate::sim::Protocol`], and the vocabulary they
//! share (timeline actions, node targets, link settings, times).
//!
//! This module sits below the protocols and imports none of them; the
//! protocols implement it, the registry ([`crate::protocols::registry`])
//! lists them, and the spine above (scenarios, the runner, time travel,
//! links, `splitbrain run`, the views) is generic over it. Nothing else is
//! written per protocol.

mod action;
mod link;
mod region;
mod rename;
mod work;
mod zoo;

pub use action::{Action, Target, TimedAction};
pub use link::{ms_to_us, period_us, HeavyTail, LinkSpec, Millis, PeriodError, TimeError, MAX_DURATION_US};
pub use region::{Region, Regions, MAX_REGIONS};
pub use rename::Rename;
pub use work::{TooMuchWork, MAX_CLIENT_OPS, MAX_PERIODS};
pub use zoo::Variant;

use crate::sim::invariant::Checker;
use crate::sim::protocol::Protocol;
use crate::sim::trace::Event;
use crate::sim::trace::StableHasher;
use crate::sim::{NodeId, Sim, Time};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// What a protocol's configuration needs to know of the scenario around
/// it, beyond its own spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// How many nodes the scenario runs.
    pub nodes: u32,
    /// The network's longest one-way latency (µs), for bounds that depend
    /// on it (the store's convergence bound).
    pub max_latency_us: Time,
    /// How long the run lasts (µs), for bounds on the work its periods
    /// cause ([`Cluster::periods`]).
    pub duration_us: Time,
    /// The scenario's regions (none: one flat network).
    pub regions: Regions,
}

/// A protocol spec that cannot run: what is wrong, in words a person can
/// act on (the field, the value, and what is allowed). Each protocol has a
/// typed error of its own (`RaftConfigError`, ...); the spine sees it
/// through this one, which keeps it whole.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ConfigError(pub Box<dyn std::error::Error + Send + Sync + 'static>);

impl ConfigError {
    /// Wraps a protocol's own typed error.
    pub fn of(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        ConfigError(Box::new(e))
    }
}

/// A note as the space-time diagram draws it on its node's lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneNote {
    /// The lane's look from here on (a CSS class: "leader", "infective"),
    /// or, for a tick, the tick's.
    pub class: &'static str,
    /// A few characters: "L t3", "suspects n2".
    pub text: String,
    /// A new state of the node (the lane takes `class` until the next),
    /// else a moment marked on the lane.
    pub state: bool,
}

/// Where a protocol command goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// To this node (or the leader, resolved when the action runs).
    To(Target),
    /// To the leader; dropped when there is none.
    Leader,
}

/// Counts a protocol keeps over a run, beside the trace's own; summed over
/// seeds by `splitbrain run --seeds`.
pub trait Counts: Clone + Debug + Default + PartialEq + Serialize {
    /// Adds another run's counts to these.
    fn merge(&mut self, other: &Self);
}

/// What a protocol observes over a run, read off the trace after every step:
/// the series behind its metrics panel, its counts, and the figures that
/// `splitbrain run` prints. A clone is part of a time-travel checkpoint, so
/// long series should share storage (`sim::cow`).
pub trait Observer<P: Protocol>: Clone + Default {
    type Counts: Counts;
    /// One run's figures.
    type Figures: Clone + Debug + PartialEq + Serialize;
    /// Samples gathered over several seeds' runs...
    type Samples: Default;
    /// ...and their summary.
    type Pooled: Clone + Debug + Serialize;

    /// Whether [`Observer::latency`] reports client latencies (a latency
    /// budget needs them), and [`Observer::divergence_age`] replicas that
    /// disagree (a divergence budget needs it).
    const LATENCY: bool = false;
    const DIVERGENCE: bool = false;

    /// Called after every step that left events in `sim.trace().last_step()`.
    fn observe(&mut self, sim: &Sim<P>);
    /// The `i`-th client operation to finish, as (when it finished, how
    /// long it took), in the order they finished: Raft's commits.
    fn latency(&self, _i: usize) -> Option<(Time, Time)> {
        None
    }
    /// How long the oldest disagreement between replicas has lasted at
    /// `now` (0 when they agree).
    fn divergence_age(&self, _now: Time) -> Time {
        0
    }
    fn counts(&self, sim: &Sim<P>) -> Self::Counts;
    fn figures(&self, sim: &Sim<P>) -> Self::Figures;
    /// Adds this run's samples.
    fn sample(&self, sim: &Sim<P>, into: &mut Self::Samples);
    fn pool(samples: &Self::Samples) -> Self::Pooled;
    /// Lines for `splitbrain run`'s text output: (label, text).
    fn describe(counts: &Self::Counts, pooled: &Self::Pooled, one_run: Option<&Self::Figures>)
        -> Vec<(String, String)>;
}

/// A protocol the spine can run: its spec as a scenario file writes it,
/// how that spec configures it, its checker and observer, and which
/// timeline actions are its own commands.
pub trait Runnable: Protocol {
    /// Whether the protocol has a leader, so that "leader" can name a node.
    const HAS_LEADER: bool = false;
    /// Its parameters as a scenario file writes them.
    type Spec: Clone + Debug + Default + PartialEq + Serialize + DeserializeOwned;
    type Checker: Checker<Self> + Clone + Default;
    type Observer: Observer<Self>;

    /// The cluster-wide configuration a spec asks for.
    fn config(spec: &Self::Spec, cluster: &Cluster) -> Result<Self::Config, ConfigError>;
    /// A checker of every property the protocol has.
    fn checker(spec: &Self::Spec, cluster: &Cluster) -> Self::Checker;
    /// The node that "leader" names in a timeline action, if any.
    fn leader(_sim: &Sim<Self>) -> Option<NodeId> {
        None
    }
    /// Whether a client request or read may name its key.
    const KEYED: bool = false;
    /// The command for client write number `id` (of `key`, where the
    /// protocol is [`Runnable::KEYED`]), if the protocol takes writes.
    fn request(_id: u64, _key: Option<u32>) -> Option<Self::Cmd> {
        None
    }
    /// The command for client read number `id`, if the protocol takes reads.
    fn read(_id: u64, _key: Option<u32>) -> Option<Self::Cmd> {
        None
    }
    /// The command a timeline action asks for, if it is one of this
    /// protocol's own commands (shared faults are not commands).
    fn command(_action: &Action) -> Option<(Route, Self::Cmd)> {
        None
    }
    /// Whether every property must hold in a run of `spec` under
    /// `timeline`: no broken variant is set, and the timeline does nothing
    /// the protocol's guarantees exclude. Fuzzers and searches assert that
    /// such runs break nothing.
    fn must_hold(_spec: &Self::Spec, _timeline: &[TimedAction]) -> bool {
        true
    }
    /// Each node's state as a coverage-guided search sees it: one value a
    /// node, in id order, which say what is interesting about it and
    /// nothing that differs between runs that are alike (Raft: its role,
    /// and how far its term, log and commit point lag the cluster's). The
    /// search adds each node's status and the partition's shape and
    /// ignores which node is which. The default says nothing more.
    fn abstract_nodes(_sim: &Sim<Self>, _out: &mut Vec<u64>) {}
    /// Whether `splitbrain explore` can take `spec`, and if not, why. The
    /// explorer fires timers and delivers messages in any order with time
    /// standing still, and identifies states by [`Runnable::fingerprint`].
    /// Its broken variants, for the bug zoo: each a scenario that runs
    /// one, with what is wrong and the property that catches it.
    fn zoo() -> &'static [Variant] {
        &[]
    }

    fn explorable(_spec: &Self::Spec) -> Result<(), String> {
        Err("it has no model for exhaustive exploration yet; splitbrain search explores it".into())
    }
    /// Whether the nodes of `spec` are interchangeable, so that states
    /// that differ only by renaming are explored once.
    fn symmetric(_spec: &Self::Spec) -> bool {
        false
    }
    /// Hashes what this node's state means for what it does next, with
    /// node ids renamed by `rename`: not its clocks, nor counters that only
    /// grow and change nothing the explorer can do (so that the state space
    /// is finite for a finite depth of terms). Two nodes that hash alike
    /// must behave alike.
    fn fingerprint(&self, _rename: &Rename, _h: &mut StableHasher) {}
    /// Hashes a message in the same way.
    fn msg_fingerprint(_msg: &Self::Msg, _rename: &Rename, _h: &mut StableHasher) {}
    /// Whether a trace event marks a new leader (for the scrubber's marks).
    fn marks_leader(_event: &Event<Self>) -> bool {
        false
    }
    /// A message's kind, short, for the space-time diagram's arrows and
    /// its filter ("AppendEntries", "Ping").
    fn msg_kind(_msg: &Self::Msg) -> &'static str {
        "message"
    }
    /// What a note means for its node's lane in the space-time diagram:
    /// a new state (a role and term), or a moment worth a tick.
    fn lane_note(_note: &Self::Note) -> Option<LaneNote> {
        None
    }
    /// About how many bytes a checkpoint taken now adds: the group's state
    /// that no earlier checkpoint shares, so time travel can keep its
    /// checkpoints within a memory budget. The default counts the engine's
    /// own (see [`Sim::base_bytes`]); a protocol that keeps large state on
    /// the heap adds what of it is not shared.
    fn state_bytes(sim: &Sim<Self>) -> usize {
        sim.base_bytes()
    }
}
