//! What the Raft view draws, read from the playground: a node's role,
//! term and timer, the filtered event log, and the status line.

use super::{Board, Playground};
use crate::protocols::raft::{Raft, Role};
use crate::scenario::Logged;
use crate::sim::NodeId;

/// The kinds of event the log can show, with their labels.
pub const LOG_KINDS: [(&str, &str); 9] = [
    ("send", "sends"),
    ("deliver", "deliveries"),
    ("drop", "drops"),
    ("dup", "duplicates"),
    ("timer", "timers"),
    ("note", "role & commit"),
    ("command", "commands"),
    ("fault", "faults"),
    ("disk", "disk writes"),
];

/// The store's: its notes are client results, repairs and hints, and it
/// writes nothing to a modelled disk.
pub const STORE_LOG_KINDS: [(&str, &str); 8] = [
    ("send", "sends"),
    ("deliver", "deliveries"),
    ("drop", "drops"),
    ("dup", "duplicates"),
    ("timer", "timers"),
    ("note", "results & repairs"),
    ("command", "client requests"),
    ("fault", "faults"),
];

/// The cluster view's coordinate system: a square centred on 0.
pub const VIEW_HALF: f64 = 300.0;

/// Where node `i` of `n` sits on the circle.
pub fn layout(i: NodeId, n: u32) -> (f64, f64) {
    let r = if n <= 5 { 190.0 } else { 215.0 };
    let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * f64::from(i) / f64::from(n.max(1));
    (r * a.cos(), r * a.sin())
}

/// The radius of a node's circle.
pub fn node_radius(n: u32) -> f64 {
    if n <= 5 {
        38.0
    } else if n <= 9 {
        32.0
    } else {
        26.0
    }
}

/// What the cluster view needs of a node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeView {
    pub status: crate::sim::NodeStatus,
    pub role: Option<Role>,
    pub term: u64,
    /// Fraction of the election timer left, on the node's own clock.
    pub timer_left: Option<f64>,
}

impl Playground<Raft> {
    /// Role, term and status of a node, for drawing.
    pub fn node_view(&self, n: NodeId) -> NodeView {
        let sim = self.sim();
        let status = sim.status(n);
        match sim.node(n) {
            Some(r) => NodeView {
                status,
                role: Some(r.role()),
                term: r.term(),
                timer_left: sim.timer(n, crate::protocols::raft::Timer::Election).map(|(set, deadline)| {
                    let now = sim.local_time(n);
                    ((deadline - now) as f64 / (deadline - set).max(1) as f64).clamp(0.0, 1.0)
                }),
            },
            None => {
                NodeView { status, role: None, term: sim.persisted(n).map_or(0, |p| p.current_term), timer_left: None }
            }
        }
    }
}

impl<P: Board> Playground<P> {
    /// The log entries that pass the filters, newest first.
    pub fn visible_log(&self, limit: usize) -> Vec<&Logged> {
        let keep =
            |l: &&Logged| !self.hidden_kinds.contains(&l.kind) && self.log_node.is_none_or(|n| l.nodes().contains(&n));
        let mut a = self.log.iter().rev().filter(keep).peekable();
        let mut b = self.notable.iter().rev().filter(keep).peekable();
        let mut out = Vec::with_capacity(limit);
        while out.len() < limit {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => {
                    if x.index > y.index {
                        a.next()
                    } else {
                        b.next()
                    }
                }
                (Some(_), None) => a.next(),
                (None, Some(_)) => b.next(),
                (None, None) => None,
            };
            match next {
                Some(l) => out.push(l),
                None => break,
            }
        }
        out
    }

    /// The status bar's summary of the run (for Raft: who leads).
    pub fn summary(&self) -> String {
        P::summary(self.sim())
    }
}
