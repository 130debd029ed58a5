//! The board view's model: one run per protocol the registry draws with
//! a board ([`crate::protocols::registry::View::Board`]), the one showing,
//! and the routing of a scenario to the run of its protocol.
//!
//! The list of runs is made from the registry's board lines
//! ([`each_board`]): a protocol with a [`Board`] (here, one file
//! each) and a registry line is in this view, its links, its autosave and
//! compare mode, with nothing else to change.

mod bully;
mod federation;
mod fencing;
mod multipaxos;
mod paxos;
mod ring;

pub use bully::seen as bully_seen;
pub use federation::seen as federation_seen;
pub use fencing::seen as fencing_seen;
pub use multipaxos::seen as multipaxos_seen;
pub use paxos::seen as paxos_seen;
pub use ring::seen as ring_seen;

use super::playground::{Board, Gesture, Playground};
use crate::protocols::registry::{each_board, ProtocolKind};
use crate::scenario::{presets, Scenario};
use crate::sim::Time;

/// The event log's kinds on a board: the engine's, with what the
/// protocol's notes are called.
const fn log_kinds(notes: &'static str) -> [(&'static str, &'static str); 7] {
    [
        ("send", "sends"),
        ("deliver", "deliveries"),
        ("drop", "drops"),
        ("dup", "duplicates"),
        ("timer", "timers"),
        ("note", notes),
        ("fault", "faults"),
    ]
}

/// What every run in the board view answers, whatever its protocol.
pub trait Run {
    fn apply(&mut self, g: Gesture);
    fn scenario(&self) -> &Scenario;
    fn now(&self) -> Time;
    fn end(&self) -> Time;
    fn playing(&self) -> bool;
    fn set_playing(&mut self, on: bool);
    fn autosave(&self) -> String;
    fn error(&self) -> Option<&String>;
    fn violations(&self) -> usize;
    /// Messages sent, delivered and dropped so far.
    fn messages(&self) -> [u64; 3];
    /// The protocol's own figures so far, as `splitbrain run` prints them.
    fn describe(&self) -> Vec<(String, String)>;
    /// Its figures by name, for compare mode ([`Board::figures`]).
    fn figures(&self) -> Vec<(&'static str, f64)>;
}

impl<P: Board> Run for Playground<P> {
    fn apply(&mut self, g: Gesture) {
        Playground::apply(self, g)
    }
    fn scenario(&self) -> &Scenario {
        Playground::scenario(self)
    }
    fn now(&self) -> Time {
        Playground::now(self)
    }
    fn end(&self) -> Time {
        Playground::end(self)
    }
    fn playing(&self) -> bool {
        self.playing
    }
    fn set_playing(&mut self, on: bool) {
        self.playing = on;
    }
    fn autosave(&self) -> String {
        Playground::autosave(self)
    }
    fn error(&self) -> Option<&String> {
        self.error.as_ref()
    }
    fn violations(&self) -> usize {
        Playground::violations(self).len()
    }
    fn messages(&self) -> [u64; 3] {
        let m = self.metrics();
        [m.messages_sent, m.messages_delivered, m.messages_dropped]
    }
    fn describe(&self) -> Vec<(String, String)> {
        use crate::contract::Observer;
        let (o, sim) = (self.observed(), self.sim());
        let mut samples = Default::default();
        o.sample(sim, &mut samples);
        let pooled = <P::Observer as Observer<P>>::pool(&samples);
        <P::Observer as Observer<P>>::describe(&o.counts(sim), &pooled, Some(&o.figures(sim)))
    }
    fn figures(&self) -> Vec<(&'static str, f64)> {
        P::figures(self)
    }
}

macro_rules! any_board {
    ($($kind:ident: $node:ty,)*) => {
        /// One run of a protocol the board view draws.
        pub enum AnyBoard {
            $( $kind(Box<Playground<$node>>), )*
        }

        impl AnyBoard {
            /// A run of `kind` on its default scenario, if the board view
            /// draws it.
            pub fn open(kind: ProtocolKind) -> Option<AnyBoard> {
                match kind {
                    $( ProtocolKind::$kind => Some(AnyBoard::$kind(Box::default())), )*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            pub fn kind(&self) -> ProtocolKind {
                match self { $( AnyBoard::$kind(_) => ProtocolKind::$kind, )* }
            }

            pub fn run(&self) -> &dyn Run {
                match self { $( AnyBoard::$kind(p) => &**p, )* }
            }

            pub fn run_mut(&mut self) -> &mut dyn Run {
                match self { $( AnyBoard::$kind(p) => &mut **p, )* }
            }
        }

        /// Every protocol the board view draws, in the registry's order.
        pub const KINDS: &[ProtocolKind] = &[$( ProtocolKind::$kind ),*];
    };
}

each_board!(any_board);

/// The board view: a run for each protocol opened so far, and which shows.
pub struct Boards {
    runs: Vec<AnyBoard>,
    shown: usize,
}

impl Default for Boards {
    fn default() -> Self {
        Boards::new()
    }
}

impl Boards {
    /// The view on its first protocol's default scenario.
    pub fn new() -> Self {
        let first = AnyBoard::open(KINDS[0]).expect("the registry lists at least one board");
        Boards { runs: vec![first], shown: 0 }
    }

    pub fn shown(&self) -> &AnyBoard {
        &self.runs[self.shown]
    }

    pub fn run(&self) -> &dyn Run {
        self.shown().run()
    }

    pub fn kind(&self) -> ProtocolKind {
        self.shown().kind()
    }

    /// Shows `kind`'s run (opening it on its default scenario the first
    /// time); false if the board view does not draw `kind`.
    pub fn show(&mut self, kind: ProtocolKind) -> bool {
        if let Some(i) = self.runs.iter().position(|r| r.kind() == kind) {
            self.shown = i;
            return true;
        }
        let Some(run) = AnyBoard::open(kind) else { return false };
        let playing = self.run().playing();
        self.runs.push(run);
        self.shown = self.runs.len() - 1;
        self.runs[self.shown].run_mut().set_playing(playing);
        true
    }

    /// Applies a gesture to the run showing; a scenario of another
    /// protocol of this view (a preset, a link, a file, an autosave) goes
    /// to that protocol's run, which then shows.
    pub fn apply(&mut self, g: Gesture) {
        if let Gesture::Protocol(kind) = g {
            self.show(kind);
            return;
        }
        if let Some(kind) = wanted(&g).filter(|k| *k != self.kind()) {
            // A protocol of another view falls through to the run showing,
            // which refuses it with a message and keeps its run.
            self.show(kind);
        }
        self.runs[self.shown].run_mut().apply(g)
    }
}

/// The protocol a gesture's scenario is written for, if it carries one.
fn wanted(g: &Gesture) -> Option<ProtocolKind> {
    match g {
        Gesture::Load { scenario, .. } => Some(scenario.protocol.kind()),
        Gesture::LoadPreset(id) => presets::find(id).map(|p| p.protocol()),
        Gesture::Import(text) | Gesture::Restore(text) => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            let s = v.get("scenario").unwrap_or(&v);
            s.get("protocol")?.as_object()?.keys().next().and_then(|k| ProtocolKind::from_name(k))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
