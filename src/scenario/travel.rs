//! Time travel: checkpoints plus deterministic replay.
//!
//! As a run moves forward, [`Travel`] keeps a clone of the runner every
//! [`CHECKPOINT_EVENTS`] events (or [`CHECKPOINT_US`] of simulated time).
//! Seeking restores the latest checkpoint at or before the target and
//! replays from there, so a seek costs at most one checkpoint interval of
//! simulation. Because a run is a pure function of its scenario, the replay
//! reproduces the original exactly. Acting after seeking back forks the run:
//! the recorded future is dropped and the new action takes its place.

use super::Registered;
use super::{Action, Logged, Marked, Runner};
use crate::sim::Time;

/// Take a checkpoint after this many events...
pub const CHECKPOINT_EVENTS: u64 = 20_000;
/// ...or this much simulated time, whichever comes first.
pub const CHECKPOINT_US: Time = 10_000_000;
/// After a seek, the event log and the space-time diagram are rebuilt
/// from this much simulated time (the diagram's widest window).
pub const REPLAY_LOG_US: Time = 5_000_000;
/// A frame asks whether its wall time is spent after this many events.
const CHUNK_EVENTS: u64 = 512;
/// The largest step `advance_to` runs between checkpoint checks.
const SLICE_US: Time = 250_000;
/// The most events a page runs in one animation frame. A frame of an
/// ordinary run has far fewer; a storm runs this many a frame, so its
/// simulated clock slows down while the page stays responsive.
pub const FRAME_EVENTS: u64 = 20_000;
/// The budget of the first frame, from which it grows while frames are fast.
const FIRST_FRAME_EVENTS: u64 = 5_000;
/// The fewest events a frame runs, however slow frames are.
const MIN_FRAME_EVENTS: u64 = 500;

/// How many events the page runs in its next frame: [`FRAME_EVENTS`] at
/// most, fewer while frames come slowly. The time between frames is the
/// feedback (it includes the last frame's work), so a storm whose events
/// grow costly still leaves the page about 20 frames a second. In the page
/// a frame's simulation stops after a share of wall time instead (see
/// `viewmodel::playground`), which bounds a frame whatever its events cost
/// and however long its drawing takes. It sets the
/// pace only: the events, and so the run, are the same at any budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameBudget(u64);

impl Default for FrameBudget {
    fn default() -> Self {
        FrameBudget(FIRST_FRAME_EVENTS)
    }
}

impl FrameBudget {
    /// The budget for a frame that came `gap_ms` after the one before.
    pub fn next(&mut self, gap_ms: f64) -> u64 {
        if gap_ms > 50.0 {
            self.0 = (self.0 / 2).max(MIN_FRAME_EVENTS);
        } else if gap_ms < 25.0 {
            self.0 = (self.0 + self.0 / 4).min(FRAME_EVENTS);
        }
        self.0
    }
}

/// Something worth marking on the scrubber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Fault,
    Leader,
    Violation,
    /// A declared budget broken (an alert fired).
    Alert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub time: Time,
    pub kind: MarkKind,
}

/// Checkpoints are spaced so that copying them costs at most this many
/// bytes per simulated event.
const COPY_BYTES_PER_EVENT: u64 = 64;
/// No checkpoint copies an event queue larger than this.
const MAX_QUEUE_COPY_BYTES: usize = 8 << 20;

/// At most this many marks are kept (the scrubber cannot show more).
const MAX_MARKS: usize = 20_000;
/// Checkpoints together may hold about this much state (each counted by
/// what it does not share with the one before, [`crate::contract::Runnable::state_bytes`]);
/// past it, every other one is dropped and the spacing doubles, so a long
/// run of a large group keeps bounded memory and seeks replay at most one
/// (wider) gap.
const CHECKPOINT_BUDGET_BYTES: usize = 96 << 20;
/// However large the state, at least this many checkpoints are kept, and
/// never more than the second number.
const MIN_CHECKPOINTS: usize = 8;
const MAX_CHECKPOINTS: usize = 4096;

/// A copy of the runner at `time`, after `events` trace events, holding
/// about `bytes` that no earlier checkpoint shares.
struct Checkpoint<P: Registered> {
    time: Time,
    events: u64,
    bytes: usize,
    runner: Runner<P>,
}

