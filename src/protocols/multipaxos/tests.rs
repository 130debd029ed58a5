//! Single-event tests (Lamport, "Paxos Made Simple", 2001, §3): one
//! message, timer or command into one node, and the effects compared.
//! Three nodes.

use super::*;
use crate::sim::testkit::{notes, sends, Fx, Node};

fn cfg() -> MultiPaxosConfig {
    MultiPaxosConfig { nodes: 3, ..MultiPaxosConfig::default() }
}

/// n0, made leader of ballot 3 (round 1 · 3 nodes + 0) with promises
/// from itself and n1 that report `reported` in n1's.
fn leader(reported: Vec<(u64, Accepted)>) -> (Node<MultiPaxos>, Vec<Fx<MultiPaxos>>) {
    let mut n = Node::<MultiPaxos>::new(0, cfg());
    let fx = n.timer(Timer::Election);
    assert_eq!(notes(&fx), vec![Note::Ballot { ballot: 3 }], "it heard no leader, so it runs phase 1");
    assert!(sends(&fx).iter().all(|(_, m)| *m == Msg::Prepare { ballot: 3, from: 0 }));
    n.msg(0, Msg::Prepare { ballot: 3, from: 0 });
    n.msg(0, Msg::Promise { ballot: 3, accepted: vec![] });
    let fx = n.msg(1, Msg::Promise { ballot: 3, accepted: reported });
    assert!(n.node.leading());
    (n, fx)
}

#[test]
fn a_leader_proposes_what_promises_report_and_fills_gaps_with_noops() {
    let (_, fx) = leader(vec![(0, (1, Value::Write(7))), (2, (2, Value::Write(9)))]);
    let proposed: Vec<(u64, Value)> = sends(&fx)
        .into_iter()
        .filter(|(to, _)| *to == 2)
        .filter_map(|(_, m)| if let Msg::Accept { slot, value, .. } = m { Some((slot, value)) } else { None })
        .collect();
    // Slots 0 to 2 once each (the heartbeat that follows re-sends them).
    assert_eq!(&proposed[..3], &[(0, Value::Write(7)), (1, Value::Noop), (2, Value::Write(9))]);
    assert_eq!(notes(&fx), vec![Note::Elected { ballot: 3 }]);
}

#[test]
fn one_phase_1_then_each_command_takes_phase_2_alone_and_is_chosen_by_a_quorum() {
    let (mut n, _) = leader(vec![]);
    let fx = n.cmd(Cmd::Request(1));
    assert_eq!(
        sends(&fx),
        (0..3)
            .map(|to| (to, Msg::Accept { ballot: 3, slot: 0, value: Value::Write(1), commit: 0 }))
            .collect::<Vec<_>>()
    );
    n.msg(0, Msg::Accept { ballot: 3, slot: 0, value: Value::Write(1), commit: 0 });
    assert!(notes(&n.msg(0, Msg::Accepted { ballot: 3, slot: 0 })).is_empty(), "one of three is no majority");
    let fx = n.msg(2, Msg::Accepted { ballot: 3, slot: 0 });
    assert_eq!(
        notes(&fx),
        vec![
            Note::Learned { slot: 0, value: Value::Write(1) },
            Note::Applied { slot: 0, value: Value::Write(1) },
            Note::Replied { value: Value::Write(1), writes: 1 }
        ]
    );
    // A read goes through the log too, and returns the writes before it.
    n.cmd(Cmd::Read(1));
    n.msg(0, Msg::Accepted { ballot: 3, slot: 1 });
    let fx = n.msg(1, Msg::Accepted { ballot: 3, slot: 1 });
    assert_eq!(notes(&fx).last(), Some(&Note::Replied { value: Value::Read(1), writes: 1 }));
}

#[test]
fn an_acceptor_keeps_one_promise_for_every_slot_and_reports_what_it_accepted() {
    let mut a = Node::<MultiPaxos>::new(2, cfg());
    a.msg(0, Msg::Prepare { ballot: 3, from: 0 });
    a.msg(0, Msg::Accept { ballot: 3, slot: 4, value: Value::Write(2), commit: 0 });
    assert_eq!(
        a.msg(1, Msg::Accept { ballot: 1, slot: 5, value: Value::Write(3), commit: 0 }),
        vec![Fx::Send(1, Msg::Nack { ballot: 1, promised: 3 })],
        "a lower ballot is refused in a slot it never saw"
    );
    let fx = a.msg(1, Msg::Prepare { ballot: 4, from: 2 });
    assert_eq!(fx[0], Fx::Persist);
    assert_eq!(sends(&fx), vec![(1, Msg::Promise { ballot: 4, accepted: vec![(4, (3, Value::Write(2)))] })]);
    // It survives a restart.
    a.restart();
    assert_eq!((a.node.promised(), a.node.accepted(4)), (4, Some((3, Value::Write(2)))));
}

