//! The distinguished leader (Lamport, "Paxos Made Simple", 2001, §3).
//!
//! A node that hears no leader for an election timeout picks a ballot above
//! every one it has seen and runs phase 1 once, for every slot it has not
//! learned. With promises from a phase-1 quorum it leads: in each slot a
//! promise reported, it proposes the value with the highest ballot, and a
//! no-op in each gap below them (§3: "the leader ... fills the gaps with
//! no-op commands"); each client command then goes into the next free slot
//! with phase 2 alone. A slot is chosen when a phase-2 quorum accepts it.
//! Heartbeats carry how far the log is chosen, re-send proposals that are
//! still open, and let a follower that is behind ask for what it missed.

use super::{Accepted, Bug, Cmd, Msg, MultiPaxos, Note, Role, Timer, Value};
use crate::protocols::paxos::quorums::Flexible;
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

/// The most slots one heartbeat re-sends, or one Learn carries.
const BATCH: u64 = 32;

impl MultiPaxos {
    /// The election timer: the timeout plus a random part as long again,
    /// so that two followers rarely start at once.
    pub(super) fn arm_election(&mut self, ctx: &mut Ctx<'_, Self>) {
        let t = ctx.config().election_us;
        let wait = t + ctx.rng().below(t.max(1));
        ctx.set_timer(Timer::Election, wait);
    }