pub struct Travel<P: Registered> {
    runner: Runner<P>,
    checkpoints: Vec<Checkpoint<P>>,
    /// The spacing now in force (doubles when thinned).
    spacing_events: u64,
    spacing_us: Time,
    end: Time,
    marks: Vec<Mark>,
    /// Trace events before this index have been considered for marks.
    marked_index: u64,
    violations_marked: usize,
    alerts_marked: usize,
}

impl<P: Registered> Travel<P> {
    /// Starts from a fresh runner (its log recording should be on if the
    /// caller wants the events).
    pub fn new(runner: Runner<P>) -> Self {
        let now = runner.sim().now();
        let events = runner.sim().trace().len();
        let bytes = P::state_bytes(runner.sim());
        Travel {
            checkpoints: vec![Checkpoint { time: now, events, bytes, runner: runner.clone() }],
            spacing_events: CHECKPOINT_EVENTS,
            spacing_us: CHECKPOINT_US,
            runner,
            end: now,
            marks: Vec::new(),
            marked_index: 0,
            violations_marked: 0,
            alerts_marked: 0,
        }
    }

    pub fn runner(&self) -> &Runner<P> {
        &self.runner
    }

    pub fn now(&self) -> Time {
        self.runner.sim().now()
    }

    /// Why the run stopped early, if it reached one of the simulator's caps.
    pub fn halted(&self) -> Option<crate::sim::limits::Halt> {
        self.runner.sim().halted()
    }

    /// The banner a page shows when the run stops at a cap (it pauses).
    pub fn halted_banner(&self) -> Option<String> {
        self.halted().map(|h| format!("Paused: {h}. Scrub back to see how it began, or change the scenario."))
    }