#[test]
fn a_follower_that_heard_its_leader_waits_another_timeout() {
    let mut f = Node::<MultiPaxos>::new(1, cfg());
    f.msg(0, Msg::Heartbeat { ballot: 3, commit: 0 });
    let fx = f.timer(Timer::Election);
    assert!(notes(&fx).is_empty() && sends(&fx).is_empty(), "{fx:?}");
    assert!(matches!(fx[..], [Fx::Set(Timer::Election, t)] if (300_000..600_000).contains(&t)));
    assert_eq!(
        notes(&f.timer(Timer::Election)),
        vec![Note::Ballot { ballot: 7 }],
        "then, hearing nothing, it runs above b3: round 2 · 3 + 1"
    );
}

#[test]
fn a_follower_learns_what_the_leader_says_is_chosen_and_asks_for_what_it_missed() {
    let mut f = Node::<MultiPaxos>::new(1, cfg());
    f.msg(0, Msg::Accept { ballot: 3, slot: 1, value: Value::Write(5), commit: 0 });
    let fx = f.msg(0, Msg::Heartbeat { ballot: 3, commit: 2 });
    assert_eq!(
        notes(&fx),
        vec![Note::Learned { slot: 1, value: Value::Write(5) }],
        "slot 1, not applied: 0 is missing"
    );
    assert_eq!(sends(&fx), vec![(0, Msg::Behind { ballot: 3, have: 0 })]);
    let fx = f.msg(0, Msg::Learn { entries: vec![(0, Value::Noop)] });
    assert_eq!(
        notes(&fx),
        vec![
            Note::Learned { slot: 0, value: Value::Noop },
            Note::Applied { slot: 0, value: Value::Noop },
            Note::Applied { slot: 1, value: Value::Write(5) }
        ]
    );
    assert_eq!(f.node.applied(), (2, 1));
}

#[test]
fn a_node_not_leading_turns_commands_away_and_a_stale_leader_steps_down() {
    let mut f = Node::<MultiPaxos>::new(1, cfg());
    assert_eq!(notes(&f.cmd(Cmd::Request(1))), vec![Note::Refused { value: Value::Write(1) }]);
    let (mut n, _) = leader(vec![]);
    n.msg(2, Msg::Nack { ballot: 3, promised: 5 });
    assert!(!n.node.leading());
    assert_eq!(notes(&n.cmd(Cmd::Read(1))), vec![Note::Refused { value: Value::Read(1) }]);
}

#[test]
fn the_broken_variants_do_what_they_say() {
    // A leader that ignores reported values starts at its own learned end.
    let bad = |bug| MultiPaxosConfig { bug: Some(bug), ..cfg() };
    let mut n = Node::<MultiPaxos>::new(0, bad(Bug::IgnoreAccepted));
    n.timer(Timer::Election);
    n.msg(0, Msg::Promise { ballot: 3, accepted: vec![] });
    n.msg(1, Msg::Promise { ballot: 3, accepted: vec![(0, (1, Value::Write(7)))] });
    let fx = n.cmd(Cmd::Request(1));
    assert!(sends(&fx).contains(&(1, Msg::Accept { ballot: 3, slot: 0, value: Value::Write(1), commit: 0 })));
    // A learner that applies past a gap.
    let mut f = Node::<MultiPaxos>::new(1, bad(Bug::ApplyGaps));
    let fx = f.msg(0, Msg::Learn { entries: vec![(1, Value::Write(5))] });
    assert!(notes(&fx).contains(&Note::Applied { slot: 1, value: Value::Write(5) }));
    // A leader that answers a read at once.
    let mut l = Node::<MultiPaxos>::new(0, bad(Bug::LocalReads));
    l.timer(Timer::Election);
    l.msg(0, Msg::Promise { ballot: 3, accepted: vec![] });
    l.msg(1, Msg::Promise { ballot: 3, accepted: vec![] });
    assert_eq!(notes(&l.cmd(Cmd::Read(1))), vec![Note::Replied { value: Value::Read(1), writes: 0 }]);
}
