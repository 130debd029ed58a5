//! SWIM: Scalable Weakly-consistent Infection-style process group
//! Membership (Das, Gupta and Motivala, DSN 2002).
//!
//! Each protocol period a member probes one target (random, or round-robin
//! over a shuffled list, §4.3). With no ack within the ack timeout it asks
//! `k` others to probe the target indirectly (ping-req, §3.1). A target that
//! stays silent all period becomes *suspect*; after the suspicion timeout it
//! is declared *failed*, unless it refutes the suspicion with a higher
//! incarnation number (§4.2). Membership updates ride on probes and acks,
//! each retransmitted about λ·log n times (§4.1). With suspicion off, a
//! silent target is declared failed at once: the basic protocol of §3.

pub mod completeness;
pub mod incarnation;
mod observe;
mod spec;

pub use observe::{SwimCounts, SwimObserver};
pub use spec::SwimSpec;

use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::vecmap::VecMap;
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetSelection {
    Random,
    RoundRobin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SwimConfig {
    pub nodes: u32,
    pub period_us: u64,
    /// Members asked to probe indirectly.
    pub indirect: u32,
    pub target: TargetSelection,
    /// `None`: no suspicion; silent targets are declared failed at once.
    pub suspicion_us: Option<u64>,
    /// λ in "each update is piggybacked λ·log n times".
    pub lambda: u32,
    /// Updates carried per message (about what fits in a UDP packet).
    pub max_piggyback: u32,
    /// A deliberately broken variant, to show that its checker catches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

/// Deliberately broken variants of the protocol, one per checked property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// The suspicion timer never declares the suspect failed, so a crashed
    /// member can stay suspect forever. Breaks Strong Completeness.
    SuspectForever,
    /// Updates are applied without comparing incarnations, so a stale
    /// suspicion overrides a refutation. Breaks Incarnation Precedence.
    IgnoreIncarnation,
}

impl Bug {
    pub const ALL: [Bug; 2] = [Bug::SuspectForever, Bug::IgnoreIncarnation];
}

impl Default for SwimConfig {
    fn default() -> Self {
        SwimConfig {
            nodes: 100,
            period_us: 1_000_000,
            indirect: 3,
            target: TargetSelection::RoundRobin,
            suspicion_us: Some(5_000_000),
            lambda: 3,
            max_piggyback: 20,
            bug: None,
        }
    }
}

/// A SWIM configuration that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SwimConfigError {
    #[error("SWIM needs at least 2 members, not {0}")]
    TooFewMembers(u32),
    /// Every member holds a view of every other: memory grows as N².
    #[error("SWIM runs at most {max} members, not {members}")]
    TooManyMembers { max: u32, members: u32 },
    #[error("a SWIM scenario runs at most {max} members, not {members}")]
    ScenarioTooLarge { max: u32, members: u32 },
    #[error("the protocol period must be positive")]
    ZeroPeriod,
    #[error("indirect = {indirect} asks more helpers than there are other members (at most {most}: the group less the prober and its target)")]
    TooManyHelpers { indirect: u32, most: u32 },
    #[error("the suspicion timeout must be positive (or use --no-suspicion)")]
    ZeroSuspicion,
    #[error("{what} must be between 1 ms and one hour, not {ms}")]
    Time { what: &'static str, ms: f64 },
}

impl SwimConfig {
    pub fn validate(&self) -> Result<(), SwimConfigError> {
        use SwimConfigError as E;
        if self.nodes < 2 {
            return Err(E::TooFewMembers(self.nodes));
        }
        if self.nodes > spec::MAX_MEMBERS {
            return Err(E::TooManyMembers { max: spec::MAX_MEMBERS, members: self.nodes });
        }
        if self.period_us == 0 {
            return Err(E::ZeroPeriod);
        }
        if self.indirect > self.nodes - 2 {
            return Err(E::TooManyHelpers { indirect: self.indirect, most: self.nodes.saturating_sub(2) });
        }
        if self.suspicion_us == Some(0) {
            return Err(E::ZeroSuspicion);
        }
        Ok(())
    }

    fn ack_timeout(&self) -> u64 {
        (self.period_us / 3).max(1)
    }

    /// How many times each update is piggybacked: ⌈λ · ln(n + 1)⌉.
    pub fn retransmits(&self) -> u32 {
        (f64::from(self.lambda) * libm::log(f64::from(self.nodes) + 1.0)).ceil() as u32
    }
}

/// A member's status in someone's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Alive,
    Suspect,
    Failed,
}