    pub(super) fn on_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.leading() {
            return;
        }
        if std::mem::take(&mut self.heard) {
            self.arm_election(ctx);
            return;
        }
        self.prepare(ctx);
    }

    /// Phase 1a: a ballot of this node's own above every one seen (ballots
    /// are `round · n + id`), for every slot from the first it has not
    /// learned.
    fn prepare(&mut self, ctx: &mut Ctx<'_, Self>) {
        let n = u64::from(ctx.config().nodes);
        let round = self.seen.max(self.ballot).max(self.promised) / n + 1;
        self.ballot = round * n + u64::from(self.id);
        self.seen = self.ballot;
        let from = self.chosen;
        self.role = Role::Preparing { promises: 0, from, reported: Vec::new() };
        ctx.note(Note::Ballot { ballot: self.ballot });
        for to in 0..ctx.config().nodes {
            ctx.send(to, Msg::Prepare { ballot: self.ballot, from });
        }
        self.arm_election(ctx);
    }

    /// Phase 1b arriving: with a phase-1 quorum of promises, lead.
    pub(super) fn on_promise(
        &mut self,
        from: NodeId,
        ballot: u64,
        accepted: Vec<(u64, Accepted)>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let Role::Preparing { promises, reported, from: first } = &mut self.role else { return };
        if ballot != self.ballot {
            return;
        }
        *promises |= 1 << from;
        for (slot, (b, v)) in accepted {
            let Some(i) = slot.checked_sub(*first).map(|i| i as usize) else { continue };
            if reported.len() <= i {
                reported.resize(i + 1, None);
            }
            if reported[i].is_none_or(|(h, _)| b > h) {
                reported[i] = Some((b, v));
            }
        }
        if promises.count_ones() >= ctx.config().phase1_quorum() {
            self.lead(ctx);
        }
    }

    /// Phase 2a for the slots phase 1 found: the reported values, and
    /// no-ops in the gaps.
    fn lead(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Role::Preparing { from, reported, .. } = std::mem::replace(&mut self.role, Role::Follower) else { return };
        let ignore = ctx.config().bug == Some(Bug::IgnoreAccepted);
        let end = if ignore { from } else { from + reported.len() as u64 };
        self.role = Role::Leading { next: end, open: Vec::new() };
        ctx.note(Note::Elected { ballot: self.ballot });
        ctx.cancel_timer(Timer::Election);
        for slot in from..end {
            if self.learned.get(slot as usize).copied().flatten().is_none() {
                let value = reported[(slot - from) as usize].map_or(Value::Noop, |(_, v)| v);
                self.propose(slot, value, ctx);
            }
        }
        self.on_heartbeat_timer(ctx);
    }

    /// Phase 2a: `value` in `slot`, to every acceptor.
    fn propose(&mut self, slot: u64, value: Value, ctx: &mut Ctx<'_, Self>) {
        let Role::Leading { open, .. } = &mut self.role else { return };
        open.push((slot, value, 0));
        let (ballot, commit) = (self.ballot, self.chosen);
        for to in 0..ctx.config().nodes {
            ctx.send(to, Msg::Accept { ballot, slot, value, commit });
        }
    }

    /// A client's command: a leader puts it in the next free slot (a read
    /// too, so that only a leader whose ballot still stands answers it);
    /// any other node turns it away.
    pub(super) fn on_client(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        let value = match cmd {
            Cmd::Request(id) => Value::Write(id),
            Cmd::Read(id) => Value::Read(id),
        };
        let Role::Leading { next, .. } = &mut self.role else {
            ctx.note(Note::Refused { value });
            return;
        };
        if matches!(value, Value::Read(_)) && ctx.config().bug == Some(Bug::LocalReads) {
            ctx.note(Note::Replied { value, writes: self.writes });
            return;
        }
        let slot = *next;
        *next += 1;
        self.owed.push(value);
        self.propose(slot, value, ctx);
    }

    /// Phase 2b arriving: with a phase-2 quorum the slot is chosen.
    pub(super) fn on_accepted(&mut self, from: NodeId, ballot: u64, slot: u64, ctx: &mut Ctx<'_, Self>) {
        let Role::Leading { open, .. } = &mut self.role else { return };
        if ballot != self.ballot {
            return;
        }
        let Ok(i) = open.binary_search_by_key(&slot, |o| o.0) else { return };
        let (_, value, accepts) = &mut open[i];
        *accepts |= 1 << from;
        if accepts.count_ones() >= ctx.config().phase2_quorum() {
            let value = *value;
            open.remove(i);
            self.learn(slot, value, ctx);
        }
    }

    /// The leader's heartbeat: how far the log is chosen, and the open
    /// proposals again (a lost Accept would otherwise stall its slot).
    pub(super) fn on_heartbeat_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Role::Leading { open, .. } = &self.role else { return };
        let (ballot, commit) = (self.ballot, self.chosen);
        let resend: Vec<(u64, Value)> = open.iter().take(BATCH as usize).map(|&(s, v, _)| (s, v)).collect();
        for to in 0..ctx.config().nodes {
            if to == self.id {
                continue;
            }
            ctx.send(to, Msg::Heartbeat { ballot, commit });
            for &(slot, value) in &resend {
                ctx.send(to, Msg::Accept { ballot, slot, value, commit });
            }
        }
        ctx.set_timer(Timer::Heartbeat, ctx.config().heartbeat_us);
    }

    /// A follower has learned only `have` slots: send it the chosen ones
    /// it lacks.
    pub(super) fn on_behind(&mut self, from: NodeId, ballot: u64, have: u64, ctx: &mut Ctx<'_, Self>) {
        if ballot != self.ballot || !self.leading() {
            return;
        }
        let entries: Vec<(u64, Value)> = (have..self.chosen.min(have + BATCH))
            .filter_map(|s| self.learned.get(s as usize).copied().flatten().map(|v| (s, v)))
            .collect();
        if !entries.is_empty() {
            ctx.send(from, Msg::Learn { entries });
        }
    }

    /// A refusal: an acceptor promised a higher ballot, so this one is
    /// over.
    pub(super) fn on_nack(&mut self, ballot: u64, promised: u64, ctx: &mut Ctx<'_, Self>) {
        self.seen = self.seen.max(promised);
        if ballot == self.ballot {
            self.step_down(ctx);
        }
    }

    /// Back to following: a higher ballot is about.
    pub(super) fn step_down(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role == Role::Follower {
            return;
        }
        if self.leading() {
            ctx.cancel_timer(Timer::Heartbeat);
        }
        self.role = Role::Follower;
        self.heard = true;
        self.arm_election(ctx);
    }
}
