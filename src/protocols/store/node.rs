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
//! few replies before its timeout is retried, with the same idempotency
//! key, and then fails, as the client sees it.
//!
//! The other rules live beside this one: sloppy quorums and hinted
//! handoff in [`super::handoff`], Merkle anti-entropy in
//! [`super::anti_entropy`], the clients in [`super::clients`].
//!
//! With `propagate` off, a put goes only to W of the N replicas and a get
//! asks only R, chosen at random: Bailis et al.'s k-staleness model, in
//! which nothing spreads after the write ([`crate::experiments::pbs`]).

use super::clients::{Client, KeyDist};
use super::crdt::{Crdt, PnCounter};
use super::dvv::{Dot, Siblings, Version, VersionVector};
use super::merkle::Tree;
use super::ring::Ring;
use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::NodeId;
use std::collections::BTreeMap;
use std::rc::Rc;

pub use super::config::{Resolution, StoreBug, StoreConfig, StoreConfigError};
pub use super::messages::{Cmd, Msg, Note, Timer, Versions};

pub type Key = u32;
pub type Value = u64;

/// What a stored version holds: the value (the id of the write that made
/// it), the coordinator's clock when it was written (the last-writer-wins
/// timestamp, in local microseconds), and, under CRDT resolution, the
/// whole state its writer made.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stamped {
    pub value: Value,
    pub at: i64,
    pub crdt: Option<Rc<Crdt>>,
}

/// Bytes of a stamped value on the wire (value and timestamp).
pub const VALUE_BYTES: usize = 16;

impl Stamped {
    /// Bytes on the wire: value, timestamp and any CRDT state.
    pub fn wire_bytes(&self) -> usize {
        VALUE_BYTES + self.crdt.as_ref().map_or(0, |c| c.wire_bytes())
    }
}

/// The join of the CRDT states of `versions`, if the store resolves by
/// CRDT (empty when nothing is written yet).
pub fn crdt_value(cfg: &StoreConfig, versions: &[Version<Stamped>]) -> Option<Crdt> {
    let empty = cfg.resolution.empty()?;
    Some(Crdt::join_all(empty, versions.iter().filter_map(|v| v.value.crdt.as_deref())))
}

#[derive(Clone, Debug)]
pub(super) enum Pending {
    Put {
        id: u64,
        key: Key,
        version: Version<Stamped>,
        /// Who acknowledged, and (for a stand-in) the home node it counts for.
        acked: Vec<(NodeId, Option<NodeId>)>,
        asked: Vec<NodeId>,
        attempt: u32,
        client: Option<u32>,
        /// Acknowledged to the client; kept until its timer so that a
        /// sloppy quorum still places copies for home replicas that did not
        /// answer (Dynamo writes to the first N healthy nodes).
        done: bool,
    },
    Get {
        id: u64,
        key: Key,
        replies: Vec<(NodeId, Versions)>,
        asked: Vec<NodeId>,
        done: bool,
        /// An update: the value to write over what this read returns.
        then: Option<Value>,
        attempt: u32,
        client: Option<u32>,
    },
}

#[derive(Clone, Debug)]
pub struct StoreNode {
    pub(super) id: NodeId,
    pub(super) cfg: Rc<StoreConfig>,
    pub(super) ring: Rc<Ring>,
    pub(super) data: BTreeMap<Key, Siblings<Stamped>>,
    /// Writes held for unreachable home nodes: (home, key).
    pub(super) hints: BTreeMap<(NodeId, Key), Siblings<Stamped>>,
    /// This node's write events so far (its dots' counter).
    pub(super) events: u64,
    pub(super) next_req: u64,
    pub(super) pending: BTreeMap<u64, Pending>,
    /// The version each recent write request made here, by request id: a
    /// retry with the same idempotency key sends the same version again.
    pub(super) written: BTreeMap<u64, Version<Stamped>>,
    /// The next peer anti-entropy syncs with.
    pub(super) sync_turn: u32,
    pub(super) clients: Vec<Client>,
    pub(super) keys: Option<Rc<KeyDist>>,
    /// Client operations started here (persistent, so ids stay unique).
    pub(super) ops: u64,
    /// Under PN-Counter resolution, every increment and decrement this
    /// node has made to each key (its own entries of the counters).
    pub(super) own: BTreeMap<Key, PnCounter>,
}

