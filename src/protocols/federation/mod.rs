//! Federated regions: region-local consensus under a global policy, in the
//! manner of Spanner-style deployments ("Spanner", Corbett et al., 2012,
//! §2: a Paxos group per zone, and directories placed near their clients)
//! with the escrow of the Demarcation Protocol (Barbará and Garcia-Molina,
//! 1992: each site holds a share of a global limit and spends it alone).
//!
//! Each region runs its own Multi-Paxos group over its nodes (`groups.rs`
//! hosts the engine, `regional.rs` its state machine): a region-local
//! write is decided there, at the latency within the region. A global
//! group of every node decides what crosses regions (`global.rs`): a
//! global quota of units, of which each region holds a pre-allocated
//! share. A spend within the region's share is a region-local decision;
//! past it, the region's leader asks the global group to draw a unit from
//! the pool that is left, and the global group grants it only while the
//! policy allows (`quota - regions x share` units in all).
//!
//! The fallback rule: a region cut off from the global group (it has not
//! heard the global leader for an election timeout) spends only its
//! share, and turns away spends past it. Checked: the quota is never
//! overspent (`quota.rs`), and no region-local decision a client was told
//! of is lost (`local_decisions.rs`).

mod global;
mod groups;
pub mod local_decisions;
mod observe;
pub mod quota;
mod regional;
mod spec;
mod zoo;

pub use observe::{FederationCounts, FederationFigures, FederationObserver, RegionFigures};
pub use spec::{FederationChecker, FederationSpec};

use crate::protocols::multipaxos::{self as mp, MultiPaxos, MultiPaxosConfig};
use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::{LocalTime, NodeId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most nodes a federation runs (its global group counts quorums in a
/// 64-bit set, and a region's log entry names the node that asked).
pub const MAX_NODES: u32 = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct FederationConfig {
    /// Each region's first node and node count, and its name.
    pub regions: Vec<(NodeId, u32)>,
    pub names: Vec<String>,
    /// Each region's group (its nodes count from 0 within the group).
    pub region_groups: Vec<MultiPaxosConfig>,
    /// The global group, as its nodes in the preferred leader region run
    /// it, and as the others do: with a longer election timeout, so that
    /// the global leader is placed in that region while it is up.
    pub global_near: MultiPaxosConfig,
    pub global_far: MultiPaxosConfig,
    /// The region the global leader is placed in.
    pub leader_region: usize,
    /// The region the client load comes from (`None`: every region).
    pub client_region: Option<usize>,
    /// The global policy: `quota` units in all, of which each region holds
    /// `share` to spend alone.
    pub quota: u32,
    pub share: u32,
    pub bug: Option<Bug>,
}

impl FederationConfig {
    /// The units the global group draws from: what the shares leave.
    pub fn pool(&self) -> u32 {
        self.quota - self.share * self.regions.len() as u32
    }

    pub fn region_of(&self, node: NodeId) -> usize {
        self.regions.iter().rposition(|&(start, _)| start <= node).unwrap_or(0)
    }
}

/// Deliberately broken variants, one per checked property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// A region cut off from the global group goes on spending past its
    /// share, to settle later. Breaks the Quota.
    SpendWhenCutOff,
    /// The global group grants every draw, without checking the pool.
    /// Breaks the Quota once the demand passes it.
    UncheckedGlobal,
    /// A region's leader tells the client its write is done when it
    /// proposes it, before a quorum of its region accepts it. Loses
    /// Local Decisions when that leader is cut off.
    AckEarly,
}

impl Bug {
    pub const ALL: [Bug; 3] = [Bug::SpendWhenCutOff, Bug::UncheckedGlobal, Bug::AckEarly];
}

/// What a client asks: a region-local write, or to spend one unit of the
/// global quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Write(u64),
    Spend(u64),
}

impl Cmd {
    pub fn id(self) -> u64 {
        match self {
            Cmd::Write(id) | Cmd::Spend(id) => id,
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Write(id) => write!(f, "write w{id}"),
            Cmd::Spend(id) => write!(f, "spend s{id}"),
        }
    }
}

