//! The region's group: local decisions, and spending the region's share
//! (Barbará and Garcia-Molina, "The Demarcation Protocol", 1992, §3: a
//! site may use its part of a global limit without asking anyone).
//!
//! A client's command reaches any node of its region, which passes it to
//! the region's leader. The leader puts it in the region's log; once the
//! region's quorum has chosen it and the leader has applied it, the leader
//! answers. Applying a spend takes a unit of the region's share while one
//! is left; past it, the leader asks the global group for a unit of the
//! pool (`global.rs`), unless it is cut off from the global group, when
//! the fallback rule turns the spend away.

use super::{Bug, Cmd, Federation, FederationConfig, Group, Msg, Note, Outcome};
use crate::protocols::multipaxos::{self as mp};
use crate::sim::protocol::{Ctx, Protocol};

/// What applying an entry decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decided {
    Ends(Outcome),
    /// The region's share is spent: the spend needs a unit of the pool.
    NeedsDraw,
}

/// A region log entry's kind, in the value's two low bits.
const WRITE: u64 = 0;
const SPEND: u64 = 1;
/// A spend the broken fallback forces through past the share.
const FORCED: u64 = 2;

fn entry(cmd: Cmd, kind: u64) -> u64 {
    cmd.id() * 4 + kind
}

/// The command a region log entry holds, and its kind.
pub fn decode(v: mp::Value) -> Option<(Cmd, u64)> {
    let mp::Value::Write(x) = v else { return None };
    let id = x / 4;
    Some((if x % 4 == WRITE { Cmd::Write(id) } else { Cmd::Spend(id) }, x % 4))
}

impl Federation {
    /// A client's command, from the client (`fresh`) or passed on by
    /// another node of the region.
    pub(super) fn on_client(&mut self, cmd: Cmd, fresh: bool, ctx: &mut Ctx<'_, Self>) {
        if self.local.leading() {
            if let (Cmd::Write(_), Some(Bug::AckEarly), Some(slot)) = (cmd, ctx.config().bug, self.local.next_slot()) {
                ctx.note(Note::Done { op: cmd, region: self.region, outcome: Outcome::Written { slot } });
            }
            let kind = if matches!(cmd, Cmd::Write(_)) { WRITE } else { SPEND };
            self.drive(Group::Region, ctx, |p, c| p.on_command(mp::Cmd::Request(entry(cmd, kind)), c));
            return;
        }
        match self.region_leader.filter(|&l| fresh && l != self.id) {
            Some(l) => ctx.send(l, Msg::Forward(cmd)),
            None => ctx.note(Note::Done { op: cmd, region: self.region, outcome: Outcome::Refused { cut_off: false } }),
        }
    }

    /// The region's state machine: every node of the region applies its
    /// log's entries in order.
    pub(super) fn apply_region(&mut self, slot: u64, v: mp::Value, cfg: &FederationConfig) -> Decided {
        match decode(v) {
            Some((_, WRITE)) => {
                self.writes += 1;
                Decided::Ends(Outcome::Written { slot })
            }
            Some((_, FORCED)) => {
                self.spent += 1;
                Decided::Ends(Outcome::Spent { slot })
            }
            Some(_) if self.spent < cfg.share => {
                self.spent += 1;
                Decided::Ends(Outcome::Spent { slot })
            }
            Some(_) => Decided::NeedsDraw,
            None => Decided::Ends(Outcome::Refused { cut_off: false }),
        }
    }

    /// The leader applied a client's entry: answer, or draw from the pool.
    pub(super) fn answer_region(&mut self, v: mp::Value, decided: Decided, ctx: &mut Ctx<'_, Self>) {
        let Some((op, _)) = decode(v) else { return };
        let region = self.region;
        match decided {
            // With the broken variant, the client was answered already.
            Decided::Ends(Outcome::Written { .. }) if ctx.config().bug == Some(Bug::AckEarly) => {}
            Decided::Ends(outcome) => ctx.note(Note::Done { op, region, outcome }),
            Decided::NeedsDraw if !self.cut_off(ctx) => self.draw(op.id(), ctx),
            Decided::NeedsDraw if ctx.config().bug == Some(Bug::SpendWhenCutOff) => {
                let forced = entry(op, FORCED);
                self.drive(Group::Region, ctx, |p, c| p.on_command(mp::Cmd::Request(forced), c));
            }
            Decided::NeedsDraw => ctx.note(Note::Done { op, region, outcome: Outcome::Refused { cut_off: true } }),
        }
    }

    /// Whether this node has lost the global group: it does not lead it,
    /// and has not heard its leader for an election timeout.
    pub(super) fn cut_off(&self, ctx: &Ctx<'_, Self>) -> bool {
        if self.global.leading() {
            return false;
        }
        let timeout = super::groups::global_config(ctx.config(), self.region()).election_us;
        self.global_heard.is_none_or(|t| ctx.now() - t > timeout as i64)
    }
}
