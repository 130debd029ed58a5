//! The proposer (Lamport, "Paxos Made Simple", 2001, §2.2 and §2.4).
//!
//! Phase 1: pick a ballot higher than any seen and send Prepare to the
//! acceptors. Phase 2: with promises from a phase-1 quorum (a majority
//! unless set otherwise, `quorums.rs`), send Accept with the
//! value of the highest-numbered proposal among the promises, or this
//! proposer's own value if none reported one. A refusal (Nack) or no
//! decision within the timeout starts again with a higher ballot: after a
//! refusal, following a wait that is fixed or, with random back-off, drawn
//! anew.

use super::{value_of, Backoff, Bug, Msg, Note, Paxos, Phase, Timer};
use crate::protocols::paxos::quorums::Flexible;
use crate::sim::protocol::Ctx;

impl Paxos {
    /// Phase 1a: a new ballot above every one seen, this node's own
    /// (ballots are `round · n + id`, so no two proposers share one).
    pub(super) fn prepare(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.learned.is_some() {
            return;
        }
        let n = u64::from(ctx.config().nodes);
        let round = self.seen.max(self.ballot) / n + 1;
        self.ballot = round * n + u64::from(self.id);
        self.seen = self.ballot;
        self.phase = Phase::Preparing { promises: 0, highest: None };
        ctx.note(Note::Ballot { ballot: self.ballot });
        for to in 0..ctx.config().nodes {
            ctx.send(to, Msg::Prepare { ballot: self.ballot });
        }
        ctx.set_timer(Timer::Propose, ctx.config().timeout_us);
    }

    /// After a refusal: the fixed wait, or with random back-off a random
    /// one up to that long.
    fn back_off(&mut self, ctx: &mut Ctx<'_, Self>) {
        let base = ctx.config().backoff_us;
        let wait = match ctx.config().backoff {
            Backoff::Fixed => base,
            Backoff::Random => 1 + ctx.rng().below(base.max(1)),
        };
        ctx.set_timer(Timer::Propose, wait);
    }

    /// Phase 1b arriving: with a majority of promises, phase 2a.
    pub(super) fn on_promise(&mut self, from: u32, ballot: u64, accepted: Option<(u64, u64)>, ctx: &mut Ctx<'_, Self>) {
        let Phase::Preparing { promises, highest } = &mut self.phase else { return };
        if ballot != self.ballot {
            return;
        }
        *promises |= 1 << from;
        if accepted.is_some_and(|(b, _)| highest.is_none_or(|(h, _)| b > h)) {
            *highest = accepted;
        }
        if promises.count_ones() < ctx.config().phase1_quorum() {
            return;
        }
        let own = if ctx.config().bug == Some(Bug::BallotAsValue) { ballot } else { value_of(self.id) };
        let value = match highest {
            Some((_, v)) if ctx.config().bug != Some(Bug::IgnoreAccepted) => *v,
            _ => own,
        };
        self.phase = Phase::Accepting { value, accepts: 0 };
        ctx.note(Note::Proposed { ballot, value });
        for to in 0..ctx.config().nodes {
            ctx.send(to, Msg::Accept { ballot, value });
        }
    }

    /// A refusal: someone has promised a higher ballot. Back off, then
    /// try again above it.
    pub(super) fn on_nack(&mut self, ballot: u64, promised: u64, ctx: &mut Ctx<'_, Self>) {
        self.seen = self.seen.max(promised);
        if ballot == self.ballot && self.phase != Phase::Idle {
            self.phase = Phase::Idle;
            ctx.cancel_timer(Timer::Propose);
            self.back_off(ctx);
        }
    }

    /// Phase 2b arriving at the proposer: with a majority, its ballot
    /// chose the value, and it stops.
    pub(super) fn on_accepted_by(&mut self, from: u32, ballot: u64, ctx: &mut Ctx<'_, Self>) {
        let Phase::Accepting { accepts, .. } = &mut self.phase else { return };
        if ballot != self.ballot {
            return;
        }
        *accepts |= 1 << from;
        if accepts.count_ones() >= ctx.config().phase2_quorum() {
            self.phase = Phase::Idle;
            ctx.cancel_timer(Timer::Propose);
        }
    }
}
