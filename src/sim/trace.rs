//! The trace: every send, delivery, drop, timer, command, note and fault.
//!
//! The trace is the product (docs/architecture.md, law 4). The simulator feeds every event
//! into a [`StableHasher`], so a whole run has one 64-bit hash that is equal on
//! native and wasm builds, and keeps the events of the last step so that
//! checkers, metrics and the UI can read them. Each event also has a stable
//! one-line text form, used by golden tests and the event log.

use super::network::{DropReason, LinkConfig};
use super::protocol::Protocol;
use super::{NodeId, Time};
use std::fmt;
use std::hash::{Hash, Hasher};

/// A message's identity, unique within a run.
pub type MsgId = u64;

/// A fault, as named by the fault API (docs/architecture.md, law 5).
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum Fault {
    Crash(NodeId),
    Restart(NodeId),
    Pause(NodeId),
    Resume(NodeId),
    /// Cut the directed link `from -> to`.
    Cut(NodeId, NodeId),
    /// Heal both directions between two nodes.
    Heal(NodeId, NodeId),
    Partition(Vec<Vec<NodeId>>),
    Isolate(NodeId),
    HealAll,
    SetLink(NodeId, NodeId, LinkConfig),
    Skew {
        node: NodeId,
        offset_us: i64,
        drift_ppm: i64,
    },
    /// Set the behaviour of every link without an override of its own.
    SetNetwork(LinkConfig),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Crash(n) => write!(f, "crash n{n}"),
            Fault::Restart(n) => write!(f, "restart n{n}"),
            Fault::Pause(n) => write!(f, "pause n{n}"),
            Fault::Resume(n) => write!(f, "resume n{n}"),
            Fault::Cut(a, b) => write!(f, "cut n{a}->n{b}"),
            Fault::Heal(a, b) => write!(f, "heal n{a}<->n{b}"),
            Fault::Partition(groups) => {
                write!(f, "partition")?;
                for g in groups {
                    let names: Vec<String> = g.iter().map(|n| format!("n{n}")).collect();
                    write!(f, " [{}]", names.join(","))?;
                }
                Ok(())
            }
            Fault::Isolate(n) => write!(f, "isolate n{n}"),
            Fault::HealAll => write!(f, "heal all"),
            Fault::SetLink(a, b, c) => {
                let (lo, hi) = c.latency.bounds_us();
                write!(f, "link n{a}->n{b} latency {lo}-{hi}us loss {} dup {}", c.loss, c.dup)
            }
            Fault::Skew { node, offset_us, drift_ppm } => {
                write!(f, "skew n{node} offset {offset_us}us drift {drift_ppm}ppm")
            }
            Fault::SetNetwork(c) => {
                let (lo, hi) = c.latency.bounds_us();
                write!(f, "network latency {lo}-{hi}us loss {} dup {}", c.loss, c.dup)
            }
        }
    }
}

/// What happened.
#[derive(Clone, Debug)]
pub enum EventKind<P: Protocol> {
    /// A node handed a message to the network.
    Send {
        from: NodeId,
        to: NodeId,
        id: MsgId,
        msg: P::Msg,
        deliver_at: Time,
    },
    /// The network will deliver a second copy of message `id`.
    Duplicate {
        from: NodeId,
        to: NodeId,
        id: MsgId,
        deliver_at: Time,
    },
    Deliver {
        from: NodeId,
        to: NodeId,
        id: MsgId,
        msg: P::Msg,
    },
    Drop {
        from: NodeId,
        to: NodeId,
        id: MsgId,
        msg: P::Msg,
        reason: DropReason,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
    },
    /// A command reached a node (`accepted` is false if the node was down).
    Command {
        node: NodeId,
        cmd: P::Cmd,
        accepted: bool,
    },
    Note {
        node: NodeId,
        note: P::Note,
    },
    /// Boxed: faults are rare, and the largest of them would double the
    /// size of every event.
    Fault(Box<Fault>),
    /// A node began writing to stable storage; its messages wait until
    /// `until` (only recorded when storage takes time).
    Persist {
        node: NodeId,
        until: Time,
    },
}

/// One trace event: its position in the trace, its true time, and what.
#[derive(Clone, Debug)]
pub struct Event<P: Protocol> {
    pub index: u64,
    pub time: Time,
    pub kind: EventKind<P>,
}

impl<P: Protocol> Event<P> {
    /// The nodes the event is about, for highlighting and filtering.
    pub fn nodes(&self) -> Vec<NodeId> {
        match &self.kind {
            EventKind::Send { from, to, .. }
            | EventKind::Duplicate { from, to, .. }
            | EventKind::Deliver { from, to, .. }
            | EventKind::Drop { from, to, .. } => vec![*from, *to],
            EventKind::Timer { node, .. }
            | EventKind::Command { node, .. }
            | EventKind::Note { node, .. }
            | EventKind::Persist { node, .. } => vec![*node],
            EventKind::Fault(f) => match &**f {
                Fault::Crash(n)
                | Fault::Restart(n)
                | Fault::Pause(n)
                | Fault::Resume(n)
                | Fault::Isolate(n)
                | Fault::Skew { node: n, .. } => vec![*n],
                Fault::Cut(a, b) | Fault::Heal(a, b) | Fault::SetLink(a, b, _) => vec![*a, *b],
                Fault::Partition(groups) => groups.iter().flatten().copied().collect(),
                Fault::HealAll | Fault::SetNetwork(_) => vec![],
            },
        }
    }

