//! What store nodes say to each other, what clients ask, and what the trace
//! records about it.

use super::dvv::{Dot, Version, VersionVector};
use super::node::{Key, SharedTree, Stamped, Value};
use crate::sim::NodeId;
use std::fmt;

/// A client's request, handed to the node that coordinates it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// Write `value` over the versions in `context` (what the client read).
    Put {
        id: u64,
        key: Key,
        value: Value,
        context: VersionVector,
    },
    Get {
        id: u64,
        key: Key,
    },
    /// A client write on a key the node's workload picks: read, merge what
    /// was read, write back (or write blind, if the workload says so).
    Write {
        id: u64,
    },
    /// A client read on a key the node's workload picks.
    Read {
        id: u64,
    },
    /// A client write (as `Write`) on a key the client names. Last, so the
    /// older variants hash as they always have.
    Update {
        id: u64,
        key: Key,
    },
}

impl Cmd {
    /// The request's id (its idempotency key).
    pub fn id(&self) -> u64 {
        match self {
            Cmd::Put { id, .. }
            | Cmd::Get { id, .. }
            | Cmd::Write { id }
            | Cmd::Update { id, .. }
            | Cmd::Read { id } => *id,
        }
    }
}

/// A request id or value as people read it: a workload client's operation
/// `n<node>#<op>`, or a timeline command's number `#<id>`.
pub fn label(v: u64) -> String {
    if v & super::inventory::BACK_ORDERED != 0 {
        format!("back-order {}", label(v & !super::inventory::BACK_ORDERED))
    } else if v >> 62 == 1 {
        format!("n{}#{}", (v >> 40) & 0x3f_ffff, v & 0xff_ffff_ffff)
    } else {
        format!("#{v}")
    }
}

/// A key's versions in a message: shared, so that the trace's copies of
/// the message (sent, delivered) and a read's replies cost no copy.
pub type Versions = std::rc::Rc<[Version<Stamped>]>;

/// Versions of one key, as anti-entropy sends them.
pub type Entry = (Key, Vec<Version<Stamped>>);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Store these versions of `key` (a put, or a repair when `req` is 0);
    /// with `hint`, hold them for that home node.
    Replicate {
        req: u64,
        key: Key,
        versions: Versions,
        hint: Option<NodeId>,
    },
    Ack {
        req: u64,
        hint: Option<NodeId>,
    },
    Read {
        req: u64,
        key: Key,
    },
    ReadReply {
        req: u64,
        versions: Versions,
    },
    /// A stand-in hands a hinted write to its home node.
    Handoff {
        key: Key,
        versions: Versions,
    },
    HandoffAck {
        key: Key,
        dots: Vec<Dot>,
    },
    /// Anti-entropy: my Merkle tree over the keys we both replicate.
    SyncTree {
        tree: SharedTree,
    },
    /// The buckets where our trees differ, with my versions of their keys.
    /// (`u32`, not `usize`: a message's hash is part of the trace, and a
    /// slice of `usize` hashes as 4 bytes each on wasm32 and 8 natively.)
    SyncDiff {
        buckets: Vec<u32>,
        entries: Vec<Entry>,
    },
    /// My versions of those buckets' keys, for the peer to merge.
    SyncPush {
        entries: Vec<Entry>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    Request(u64),
    /// Half the request timeout: widen a sloppy quorum to stand-ins.
    Sloppy(u64),
    Handoff,
    AntiEntropy,
    /// A client's next operation.
    Client(u32),
}

/// What clients see, and the repairs made.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// A client operation begins (a write of `write`, or a read).
    Invoked {
        id: u64,
        key: Key,
        write: Option<Value>,
        client: Option<u32>,
    },
    /// An inventory client found the item oversold and compensated the
    /// orders beyond the stock.
    Compensated {
        id: u64,
        key: Key,
        orders: Vec<u64>,
        kind: super::inventory::Compensation,
    },
    PutAcked {
        id: u64,
        key: Key,
        dot: Dot,
    },
    /// A read's answer: the values of the siblings, a set's elements, or
    /// (`counter`) a counter's value.
    GetReturned {
        id: u64,
        key: Key,
        values: Vec<Value>,
        counter: Option<i64>,
        context: VersionVector,
    },
    /// An update's read: the client merges `siblings` versions and writes
    /// over `context`.
    ReadForWrite {
        id: u64,
        key: Key,
        siblings: u32,
        context: VersionVector,
    },
    /// No quorum in time; tried again with the same idempotency key.
    Retried {
        id: u64,
        key: Key,
        attempt: u32,
    },
    Failed {
        id: u64,
        key: Key,
        replies: u32,
    },
    Repaired {
        key: Key,
        to: NodeId,
    },
    /// Last-writer-wins dropped this acknowledged-or-not version (of
    /// `value`) at this replica: a concurrent one (of `by_value`) had a
    /// later timestamp.
    Overwritten {
        key: Key,
        dot: Dot,
        by: Dot,
        value: Value,
        by_value: Value,
    },
    /// A stand-in holds a write for an unreachable home node.
    Hinted {
        key: Key,
        home: NodeId,
    },
    /// A home node took back its hinted write.
    HandedOff {
        key: Key,
        to: NodeId,
    },
    /// An anti-entropy round compared trees with `with`: the bytes it cost
    /// against sending both replicas' whole state, and the keys it sent.
    Synced {
        with: NodeId,
        keys: u32,
        bytes: u64,
        full_bytes: u64,
        rounds: u32,
    },
}

