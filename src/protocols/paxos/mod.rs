//! Single-decree Paxos (Lamport, "Paxos Made Simple", 2001, §2).
//!
//! Every node is an acceptor and a learner; the nodes listed as proposers
//! also propose, each its own value. A proposer picks a ballot higher than
//! any it has seen and asks the acceptors to promise it (phase 1,
//! `proposer.rs`); with promises from a majority it asks them to accept the
//! value of the highest-numbered proposal any of them has accepted, or its
//! own if none has (phase 2). An acceptor keeps its promises and what it
//! accepted on stable storage (`acceptor.rs`). A learner learns a value once
//! a majority of acceptors has accepted it in one ballot (`learner.rs`).
//!
//! Two proposers that keep pre-empting each other never finish (§2.4: "it's
//! easy to construct a scenario in which two proposers each keep issuing a
//! sequence of proposals with increasing numbers, none of which are ever
//! chosen"); a random back-off before retrying lets one of them win.

mod acceptor;
pub mod agreement;
mod learner;
mod observe;
pub mod promises;
mod proposer;
pub mod quorums;
mod spec;
pub mod validity;
mod zoo;

pub use observe::{PaxosCounts, PaxosFigures, PaxosObserver};
pub use spec::{PaxosChecker, PaxosSpec};

use crate::sim::protocol::{Ctx, NoCmd, Protocol};
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most nodes a Paxos scenario may have (a learner counts acceptors in
/// a 64-bit set).
pub const MAX_NODES: u32 = 64;

/// How a proposer waits before trying again with a higher ballot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same wait every time: two proposers can duel for ever.
    Fixed,
    /// A random wait, up to four times the fixed one, drawn anew each
    /// time (the usual cure, §2.4).
    Random,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaxosConfig {
    pub nodes: u32,
    /// The nodes that propose, each its own value ([`value_of`]).
    pub proposers: Vec<NodeId>,
    /// When the proposers begin (µs after they boot).
    pub start_us: u64,
    /// A proposer whose ballot has not chosen a value within this long
    /// tries again with a higher one.
    pub timeout_us: u64,
    /// How long a proposer waits after a refusal before trying again:
    /// this long (fixed), or a random time up to four times it.
    pub backoff_us: u64,
    pub backoff: Backoff,
    /// Flexible quorums (`quorums.rs`): promises needed for phase 2, and
    /// acceptances that choose a value; a majority each by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q1: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q2: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

/// Deliberately broken variants, one per checked property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// Acceptors keep their promise and accepted proposal in memory only:
    /// a restarted acceptor has forgotten them. Breaks Promise Kept (and,
    /// with the wrong restart, Agreement).
    ForgetPromise,
    /// A proposer proposes its own value in phase 2 even when a promise
    /// reports an accepted one. Breaks Agreement.
    IgnoreAccepted,
    /// A proposer with no accepted value to carry proposes its ballot
    /// number, a value no one proposed. Breaks Validity.
    BallotAsValue,
}

impl Bug {
    pub const ALL: [Bug; 3] = [Bug::ForgetPromise, Bug::IgnoreAccepted, Bug::BallotAsValue];
}

impl Default for PaxosConfig {
    fn default() -> Self {
        PaxosConfig {
            nodes: 5,
            proposers: vec![0, 1],
            start_us: 10_000,
            timeout_us: 100_000,
            backoff_us: 5_000,
            backoff: Backoff::Random,
            q1: None,
            q2: None,
            bug: None,
        }
    }
}

/// The value proposer `p` proposes.
pub fn value_of(p: NodeId) -> u64 {
    100 + u64::from(p)
}

/// A proposal: its ballot and value.
pub type Proposal = (u64, u64);

/// The node's state: one acceptor, one learner, and a proposer if it is
/// one.
#[derive(Clone, Debug)]
pub struct Paxos {
    id: NodeId,
    /// Acceptor (kept on stable storage): the highest ballot promised, and
    /// the highest-numbered proposal accepted.
    promised: u64,
    accepted: Option<Proposal>,
    /// Proposer.
    ballot: u64,
    phase: Phase,
    /// The highest ballot this node has seen anyone use.
    seen: u64,
    /// Learner: acceptors that accepted each ballot (as a bit set), and
    /// the value learned.
    votes: Vec<(u64, u64, u64)>,
    learned: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Idle,
    /// Promises so far (bit set of acceptors) and the highest accepted
    /// proposal they reported.
    Preparing {
        promises: u64,
        highest: Option<Proposal>,
    },
    /// Acceptors that accepted this value so far.
    Accepting {
        value: u64,
        accepts: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Phase 1a.
    Prepare { ballot: u64 },
    /// Phase 1b: a promise, with the highest proposal accepted so far.
    Promise { ballot: u64, accepted: Option<Proposal> },
    /// Phase 2a.
    Accept { ballot: u64, value: u64 },
    /// Phase 2b, to every learner (and the proposer).
    Accepted { ballot: u64, value: u64 },
    /// A refusal: the acceptor has promised a higher ballot.
    Nack { ballot: u64, promised: u64 },
}

impl Msg {
    pub fn label(&self) -> &'static str {
        match self {
            Msg::Prepare { .. } => "Prepare",
            Msg::Promise { .. } => "Promise",
            Msg::Accept { .. } => "Accept",
            Msg::Accepted { .. } => "Accepted",
            Msg::Nack { .. } => "Nack",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Prepare { ballot } => write!(f, "Prepare b{ballot}"),
            Msg::Promise { ballot, accepted: None } => write!(f, "Promise b{ballot}"),
            Msg::Promise { ballot, accepted: Some((b, v)) } => write!(f, "Promise b{ballot} (accepted {v}@b{b})"),
            Msg::Accept { ballot, value } => write!(f, "Accept {value}@b{ballot}"),
            Msg::Accepted { ballot, value } => write!(f, "Accepted {value}@b{ballot}"),
            Msg::Nack { ballot, promised } => write!(f, "Nack b{ballot} (promised b{promised})"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A proposer tries (again) with a higher ballot.
    Propose,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("propose")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// A proposer began phase 1 with this ballot.
    Ballot { ballot: u64 },
    /// An acceptor promised this ballot.
    Promised { ballot: u64 },
    /// An acceptor accepted this proposal.
    Accepted { ballot: u64, value: u64 },
    /// A proposer asked for this value in phase 2.
    Proposed { ballot: u64, value: u64 },
    /// A learner learned this value.
    Learned { value: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Ballot { ballot } => write!(f, "starts ballot b{ballot}"),
            Note::Promised { ballot } => write!(f, "promises b{ballot}"),
            Note::Accepted { ballot, value } => write!(f, "accepts {value}@b{ballot}"),
            Note::Proposed { ballot, value } => write!(f, "proposes {value}@b{ballot}"),
            Note::Learned { value } => write!(f, "learns {value}"),
        }
    }
}

/// What an acceptor keeps on stable storage.
#[derive(Clone, Debug, PartialEq)]
pub struct Persistent {
    pub promised: u64,
    pub accepted: Option<Proposal>,
}

impl Paxos {
    pub fn promised(&self) -> u64 {
        self.promised
    }

    pub fn accepted(&self) -> Option<Proposal> {
        self.accepted
    }

    pub fn learned(&self) -> Option<u64> {
        self.learned
    }

    /// The ballot this node proposes with (0 if it has not proposed).
    pub fn ballot(&self) -> u64 {
        self.ballot
    }

    /// Whether it is a proposer between phases 1 and 2 (or in phase 2).
    pub fn proposing(&self) -> Option<&'static str> {
        match self.phase {
            Phase::Idle => None,
            Phase::Preparing { .. } => Some("phase 1"),
            Phase::Accepting { .. } => Some("phase 2"),
        }
    }
}

impl Protocol for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = NoCmd;
    type Note = Note;
    type Persistent = Persistent;
    type Config = PaxosConfig;

    fn boot(id: NodeId, config: &PaxosConfig, persisted: Option<Persistent>) -> Self {
        let kept = persisted.filter(|_| config.bug != Some(Bug::ForgetPromise));
        let (promised, accepted) = kept.map_or((0, None), |p| (p.promised, p.accepted));
        Paxos {
            id,
            promised,
            accepted,
            ballot: 0,
            phase: Phase::Idle,
            seen: promised,
            votes: Vec::new(),
            learned: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.config().proposers.contains(&self.id) {
            ctx.set_timer(Timer::Propose, ctx.config().start_us);
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            Msg::Prepare { ballot } => self.on_prepare(from, ballot, ctx),
            Msg::Accept { ballot, value } => self.on_accept(from, ballot, value, ctx),
            Msg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, ctx),
            Msg::Nack { ballot, promised } => self.on_nack(ballot, promised, ctx),
            Msg::Accepted { ballot, value } => {
                self.on_accepted_by(from, ballot, ctx);
                self.learn(from, ballot, value, ctx);
            }
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            Timer::Propose => self.prepare(ctx),
        }
    }

    fn on_command(&mut self, cmd: NoCmd, _: &mut Ctx<'_, Self>) {
        match cmd {}
    }

    fn persistent(&self) -> Persistent {
        Persistent { promised: self.promised, accepted: self.accepted }
    }
}

#[cfg(test)]
mod tests;
