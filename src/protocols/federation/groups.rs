//! Hosting the groups: each node runs its region's Multi-Paxos and the
//! global group's side by side. A group's engine is the one of
//! `protocols::multipaxos`, unchanged: it runs on a context of its own,
//! with its group's configuration and its node numbered within the group,
//! and what it does comes back out as the node's own messages, timers and
//! notes, tagged with the group. Its notes are where the federation acts:
//! an entry applied runs the region's or the global state machine, and
//! the answer that follows tells the client.

use super::{Federation, FederationConfig, Group, Msg, Note, Timer};
use crate::protocols::multipaxos::{self as mp, MultiPaxos, MultiPaxosConfig};
use crate::sim::protocol::{Ctx, Effect, Protocol};
use crate::sim::NodeId;

/// The global group's configuration as a node of `region` runs it.
pub(super) fn global_config(cfg: &FederationConfig, region: usize) -> &MultiPaxosConfig {
    if region == cfg.leader_region {
        &cfg.global_near
    } else {
        &cfg.global_far
    }
}

impl Federation {
    /// The group's first node: its members are the nodes from there on.
    fn start(&self, g: Group, cfg: &FederationConfig) -> NodeId {
        match g {
            Group::Region => cfg.regions[self.region()].0,
            Group::Global => 0,
        }
    }

    /// Runs one event of group `g`'s engine, and carries out what it did.
    pub(super) fn drive(
        &mut self,
        g: Group,
        ctx: &mut Ctx<'_, Self>,
        event: impl FnOnce(&mut MultiPaxos, &mut Ctx<'_, MultiPaxos>),
    ) {
        let cfg = ctx.config();
        let start = self.start(g, cfg);
        let group_cfg = match g {
            Group::Region => &cfg.region_groups[self.region()],
            Group::Global => global_config(cfg, self.region()),
        };
        let mut effects = Vec::new();
        let now = ctx.now();
        let engine = match g {
            Group::Region => &mut self.local,
            Group::Global => &mut self.global,
        };
        event(engine, &mut Ctx::new(self.id - start, now, group_cfg, ctx.rng(), &mut effects));
        self.carry_out(g, start, effects, ctx);
    }

    /// What a group's engine did, as this node's own effects (one copy of
    /// this for every event [`Federation::drive`] runs).
    #[inline(never)]
    fn carry_out(&mut self, g: Group, start: NodeId, effects: Vec<Effect<MultiPaxos>>, ctx: &mut Ctx<'_, Self>) {
        for e in effects {
            match e {
                Effect::Send { to, msg } => ctx.send(start + to, wrap(g, msg)),
                Effect::SetTimer { timer, after_us } => ctx.set_timer(Timer(g, timer), after_us),
                Effect::CancelTimer { timer } => ctx.cancel_timer(Timer(g, timer)),
                Effect::Persist => ctx.persist(),
                Effect::Note(n) => self.on_group_note(g, n, ctx),
            }
        }
    }

    /// A group's message: it also says who acts as that group's leader.
    pub(super) fn deliver(&mut self, g: Group, from: NodeId, m: mp::Msg, ctx: &mut Ctx<'_, Self>) {
        let Some(inner) = from.checked_sub(self.start(g, ctx.config())) else { return };
        if matches!(m, mp::Msg::Heartbeat { .. } | mp::Msg::Accept { .. }) {
            match g {
                Group::Region => self.region_leader = Some(from),
                Group::Global => {
                    self.global_leader = Some(from);
                    self.global_heard = Some(ctx.now());
                }
            }
        }
        self.drive(g, ctx, |p, c| p.on_message(inner, m, c));
    }

    /// A group's note: into the trace, and an applied entry into its
    /// state machine.
    fn on_group_note(&mut self, g: Group, n: mp::Note, ctx: &mut Ctx<'_, Self>) {
        match (g, &n) {
            (Group::Region, mp::Note::Applied { slot, value }) => {
                self.applied = Some((*value, self.apply_region(*slot, *value, ctx.config())));
            }
            (Group::Global, mp::Note::Applied { value, .. }) => {
                self.applied = Some((*value, self.apply_global(*value, ctx.config())));
            }
            _ => {}
        }
        let answered = match n {
            mp::Note::Replied { value, .. } => self.applied.take().filter(|(v, _)| *v == value),
            _ => None,
        };
        ctx.note(match g {
            Group::Region => Note::Region(n),
            Group::Global => Note::Global(n),
        });
        if let Some((value, decided)) = answered {
            match g {
                Group::Region => self.answer_region(value, decided, ctx),
                Group::Global => self.answer_global(value, decided, ctx),
            }
        }
    }
}

fn wrap(g: Group, m: mp::Msg) -> Msg {
    match g {
        Group::Region => Msg::Region(m),
        Group::Global => Msg::Global(m),
    }
}
