//! What a runner keeps of its events for people to read: an event log's
//! lines, and the instants worth a mark on the scrubber.
//!
//! Formatting an event costs more than simulating it, and a page shows only
//! the last few hundred lines. So a log that keeps a *tail* holds the last
//! `cap` chatty events (sends, deliveries, timers) and the last `cap`
//! notable ones as they are, and formats only those, when they are taken.
//! Catching up to a late instant (a link that opens at minute ten) then
//! costs a copy of each event, not a line of text. Marks are cheap and
//! kept for every event.

use super::Registered;
use crate::contract::LaneNote;
use crate::sim::trace::{Event, EventKind, Fault, MsgId};
use crate::sim::Time;
use std::cell::OnceCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// One trace event in readable form, for event logs. Its text and nodes
/// are worked out when first asked for: most events pass through a log
/// without anyone reading them.
#[derive(Clone)]
pub struct Logged {
    pub index: u64,
    pub time: Time,
    pub kind: &'static str,
    /// For drops: the link.
    pub dropped: Option<(u32, u32)>,
    /// A node became leader (for the scrubber's marks).
    pub leader: bool,
    /// A message's step on the wire (for the space-time diagram).
    pub wire: Option<Wire>,
    /// What a note means for its node's lane, and the node.
    pub lane: Option<(u32, Rc<LaneNote>)>,
    /// A crash, restart, pause or resume, and its node.
    pub status: Option<(u32, NodeChange)>,
    line: Rc<dyn Line>,
}

/// Which step of a message's life an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    Send,
    /// The network will deliver a second copy.
    Dup,
    Deliver,
    /// Dropped, and why ("loss", "partitioned").
    Drop(&'static str),
}

/// A message event as the space-time diagram draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wire {
    pub hop: Hop,
    pub from: u32,
    pub to: u32,
    pub id: MsgId,
    /// When a sent copy is due to arrive (for the other hops, the event's
    /// own time).
    pub due: Time,
    /// The message's kind ([`crate::contract::Runnable::msg_kind`]).
    pub kind: &'static str,
}

/// A change of a node's liveness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeChange {
    Crash,
    Restart,
    Pause,
    Resume,
}

/// An event, and its text and nodes once asked for.
trait Line {
    fn text(&self) -> &str;
    fn nodes(&self) -> &[u32];
}

struct Lazy<P: Registered> {
    event: Event<P>,
    text: OnceCell<String>,
    nodes: OnceCell<Vec<u32>>,
}

impl<P: Registered> Line for Lazy<P> {
    fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let full = self.event.to_string();
            full.split_once(' ').map_or(full.as_str(), |(_, rest)| rest).to_string()
        })
    }

    fn nodes(&self) -> &[u32] {
        self.nodes.get_or_init(|| self.event.nodes())
    }
}

impl Logged {
    pub(super) fn of<P: Registered>(e: &Event<P>) -> Self {
        Self::owned(e.clone())
    }

    fn owned<P: Registered>(event: Event<P>) -> Self {
        let dropped = match event.kind {
            EventKind::Drop { from, to, .. } => Some((from, to)),
            _ => None,
        };
        let wire = |hop, from, to, id, due, msg: Option<&P::Msg>| {
            Some(Wire { hop, from, to, id, due, kind: msg.map_or("", P::msg_kind) })
        };
        let t = event.time;
        let (mut lane, mut status) = (None, None);
        let wire = match &event.kind {
            EventKind::Send { from, to, id, msg, deliver_at } => {
                wire(Hop::Send, *from, *to, *id, *deliver_at, Some(msg))
            }
            EventKind::Duplicate { from, to, id, deliver_at } => wire(Hop::Dup, *from, *to, *id, *deliver_at, None),
            EventKind::Deliver { from, to, id, msg } => wire(Hop::Deliver, *from, *to, *id, t, Some(msg)),
            EventKind::Drop { from, to, id, msg, reason } => {
                wire(Hop::Drop(reason.as_str()), *from, *to, *id, t, Some(msg))
            }
            EventKind::Note { node, note } => {
                lane = P::lane_note(note).map(|l| (*node, Rc::new(l)));
                None
            }
            EventKind::Fault(f) => {
                status = match **f {
                    Fault::Crash(n) => Some((n, NodeChange::Crash)),
                    Fault::Restart(n) => Some((n, NodeChange::Restart)),
                    Fault::Pause(n) => Some((n, NodeChange::Pause)),
                    Fault::Resume(n) => Some((n, NodeChange::Resume)),
                    _ => None,
                };
                None
            }
            _ => None,
        };
        Logged {
            index: event.index,
            time: event.time,
            kind: event.kind_name(),
            dropped,
            leader: P::marks_leader(&event),
            wire,
            lane,
            status,
            line: Rc::new(Lazy { event, text: OnceCell::new(), nodes: OnceCell::new() }),
        }
    }

    /// The event's stable text form, without its time.
    pub fn text(&self) -> &str {
        self.line.text()
    }

    /// The nodes the event involves.
    pub fn nodes(&self) -> &[u32] {
        self.line.nodes()
    }

    /// The routine traffic (sends, deliveries, duplicates, timers), which a
    /// log keeps apart from the rarer events so that it cannot push them out.
    pub fn chatty(&self) -> bool {
        chatty(self.kind)
    }
}

