//! The global group: decisions that cross regions, checked against the
//! global policy ("Spanner", Corbett et al., 2012, §2.1: one Paxos group
//! whose replicas span the zones).
//!
//! Every node is a member; its leader is placed in the preferred region
//! (the others wait longer before they stand). A region's leader whose
//! share is spent sends a draw to the global leader, which puts it in the
//! global log. Applying a draw grants a unit while the pool (the quota
//! less every region's share) has one, and denies it after: every node
//! applies the same log, so every node agrees on what is left. The leader
//! answers the region that asked.

use super::{Bug, Cmd, Federation, FederationConfig, Group, Msg, Note, Outcome};
use crate::protocols::multipaxos::{self as mp};
use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::NodeId;

use super::regional::Decided;

/// A draw in the global log: the spend, and the node that asked (node
/// numbers are below 64).
fn entry(op: u64, origin: NodeId) -> u64 {
    op * 64 + u64::from(origin)
}

/// The spend and the asking node of a global log entry.
pub fn decode(v: mp::Value) -> Option<(u64, NodeId)> {
    match v {
        mp::Value::Write(x) => Some((x / 64, (x % 64) as NodeId)),
        _ => None,
    }
}

impl Federation {
    /// A region's share is spent: ask the global group for a unit.
    pub(super) fn draw(&mut self, op: u64, ctx: &mut Ctx<'_, Self>) {
        if self.global.leading() {
            let e = entry(op, self.id);
            self.drive(Group::Global, ctx, |p, c| p.on_command(mp::Cmd::Request(e), c));
        } else if let Some(l) = self.global_leader {
            ctx.send(l, Msg::Draw { op });
        }
    }

    /// A draw reaching this node: the global leader logs it. (One that
    /// reaches a node no longer leading is lost, and its client waits.)
    pub(super) fn on_draw(&mut self, from: NodeId, op: u64, ctx: &mut Ctx<'_, Self>) {
        if self.global.leading() {
            let e = entry(op, from);
            self.drive(Group::Global, ctx, |p, c| p.on_command(mp::Cmd::Request(e), c));
        }
    }

    /// The global state machine: a draw is granted while the pool has a
    /// unit left (the policy's check), denied after.
    pub(super) fn apply_global(&mut self, v: mp::Value, cfg: &FederationConfig) -> Decided {
        if decode(v).is_none() {
            return Decided::Ends(Outcome::Denied);
        }
        if self.drawn < cfg.pool() || cfg.bug == Some(Bug::UncheckedGlobal) {
            self.drawn += 1;
            Decided::Ends(Outcome::Granted)
        } else {
            Decided::Ends(Outcome::Denied)
        }
    }

    /// The global leader applied a draw: answer the region that asked.
    pub(super) fn answer_global(&mut self, v: mp::Value, decided: Decided, ctx: &mut Ctx<'_, Self>) {
        let (Some((op, origin)), Decided::Ends(outcome)) = (decode(v), decided) else { return };
        let granted = outcome == Outcome::Granted;
        if origin == self.id {
            ctx.note(Note::Done { op: Cmd::Spend(op), region: self.region, outcome });
        } else {
            ctx.send(origin, Msg::Answer { op, granted });
        }
    }
}
