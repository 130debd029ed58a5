//! The simulator's caps: a run that multiplies its
//! messages stops at a cap, deterministically, with a message that names
//! the cap and the instant, instead of running out of memory.

use splitbrain::protocols::raft::{Raft, RaftConfig};
use splitbrain::scenario::{Runner, Scenario};
use splitbrain::sim::limits::{Cap, Limits};
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::{Sim, MS};

/// The storm, with the bug that caused it put back: a follower
/// refuses an AppendEntries below its snapshot, and every message is
/// duplicated.
const STORM: &str = r#"{"version": 1, "protocol": {"raft": {"snapshot_every": 2, "bug": "refuse_below_snapshot"}},
    "nodes": 5, "seed": 1, "duration_ms": 5000, "network": {"latency_ms": [5, 10], "dup": 1.0},
    "client": {"interval_ms": 1}}"#;

#[test]
fn a_message_storm_stops_at_the_cap_on_messages_in_flight() {
    let s = Scenario::from_json(STORM).unwrap();
    let mut r = Runner::new(s).unwrap();
    r.run_to_end();
    let h = r.sim().halted().expect("the storm reaches a cap");
    assert_eq!(h.cap, Cap::InFlight);
    assert_eq!(h.limit, Limits::for_nodes(5).in_flight);
    // It stopped early, where it stopped, and holds no more than the cap
    // (plus one handler's worth of sends).
    assert!(h.at < 5_000 * MS, "stopped at {} us", h.at);
    assert_eq!(r.sim().now(), h.at);
    assert!(r.sim().messages_in_flight() <= h.limit + 10, "{}", r.sim().messages_in_flight());
    let text = h.to_string();
    assert!(text.contains("messages in flight") && text.contains("200,200"), "{text}");
    assert!(text.contains(&format!("{:.3} s", h.at as f64 / 1e6)), "{text}");
    // The report says so.
    let report = r.report();
    let stopped = report.stopped.expect("the report names the cap");
    assert_eq!(stopped.cap, "messages_in_flight");
    assert_eq!(stopped.at_us, h.at);
    // Deterministic: the same scenario stops at the same event.
    let mut again = Runner::new(Scenario::from_json(STORM).unwrap()).unwrap();
    again.run_to_end();
    assert_eq!(again.sim().trace().hash(), r.sim().trace().hash());
    assert_eq!(again.sim().halted(), Some(h));
}

#[test]
fn without_the_bug_the_same_file_runs_to_its_end() {
    let s = Scenario::from_json(&STORM.replace(r#", "bug": "refuse_below_snapshot""#, "")).unwrap();
    let mut r = Runner::new(s).unwrap();
    r.run_to_end();
    assert_eq!(r.sim().halted(), None);
    assert!(r.report().stopped.is_none());
    let (in_flight, per_ms) = r.sim().peaks();
    assert!(in_flight < 2_000 && per_ms < 1_000, "peaks {in_flight} in flight, {per_ms} events/ms");
}

fn raft_sim() -> Sim<Raft> {
    let cfg = RaftConfig { nodes: 5, ..RaftConfig::default() };
    Sim::new(cfg, 5, 7, LinkConfig::default())
}

#[test]
fn the_events_per_millisecond_cap_stops_a_run_and_time_stays_there() {
    let mut sim = raft_sim();
    sim.run_until(2_000 * MS);
    let events = sim.trace().len();
    // An ordinary run under a cap of 1 event per millisecond: the first
    // millisecond that is busier stops it.
    sim.set_limits(Limits { events_per_ms: 1, ..sim.limits() });
    sim.run_until(10_000 * MS);
    let h = sim.halted().expect("some millisecond has a second event");
    assert_eq!(h.cap, Cap::EventsPerMs);
    assert!(sim.now() <= h.at && h.at < 10_000 * MS);
    assert!(sim.trace().len() > events);
    // Stopped for good: nothing steps, and time does not move.
    let (now, len) = (sim.now(), sim.trace().len());
    assert!(!sim.step());
    assert_eq!(sim.next_event_time(), None);
    sim.run_until(20_000 * MS);
    assert_eq!((sim.now(), sim.trace().len()), (now, len));
}

#[test]
fn messages_in_flight_are_counted_until_delivered_or_dropped() {
    let mut sim = raft_sim();
    sim.run_until(3_000 * MS);
    let on_wire = sim.in_flight().count() as u64;
    assert_eq!(sim.messages_in_flight(), on_wire);
    // Held by a paused node: still in flight; dropped by its crash: gone.
    sim.pause(1);
    sim.run_until(3_500 * MS);
    let waiting = sim.messages_in_flight() - sim.in_flight().count() as u64;
    assert!(waiting > 0, "messages to the paused node wait, counted");
    sim.crash(1);
    sim.run_until(3_600 * MS);
    assert_eq!(sim.messages_in_flight(), sim.in_flight().count() as u64);
    // A cap below what is on the wire stops the next send.
    sim.set_limits(Limits { in_flight: 1, ..sim.limits() });
    sim.run_until(60_000 * MS);
    assert_eq!(sim.halted().map(|h| h.cap), Some(Cap::InFlight));
}
