//! The space-time diagram's model: one lane per node, time running to the
//! right and ending now; each message an arrow from its send to its
//! delivery, or to where it was dropped; each lane coloured by the node's
//! state (a role and term, "knows the rumor") and banded where the node was
//! down or paused; the other faults as ticks across every lane.
//!
//! It is built from the same events as the event log (the trace, law 4),
//! so it holds what the log's tail held: after a seek, the last
//! [`REPLAY_LOG_US`] of the run, and where a frame brought more routine
//! traffic than the tail keeps, the diagram starts again after the gap and
//! says so ([`Diagram::since`]). It keeps the widest window's worth and
//! draws only the window's part of it.

use crate::contract::LaneNote;
use crate::scenario::travel::REPLAY_LOG_US;
use crate::scenario::{Hop, Logged, NodeChange};
use crate::sim::trace::MsgId;
use crate::sim::{NodeId, Time};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::Rc;

/// The windows a person can choose (µs of simulated time).
pub const SPANS_US: [Time; 5] = [200_000, 500_000, 1_000_000, 2_000_000, REPLAY_LOG_US];
/// The window a diagram opens with.
pub const DEFAULT_SPAN_US: Time = 1_000_000;
/// The most arrows one frame draws; past it, the window shows the newest
/// and says how many it left out.
pub const MAX_DRAWN: usize = 600;
/// The most arrows kept, however busy the run.
const KEEP_ARROWS: usize = 20_000;
/// The most lane notes and faults kept.
const KEEP_NOTES: usize = 4_000;

/// How a message ended, so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Still on the wire (or waiting for a paused node).
    Flying,
    Delivered(Time),
    /// Dropped at this instant, for this reason.
    Dropped(Time, &'static str),
}

/// One copy of one message.
#[derive(Clone, Debug)]
pub struct Arrow {
    pub from: NodeId,
    pub to: NodeId,
    pub sent: Time,
    /// When the network meant to deliver it.
    pub due: Time,
    pub fate: Fate,
    pub kind: &'static str,
    /// The network's second copy.
    pub dup: bool,
    /// The send event (its text is the message's contents).
    pub send: Logged,
}

impl Arrow {
    /// Where the arrow ends: its delivery or drop, or `now` while it flies.
    pub fn end(&self, now: Time) -> Time {
        match self.fate {
            Fate::Flying => now.max(self.sent),
            Fate::Delivered(t) | Fate::Dropped(t, _) => t,
        }
    }

    /// What a hover shows: the message, its route and its fate.
    pub fn describe(&self) -> String {
        let text = self.send.text();
        let body = text.split_once(' ').map_or(text, |(_, rest)| rest);
        let body = body.rsplit_once(" @").map_or(body, |(b, _)| b);
        let fate = match self.fate {
            Fate::Flying => "in flight".to_string(),
            Fate::Delivered(t) => format!("delivered after {}", span_text(t - self.sent)),
            Fate::Dropped(t, why) => format!("dropped after {} ({why})", span_text(t - self.sent)),
        };
        format!("{body}{}, {fate}", if self.dup { " (duplicate)" } else { "" })
    }
}

/// A duration as people read it: µs, ms or s.
pub fn span_text(us: Time) -> String {
    match us {
        0..1_000 => format!("{us} µs"),
        1_000..1_000_000 => format!("{:.1} ms", us as f64 / 1e3),
        _ => format!("{:.2} s", us as f64 / 1e6),
    }
}

/// A node's state from `time` on, or a moment on its lane.
#[derive(Clone, Debug)]
pub struct LaneMark {
    pub time: Time,
    pub node: NodeId,
    pub note: Rc<LaneNote>,
}

/// A stretch in which a node was crashed or paused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Down {
    pub node: NodeId,
    pub from: Time,
    /// `None`: still down.
    pub until: Option<Time>,
    pub paused: bool,
}

