//! Single-event tests for any protocol: one node, driven one message,
//! timer or command at a time through a [`Ctx`], with every effect it asks
//! for written out, so a test names the exact list (as etcd's
//! `raft_paper_test.go` and openraft's handler tests do). No simulator runs.

use super::protocol::{Ctx, Effect, Protocol};
use super::rng::Rng;
use super::{LocalTime, NodeId};
use std::fmt;

/// An effect, comparable, so that a test can name the exact list.
pub enum Fx<P: Protocol> {
    Send(NodeId, P::Msg),
    Set(P::Timer, u64),
    Cancel(P::Timer),
    Note(P::Note),
    /// The handler wrote its persistent state to stable storage.
    Persist,
}

impl<P: Protocol> Clone for Fx<P> {
    fn clone(&self) -> Self {
        match self {
            Fx::Send(to, m) => Fx::Send(*to, m.clone()),
            Fx::Set(t, after) => Fx::Set(*t, *after),
            Fx::Cancel(t) => Fx::Cancel(*t),
            Fx::Note(n) => Fx::Note(n.clone()),
            Fx::Persist => Fx::Persist,
        }
    }
}

impl<P: Protocol> PartialEq for Fx<P>
where
    P::Msg: PartialEq,
    P::Note: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Fx::Send(a, m), Fx::Send(b, n)) => a == b && m == n,
            (Fx::Set(t, a), Fx::Set(u, b)) => t == u && a == b,
            (Fx::Cancel(t), Fx::Cancel(u)) => t == u,
            (Fx::Note(a), Fx::Note(b)) => a == b,
            (Fx::Persist, Fx::Persist) => true,
            _ => false,
        }
    }
}

impl<P: Protocol> fmt::Debug for Fx<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fx::Send(to, m) => write!(f, "Send({to}, {m:?})"),
            Fx::Set(t, after) => write!(f, "Set({t:?}, {after})"),
            Fx::Cancel(t) => write!(f, "Cancel({t:?})"),
            Fx::Note(n) => write!(f, "Note({n:?})"),
            Fx::Persist => write!(f, "Persist"),
        }
    }
}

/// One node, its clock, its configuration and its random stream.
pub struct Node<P: Protocol> {
    pub node: P,
    /// The node's local clock, which a test moves by hand.
    pub now: LocalTime,
    pub cfg: P::Config,
    id: NodeId,
    rng: Rng,
}

impl<P: Protocol> Node<P> {
    /// Node `id`, booted fresh, with its start effects returned.
    pub fn start(id: NodeId, cfg: P::Config) -> (Self, Vec<Fx<P>>) {
        let node = P::boot(id, &cfg, None);
        let mut n = Node { node, now: 0, cfg, id, rng: Rng::new(1, u64::from(id)) };
        let fx = n.run(|p, ctx| p.on_start(ctx));
        (n, fx)
    }

    /// Node `id`, booted fresh and started (its start effects dropped).
    pub fn new(id: NodeId, cfg: P::Config) -> Self {
        Self::start(id, cfg).0
    }

    /// Runs one handler and returns what it asked for, in order.
    pub fn run(&mut self, f: impl FnOnce(&mut P, &mut Ctx<'_, P>)) -> Vec<Fx<P>> {
        let mut effects = Vec::new();
        let mut ctx = Ctx::new(self.id, self.now, &self.cfg, &mut self.rng, &mut effects);
        f(&mut self.node, &mut ctx);
        effects
            .into_iter()
            .map(|e| match e {
                Effect::Send { to, msg } => Fx::Send(to, msg),
                Effect::SetTimer { timer, after_us } => Fx::Set(timer, after_us),
                Effect::CancelTimer { timer } => Fx::Cancel(timer),
                Effect::Note(n) => Fx::Note(n),
                Effect::Persist => Fx::Persist,
            })
            .collect()
    }

    pub fn msg(&mut self, from: NodeId, msg: P::Msg) -> Vec<Fx<P>> {
        self.run(|p, ctx| p.on_message(from, msg, ctx))
    }

    pub fn timer(&mut self, t: P::Timer) -> Vec<Fx<P>> {
        self.run(|p, ctx| p.on_timer(t, ctx))
    }

    pub fn cmd(&mut self, c: P::Cmd) -> Vec<Fx<P>> {
        self.run(|p, ctx| p.on_command(c, ctx))
    }

    /// Moves the node's clock on by `us`.
    pub fn advance(&mut self, us: LocalTime) {
        self.now += us;
    }

    /// The node as it would boot after a crash: its persistent state only.
    pub fn restart(&mut self) -> Vec<Fx<P>> {
        let persisted = self.node.persistent();
        self.node = P::boot(self.id, &self.cfg, Some(persisted));
        self.run(|p, ctx| p.on_start(ctx))
    }
}

/// The messages among `fx`.
pub fn sends<P: Protocol>(fx: &[Fx<P>]) -> Vec<(NodeId, P::Msg)> {
    fx.iter().filter_map(|e| if let Fx::Send(to, m) = e { Some((*to, m.clone())) } else { None }).collect()
}

/// The notes among `fx`.
pub fn notes<P: Protocol>(fx: &[Fx<P>]) -> Vec<P::Note> {
    fx.iter().filter_map(|e| if let Fx::Note(n) = e { Some(n.clone()) } else { None }).collect()
}
