//! The fault API (docs/architecture.md, law 5): crashes, restarts, pauses, cuts,
//! partitions, link settings and clock skew, each acting at the current
//! instant and leaving its event in the trace's last step.

use super::network::{DropReason, LinkConfig};
use super::protocol::Protocol;
use super::trace::{EventKind, Fault};
use super::{NodeId, NodeStatus, Payload, Sim};

impl<P: Protocol> Sim<P> {
    fn fault(&mut self, fault: Fault) {
        self.trace.begin_step();
        self.trace.record(self.now, EventKind::Fault(Box::new(fault)));
    }

    /// Crash: volatile state is lost, persistent state is kept, pending timers
    /// die, and messages waiting for a paused node are dropped.
    pub fn crash(&mut self, node: NodeId) {
        if self.nodes[node as usize].status == NodeStatus::Crashed {
            return;
        }
        self.fault(Fault::Crash(node));
        let slot = &mut self.nodes[node as usize];
        slot.status = NodeStatus::Crashed;
        self.cold[node as usize].persisted = slot.proto.take().map(|p| p.persistent());
        self.cold[node as usize].timers.clear();
        self.lose_outbox(node);
        let held = std::mem::take(&mut self.cold[node as usize].held);
        for payload in held {
            if let Payload::Deliver { from, to, id, msg, .. } = payload {
                self.in_flight -= 1;
                self.trace.record(self.now, EventKind::Drop { from, to, id, msg, reason: DropReason::NodeDown });
            }
        }
    }

    /// Restart a crashed node from its persistent state.
    pub fn restart(&mut self, node: NodeId) {
        if self.nodes[node as usize].status != NodeStatus::Crashed {
            return;
        }
        self.fault(Fault::Restart(node));
        let slot = &mut self.nodes[node as usize];
        slot.status = NodeStatus::Up;
        slot.proto = Some(P::boot(node, &self.config, self.cold[node as usize].persisted.take()));
        self.dispatch(node, |p, ctx| p.on_start(ctx));
    }

    pub fn pause(&mut self, node: NodeId) {
        if self.nodes[node as usize].status != NodeStatus::Up {
            return;
        }
        self.fault(Fault::Pause(node));
        self.nodes[node as usize].status = NodeStatus::Paused;
    }

    /// Resume a paused node: what waited (due timers, held messages and
    /// commands) runs now, in the order it arrived.
    pub fn resume(&mut self, node: NodeId) {
        if self.nodes[node as usize].status != NodeStatus::Paused {
            return;
        }
        self.fault(Fault::Resume(node));
        self.nodes[node as usize].status = NodeStatus::Up;
        let held = std::mem::take(&mut self.cold[node as usize].held);
        for payload in held {
            self.queue.push(self.now, payload);
        }
    }

    /// Cut the directed link `from -> to`.
    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.fault(Fault::Cut(from, to));
        self.net.cut(from, to);
    }

    /// Heal both directions between `a` and `b`.
    pub fn heal(&mut self, a: NodeId, b: NodeId) {
        self.fault(Fault::Heal(a, b));
        self.net.heal(a, b);
    }

    /// Split the cluster into `groups`; unnamed nodes form one more group.
    pub fn partition(&mut self, groups: Vec<Vec<NodeId>>) {
        self.net.partition(&groups);
        self.fault(Fault::Partition(groups));
    }

    /// Cut `node` off from everyone.
    pub fn isolate(&mut self, node: NodeId) {
        self.fault(Fault::Isolate(node));
        self.net.isolate(node);
    }

    /// Remove every cut and partition.
    pub fn heal_all(&mut self) {
        self.fault(Fault::HealAll);
        self.net.heal_all();
    }

    pub fn set_link(&mut self, from: NodeId, to: NodeId, cfg: LinkConfig) {
        self.fault(Fault::SetLink(from, to, cfg));
        self.net.set_link(from, to, cfg);
    }

    /// Change the behaviour of every link without an override of its own.
    pub fn set_network(&mut self, cfg: LinkConfig) {
        self.fault(Fault::SetNetwork(cfg));
        self.net.set_default(cfg);
    }

    /// Set a node's clock to `true time + offset_us` now, drifting by
    /// `drift_ppm` from here on. Its pending timers move with its clock.
    pub fn skew(&mut self, node: NodeId, offset_us: i64, drift_ppm: i64) {
        self.fault(Fault::Skew { node, offset_us, drift_ppm });
        let now = self.now;
        let slot = &mut self.nodes[node as usize];
        let clock = slot.clock.get_or_insert_with(Box::default);
        clock.skew(now, offset_us, drift_ppm);
        let clock = **clock;
        let mut moved = Vec::new();
        for (timer, s) in self.cold[node as usize].timers.iter_mut() {
            self.timer_gen += 1;
            s.gen = self.timer_gen;
            moved.push((*timer, s.gen, clock.true_at(s.deadline, now)));
        }
        // Held timers keep their old generation, so they no longer fire.
        for (timer, gen, at) in moved {
            self.queue.push(at, Payload::Timer { node, timer, gen });
        }
    }

    /// Apply a named fault.
    pub fn apply(&mut self, fault: Fault) {
        match fault {
            Fault::Crash(n) => self.crash(n),
            Fault::Restart(n) => self.restart(n),
            Fault::Pause(n) => self.pause(n),
            Fault::Resume(n) => self.resume(n),
            Fault::Cut(a, b) => self.cut(a, b),
            Fault::Heal(a, b) => self.heal(a, b),
            Fault::Partition(g) => self.partition(g),
            Fault::Isolate(n) => self.isolate(n),
            Fault::HealAll => self.heal_all(),
            Fault::SetLink(a, b, c) => self.set_link(a, b, c),
            Fault::Skew { node, offset_us, drift_ppm } => self.skew(node, offset_us, drift_ppm),
            Fault::SetNetwork(c) => self.set_network(c),
        }
    }
}
