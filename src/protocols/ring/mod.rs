//! Chang and Roberts' ring election ("An improved algorithm for
//! decentralized extrema-finding in circular configurations of processes",
//! CACM 22(5), 1979).
//!
//! The nodes sit on a one-way ring (node `i` sends to node `i + 1`), each
//! with a distinct id. Every node starts at once and sends its id round the
//! ring. A node forwards an id larger than its own and swallows a smaller
//! one; the node whose own id comes back has the largest, and is elected.
//! It then sends the result round the ring once (the announcement). With
//! the ids in random order the election takes n·H(n) messages on average
//! (H(n) = 1 + 1/2 + ... + 1/n), n² in the worst order.

pub mod largest;
mod spec;

pub use spec::{RingCounts, RingFigures, RingObserver, RingSpec, MAX_NODES};

use crate::sim::protocol::{Ctx, NoCmd, Protocol};
use crate::sim::NodeId;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct RingConfig {
    /// The id of the node at each place on the ring.
    pub ids: Vec<u64>,
    /// When every node starts (µs after boot).
    pub start_us: u64,
    pub bug: Option<Bug>,
}

/// A deliberately broken variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// A node forwards the ids smaller than its own and swallows the
    /// larger: the smallest id is elected. Breaks Largest Elected.
    ForwardSmaller,
}

#[derive(Clone, Debug)]
pub struct Ring {
    place: NodeId,
    id: u64,
    leader: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// An id on its way round the ring.
    Election(u64),
    /// The elected id, sent round once.
    Elected(u64),
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Election(id) => write!(f, "Election {id}"),
            Msg::Elected(id) => write!(f, "Elected {id}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    Start,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("start")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// This node's id came back: it is elected.
    Won,
    /// This node learned who leads.
    Leader(u64),
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Won => f.write_str("elected"),
            Note::Leader(id) => write!(f, "leader is {id}"),
        }
    }
}

impl Ring {
    pub fn leader(&self) -> Option<u64> {
        self.leader
    }

    /// Its id (its place on the ring is its node number).
    pub fn id(&self) -> u64 {
        self.id
    }

    fn next(&self, ctx: &Ctx<'_, Self>) -> NodeId {
        (self.place + 1) % ctx.config().ids.len() as NodeId
    }
}

impl Protocol for Ring {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = NoCmd;
    type Note = Note;
    type Persistent = ();
    type Config = RingConfig;

    fn boot(place: NodeId, config: &RingConfig, _: Option<()>) -> Self {
        Ring { place, id: config.ids[place as usize], leader: None }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(Timer::Start, ctx.config().start_us);
    }

    fn on_timer(&mut self, _: Timer, ctx: &mut Ctx<'_, Self>) {
        let next = self.next(ctx);
        ctx.send(next, Msg::Election(self.id));
    }

    fn on_message(&mut self, _: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        let next = self.next(ctx);
        match msg {
            Msg::Election(id) if (id > self.id) != (ctx.config().bug == Some(Bug::ForwardSmaller)) && id != self.id => {
                ctx.send(next, Msg::Election(id))
            }
            Msg::Election(id) if id == self.id => {
                self.leader = Some(id);
                ctx.note(Note::Won);
                ctx.send(next, Msg::Elected(id));
            }
            Msg::Election(_) => {}
            Msg::Elected(id) if id == self.id => {}
            Msg::Elected(id) => {
                self.leader = Some(id);
                ctx.note(Note::Leader(id));
                ctx.send(next, Msg::Elected(id));
            }
        }
    }

    fn on_command(&mut self, cmd: NoCmd, _: &mut Ctx<'_, Self>) {
        match cmd {}
    }

    fn persistent(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::testkit::{Fx, Node};

    fn cfg() -> RingConfig {
        RingConfig { ids: vec![3, 7, 5], start_us: 1000, bug: None }
    }

    #[test]
    fn an_id_is_forwarded_if_larger_swallowed_if_smaller_and_wins_if_it_comes_back() {
        let mut n = Node::<Ring>::new(2, cfg());
        assert_eq!(n.timer(Timer::Start), vec![Fx::Send(0, Msg::Election(5))], "the ring wraps round");
        assert_eq!(n.msg(1, Msg::Election(7)), vec![Fx::Send(0, Msg::Election(7))]);
        assert_eq!(n.msg(1, Msg::Election(3)), vec![]);
        assert_eq!(n.msg(1, Msg::Election(5)), vec![Fx::Note(Note::Won), Fx::Send(0, Msg::Elected(5))]);
        assert_eq!(n.msg(1, Msg::Elected(5)), vec![], "its announcement has gone round");
        let mut m = Node::<Ring>::new(0, cfg());
        assert_eq!(m.msg(2, Msg::Elected(7)), vec![Fx::Note(Note::Leader(7)), Fx::Send(1, Msg::Elected(7))]);
        assert_eq!(m.node.leader(), Some(7));
    }
}
