//! The effect loop: a handler runs with its context, and the simulator
//! carries out what it asked for (sends through the network, or onto a
//! scripted run's wire; timers; notes; storage writes).

use super::limits::Cap;
use super::protocol::{Ctx, Effect, Protocol};
use super::trace::EventKind;
use super::{script, LocalTime, NodeId, Payload, Sim, Time, TimerSlot};

impl<P: Protocol> Sim<P> {
    pub(super) fn dispatch(&mut self, node: NodeId, f: impl FnOnce(&mut P, &mut Ctx<'_, P>)) {
        let mut effects = std::mem::take(&mut self.effects);
        let slot = &mut self.nodes[node as usize];
        let local = slot.clock().local(self.now);
        if let Some(proto) = slot.proto.as_mut() {
            let rng = &mut self.cold[node as usize].rng;
            let mut ctx = Ctx::new(node, local, &self.config, rng, &mut effects);
            f(proto, &mut ctx);
        }
        for effect in effects.drain(..) {
            self.apply_effect(node, local, effect);
        }
        self.effects = effects;
    }

    fn apply_effect(&mut self, node: NodeId, local: LocalTime, effect: Effect<P>) {
        match effect {
            Effect::Send { to, msg } => {
                let slot = &mut self.nodes[node as usize];
                if slot.disk_until > self.now || slot.outbox_busy {
                    slot.outbox_busy = true;
                    self.cold[node as usize].outbox.push((slot.disk_until, to, msg));
                } else {
                    self.transmit(node, to, msg);
                }
            }
            Effect::Persist => self.persist(node),
            Effect::SetTimer { timer, after_us } => {
                self.timer_gen += 1;
                let gen = self.timer_gen;
                let deadline = local + after_us as i64;
                self.cold[node as usize].timers.insert(timer, TimerSlot { gen, set_at: local, deadline });
                if self.script.is_none() {
                    let at = self.nodes[node as usize].clock().true_at(deadline, self.now);
                    self.queue.push(at, Payload::Timer { node, timer, gen });
                }
            }
            Effect::CancelTimer { timer } => {
                self.cold[node as usize].timers.remove(&timer);
            }
            Effect::Note(note) => self.trace.record(self.now, EventKind::Note { node, note }),
        }
    }

    /// Hands a message to the network now.
    pub(super) fn transmit(&mut self, node: NodeId, to: NodeId, msg: P::Msg) {
        if to as usize >= self.nodes.len() {
            return; // addressed to no one: the protocol's bug, not a crash
        }
        let id = self.next_msg;
        self.next_msg += 1;
        if let Some(held) = &mut self.script {
            self.in_flight += 1;
            self.trace.record(self.now, EventKind::Send { from: node, to, id, msg: msg.clone(), deliver_at: self.now });
            held.push(script::Held { from: node, to, id, msg, sent: self.now });
            return;
        }
        let tx = self.net.transmit(node, to, self.now, &mut self.net_rng);
        let deliver_at = tx.deliver_at;
        self.in_flight += 1 + u64::from(tx.duplicate_at.is_some());
        self.peaks.0 = self.peaks.0.max(self.in_flight);
        if self.in_flight > self.limits.in_flight {
            self.halt(Cap::InFlight, self.limits.in_flight, self.now);
        }
        self.trace.record(self.now, EventKind::Send { from: node, to, id, msg: msg.clone(), deliver_at });
        let now = self.now;
        let flight = |at: Time| u32::try_from(at - now).unwrap_or(u32::MAX);
        if let Some(s) = &mut self.sample {
            s.sent((node, to), id, (now, deliver_at), &msg, tx.lost);
            if let Some(dup_at) = tx.duplicate_at {
                s.sent((node, to), id, (now, dup_at), &msg, false);
            }
        }
        if let Some(dup_at) = tx.duplicate_at {
            self.trace.record(self.now, EventKind::Duplicate { from: node, to, id, deliver_at: dup_at });
            let payload = Payload::Deliver {
                from: node,
                to,
                id,
                msg: msg.clone(),
                lost: false,
                flight: flight(dup_at),
                arrived: false,
            };
            self.queue.push(dup_at, payload);
        }
        let payload =
            Payload::Deliver { from: node, to, id, msg, lost: tx.lost, flight: flight(deliver_at), arrived: false };
        self.queue.push(deliver_at, payload);
    }
}
