//! Where the diagram draws: which nodes have a lane, and each visible
//! arrow's line in pixels. The page paints these on a canvas, and finds
//! the arrow under the pointer with [`Diagram::hit`], so that what is
//! drawn and what is hovered are the same geometry.

use super::{Arrow, Diagram, Fate};
use crate::sim::{NodeId, Time};

/// Height of one lane, px.
pub const ROW: f64 = 26.0;
/// The most lanes drawn; a larger group shows the selected node and the
/// lowest ids, and one lane for all the others.
pub const MAX_LANES: usize = 12;
/// How near (px) the pointer must be to an arrow to hover it.
const HIT_PX: f64 = 6.0;

/// The nodes with a lane of their own, and whether one lane stands for
/// the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lanes {
    pub shown: Vec<NodeId>,
    pub others: bool,
}

impl Lanes {
    /// All of a small group; of a large one, the selected node and the
    /// lowest ids.
    pub fn of(nodes: u32, selected: Option<NodeId>) -> Self {
        if nodes as usize <= MAX_LANES {
            return Lanes { shown: (0..nodes).collect(), others: false };
        }
        let mut shown: Vec<NodeId> = (0..MAX_LANES as u32 - 1).collect();
        shown.push(selected.filter(|s| !shown.contains(s)).unwrap_or(MAX_LANES as u32 - 1));
        Lanes { shown, others: true }
    }

    /// The lane a node has of its own.
    pub fn own(&self, n: NodeId) -> Option<usize> {
        self.shown.iter().position(|s| *s == n)
    }

    /// The lane a node is drawn on (its own, or the others').
    pub fn of_node(&self, n: NodeId) -> Option<usize> {
        self.own(n).or(self.others.then_some(self.shown.len()))
    }

    pub fn rows(&self) -> usize {
        self.shown.len() + usize::from(self.others)
    }

    pub fn height(&self) -> f64 {
        self.rows() as f64 * ROW
    }

    /// The middle of lane `i`, px from the top.
    pub fn y(i: usize) -> f64 {
        (i as f64 + 0.5) * ROW
    }
}

/// One arrow as drawn: from its send to where it ends now (px), which
/// arrow it is, and how it looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seg {
    pub seq: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    pub kind: &'static str,
    pub fate: Fate,
}

impl Diagram {
    /// The x (px) of instant `t` on a plot `width` px wide.
    pub fn x(&self, t: Time, now: Time, width: f64) -> f64 {
        let (lo, hi) = self.window(now);
        t.saturating_sub(lo) as f64 / (hi - lo).max(1) as f64 * width
    }

    /// The instant at `x` px on a plot `width` px wide.
    pub fn time_at(&self, x: f64, now: Time, width: f64) -> Time {
        let (lo, hi) = self.window(now);
        lo + ((hi - lo) as f64 * (x / width.max(1.0)).clamp(0.0, 1.0)).round() as Time
    }

    /// The window's arrows as lines on a plot `width` px wide, oldest
    /// first, and how many the cap left out ([`Diagram::visible`]). A
    /// dropped message stops short of its lane, where its cross is drawn;
    /// one in flight reaches as far as it has flown.
    pub fn segments(&self, now: Time, lanes: &Lanes, width: f64) -> (Vec<Seg>, usize) {
        let (_, hi) = self.window(now);
        let height = lanes.height();
        let (arrows, left_out) = self.visible(now, &|n| lanes.own(n));
        let segs = arrows
            .into_iter()
            .map(|(seq, a): (u64, &Arrow)| {
                let y0 = lanes.of_node(a.from).map_or(-ROW, Lanes::y);
                let ty = lanes.of_node(a.to).map_or(height + ROW, Lanes::y);
                let (x0, tx) = (self.x(a.sent, now, width), self.x(a.end(now).min(hi), now, width));
                let (x1, y1) = match a.fate {
                    Fate::Dropped(..) => (x0 + (tx - x0) * 0.85, y0 + (ty - y0) * 0.85),
                    Fate::Flying => (tx, y0 + (ty - y0) * flown(a.sent, a.due, now)),
                    Fate::Delivered(_) => (tx, ty),
                };
                Seg { seq, from: a.from, to: a.to, x0, y0, x1, y1, kind: a.kind, fate: a.fate }
            })
            .collect();
        (segs, left_out)
    }

    /// The arrow nearest the point (px) on a plot `width` px wide, if
    /// one passes within a few pixels; the newest wins a tie.
    pub fn hit(&self, now: Time, lanes: &Lanes, width: f64, x: f64, y: f64) -> Option<u64> {
        let (segs, _) = self.segments(now, lanes, width);
        segs.iter()
            .map(|s| (distance((x, y), (s.x0, s.y0), (s.x1, s.y1)), s.seq))
            .filter(|(d, _)| *d <= HIT_PX)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, seq)| seq)
    }
}

/// How far along its flight a message is at `now`.
fn flown(sent: Time, due: Time, now: Time) -> f64 {
    if due <= sent {
        return 1.0;
    }
    (now.saturating_sub(sent) as f64 / (due - sent) as f64).clamp(0.0, 1.0)
}

/// The distance from `p` to the segment `a`-`b`.
fn distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 { 0.0 } else { (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0) };
    let (cx, cy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (cx * cx + cy * cy).sqrt()
}

#[cfg(test)]
pub(super) fn tests_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    distance(p, a, b)
}
