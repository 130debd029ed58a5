//! A guided tour as it is walked: which step shows, and what the views
//! must do to show it (the tour itself is a scenario's `tour`, see
//! [`crate::scenario::tour`]).
//!
//! The walk is held above the views, because a step may open a preset of
//! another view. It does nothing itself: [`Walk::go`] and
//! [`Walk::reached`] return a [`Cue`], which the page hands to the view
//! that shows the step.

use crate::scenario::tour::{segments, TourStep};
use crate::scenario::{presets, Scenario};
use crate::sim::{NodeId, Time};

/// What a view must do to show a step.
#[derive(Clone, Debug, PartialEq)]
pub enum Show {
    /// Open this scenario (in its protocol's view) at the instant, and
    /// pause there or play on.
    Load { scenario: Box<Scenario>, preset: Option<&'static str>, at_us: Time, playing: bool },
    /// Go to the instant of the run showing, and pause there or play on.
    Jump { at_us: Time, playing: bool },
}

/// A step's cue: what to show (nothing when the run is already there)
/// and which nodes to ring.
#[derive(Clone, Debug, PartialEq)]
pub struct Cue {
    pub show: Option<Show>,
    pub highlight: Vec<NodeId>,
}

/// A tour being walked.
#[derive(Clone, Debug)]
pub struct Walk {
    /// The tour's own scenario (its name is the tour's title).
    home: Scenario,
    /// The preset each step shows, read once (`None`: the tour's own
    /// scenario).
    shows: Vec<Option<(&'static str, Scenario)>>,
    /// The step showing.
    pub index: usize,
}

/// Whether two scenarios are the same run, as far as a tour cares: what
/// a person did to it since (a crash, a cut) does not make it another.
fn same_run(a: &Scenario, b: &Scenario) -> bool {
    a.name == b.name && a.seed == b.seed && a.nodes == b.nodes && a.protocol.kind() == b.protocol.kind()
}

impl Walk {
    /// The walk of `home`'s tour, at its first step; `None` if it has none.
    pub fn of(home: &Scenario) -> Option<Walk> {
        if home.tour.is_empty() {
            return None;
        }
        // A scenario's tour was validated when it loaded: its presets exist.
        let shows = segments(&home.tour)
            .into_iter()
            .map(|s| s.and_then(presets::find).and_then(|p| Some((p.id, p.scenario().ok()?))))
            .collect();
        Some(Walk { home: home.clone(), shows, index: 0 })
    }

    pub fn title(&self) -> &str {
        if self.home.name.is_empty() {
            "Tour"
        } else {
            &self.home.name
        }
    }

    pub fn len(&self) -> usize {
        self.home.tour.len()
    }

    pub fn is_empty(&self) -> bool {
        self.home.tour.is_empty()
    }

    pub fn step(&self) -> &TourStep {
        &self.home.tour[self.index]
    }

    /// Whether this walk is `s`'s tour.
    pub fn is_of(&self, s: &Scenario) -> bool {
        same_run(&self.home, s) && self.home.tour == s.tour
    }

    /// The scenario step `i` shows.
    fn scenario(&self, i: usize) -> Scenario {
        match &self.shows[i] {
            Some((_, s)) => s.clone(),
            None => self.home.clone(),
        }
    }

    /// Whether `showing` is the run step `i` shows.
    fn shows(&self, i: usize, showing: &Scenario) -> bool {
        let run = self.shows[i].as_ref().map_or(&self.home, |(_, s)| s);
        same_run(run, showing)
    }

    /// Goes to step `i` (clamped), from the run `showing`.
    pub fn go(&mut self, i: usize, showing: &Scenario) -> Cue {
        self.index = i.min(self.len() - 1);
        let step = self.step();
        let (at_us, playing) = (step.at_us(), !step.pause);
        let highlight = step.highlight.clone();
        let show = if self.shows(self.index, showing) {
            Show::Jump { at_us, playing }
        } else {
            Show::Load {
                scenario: Box::new(self.scenario(self.index)),
                preset: self.shows[self.index].as_ref().map(|(id, _)| *id),
                at_us,
                playing,
            }
        };
        Cue { show: Some(show), highlight }
    }

    /// The next step, if there is one.
    pub fn next(&mut self, showing: &Scenario) -> Option<Cue> {
        (self.index + 1 < self.len()).then(|| self.go(self.index + 1, showing))
    }

    /// The step before, if there is one.
    pub fn back(&mut self, showing: &Scenario) -> Option<Cue> {
        (self.index > 0).then(|| self.go(self.index - 1, showing))
    }

