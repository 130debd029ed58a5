//! Stable storage as a modelled cost.
//!
//! Raft's Figure 2 requires a server to persist its term, its vote and its
//! log entries "before responding to RPCs", and the paper's §9.3 testbed
//! did ("broadcast time" there includes each server's write). A handler
//! that changed its persistent state calls [`super::protocol::Ctx::persist`];
//! the write takes a latency drawn per write from the scenario's range,
//! one write at a time per node (a second one starts when the first ends).
//! Until every write a node has begun completes, its messages wait in an
//! outbox and then leave in order: nothing that depends on a write is seen
//! before the write is durable. Timers and notes do not wait.
//!
//! A crash loses the outbox: those messages were never sent. The state a
//! crash keeps is the node's latest (as if the write in progress had
//! completed); since nothing that depended on it had been sent, no other
//! node can tell. With no latency set (the default), persisting is
//! instantaneous, no event is traced, and runs are as before.

use super::trace::EventKind;
use super::{NodeId, NodeStatus, Payload, Protocol, Sim, Time};

impl<P: Protocol> Sim<P> {
    /// Sets stable storage's write latency range, in microseconds
    /// (`None`, or `(0, 0)`: instantaneous).
    pub fn set_storage(&mut self, latency_us: Option<(u64, u64)>) {
        self.storage = latency_us.filter(|&(_, hi)| hi > 0);
    }

    pub fn storage(&self) -> Option<(u64, u64)> {
        self.storage
    }

    /// When `node`'s storage write in progress completes, if one is.
    pub fn writing_until(&self, node: NodeId) -> Option<Time> {
        let slot = &self.nodes[node as usize];
        (slot.status != NodeStatus::Crashed && slot.disk_until > self.now).then_some(slot.disk_until)
    }

    /// Starts a write for `node` (after any in progress).
    pub(super) fn persist(&mut self, node: NodeId) {
        let Some((lo, hi)) = self.storage else { return };
        let latency = self.disk_rng.range_inclusive(lo, hi);
        let slot = &mut self.nodes[node as usize];
        let until = slot.disk_until.max(self.now) + latency;
        slot.disk_until = until;
        self.trace.record(self.now, EventKind::Persist { node, until });
        self.queue.push(until, Payload::Flush { node });
    }

    /// Sends what waited for writes that have now completed.
    pub(super) fn flush(&mut self, node: NodeId) {
        let slot = &mut self.nodes[node as usize];
        if slot.status == NodeStatus::Crashed {
            return;
        }
        let now = self.now;
        let outbox = &mut self.cold[node as usize].outbox;
        let ready = outbox.iter().take_while(|(at, ..)| *at <= now).count();
        let out: Vec<_> = outbox.drain(..ready).collect();
        slot.outbox_busy = !outbox.is_empty();
        for (_, to, msg) in out {
            self.transmit(node, to, msg);
        }
    }

    /// A crash: the writes in progress end, and what waited is never sent.
    pub(super) fn lose_outbox(&mut self, node: NodeId) {
        let slot = &mut self.nodes[node as usize];
        slot.outbox_busy = false;
        slot.disk_until = 0;
        self.cold[node as usize].outbox.clear();
    }
}
