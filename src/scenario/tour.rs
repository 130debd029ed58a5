//! Bookmarks and guided tours: what a scenario says about its own run, for
//! a class or a design review to follow.
//!
//! A bookmark names a key moment of the run ("the follower catches up from
//! a snapshot"), which the page lists beside the scrubber and jumps to. A
//! tour is a list of steps, each a caption at a simulated instant, which
//! may also highlight nodes and pause there. A step may open another
//! preset, so one tour can set two designs side by side in turn (gossip,
//! then SWIM); later steps run in that preset until one opens another.
//!
//! ```json
//! "marks": [ { "at_ms": 62000, "label": "n4 catches up from a snapshot" } ],
//! "tour": [
//!   { "at_ms": 0, "caption": "Five servers start as followers." },
//!   { "at_ms": 1500, "caption": "n2 won the election.", "highlight": [2], "pause": true },
//!   { "at_ms": 0, "preset": "swim-crash", "caption": "Now the same crash under SWIM." }
//! ]
//! ```

use super::{presets, Millis, Scenario};
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};

/// The most steps a tour has.
pub const MAX_STEPS: usize = 40;
/// The longest caption (characters): a few sentences, not a chapter.
pub const MAX_CAPTION: usize = 600;
/// The most bookmarks a scenario has.
pub const MAX_MARKS: usize = 20;
/// The longest bookmark label (characters).
pub const MAX_LABEL: usize = 80;

/// A key moment of the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bookmark {
    pub at_ms: f64,
    pub label: String,
}

/// One step of a tour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TourStep {
    /// When, in the run this step shows.
    pub at_ms: f64,
    pub caption: String,
    /// Nodes to ring while the step shows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<NodeId>,
    /// Stop the run at this instant (else it plays on from here).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pause: bool,
    /// Open this preset at this step; the steps after it run in it too,
    /// until one opens another. Absent: the tour's own scenario (or the
    /// preset an earlier step opened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
}

impl TourStep {
    /// The instant, in µs.
    pub fn at_us(&self) -> crate::sim::Time {
        ms(self.at_ms).us()
    }
}

impl Bookmark {
    pub fn at_us(&self) -> crate::sim::Time {
        ms(self.at_ms).us()
    }
}

fn ms(v: f64) -> Millis {
    Millis((v.max(0.0) * 1000.0).round() as u64)
}

/// Which run each step shows: `None` is the tour's own scenario, else the
/// preset id the step (or one before it) opened.
pub fn segments(tour: &[TourStep]) -> Vec<Option<&str>> {
    let mut now = None;
    tour.iter()
        .map(|s| {
            if let Some(p) = &s.preset {
                now = Some(p.as_str());
            }
            now
        })
        .collect()
}

/// What a step needs of the run it shows.
struct Shown {
    nodes: u32,
    duration: Millis,
}

/// The run a preset opens, read without validating it (a preset is valid:
/// tested), and not a tour itself, so tours do not nest.
fn shown_by(id: &str) -> Result<Shown, String> {
    let Some(p) = presets::find(id) else {
        let known: Vec<&str> = presets::PRESETS.iter().map(|p| p.id).collect();
        return Err(format!("there is no preset '{id}'; the presets are {}", known.join(", ")));
    };
    let v: serde_json::Value = serde_json::from_str(p.json()).map_err(|e| e.to_string())?;
    if v.get("tour").is_some() {
        return Err(format!("'{id}' is a tour itself, and tours do not nest"));
    }
    let nodes = v.get("nodes").and_then(|n| n.as_u64()).unwrap_or(0) as u32;
    let duration = v.get("duration_ms").and_then(|d| d.as_f64()).map_or(Millis::from_ms(10_000), ms);
    Ok(Shown { nodes, duration })
}

fn instant(v: f64, duration: Millis, what: &str) -> Result<(), String> {
    if !(v.is_finite() && v >= 0.0) {
        return Err(format!("at_ms must be 0 or more, not {v}"));
    }
    if ms(v) > duration {
        return Err(format!(
            "at_ms {v} is after the end of {what} (duration_ms {}), so it would never show",
            duration.0 as f64 / 1000.0
        ));
    }
    Ok(())
}

fn text(t: &str, max: usize, what: &str) -> Result<(), String> {
    if t.trim().is_empty() {
        return Err(format!("an empty {what}"));
    }
    let n = t.chars().count();
    if n > max {
        return Err(format!("a {what} of {n} characters; the limit is {max}"));
    }
    Ok(())
}

/// Checks a scenario's bookmarks and tour, with messages that say where.
pub fn validate(s: &Scenario) -> Result<(), String> {
    if s.marks.len() > MAX_MARKS {
        return Err(format!("marks: {} bookmarks; a scenario has at most {MAX_MARKS}", s.marks.len()));
    }
    let mut last = 0.0;
    for (i, m) in s.marks.iter().enumerate() {
        let at = |e: String| format!("marks[{i}]: {e}");
        instant(m.at_ms, s.duration_ms, "the run").map_err(at)?;
        text(&m.label, MAX_LABEL, "label").map_err(at)?;
        if m.at_ms < last {
            return Err(at(format!("at_ms {} is before the bookmark above it; keep them in time order", m.at_ms)));
        }
        last = m.at_ms;
    }
    if s.tour.len() > MAX_STEPS {
        return Err(format!("tour: {} steps; a tour has at most {MAX_STEPS}", s.tour.len()));
    }
    let own = Shown { nodes: s.nodes, duration: s.duration_ms };
    let mut opened: Option<Shown> = None;
    let mut last = 0.0;
    for (i, step) in s.tour.iter().enumerate() {
        let at = |e: String| format!("tour[{i}]: {e}");
        if let Some(id) = &step.preset {
            opened = Some(shown_by(id).map_err(at)?);
            last = 0.0;
        }
        let run = opened.as_ref().unwrap_or(&own);
        let what = match &step.preset {
            Some(id) => format!("preset '{id}'"),
            None => "its run".into(),
        };
        instant(step.at_ms, run.duration, &what).map_err(at)?;
        text(&step.caption, MAX_CAPTION, "caption").map_err(at)?;
        if step.at_ms < last {
            return Err(at(format!(
                "at_ms {} comes before the step above it ({last}); a tour's steps go forward in time, and only a step that opens a preset starts again from 0",
                step.at_ms
            )));
        }
        last = step.at_ms;
        if let Some(n) = step.highlight.iter().find(|n| **n >= run.nodes) {
            return Err(at(format!("highlight names node {n}, but the run has nodes 0 to {}", run.nodes - 1)));
        }
    }
    Ok(())
}