impl std::fmt::Debug for Logged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{} {} {}", self.index, self.time, self.text())
    }
}

impl PartialEq for Logged {
    fn eq(&self, other: &Self) -> bool {
        (self.index, self.time, self.kind, self.text()) == (other.index, other.time, other.kind, other.text())
    }
}

fn chatty(kind: &str) -> bool {
    matches!(kind, "send" | "deliver" | "dup" | "timer")
}

/// An instant worth marking on the scrubber: a fault, or a new leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marked {
    pub index: u64,
    pub time: Time,
    /// A fault (else a new leader).
    pub fault: bool,
}

/// The events kept since they were last taken.
pub(super) struct EventLog<P: Registered> {
    /// `None`: keep every event.
    cap: Option<usize>,
    /// Off while catching up to a later instant: the rarer events and
    /// marks only, not the routine traffic (most of every run).
    keep: bool,
    chatty: VecDeque<Event<P>>,
    notable: VecDeque<Event<P>>,
    marks: Vec<Marked>,
}

/// A copy is a checkpoint's: it keeps the settings and the marks, not the
/// events, which were already taken to be shown (a checkpoint restored
/// discards what its log held).
impl<P: Registered> Clone for EventLog<P> {
    fn clone(&self) -> Self {
        EventLog { marks: self.marks.clone(), ..EventLog::new(self.cap) }.kept(self.keep)
    }
}

impl<P: Registered> EventLog<P> {
    fn kept(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// Keeps every event (`None`), or the last `cap` of each kind.
    pub(super) fn new(cap: Option<usize>) -> Self {
        EventLog { cap, keep: true, chatty: VecDeque::new(), notable: VecDeque::new(), marks: Vec::new() }
    }

    /// Whether to keep the routine traffic (the rarer events and the marks
    /// are always kept).
    pub(super) fn keep(&mut self, on: bool) {
        self.keep = on;
    }

    pub(super) fn cap(&self) -> Option<usize> {
        self.cap
    }

    pub(super) fn push(&mut self, e: &Event<P>) {
        let fault = matches!(e.kind, EventKind::Fault(_));
        if fault || P::marks_leader(e) {
            self.marks.push(Marked { index: e.index, time: e.time, fault });
        }
        let is_chatty = chatty(e.kind_name());
        if is_chatty && !self.keep {
            return;
        }
        let ring = if is_chatty { &mut self.chatty } else { &mut self.notable };
        match self.cap {
            Some(0) => return,
            Some(c) if ring.len() >= c => {
                ring.pop_front();
            }
            _ => {}
        }
        ring.push_back(e.clone());
    }

    /// Takes only the marks.
    pub(super) fn take_marks(&mut self) -> Vec<Marked> {
        std::mem::take(&mut self.marks)
    }

    /// The kept events in trace order, and the marks; both are emptied.
    pub(super) fn take(&mut self) -> (Vec<Logged>, Vec<Marked>) {
        let mut a = std::mem::take(&mut self.chatty).into_iter().peekable();
        let mut b = std::mem::take(&mut self.notable).into_iter().peekable();
        let mut out = Vec::with_capacity(a.len() + b.len());
        // Merge the two rings back into trace order.
        loop {
            let first = match (a.peek(), b.peek()) {
                (Some(p), Some(q)) if p.index < q.index => a.next(),
                (_, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            out.extend(first.map(Logged::owned));
        }
        (out, std::mem::take(&mut self.marks))
    }

    /// The kept events' text, in trace order, each after its time (for
    /// tests and golden files), without taking them.
    pub(super) fn text(&self) -> Vec<String> {
        let mut all: Vec<&Event<P>> = self.chatty.iter().chain(&self.notable).collect();
        all.sort_by_key(|e| e.index);
        all.into_iter().map(|e| Logged::of(e)).map(|l| format!("{} {}", l.time, l.text())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Raft;
    use crate::scenario::{ClientLoad, Runner, Scenario};

    /// A tail keeps exactly the last events of each kind that a full log
    /// keeps, in trace order, with the same text; and the same marks.
    #[test]
    fn a_tail_is_the_end_of_the_full_log() {
        let s = Scenario { client: Some(ClientLoad { interval_ms: 10.0, reads: false }), ..Scenario::raft(5, 3) };
        let run = |cap| {
            let mut r: Runner<Raft> = Runner::new(s.clone()).unwrap();
            r.record_tail(cap);
            r.run_until(3_000_000);
            r.take_log_and_marks()
        };
        let (all, all_marks) = run(None);
        let (tail, tail_marks) = run(Some(40));
        assert!(all.len() > 1_000, "enough events to overflow the tail: {}", all.len());
        let last = |chatty: bool| -> Vec<&Logged> {
            let mut v: Vec<&Logged> = all.iter().rev().filter(|l| l.chatty() == chatty).take(40).collect();
            v.reverse();
            v
        };
        let mut expected = [last(true), last(false)].concat();
        expected.sort_by_key(|l| l.index);
        assert_eq!(tail.iter().collect::<Vec<_>>(), expected);
        assert_eq!(tail.len(), 80);
        assert_eq!(tail_marks, all_marks);
        assert!(!all_marks.is_empty(), "the first election is marked");
    }
}
