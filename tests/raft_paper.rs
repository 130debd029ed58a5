//! Raft's rules as tests, each naming the claim it checks and citing the
//! paper (Ongaro & Ousterhout 2014) or the dissertation (Ongaro 2014).

use splitbrain::protocols::raft::{cluster, Cmd, Note, Raft, RaftConfig, Role};
use splitbrain::sim::network::{DropReason, LinkConfig};
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{NodeStatus, Sim, MS, SEC};

fn cluster_of(n: u32, seed: u64, cfg: RaftConfig) -> Sim<Raft> {
    Sim::new(RaftConfig { nodes: n, ..cfg }, n, seed, LinkConfig::default())
}

fn elect(sim: &mut Sim<Raft>) -> u32 {
    let deadline = sim.now() + 10 * SEC;
    while cluster::leader(sim).is_none() && sim.now() < deadline {
        sim.step();
    }
    cluster::leader(sim).expect("a leader within 10 s")
}

fn term(sim: &Sim<Raft>, n: u32) -> u64 {
    sim.node(n).map(Raft::term).unwrap()
}

/// Raft §5.2: a cluster elects a leader within a few election timeouts, for
/// every cluster size from 1 to 15.
#[test]
fn a_leader_is_elected_within_two_seconds_for_every_cluster_size() {
    for n in 1..=15 {
        for seed in 0..20 {
            let mut sim = cluster_of(n, seed, RaftConfig::default());
            sim.run_until(2 * SEC);
            assert!(cluster::leader(&sim).is_some(), "{n} servers, seed {seed}: no leader after 2 s");
        }
    }
}

/// Raft §5.1: a server that sees a higher term becomes a follower of it; an
/// old leader cut off from the majority is deposed when it rejoins.
#[test]
fn a_deposed_leader_steps_down_on_seeing_a_higher_term() {
    let mut sim = cluster_of(5, 3, RaftConfig::default());
    let old = elect(&mut sim);
    let old_term = term(&sim, old);
    sim.isolate(old);
    sim.run_until(sim.now() + 2 * SEC);
    let new = cluster::leader(&sim).unwrap();
    assert_ne!(new, old);
    assert!(term(&sim, new) > old_term);
    assert_eq!(sim.node(old).unwrap().role(), Role::Leader, "without CheckQuorum the old leader lingers");
    assert_eq!(term(&sim, old), old_term);
    sim.heal_all();
    sim.run_until(sim.now() + SEC);
    assert_eq!(sim.node(old).unwrap().role(), Role::Follower);
    assert_eq!(term(&sim, old), term(&sim, new));
}

/// Raft §5.3: an entry commits once the leader has stored it on a majority,
/// and not before.
#[test]
fn leader_commits_an_entry_only_once_a_majority_stores_it() {
    let mut sim = cluster_of(5, 4, RaftConfig::default());
    let leader = elect(&mut sim);
    sim.run_until(sim.now() + 200 * MS);
    let followers: Vec<u32> = (0..5).filter(|n| *n != leader).collect();
    // Two followers down: leader + 2 of 5 is a majority.
    sim.crash(followers[0]);
    sim.crash(followers[1]);
    sim.command(leader, Cmd::Request(7));
    sim.run_until(sim.now() + 200 * MS);
    let r = sim.node(leader).unwrap();
    let idx = r.log().last_index();
    assert_eq!(r.commit_index(), idx, "3 of 5 store it: committed");
    // Three followers down: leader + 1 of 5 is not.
    sim.crash(followers[2]);
    sim.command(leader, Cmd::Request(8));
    sim.run_until(sim.now() + SEC);
    let r = sim.node(leader).unwrap();
    assert_eq!(r.log().last_index(), idx + 1);
    assert_eq!(r.commit_index(), idx, "2 of 5 store it: not committed");
}

/// Raft §5.4.2 (Figure 8): a leader does not commit an entry from an earlier
/// term by counting replicas, so the entry that Figure 8 loses was never
/// committed, and no server applies a different entry at its index.
#[test]
fn leader_never_commits_earlier_term_entries_by_counting_replicas() {
    use splitbrain::scenario::{ProtocolSpec, Runner, Scenario};
    let mut s = Scenario::from_json(splitbrain::experiments::golden::FIGURE_8).unwrap();
    let ProtocolSpec::Raft(p) = &mut s.protocol else { panic!("a Raft scenario") };
    p.bug = None;
    let mut r = Runner::new(s).unwrap();
    r.run_until(299 * MS);
    // n0 leads term 3 and its term-1 entry at index 2 sits on a majority...
    let n0 = r.sim().node(0).unwrap();
    assert_eq!((n0.role(), n0.term()), (Role::Leader, 3));
    let on_majority = (0..5).filter(|n| r.sim().node(*n).and_then(|x| x.log().term_at(2)) == Some(1)).count();
    assert!(on_majority >= 3, "index 2 (term 1) is on {on_majority} servers");
    // ...but it is not committed, because it is not of term 3. (n0 restarted
    // with commitIndex 0 and can advance it only through a term-3 entry.)
    assert!(n0.commit_index() < 2, "commit index {}", n0.commit_index());
    r.run_to_end();
    assert!(r.violations().is_empty(), "{:?}", r.violations());
}