    /// As the run plays: once it reaches the next step's instant, in the
    /// run that step shows, the tour moves there (and a step that pauses
    /// puts the run back at its exact instant, which a frame overshoots).
    pub fn reached(&mut self, showing: &Scenario, now: Time) -> Option<Cue> {
        let i = self.index + 1;
        if i >= self.len() || !self.shows(i, showing) || now < self.home.tour[i].at_us() {
            return None;
        }
        // Only a step that is the next in the same run: one that opens a
        // preset is reached by Next.
        if self.home.tour[i].preset.is_some() {
            return None;
        }
        self.index = i;
        let step = self.step();
        let show = step.pause.then(|| Show::Jump { at_us: step.at_us(), playing: false });
        Some(Cue { show, highlight: step.highlight.clone() })
    }

    /// A tour found showing at `now` (a link into its middle): the last
    /// step at or before `now` in the tour's own run.
    pub fn resume_at(&mut self, now: Time) {
        self.index = (0..self.len())
            .take_while(|&i| self.shows[i].is_none())
            .filter(|&i| self.home.tour[i].at_us() <= now)
            .last()
            .unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::tour::TourStep;

    fn step(at_ms: f64, pause: bool, preset: Option<&str>) -> TourStep {
        TourStep { at_ms, caption: format!("at {at_ms}"), highlight: vec![1], pause, preset: preset.map(String::from) }
    }

    fn home() -> Scenario {
        let mut s = presets::find("leader-crash").unwrap().scenario().unwrap();
        s.name = "A tour".into();
        s.tour = vec![
            step(0.0, true, None),
            step(500.0, false, None),
            step(2000.0, true, None),
            step(100.0, true, Some("swim-crash")),
            step(3000.0, true, None),
        ];
        s.validate().unwrap();
        s
    }

    #[test]
    fn next_and_back_jump_within_a_run_and_load_another() {
        let home = home();
        let swim = presets::find("swim-crash").unwrap().scenario().unwrap();
        let mut w = Walk::of(&home).unwrap();
        assert!(w.is_of(&home) && !w.is_of(&swim));
        assert_eq!(w.go(0, &home).show, Some(Show::Jump { at_us: 0, playing: false }));
        let c = w.next(&home).unwrap();
        assert_eq!(c.show, Some(Show::Jump { at_us: 500_000, playing: true }));
        assert_eq!(c.highlight, vec![1]);
        w.next(&home).unwrap();
        // The step that opens another preset loads it, in its own view.
        let Some(Show::Load { scenario, preset, at_us, playing }) = w.next(&home).unwrap().show else {
            panic!("the fourth step opens swim-crash")
        };
        assert_eq!(
            (scenario.name.as_str(), preset, at_us, playing),
            (swim.name.as_str(), Some("swim-crash"), 100_000, false)
        );
        // The step after it stays in that preset.
        assert_eq!(w.next(&swim).unwrap().show, Some(Show::Jump { at_us: 3_000_000, playing: false }));
        assert!(w.next(&swim).is_none(), "no step after the last");
        // Back from the preset's run to the tour's own loads it again.
        w.back(&swim);
        let Some(Show::Load { scenario, .. }) = w.back(&swim).unwrap().show else { panic!("back to the tour's run") };
        assert!(w.is_of(&scenario));
        assert_eq!(w.index, 2);
    }

    #[test]
    fn a_playing_run_reaches_its_steps_and_stops_where_they_pause() {
        let home = home();
        let mut w = Walk::of(&home).unwrap();
        w.go(0, &home);
        assert_eq!(w.reached(&home, 499_999), None);
        // Step 1 plays on: no show, only its highlight.
        assert_eq!(w.reached(&home, 510_000), Some(Cue { show: None, highlight: vec![1] }));
        // Step 2 pauses, at its own instant although the frame overshot.
        let c = w.reached(&home, 2_030_000).unwrap();
        assert_eq!(c.show, Some(Show::Jump { at_us: 2_000_000, playing: false }));
        // A step that opens a preset waits for Next.
        assert_eq!(w.reached(&home, 5_000_000), None);
        assert_eq!(w.index, 2);
        // Another run showing moves nothing.
        let mut w = Walk::of(&home).unwrap();
        let other = presets::find("leader-crash").unwrap().scenario().unwrap();
        assert_eq!(w.reached(&other, 600_000), None);
    }

    #[test]
    fn a_link_into_the_middle_resumes_at_the_step_it_shows() {
        let home = home();
        let mut w = Walk::of(&home).unwrap();
        w.resume_at(1_000_000);
        assert_eq!(w.index, 1);
        w.resume_at(9_000_000);
        assert_eq!(w.index, 2, "steps in another preset are not the tour's own run");
        assert!(Walk::of(&presets::find("leader-crash").unwrap().scenario().unwrap()).is_none());
    }
}
