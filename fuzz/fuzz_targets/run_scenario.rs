//! Fuzzes scenario files end to end: any bytes are refused with an error or
//! give a scenario that runs, within the simulator's caps, without a panic;
//! and a run that must hold every property (no broken variant, nothing the
//! protocol's guarantees exclude: `Runnable::must_hold`) breaks none.
//! Runs are cut to their first simulated second so the fuzzer stays fast.
//! Run: `cargo +nightly fuzz run run_scenario seeds/run_scenario -- -max_total_time=600`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use splitbrain::scenario::{Registered, Visit};
use splitbrain::scenario::{visit, Millis, Runner, Scenario};

struct Check;

impl Visit for Check {
    type Output = ();

    fn visit<P: Registered>(self, s: Scenario) {
        let must_hold = P::spec(&s.protocol).is_none_or(|spec| P::must_hold(spec, &s.timeline));
        let mut r = Runner::<P>::build(s).expect("a scenario that validates builds");
        r.run_to_end();
        let limits = r.sim().limits();
        let (in_flight, per_ms) = r.sim().peaks();
        assert!(in_flight <= limits.in_flight + 10_000, "{in_flight} messages in flight");
        assert!(per_ms <= limits.events_per_ms, "{per_ms} events in one millisecond");
        assert!(P::state_bytes(r.sim()) < 256 << 20);
        if must_hold {
            assert!(r.violations().is_empty(), "no broken variant, yet {:?}", r.violations().first());
        }
        let _ = r.report();
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut s) = Scenario::from_json(text) else { return };
    s.duration_ms = Millis(s.duration_ms.0.min(1_000_000));
    s.timeline.retain(|a| a.at <= s.duration_ms);
    if s.validate().is_ok() {
        visit(s, Check);
    }
});