/// What a person does to the diagram.
#[derive(Clone, Debug, PartialEq)]
pub enum DiagramGesture {
    Toggle,
    /// The window's width (µs).
    Span(Time),
    /// Hides or shows a message kind.
    ToggleKind(&'static str),
    /// The pointer at (x, y) px on a plot `width` px wide (it hovers the
    /// arrow under it), or off the plot.
    Point {
        x: f64,
        y: f64,
        width: f64,
    },
    Leave,
}

pub struct Diagram {
    pub open: bool,
    pub span_us: Time,
    /// Message kinds hidden.
    pub hidden: Vec<&'static str>,
    /// The arrow under the pointer.
    pub hovered: Option<u64>,
    /// The kinds seen so far, in the order first seen (the filter's chips).
    kinds: Vec<&'static str>,
    arrows: VecDeque<Arrow>,
    /// The sequence number of `arrows[0]`.
    first: u64,
    /// Copies on the wire: (message, copy) to sequence number.
    flying: HashMap<(MsgId, bool), u64>,
    notes: VecDeque<LaneMark>,
    /// Each node's last state note before the oldest kept.
    base: BTreeMap<NodeId, Rc<LaneNote>>,
    downs: Vec<Down>,
    /// Faults other than crashes and pauses (a cut, a partition, a skew).
    faults: VecDeque<Logged>,
    since: Time,
}

impl Default for Diagram {
    fn default() -> Self {
        Diagram {
            open: false,
            span_us: DEFAULT_SPAN_US,
            hidden: Vec::new(),
            hovered: None,
            kinds: Vec::new(),
            arrows: VecDeque::new(),
            first: 0,
            flying: HashMap::new(),
            notes: VecDeque::new(),
            base: BTreeMap::new(),
            downs: Vec::new(),
            faults: VecDeque::new(),
            since: 0,
        }
    }
}

impl Diagram {
    /// `now` and `lanes` are what the page shows: where the pointer is.
    pub fn apply(&mut self, g: DiagramGesture, now: Time, lanes: &Lanes) {
        match g {
            DiagramGesture::Toggle => self.open = !self.open,
            DiagramGesture::Span(s) => self.span_us = s.clamp(SPANS_US[0], REPLAY_LOG_US),
            DiagramGesture::ToggleKind(k) => match self.hidden.iter().position(|h| *h == k) {
                Some(i) => {
                    self.hidden.remove(i);
                }
                None => self.hidden.push(k),
            },
            DiagramGesture::Point { x, y, width } => self.hovered = self.hit(now, lanes, width, x, y),
            DiagramGesture::Leave => self.hovered = None,
        }
    }

    /// Forgets what was recorded (a seek, a new run); what is recorded next
    /// starts at `since`. The settings stay.
    pub fn reset(&mut self, since: Time) {
        let keep = Diagram {
            open: self.open,
            span_us: self.span_us,
            hidden: std::mem::take(&mut self.hidden),
            ..Default::default()
        };
        *self = Diagram { kinds: std::mem::take(&mut self.kinds), ..keep };
        self.since = since;
    }

    /// The instant before which this diagram knows no messages.
    pub fn since(&self) -> Time {
        self.since
    }

    /// The message kinds seen, for the filter.
    pub fn kinds(&self) -> &[&'static str] {
        &self.kinds
    }

    /// Takes a batch of events, in trace order. `cap` is how many routine
    /// events the log's tail keeps: a batch that brought that many may have
    /// lost older ones, so the diagram starts again at the batch's first.
    pub fn record(&mut self, events: &[Logged], cap: usize, now: Time) {
        if events.iter().filter(|l| l.chatty()).count() >= cap {
            // The rarer events come whole (the tail keeps them apart);
            // only the messages before this batch's first may be missing.
            self.since = events.iter().find(|l| l.chatty()).map_or(now, |l| l.time);
            self.arrows.clear();
            self.flying.clear();
            self.first = 0;
        }
        for l in events {
            self.take(l);
        }
        self.prune(now);
    }

    fn take(&mut self, l: &Logged) {
        if let Some(w) = l.wire {
            match w.hop {
                Hop::Send | Hop::Dup => {
                    let dup = w.hop == Hop::Dup;
                    let (kind, send) = match dup {
                        false => (w.kind, l.clone()),
                        true => match self.flying.get(&(w.id, false)).and_then(|s| self.get(*s)) {
                            Some(a) => (a.kind, a.send.clone()),
                            None => return,
                        },
                    };
                    if !self.kinds.contains(&kind) {
                        self.kinds.push(kind);
                    }
                    let seq = self.first + self.arrows.len() as u64;
                    self.flying.insert((w.id, dup), seq);
                    let arrow =
                        Arrow { from: w.from, to: w.to, sent: l.time, due: w.due, fate: Fate::Flying, kind, dup, send };
                    self.arrows.push_back(arrow);
                }
                Hop::Deliver | Hop::Drop(_) => {
                    // The copy due now, else either.
                    let due_now = |d: &Diagram, dup| {
                        d.flying.get(&(w.id, dup)).and_then(|s| d.get(*s)).is_some_and(|a| a.due == l.time)
                    };
                    let dup = due_now(self, true) && !due_now(self, false);
                    let key = if self.flying.contains_key(&(w.id, dup)) { (w.id, dup) } else { (w.id, !dup) };
                    let Some(seq) = self.flying.remove(&key) else { return };
                    let first = self.first;
                    if let Some(a) = self.arrows.get_mut((seq - first) as usize) {
                        a.fate = match w.hop {
                            Hop::Drop(why) => Fate::Dropped(l.time, why),
                            _ => Fate::Delivered(l.time),
                        };
                    }
                }
            }
        } else if let Some((node, note)) = &l.lane {
            self.notes.push_back(LaneMark { time: l.time, node: *node, note: note.clone() });
        } else if let Some((node, change)) = l.status {
            match change {
                NodeChange::Crash | NodeChange::Pause => {
                    self.downs.push(Down { node, from: l.time, until: None, paused: change == NodeChange::Pause })
                }
                NodeChange::Restart | NodeChange::Resume => {
                    if let Some(d) = self.downs.iter_mut().rev().find(|d| d.node == node && d.until.is_none()) {
                        d.until = Some(l.time);
                    }
                }
            }
        } else if l.kind == "fault" {
            self.faults.push_back(l.clone());
        }
    }