/// A membership update (§4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Update {
    pub member: NodeId,
    pub status: Status,
    pub incarnation: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Ping {
        seq: u64,
        updates: Vec<Update>,
    },
    Ack {
        seq: u64,
        updates: Vec<Update>,
    },
    PingReq {
        seq: u64,
        target: NodeId,
        updates: Vec<Update>,
    },
    /// A helper's report that `target` answered its indirect probe.
    IndirectAck {
        seq: u64,
        updates: Vec<Update>,
    },
}

impl Msg {
    fn updates(&self) -> &[Update] {
        match self {
            Msg::Ping { updates, .. }
            | Msg::Ack { updates, .. }
            | Msg::PingReq { updates, .. }
            | Msg::IndirectAck { updates, .. } => updates,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Msg::Ping { .. } => "Ping",
            Msg::Ack { .. } => "Ack",
            Msg::PingReq { .. } => "PingReq",
            Msg::IndirectAck { .. } => "IndirectAck",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::PingReq { seq, target, .. } => write!(f, "PingReq(#{seq} n{target}")?,
            Msg::Ping { seq, .. } | Msg::Ack { seq, .. } | Msg::IndirectAck { seq, .. } => {
                write!(f, "{}(#{seq}", self.label())?
            }
        }
        for u in self.updates() {
            let s = match u.status {
                Status::Alive => "alive",
                Status::Suspect => "suspect",
                Status::Failed => "failed",
            };
            write!(f, " n{}:{s}@{}", u.member, u.incarnation)?;
        }
        write!(f, ")")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Start of a protocol period.
    Period,
    /// No direct ack for this probe in time: go indirect.
    AckTimeout(u64),
    /// A suspect member's time is up.
    Suspicion(NodeId),
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timer::Period => write!(f, "period"),
            Timer::AckTimeout(s) => write!(f, "ack-timeout #{s}"),
            Timer::Suspicion(m) => write!(f, "suspicion n{m}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {}

impl fmt::Display for Cmd {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// This member's view of `member` changed. `first_hand`: from its own
    /// probe or suspicion timer, not from gossip.
    Marked { member: NodeId, status: Status, incarnation: u64, first_hand: bool },
    /// This member refuted a suspicion of itself.
    Refuted { incarnation: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Marked { member, status, incarnation, first_hand } => {
                write!(f, "marks n{member} {status:?}@{incarnation}{}", if *first_hand { " (own probe)" } else { "" })
            }
            Note::Refuted { incarnation } => write!(f, "refutes suspicion, incarnation {incarnation}"),
        }
    }
}

/// One member.
#[derive(Clone, Debug)]
pub struct Swim {
    id: NodeId,
    cfg: SwimConfig,
    incarnation: u64,
    /// Everyone's status and incarnation, as this member sees it.
    /// Shared with time-travel checkpoints until it changes (most views
    /// stay the same for minutes), so a checkpoint costs little memory.
    view: Rc<Vec<(Status, u64)>>,
    /// Updates to piggyback, with how often each was sent.
    dissemination: Vec<(Update, u32)>,
    /// This round's probe order (shared the same way); the next target is
    /// `round_robin[rr_left - 1]`.
    round_robin: Rc<Vec<NodeId>>,
    rr_left: usize,
    next_seq: u64,
    /// This period's probe: (seq, target, acked).
    probe: Option<(u64, NodeId, bool)>,
    /// Indirect probes this member runs for others: my seq -> (requester, their seq).
    forwarding: VecMap<u64, (NodeId, u64)>,
}

impl Swim {
    pub fn view(&self) -> &[(Status, u64)] {
        &self.view
    }

    /// About how many bytes this member holds on the heap that no
    /// time-travel checkpoint shares (see [`crate::contract::Runnable::state_bytes`]).
    pub fn unshared_heap_bytes(&self) -> usize {
        let own = |n: usize, bytes: usize, count: usize| if count == 1 { n * bytes } else { 0 };
        own(self.view.len(), std::mem::size_of::<(Status, u64)>(), Rc::strong_count(&self.view))
            + own(self.round_robin.len(), 4, Rc::strong_count(&self.round_robin))
            + self.dissemination.len() * std::mem::size_of::<(Update, u32)>()
    }
    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }
    pub fn status_of(&self, m: NodeId) -> Status {
        self.view[m as usize].0
    }

    fn gossip(&mut self, u: Update) {
        self.dissemination.retain(|(x, _)| x.member != u.member);
        self.dissemination.push((u, 0));
    }

    fn piggyback(&mut self) -> Vec<Update> {
        let limit = self.cfg.retransmits();
        self.dissemination.sort_unstable_by_key(|(u, sent)| (*sent, u.member));
        let mut out = Vec::new();
        for (u, sent) in self.dissemination.iter_mut().take(self.cfg.max_piggyback as usize) {
            *sent += 1;
            out.push(*u);
        }
        self.dissemination.retain(|(_, sent)| *sent < limit);
        out
    }

    /// Applies an update by the precedence rules of §4.2; returns whether
    /// it changed the view.
    fn apply(&mut self, ctx: &mut Ctx<'_, Self>, u: Update, first_hand: bool) -> bool {
        if u.member == self.id {
            if u.status != Status::Alive && u.incarnation >= self.incarnation {
                // Refute: a suspicion (or worse) about me is wrong while I run.
                self.incarnation = u.incarnation + 1;
                ctx.note(Note::Refuted { incarnation: self.incarnation });
                let me = Update { member: self.id, status: Status::Alive, incarnation: self.incarnation };
                self.gossip(me);
            }
            return false;
        }
        let (status, inc) = self.view[u.member as usize];
        let ignore = self.cfg.bug == Some(Bug::IgnoreIncarnation);
        let wins = match (u.status, status) {
            (s, old) if ignore => s != old && old != Status::Failed,
            (_, Status::Failed) => false,
            (Status::Failed, _) => true,
            (Status::Suspect, Status::Alive) => u.incarnation >= inc,
            (Status::Suspect, Status::Suspect) | (Status::Alive, _) => u.incarnation > inc,
        };
        if !wins {
            return false;
        }
        Rc::make_mut(&mut self.view)[u.member as usize] = (u.status, u.incarnation);
        ctx.note(Note::Marked { member: u.member, status: u.status, incarnation: u.incarnation, first_hand });
        match u.status {
            Status::Suspect => {
                if let Some(s) = self.cfg.suspicion_us {
                    ctx.set_timer(Timer::Suspicion(u.member), s);
                }
            }
            Status::Alive | Status::Failed => ctx.cancel_timer(Timer::Suspicion(u.member)),
        }
        self.gossip(u);
        true
    }

    fn absorb(&mut self, ctx: &mut Ctx<'_, Self>, updates: &[Update]) {
        for u in updates {
            self.apply(ctx, *u, false);
        }
    }

    fn live_others(&self) -> Vec<NodeId> {
        (0..self.cfg.nodes).filter(|m| *m != self.id && self.view[*m as usize].0 != Status::Failed).collect()
    }

    fn pick_target(&mut self, ctx: &mut Ctx<'_, Self>) -> Option<NodeId> {
        match self.cfg.target {
            TargetSelection::Random => {
                let live = self.live_others();
                ctx.rng().pick(&live).copied()
            }
            TargetSelection::RoundRobin => loop {
                if self.rr_left == 0 {
                    let mut list = self.live_others();
                    if list.is_empty() {
                        return None;
                    }
                    ctx.rng().shuffle(&mut list);
                    self.rr_left = list.len();
                    self.round_robin = Rc::new(list);
                }
                self.rr_left -= 1;
                let t = self.round_robin[self.rr_left];
                if self.view[t as usize].0 != Status::Failed {
                    return Some(t);
                }
            },
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The period's probe got no ack: suspect (or fail) the target.
    fn conclude_probe(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some((_, target, false)) = self.probe.take() {
            let (status, inc) = self.view[target as usize];
            if status == Status::Alive {
                let status = if self.cfg.suspicion_us.is_some() { Status::Suspect } else { Status::Failed };
                self.apply(ctx, Update { member: target, status, incarnation: inc }, true);
            }
        }
    }
}

impl Protocol for Swim {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    /// A restarted member rejoins with a higher incarnation.
    type Persistent = u64;
    type Config = SwimConfig;

    fn boot(id: NodeId, cfg: &SwimConfig, persisted: Option<u64>) -> Self {
        let incarnation = persisted.map_or(0, |i| i + 1);
        Swim {
            id,
            cfg: cfg.clone(),
            incarnation,
            view: Rc::new(vec![(Status::Alive, 0); cfg.nodes as usize]),
            dissemination: Vec::new(),
            round_robin: Rc::default(),
            rr_left: 0,
            next_seq: 0,
            probe: None,
            forwarding: VecMap::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.incarnation > 0 {
            let me = Update { member: self.id, status: Status::Alive, incarnation: self.incarnation };
            self.gossip(me);
        }
        // Members start their periods at different phases, as real ones do.
        let phase = ctx.rng().below(self.cfg.period_us);
        ctx.set_timer(Timer::Period, phase + 1);
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            Timer::Period => {
                self.conclude_probe(ctx);
                self.forwarding.clear();
                if let Some(target) = self.pick_target(ctx) {
                    let seq = self.next_seq();
                    self.probe = Some((seq, target, false));
                    let updates = self.piggyback();
                    ctx.send(target, Msg::Ping { seq, updates });
                    ctx.set_timer(Timer::AckTimeout(seq), self.cfg.ack_timeout());
                }
                ctx.set_timer(Timer::Period, self.cfg.period_us);
            }
            Timer::AckTimeout(seq) => {
                if let Some((s, target, false)) = self.probe {
                    if s == seq {
                        let mut helpers: Vec<NodeId> =
                            self.live_others().into_iter().filter(|m| *m != target).collect();
                        ctx.rng().shuffle(&mut helpers);
                        for h in helpers.into_iter().take(self.cfg.indirect as usize) {
                            let updates = self.piggyback();
                            ctx.send(h, Msg::PingReq { seq, target, updates });
                        }
                    }
                }
            }
            Timer::Suspicion(m) => {
                let (status, inc) = self.view[m as usize];
                if status == Status::Suspect && self.cfg.bug != Some(Bug::SuspectForever) {
                    self.apply(ctx, Update { member: m, status: Status::Failed, incarnation: inc }, true);
                }
            }
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        self.absorb(ctx, msg.updates());
        match msg {
            Msg::Ping { seq, .. } => {
                let updates = self.piggyback();
                ctx.send(from, Msg::Ack { seq, updates });
            }
            Msg::Ack { seq, .. } => {
                if let Some((s, _, acked)) = &mut self.probe {
                    if *s == seq {
                        *acked = true;
                    }
                }
                if let Some((requester, their_seq)) = self.forwarding.remove(&seq) {
                    let updates = self.piggyback();
                    ctx.send(requester, Msg::IndirectAck { seq: their_seq, updates });
                }
            }
            Msg::PingReq { seq, target, .. } => {
                let mine = self.next_seq();
                self.forwarding.insert(mine, (from, seq));
                let updates = self.piggyback();
                ctx.send(target, Msg::Ping { seq: mine, updates });
            }
            Msg::IndirectAck { seq, .. } => {
                if let Some((s, _, acked)) = &mut self.probe {
                    if *s == seq {
                        *acked = true;
                    }
                }
            }
        }
    }

    fn on_command(&mut self, cmd: Cmd, _: &mut Ctx<'_, Self>) {
        match cmd {}
    }

    fn persistent(&self) -> u64 {
        self.incarnation
    }
}

#[cfg(test)]
mod tests;
pub mod zoo;
