//! Multi-Paxos (Lamport, "Paxos Made Simple", 2001, §3) with flexible
//! quorums (Howard, Malkhi and Spiegelman, "Flexible Paxos", 2016).
//!
//! A replicated log: each slot is one instance of Paxos. A distinguished
//! leader runs phase 1 once for its ballot and every slot not yet chosen
//! (`leader.rs`): a promise from an acceptor covers them all, and reports
//! what it accepted in each. The leader then runs phase 2 for each client
//! command in the next free slot, after re-proposing the values the
//! promises reported (and no-ops for the gaps). Every node is an acceptor
//! (`acceptor.rs`) and a learner (`learner.rs`): it learns a slot's value
//! once the leader says it is chosen, and applies slots in order to its
//! state machine, a counter of client writes that a read returns. Reads go
//! through the log, so a leader that has lost its ballot cannot answer one.
//!
//! Phase-1 and phase-2 quorums are sizes of their own (`quorums.rs`): any
//! Q1 and Q2 with Q1 + Q2 > N are safe; a small Q2 makes commits cheap and
//! leader changes dear.

mod acceptor;
mod leader;
mod learner;
pub mod linearizable_reads;
pub mod log_safety;
mod observe;
mod quorums;
mod spec;
pub mod state_machine_safety;
mod zoo;

pub use observe::{MultiPaxosCounts, MultiPaxosFigures, MultiPaxosObserver};
pub use spec::{MultiPaxosChecker, MultiPaxosSpec};

use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most nodes a Multi-Paxos scenario may have (quorums are counted in
/// a 64-bit set).
pub const MAX_NODES: u32 = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct MultiPaxosConfig {
    pub nodes: u32,
    /// How often a leader tells the others it leads, how far it has
    /// chosen, and re-sends proposals not yet chosen.
    pub heartbeat_us: u64,
    /// A node that hears no leader for this long, plus a random part up
    /// to as long again, starts phase 1 with a ballot of its own.
    pub election_us: u64,
    /// Flexible quorums: promises a leader needs, and acceptances that
    /// choose a slot's value (a majority each by default).
    pub q1: Option<u32>,
    pub q2: Option<u32>,
    pub bug: Option<Bug>,
}

impl Default for MultiPaxosConfig {
    fn default() -> Self {
        MultiPaxosConfig { nodes: 5, heartbeat_us: 50_000, election_us: 300_000, q1: None, q2: None, bug: None }
    }
}

/// Deliberately broken variants, one per checked property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// A new leader ignores the values its promises report and proposes
    /// its own commands from the end of what it has learned. Breaks Log
    /// Safety.
    IgnoreAccepted,
    /// A learner applies each slot as soon as it learns it, past gaps.
    /// Breaks State Machine Safety.
    ApplyGaps,
    /// A leader answers reads from its own state at once, without going
    /// through the log. Breaks Linearizable Reads once it is deposed.
    LocalReads,
}

impl Bug {
    pub const ALL: [Bug; 3] = [Bug::IgnoreAccepted, Bug::ApplyGaps, Bug::LocalReads];
}

/// A log entry: a client write or read (by its id), or a no-op that fills
/// a gap a new leader found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Noop,
    Write(u64),
    Read(u64),
}

impl Value {
    /// A client command's place in a table by kind and id: writes at
    /// (0, id), reads at (1, id); a no-op has none.
    pub fn index(self) -> Option<(usize, usize)> {
        match self {
            Value::Noop => None,
            Value::Write(id) => Some((0, id as usize)),
            Value::Read(id) => Some((1, id as usize)),
        }
    }
}

/// Something kept for each client command, by [`Value::index`] (ids are
/// handed out one after another, so a vector each for writes and reads).
#[derive(Clone, Debug, Default)]
pub struct ByCommand<T>([Vec<Option<T>>; 2]);

impl<T: Copy> ByCommand<T> {
    pub fn get(&self, v: Value) -> Option<T> {
        let (k, i) = v.index()?;
        self.0[k].get(i).copied().flatten()
    }

    pub fn set(&mut self, v: Value, x: Option<T>) {
        let Some((k, i)) = v.index() else { return };
        if self.0[k].len() <= i {
            self.0[k].resize(i + 1, None);
        }
        self.0[k][i] = x;
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Noop => f.write_str("noop"),
            Value::Write(id) => write!(f, "w{id}"),
            Value::Read(id) => write!(f, "r{id}"),
        }
    }
}

