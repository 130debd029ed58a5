//! The learner and the state machine (Lamport, "Paxos Made Simple", 2001,
//! §3).
//!
//! A node learns a slot's value when the leader says the slot is chosen
//! and the node holds the leader's proposal for it, or when the leader
//! sends it the value (a follower that was behind asks, on the leader's
//! heartbeat). It applies slots strictly in order: "server ... can execute
//! command i only after it has executed commands 1 through i - 1". The
//! state machine counts client writes; a read returns that count, and the
//! node that took a client's command answers the client once it has
//! applied it.

use super::{Bug, Msg, MultiPaxos, Note, Value};
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

impl MultiPaxos {
    /// `value` is chosen in `slot`.
    pub(super) fn learn(&mut self, slot: u64, value: Value, ctx: &mut Ctx<'_, Self>) {
        let i = slot as usize;
        if self.learned.len() <= i {
            self.learned.resize(i + 1, None);
        }
        if self.learned[i].is_some() {
            return;
        }
        self.learned[i] = Some(value);
        ctx.note(Note::Learned { slot, value });
        while self.learned.get(self.chosen as usize).copied().flatten().is_some() {
            self.chosen += 1;
        }
        if ctx.config().bug == Some(Bug::ApplyGaps) {
            self.apply(slot, value, ctx);
            return;
        }
        while self.applied < self.chosen {
            let s = self.applied;
            if let Some(v) = self.learned[s as usize] {
                self.apply(s, v, ctx);
            }
        }
    }

    fn apply(&mut self, slot: u64, value: Value, ctx: &mut Ctx<'_, Self>) {
        self.applied += 1;
        if let Value::Write(_) = value {
            self.writes += 1;
        }
        ctx.note(Note::Applied { slot, value });
        if let Some(i) = self.owed.iter().position(|v| *v == value) {
            self.owed.swap_remove(i);
            ctx.note(Note::Replied { value, writes: self.writes });
        }
    }

    /// The leader of `ballot` says the first `commit` slots are chosen:
    /// learn those this acceptor accepted from it.
    pub(super) fn learn_committed(&mut self, ballot: u64, commit: u64, ctx: &mut Ctx<'_, Self>) {
        for slot in self.chosen..commit {
            if let Some((b, v)) = self.accepted(slot) {
                if b == ballot {
                    self.learn(slot, v, ctx);
                }
            }
        }
    }

    /// A leader's heartbeat: refused if its ballot is stale; otherwise it
    /// is heard, and a follower that is behind says so.
    pub(super) fn on_heartbeat(&mut self, leader: NodeId, ballot: u64, commit: u64, ctx: &mut Ctx<'_, Self>) {
        self.seen = self.seen.max(ballot);
        if ballot < self.promised {
            ctx.send(leader, Msg::Nack { ballot, promised: self.promised });
            return;
        }
        if ballot > self.ballot {
            self.step_down(ctx);
        }
        self.heard = true;
        self.learn_committed(ballot, commit, ctx);
        if self.chosen < commit {
            ctx.send(leader, Msg::Behind { ballot, have: self.chosen });
        }
    }

    pub(super) fn on_learn(&mut self, entries: Vec<(u64, Value)>, ctx: &mut Ctx<'_, Self>) {
        for (slot, value) in entries {
            self.learn(slot, value, ctx);
        }
    }
}