/// Which group a message, timer or note belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Region,
    Global,
}

/// How a client's command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A region-local write, chosen in this slot of the region's log.
    Written { slot: u64 },
    /// A unit of the region's share, spent in this slot of its log.
    Spent { slot: u64 },
    /// A unit the global group drew from the pool for the region.
    Granted,
    /// The global group found the pool empty.
    Denied,
    /// Turned away: no leader in the region, or, with the share spent, no
    /// global group in reach (the fallback rule).
    Refused { cut_off: bool },
}

impl Outcome {
    /// Whether the client got an answer from the system (a denial is one;
    /// a refusal is not).
    pub fn answered(self) -> bool {
        !matches!(self, Outcome::Refused { .. })
    }

    /// Whether the global group decided it.
    pub fn global(self) -> bool {
        matches!(self, Outcome::Granted | Outcome::Denied)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// A message of the node's region group, or of the global group.
    Region(mp::Msg),
    Global(mp::Msg),
    /// A client's command, passed to the region's leader.
    Forward(Cmd),
    /// A region's leader asks the global leader to draw a unit for spend
    /// `op`.
    Draw {
        op: u64,
    },
    /// The global leader's answer to a draw.
    Answer {
        op: u64,
        granted: bool,
    },
}

impl Msg {
    pub fn label(&self) -> &'static str {
        match self {
            Msg::Region(m) | Msg::Global(m) => m.label(),
            Msg::Forward(_) => "Forward",
            Msg::Draw { .. } => "Draw",
            Msg::Answer { .. } => "Answer",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Region(mp::Msg::Accept { ballot, slot, value, .. }) => {
                write!(f, "region: Accept {} in slot {slot} @b{ballot}", entry(Group::Region, *value))
            }
            Msg::Global(mp::Msg::Accept { ballot, slot, value, .. }) => {
                write!(f, "global: Accept {} in slot {slot} @b{ballot}", entry(Group::Global, *value))
            }
            Msg::Region(m) => write!(f, "region: {m}"),
            Msg::Global(m) => write!(f, "global: {m}"),
            Msg::Forward(c) => write!(f, "Forward {c}"),
            Msg::Draw { op } => write!(f, "Draw a unit for s{op}"),
            Msg::Answer { op, granted } => write!(f, "Answer s{op}: {}", if *granted { "granted" } else { "denied" }),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timer(pub Group, pub mp::Timer);

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Group::Region => write!(f, "region {}", self.1),
            Group::Global => write!(f, "global {}", self.1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// Something a group's Multi-Paxos reported.
    Region(mp::Note),
    Global(mp::Note),
    /// The client's command `op`, from `region`, ended so.
    Done {
        op: Cmd,
        region: u8,
        outcome: Outcome,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Region(n) => group_note(f, Group::Region, n),
            Note::Global(n) => group_note(f, Group::Global, n),
            Note::Done { op, outcome, .. } => match outcome {
                Outcome::Written { slot } => write!(f, "{op}: done, slot {slot}"),
                Outcome::Spent { slot } => write!(f, "{op}: spent from the region's share, slot {slot}"),
                Outcome::Granted => write!(f, "{op}: granted by the global group"),
                Outcome::Denied => write!(f, "{op}: denied, the quota is spent"),
                Outcome::Refused { cut_off: true } => {
                    write!(f, "{op}: turned away, the share is spent and the global group is out of reach")
                }
                Outcome::Refused { cut_off: false } => write!(f, "{op}: turned away, no leader in the region"),
            },
        }
    }
}

/// A group's log entry as the federation reads it ("write w31", "a draw
/// for s98 from n4") rather than as the engine stores it.
fn entry(g: Group, v: mp::Value) -> String {
    match (g, regional::decode(v), global::decode(v)) {
        (Group::Region, Some((op, _)), _) => op.to_string(),
        (Group::Global, _, Some((op, from))) => format!("a draw for s{op} from n{from}"),
        _ => v.to_string(),
    }
}

fn group_note(f: &mut fmt::Formatter<'_>, g: Group, n: &mp::Note) -> fmt::Result {
    let name = if g == Group::Region { "region" } else { "global" };
    match *n {
        mp::Note::Learned { slot, value } => write!(f, "{name}: learns {} in slot {slot}", entry(g, value)),
        mp::Note::Applied { slot, value } => write!(f, "{name}: applies {} in slot {slot}", entry(g, value)),
        mp::Note::Replied { value, .. } => write!(f, "{name}: its leader has applied {}", entry(g, value)),
        _ => write!(f, "{name}: {n}"),
    }
}

/// What a crash keeps: each group's acceptor state.
#[derive(Clone, Debug, PartialEq)]
pub struct Persistent {
    pub region: mp::Persistent,
    pub global: mp::Persistent,
}

/// One node: a member of its region's group and of the global group, with
/// the region's and the global state machines applied from their logs.
#[derive(Clone, Debug)]
pub struct Federation {
    id: NodeId,
    region: u8,
    local: MultiPaxos,
    global: MultiPaxos,
    /// The region's state machine: units of its share spent, and writes.
    spent: u32,
    writes: u64,
    /// The global state machine: units drawn from the pool.
    drawn: u32,
    /// Who last acted as each group's leader, and when (local time) the
    /// global leader was last heard.
    region_leader: Option<NodeId>,
    global_leader: Option<NodeId>,
    global_heard: Option<LocalTime>,
    /// What the last entry a group applied decided, for the answer that
    /// follows it.
    applied: Option<(mp::Value, regional::Decided)>,
}

impl Federation {
    pub fn region(&self) -> usize {
        usize::from(self.region)
    }

