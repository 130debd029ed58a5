//! Scripted runs: nothing happens by itself. Messages wait on the wire and
//! timers wait unfired until someone (a timeline, or the exhaustive
//! explorer) delivers, drops or fires them, one at a time and in any
//! order. Time then does not order events, so one interleaving of a
//! cluster's deliveries, drops and timers is one script.
//!
//! In a scripted run a sent message joins [`Sim::held`] in the order sent,
//! and a set timer arms its slot without queueing its firing: a node's
//! pending timers are [`Sim::timers`], and [`Sim::fire`] fires one.

use super::network::DropReason;
use super::protocol::Protocol;
use super::trace::{EventKind, MsgId};
use super::{InFlight, NodeId, NodeStatus, Payload, Sim, Time};

/// A message waiting for its delivery in a scripted run.
#[derive(Clone, Debug)]
pub struct Held<M> {
    pub from: NodeId,
    pub to: NodeId,
    pub id: MsgId,
    pub msg: M,
    /// When it was sent.
    pub sent: Time,
}

impl<P: Protocol> Sim<P> {
    /// Makes the run scripted from now on. What is queued moves over: its
    /// messages to [`Sim::held`] in the order they would have arrived, and
    /// its timers stay armed, unqueued.
    pub fn set_scripted(&mut self) {
        let mut held = Vec::new();
        let mut rest = Vec::new();
        while let Some((t, payload)) = self.queue.pop() {
            match payload {
                Payload::Deliver { from, to, id, msg, flight, .. } => {
                    held.push(Held { from, to, id, msg, sent: t.saturating_sub(u64::from(flight)) })
                }
                Payload::Timer { .. } => {}
                other => rest.push((t, other)),
            }
        }
        for (t, payload) in rest {
            self.queue.push(t, payload);
        }
        self.script = Some(held);
    }

    pub fn is_scripted(&self) -> bool {
        self.script.is_some()
    }

    /// The messages waiting in a scripted run, oldest first.
    pub fn held(&self) -> &[Held<P::Msg>] {
        self.script.as_deref().unwrap_or(&[])
    }

    /// The held messages as the drawing sees messages in flight: waiting
    /// at their door.
    pub(super) fn held_in_flight(&self) -> impl Iterator<Item = InFlight<'_, P::Msg>> {
        let now = self.now;
        self.held().iter().map(move |h| InFlight {
            from: h.from,
            to: h.to,
            id: h.id,
            sent_at: h.sent,
            deliver_at: now.max(h.sent + 1),
            msg: &h.msg,
            lost: false,
        })
    }

    /// A node's armed timers, in the timer type's order.
    pub fn timers(&self, node: NodeId) -> impl Iterator<Item = P::Timer> + '_ {
        self.cold[node as usize].timers.keys().copied()
    }

    /// The place in [`Sim::held`] of the `nth` (from 0) message waiting
    /// from `from` to `to`.
    pub fn held_index(&self, from: NodeId, to: NodeId, nth: u32) -> Option<usize> {
        self.held().iter().enumerate().filter(|(_, h)| h.from == from && h.to == to).nth(nth as usize).map(|(i, _)| i)
    }

    /// Which of the messages from `from` to `to` the message at `index`
    /// of [`Sim::held`] is (from 0).
    pub fn held_nth(&self, index: usize) -> u32 {
        let h = &self.held()[index];
        self.held()[..index].iter().filter(|o| o.from == h.from && o.to == h.to).count() as u32
    }

    /// Delivers the held message at `index` now: a node that is down
    /// loses it, a cut link or partition drops it, and a paused node
    /// leaves it waiting (returns false, doing nothing).
    pub fn deliver_held(&mut self, index: usize) -> bool {
        let Some(held) = self.script.as_mut().filter(|h| index < h.len()) else { return false };
        let to = held[index].to;
        if self.nodes[to as usize].status == NodeStatus::Paused {
            return false;
        }
        let Held { from, to, id, msg, .. } = held.remove(index);
        self.trace.begin_step();
        self.in_flight -= 1;
        let reason = if self.nodes[to as usize].status == NodeStatus::Crashed {
            Some(DropReason::NodeDown)
        } else {
            self.net.blocked(from, to)
        };
        if let Some(reason) = reason {
            self.trace.record(self.now, EventKind::Drop { from, to, id, msg, reason });
            return true;
        }
        self.trace.record(self.now, EventKind::Deliver { from, to, id, msg: msg.clone() });
        self.dispatch(to, |p, ctx| p.on_message(from, msg, ctx));
        true
    }

    /// Loses the held message at `index`, as a lossy link would.
    pub fn drop_held(&mut self, index: usize) -> bool {
        let Some(held) = self.script.as_mut().filter(|h| index < h.len()) else { return false };
        let Held { from, to, id, msg, .. } = held.remove(index);
        self.trace.begin_step();
        self.in_flight -= 1;
        self.trace.record(self.now, EventKind::Drop { from, to, id, msg, reason: DropReason::Loss });
        true
    }
}
