//! Shrinking a failing scenario: delta debugging (Zeller and Hildebrandt,
//! "Simplifying and Isolating Failure-Inducing Input", IEEE TSE 2002) over
//! the timeline's actions, then its timing.
//!
//! `fails` says whether a candidate still breaks the same property. ddmin
//! cuts the timeline into `n` pieces and keeps any complement that still
//! fails (fewer pieces next), or else doubles `n`, until single actions:
//! the result is 1-minimal, no one action can go. Then each action is
//! moved as early as it will go (towards the one before it, halving the
//! gap), and the run is cut off shortly after the violation.

use crate::scenario::{Millis, Scenario, TimedAction};
use crate::sim::{Time, MS};

/// A smaller scenario that still fails, and how many runs it took.
pub fn shrink(s: &Scenario, fails: &mut dyn FnMut(&Scenario) -> bool) -> (Scenario, u32) {
    let mut runs = 0;
    let mut best = s.clone();
    let mut check = |candidate: &Scenario| {
        runs += 1;
        fails(candidate)
    };
    // ddmin over the actions.
    let mut n = 2;
    while best.timeline.len() >= 2 {
        let len = best.timeline.len();
        let chunk = len.div_ceil(n);
        let mut reduced = false;
        for start in (0..len).step_by(chunk) {
            let mut candidate = best.clone();
            candidate.timeline.drain(start..(start + chunk).min(len));
            if check(&candidate) {
                best = candidate;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= len {
                break;
            }
            n = (2 * n).min(len);
        }
    }
    if best.timeline.len() == 1 {
        let mut candidate = best.clone();
        candidate.timeline.clear();
        if check(&candidate) {
            best = candidate;
        }
    }
    // Each action as early as it will go, keeping the order.
    for i in 0..best.timeline.len() {
        let floor = if i == 0 { 0 } else { best.timeline[i - 1].at.us() };
        let mut at = best.timeline[i].at.us();
        while at > floor {
            let earlier = floor + (at - floor) / 2;
            let mut candidate = best.clone();
            candidate.timeline[i] = TimedAction { at: Millis(earlier), action: best.timeline[i].action.clone() };
            if !check(&candidate) {
                break;
            }
            best = candidate;
            at = earlier;
        }
    }
    (best, runs)
}

/// The scenario cut off `margin` after `at` (the violation), if it still
/// fails so.
pub fn cut_after(s: &Scenario, at: Time, fails: &mut dyn FnMut(&Scenario) -> bool) -> Scenario {
    let end = (at + MS).div_ceil(MS) * MS;
    if end >= s.duration_ms.us() {
        return s.clone();
    }
    let mut candidate = s.clone();
    candidate.duration_ms = Millis(end);
    candidate.timeline.retain(|a| a.at.us() <= end);
    if fails(&candidate) {
        candidate
    } else {
        s.clone()
    }
}
