//! What a store run measures, read off the trace: availability by side of
//! the partition, stale reads, lost writes, siblings and the age of the
//! oldest divergence over time, and repair traffic in bytes and messages.
//! The client operations it records are the history that the
//! linearizability checker reads.
//!
//! Definitions:
//! - a request's *side* is where its coordinator stood when it was
//!   invoked: with every node reachable, in a group of more than half the
//!   nodes, or in a smaller one;
//! - a read is *stale* when some write to its key was acknowledged before
//!   the read began and the read missed it: it returned neither that write
//!   (the newest such) nor any version written by a client that had read
//!   it (the read's context lacks the write's dot). Under last-writer-wins,
//!   where a winner's context covers the versions it beat, by value: it
//!   returned neither that write nor any write invoked after it;
//! - a write is *lost* when it was acknowledged and last-writer-wins later
//!   dropped it for a write that was invoked before it: a register would
//!   have kept the newer write, and only the clocks made the older one win;
//! - a key *diverges* while its home replicas hold different versions; its
//!   age is how long that has lasted.

pub use super::counts::{Served, Side, StoreCounts};
use super::dvv::{Dot, Version, VersionVector};
use super::node::{Key, Msg, Note, Resolution, Stamped, StoreNode, Value};
use crate::contract::Observer;
use crate::sim::cow::CowVec;
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim, Time};
use crate::stats::{round3, MsSummary};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Operations recorded for the stream and the history.
pub const MAX_RECORDED_OPS: usize = 100_000;
/// The longest history the linearizability check is run on.
pub const MAX_CHECKED_OPS: usize = 2_000;
/// Writes remembered per key, to tell a newer write from an older one.
const RECENT: usize = 256;
/// The series' spacing in simulated time.
pub const SAMPLE_US: Time = 20_000;

/// One client operation, as the stream shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpRecord {
    pub id: u64,
    pub client: Option<u32>,
    pub node: NodeId,
    pub key: Key,
    pub call: Time,
    /// `None` while in progress, or if it failed.
    pub ret: Option<Time>,
    pub write: Option<Value>,
    /// What a read returned (siblings and all, or a set's elements).
    pub values: Vec<Value>,
    /// What a read of a counter returned.
    pub counter: Option<i64>,
    /// Orders this update compensated (an inventory).
    pub compensated: u32,
    pub side: Side,
    pub failed: bool,
    pub stale: bool,
    /// For a read: the newest write acknowledged before it began, and when
    /// that write was invoked.
    #[serde(skip)]
    pub must_see: Option<(Value, Time)>,
    /// For a write: the version it made (its dot, and the past its writer
    /// had read), once seen leaving its coordinator; recorded only for the
    /// histories short enough to check.
    #[serde(skip)]
    pub version: Option<(Dot, VersionVector)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Sample {
    pub t: Time,
    /// Replica-keys holding more than one sibling.
    pub sibling_keys: u32,
    pub divergent_keys: u32,
    pub oldest_divergence_us: Time,
    pub answered: u64,
    pub failed: u64,
    pub stale_reads: u64,
    pub repair_bytes: u64,
}

#[derive(Clone, Debug, Default)]
struct Written {
    value: Value,
    invoked: Time,
    dot: Option<Dot>,
    acked: bool,
    /// Dropped somewhere for a write invoked before it.
    dropped: bool,
}

#[derive(Clone, Debug, Default)]
struct KeyState {
    /// The latest writes to the key (the last RECENT).
    recent: VecDeque<Written>,
    /// The newest acknowledged write, by acknowledgement time, and when it
    /// was invoked.
    newest_acked: Option<(Value, Time)>,
    divergent_since: Option<Time>,
}

#[derive(Clone, Debug, Default)]
pub struct StoreObserver {
    /// Open requests: id -> index in `ops`.
    open: BTreeMap<u64, usize>,
    pub ops: CowVec<OpRecord>,
    /// Operations not recorded because the record was full.
    pub unrecorded: u64,
    keys: BTreeMap<Key, KeyState>,
    /// Replica-keys with more than one sibling.
    sibling_keys: BTreeSet<(NodeId, Key)>,
    lost: BTreeSet<Dot>,
    /// Orders compensated (inventory), each counted once.
    compensated: BTreeSet<Value>,
    /// Whether the store resolves by last writer wins, and whether its
    /// values are CRDTs (read off the nodes' configuration).
    pub(super) mode: Option<(bool, bool)>,
    pub counts: StoreCounts,
    /// (when it was answered, how long it took) of each recorded request,
    /// in the order they were answered: the latency a budget judges.
    pub finished: CowVec<(Time, Time)>,
    pub series: CowVec<Sample>,
    /// The (key, replica) pairs a step delivered to (kept to reuse its room).
    touched: Vec<(Key, NodeId)>,
    /// Recorded writes whose version has not been seen yet: value -> index
    /// in `ops` (a client's write's value is its own).
    awaiting: BTreeMap<Value, usize>,
}