impl Note {
    /// The client request a note is about, if any.
    pub fn request(&self) -> Option<u64> {
        match self {
            Note::Invoked { id, .. }
            | Note::PutAcked { id, .. }
            | Note::GetReturned { id, .. }
            | Note::ReadForWrite { id, .. }
            | Note::Compensated { id, .. }
            | Note::Retried { id, .. }
            | Note::Failed { id, .. } => Some(*id),
            _ => None,
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Put { id, key, value, .. } => write!(f, "put{} k{key}={}", label(*id), label(*value)),
            Cmd::Get { id, key } => write!(f, "get{} k{key}", label(*id)),
            Cmd::Write { id } => write!(f, "write{}", label(*id)),
            Cmd::Update { id, key } => write!(f, "write{} k{key}", label(*id)),
            Cmd::Read { id } => write!(f, "read{}", label(*id)),
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Replicate { req: 0, key, versions, .. } => write!(f, "Repair k{key} ({} versions)", versions.len()),
            Msg::Replicate { req, key, versions, hint: None } => {
                write!(f, "Replicate r{req} k{key} ({} versions)", versions.len())
            }
            Msg::Replicate { req, key, hint: Some(h), .. } => write!(f, "Replicate r{req} k{key} (hint for n{h})"),
            Msg::Ack { req, .. } => write!(f, "Ack r{req}"),
            Msg::Read { req, key } => write!(f, "Read r{req} k{key}"),
            Msg::ReadReply { req, versions } => write!(f, "ReadReply r{req} ({} versions)", versions.len()),
            Msg::Handoff { key, .. } => write!(f, "Handoff k{key}"),
            Msg::HandoffAck { key, .. } => write!(f, "HandoffAck k{key}"),
            Msg::SyncTree { .. } => write!(f, "SyncTree"),
            Msg::SyncDiff { buckets, entries } => {
                write!(f, "SyncDiff ({} buckets, {} keys)", buckets.len(), entries.len())
            }
            Msg::SyncPush { entries } => write!(f, "SyncPush ({} keys)", entries.len()),
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timer::Request(r) => write!(f, "request r{r}"),
            Timer::Sloppy(r) => write!(f, "sloppy r{r}"),
            Timer::Handoff => write!(f, "handoff"),
            Timer::AntiEntropy => write!(f, "anti-entropy"),
            Timer::Client(c) => write!(f, "client c{c}"),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Invoked { id, key, write: Some(v), .. } => {
                write!(f, "client write {} k{key} = {}", label(*id), label(*v))
            }
            Note::Invoked { id, key, write: None, .. } => write!(f, "client read {} k{key}", label(*id)),
            Note::PutAcked { id, key, dot } => {
                write!(f, "write {} k{key} acknowledged as ({},{})", label(*id), dot.node, dot.counter)
            }
            Note::GetReturned { id, key, counter: Some(c), .. } => {
                write!(f, "read {} k{key} returned {c}", label(*id))
            }
            Note::GetReturned { id, key, values, .. } => {
                let v: Vec<String> = values.iter().map(|v| label(*v)).collect();
                write!(f, "read {} k{key} returned [{}]", label(*id), v.join(", "))
            }
            Note::ReadForWrite { id, key, siblings, .. } => {
                write!(f, "write {} k{key} read {siblings} version(s) to write over", label(*id))
            }
            Note::Retried { id, key, attempt } => {
                write!(f, "request {} k{key} retried (attempt {attempt})", label(*id))
            }
            Note::Failed { id, key, replies } => {
                write!(f, "request {} k{key} failed with {replies} replies", label(*id))
            }
            Note::Compensated { id, key, orders, kind } => {
                let what = match kind {
                    super::inventory::Compensation::Refund => "refunded",
                    super::inventory::Compensation::BackOrder => "back-ordered",
                };
                let o: Vec<String> = orders.iter().map(|v| label(*v)).collect();
                write!(f, "k{key} oversold: {} {what} {}", label(*id), o.join(" "))
            }
            Note::Repaired { key, to } => write!(f, "read repair of k{key} to n{to}"),
            Note::Overwritten { key, dot, by, .. } => write!(
                f,
                "k{key}: the write ({},{}) is overwritten by ({},{}), which has a later timestamp",
                dot.node, dot.counter, by.node, by.counter
            ),
            Note::Hinted { key, home } => write!(f, "holds k{key} as a hint for n{home}"),
            Note::HandedOff { key, to } => write!(f, "handed k{key} off to n{to}"),
            Note::Synced { with, keys, bytes, full_bytes, .. } => {
                write!(f, "anti-entropy with n{with}: {keys} keys, {bytes} B (full exchange {full_bytes} B)")
            }
        }
    }
}
