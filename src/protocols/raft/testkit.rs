//! Single-event tests: one server, driven one message, timer or command at
//! a time through a [`Ctx`], with every effect it asks for written out.
//! The rule files' tests use this; no simulator runs.

use super::*;
use crate::sim::protocol::Effect;
use crate::sim::rng::Rng;

/// An effect, comparable, so that a test can name the exact list.
#[derive(Clone, Debug, PartialEq)]
pub enum Fx {
    Send(NodeId, Msg),
    Set(Timer, u64),
    Cancel(Timer),
    Note(Note),
    /// The handler wrote its persistent state to stable storage.
    Persist,
}

/// A 3-server configuration with a fixed 150 ms election timeout (the draw
/// from `[min, max]` is then known) and 50 ms heartbeats.
pub fn cfg() -> RaftConfig {
    RaftConfig {
        nodes: 3,
        election_timeout_min_us: 150 * MS,
        election_timeout_max_us: 150 * MS,
        heartbeat_us: 50 * MS,
        ..RaftConfig::default()
    }
}

/// One server and its clock.
pub struct Server {
    pub raft: Raft,
    pub now: LocalTime,
    cfg: RaftConfig,
    rng: Rng,
}

impl Server {
    /// Server `id`, booted fresh and started (its start effects dropped).
    pub fn new(id: NodeId, cfg: RaftConfig) -> Self {
        let mut s = Server { raft: Raft::boot(id, &cfg, None), now: 0, cfg, rng: Rng::new(1, u64::from(id)) };
        s.run(|r, ctx| r.on_start(ctx));
        s
    }

    /// Server 0 as leader of term 1, elected by n1's vote, with its no-op
    /// (index 1) sent but not yet acknowledged.
    pub fn leader(cfg: RaftConfig) -> Self {
        let mut s = Server::new(0, cfg);
        s.timer(Timer::Election);
        s.msg(1, Msg::RequestVoteReply { term: 1, granted: true, prevote: false });
        assert_eq!(s.raft.role(), Role::Leader);
        s
    }

    fn run(&mut self, f: impl FnOnce(&mut Raft, &mut Ctx<'_, Raft>)) -> Vec<Fx> {
        let mut effects = Vec::new();
        let mut ctx = Ctx::new(self.raft.id(), self.now, &self.cfg, &mut self.rng, &mut effects);
        f(&mut self.raft, &mut ctx);
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

    pub fn msg(&mut self, from: NodeId, msg: Msg) -> Vec<Fx> {
        self.run(|r, ctx| r.on_message(from, msg, ctx))
    }

    pub fn timer(&mut self, t: Timer) -> Vec<Fx> {
        self.run(|r, ctx| r.on_timer(t, ctx))
    }

    pub fn cmd(&mut self, c: Cmd) -> Vec<Fx> {
        self.run(|r, ctx| r.on_command(c, ctx))
    }
}

/// The messages among `fx`.
pub fn sends(fx: &[Fx]) -> Vec<(NodeId, Msg)> {
    fx.iter().filter_map(|e| if let Fx::Send(to, m) = e { Some((*to, m.clone())) } else { None }).collect()
}

/// The notes among `fx`.
pub fn notes(fx: &[Fx]) -> Vec<Note> {
    fx.iter().filter_map(|e| if let Fx::Note(n) = e { Some(n.clone()) } else { None }).collect()
}

/// AppendEntries from leader 1 of `term`.
pub fn append(term: u64, prev: (u64, u64), entries: Vec<Entry>, commit: u64) -> Msg {
    Msg::AppendEntries {
        term,
        leader: 1,
        prev_log_index: prev.0,
        prev_log_term: prev.1,
        entries,
        leader_commit: commit,
        round: 1,
    }
}

/// An entry of `term` carrying client command `id`.
pub fn entry(term: u64, id: u64) -> Entry {
    Entry { term, payload: Payload::Client(id) }
}