/// Figure 2: currentTerm, votedFor and the log survive a crash; commitIndex
/// and lastApplied are volatile and are recovered from the leader.
#[test]
fn persistent_state_survives_a_crash_and_volatile_state_is_rebuilt() {
    let mut sim = cluster_of(3, 5, RaftConfig::default());
    let leader = elect(&mut sim);
    for id in 1..=5 {
        sim.command(leader, Cmd::Request(id));
    }
    sim.run_until(sim.now() + 300 * MS);
    let f = (leader + 1) % 3;
    let before = sim.node(f).unwrap().clone();
    assert!(before.commit_index() >= 5);
    sim.crash(f);
    assert!(sim.node(f).is_none());
    assert_eq!(sim.status(f), NodeStatus::Crashed);
    let kept = sim.persisted(f).unwrap();
    assert_eq!((kept.current_term, kept.voted_for), (before.term(), before.voted_for()));
    assert_eq!(&kept.log, before.log());
    sim.restart(f);
    let after = sim.node(f).unwrap();
    assert_eq!((after.term(), after.voted_for()), (before.term(), before.voted_for()));
    assert_eq!(after.log(), before.log());
    assert_eq!((after.commit_index(), after.last_applied()), (0, 0));
    sim.run_until(sim.now() + 300 * MS);
    let after = sim.node(f).unwrap();
    assert_eq!(after.commit_index(), before.commit_index());
    assert_eq!(after.applied_requests(), 5);
}

/// Dissertation §9.6: with PreVote, a server cut off from the cluster does
/// not inflate its term, so it cannot depose the leader when it returns.
#[test]
fn prevote_stops_an_isolated_server_from_inflating_its_term() {
    for (prevote, grows) in [(false, true), (true, false)] {
        let mut sim = cluster_of(5, 6, RaftConfig { prevote, ..RaftConfig::default() });
        let leader = elect(&mut sim);
        let t0 = term(&sim, leader);
        let f = (leader + 1) % 5;
        sim.isolate(f);
        sim.run_until(sim.now() + 3 * SEC);
        assert_eq!(term(&sim, f) > t0 + 3, grows, "prevote={prevote}: isolated term {}", term(&sim, f));
        sim.heal_all();
        sim.run_until(sim.now() + SEC);
        let deposed = cluster::leader(&sim) != Some(leader);
        assert_eq!(deposed, grows, "prevote={prevote}: the rejoining server deposed the leader");
    }
}

/// Dissertation §6.2: with CheckQuorum, a leader that hears from no majority
/// for an election timeout steps down; without it, it stays leader.
#[test]
fn check_quorum_makes_an_isolated_leader_step_down_within_an_election_timeout() {
    for check_quorum in [false, true] {
        let cfg = RaftConfig { check_quorum, ..RaftConfig::default() };
        let mut sim = cluster_of(5, 7, cfg.clone());
        let leader = elect(&mut sim);
        sim.run_until(sim.now() + 500 * MS);
        sim.isolate(leader);
        let cut_at = sim.now();
        let mut stepped_down_at = None;
        while sim.now() < cut_at + 2 * SEC {
            sim.step();
            for e in sim.trace().last_step() {
                if let EventKind::Note { node, note: Note::StepDown { .. } } = e.kind {
                    if node == leader && stepped_down_at.is_none() {
                        stepped_down_at = Some(e.time);
                    }
                }
            }
        }
        match stepped_down_at {
            Some(t) => {
                assert!(check_quorum);
                // The check runs every minimum election timeout; the first
                // one after the cut may still count old replies, the second cannot.
                assert!(t - cut_at <= 2 * cfg.election_timeout_min_us, "stepped down after {} us", t - cut_at);
                assert_ne!(sim.node(leader).unwrap().role(), Role::Leader);
            }
            None => {
                assert!(!check_quorum, "CheckQuorum leader never stepped down");
                assert_eq!(sim.node(leader).unwrap().role(), Role::Leader);
            }
        }
    }
}

/// Dissertation §3.10: leadership transfer catches the target up, sends
/// TimeoutNow, and the target wins the next term at once.
#[test]
fn leadership_transfer_hands_over_to_the_target_within_an_election_timeout() {
    let cfg = RaftConfig::default();
    let mut sim = cluster_of(5, 8, cfg.clone());
    let leader = elect(&mut sim);
    let t0 = term(&sim, leader);
    sim.run_until(sim.now() + 300 * MS);
    let target = (leader + 2) % 5;
    let start = sim.now();
    sim.command(leader, Cmd::TransferLeadership(target));
    while cluster::leader(&sim) != Some(target) && sim.now() < start + 5 * SEC {
        sim.step();
    }
    assert_eq!(cluster::leader(&sim), Some(target));
    assert_eq!(term(&sim, target), t0 + 1);
    assert!(sim.now() - start < cfg.election_timeout_min_us, "took {} us", sim.now() - start);
}

