//! Leases with fencing tokens (Kleppmann 2016): a client that pauses past
//! its lease after deciding to write wakes up and writes anyway. With the
//! resource checking tokens the late write is refused and Fenced Writes
//! holds, under random pauses too; without the check it is accepted, and
//! the checker catches it by name. Each write is a task with an
//! idempotency key: across failovers every task is done exactly once, and
//! without the keys a task is done twice.

use splitbrain::protocols::fencing::exactly_once::ExactlyOnce;
use splitbrain::protocols::fencing::fenced_writes::FencedWrites;
use splitbrain::protocols::fencing::{Bug, Fencing, FencingConfig, Note, Timer};
use splitbrain::sim::invariant::Checker;
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::rng::Rng;
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{Sim, Time, MS, SEC};

/// Runs to `end`, pausing clients as `pauses` says (node, from, for how
/// long); returns the properties broken and how many writes were refused.
fn run(bug: Option<Bug>, seed: u64, pauses: &[(u32, Time, Time)], end: Time) -> (Vec<&'static str>, u64) {
    let (broken, refused, _) = run_tasks(bug, seed, pauses, end);
    (broken, refused)
}

/// As [`run`], with Exactly Once checked too, and the tasks done by the
/// end (as the resource's set).
fn run_tasks(bug: Option<Bug>, seed: u64, pauses: &[(u32, Time, Time)], end: Time) -> (Vec<&'static str>, u64, u64) {
    let cfg = FencingConfig { nodes: 5, bug, ..FencingConfig::default() };
    let mut sim: Sim<Fencing> = Sim::new(cfg, 5, seed, LinkConfig::default());
    let mut checker = FencedWrites::default();
    let mut once = ExactlyOnce::default();
    let (mut broken, mut refused) = (Vec::new(), 0);
    let mut marks: Vec<(Time, u32, bool)> =
        pauses.iter().flat_map(|&(n, at, len)| [(at, n, true), (at + len, n, false)]).collect();
    marks.sort();
    marks.push((end, 0, false));
    for (at, node, pause) in marks {
        while sim.step_through(at) {
            let mut out = Vec::new();
            checker.check(&sim, &mut out);
            once.check(&sim, &mut out);
            broken.extend(out.iter().map(|v| v.property));
            refused += sim
                .trace()
                .last_step()
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Note { note: Note::Refused { .. }, .. }))
                .count() as u64;
        }
        sim.run_until(at);
        if at < end {
            if pause {
                sim.pause(node);
            } else {
                sim.resume(node);
            }
        }
    }
    let done = sim.node(1).and_then(Fencing::tasks_done).unwrap_or(0);
    (broken, refused, done)
}

/// The first lease's holder, paused for 300 ms as soon as it has decided
/// to write (its lease is 100 ms); then the run goes on to 2 s.
fn gc_pause(bug: Option<Bug>) -> (Vec<&'static str>, u64) {
    let cfg = FencingConfig { nodes: 5, bug, ..FencingConfig::default() };
    let mut sim: Sim<Fencing> = Sim::new(cfg, 5, 1, LinkConfig::default());
    let mut holder = None;
    let mut working = false;
    while !working && sim.step() {
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Note { note: Note::Granted { client, .. }, .. } => holder = holder.or(Some(client)),
                EventKind::Timer { node, timer: Timer::Work } if Some(node) == holder => working = true,
                _ => {}
            }
        }
    }
    let holder = holder.expect("a lease was granted");
    sim.pause(holder);
    let resume = sim.now() + 300 * MS;
    let mut checker = FencedWrites::default();
    let (mut broken, mut refused) = (Vec::new(), 0);
    for (until, wake) in [(resume, true), (2 * SEC, false)] {
        while sim.step_through(until) {
            let mut out = Vec::new();
            checker.check(&sim, &mut out);
            broken.extend(out.iter().map(|v| v.property));
            let notes = sim.trace().last_step();
            refused +=
                notes.iter().filter(|e| matches!(e.kind, EventKind::Note { note: Note::Refused { .. }, .. })).count()
                    as u64;
        }
        sim.run_until(until);
        if wake {
            sim.resume(holder);
        }
    }
    (broken, refused)
}

#[test]
fn a_client_paused_past_its_lease_is_fenced_off() {
    let (broken, refused) = gc_pause(None);
    assert!(broken.is_empty(), "{broken:?}");
    assert!(refused >= 1, "the late write was refused");
    let (broken, refused) = gc_pause(Some(Bug::NoTokenCheck));
    assert_eq!(broken, ["Fenced Writes"]);
    assert_eq!(refused, 0);
}

#[test]
fn fenced_writes_hold_under_random_pauses() {
    let mut refused = 0;
    let mut caught = 0;
    for seed in 0..100 {
        let mut rng = Rng::new(seed, 7);
        let pauses: Vec<(u32, Time, Time)> = (0..6)
            .map(|i| (2 + rng.below(3) as u32, i * 300 * MS + rng.below(200 * MS), 50 * MS + rng.below(250 * MS)))
            .collect();
        let (broken, r) = run(None, seed, &pauses, 2 * SEC);
        assert!(broken.is_empty(), "seed {seed}: {broken:?}");
        refused += r;
        caught += usize::from(!run(Some(Bug::NoTokenCheck), seed, &pauses, 2 * SEC).0.is_empty());
    }
    assert!(refused > 0, "some late writes were refused");
    assert!(caught > 0, "without the check, Fenced Writes broke in {caught} of 100 runs");
}

#[test]
fn every_task_is_done_exactly_once_across_failovers_and_twice_without_idempotency_keys() {
    for seed in 0..50 {
        let mut rng = Rng::new(seed, 8);
        let pauses: Vec<(u32, Time, Time)> = (0..4)
            .map(|i| (2 + rng.below(3) as u32, i * 400 * MS + rng.below(200 * MS), 150 * MS + rng.below(150 * MS)))
            .collect();
        let (broken, _, done) = run_tasks(None, seed, &pauses, 10 * SEC);
        assert!(broken.is_empty(), "seed {seed}: {broken:?}");
        assert_eq!(done, (1 << 12) - 1, "seed {seed}: all 12 tasks done by the end");
        let (broken, _, _) = run_tasks(Some(Bug::NoIdempotency), seed, &pauses, 10 * SEC);
        assert!(broken.contains(&"Exactly Once"), "seed {seed}: without keys a task is done twice");
    }
}
