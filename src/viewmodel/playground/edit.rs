//! The timeline as a design review edits it: every recorded action (a
//! crash, a cut, a partition, a request, a skew) can be moved in time,
//! replaced or deleted, and the run replays to the instant showing with
//! the edited timeline. Undo and redo step through the edits.
//!
//! An edit makes a new scenario, checked like a file: one that would not
//! run (a node that does not exist, a time past the end) is refused with
//! the reason, and the run is kept.

use super::{Board, Playground};
use crate::scenario::{Millis, Scenario, TimedAction};

/// How many edits Undo remembers.
const MAX_UNDO: usize = 100;

/// An edit of the timeline; `usize` is an action's index in it.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Move an action to this instant (ms).
    Move(usize, f64),
    Delete(usize),
    /// Replace an action with this JSON, as a file writes it
    /// (`{"at_ms": 2000, "action": "crash", "node": 1}`).
    Replace(usize, String),
    Undo,
    Redo,
}

/// The edits to undo and to redo: whole scenarios, small next to a run.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
}

impl History {
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

/// An action as a file writes it, without its time: what the timeline
/// panel shows and edits.
pub fn action_json(t: &TimedAction) -> String {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.remove("at_ms");
    }
    v.to_string()
}

/// An action in a few words: its name, then its fields
/// (`partition groups=[[0,1]]`).
pub fn action_summary(t: &TimedAction) -> String {
    let v = serde_json::to_value(t).unwrap_or_default();
    let mut out = t.action.name().to_string();
    for (k, v) in v.as_object().into_iter().flatten().filter(|(k, _)| !matches!(k.as_str(), "at_ms" | "action")) {
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        out.push_str(&format!(" {k}={v}"));
    }
    out
}

impl History {
    /// What edit `e` of `current` makes: the scenario to run again, None
    /// if there is nothing to do (no edit to undo), or why it was refused.
    /// Any view that runs a scenario edits its timeline through this.
    pub fn edit(&mut self, current: &Scenario, e: Edit) -> Result<Option<Scenario>, String> {
        let at = |i: usize| current.timeline.get(i).cloned().ok_or_else(|| format!("there is no action {}", i + 1));
        let next = match e {
            Edit::Undo => {
                let s = self.undo.pop();
                if s.is_some() {
                    self.redo.push(current.clone());
                }
                return Ok(s);
            }
            Edit::Redo => {
                let s = self.redo.pop();
                if s.is_some() {
                    self.undo.push(current.clone());
                }
                return Ok(s);
            }
            Edit::Move(i, ms) => at(i).and_then(|mut t| {
                if !(ms.is_finite() && ms >= 0.0) {
                    return Err(format!("'{ms}' is not a time in ms"));
                }
                t.at = Millis((ms * 1000.0).round() as u64);
                Ok(with(current, i, Some(t)))
            }),
            Edit::Delete(i) => at(i).map(|_| with(current, i, None)),
            Edit::Replace(i, json) => at(i).and_then(|old| {
                let mut v: serde_json::Value = serde_json::from_str(&json).map_err(|e| format!("not JSON: {e}"))?;
                if let Some(m) = v.as_object_mut() {
                    m.entry("at_ms").or_insert_with(|| serde_json::to_value(old.at).unwrap_or_default());
                }
                let t: TimedAction = serde_json::from_value(v).map_err(|e| e.to_string())?;
                Ok(with(current, i, Some(t)))
            }),
        };
        let s = next.and_then(|s| s.validate().map(|()| s).map_err(|e| e.to_string()))?;
        self.undo.push(current.clone());
        if self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
        }
        self.redo.clear();
        Ok(Some(s))
    }
}

/// The message for an edit refused.
pub fn refused(why: &str) -> String {
    format!("That edit was not made: {why}. The timeline is unchanged.")
}

impl<P: Board> Playground<P> {
    /// Applies an edit, or says why it was not made; the run replays to
    /// the instant showing, paused there.
    pub(super) fn edit(&mut self, e: Edit) {
        let current = self.scenario().clone();
        match self.history.edit(&current, e) {
            Ok(Some(s)) => self.load(s, Some(self.now()), false),
            Ok(None) => {}
            Err(why) => self.error = Some(refused(&why)),
        }
    }

    pub fn history(&self) -> &History {
        &self.history
    }
}