/// What an acceptor accepted in a slot: the ballot and the value.
pub type Accepted = (u64, Value);

/// A leader's proposal not yet chosen: its slot, its value, and the
/// acceptors that accepted it (a bit set).
type Open = (u64, Value, u64);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Role {
    Follower,
    /// Phase 1 for every slot from `from` on: promises so far (a bit set),
    /// and the highest-numbered proposal they reported for each slot (by
    /// slot − `from`).
    Preparing {
        promises: u64,
        from: u64,
        reported: Vec<Option<Accepted>>,
    },
    /// Phase 2: the next free slot, and each proposal not yet chosen (in
    /// slot order) with the acceptors that accepted it.
    Leading {
        next: u64,
        open: Vec<Open>,
    },
}

/// The node's state: an acceptor, a learner, and a leader when it leads.
#[derive(Clone, Debug)]
pub struct MultiPaxos {
    id: NodeId,
    /// Acceptor, on stable storage: the highest ballot promised, and what
    /// was accepted in each slot.
    promised: u64,
    accepted: Vec<Option<Accepted>>,
    /// Learner: each slot's chosen value, how many slots from the first
    /// are learned without a gap, how many are applied, and the state
    /// machine (client writes applied).
    learned: Vec<Option<Value>>,
    chosen: u64,
    applied: u64,
    writes: u64,
    /// Leader: its ballot (0 before it has tried), its role, the highest
    /// ballot seen, and the clients it owes an answer.
    ballot: u64,
    role: Role,
    seen: u64,
    owed: Vec<Value>,
    /// Whether a leader was heard since the election timer last fired.
    heard: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Phase 1a, for every slot from `from` on.
    Prepare { ballot: u64, from: u64 },
    /// Phase 1b: a promise, with what was accepted from `from` on.
    Promise { ballot: u64, accepted: Vec<(u64, Accepted)> },
    /// Phase 2a for one slot; `commit`: the slots the leader knows chosen.
    Accept { ballot: u64, slot: u64, value: Value, commit: u64 },
    /// Phase 2b, to the leader.
    Accepted { ballot: u64, slot: u64 },
    /// The leader is alive, and the first `commit` slots are chosen.
    Heartbeat { ballot: u64, commit: u64 },
    /// A follower has learned only the first `have` slots.
    Behind { ballot: u64, have: u64 },
    /// Chosen values a follower had missed.
    Learn { entries: Vec<(u64, Value)> },
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
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::Behind { .. } => "Behind",
            Msg::Learn { .. } => "Learn",
            Msg::Nack { .. } => "Nack",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Prepare { ballot, from } => write!(f, "Prepare b{ballot} from slot {from}"),
            Msg::Promise { ballot, accepted } => write!(f, "Promise b{ballot} ({} accepted)", accepted.len()),
            Msg::Accept { ballot, slot, value, commit } => {
                write!(f, "Accept {value} in slot {slot} @b{ballot} (commit {commit})")
            }
            Msg::Accepted { ballot, slot } => write!(f, "Accepted slot {slot} @b{ballot}"),
            Msg::Heartbeat { ballot, commit } => write!(f, "Heartbeat b{ballot} (commit {commit})"),
            Msg::Behind { ballot, have } => write!(f, "Behind: has {have} slots (b{ballot})"),
            Msg::Learn { entries } => write!(f, "Learn {} slots", entries.len()),
            Msg::Nack { ballot, promised } => write!(f, "Nack b{ballot} (promised b{promised})"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A follower checks that it has heard a leader.
    Election,
    /// A leader's heartbeat.
    Heartbeat,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::Election => "election",
            Timer::Heartbeat => "heartbeat",
        })
    }
}