    /// A short name of the event's kind, for filters.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            EventKind::Send { .. } => "send",
            EventKind::Duplicate { .. } => "dup",
            EventKind::Deliver { .. } => "deliver",
            EventKind::Drop { .. } => "drop",
            EventKind::Timer { .. } => "timer",
            EventKind::Command { .. } => "command",
            EventKind::Note { .. } => "note",
            EventKind::Fault(_) => "fault",
            EventKind::Persist { .. } => "disk",
        }
    }
}

impl<P: Protocol> Hash for Event<P> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_event(h, self.time, &self.kind);
    }
}

/// An event's hash, from its parts: [`Trace::record`] hashes the event
/// before it builds it.
#[inline]
fn hash_event<P: Protocol, H: Hasher>(h: &mut H, time: Time, kind: &EventKind<P>) {
    time.hash(h);
    match kind {
        EventKind::Send { from, to, id, msg, deliver_at } => {
            (0u8, from, to, id, deliver_at).hash(h);
            msg.hash(h);
        }
        EventKind::Duplicate { from, to, id, deliver_at } => (1u8, from, to, id, deliver_at).hash(h),
        EventKind::Deliver { from, to, id, .. } => (2u8, from, to, id).hash(h),
        EventKind::Drop { from, to, id, reason, .. } => (3u8, from, to, id, reason).hash(h),
        EventKind::Timer { node, timer } => {
            (4u8, node).hash(h);
            timer.hash(h);
        }
        EventKind::Command { node, cmd, accepted } => {
            (5u8, node, accepted).hash(h);
            cmd.hash(h);
        }
        EventKind::Note { node, note } => {
            (6u8, node).hash(h);
            note.hash(h);
        }
        EventKind::Fault(fault) => {
            7u8.hash(h);
            fault.hash(h);
        }
        EventKind::Persist { node, until } => (8u8, node, until).hash(h),
    }
}

impl<P: Protocol> fmt::Display for Event<P> {
    /// The stable text form: `time_us kind details`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.time)?;
        match &self.kind {
            EventKind::Send { from, to, id, msg, deliver_at } => {
                write!(f, "send n{from}->n{to} #{id} {msg} @{deliver_at}")
            }
            EventKind::Duplicate { from, to, id, deliver_at } => {
                write!(f, "dup n{from}->n{to} #{id} @{deliver_at}")
            }
            EventKind::Deliver { from, to, id, msg } => {
                write!(f, "deliver n{from}->n{to} #{id} {msg}")
            }
            EventKind::Drop { from, to, id, msg, reason } => {
                write!(f, "drop n{from}->n{to} #{id} {msg} ({})", reason.as_str())
            }
            EventKind::Timer { node, timer } => write!(f, "timer n{node} {timer}"),
            EventKind::Command { node, cmd, accepted } => {
                write!(f, "command n{node} {cmd}{}", if *accepted { "" } else { " (node down)" })
            }
            EventKind::Note { node, note } => write!(f, "note n{node} {note}"),
            EventKind::Fault(fault) => write!(f, "fault {fault}"),
            EventKind::Persist { node, until } => write!(f, "disk n{node} write until @{until}"),
        }
    }
}

/// A 64-bit hasher whose output depends only on the values hashed, never on
/// the platform: `usize`/`isize` (lengths, enum discriminants) are widened to
/// 64 bits, and bytes are read little-endian. `std`'s `DefaultHasher` makes
/// no such promise.
#[derive(Clone, Debug)]
pub struct StableHasher {
    state: u64,
}

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher { state: 0xCBF2_9CE4_8422_2325 }
    }
}

impl StableHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        // One multiply-xorshift round per word (a variant of the wyhash/FxHash
        // family): fast, and good enough to tell traces apart.
        let x = (self.state ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.state = x ^ (x >> 29);
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as i64 as u64);
    }
}

/// The running trace: a hash over every event, a count, and the events of the
/// current step.
pub struct Trace<P: Protocol> {
    hasher: StableHasher,
    len: u64,
    step: Vec<Event<P>>,
}

impl<P: Protocol> Default for Trace<P> {
    fn default() -> Self {
        Trace { hasher: StableHasher::default(), len: 0, step: Vec::new() }
    }
}

impl<P: Protocol> Clone for Trace<P> {
    fn clone(&self) -> Self {
        Trace { hasher: self.hasher.clone(), len: self.len, step: self.step.clone() }
    }
}

impl<P: Protocol> Trace<P> {
    pub(crate) fn begin_step(&mut self) {
        self.step.clear();
    }

    pub(crate) fn record(&mut self, time: Time, kind: EventKind<P>) {
        hash_event(&mut self.hasher, time, &kind);
        self.step.push(Event { index: self.len, time, kind });
        self.len += 1;
    }

    /// The hash of every event so far.
    pub fn hash(&self) -> u64 {
        self.hasher.finish()
    }

    /// How many events so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The events of the last step (or of the last fault or command).
    pub fn last_step(&self) -> &[Event<P>] {
        &self.step
    }
}