/// The scenario with action `i` replaced (or, with `None`, deleted), the
/// timeline kept in time order (a moved action goes after others at its
/// instant).
fn with(s: &Scenario, i: usize, t: Option<TimedAction>) -> Scenario {
    let mut s = s.clone();
    s.timeline.remove(i);
    if let Some(t) = t {
        let k = s.timeline.partition_point(|x| x.at <= t.at);
        s.timeline.insert(k, t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{presets, Action, Target};
    use crate::viewmodel::playground::Gesture;
    use crate::viewmodel::seen::raft::Raft;

    #[test]
    fn an_action_reads_as_its_name_and_fields() {
        let pg = Playground::<Raft>::open();
        let s = presets::find("figure-8").unwrap().scenario().unwrap();
        let words: Vec<String> = s.timeline.iter().take(3).map(action_summary).collect();
        assert_eq!(words, ["campaign node=0", "request node=leader", "partition groups=[[0,1]]"]);
        drop(pg);
    }

    fn at(pg: &Playground<Raft>) -> Vec<(u64, &'static str)> {
        pg.scenario().timeline.iter().map(|t| (t.at.us() / 1000, t.action.name())).collect()
    }

    #[test]
    fn moving_deleting_and_replacing_replay_the_run_and_undo_redo_step_through() {
        let mut pg = Playground::<Raft>::open();
        pg.apply(Gesture::LoadPreset("leader-crash"));
        pg.apply(Gesture::GoTo(3_000_000));
        assert_eq!(at(&pg)[0], (2000, "crash"));
        let crashed = |pg: &Playground<Raft>| pg.sim().status(4) == crate::sim::NodeStatus::Crashed;
        assert!(crashed(&pg), "the leader (n4) crashed at 2 s");
        // Move the crash past now: the run replays to 3 s without it.
        pg.apply(Gesture::Edit(Edit::Move(0, 3500.0)));
        assert_eq!(pg.now(), 3_000_000);
        assert!(!crashed(&pg));
        pg.apply(Gesture::Edit(Edit::Move(0, 4500.0)));
        assert_eq!(at(&pg).last(), Some(&(4500, "crash")), "kept in time order, after the restarts at 4 s");
        // Replace it: crash n1 at 1 s instead.
        let i = pg.scenario().timeline.len() - 1;
        pg.apply(Gesture::Edit(Edit::Replace(i, r#"{"at_ms":1000,"action":"crash","node":1}"#.into())));
        assert_eq!(at(&pg)[0], (1000, "crash"));
        assert_eq!(pg.scenario().timeline[0].action, Action::Crash { node: Target::Node(1) });
        assert_eq!(pg.sim().status(1), crate::sim::NodeStatus::Crashed);
        // Undo three times: back to the preset's timeline, at the same instant.
        for _ in 0..3 {
            pg.apply(Gesture::Edit(Edit::Undo));
        }
        assert_eq!(at(&pg)[0], (2000, "crash"));
        assert!(crashed(&pg));
        assert_eq!(pg.now(), 3_000_000);
        pg.apply(Gesture::Edit(Edit::Redo));
        assert!(!crashed(&pg));
        // Delete: one action fewer; a new edit clears what Redo had.
        let n = pg.scenario().timeline.len();
        pg.apply(Gesture::Edit(Edit::Delete(0)));
        assert_eq!(pg.scenario().timeline.len(), n - 1);
        assert!(!pg.history().can_redo());
    }

    #[test]
    fn a_bad_edit_is_refused_and_the_run_kept() {
        let mut pg = Playground::<Raft>::open();
        pg.apply(Gesture::LoadPreset("leader-crash"));
        pg.apply(Gesture::GoTo(1_000_000));
        let before = pg.scenario().clone();
        for (e, says) in [
            (Edit::Replace(0, r#"{"action":"crash","node":9}"#.into()), "node 9 does not exist"),
            (Edit::Replace(0, "{".into()), "not JSON"),
            (Edit::Move(0, 60_000.0), "after the end of the run"),
            (Edit::Move(0, f64::NAN), "not a time"),
            (Edit::Delete(99), "there is no action 100"),
        ] {
            pg.apply(Gesture::Edit(e));
            let err = pg.error.take().expect("refused");
            assert!(err.contains(says), "{err}");
            assert_eq!(pg.scenario(), &before);
            assert_eq!(pg.now(), 1_000_000);
        }
        assert!(!pg.history().can_undo());
    }
}