/// How many recent writes a coordinator remembers for retries.
const REMEMBERED_WRITES: usize = 4096;

impl StoreNode {
    /// The versions this node holds for `key`.
    pub fn siblings(&self, key: Key) -> Option<&Siblings<Stamped>> {
        self.data.get(&key)
    }

    pub fn keys(&self) -> impl Iterator<Item = (&Key, &Siblings<Stamped>)> {
        self.data.iter()
    }

    /// Hints held for other nodes: ((home, key), versions).
    pub fn hints(&self) -> impl Iterator<Item = (&(NodeId, Key), &Siblings<Stamped>)> {
        self.hints.iter()
    }

    pub fn ring(&self) -> &Ring {
        &self.ring
    }

    pub fn config(&self) -> &StoreConfig {
        &self.cfg
    }

    /// About how many bytes this node's state takes on the heap.
    pub fn heap_bytes(&self) -> usize {
        let held = |s: &Siblings<Stamped>| 48 + s.wire_bytes(Stamped::wire_bytes);
        self.data.values().map(held).sum::<usize>()
            + self.hints.values().map(held).sum::<usize>()
            + self.written.len() * 96
            + self.pending.len() * 160
    }

    /// Requests this node is coordinating that have not answered yet.
    pub fn pending_requests(&self) -> usize {
        self.pending
            .values()
            .filter(|p| !matches!(p, Pending::Put { done: true, .. } | Pending::Get { done: true, .. }))
            .count()
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
        if self.cfg.sloppy {
            ctx.set_timer(Timer::Sloppy(req), self.cfg.timeout_us / 2);
        }
        req
    }

    /// Merges versions into what this node holds for `key`, applying the
    /// resolution rule.
    pub(super) fn store(&mut self, key: Key, versions: &[Version<Stamped>], ctx: &mut Ctx<'_, Self>) {
        let siblings = self.data.entry(key).or_default();
        merge_into(siblings, versions, &self.cfg, key, ctx);
    }

    /// Starts (or retries) a put of `version`.
    pub(super) fn start_put(
        &mut self,
        id: u64,
        key: Key,
        version: Version<Stamped>,
        attempt: u32,
        client: Option<u32>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let asked = self.targets(key, self.cfg.w, ctx);
        let req = self.request(
            Pending::Put {
                id,
                key,
                version: version.clone(),
                acked: Vec::new(),
                asked: asked.clone(),
                attempt,
                client,
                done: false,
            },
            ctx,
        );
        for &to in &asked {
            ctx.send(to, Msg::Replicate { req, key, versions: Versions::from([version.clone()]), hint: None });
        }
    }

    /// A new write with the context its client read: of `value` (the
    /// request id, for a workload) and, under CRDT resolution, the state.
    pub(super) fn write(
        &mut self,
        id: u64,
        key: Key,
        (value, crdt): (Value, Option<Crdt>),
        mut context: VersionVector,
        client: Option<u32>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        if self.cfg.bug == Some(StoreBug::ServerContext) {
            if let Some(held) = self.data.get(&key) {
                context.join(&held.context());
            }
        }
        // The idempotency key: a request id this node already wrote for is
        // the same write again.
        let version = match self.written.get(&id) {
            Some(v) => v.clone(),
            None => {
                self.events = self.events.max(context.get(self.id)) + 1;
                let dot = Dot { node: self.id, counter: self.events };
                let value = Stamped { value, at: ctx.now(), crdt: crdt.map(Rc::new) };
                let v = Version { dot, past: context, value };
                if self.written.len() >= REMEMBERED_WRITES {
                    self.written.pop_first();
                }
                self.written.insert(id, v.clone());
                v
            }
        };
        self.start_put(id, key, version, 0, client, ctx);
    }

