//! The learner (Lamport, "Paxos Made Simple", 2001, §2.3).
//!
//! A value is chosen once a majority of acceptors (or a phase-2 quorum,
//! `quorums.rs`) has accepted it in one ballot; a learner that hears of
//! that many learns the value. A
//! proposer that learns a value stops proposing.

use super::{Note, Paxos, Phase, Timer};
use crate::protocols::paxos::quorums::Flexible;
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

impl Paxos {
    pub(super) fn learn(&mut self, from: NodeId, ballot: u64, value: u64, ctx: &mut Ctx<'_, Self>) {
        let i = match self.votes.iter().position(|v| v.0 == ballot) {
            Some(i) => i,
            None => {
                self.votes.push((ballot, value, 0));
                self.votes.len() - 1
            }
        };
        let v = &mut self.votes[i];
        let before = v.2.count_ones();
        v.2 |= 1 << from;
        let majority = ctx.config().phase2_quorum();
        if before >= majority || v.2.count_ones() < majority || self.learned == Some(value) {
            return;
        }
        // Learned again with another value only in a broken variant: the
        // note lets the checker see it.
        self.learned = Some(value);
        ctx.note(Note::Learned { value });
        if ctx.config().proposers.contains(&self.id) {
            self.phase = Phase::Idle;
            ctx.cancel_timer(Timer::Propose);
        }
    }
}
