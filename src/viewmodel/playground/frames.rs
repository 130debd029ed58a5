//! The frame loop: how far a frame runs the simulation, and how the events
//! it produced reach the event log and the violation banner; and the moves
//! in simulated time that pause the run (a step, an advance, a seek).

use super::{Board, Gesture, Playground, DROP_FADE_MS, LOG_CAP, MAX_FRAME_ADVANCE_US};
use crate::scenario::travel::FRAME_EVENTS;
use crate::scenario::travel::REPLAY_LOG_US;
use crate::scenario::Logged;
use crate::scenario::MAX_DURATION_US;
use crate::sim::Time;

/// The wall time a frame may spend simulating (ms), leaving the rest of a
/// two-refresh frame to drawing; compare mode's frames share it.
pub(crate) const FRAME_SIM_MS: f64 = 14.0;

impl<P: Board> Playground<P> {
    /// Moves in simulated time and pauses: a step, an advance, a seek, or
    /// a step back.
    pub(super) fn travel_by(&mut self, g: Gesture) {
        self.playing = false;
        match g {
            Gesture::Step => {
                let events = self.travel.step();
                self.collect(events);
            }
            Gesture::Advance(dt) => {
                let events = self.travel.advance_to(self.now().saturating_add(dt).min(MAX_DURATION_US));
                self.collect(events);
            }
            Gesture::Seek(t) => self.seek(t),
            Gesture::GoTo(t) if t <= self.travel.end() => self.seek(t),
            Gesture::GoTo(t) => {
                let events = self.travel.advance_to(t.min(MAX_DURATION_US));
                self.collect(events);
            }
            Gesture::StepBack => self.step_back(),
            _ => {}
        }
    }

    /// ←: back to the previous event in the log (or one µs back).
    pub(super) fn step_back(&mut self) {
        let now = self.now();
        let prev = self
            .log
            .iter()
            .chain(self.notable.iter())
            .map(|l| l.time)
            .filter(|t| *t < now)
            .max()
            .unwrap_or(now.saturating_sub(1));
        self.seek(prev);
    }

    pub(super) fn seek(&mut self, t: Time) {
        let events = self.travel.seek(t);
        self.diagram.reset(self.now().saturating_sub(REPLAY_LOG_US));
        self.log.clear();
        self.notable.clear();
        self.drops.clear();
        self.last_wall = None;
        self.carry_us = 0.0;
        self.violations_seen = self.violations().len();
        self.collect(events);
    }

    pub(super) fn tick(&mut self, wall_ms: f64) {
        self.wall_now = wall_ms;
        let gap = self.last_wall.map_or(0.0, |l| wall_ms - l);
        let dt = gap.clamp(0.0, 100.0);
        self.last_wall = Some(wall_ms);
        self.drops.retain(|d| wall_ms - d.2 < DROP_FADE_MS);
        if !self.playing {
            return;
        }
        let advance = dt * 1000.0 * self.speed + self.carry_us;
        let whole = advance.floor();
        self.carry_us = advance - whole;
        let target = self.now() + (whole as Time).min(MAX_FRAME_ADVANCE_US);
        // In the page, a frame simulates until its share of wall time is
        // spent (an event's cost varies: a storm's grow costlier as its
        // queue grows, and a count alone let one frame run 60 ms), and at
        // most FRAME_EVENTS events. Without a clock (natively, in tests),
        // the count follows the time between frames.
        let events = match crate::viewmodel::wall_clock() {
            Some(clock) => {
                let start = clock();
                self.travel.advance_until(target, FRAME_EVENTS, &mut || clock() - start > FRAME_SIM_MS)
            }
            None => {
                let budget = self.frame_budget.next(gap);
                self.travel.advance_within(target, budget)
            }
        };
        self.collect(events);
    }

    /// Moves new trace events into the log and notices new violations.
    pub(super) fn collect(&mut self, new: Vec<Logged>) {
        let now = self.now();
        self.diagram.record(&new, LOG_CAP, now);
        // Each ring keeps its own last LOG_CAP events, so a long batch (a
        // link opened at a late instant) does not push out the role changes;
        // the runner's log already holds no more than that of each kind.
        for l in new {
            if let Some((from, to)) = l.dropped {
                self.drops.push((from, to, self.wall_now));
            }
            let ring = if l.chatty() { &mut self.log } else { &mut self.notable };
            if ring.len() == LOG_CAP {
                ring.pop_front();
            }
            ring.push_back(l);
        }
        if self.drops.len() > 200 {
            let excess = self.drops.len() - 200;
            self.drops.drain(..excess);
        }
        if let Some(banner) = self.travel.halted_banner() {
            self.playing = false;
            self.error.get_or_insert(banner);
        }
        let v = self.violations().len();
        if v > self.violations_seen {
            self.violations_seen = v;
            self.playing = false;
        }
    }
}