    pub(super) fn start_get(
        &mut self,
        id: u64,
        key: Key,
        then: Option<Value>,
        attempt: u32,
        client: Option<u32>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let asked = self.targets(key, self.cfg.r, ctx);
        let req = self.request(
            Pending::Get { id, key, replies: Vec::new(), asked: asked.clone(), done: false, then, attempt, client },
            ctx,
        );
        for &to in &asked {
            ctx.send(to, Msg::Read { req, key });
        }
    }

    fn finish_get(&mut self, req: u64, ctx: &mut Ctx<'_, Self>) {
        let Some(Pending::Get { id, key, replies, done, then, client, .. }) = self.pending.get_mut(&req) else {
            return;
        };
        let mut merged: Siblings<Stamped> = Siblings::default();
        for (_, v) in replies.iter() {
            merged.merge(v);
        }
        let first = !std::mem::replace(done, true);
        let (id, key, then, client) = (*id, *key, *then, *client);
        // Read repair: whoever replied without all of it gets the merge.
        for (from, versions) in replies.iter_mut() {
            // A reply already in the merge's order, version for version,
            // is the merge; anything else is merged alone to compare.
            let same = **versions == *merged.versions() || {
                let mut theirs: Siblings<Stamped> = Siblings::default();
                theirs.merge(versions);
                theirs == merged
            };
            if !same {
                let all = Versions::from(merged.versions());
                ctx.send(*from, Msg::Replicate { req: 0, key, versions: all.clone(), hint: None });
                ctx.note(Note::Repaired { key, to: *from });
                *versions = all;
            }
        }
        if !first {
            return;
        }
        ctx.cancel_timer(Timer::Sloppy(req));
        let state = crdt_value(&self.cfg, merged.versions());
        match then {
            None => {
                let (values, counter) = match &state {
                    Some(Crdt::Counter(c)) => (Vec::new(), Some(c.value())),
                    Some(set) => (set.read(), None),
                    None => (merged.values().map(|s| s.value).collect(), None),
                };
                ctx.note(Note::GetReturned { id, key, values, counter, context: merged.context() });
                self.client_done(client, ctx);
            }
            Some(value) => {
                // The client read, merged the siblings (or the store joined
                // their CRDT states), and writes over them.
                let context = merged.context();
                ctx.note(Note::ReadForWrite { id, key, siblings: merged.len() as u32, context: context.clone() });
                let state = state.map(|mut s| {
                    let op = self.crdt_op(id, key, &s, ctx);
                    s.apply(&op, self.id, self.own.entry(key).or_default());
                    s
                });
                self.write(id, key, (value, state), context, client, ctx);
            }
        }
        // The read's replies may still come, for repair; the request is done
        // when its timer fires.
    }

    fn on_ack(&mut self, from: NodeId, req: u64, hinted_for: Option<NodeId>, ctx: &mut Ctx<'_, Self>) {
        let w = self.cfg.w as usize;
        let sloppy = self.cfg.sloppy;
        let Some(Pending::Put { id, key, version, acked, client, done, .. }) = self.pending.get_mut(&req) else {
            return;
        };
        let counts_for = hinted_for.unwrap_or(from);
        if acked.iter().any(|(n, h)| *n == from || h.unwrap_or(*n) == counts_for) {
            return; // a duplicate, or a second stand-in for the same home
        }
        acked.push((from, hinted_for));
        if acked.len() == w && !*done {
            ctx.note(Note::PutAcked { id: *id, key: *key, dot: version.dot });
            *done = true;
            let client = *client;
            if !sloppy {
                self.pending.remove(&req);
                ctx.cancel_timer(Timer::Request(req));
            }
            self.client_done(client, ctx);
        }
    }

