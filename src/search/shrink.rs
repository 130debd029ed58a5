//! Shrinking a failing scenario: delta debugging (Zeller and Hildebrandt,
//! "Simplifying and Isolating Failure-Inducing Input", IEEE TSE 2002) over
//! the timeline's actions, then the client load, then the timing.
//!
//! `fails` says whether a candidate still breaks the same property. ddmin
//! cuts the timeline into `n` pieces and keeps any complement that still
//! fails (fewer pieces next), or else doubles `n`, until single actions:
//! the result is 1-minimal, no one action can go. Then the client load
//! goes, or thins (its interval doubled while it still fails); a
//! partition's groups are joined two at a time while it still fails; each
//! action is moved as early as it will go (towards the one before it,
//! halving the gap); and the run is cut off shortly after the violation.

use crate::contract::Action;
use crate::scenario::{ClientLoad, Millis, Scenario, TimedAction};
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
    // The client load: none, or fewer requests.
    if let Some(load) = best.client.clone() {
        let mut none = best.clone();
        none.client = None;
        if check(&none) {
            best = none;
        } else {
            let mut interval = load.interval_ms;
            while interval < 10_000.0 {
                interval *= 2.0;
                let mut thinner = best.clone();
                thinner.client = Some(ClientLoad { interval_ms: interval, ..load.clone() });
                if !check(&thinner) {
                    break;
                }
                best = thinner;
            }
        }
    }
    // Partitions with fewer sides: two groups joined while it still fails.
    for i in 0..best.timeline.len() {
        while let Action::Partition { groups } = &best.timeline[i].action {
            let joins = (0..groups.len()).flat_map(|a| (a + 1..groups.len()).map(move |b| (a, b)));
            let joined = joins.filter(|_| groups.len() >= 3).find_map(|(a, b)| {
                let mut joined = groups.clone();
                let side = joined.remove(b);
                joined[a].extend(side);
                joined[a].sort_unstable();
                let mut candidate = best.clone();
                candidate.timeline[i].action = Action::Partition { groups: joined };
                check(&candidate).then_some(candidate)
            });
            match joined {
                Some(candidate) => best = candidate,
                None => break,
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Target;

    fn scenario(timeline: Vec<TimedAction>) -> Scenario {
        let mut s = Scenario::from_json(
            r#"{"version":1,"protocol":{"raft":{}},"nodes":5,"seed":1,"duration_ms":4000,"client":{"interval_ms":20,"reads":true}}"#,
        )
        .unwrap();
        s.timeline = timeline;
        s
    }

    fn at(ms: u64, action: Action) -> TimedAction {
        TimedAction { at: Millis(ms * MS), action }
    }

    /// A stand-in for "still breaks": n0 cut off from n1 by a partition,
    /// and a client request at most every 100 ms.
    fn cut_and_busy(s: &Scenario) -> bool {
        let cut = s.timeline.iter().any(|a| match &a.action {
            Action::Partition { groups } => {
                let side = |n| groups.iter().position(|g| g.contains(&n));
                side(0) != side(1)
            }
            _ => false,
        });
        cut && s.client.as_ref().is_some_and(|c| c.interval_ms <= 100.0)
    }

    #[test]
    fn shrinking_drops_actions_thins_the_load_and_joins_partition_sides() {
        let s = scenario(vec![
            at(500, Action::Crash { node: Target::Node(3) }),
            at(900, Action::Partition { groups: vec![vec![0], vec![1, 2], vec![3], vec![4]] }),
            at(1500, Action::Pause { node: Target::Node(2) }),
        ]);
        let (shrunk, runs) = shrink(&s, &mut cut_and_busy);
        assert!(runs > 0);
        assert_eq!(shrunk.timeline.len(), 1, "{:?}", shrunk.timeline);
        // Two sides left, with n0 and n1 still apart.
        let Action::Partition { groups } = &shrunk.timeline[0].action else { panic!("{:?}", shrunk.timeline) };
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert!(cut_and_busy(&shrunk));
        // The load thinned from one request every 20 ms to every 80 ms
        // (160 would not fail), and the partition moved to the start.
        assert_eq!(shrunk.client.as_ref().map(|c| c.interval_ms), Some(80.0));
        assert_eq!(shrunk.timeline[0].at, Millis(0));
        // A failure that needs no load loses it.
        let (shrunk, _) = shrink(&s, &mut |c: &Scenario| c.timeline.iter().any(|a| a.action == s.timeline[0].action));
        assert_eq!(shrunk.client, None);
    }
}