/// Dissertation §3.10: a transfer that does not finish within an election
/// timeout is aborted, and the leader takes client requests again.
#[test]
fn leadership_transfer_aborts_after_an_election_timeout() {
    let cfg = RaftConfig::default();
    let mut sim = cluster_of(5, 9, cfg.clone());
    let leader = elect(&mut sim);
    sim.run_until(sim.now() + 300 * MS);
    let target = (leader + 1) % 5;
    sim.crash(target);
    let start = sim.now();
    sim.command(leader, Cmd::TransferLeadership(target));
    sim.command(leader, Cmd::Request(1));
    assert!(sim
        .trace()
        .last_step()
        .iter()
        .any(|e| matches!(e.kind, EventKind::Note { note: Note::Rejected { .. }, .. })));
    let mut aborted = None;
    while aborted.is_none() && sim.now() < start + 5 * SEC {
        sim.step();
        if sim
            .trace()
            .last_step()
            .iter()
            .any(|e| matches!(e.kind, EventKind::Note { note: Note::TransferAbort { .. }, .. }))
        {
            aborted = Some(sim.now() - start);
        }
    }
    assert_eq!(aborted, Some(cfg.election_timeout_min_us));
    assert_eq!(cluster::leader(&sim), Some(leader));
    sim.command(leader, Cmd::Request(2));
    assert!(sim
        .trace()
        .last_step()
        .iter()
        .any(|e| matches!(e.kind, EventKind::Note { note: Note::Accepted { id: 2, .. }, .. })));
}

/// Law 6 (docs/architecture.md): a paused node keeps its state; messages wait for it and are
/// handled on resume, and its timers do not fire while it is paused.
#[test]
fn a_paused_node_keeps_its_state_and_handles_what_waited_on_resume() {
    let mut sim = cluster_of(3, 10, RaftConfig::default());
    let leader = elect(&mut sim);
    let f = (leader + 1) % 3;
    sim.pause(f);
    let before = sim.node(f).unwrap().log().last_index();
    for id in 1..=3 {
        sim.command(leader, Cmd::Request(id));
    }
    sim.run_until(sim.now() + 2 * SEC);
    let paused = sim.node(f).unwrap();
    assert_eq!(paused.log().last_index(), before, "a paused node handles nothing");
    assert_eq!(paused.role(), Role::Follower, "its election timer did not fire");
    sim.resume(f);
    sim.run_until(sim.now() + 300 * MS);
    assert_eq!(sim.node(f).unwrap().log().last_index(), sim.node(leader).unwrap().log().last_index());
}

/// A message sent on a cut link is dropped with reason "link down"; the
/// other direction still works.
#[test]
fn a_cut_link_drops_its_messages_one_direction_only() {
    let mut sim = cluster_of(3, 11, RaftConfig::default());
    let leader = elect(&mut sim);
    let f = (leader + 1) % 3;
    sim.cut(leader, f);
    let (mut dropped, mut delivered_back) = (0, 0);
    // Shorter than an election timeout, so the leader stays leader.
    let end = sim.now() + 140 * MS;
    while sim.now() < end {
        sim.step();
        for e in sim.trace().last_step() {
            match e.kind {
                EventKind::Drop { from, to, reason: DropReason::LinkDown, .. } if from == leader && to == f => {
                    dropped += 1
                }
                EventKind::Deliver { from, to, .. } if from == leader && to == f => {
                    panic!("delivered on a cut link")
                }
                EventKind::Deliver { from, to, .. } if from == f && to == leader => delivered_back += 1,
                _ => {}
            }
        }
    }
    assert!(dropped >= 1, "{dropped} drops");
    assert!(delivered_back > 0, "the reverse direction works");
}

/// Law 2 (docs/architecture.md): timers run on the node's own clock. With a fixed 150 ms
/// election timeout, a clock running 50% fast fires at 100 ms of true time
/// and one running 50% slow at 300 ms.
#[test]
fn timers_fire_on_the_nodes_own_clock() {
    let cfg = RaftConfig {
        nodes: 3,
        election_timeout_min_us: 150 * MS,
        election_timeout_max_us: 150 * MS,
        ..RaftConfig::default()
    };
    let mut sim: Sim<Raft> = Sim::new(cfg, 3, 1, LinkConfig::default());
    sim.skew(0, 0, 500_000);
    sim.skew(2, 0, -500_000);
    // Alone, nobody's vote request resets anybody else's timer.
    sim.partition(vec![vec![0], vec![1], vec![2]]);
    let mut first = [None; 3];
    while first.iter().any(Option::is_none) && sim.now() < SEC {
        sim.step();
        for e in sim.trace().last_step() {
            if let EventKind::Timer { node, .. } = e.kind {
                first[node as usize].get_or_insert(e.time);
            }
        }
    }
    assert_eq!(first[0], Some(100 * MS));
    assert_eq!(first[1], Some(150 * MS));
    assert_eq!(first[2], Some(300 * MS));
}