impl StoreObserver {
    fn key(&mut self, k: Key) -> &mut KeyState {
        self.keys.entry(k).or_default()
    }

    /// Whether the write of `x` was invoked after `than` was; `None` when
    /// `x` is too old to be remembered and `than` is too (undecided).
    fn newer(state: &KeyState, x: Value, than: Time) -> Option<bool> {
        match state.recent.iter().find(|w| w.value == x) {
            Some(w) => Some(w.invoked > than),
            // Forgotten: older than every write remembered.
            None => state.recent.front().is_some_and(|w| w.invoked <= than).then_some(false),
        }
    }

    /// Rechecks whether `key`'s home replicas agree.
    fn recheck(&mut self, sim: &Sim<StoreNode>, key: Key, touched: impl Iterator<Item = NodeId>) {
        let Some(first) = sim.node(0).or_else(|| (0..sim.len()).find_map(|n| sim.node(n))) else { return };
        for node in touched {
            let many = sim.node(node).and_then(|s| s.siblings(key)).is_some_and(|s| s.len() > 1);
            if many {
                self.sibling_keys.insert((node, key));
            } else {
                self.sibling_keys.remove(&(node, key));
            }
        }
        self.counts.max_sibling_keys = self.counts.max_sibling_keys.max(self.sibling_keys.len() as u64);
        // A crashed replica's data is on disk, and reading it needs the
        // node: until it is back it counts as holding nothing, so its keys
        // diverge.
        let mut home = first.ring().home(key, first.config().n);
        let held = |h: NodeId| sim.node(h).and_then(|s| s.siblings(key));
        let one = home.next().map(held);
        let agree = home.all(|h| held(h) == one.flatten());
        let now = sim.now();
        let state = self.key(key);
        match (agree, state.divergent_since) {
            (false, None) => state.divergent_since = Some(now),
            (true, Some(since)) => {
                state.divergent_since = None;
                self.counts.max_divergence_us = self.counts.max_divergence_us.max(now - since);
            }
            _ => {}
        }
    }

    /// The age of the oldest divergence now, and how many keys diverge.
    pub fn divergence(&self, now: Time) -> (Time, u32) {
        let since = self.keys.values().filter_map(|k| k.divergent_since);
        let (mut oldest, mut count) = (0, 0);
        for s in since {
            oldest = oldest.max(now - s);
            count += 1;
        }
        (oldest, count)
    }

    /// Since when `key`'s replicas have disagreed, if they do.
    pub fn divergent_since(&self, key: Key) -> Option<Time> {
        self.keys.get(&key).and_then(|k| k.divergent_since)
    }

    /// Replica-keys holding siblings now.
    pub fn sibling_keys(&self) -> usize {
        self.sibling_keys.len()
    }

    fn answered(&mut self, id: u64, at: Time, values: Option<&[Value]>) {
        let Some(i) = self.open.remove(&id) else { return };
        let Some(op) = self.ops.get_mut(i) else { return };
        op.ret = Some(at);
        let took = at - op.call;
        let side = op.side;
        self.finished.push((at, took));
        if let Some(v) = values {
            op.values = v.to_vec();
        }
        self.counts.side(side).answered += 1;
    }
}

