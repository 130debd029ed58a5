//! The acceptor (Lamport, "Paxos Made Simple", 2001, §3, with §2.2's
//! rules per slot).
//!
//! One promise covers every slot: an acceptor that promises ballot b to a
//! new leader refuses every lower ballot in every slot, and reports what it
//! accepted in each slot from the leader's first unknown one on. It accepts
//! a proposal in a slot unless it has promised a higher ballot. Promises
//! and acceptances are on stable storage before it answers.

use super::{Msg, MultiPaxos, Value};
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

impl MultiPaxos {
    /// Phase 1b for every slot from `from` on.
    pub(super) fn on_prepare(&mut self, leader: NodeId, ballot: u64, from: u64, ctx: &mut Ctx<'_, Self>) {
        self.seen = self.seen.max(ballot);
        if ballot <= self.promised {
            ctx.send(leader, Msg::Nack { ballot, promised: self.promised });
            return;
        }
        self.promised = ballot;
        ctx.persist();
        if ballot != self.ballot {
            self.step_down(ctx);
        }
        self.heard = true;
        let accepted =
            (from..self.accepted.len() as u64).filter_map(|slot| self.accepted(slot).map(|a| (slot, a))).collect();
        ctx.send(leader, Msg::Promise { ballot, accepted });
    }

    /// Phase 2b: accepted unless a higher ballot was promised. The slots
    /// the leader says are chosen are learned where this acceptor holds the
    /// leader's own proposal for them.
    pub(super) fn on_accept(
        &mut self,
        leader: NodeId,
        ballot: u64,
        slot: u64,
        value: Value,
        commit: u64,
        ctx: &mut Ctx<'_, Self>,
    ) {
        self.seen = self.seen.max(ballot);
        if ballot < self.promised {
            ctx.send(leader, Msg::Nack { ballot, promised: self.promised });
            return;
        }
        if ballot > self.promised {
            self.promised = ballot;
            if ballot != self.ballot {
                self.step_down(ctx);
            }
        }
        self.heard = true;
        let i = slot as usize;
        if self.accepted.len() <= i {
            self.accepted.resize(i + 1, None);
        }
        self.accepted[i] = Some((ballot, value));
        ctx.persist();
        ctx.send(leader, Msg::Accepted { ballot, slot });
        self.learn_committed(ballot, commit, ctx);
    }
}
