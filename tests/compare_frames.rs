//! Compare mode's frames in the page stop once their share of wall time is
//! spent, with every variant at the same instant, and the runs are the
//! same as uncut ones. A test binary of its own: it sets the wall clock,
//! which is process-wide, to a fake one that moves 3 ms each time it is
//! read.

use splitbrain::sim::Time;
use splitbrain::viewmodel::compare::{example, Compare, CompareGesture as G, Side};
use std::sync::atomic::{AtomicU64, Ordering};

static READS: AtomicU64 = AtomicU64::new(0);

fn fake_clock() -> f64 {
    READS.fetch_add(1, Ordering::Relaxed) as f64 * 3.0
}

fn open() -> Compare {
    let mut c = Compare::default();
    c.apply(G::Open { text: example("raft-vs-store").unwrap().to_string(), at_us: None });
    assert!(c.error.is_none(), "{:?}", c.error);
    c
}

#[test]
fn a_frame_cut_short_leaves_every_variant_at_one_instant_and_the_runs_unchanged() {
    // Uncut first (no clock yet): five frames of 100 ms at 20× run 10 s.
    let mut whole = open();
    whole.apply(G::TogglePlay);
    for f in 0..=5 {
        whole.apply(G::Tick { wall_ms: f as f64 * 100.0 });
    }
    let end: Time = whole.now();
    assert_eq!(end, 500_000, "five 100 ms frames at 1x");
    splitbrain::viewmodel::set_wall_clock(fake_clock);
    let mut cut = open();
    cut.apply(G::TogglePlay);
    cut.apply(G::Tick { wall_ms: 0.0 });
    let before = READS.load(Ordering::Relaxed);
    cut.apply(G::Tick { wall_ms: 100.0 });
    let reads = READS.load(Ordering::Relaxed) - before;
    // The clock is read once to start and once a round: 3, 6, 9, 12, 15 ms
    // has spent the 14 ms after five rounds of the eight.
    assert_eq!(reads, 6, "stopped once the frame's share was spent");
    let nows: Vec<Time> = cut.sides.iter().map(Side::now).collect();
    assert!(nows.iter().all(|t| *t == nows[0]), "{nows:?}");
    assert!(nows[0] < 100_000 && nows[0] > 0, "cut short at {}", nows[0]);
    // Seeking to the uncut run's instant gives the same runs.
    cut.apply(G::Seek(end));
    for (a, b) in cut.sides.iter().zip(&whole.sides) {
        assert_eq!(a.now(), b.now());
        assert_eq!(format!("{:?}", a.figures()), format!("{:?}", b.figures()));
    }
}
