//! Single-event tests (Lamport, "Paxos Made Simple", 2001, §2): one message
//! or timer into one node, and the exact effects compared. Three nodes, with
//! n0 and n1 proposing.

use super::*;
use crate::sim::testkit::{Fx, Node};

fn cfg() -> PaxosConfig {
    PaxosConfig { nodes: 3, backoff: Backoff::Fixed, ..PaxosConfig::default() }
}

fn all(msg: Msg) -> Vec<Fx<Paxos>> {
    (0..3).map(|to| Fx::Send(to, msg.clone())).collect()
}

#[test]
fn a_proposer_starts_at_its_start_time_and_an_acceptor_waits() {
    assert_eq!(Node::<Paxos>::start(0, cfg()).1, vec![Fx::Set(Timer::Propose, 10_000)]);
    assert_eq!(Node::<Paxos>::start(2, cfg()).1, vec![]);
}

#[test]
fn phase_1a_picks_the_next_ballot_of_its_own_above_every_one_seen() {
    let mut p = Node::<Paxos>::new(1, cfg());
    let mut fx = vec![Fx::Note(Note::Ballot { ballot: 4 })];
    fx.extend(all(Msg::Prepare { ballot: 4 }));
    fx.push(Fx::Set(Timer::Propose, 100_000));
    assert_eq!(p.timer(Timer::Propose), fx, "round 1 of 3 nodes: 1·3 + 1; its timeout armed");
    // A refusal names ballot 9: after the fixed wait, the next try is above
    // it, in n1's series.
    let fx = p.msg(0, Msg::Nack { ballot: 4, promised: 9 });
    assert_eq!(fx, vec![Fx::Cancel(Timer::Propose), Fx::Set(Timer::Propose, 5_000)]);
    assert_eq!(p.timer(Timer::Propose)[0], Fx::Note(Note::Ballot { ballot: 13 }));
}

#[test]
fn an_acceptor_promises_a_higher_ballot_on_stable_storage_and_refuses_the_rest() {
    let mut a = Node::<Paxos>::new(2, cfg());
    assert_eq!(
        a.msg(0, Msg::Prepare { ballot: 3 }),
        vec![
            Fx::Persist,
            Fx::Note(Note::Promised { ballot: 3 }),
            Fx::Send(0, Msg::Promise { ballot: 3, accepted: None })
        ]
    );
    assert_eq!(a.msg(1, Msg::Prepare { ballot: 3 }), vec![Fx::Send(1, Msg::Nack { ballot: 3, promised: 3 })]);
    // P1a: no accepting below the promise; at or above it, accepted and
    // told to every learner.
    assert_eq!(
        a.msg(1, Msg::Accept { ballot: 1, value: 101 }),
        vec![Fx::Send(1, Msg::Nack { ballot: 1, promised: 3 })]
    );
    let mut fx = vec![Fx::Persist, Fx::Note(Note::Accepted { ballot: 3, value: 100 })];
    fx.extend(all(Msg::Accepted { ballot: 3, value: 100 }));
    assert_eq!(a.msg(0, Msg::Accept { ballot: 3, value: 100 }), fx);
    // A later promise reports what it accepted.
    assert_eq!(
        a.msg(1, Msg::Prepare { ballot: 4 })[2],
        Fx::Send(1, Msg::Promise { ballot: 4, accepted: Some((3, 100)) })
    );
    assert_eq!(a.node.persistent(), Persistent { promised: 4, accepted: Some((3, 100)) });
}

#[test]
fn phase_2a_carries_the_highest_accepted_value_or_its_own() {
    let mut p = Node::<Paxos>::new(1, cfg());
    p.timer(Timer::Propose);
    assert_eq!(p.msg(0, Msg::Promise { ballot: 4, accepted: Some((2, 102)) }), vec![], "one promise of the two needed");
    let mut fx = vec![Fx::Note(Note::Proposed { ballot: 4, value: 102 })];
    fx.extend(all(Msg::Accept { ballot: 4, value: 102 }));
    assert_eq!(p.msg(2, Msg::Promise { ballot: 4, accepted: Some((1, 100)) }), fx, "the higher-numbered one, 102@b2");
    // With no accepted value reported, its own (100 + its id).
    let mut q = Node::<Paxos>::new(1, cfg());
    q.timer(Timer::Propose);
    q.msg(0, Msg::Promise { ballot: 4, accepted: None });
    assert_eq!(
        q.msg(1, Msg::Promise { ballot: 4, accepted: None })[0],
        Fx::Note(Note::Proposed { ballot: 4, value: 101 })
    );
    // The broken proposer keeps its own value regardless.
    let mut r = Node::<Paxos>::new(1, PaxosConfig { bug: Some(Bug::IgnoreAccepted), ..cfg() });
    r.timer(Timer::Propose);
    r.msg(0, Msg::Promise { ballot: 4, accepted: Some((2, 102)) });
    assert_eq!(
        r.msg(2, Msg::Promise { ballot: 4, accepted: None })[0],
        Fx::Note(Note::Proposed { ballot: 4, value: 101 })
    );
}

#[test]
fn a_learner_learns_from_a_majority_in_one_ballot_and_a_proposer_then_stops() {
    let mut p = Node::<Paxos>::new(0, cfg());
    p.timer(Timer::Propose);
    assert_eq!(p.msg(1, Msg::Accepted { ballot: 5, value: 101 }), vec![]);
    assert_eq!(p.msg(2, Msg::Accepted { ballot: 7, value: 101 }), vec![], "two ballots: no majority in either");
    assert_eq!(
        p.msg(2, Msg::Accepted { ballot: 5, value: 101 }),
        vec![Fx::Note(Note::Learned { value: 101 }), Fx::Cancel(Timer::Propose)]
    );
    assert_eq!(p.node.learned(), Some(101));
    assert_eq!(p.timer(Timer::Propose), vec![], "a proposer that knows the value proposes no more");
}

#[test]
fn a_restarted_acceptor_remembers_its_promise_unless_broken() {
    let kept = Persistent { promised: 7, accepted: Some((7, 101)) };
    let a = Paxos::boot(2, &cfg(), Some(kept.clone()));
    assert_eq!((a.promised(), a.accepted()), (7, Some((7, 101))));
    let b = Paxos::boot(2, &PaxosConfig { bug: Some(Bug::ForgetPromise), ..cfg() }, Some(kept));
    assert_eq!((b.promised(), b.accepted()), (0, None));
}
