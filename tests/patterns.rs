//! The leader patterns beyond leases: witnesses, rotating
//! leadership, snapshots with InstallSnapshot, single-server membership
//! changes, and all of them mixed into chaos.

use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::protocols::raft::invariants::{Property, RaftChecker};
use splitbrain::protocols::raft::log::Payload;
use splitbrain::protocols::raft::{Bug, Note, Raft, WitnessLog};
use splitbrain::scenario::{presets, Runner};
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::MS;

fn run_preset(id: &str) -> Runner<Raft> {
    let mut r = Runner::new(presets::find(id).unwrap().scenario().unwrap()).unwrap();
    r.record(true);
    r.run_to_end();
    assert!(r.violations().is_empty(), "{id}: {:?}", r.violations());
    r
}

/// The notes of a whole run, with time and node, read off the trace.
fn run_notes(id: &str) -> (Runner<Raft>, Vec<(u64, u32, Note)>) {
    let s = presets::find(id).unwrap().scenario().unwrap();
    let mut r = Runner::new(s).unwrap();
    let mut out = Vec::new();
    while r.sim().now() < r.scenario.duration_ms.us() {
        let before = r.sim().trace().len();
        r.step_one();
        if r.sim().trace().len() == before && r.sim().next_event_time().is_none() {
            break;
        }
        for e in r.sim().trace().last_step() {
            if let EventKind::Note { node, note } = &e.kind {
                out.push((e.time, *node, note.clone()));
            }
        }
    }
    (r, out)
}

// ----- witnesses -----

/// 2 full + 1 witness against 3 full, the leader (a full server) crashing:
/// both elect a full server, both keep committing, and the witness, which
/// voted and acknowledged throughout, applied nothing.
#[test]
fn a_witness_counts_for_quorums_but_never_leads_or_applies() {
    for id in ["witness-2-plus-1", "witness-3-full"] {
        let r = run_preset(id);
        let f = r.report().figures;
        assert!(f.leaders_by_term.len() >= 2, "{id}: the crash forced a second election");
        assert!(f.leaders_by_term.iter().all(|l| l.node != 2 || id == "witness-3-full"), "{id}: {f:?}");
        // Writes commit after the crash, so two of three servers (one of
        // them the witness, in the 2+1 case) make a quorum.
        let last = f.leaders_by_term.last().unwrap();
        let after = r.observed().commits.iter().filter(|c| c.0 > (last.elected_ms * 1000.0) as u64).count();
        assert!(after > 20, "{id}: only {after} commits after the failover");
    }
    let r = run_preset("witness-2-plus-1");
    let w = r.sim().node(2).unwrap();
    assert!(w.is_witness() && w.last_applied() == 0 && w.applied_requests() == 0);
    assert!(w.commit_index() > 100);
    // Metadata-only: the witness kept no client payloads.
    assert!(w.log().entries().all(|(_, e)| !matches!(e.payload, Payload::Client(_))));
    assert!(w.log().entries().any(|(_, e)| e.payload == Payload::Elided));
}

#[test]
fn a_full_log_witness_keeps_the_payloads() {
    let mut s = presets::find("witness-2-plus-1").unwrap().scenario().unwrap();
    let splitbrain::scenario::ProtocolSpec::Raft(p) = &mut s.protocol else { panic!("a Raft scenario") };
    p.witness_log = WitnessLog::Full;
    let mut r = Runner::new(s).unwrap();
    r.run_to_end();
    assert!(r.violations().is_empty(), "{:?}", r.violations());
    let w = r.sim().node(2).unwrap();
    assert!(w.log().entries().any(|(_, e)| matches!(e.payload, Payload::Client(_))));
    assert_eq!(w.last_applied(), 0, "a full-log witness still applies nothing");
}

/// Witness Never Leads: under chaos the correct witness is never elected,
/// and the checker catches the broken variant in which witnesses campaign.
#[test]
fn witnesses_never_lead_under_chaos_and_the_checker_catches_one_that_does() {
    let mut p = ChaosParams { nodes: 3, ..ChaosParams::default() };
    p.raft.witnesses = vec![2];
    for seed in 0..300 {
        let r = chaos::run(&p, seed);
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
    }
    p.raft.bug = Some(Bug::WitnessCampaigns);
    let caught = (0..50).find(|&seed| {
        let mut r = Runner::<splitbrain::protocols::raft::Raft>::with_checker(
            chaos::schedule(&p, seed),
            RaftChecker::new(&[Property::WitnessNeverLeads]),
        )
        .unwrap();
        r.run_to_end();
        !r.violations().is_empty()
    });
    assert!(caught.is_some(), "no witness was elected in 50 schedules with the bug");
}