impl StoreObserver {
    /// A client operation begins: remember a write's value among the key's
    /// recent writes, and what a read must see to be fresh.
    fn on_invoked(
        &mut self,
        sim: &Sim<StoreNode>,
        time: Time,
        node: NodeId,
        op: (u64, Key, Option<Value>, Option<u32>),
    ) {
        let (id, key, write, client) = op;
        let side = Side::of(sim, node);
        self.counts.side(side).invoked += 1;
        if let Some(value) = write {
            let st = self.key(key);
            if st.recent.len() == RECENT {
                st.recent.pop_front();
            }
            st.recent.push_back(Written { value, invoked: time, dot: None, acked: false, dropped: false });
        } else {
            self.counts.reads += 1;
        }
        let must_see = if write.is_none() { self.key(key).newest_acked } else { None };
        if self.ops.len() < MAX_RECORDED_OPS {
            self.open.insert(id, self.ops.len());
            self.ops.push(OpRecord {
                id,
                client,
                node,
                key,
                call: time,
                ret: None,
                write,
                values: Vec::new(),
                counter: None,
                compensated: 0,
                side,
                failed: false,
                stale: false,
                must_see,
                version: None,
            });
            if let (Some(value), true) = (write, self.ops.len() <= MAX_CHECKED_OPS) {
                self.awaiting.insert(value, self.ops.len() - 1);
            }
        } else {
            self.unrecorded += 1;
        }
    }

    /// A coordinator sent a new version: the write it records.
    fn saw_version(&mut self, from: NodeId, versions: &[Version<Stamped>]) {
        let [v] = versions else { return };
        if v.dot.node != from {
            return;
        }
        if let Some(i) = self.awaiting.remove(&v.value.value) {
            if let Some(op) = self.ops.get_mut(i) {
                op.version = Some((v.dot, v.past.clone()));
            }
        }
    }

    /// A write was acknowledged: it is lost if a replica had already dropped it.
    fn on_put_acked(&mut self, time: Time, id: u64, key: Key, dot: Dot) {
        self.counts.writes_acked += 1;
        if let Some(&i) = self.open.get(&id) {
            let value = self.ops.get(i).and_then(|o| o.write);
            let st = self.key(key);
            let mut lost = false;
            if let Some(w) = st.recent.iter_mut().find(|w| Some(w.value) == value) {
                w.dot = Some(dot);
                w.acked = true;
                lost = w.dropped;
                st.newest_acked = Some((w.value, w.invoked));
            }
            if lost && self.lost.insert(dot) {
                self.counts.lost_writes += 1;
            }
        }
        self.answered(id, time, None);
    }

    /// A read returned: stale if it missed the newest write acknowledged
    /// before it began (under last-writer-wins, by timestamp).
    fn on_get_returned(
        &mut self,
        time: Time,
        id: u64,
        key: Key,
        got: (&Vec<Value>, &VersionVector, Option<i64>),
        lww: bool,
    ) {
        let (values, context, counter) = got;
        let fresh = self.open.get(&id).and_then(|&i| self.ops.get(i)).and_then(|o| o.must_see);
        let st = self.keys.get(&key);
        let stale = match (fresh, st) {
            (Some((v, _)), Some(st)) if !lww => {
                st.recent.iter().find(|w| w.value == v).and_then(|w| w.dot).is_some_and(|dot| !context.contains(dot))
            }
            (Some((v, at)), Some(st)) => {
                !values.contains(&v) && values.iter().all(|x| Self::newer(st, *x, at) == Some(false))
            }
            _ => false,
        };
        if stale {
            self.counts.stale_reads += 1;
        }
        if let Some(op) = self.open.get(&id).and_then(|&i| self.ops.get_mut(i)) {
            op.stale = stale;
            op.counter = counter;
        }
        self.answered(id, time, Some(values));
    }

    /// Repair traffic, counted in messages and bytes as it is sent.
    fn count_repair_traffic(&mut self, msg: &Msg) {
        let bytes = |v: &[super::dvv::Version<super::node::Stamped>]| -> u64 {
            v.iter().map(|x| 12 + x.past.wire_bytes() + x.value.wire_bytes()).sum::<usize>() as u64
        };
        match msg {
            Msg::Replicate { req: 0, versions, .. } => {
                self.counts.read_repairs += 1;
                self.counts.read_repair_bytes += 4 + bytes(versions);
            }
            Msg::Handoff { versions, .. } => {
                self.counts.handoff_messages += 1;
                self.counts.handoff_bytes += 4 + bytes(versions);
            }
            Msg::HandoffAck { dots, .. } => {
                self.counts.handoff_messages += 1;
                self.counts.handoff_bytes += 4 + 12 * dots.len() as u64;
            }
            Msg::SyncTree { .. } | Msg::SyncDiff { .. } | Msg::SyncPush { .. } => {
                self.counts.sync_messages += 1;
            }
            _ => {}
        }
    }

