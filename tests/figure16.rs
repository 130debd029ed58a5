//! The Raft paper's testbed (§9.3, Figure 16): its worst
//! case as the paper describes it, and the three numbers its text gives,
//! reproduced at once by one model (`failover::RAFT_PAPER`).

use splitbrain::experiments::failover::{self, FailoverParams, RAFT_PAPER};
use splitbrain::experiments::figure16;
use splitbrain::protocols::raft::{Msg, Raft, Timer};
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{Time, MS};

fn on(timeouts_ms: (u64, u64), seed: u64) -> FailoverParams {
    FailoverParams { timeout_us: (timeouts_ms.0 * MS, timeouts_ms.1 * MS), seed, ..RAFT_PAPER }
}

fn within(measured: f64, paper: f64, what: &str) {
    let off = (measured - paper) / paper;
    println!("{what}: {measured:.1} ms against the paper's {paper} ms ({:+.1}%)", 100.0 * off);
    assert!(off.abs() <= 0.15, "{what}: {measured} ms is not within 15% of the paper's {paper} ms");
}

/// The criterion: one model, all three numbers within 15%. Seed 7,
/// not the README's seed 1, so the README's run is not the only one that
/// fits (seeds 1, 2, 3, 5, 7 and 11 all do).
#[test]
fn one_testbed_fits_the_papers_three_numbers_at_once() {
    let median = failover::run(&on((150, 155), 7), |_| {}).failover_ms.p50;
    within(median, 287.0, "150-155 ms, median");
    let worst = failover::run(&on((150, 200), 7), |_| {}).failover_ms.max;
    within(worst, 513.0, "150-200 ms, worst of 1,000");
    let mean = failover::run(&on((12, 24), 7), |_| {}).failover_ms.mean;
    within(mean, 35.0, "12-24 ms, mean");
}

/// "The servers in each trial had different log lengths" and the leader's
/// "synchronized broadcast of heartbeat RPCs" before it crashes: when the
/// broadcast has landed, the four followers are 0, 2, 4 and 6 entries
/// behind the leader, their election timers were all reset by it within a
/// wire delay of one another, and nothing the leader sends later arrives.
#[test]
fn the_worst_case_has_distinct_logs_and_synchronized_timers() {
    for seed in 1..=6 {
        let p = on((150, 155), seed);
        let (mut sim, leader, beat) = failover::prepared(&p, seed).expect("a leader settles");
        sim.run_until(beat + p.latency_us.1 + 1);
        let last = |sim: &splitbrain::sim::Sim<Raft>, n| sim.node(n).map_or(0, |r: &Raft| r.log().last_index());
        let followers: Vec<u32> = (0..p.nodes).filter(|n| *n != leader).collect();
        let mut behind: Vec<u64> = followers.iter().map(|&f| last(&sim, leader) - last(&sim, f)).collect();
        behind.sort_unstable();
        assert_eq!(behind, [0, 2, 4, 6], "seed {seed}");
        let set_at: Vec<i64> =
            followers.iter().map(|&f| sim.timer(f, Timer::Election).expect("a follower's timer runs").0).collect();
        let spread = set_at.iter().max().unwrap() - set_at.iter().min().unwrap();
        assert!(spread <= (p.latency_us.1 - p.latency_us.0) as i64 + 1, "seed {seed}: timers reset {spread} µs apart");
        let logs: Vec<u64> = followers.iter().map(|&f| last(&sim, f)).collect();
        sim.run_until(beat + p.raft_config().heartbeat_us - 1);
        assert_eq!(logs, followers.iter().map(|&f| last(&sim, f)).collect::<Vec<_>>(), "seed {seed}: a log changed");
    }
}

/// `Sim::fire`, the script's trigger: a leader's heartbeat timer fired now
/// sends AppendEntries to every follower at once; a timer that is not set,
/// or a crashed node, does nothing.
#[test]
fn firing_a_timer_now_runs_its_handler_once() {
    let p = on((150, 300), 3);
    let (mut sim, leader, _) = failover::prepared(&FailoverParams { unequal_logs: false, ..p }, 3).expect("settles");
    let follower = (leader + 1) % p.nodes;
    assert!(!sim.fire(follower, Timer::Heartbeat), "a follower has no heartbeat timer");
    let now: Time = sim.now();
    assert!(sim.fire(leader, Timer::Heartbeat));
    let sent = sim
        .trace()
        .last_step()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Send { from, msg: Msg::AppendEntries { .. }, .. } if from == leader))
        .count();
    assert_eq!(sent, p.nodes as usize - 1);
    assert_eq!(sim.now(), now, "firing does not advance time");
    assert!(sim.timer(leader, Timer::Heartbeat).is_some(), "the handler set the next heartbeat");
    sim.crash(leader);
    assert!(!sim.fire(leader, Timer::Heartbeat));
}

/// Timeouts no longer than the broadcast time can never elect anyone: a
/// clear refusal, not 1,000 trials of 600 s.
#[test]
fn timeouts_below_the_broadcast_time_are_refused() {
    let p = FailoverParams {
        timeout_us: (12 * MS, 24 * MS),
        latency_us: (MS, 2 * MS),
        fsync_us: (5 * MS, 10 * MS),
        ..FailoverParams::default()
    };
    let e = p.validate().unwrap_err();
    assert!(e.contains("below the broadcast time of 24 ms"), "{e}");
    assert!(FailoverParams { timeout_us: (12 * MS, 25 * MS), ..p }.validate().is_ok());
}

/// The figure's lines: ten, the paper's trial counts, and an SVG with one
/// curve per line and graph (150-300 ms is in both).
#[test]
fn figure16_measures_every_line_and_draws_both_graphs() {
    let base = FailoverParams { trials: 20, ..RAFT_PAPER };
    let mut ticks = 0;
    let rows = figure16::run(&base, |done| ticks = done);
    assert_eq!(rows.len(), 10);
    assert_eq!(ticks, figure16::total_trials(&base));
    assert_eq!(rows[0].report.trials, 2, "150-150 ms gets a tenth of the trials, as in the paper");
    for r in &rows {
        assert_eq!(r.sorted_ms.len(), r.report.trials as usize);
        assert!(r.sorted_ms.windows(2).all(|w| w[0] <= w[1]));
    }
    let svg = figure16::svg(&rows, "test & <caption>");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<path").count(), 11);
    assert!(svg.contains("test &amp; &lt;caption&gt;"));
}
