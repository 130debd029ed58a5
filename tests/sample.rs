//! The simulator's sample of messages in flight (what the cluster view
//! draws): refreshed, below its cap it is every message in flight, at the
//! cap a subset of them, and keeping it changes nothing in the trace.

use splitbrain::scenario::presets::PRESETS;
use splitbrain::scenario::{visit, Registered, Runner, Scenario, Visit};
use std::collections::BTreeSet;

struct Check {
    cap: usize,
}

impl Visit for Check {
    /// (instants checked, instants at the cap)
    type Output = (u32, u32);
    fn visit<P: Registered>(self, s: Scenario) -> (u32, u32) {
        let end = s.duration_ms.us().min(3_000_000);
        let mut plain: Runner<P> = Runner::build(s.clone()).unwrap();
        let mut drawn: Runner<P> = Runner::build(s).unwrap();
        drawn.sample_in_flight(self.cap);
        let (mut checked, mut full) = (0, 0);
        let mut t = 0;
        while t < end {
            t = (t + 37_000).min(end);
            plain.run_until(t);
            drawn.run_until(t);
            drawn.refresh_sample();
            let sim = drawn.sim();
            let all: BTreeSet<(u64, u64)> = sim.in_flight().map(|m| (m.id, m.deliver_at)).collect();
            let sample: Vec<(u64, u64)> = sim.in_flight_sample().unwrap().map(|m| (m.id, m.deliver_at)).collect();
            assert!(sample.len() <= self.cap);
            assert!(sample.windows(2).all(|w| w[0] < w[1]), "oldest first");
            assert!(sample.iter().all(|m| all.contains(m)), "a sampled message is in flight at {t}");
            if all.len() <= self.cap && sim.messages_in_flight() as usize == all.len() {
                assert_eq!(sample.len(), all.len(), "below the cap, every message in flight at {t}");
            }
            full += u32::from(sample.len() == self.cap);
            checked += 1;
        }
        assert_eq!(plain.sim().trace().hash(), drawn.sim().trace().hash(), "the same trace");
        (checked, full)
    }
}

#[test]
fn the_sample_is_what_is_in_flight_and_changes_no_trace() {
    let (mut checked, mut full) = (0, 0);
    for p in PRESETS {
        // A small cap, so that busy presets reach it.
        let (c, f) = visit(p.scenario().unwrap(), Check { cap: 12 });
        checked += c;
        full += f;
    }
    assert!(checked > 500, "{checked}");
    assert!(full > 50, "the cap was reached at {full} instants");
}
