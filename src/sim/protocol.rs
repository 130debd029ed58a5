//! The contract between the simulator and a protocol.
//!
//! A protocol is a pure state machine (docs/architecture.md, law 1). The simulator calls
//! one `on_*` handler per event and passes a [`Ctx`]: the node's local time,
//! its own random stream, and an outbox. The handler pushes [`Effect`]s into the
//! outbox; the simulator carries them out after the handler returns. A protocol
//! never reads a clock, never draws from a global generator, and never does I/O.
//!
//! The same contract hosts Raft, gossip, SWIM, leases and quorum stores:
//! messages, timers, client commands and observations ("notes") are all
//! associated types, so each protocol names its own.

use super::rng::Rng;
use super::{LocalTime, NodeId};
use std::fmt::{Debug, Display};
use std::hash::Hash;

/// A protocol that the simulator hosts. One value is one node's state.
pub trait Protocol: Sized + Clone + 'static {
    /// Messages between nodes.
    type Msg: Clone + Debug + Display + Hash;
    /// Timer names. A node has at most one pending timer per name; setting a
    /// named timer again replaces it.
    type Timer: Copy + Ord + Debug + Display + Hash;
    /// Commands from outside the cluster: client requests, operator actions.
    type Cmd: Clone + Debug + Display + Hash;
    /// Observations the protocol reports for the trace: role changes,
    /// commits. They change nothing; the UI, metrics and checkers read them.
    type Note: Clone + Debug + Display + Hash;
    /// What survives a crash (for Raft: term, vote and log).
    type Persistent: Clone + Debug;
    /// Cluster-wide configuration shared by every node.
    type Config: Clone + Debug;

    /// Creates node `id`, fresh (`None`) or restarting from what it persisted.
    fn boot(id: NodeId, config: &Self::Config, persisted: Option<Self::Persistent>) -> Self;
    /// Called once after boot, when the node starts running.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>);
    fn on_message(&mut self, from: NodeId, msg: Self::Msg, ctx: &mut Ctx<'_, Self>);
    fn on_timer(&mut self, timer: Self::Timer, ctx: &mut Ctx<'_, Self>);
    fn on_command(&mut self, cmd: Self::Cmd, ctx: &mut Ctx<'_, Self>);
    /// The state that a crash keeps. The simulator takes it at the crash. A
    /// handler that changes it calls [`Ctx::persist`]; with storage latency
    /// set, its messages then wait for the write, and with none (the
    /// default) persisting is instantaneous.
    fn persistent(&self) -> Self::Persistent;
}

/// What a handler asks the simulator to do.
#[derive(Clone, Debug)]
pub enum Effect<P: Protocol> {
    /// Send `msg` to `to` through the network.
    Send { to: NodeId, msg: P::Msg },
    /// Fire `timer` after `after_us` of the node's local clock, replacing a
    /// pending timer of the same name.
    SetTimer { timer: P::Timer, after_us: u64 },
    /// Cancel a pending timer (no-op if none).
    CancelTimer { timer: P::Timer },
    /// Record an observation in the trace.
    Note(P::Note),
    /// Write the persistent state to stable storage: the node's messages
    /// from here on leave once the write completes ([`crate::sim::storage`]).
    Persist,
}

/// The handler's view of the world: who it is, what its clock says, the
/// cluster's configuration, its random stream, and where its effects go.
pub struct Ctx<'a, P: Protocol> {
    id: NodeId,
    now: LocalTime,
    config: &'a P::Config,
    rng: &'a mut Rng,
    effects: &'a mut Vec<Effect<P>>,
}

impl<'a, P: Protocol> Ctx<'a, P> {
    /// Builds a context. Public so protocol unit tests can drive one event and
    /// assert the exact effects that come out.
    pub fn new(
        id: NodeId,
        now: LocalTime,
        config: &'a P::Config,
        rng: &'a mut Rng,
        effects: &'a mut Vec<Effect<P>>,
    ) -> Self {
        Ctx { id, now, config, rng, effects }
    }

    /// The configuration every node booted with. A node may read it here
    /// instead of keeping a copy: a swarm's run is bound by the size of
    /// the node state each event reads.
    pub fn config(&self) -> &'a P::Config {
        self.config
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The node's local clock (true time + offset + drift), in microseconds.
    pub fn now(&self) -> LocalTime {
        self.now
    }

    pub fn rng(&mut self) -> &mut Rng {
        self.rng
    }

    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }

    pub fn set_timer(&mut self, timer: P::Timer, after_us: u64) {
        self.effects.push(Effect::SetTimer { timer, after_us });
    }

    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer { timer });
    }

    pub fn note(&mut self, note: P::Note) {
        self.effects.push(Effect::Note(note));
    }

    /// The handler changed what [`Protocol::persistent`] returns and
    /// writes it to stable storage before acting on it: every message it
    /// sends from here on waits for the write.
    pub fn persist(&mut self) {
        self.effects.push(Effect::Persist);
    }
}

/// The command type of a protocol that takes no client commands (its
/// nodes act on their own: an election, single-decree Paxos).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NoCmd {}

impl std::fmt::Display for NoCmd {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}
