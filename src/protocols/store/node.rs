//! A store node: Dynamo-style quorum reads and writes (DeCandia et al.,
//! SOSP 2007, §4.5 "Execution of get() and put() operations"), with
//! dotted version vectors for causality ([`super::dvv`]).
//!
//! Any node coordinates a request. A put makes a new version (a dot of the
//! coordinator's, the past the client read), sends it to the key's N
//! replicas and answers the client after W acknowledgements. A get asks
//! the replicas, answers with the merge of the first R replies (siblings
//! and all, with the context to write back), and repairs any replier that
//! was missing something (read repair, §4.7). A request that gathers too
//! few replies before its timeout fails, as the client sees it.
//!
//! With `propagate` off, a put goes only to W of the N replicas and a get
//! asks only R, chosen at random: Bailis et al.'s k-staleness model, in
//! which nothing spreads after the write ([`crate::experiments::pbs`]).

use super::dvv::{Dot, Siblings, Version, VersionVector};
use super::ring::Ring;
use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::NodeId;
use std::collections::BTreeMap;
use std::fmt;

pub type Key = u32;
pub type Value = u64;

/// What a stored version holds: the value, and the coordinator's clock when
/// it was written (the last-writer-wins timestamp, in local microseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamped {
    pub value: Value,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoreConfig {
    pub nodes: u32,
    /// Replicas per key, read quorum, write quorum.
    pub n: u32,
    pub r: u32,
    pub w: u32,
    pub vnodes: u32,
    /// Send puts to all N and reads to all N (Dynamo); off: to W and R of
    /// them only (the k-staleness model).
    pub propagate: bool,
    /// How long a coordinator waits for its quorum.
    pub timeout_us: u64,
    pub resolution: Resolution,
    /// A deliberately broken variant, for testing the checkers.
    pub bug: Option<StoreBug>,
}

/// Broken variants that the store's checkers must catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreBug {
    /// The coordinator stamps a write with everything it holds for the key
    /// (a server-side clock) instead of what the client read: the write
    /// then supersedes concurrent writes its client never saw.
    ServerContext,
    /// A replica keeps only the sibling with the greatest dot, as a naive
    /// merge would: concurrent acknowledged writes vanish.
    KeepOneSibling,
}

/// What a replica does with concurrent versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// Keep them all as siblings; the client merges and writes back.
    Siblings,
    /// Last writer wins, by the coordinating node's own clock at the write
    /// (ties by dot): the others are dropped, so a node whose clock is
    /// behind loses writes made after the ones that beat them.
    Lww,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            nodes: 5,
            n: 3,
            r: 2,
            w: 2,
            vnodes: 32,
            propagate: true,
            timeout_us: 200_000,
            resolution: Resolution::Siblings,
            bug: None,
        }
    }
}

impl StoreConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.n == 0 || self.n > self.nodes {
            return Err(format!("N = {} replicas needs 1 to {} (the nodes)", self.n, self.nodes));
        }
        if self.r == 0 || self.r > self.n || self.w == 0 || self.w > self.n {
            return Err(format!("R = {} and W = {} must each be 1 to N = {}", self.r, self.w, self.n));
        }
        Ok(())
    }
}

/// A client's request, handed to the node that coordinates it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    Put { id: u64, key: Key, value: Value, context: VersionVector },
    Get { id: u64, key: Key },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Store these versions of `key` (a put, or a repair); ack with `req`.
    Replicate {
        req: u64,
        key: Key,
        versions: Vec<Version<Stamped>>,
    },
    Ack {
        req: u64,
    },
    Read {
        req: u64,
        key: Key,
    },
    ReadReply {
        req: u64,
        versions: Vec<Version<Stamped>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    Request(u64),
}

/// What clients see, and the repairs made.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    PutAcked {
        id: u64,
        key: Key,
        dot: Dot,
    },
    GetReturned {
        id: u64,
        key: Key,
        values: Vec<Value>,
        context: VersionVector,
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
    /// Last-writer-wins dropped this acknowledged-or-not version at this
    /// replica: a concurrent one had a later timestamp.
    Overwritten {
        key: Key,
        dot: Dot,
        by: Dot,
    },
}