    /// The furthest time this run has reached.
    pub fn end(&self) -> Time {
        self.end
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Keeps the last `cap` events of each kind from now on (`None`: keeps
    /// none), in the run and in every checkpoint, so that a seek replays
    /// with the same log: what a view turns on while it shows the events
    /// (the space-time diagram of a large group).
    pub fn set_log(&mut self, cap: Option<usize>) {
        let set = |r: &mut Runner<P>| match cap {
            Some(c) => r.record_tail(Some(c)),
            None => r.record(false),
        };
        set(&mut self.runner);
        self.checkpoints.iter_mut().for_each(|c| set(&mut c.runner));
    }

    /// Runs forward to `t`, taking checkpoints; returns the recorded events.
    pub fn advance_to(&mut self, t: Time) -> Vec<Logged> {
        self.advance_within(t, u64::MAX)
    }

    /// As [`Travel::advance_to`], for at most `budget` events: a frame's
    /// share, so that a storm slows the page instead of freezing it. Stops
    /// early, too, where the run stopped at a cap.
    ///
    /// The events returned are the log's tail (see [`Runner::record_tail`]);
    /// on a long advance (a link opened at minute ten) the routine traffic
    /// is kept only for the last stretch, as a seek keeps it: copying every
    /// send and delivery on the way would cost more than simulating them.
    pub fn advance_within(&mut self, t: Time, budget: u64) -> Vec<Logged> {
        self.advance_until(t, budget, &mut || false)
    }

    /// As [`Travel::advance_within`], stopping early too once `spent` says
    /// so (a frame's share of wall time); asked every [`CHUNK_EVENTS`]
    /// events. The events are the same however the advance is cut.
    pub fn advance_until(&mut self, t: Time, budget: u64, spent: &mut dyn FnMut() -> bool) -> Vec<Logged> {
        let mut left = budget;
        while self.now() < t {
            let slice_end = t.min(self.now() + SLICE_US);
            self.runner.keep_events(slice_end.saturating_add(REPLAY_LOG_US) > t);
            let mut reached = false;
            while left > 0 {
                let mut chunk = left.min(CHUNK_EVENTS);
                let before = chunk;
                reached = self.runner.run_within(slice_end, &mut chunk);
                left -= before - chunk;
                if reached || self.halted().is_some() || spent() {
                    break;
                }
            }
            let marks = self.runner.take_marks();
            self.note_marks(&marks);
            self.maybe_checkpoint();
            if !reached {
                break;
            }
        }
        self.runner.keep_events(true);
        let (events, marks) = self.runner.take_log_and_marks();
        self.note_marks(&marks);
        self.end = self.end.max(self.now());
        self.runner.refresh_sample();
        events
    }

    /// Runs to the next instant at which anything happens.
    pub fn step(&mut self) -> Vec<Logged> {
        self.runner.step_one();
        let (events, marks) = self.runner.take_log_and_marks();
        self.note_marks(&marks);
        self.maybe_checkpoint();
        self.end = self.end.max(self.now());
        self.runner.refresh_sample();
        events
    }

    fn maybe_checkpoint(&mut self) {
        let last = self.checkpoints.last().expect("the start is a checkpoint");
        let (t, n) = (last.time, last.events);
        let now = self.now();
        let events = self.runner.sim().trace().len();
        // A checkpoint copies the simulation's own state. A storm's queue
        // holds up to hundreds of thousands of messages, so copying it
        // would block a frame (40 ms natively at 128,000): such a state is
        // not checkpointed (a seek into it replays from before), and
        // otherwise copying costs at most COPY_BYTES_PER_EVENT per event.
        let sim = self.runner.sim();
        let copy = sim.base_bytes() as u64 / COPY_BYTES_PER_EVENT;
        let spaced = events - n >= self.spacing_events || now - t >= self.spacing_us;
        if now > t && spaced && events - n >= copy && sim.queue_bytes() <= MAX_QUEUE_COPY_BYTES {
            // Measured before the clone shares the live state with it.
            let bytes = P::state_bytes(self.runner.sim());
            self.checkpoints.push(Checkpoint { time: now, events, bytes, runner: self.runner.clone() });
            let count = self.checkpoints.len();
            let total: usize = self.checkpoints.iter().map(|c| c.bytes).sum();
            if count > MAX_CHECKPOINTS || (total > CHECKPOINT_BUDGET_BYTES && count > MIN_CHECKPOINTS) {
                // Keep the start and every other one after it.
                let mut i = 0;
                self.checkpoints.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.spacing_events *= 2;
                self.spacing_us *= 2;
            }
        }
    }

    /// Marks the faults and new leaders the runner saw since last asked.
    fn note_marks(&mut self, marks: &[Marked]) {
        for m in marks {
            if m.index < self.marked_index {
                continue; // replaying known ground: already marked
            }
            self.marked_index = m.index + 1;
            let kind = if m.fault { MarkKind::Fault } else { MarkKind::Leader };
            if self.marks.len() < MAX_MARKS {
                self.marks.push(Mark { time: m.time, kind });
            }
        }
        let v = self.runner.violations();
        for violation in &v[self.violations_marked.min(v.len())..] {
            if self.marks.len() < MAX_MARKS {
                self.marks.push(Mark { time: violation.time_us, kind: MarkKind::Violation });
            }
        }
        self.violations_marked = v.len();
        let a = self.runner.alerts();
        for alert in &a[self.alerts_marked.min(a.len())..] {
            if self.marks.len() < MAX_MARKS {
                self.marks.push(Mark { time: alert.from_us, kind: MarkKind::Alert });
            }
        }
        self.alerts_marked = a.len();
    }

    /// Moves to `t` (clamped to the run's end): from the latest checkpoint
    /// at or before it, replaying deterministically. Returns the events
    /// replayed since that checkpoint (for the event log).
    pub fn seek(&mut self, t: Time) -> Vec<Logged> {
        let t = t.min(self.end);
        let now = self.now();
        let i = self.checkpoints.partition_point(|c| c.time <= t).saturating_sub(1);
        let from = self.checkpoints[i].time;
        if !(from <= now && now <= t) {
            let timeline = std::mem::take(&mut self.runner.scenario.timeline);
            self.runner = self.checkpoints[i].runner.clone();
            self.runner.scenario.timeline = timeline;
            self.runner.take_log();
        }
        // Replay quietly, and keep events only for the last stretch: the
        // event log shows the recent past.
        let quiet_until = t.saturating_sub(REPLAY_LOG_US);
        if let Some(cap) = self.runner.log_cap().filter(|_| self.now() < quiet_until) {
            self.runner.record(false);
            self.runner.run_until(quiet_until);
            self.runner.record_tail(cap);
        }
        let mut out = Vec::new();
        while self.now() < t && self.halted().is_none() {
            let slice_end = t.min(self.now() + SLICE_US);
            self.runner.run_until(slice_end);
            out.extend(self.runner.take_log());
        }
        self.violations_marked = self.runner.violations().len();
        self.alerts_marked = self.runner.alerts().len();
        self.runner.refresh_sample();
        out
    }

    /// Applies an action now, recording it. If the run had gone further
    /// (we are in the past), the recorded future is dropped first.
    pub fn act(&mut self, action: Action) -> Vec<Logged> {
        let now = self.now();
        if now < self.end {
            self.runner.drop_future();
            self.checkpoints.retain(|c| c.time <= now);
            self.marks.retain(|m| m.time <= now);
            self.end = now;
            self.marked_index = self.runner.sim().trace().len();
        }
        self.runner.act(action);
        let (events, marks) = self.runner.take_log_and_marks();
        self.note_marks(&marks);
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::raft::Raft;
    use crate::scenario::{ClientLoad, Scenario, Target};
    use crate::sim::SEC;

    fn loaded() -> Runner<Raft> {
        let s = Scenario { client: Some(ClientLoad { interval_ms: 10.0, reads: false }), ..Scenario::raft(5, 3) };
        let mut r = Runner::new(s).unwrap();
        r.record(true);
        r
    }

    #[test]
    fn seeking_back_and_forth_reproduces_the_same_trace() {
        let mut t = Travel::new(loaded());
        t.advance_to(30 * SEC);
        let hash_at = |t: &mut Travel<Raft>, at| {
            t.seek(at);
            (t.now(), t.runner().sim().trace().hash(), t.runner().sim().trace().len())
        };
        let mut reference = Travel::new(loaded());
        for at in [29 * SEC, 3 * SEC + 17, 0, 15 * SEC, 30 * SEC] {
            reference.seek(0);
            let mut fresh = Travel::new(loaded());
            fresh.advance_to(at);
            let expected = (fresh.now(), fresh.runner().sim().trace().hash(), fresh.runner().sim().trace().len());
            assert_eq!(hash_at(&mut t, at), expected, "seek to {at}");
        }
        assert!(t.checkpoints() >= 3, "{} checkpoints", t.checkpoints());
    }

    #[test]
    fn a_run_split_into_small_frames_is_the_same_run() {
        let mut whole = Travel::new(loaded());
        whole.advance_to(5 * SEC);
        let mut framed = Travel::new(loaded());
        let mut frames = 0;
        while framed.now() < 5 * SEC || framed.runner().sim().next_event_time().is_some_and(|t| t <= 5 * SEC) {
            framed.advance_within(5 * SEC, 37);
            frames += 1;
        }
        assert!(frames > 10, "{frames} frames");
        let key = |t: &Travel<Raft>| (t.now(), t.runner().sim().trace().hash(), t.runner().sim().trace().len());
        assert_eq!(key(&framed), key(&whole));
    }

    #[test]
    fn the_frame_budget_follows_the_time_between_frames() {
        let mut b = FrameBudget::default();
        assert_eq!(b.next(16.7), FIRST_FRAME_EVENTS * 5 / 4);
        for _ in 0..10 {
            b.next(16.7);
        }
        assert_eq!(b.next(16.7), FRAME_EVENTS);
        assert_eq!(b.next(120.0), FRAME_EVENTS / 2);
        for _ in 0..20 {
            b.next(500.0);
        }
        assert_eq!(b.next(500.0), MIN_FRAME_EVENTS, "never below the floor");
        for _ in 0..40 {
            b.next(16.7);
        }
        assert_eq!(b.next(16.7), FRAME_EVENTS, "fast frames bring it back");
        assert_eq!(b.next(35.0), FRAME_EVENTS, "between the thresholds it stays");
    }

    #[test]
    fn acting_in_the_past_forks_the_run() {
        let mut t = Travel::new(loaded());
        t.advance_to(2 * SEC);
        t.act(Action::Crash { node: Target::Leader });
        t.advance_to(6 * SEC);
        assert_eq!(t.runner().scenario.timeline.len(), 1);
        t.seek(SEC);
        t.act(Action::HealAll);
        assert_eq!(t.end(), SEC);
        let timeline = &t.runner().scenario.timeline;
        assert_eq!(timeline.len(), 1, "the crash at 2 s is gone");
        assert_eq!(timeline[0].action, Action::HealAll);
        assert!(t.marks().iter().all(|m| m.time <= SEC));
    }
}