// ----- rotation -----

/// Rotation hands leadership on in order every second, by transfer, and
/// the window without a leader that takes writes stays well below an
/// election timeout (no timeout is waited out).
#[test]
fn rotation_hands_over_in_order_with_a_short_unavailability_window() {
    let r = run_preset("rotation-under-load");
    let f = r.report().figures;
    let order: Vec<u32> = f.leaders_by_term.iter().map(|l| l.node).collect();
    assert!(order.len() >= 9, "{order:?}");
    for w in order.windows(2) {
        assert_eq!(w[1], (w[0] + 1) % 5, "not in order: {order:?}");
    }
    let rot: Vec<_> = f.handovers.iter().filter(|h| h.rotation).collect();
    assert!(rot.len() >= 8 && rot.iter().all(|h| h.completed));
    assert!(f.rotation_unavailable_ms.summary.max < 150.0, "{:?}", f.rotation_unavailable_ms);
    assert!(f.rotation_unavailable_ms.summary.mean > 5.0, "a hand-over takes at least a round trip");
}

#[test]
fn rotation_by_commit_count() {
    let mut s = presets::find("rotation-under-load").unwrap().scenario().unwrap();
    let splitbrain::scenario::ProtocolSpec::Raft(p) = &mut s.protocol else { panic!("a Raft scenario") };
    p.rotate_every_ms = None;
    p.rotate_every_commits = Some(100);
    let mut r = Runner::new(s).unwrap();
    r.run_to_end();
    let f = r.report().figures;
    // 500 requests over 10 s: a hand-over about every 100 commits.
    let n = f.handovers.iter().filter(|h| h.rotation && h.completed).count();
    assert!((3..=6).contains(&n), "{n} rotations: {:?}", f.handovers);
}

// ----- snapshots -----

/// A server down for a minute comes back to find its next entries compacted
/// away; the leader sends InstallSnapshot and it catches up.
#[test]
fn a_server_back_from_a_long_outage_catches_up_by_snapshot() {
    let (r, notes) = run_notes("long-outage-snapshot");
    let installed: Vec<_> =
        notes.iter().filter(|(_, n, note)| *n == 4 && matches!(note, Note::Installed { .. })).collect();
    assert_eq!(installed.len(), 1, "{installed:?}");
    println!("n4 installed {:?} at {} us", installed[0].2, installed[0].0);
    assert!(installed[0].0 >= 62_000 * MS, "installed only after the restart");
    assert!(notes.iter().any(|(_, n, note)| *n != 4 && matches!(note, Note::Compacted { .. })));
    let leader = r.sim().node(0).unwrap();
    let back = r.sim().node(4).unwrap();
    assert!(leader.log().snapshot_index() > 2_000, "the leader compacted: {}", leader.log().snapshot_index());
    assert!(leader.log().last_index() - leader.log().snapshot_index() <= 220);
    assert!(back.commit_index() + 5 >= leader.commit_index());
    assert!(back.applied_requests() + 5 >= leader.applied_requests() && back.applied_requests() > 3_000);
}

/// A restarted server rebuilds its state machine from its own snapshot.
#[test]
fn a_snapshot_survives_a_crash() {
    let mut s = presets::find("long-outage-snapshot").unwrap().scenario().unwrap();
    s.duration_ms = splitbrain::scenario::Millis(10_000 * MS);
    s.marks.clear();
    s.timeline = vec![splitbrain::scenario::TimedAction {
        at: splitbrain::scenario::Millis(9_000 * MS),
        action: splitbrain::scenario::Action::Crash { node: splitbrain::scenario::Target::Node(3) },
    }];
    let mut r = Runner::new(s).unwrap();
    r.run_until(9_000 * MS - 1);
    let before = r.sim().node(3).unwrap().snapshot();
    r.run_to_end();
    let persisted = r.sim().persisted(3).unwrap();
    assert_eq!(persisted.snapshot, before);
    assert!(persisted.log.snapshot_index() > 0 && before.applied_requests > 0);
}