#[derive(Clone, Debug)]
enum Pending {
    Put { id: u64, key: Key, dot: Dot, acks: u32 },
    Get { id: u64, key: Key, replies: Vec<(NodeId, Vec<Version<Stamped>>)>, done: bool },
}

#[derive(Clone, Debug)]
pub struct StoreNode {
    id: NodeId,
    cfg: StoreConfig,
    ring: std::rc::Rc<Ring>,
    data: BTreeMap<Key, Siblings<Stamped>>,
    /// This node's write events so far (its dots' counter).
    events: u64,
    next_req: u64,
    pending: BTreeMap<u64, Pending>,
}

impl StoreNode {
    /// The versions this node holds for `key`.
    pub fn siblings(&self, key: Key) -> Option<&Siblings<Stamped>> {
        self.data.get(&key)
    }

    pub fn keys(&self) -> impl Iterator<Item = (&Key, &Siblings<Stamped>)> {
        self.data.iter()
    }

    /// The replicas this request goes to: all N, or (without propagation)
    /// `count` of them at random.
    fn targets(&self, key: Key, count: u32, ctx: &mut Ctx<'_, Self>) -> Vec<NodeId> {
        let mut list = self.ring.preference_list(key, self.cfg.n);
        if !self.cfg.propagate {
            ctx.rng().shuffle(&mut list);
            list.truncate(count as usize);
        }
        list
    }

    fn request(&mut self, pending: Pending, ctx: &mut Ctx<'_, Self>) -> u64 {
        self.next_req += 1;
        let req = self.next_req;
        self.pending.insert(req, pending);
        ctx.set_timer(Timer::Request(req), self.cfg.timeout_us);
        req
    }

    fn store(&mut self, key: Key, versions: &[Version<Stamped>], ctx: &mut Ctx<'_, Self>) {
        let siblings = self.data.entry(key).or_default();
        siblings.merge(versions);
        if self.cfg.bug == Some(StoreBug::KeepOneSibling) && siblings.len() > 1 {
            let newest = siblings.versions().iter().max_by_key(|v| v.dot).cloned();
            *siblings = Siblings::default();
            siblings.merge(&newest.into_iter().collect::<Vec<_>>());
        }
        if self.cfg.resolution == Resolution::Lww && siblings.len() > 1 {
            let winner = siblings.versions().iter().max_by_key(|v| (v.value.at, v.dot)).cloned();
            if let Some(w) = winner {
                for lost in siblings.versions().iter().filter(|v| v.dot != w.dot) {
                    ctx.note(Note::Overwritten { key, dot: lost.dot, by: w.dot });
                }
                // The winner now stands for all of them: its past covers theirs.
                let mut past = siblings.context();
                past.join(&w.past);
                let merged = Version { dot: w.dot, past, value: w.value };
                *siblings = Siblings::default();
                siblings.merge(&[merged]);
            }
        }
    }

    fn finish_get(&mut self, req: u64, ctx: &mut Ctx<'_, Self>) {
        let Some(Pending::Get { id, key, replies, done }) = self.pending.get_mut(&req) else { return };
        let mut merged: Siblings<Stamped> = Siblings::default();
        for (_, v) in replies.iter() {
            merged.merge(v);
        }
        if !*done {
            *done = true;
            let values = merged.values().map(|s| s.value).collect();
            ctx.note(Note::GetReturned { id: *id, key: *key, values, context: merged.context() });
        }
        // Read repair: whoever replied without all of it gets the merge.
        let (key, all) = (*key, merged.versions().to_vec());
        for (from, versions) in replies.iter_mut() {
            let mut theirs: Siblings<Stamped> = Siblings::default();
            theirs.merge(versions);
            if theirs != merged {
                ctx.send(*from, Msg::Replicate { req: 0, key, versions: all.clone() });
                ctx.note(Note::Repaired { key, to: *from });
                *versions = all.clone();
            }
        }
    }
}

impl Protocol for StoreNode {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    /// Data is on disk: it survives a crash; requests in progress do not.
    type Persistent = (BTreeMap<Key, Siblings<Stamped>>, u64);
    type Config = StoreConfig;

    fn boot(id: NodeId, cfg: &StoreConfig, persisted: Option<Self::Persistent>) -> Self {
        let (data, events) = persisted.unwrap_or_default();
        let ring = std::rc::Rc::new(Ring::new(cfg.nodes, cfg.vnodes));
        StoreNode { id, cfg: cfg.clone(), ring, data, events, next_req: 0, pending: BTreeMap::new() }
    }

