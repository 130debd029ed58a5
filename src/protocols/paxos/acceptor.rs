//! The acceptor (Lamport, "Paxos Made Simple", 2001, §2.2, §2.5).
//!
//! P1a: an acceptor can accept a proposal numbered n if and only if it has
//! not responded to a prepare request numbered greater than n. It promises
//! a higher ballot than any it has promised, reporting the proposal it has
//! accepted, and refuses the rest. Both the promise and the accepted
//! proposal are on stable storage before it answers (§2.5: "an acceptor
//! must remember this information even if it fails and then restarts").

use super::{Msg, Note, Paxos};
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

impl Paxos {
    /// Phase 1b.
    pub(super) fn on_prepare(&mut self, from: NodeId, ballot: u64, ctx: &mut Ctx<'_, Self>) {
        self.seen = self.seen.max(ballot);
        if ballot <= self.promised {
            ctx.send(from, Msg::Nack { ballot, promised: self.promised });
            return;
        }
        self.promised = ballot;
        ctx.persist();
        ctx.note(Note::Promised { ballot });
        ctx.send(from, Msg::Promise { ballot, accepted: self.accepted });
    }

    /// Phase 2b: accepted unless a higher ballot was promised; every
    /// learner is told.
    pub(super) fn on_accept(&mut self, from: NodeId, ballot: u64, value: u64, ctx: &mut Ctx<'_, Self>) {
        self.seen = self.seen.max(ballot);
        if ballot < self.promised {
            ctx.send(from, Msg::Nack { ballot, promised: self.promised });
            return;
        }
        self.promised = ballot;
        self.accepted = Some((ballot, value));
        ctx.persist();
        ctx.note(Note::Accepted { ballot, value });
        for to in 0..ctx.config().nodes {
            ctx.send(to, Msg::Accepted { ballot, value });
        }
    }
}