// ----- membership -----

/// The preset grows 3 servers to 5, removes the leader and another: each
/// change waits for the previous one, a concurrent one is refused, and the
/// removed leader steps down once its removal commits (§4.1, §4.2.2).
#[test]
fn membership_changes_one_server_at_a_time() {
    let (r, notes) = run_notes("membership-change");
    let refused: Vec<_> = notes.iter().filter(|(_, _, n)| matches!(n, Note::ConfigRefused { .. })).collect();
    assert!(
        refused
            .iter()
            .any(|(_, _, n)| matches!(n, Note::ConfigRefused { reason, .. } if reason.contains("previous change"))),
        "{refused:?}"
    );
    // The remaining members agree; removed servers stop hearing of changes.
    for n in 2..5 {
        if let Some(s) = r.sim().node(n) {
            assert_eq!(s.members(), 0b11100, "n{n} uses {:b}", s.members());
        }
    }
    // n0 led term 1, was removed, and never led again.
    let f = r.report().figures;
    assert_eq!(f.leaders_by_term[0].node, 0);
    assert!(f.leaders_by_term[1..].iter().all(|l| l.node >= 2), "{:?}", f.leaders_by_term);
    let stepped_down = notes.iter().any(|(t, n, note)| {
        *n == 0
            && *t > 4_000 * MS
            && matches!(note, Note::Role { role: splitbrain::protocols::raft::Role::Follower, .. })
    });
    assert!(stepped_down);
}

// ----- everything at once -----

/// Chaos with leases (drift inside the bound), a witness, rotation,
/// snapshots, membership changes and reads, across cluster sizes: zero
/// violations of any of the eight properties.
#[test]
fn chaos_with_every_pattern_mixed_in_finds_no_violation() {
    let (mut installs, mut changes, mut rotations) = (0, 0, 0);
    for seed in 0..400u64 {
        let nodes = 3 + (seed % 5) as u32;
        let mut p = ChaosParams { nodes, clock_steps: false, reads: true, membership: true, ..ChaosParams::default() };
        p.raft.lease_drift_bound_ppm = Some(60_000);
        p.raft.prevote = seed % 2 == 0;
        p.raft.witnesses = vec![nodes - 1];
        p.raft.witness_log = if seed % 3 == 0 { WitnessLog::Full } else { WitnessLog::Metadata };
        if seed % 2 == 0 {
            p.raft.rotate_every_ms = Some(400.0);
        } else {
            p.raft.rotate_every_commits = Some(25);
        }
        p.raft.snapshot_every = Some(10 + seed % 20);
        let mut r = Runner::new(chaos::schedule(&p, seed)).unwrap();
        r.record(true);
        r.run_to_end();
        assert!(r.violations().is_empty(), "seed {seed} ({nodes} nodes): {:?}", r.violations());
        for l in r.take_log() {
            installs += u32::from(l.text().contains("installed snapshot"));
            changes += u32::from(l.text().contains("configuration {"));
            rotations += u32::from(l.text().contains("rotation: hand over"));
        }
    }
    println!("{installs} snapshot installs, {changes} configuration adoptions, {rotations} rotations");
    assert!(installs > 50 && changes > 200 && rotations > 200, "{installs} {changes} {rotations}");
}

/// The same mix with clocks drifting up to ±50% against a 1% bound: the
/// lease checker catches the overlap.
#[test]
fn chaos_with_every_pattern_and_drift_past_the_bound_breaks_leases() {
    let mut p = ChaosParams { clock_steps: false, max_drift_ppm: 500_000, membership: true, ..ChaosParams::default() };
    p.raft.lease_drift_bound_ppm = Some(10_000);
    p.raft.witnesses = vec![4];
    p.raft.rotate_every_ms = Some(400.0);
    p.raft.snapshot_every = Some(20);
    let caught = (0..1500).find(|&seed| {
        let mut r = Runner::<splitbrain::protocols::raft::Raft>::with_checker(
            chaos::schedule(&p, seed),
            RaftChecker::new(&[Property::LeaseExclusivity]),
        )
        .unwrap();
        r.run_to_end();
        !r.violations().is_empty()
    });
    assert!(caught.is_some(), "no lease overlap in 1500 schedules");
    println!("first overlap at seed {caught:?}");
}