    /// The region's group, and the global group, as this node runs them.
    pub fn local(&self) -> &MultiPaxos {
        &self.local
    }

    pub fn global(&self) -> &MultiPaxos {
        &self.global
    }

    /// Units of the region's share spent, as this node has applied its log.
    pub fn spent(&self) -> u32 {
        self.spent
    }

    /// Region-local writes applied.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Units drawn from the global pool, as this node has applied the
    /// global log.
    pub fn drawn(&self) -> u32 {
        self.drawn
    }
}

impl Protocol for Federation {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    type Persistent = Persistent;
    type Config = FederationConfig;

    fn boot(id: NodeId, config: &FederationConfig, persisted: Option<Persistent>) -> Self {
        let region = config.region_of(id);
        let (rp, gp) = persisted.map_or((None, None), |p| (Some(p.region), Some(p.global)));
        let start = config.regions[region].0;
        Federation {
            id,
            region: region as u8,
            local: MultiPaxos::boot(id - start, &config.region_groups[region], rp),
            global: MultiPaxos::boot(id, groups::global_config(config, region), gp),
            spent: 0,
            writes: 0,
            drawn: 0,
            region_leader: None,
            global_leader: None,
            global_heard: None,
            applied: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.drive(Group::Region, ctx, |p, c| p.on_start(c));
        self.drive(Group::Global, ctx, |p, c| p.on_start(c));
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            Msg::Region(m) => self.deliver(Group::Region, from, m, ctx),
            Msg::Global(m) => self.deliver(Group::Global, from, m, ctx),
            Msg::Forward(cmd) => self.on_client(cmd, false, ctx),
            Msg::Draw { op } => self.on_draw(from, op, ctx),
            Msg::Answer { op, granted } => {
                let outcome = if granted { Outcome::Granted } else { Outcome::Denied };
                ctx.note(Note::Done { op: Cmd::Spend(op), region: self.region, outcome });
            }
        }
    }

    fn on_timer(&mut self, Timer(g, t): Timer, ctx: &mut Ctx<'_, Self>) {
        self.drive(g, ctx, |p, c| p.on_timer(t, c));
    }

    fn on_command(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        self.on_client(cmd, true, ctx);
    }

    fn persistent(&self) -> Persistent {
        Persistent { region: self.local.persistent(), global: self.global.persistent() }
    }
}

#[cfg(test)]
mod tests;