    fn on_start(&mut self, _: &mut Ctx<'_, Self>) {}

    fn on_command(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        match cmd {
            Cmd::Put { id, key, value, mut context } => {
                if self.cfg.bug == Some(StoreBug::ServerContext) {
                    if let Some(held) = self.data.get(&key) {
                        context.join(&held.context());
                    }
                }
                self.events = self.events.max(context.get(self.id)) + 1;
                let dot = Dot { node: self.id, counter: self.events };
                let version = Version { dot, past: context, value: Stamped { value, at: ctx.now() } };
                let targets = self.targets(key, self.cfg.w, ctx);
                let req = self.request(Pending::Put { id, key, dot, acks: 0 }, ctx);
                for to in targets {
                    ctx.send(to, Msg::Replicate { req, key, versions: vec![version.clone()] });
                }
            }
            Cmd::Get { id, key } => {
                let targets = self.targets(key, self.cfg.r, ctx);
                let req = self.request(Pending::Get { id, key, replies: Vec::new(), done: false }, ctx);
                for to in targets {
                    ctx.send(to, Msg::Read { req, key });
                }
            }
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            Msg::Replicate { req, key, versions } => {
                self.store(key, &versions, ctx);
                if req != 0 {
                    ctx.send(from, Msg::Ack { req });
                }
            }
            Msg::Read { req, key } => {
                let versions = self.data.get(&key).map(|s| s.versions().to_vec()).unwrap_or_default();
                ctx.send(from, Msg::ReadReply { req, versions });
            }
            Msg::Ack { req } => {
                if let Some(Pending::Put { id, key, dot, acks }) = self.pending.get_mut(&req) {
                    *acks += 1;
                    if *acks == self.cfg.w {
                        ctx.note(Note::PutAcked { id: *id, key: *key, dot: *dot });
                        self.pending.remove(&req);
                        ctx.cancel_timer(Timer::Request(req));
                    }
                }
            }
            Msg::ReadReply { req, versions } => {
                let r = self.cfg.r as usize;
                if let Some(Pending::Get { replies, .. }) = self.pending.get_mut(&req) {
                    if replies.iter().any(|(n, _)| *n == from) {
                        return; // a duplicate
                    }
                    replies.push((from, versions));
                    if replies.len() >= r {
                        self.finish_get(req, ctx);
                    }
                }
            }
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        let Timer::Request(req) = timer;
        match self.pending.remove(&req) {
            Some(Pending::Put { id, key, acks, .. }) => ctx.note(Note::Failed { id, key, replies: acks }),
            Some(Pending::Get { id, key, replies, done: false }) => {
                ctx.note(Note::Failed { id, key, replies: replies.len() as u32 })
            }
            _ => {}
        }
    }

    fn persistent(&self) -> Self::Persistent {
        (self.data.clone(), self.events)
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Put { id, key, value, .. } => write!(f, "put#{id} k{key}={value}"),
            Cmd::Get { id, key } => write!(f, "get#{id} k{key}"),
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Replicate { req, key, versions } => write!(f, "Replicate r{req} k{key} ({} versions)", versions.len()),
            Msg::Ack { req } => write!(f, "Ack r{req}"),
            Msg::Read { req, key } => write!(f, "Read r{req} k{key}"),
            Msg::ReadReply { req, versions } => write!(f, "ReadReply r{req} ({} versions)", versions.len()),
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Timer::Request(r) = self;
        write!(f, "request r{r}")
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::PutAcked { id, key, dot } => {
                write!(f, "put#{id} k{key} acknowledged as ({},{})", dot.node, dot.counter)
            }
            Note::GetReturned { id, key, values, .. } => write!(f, "get#{id} k{key} returned {values:?}"),
            Note::Failed { id, key, replies } => write!(f, "request #{id} k{key} failed with {replies} replies"),
            Note::Repaired { key, to } => write!(f, "read repair of k{key} to n{to}"),
            Note::Overwritten { key, dot, by } => write!(
                f,
                "k{key}: the write ({},{}) is overwritten by ({},{}), which has a later timestamp",
                dot.node, dot.counter, by.node, by.counter
            ),
        }
    }
}
