//! A bounded sample of the messages in flight, for drawing.
//!
//! A page draws a few hundred messages. Finding the oldest ones in the
//! event queue on every frame walks the whole queue: 200,000 events in a
//! storm, and a frame of 150 to 650 ms. So a simulator that is asked to
//! keeps the sample as it goes: a message sent while the sample has room
//! joins it, and leaves it when it arrives or is dropped. Below the cap the
//! sample is every message in flight; at the cap it is the oldest that fit,
//! and those sent since wait until older ones have landed and the sample
//! is refreshed (a walk of the queue, only while the queue is small). It reads no
//! random number and records nothing, so the trace is the same with it or
//! without it.

use super::{InFlight, MsgId, NodeId, Protocol, Sim, Time};

/// A sorted vector, not a tree: it holds at most a few hundred, a new
/// message's id is the largest yet (it goes at the end), and a tree's code
/// for each protocol's message type would cost the page's bundle.
#[derive(Clone, Debug)]
pub(super) struct Sample<M> {
    cap: usize,
    /// Sorted by (id, arrival): a duplicate is a second copy of the same id.
    msgs: Vec<Sampled<M>>,
}

#[derive(Clone, Debug)]
struct Sampled<M> {
    id: MsgId,
    deliver_at: Time,
    from: NodeId,
    to: NodeId,
    sent_at: Time,
    msg: M,
    lost: bool,
}

impl<M: Clone> Sample<M> {
    pub(super) fn sent(
        &mut self,
        (from, to): (NodeId, NodeId),
        id: MsgId,
        (sent_at, deliver_at): (Time, Time),
        msg: &M,
        lost: bool,
    ) {
        if self.msgs.len() < self.cap {
            let at = self.msgs.partition_point(|m| (m.id, m.deliver_at) < (id, deliver_at));
            self.msgs.insert(at, Sampled { id, deliver_at, from, to, sent_at, msg: msg.clone(), lost });
        }
    }

    /// The message `id` due at `at` left the wire (arrived, dropped, or
    /// waits at a paused node).
    pub(super) fn landed(&mut self, id: MsgId, at: Time) {
        let i = self.msgs.partition_point(|m| (m.id, m.deliver_at) < (id, at));
        if self.msgs.get(i).is_some_and(|m| (m.id, m.deliver_at) == (id, at)) {
            self.msgs.remove(i);
        }
    }
}

impl<P: Protocol> Sim<P> {
    /// Keeps a sample of at most `cap` messages in flight from now on, for
    /// [`Sim::in_flight_sample`]; it starts with the oldest `cap` of those
    /// in flight now (the one walk of the queue).
    pub fn sample_in_flight(&mut self, cap: usize) {
        let mut now: Vec<InFlight<'_, P::Msg>> = self.in_flight().collect();
        if now.len() > cap {
            now.select_nth_unstable_by_key(cap, |m| m.id);
            now.truncate(cap);
        }
        let mut msgs: Vec<Sampled<P::Msg>> = now
            .into_iter()
            .map(|m| Sampled {
                id: m.id,
                deliver_at: m.deliver_at,
                from: m.from,
                to: m.to,
                sent_at: m.sent_at,
                msg: m.msg.clone(),
                lost: m.lost,
            })
            .collect();
        msgs.sort_unstable_by_key(|m| (m.id, m.deliver_at));
        self.sample = Some(Box::new(Sample { cap, msgs }));
    }

    /// Rebuilds a sample that has room while messages it missed are still
    /// in flight (they were sent while it was full), if the queue holds at
    /// most `max_queue` events: a bounded walk, skipped in a storm.
    pub fn refresh_sample(&mut self, max_queue: usize) {
        let Some(s) = &self.sample else { return };
        let missing = self.in_flight > s.msgs.len() as u64 && s.msgs.len() < s.cap;
        if missing && self.queue.len() <= max_queue {
            self.sample_in_flight(s.cap);
        }
    }

    /// The sampled messages in flight, oldest first (`None` unless
    /// [`Sim::sample_in_flight`] was called). Costs the sample's size,
    /// however many messages are in flight.
    pub fn in_flight_sample(&self) -> Option<impl Iterator<Item = InFlight<'_, P::Msg>>> {
        let s = self.sample.as_ref()?;
        Some(s.msgs.iter().map(|m| InFlight {
            from: m.from,
            to: m.to,
            id: m.id,
            sent_at: m.sent_at,
            deliver_at: m.deliver_at,
            msg: &m.msg,
            lost: m.lost,
        }))
    }
}