    /// One point of the series every [`SAMPLE_US`].
    fn sample(&mut self, now: Time) {
        if self.series.last().is_none_or(|s| now >= s.t + SAMPLE_US) {
            let (oldest, divergent) = self.divergence(now);
            let c = &self.counts;
            self.series.push(Sample {
                t: now - now % SAMPLE_US,
                sibling_keys: self.sibling_keys.len() as u32,
                divergent_keys: divergent,
                oldest_divergence_us: oldest,
                answered: c.connected.answered + c.majority_side.answered + c.minority_side.answered,
                failed: c.failed,
                stale_reads: c.stale_reads,
                repair_bytes: c.repair_bytes(),
            });
        }
    }
}

impl Observer<StoreNode> for StoreObserver {
    type Counts = StoreCounts;
    type Figures = StoreFigures;
    type Samples = Vec<StoreFigures>;
    type Pooled = StorePooled;
    const DIVERGENCE: bool = true;
    const LATENCY: bool = true;

    /// Request latency: from a client's call to its answer (reads and
    /// writes; the recorded ones, the first `MAX_RECORDED_OPS`).
    fn latency(&self, i: usize) -> Option<(Time, Time)> {
        self.finished.get(i).copied()
    }

    fn divergence_age(&self, now: Time) -> Time {
        self.divergence(now).0
    }

