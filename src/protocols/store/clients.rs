//! The clients: a closed-loop workload of C clients over K keys, uniform or
//! Zipf-skewed (Gray et al., "Quickly generating billion-record synthetic
//! databases", SIGMOD 1994, for the skew; YCSB's "zipfian" uses the same
//! law), with a read/write mix.
//!
//! Client c is attached to node c mod nodes, which coordinates its requests.
//! A client waits a think time (uniform, mean `think_us`), issues one
//! operation, and waits for its answer before the next. A write is an
//! update, as a Dynamo client does it: read the key, merge the siblings it
//! returned, and write over them (the context of the read); with
//! `read_before_write` off it writes blind, over nothing it has read.
//! Every write carries its request id as an idempotency key: a retry makes
//! no new version ([`super::node`]).

use super::config::StoreConfigError;
use super::dvv::VersionVector;
use super::node::{Key, Note, StoreNode, Value};
use crate::sim::protocol::Ctx;
use crate::sim::rng::Rng;
use crate::sim::NodeId;

/// The most clients and keys a scenario may ask for.
pub const MAX_CLIENTS: u32 = 1_000;
pub const MAX_KEYS: u32 = 100_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub clients: u32,
    /// Mean time between the end of one of a client's operations and the
    /// start of its next.
    pub think_us: u64,
    /// Reads per thousand operations.
    pub read_permille: u32,
    pub keys: u32,
    /// The Zipf exponent times 1000 (990 is YCSB's 0.99); 0 is uniform.
    pub zipf_milli: u32,
    pub read_before_write: bool,
    /// Clients issue nothing once their node's clock reads this (so that a
    /// run can end quiet, and converge).
    pub stop_us: Option<u64>,
    /// The clients buy one item, from a stock ([`super::inventory`]).
    pub inventory: Option<super::inventory::Inventory>,
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            clients: 4,
            think_us: 100_000,
            read_permille: 500,
            keys: 8,
            zipf_milli: 0,
            read_before_write: true,
            stop_us: None,
            inventory: None,
        }
    }
}

impl Workload {
    pub fn validate(&self, _nodes: u32) -> Result<(), StoreConfigError> {
        use StoreConfigError as E;
        if self.clients == 0 || self.clients > MAX_CLIENTS {
            return Err(E::range("clients", format!("1 to {MAX_CLIENTS}"), self.clients));
        }
        if self.keys == 0 || self.keys > MAX_KEYS {
            return Err(E::range("keys", format!("1 to {MAX_KEYS}"), self.keys));
        }
        if self.read_permille > 1000 {
            return Err(E::range("the read fraction", "0 to 1", f64::from(self.read_permille) / 1000.0));
        }
        if self.think_us < 100 {
            return Err(E::ThinkTooShort);
        }
        if self.zipf_milli > 5_000 {
            return Err(E::range("the Zipf exponent", "0 to 5", f64::from(self.zipf_milli) / 1000.0));
        }
        Ok(())
    }
}

/// How keys are chosen: uniformly, or by a Zipf law over key ranks.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyDist {
    keys: u32,
    /// Cumulative weights (Zipf), or empty (uniform).
    cumulative: Vec<u64>,
}

impl KeyDist {
    pub fn new(w: &Workload) -> Self {
        if w.zipf_milli == 0 {
            return KeyDist { keys: w.keys, cumulative: Vec::new() };
        }
        let s = f64::from(w.zipf_milli) / 1000.0;
        let weights: Vec<f64> = (1..=w.keys).map(|rank| 1.0 / libm::pow(f64::from(rank), s)).collect();
        let total: f64 = weights.iter().sum();
        let scale = (1u64 << 48) as f64 / total;
        let mut acc = 0u64;
        let cumulative = weights.iter().map(|x| {
            acc += ((x * scale) as u64).max(1);
            acc
        });
        KeyDist { keys: w.keys, cumulative: cumulative.collect() }
    }

    pub fn sample(&self, rng: &mut Rng) -> Key {
        match self.cumulative.last() {
            None => rng.below(u64::from(self.keys)) as Key,
            Some(&total) => {
                let x = rng.below(total);
                self.cumulative.partition_point(|&c| c <= x) as Key
            }
        }
    }
}

/// A client attached to this node.
#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    pub index: u32,
    pub busy: bool,
}

impl Client {
    pub fn hosted_by(node: NodeId, nodes: u32, w: &Workload) -> Vec<Client> {
        (0..w.clients).filter(|c| c % nodes.max(1) == node).map(|index| Client { index, busy: false }).collect()
    }
}

impl StoreNode {
    fn think(&self, ctx: &mut Ctx<'_, Self>) -> u64 {
        let mean = self.cfg.workload.as_ref().map_or(100_000, |w| w.think_us);
        ctx.rng().below(2 * mean + 1)
    }

    pub(super) fn start_clients(&mut self, ctx: &mut Ctx<'_, Self>) {
        for i in 0..self.clients.len() {
            self.clients[i].busy = false;
            let after = self.think(ctx);
            ctx.set_timer(super::node::Timer::Client(self.clients[i].index), after);
        }
    }

    pub(super) fn pick_key(&self, ctx: &mut Ctx<'_, Self>) -> Key {
        match &self.keys {
            Some(d) => d.sample(ctx.rng()),
            None => ctx.rng().below(8) as Key,
        }
    }

    /// A client write: read, merge, write back; or blind.
    pub(super) fn update(&mut self, id: u64, key: Key, value: Value, client: Option<u32>, ctx: &mut Ctx<'_, Self>) {
        ctx.note(Note::Invoked { id, key, write: Some(value), client });
        let read_first = self.cfg.workload.as_ref().is_none_or(|w| w.read_before_write);
        if read_first {
            self.start_get(id, key, Some(value), 0, client, ctx);
        } else {
            self.write(id, key, (value, None), VersionVector::default(), client, ctx);
        }
    }

    /// Client `c`'s think time is over: its next operation.
    pub(super) fn client_turn(&mut self, c: u32, ctx: &mut Ctx<'_, Self>) {
        let Some(slot) = self.clients.iter().position(|x| x.index == c) else { return };
        let stop = self.cfg.workload.as_ref().and_then(|w| w.stop_us);
        if self.clients[slot].busy || stop.is_some_and(|s| ctx.now() >= s as i64) {
            return;
        }
        self.clients[slot].busy = true;
        self.ops += 1;
        // Unique across nodes and restarts, and apart from the ids that
        // commands from the timeline carry.
        let id = (1u64 << 62) | (u64::from(self.id) << 40) | self.ops;
        let key = self.pick_key(ctx);
        let permille = self.cfg.workload.as_ref().map_or(500, |w| w.read_permille);
        if ctx.rng().below(1000) < u64::from(permille) {
            ctx.note(Note::Invoked { id, key, write: None, client: Some(c) });
            self.start_get(id, key, None, 0, Some(c), ctx);
        } else {
            self.update(id, key, id, Some(c), ctx);
        }
    }

    /// A client's operation ended (answered or failed): it thinks, then
    /// issues the next.
    pub(super) fn client_done(&mut self, client: Option<u32>, ctx: &mut Ctx<'_, Self>) {
        let Some(c) = client else { return };
        if let Some(slot) = self.clients.iter().position(|x| x.index == c) {
            self.clients[slot].busy = false;
            let after = self.think(ctx);
            ctx.set_timer(super::node::Timer::Client(c), after);
        }
    }
}