    fn on_request_timeout(&mut self, req: u64, ctx: &mut Ctx<'_, Self>) {
        ctx.cancel_timer(Timer::Sloppy(req));
        match self.pending.remove(&req) {
            Some(Pending::Put { done: true, .. }) => {}
            Some(Pending::Put { id, key, version, acked, attempt, client, .. }) => {
                if attempt < self.cfg.retries {
                    ctx.note(Note::Retried { id, key, attempt: attempt + 1 });
                    self.start_put(id, key, version, attempt + 1, client, ctx);
                } else {
                    ctx.note(Note::Failed { id, key, replies: acked.len() as u32 });
                    self.client_done(client, ctx);
                }
            }
            Some(Pending::Get { id, key, replies, done: false, then, attempt, client, .. }) => {
                if attempt < self.cfg.retries {
                    ctx.note(Note::Retried { id, key, attempt: attempt + 1 });
                    self.start_get(id, key, then, attempt + 1, client, ctx);
                } else {
                    ctx.note(Note::Failed { id, key, replies: replies.len() as u32 });
                    self.client_done(client, ctx);
                }
            }
            _ => {}
        }
    }

    /// What this node answers a read of `key` with: its own versions, and
    /// any it holds as hints.
    fn read_local(&self, key: Key) -> Versions {
        let mine = self.data.get(&key).map_or(&[][..], |s| s.versions());
        if !self.hints.keys().any(|(_, k)| *k == key) {
            return Versions::from(mine);
        }
        let mut out: Siblings<Stamped> = self.data.get(&key).cloned().unwrap_or_default();
        for ((_, k), held) in &self.hints {
            if *k == key {
                out.merge(held.versions());
            }
        }
        Versions::from(out.versions())
    }
}