    fn get(&self, seq: u64) -> Option<&Arrow> {
        seq.checked_sub(self.first).and_then(|i| self.arrows.get(i as usize))
    }

    /// Drops what is older than the widest window.
    fn prune(&mut self, now: Time) {
        let horizon = now.saturating_sub(REPLAY_LOG_US);
        while let Some(a) = self.arrows.front() {
            let old = a.fate != Fate::Flying && a.end(now) < horizon;
            if !(old || self.arrows.len() > KEEP_ARROWS) {
                break;
            }
            self.flying.remove(&(a.send.wire.map_or(0, |w| w.id), a.dup));
            self.arrows.pop_front();
            self.first += 1;
        }
        while self.notes.len() > KEEP_NOTES || self.notes.front().is_some_and(|n| n.time < horizon) {
            let n = self.notes.pop_front().expect("checked");
            if n.note.state {
                self.base.insert(n.node, n.note);
            }
        }
        while self.faults.len() > KEEP_NOTES || self.faults.front().is_some_and(|f| f.time < horizon) {
            self.faults.pop_front();
        }
        self.downs.retain(|d| d.until.is_none_or(|u| u >= horizon));
    }

    /// The window on screen: `span_us` ending at `now`.
    pub fn window(&self, now: Time) -> (Time, Time) {
        (now.saturating_sub(self.span_us), now.max(self.span_us.min(now)))
    }

    /// The arrows the window shows, newest last, with their sequence
    /// numbers: those of a shown kind with a lane at one end at least
    /// (`lane` says which nodes have one), at most [`MAX_DRAWN`]; and how
    /// many it left out for that cap.
    pub fn visible(&self, now: Time, lane: &dyn Fn(NodeId) -> Option<usize>) -> (Vec<(u64, &Arrow)>, usize) {
        let (lo, hi) = self.window(now);
        let mut out: Vec<(u64, &Arrow)> = self
            .arrows
            .iter()
            .enumerate()
            .filter(|(_, a)| a.sent <= hi && a.end(now) >= lo && !self.hidden.contains(&a.kind))
            .filter(|(_, a)| lane(a.from).is_some() || lane(a.to).is_some())
            .map(|(i, a)| (self.first + i as u64, a))
            .collect();
        let over = out.len().saturating_sub(MAX_DRAWN);
        out.drain(..over);
        (out, over)
    }

    pub fn arrow(&self, seq: u64) -> Option<&Arrow> {
        self.get(seq)
    }

    /// Each node's state at `t` (the last state note at or before it).
    pub fn state_at(&self, node: NodeId, t: Time) -> Option<&Rc<LaneNote>> {
        self.notes
            .iter()
            .rev()
            .find(|n| n.node == node && n.note.state && n.time <= t)
            .map(|n| &n.note)
            .or_else(|| self.base.get(&node))
    }

    /// The lane notes within the window.
    pub fn notes(&self, now: Time) -> impl Iterator<Item = &LaneMark> {
        let (lo, hi) = self.window(now);
        self.notes.iter().filter(move |n| n.time >= lo && n.time <= hi)
    }

    /// The down stretches that overlap the window.
    pub fn downs(&self, now: Time) -> impl Iterator<Item = &Down> {
        let (lo, _) = self.window(now);
        self.downs.iter().filter(move |d| d.until.is_none_or(|u| u >= lo))
    }

    /// The other faults within the window.
    pub fn faults(&self, now: Time) -> impl Iterator<Item = &Logged> {
        let (lo, hi) = self.window(now);
        self.faults.iter().filter(move |f| f.time >= lo && f.time <= hi)
    }
}

mod geometry;
pub use geometry::{Lanes, Seg, MAX_LANES, ROW};

#[cfg(test)]
mod tests;