    fn observe(&mut self, sim: &Sim<StoreNode>) {
        let (lww, _) = *self.mode.get_or_insert_with(|| {
            let res = (0..sim.len()).find_map(|n| sim.node(n)).map(|n| n.config().resolution);
            (res == Some(Resolution::Lww), res.is_some_and(Resolution::is_crdt))
        });
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Note { node, note } => match note {
                    Note::Invoked { id, key, write, client } => {
                        self.on_invoked(sim, e.time, *node, (*id, *key, *write, *client))
                    }
                    Note::PutAcked { id, key, dot } => self.on_put_acked(e.time, *id, *key, *dot),
                    Note::GetReturned { id, key, values, context, counter } => {
                        self.on_get_returned(e.time, *id, *key, (values, context, *counter), lww)
                    }
                    Note::Failed { id, .. } => {
                        self.counts.failed += 1;
                        if let Some(op) = self.open.remove(id).and_then(|i| self.ops.get_mut(i)) {
                            op.failed = true;
                        }
                    }
                    Note::Retried { .. } => self.counts.retried += 1,
                    Note::Overwritten { key, dot, value, by_value, .. } => {
                        let st = self.key(*key);
                        let y = st.recent.iter().find(|w| w.value == *by_value).map(|w| w.invoked);
                        let mut lost = false;
                        if let Some(x) = st.recent.iter_mut().find(|w| w.value == *value) {
                            if y.is_some_and(|y| y < x.invoked) {
                                x.dropped = true;
                                lost = x.acked;
                            }
                        }
                        // Counted once acknowledged, whichever comes first.
                        if lost && self.lost.insert(*dot) {
                            self.counts.lost_writes += 1;
                        }
                    }
                    Note::Hinted { .. } => self.counts.hinted += 1,
                    Note::Compensated { id, orders, .. } => {
                        if let Some(op) = self.open.get(id).and_then(|&i| self.ops.get_mut(i)) {
                            op.compensated = orders.len() as u32;
                        }
                        for o in orders {
                            if self.compensated.insert(*o) {
                                self.counts.compensations += 1;
                            }
                        }
                    }
                    Note::Synced { bytes, full_bytes, .. } => {
                        self.counts.sync_rounds += 1;
                        self.counts.sync_bytes += bytes;
                        self.counts.sync_full_bytes += full_bytes;
                    }
                    _ => {}
                },
                EventKind::Send { from, msg, .. } => {
                    self.count_repair_traffic(msg);
                    if let (Msg::Replicate { versions, .. }, false) = (msg, self.awaiting.is_empty()) {
                        self.saw_version(*from, versions);
                    }
                }
                EventKind::Deliver { to, msg, .. } => match msg {
                    Msg::Replicate { key, hint: None, .. } | Msg::Handoff { key, .. } => touched.push((*key, *to)),
                    Msg::SyncDiff { entries, .. } | Msg::SyncPush { entries } => {
                        touched.extend(entries.iter().map(|(k, _)| (*k, *to)));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        // Key by key, in key order; a key's nodes in the order delivered.
        touched.sort_by_key(|t| t.0);
        for same in touched.chunk_by(|a, b| a.0 == b.0) {
            self.recheck(sim, same[0].0, same.iter().map(|t| t.1));
        }
        self.touched = touched;
        self.sample(sim.now());
    }

    fn counts(&self, sim: &Sim<StoreNode>) -> StoreCounts {
        let mut c = self.counts.clone();
        let (oldest, _) = self.divergence(sim.now());
        c.max_divergence_us = c.max_divergence_us.max(oldest);
        c
    }

    fn figures(&self, sim: &Sim<StoreNode>) -> StoreFigures {
        let c = self.counts(sim);
        let (_, divergent_at_end) = self.divergence(sim.now());
        let linearizability = self.linearizability();
        StoreFigures {
            availability: Availability {
                connected: c.connected.fraction(),
                majority_side: c.majority_side.fraction(),
                minority_side: c.minority_side.fraction(),
            },
            stale_read_fraction: (c.reads > 0).then(|| round3(c.stale_reads as f64 / c.reads as f64)),
            oldest_divergence_ms: round3(c.max_divergence_us as f64 / 1000.0),
            divergent_keys_at_end: divergent_at_end,
            sibling_keys_at_end: self.sibling_keys.len() as u64,
            linearizability,
            counts: c,
        }
    }

    fn sample(&self, sim: &Sim<StoreNode>, into: &mut Vec<StoreFigures>) {
        into.push(self.figures(sim));
    }

    fn pool(s: &Vec<StoreFigures>) -> StorePooled {
        StorePooled {
            runs: s.len(),
            oldest_divergence_ms: MsSummary::of_us(s.iter().map(|f| f.counts.max_divergence_us)),
            not_linearizable: s.iter().filter(|f| f.linearizability.starts_with("not linearizable")).count(),
        }
    }

    fn describe(c: &StoreCounts, p: &StorePooled, one: Option<&StoreFigures>) -> Vec<(String, String)> {
        let served = |s: &Served| match s.fraction() {
            Some(f) => format!("{:.1}% of {}", f * 100.0, s.invoked),
            None => "none".into(),
        };
        let mut out = vec![
            (
                "availability".to_string(),
                format!(
                    "connected {}; majority side {}; minority side {}",
                    served(&c.connected),
                    served(&c.majority_side),
                    served(&c.minority_side)
                ),
            ),
            ("stale reads".into(), format!("{} of {} reads", c.stale_reads, c.reads)),
            ("lost writes".into(), format!("{} of {} acknowledged", c.lost_writes, c.writes_acked)),
            (
                "siblings".into(),
                format!("at most {} replica-keys held siblings at once", c.max_sibling_keys),
            ),
            (
                "divergence".into(),
                format!("oldest {:.1} ms", c.max_divergence_us as f64 / 1000.0),
            ),
            (
                "repair".into(),
                format!(
                    "{} B in {} messages: read repair {} B, handoff {} B, anti-entropy {} B in {} rounds (a full exchange: {} B)",
                    c.repair_bytes(),
                    c.repair_messages(),
                    c.read_repair_bytes,
                    c.handoff_bytes,
                    c.sync_bytes,
                    c.sync_rounds,
                    c.sync_full_bytes
                ),
            ),
        ];
        if c.compensations > 0 {
            out.push(("compensations".into(), format!("{} oversold orders made good", c.compensations)));
        }
        if p.runs > 1 {
            out.push(("divergence per run".into(), p.oldest_divergence_ms.to_string()));
            out.push(("not linearizable".into(), format!("{} of {} runs", p.not_linearizable, p.runs)));
        }
        if let Some(f) = one {
            out.push(("linearizability".into(), f.linearizability.clone()));
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Availability {
    pub connected: Option<f64>,
    pub majority_side: Option<f64>,
    pub minority_side: Option<f64>,
}

/// What `splitbrain run` reports of a store run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreFigures {
    /// The fraction of requests answered, by side.
    pub availability: Availability,
    pub stale_read_fraction: Option<f64>,
    pub oldest_divergence_ms: f64,
    pub divergent_keys_at_end: u32,
    pub sibling_keys_at_end: u64,
    /// The verdict on the run's client history, per key.
    pub linearizability: String,
    pub counts: StoreCounts,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StorePooled {
    pub runs: usize,
    pub oldest_divergence_ms: MsSummary,
    pub not_linearizable: usize,
}