/// A client's command: write number `id`, or read number `id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Request(u64),
    Read(u64),
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Request(id) => write!(f, "write w{id}"),
            Cmd::Read(id) => write!(f, "read r{id}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// Phase 1 began with this ballot.
    Ballot { ballot: u64 },
    /// Phase 1 succeeded: this node leads the ballot.
    Elected { ballot: u64 },
    /// The node learned that `value` is chosen in `slot`.
    Learned { slot: u64, value: Value },
    /// The node applied `slot` to its state machine.
    Applied { slot: u64, value: Value },
    /// The node answered its client: a write is done, a read returns the
    /// writes applied.
    Replied { value: Value, writes: u64 },
    /// The node is not leading, and turned the command away.
    Refused { value: Value },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Ballot { ballot } => write!(f, "starts phase 1 with ballot b{ballot}"),
            Note::Elected { ballot } => write!(f, "leads ballot b{ballot}"),
            Note::Learned { slot, value } => write!(f, "learns {value} in slot {slot}"),
            Note::Applied { slot, value } => write!(f, "applies slot {slot} ({value})"),
            Note::Replied { value: Value::Read(id), writes } => write!(f, "answers read r{id}: {writes}"),
            Note::Replied { value, .. } => write!(f, "answers {value}: done"),
            Note::Refused { value } => write!(f, "turns {value} away: not the leader"),
        }
    }
}

/// What an acceptor keeps on stable storage.
#[derive(Clone, Debug, PartialEq)]
pub struct Persistent {
    pub promised: u64,
    pub accepted: Vec<Option<Accepted>>,
}

impl MultiPaxos {
    pub fn promised(&self) -> u64 {
        self.promised
    }

    /// The ballot this node leads or is trying to (0: never tried).
    pub fn ballot(&self) -> u64 {
        self.ballot
    }

    pub fn leading(&self) -> bool {
        matches!(self.role, Role::Leading { .. })
    }

    pub fn preparing(&self) -> bool {
        matches!(self.role, Role::Preparing { .. })
    }

    /// Slots learned from the first without a gap.
    pub fn chosen(&self) -> u64 {
        self.chosen
    }

    /// Slots applied, and the state machine's value (writes applied).
    pub fn applied(&self) -> (u64, u64) {
        (self.applied, self.writes)
    }

    /// Each slot's learned value, if learned.
    pub fn log(&self) -> &[Option<Value>] {
        &self.learned
    }

    /// What the acceptor accepted in `slot`.
    pub fn accepted(&self, slot: u64) -> Option<Accepted> {
        self.accepted.get(slot as usize).copied().flatten()
    }

    /// The slot a leader gives the next command (`None`: not leading).
    pub fn next_slot(&self) -> Option<u64> {
        match &self.role {
            Role::Leading { next, .. } => Some(*next),
            _ => None,
        }
    }

    /// Proposals the leader has in phase 2, not yet chosen.
    pub fn open(&self) -> usize {
        match &self.role {
            Role::Leading { open, .. } => open.len(),
            _ => 0,
        }
    }
}

impl Protocol for MultiPaxos {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    type Persistent = Persistent;
    type Config = MultiPaxosConfig;

    fn boot(id: NodeId, _: &MultiPaxosConfig, persisted: Option<Persistent>) -> Self {
        let (promised, accepted) = persisted.map_or((0, Vec::new()), |p| (p.promised, p.accepted));
        MultiPaxos {
            id,
            promised,
            accepted,
            learned: Vec::new(),
            chosen: 0,
            applied: 0,
            writes: 0,
            ballot: 0,
            role: Role::Follower,
            seen: promised,
            owed: Vec::new(),
            heard: false,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.arm_election(ctx);
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            Msg::Prepare { ballot, from: slot } => self.on_prepare(from, ballot, slot, ctx),
            Msg::Promise { ballot, accepted } => self.on_promise(from, ballot, accepted, ctx),
            Msg::Accept { ballot, slot, value, commit } => self.on_accept(from, ballot, slot, value, commit, ctx),
            Msg::Accepted { ballot, slot } => self.on_accepted(from, ballot, slot, ctx),
            Msg::Heartbeat { ballot, commit } => self.on_heartbeat(from, ballot, commit, ctx),
            Msg::Behind { ballot, have } => self.on_behind(from, ballot, have, ctx),
            Msg::Learn { entries } => self.on_learn(entries, ctx),
            Msg::Nack { ballot, promised } => self.on_nack(ballot, promised, ctx),
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            Timer::Election => self.on_election_timer(ctx),
            Timer::Heartbeat => self.on_heartbeat_timer(ctx),
        }
    }

    fn on_command(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        self.on_client(cmd, ctx);
    }

    fn persistent(&self) -> Persistent {
        Persistent { promised: self.promised, accepted: self.accepted.clone() }
    }
}

#[cfg(test)]
mod tests;