/// Merges `versions` into `siblings` under the configured rule, noting what
/// last-writer-wins throws away.
pub(super) fn merge_into(
    siblings: &mut Siblings<Stamped>,
    versions: &[Version<Stamped>],
    cfg: &StoreConfig,
    key: Key,
    ctx: &mut Ctx<'_, StoreNode>,
) {
    siblings.merge(versions);
    if cfg.bug == Some(StoreBug::KeepOneSibling) && siblings.len() > 1 {
        let newest = siblings.versions().iter().max_by_key(|v| v.dot).cloned();
        *siblings = Siblings::default();
        siblings.merge(&newest.into_iter().collect::<Vec<_>>());
    }
    if cfg.resolution == Resolution::Lww && siblings.len() > 1 {
        let winner = siblings.versions().iter().max_by_key(|v| (v.value.at, v.dot)).cloned();
        if let Some(w) = winner {
            for lost in siblings.versions().iter().filter(|v| v.dot != w.dot) {
                ctx.note(Note::Overwritten {
                    key,
                    dot: lost.dot,
                    by: w.dot,
                    value: lost.value.value,
                    by_value: w.value.value,
                });
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

impl Protocol for StoreNode {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    /// Data and hints are on disk: they survive a crash; requests in
    /// progress do not.
    type Persistent = Persisted;
    type Config = StoreConfig;

    fn boot(id: NodeId, cfg: &StoreConfig, persisted: Option<Persisted>) -> Self {
        let p = persisted.unwrap_or_default();
        let ring = Rc::new(Ring::new(cfg.nodes, cfg.vnodes));
        let keys = cfg.workload.as_ref().map(|w| Rc::new(KeyDist::new(w)));
        let clients = cfg.workload.as_ref().map(|w| Client::hosted_by(id, cfg.nodes, w)).unwrap_or_default();
        StoreNode {
            id,
            cfg: Rc::new(cfg.clone()),
            ring,
            data: p.data,
            hints: p.hints,
            events: p.events,
            next_req: 0,
            pending: BTreeMap::new(),
            written: BTreeMap::new(),
            sync_turn: id,
            clients,
            keys,
            ops: p.ops,
            own: p.own,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(every) = self.cfg.anti_entropy_us {
            // Spread the nodes' rounds over the period.
            let first = ctx.rng().range_inclusive(every / 2, every + every / 2);
            ctx.set_timer(Timer::AntiEntropy, first);
        }
        if self.cfg.sloppy {
            ctx.set_timer(Timer::Handoff, self.cfg.handoff_us);
        }
        self.start_clients(ctx);
    }

    fn on_command(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        match cmd {
            // A CRDT value is updated by reading it first.
            Cmd::Put { id, key, value, .. } if self.cfg.resolution.is_crdt() => self.update(id, key, value, None, ctx),
            Cmd::Put { id, key, value, context } => {
                ctx.note(Note::Invoked { id, key, write: Some(value), client: None });
                self.write(id, key, (value, None), context, None, ctx);
            }
            Cmd::Get { id, key } => {
                ctx.note(Note::Invoked { id, key, write: None, client: None });
                self.start_get(id, key, None, 0, None, ctx);
            }
            Cmd::Write { id } => {
                let key = self.pick_key(ctx);
                self.update(id, key, id, None, ctx);
            }
            Cmd::Update { id, key } => self.update(id, key, id, None, ctx),
            Cmd::Read { id } => {
                let key = self.pick_key(ctx);
                ctx.note(Note::Invoked { id, key, write: None, client: None });
                self.start_get(id, key, None, 0, None, ctx);
            }
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            Msg::Replicate { req, key, versions, hint } => {
                match hint {
                    Some(home) => self.hold_hint(home, key, &versions, ctx),
                    None => self.store(key, &versions, ctx),
                }
                if req != 0 {
                    ctx.send(from, Msg::Ack { req, hint });
                }
            }
            Msg::Read { req, key } => {
                ctx.send(from, Msg::ReadReply { req, versions: self.read_local(key) });
            }
            Msg::Ack { req, hint } => self.on_ack(from, req, hint, ctx),
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
            Msg::Handoff { key, versions } => {
                self.store(key, &versions, ctx);
                let dots = versions.iter().map(|v| v.dot).collect();
                ctx.send(from, Msg::HandoffAck { key, dots });
            }
            Msg::HandoffAck { key, dots } => self.handed_off(from, key, &dots, ctx),
            Msg::SyncTree { tree } => self.on_sync_tree(from, &tree, ctx),
            Msg::SyncDiff { buckets, entries } => self.on_sync_diff(from, &buckets, entries, ctx),
            Msg::SyncPush { entries } => {
                for (key, versions) in entries {
                    self.store(key, &versions, ctx);
                }
            }
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            Timer::Request(req) => self.on_request_timeout(req, ctx),
            Timer::Sloppy(req) => self.widen(req, ctx),
            Timer::Handoff => {
                self.hand_off(ctx);
                ctx.set_timer(Timer::Handoff, self.cfg.handoff_us);
            }
            Timer::AntiEntropy => {
                self.sync_round(ctx);
                if let Some(every) = self.cfg.anti_entropy_us {
                    let slow = if self.cfg.bug == Some(StoreBug::SlowSync) { 3 } else { 1 };
                    ctx.set_timer(Timer::AntiEntropy, every * slow);
                }
            }
            Timer::Client(c) => self.client_turn(c, ctx),
        }
    }

    fn persistent(&self) -> Persisted {
        Persisted {
            data: self.data.clone(),
            hints: self.hints.clone(),
            events: self.events,
            ops: self.ops,
            own: self.own.clone(),
        }
    }
}

/// What a store node keeps on disk.
#[derive(Clone, Debug, Default)]
pub struct Persisted {
    pub data: BTreeMap<Key, Siblings<Stamped>>,
    pub hints: BTreeMap<(NodeId, Key), Siblings<Stamped>>,
    pub events: u64,
    pub ops: u64,
    pub own: BTreeMap<Key, PnCounter>,
}

/// A tree as a message carries it (shared, not copied, between the
/// simulator's copies of the message).
pub type SharedTree = Rc<Tree>;
