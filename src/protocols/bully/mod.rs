//! The bully algorithm (Garcia-Molina, "Elections in a Distributed
//! Computing System", IEEE Transactions on Computers C-31(1), 1982).
//!
//! A node that notices the coordinator has failed holds an election: it
//! sends Election to every node with a higher id. A live node that gets
//! one answers Ok (it will take over) and holds its own election, once. A
//! node that hears no Ok within the timeout has the highest id alive: it
//! becomes the coordinator and tells every lower node (the announcement).
//! When the highest node has crashed and the lowest notices, every live
//! node holds an election: (n − 1)² messages, n² in order.

pub mod one_coordinator;
mod spec;

pub use spec::{BullySpec, ElectionCounts, ElectionFigures, ElectionObserver, MAX_NODES};

use crate::sim::protocol::{Ctx, NoCmd, Protocol};
use crate::sim::NodeId;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct BullyConfig {
    pub nodes: u32,
    /// The node that notices the coordinator has gone, and when (µs).
    pub detector: NodeId,
    pub detect_us: u64,
    /// How long a node waits for an Ok before it takes over.
    pub timeout_us: u64,
    pub bug: Option<Bug>,
}

/// A deliberately broken variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// A node that gets an Election holds its own but never answers Ok, so
    /// the lower node takes over too. Breaks One Coordinator.
    NoOk,
}

#[derive(Clone, Debug)]
pub struct Bully {
    id: NodeId,
    electing: bool,
    answered: bool,
    coordinator: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Election,
    /// "I am alive and higher: I take over."
    Ok,
    /// The new coordinator's announcement.
    Coordinator,
}

impl Msg {
    pub fn label(&self) -> &'static str {
        match self {
            Msg::Election => "Election",
            Msg::Ok => "Ok",
            Msg::Coordinator => "Coordinator",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Msg::Election => "Election",
            Msg::Ok => "Ok",
            Msg::Coordinator => "Coordinator",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// The detector notices the coordinator is gone.
    Detect,
    /// No Ok came: take over.
    NoAnswer,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::Detect => "detect",
            Timer::NoAnswer => "no answer",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// This node holds an election.
    Elects,
    /// This node takes over as coordinator.
    Won,
    /// This node learned who coordinates.
    Coordinator(NodeId),
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Elects => f.write_str("holds an election"),
            Note::Won => f.write_str("takes over"),
            Note::Coordinator(c) => write!(f, "coordinator is n{c}"),
        }
    }
}

impl Bully {
    pub fn coordinator(&self) -> Option<NodeId> {
        self.coordinator
    }

    /// Whether it is holding an election.
    pub fn electing(&self) -> bool {
        self.electing && self.coordinator.is_none()
    }

    fn elect(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.electing {
            return;
        }
        self.electing = true;
        ctx.note(Note::Elects);
        for higher in self.id + 1..ctx.config().nodes {
            ctx.send(higher, Msg::Election);
        }
        ctx.set_timer(Timer::NoAnswer, ctx.config().timeout_us);
    }
}

impl Protocol for Bully {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = NoCmd;
    type Note = Note;
    type Persistent = ();
    type Config = BullyConfig;

    fn boot(id: NodeId, _: &BullyConfig, _: Option<()>) -> Self {
        Bully { id, electing: false, answered: false, coordinator: None }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.id == ctx.config().detector {
            ctx.set_timer(Timer::Detect, ctx.config().detect_us);
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            Timer::Detect => self.elect(ctx),
            Timer::NoAnswer if !self.answered => {
                self.coordinator = Some(self.id);
                ctx.note(Note::Won);
                for lower in 0..self.id {
                    ctx.send(lower, Msg::Coordinator);
                }
            }
            Timer::NoAnswer => {}
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            Msg::Election => {
                if ctx.config().bug != Some(Bug::NoOk) {
                    ctx.send(from, Msg::Ok);
                }
                self.elect(ctx);
            }
            Msg::Ok => {
                self.answered = true;
                ctx.cancel_timer(Timer::NoAnswer);
            }
            Msg::Coordinator => {
                self.coordinator = Some(from);
                ctx.note(Note::Coordinator(from));
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

    fn cfg() -> BullyConfig {
        BullyConfig { nodes: 4, detector: 0, detect_us: 1000, timeout_us: 50_000, bug: None }
    }

    #[test]
    fn an_election_asks_every_higher_node_and_an_answer_stops_the_take_over() {
        let mut n = Node::<Bully>::new(1, cfg());
        assert_eq!(
            n.msg(0, Msg::Election),
            vec![
                Fx::Send(0, Msg::Ok),
                Fx::Note(Note::Elects),
                Fx::Send(2, Msg::Election),
                Fx::Send(3, Msg::Election),
                Fx::Set(Timer::NoAnswer, 50_000)
            ]
        );
        assert_eq!(n.msg(0, Msg::Election), vec![Fx::Send(0, Msg::Ok)], "one election per node");
        assert_eq!(n.msg(2, Msg::Ok), vec![Fx::Cancel(Timer::NoAnswer)]);
        assert_eq!(n.timer(Timer::NoAnswer), vec![]);
    }

    #[test]
    fn with_no_answer_a_node_takes_over_and_tells_the_lower_ones() {
        let mut n = Node::<Bully>::new(2, cfg());
        n.msg(0, Msg::Election);
        assert_eq!(
            n.timer(Timer::NoAnswer),
            vec![Fx::Note(Note::Won), Fx::Send(0, Msg::Coordinator), Fx::Send(1, Msg::Coordinator)]
        );
        assert_eq!(n.node.coordinator(), Some(2));
    }
}
