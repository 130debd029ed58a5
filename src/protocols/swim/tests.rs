//! Single-event tests (Das, Gupta and Motivala, SWIM, DSN 2002, §3–§4):
//! one message or timer into one member, and the exact effects compared.
//! Two members (or three, where an indirect probe needs a helper), so the
//! target of a probe is known.

use super::*;
use crate::sim::rng::Rng;
use crate::sim::testkit::{Fx, Node};

const PERIOD: u64 = 1_000_000;
const SUSPICION: u64 = 5_000_000;

fn cfg(nodes: u32) -> SwimConfig {
    SwimConfig { nodes, period_us: PERIOD, indirect: nodes.saturating_sub(2).min(1), ..SwimConfig::default() }
}

fn up(member: NodeId, status: Status, incarnation: u64) -> Update {
    Update { member, status, incarnation }
}

fn marked(member: NodeId, status: Status, incarnation: u64, first_hand: bool) -> Fx<Swim> {
    Fx::Note(Note::Marked { member, status, incarnation, first_hand })
}

/// Member 0 after its first period: it pinged member 1 with seq 1.
fn probing() -> Node<Swim> {
    let mut s = Node::<Swim>::new(0, cfg(2));
    s.timer(Timer::Period);
    s
}

#[test]
fn a_member_starts_its_first_period_at_a_random_phase() {
    let (_, fx) = Node::<Swim>::start(0, cfg(2));
    // The phase is the member's first draw from its own stream.
    let phase = Rng::new(1, 0).below(PERIOD);
    assert_eq!(fx, vec![Fx::Set(Timer::Period, phase + 1)]);
}

#[test]
fn each_period_pings_one_member_and_arms_the_ack_timeout() {
    let mut s = Node::<Swim>::new(0, cfg(2));
    assert_eq!(
        s.timer(Timer::Period),
        vec![
            Fx::Send(1, Msg::Ping { seq: 1, updates: vec![] }),
            Fx::Set(Timer::AckTimeout(1), PERIOD / 3),
            Fx::Set(Timer::Period, PERIOD),
        ]
    );
}

#[test]
fn a_ping_is_acked_with_its_sequence_number() {
    let mut s = Node::<Swim>::new(1, cfg(2));
    assert_eq!(
        s.msg(0, Msg::Ping { seq: 7, updates: vec![] }),
        vec![Fx::Send(0, Msg::Ack { seq: 7, updates: vec![] })]
    );
}

#[test]
fn no_direct_ack_in_time_asks_helpers_to_probe_indirectly() {
    // §3.1: k members are asked to ping the target on the prober's behalf.
    let mut s = Node::<Swim>::new(0, cfg(3));
    let ping = s.timer(Timer::Period);
    let target = match &ping[0] {
        Fx::Send(t, Msg::Ping { .. }) => *t,
        other => panic!("expected a ping first, got {other:?}"),
    };
    let helper = 3 - target; // the member that is neither 0 nor the target
    assert_eq!(s.timer(Timer::AckTimeout(1)), vec![Fx::Send(helper, Msg::PingReq { seq: 1, target, updates: vec![] })]);
}

#[test]
fn an_acked_probe_suspects_nobody() {
    let mut s = probing();
    assert_eq!(s.msg(1, Msg::Ack { seq: 1, updates: vec![] }), vec![]);
    let next = s.timer(Timer::Period);
    assert!(next.iter().all(|f| !matches!(f, Fx::Note(_))), "{next:?}");
    assert_eq!(s.node.status_of(1), Status::Alive);
}

#[test]
fn an_unanswered_probe_makes_the_target_suspect_and_the_suspicion_is_gossiped() {
    // §4.2: a member that fails a probe is suspected, not declared failed.
    let mut s = probing();
    assert_eq!(
        s.timer(Timer::Period),
        vec![
            marked(1, Status::Suspect, 0, true),
            Fx::Set(Timer::Suspicion(1), SUSPICION),
            Fx::Send(1, Msg::Ping { seq: 2, updates: vec![up(1, Status::Suspect, 0)] }),
            Fx::Set(Timer::AckTimeout(2), PERIOD / 3),
            Fx::Set(Timer::Period, PERIOD),
        ]
    );
}

#[test]
fn without_suspicion_an_unanswered_probe_declares_the_target_failed() {
    // §3: the basic protocol declares a silent member failed at once.
    let mut s = Node::<Swim>::new(0, SwimConfig { suspicion_us: None, ..cfg(2) });
    s.timer(Timer::Period);
    assert_eq!(
        s.timer(Timer::Period),
        vec![marked(1, Status::Failed, 0, true), Fx::Cancel(Timer::Suspicion(1)), Fx::Set(Timer::Period, PERIOD)]
    );
}

#[test]
fn a_suspicion_that_times_out_declares_the_member_failed_unless_the_bug_forgets_to() {
    let mut s = probing();
    s.timer(Timer::Period);
    assert_eq!(s.timer(Timer::Suspicion(1)), vec![marked(1, Status::Failed, 0, true), Fx::Cancel(Timer::Suspicion(1))]);
    let mut broken = Node::<Swim>::new(0, SwimConfig { bug: Some(Bug::SuspectForever), ..cfg(2) });
    broken.timer(Timer::Period);
    broken.timer(Timer::Period);
    assert_eq!(broken.timer(Timer::Suspicion(1)), vec![], "SuspectForever never declares");
    assert_eq!(broken.node.status_of(1), Status::Suspect);
}

#[test]
fn a_member_refutes_a_suspicion_of_itself_with_a_higher_incarnation() {
    // §4.2: on hearing it is suspected, a member raises its incarnation
    // and gossips that it is alive.
    let mut s = Node::<Swim>::new(1, cfg(2));
    assert_eq!(
        s.msg(0, Msg::Ping { seq: 3, updates: vec![up(1, Status::Suspect, 0)] }),
        vec![
            Fx::Note(Note::Refuted { incarnation: 1 }),
            Fx::Send(0, Msg::Ack { seq: 3, updates: vec![up(1, Status::Alive, 1)] }),
        ]
    );
    assert_eq!(s.node.incarnation(), 1);
}

#[test]
fn alive_overrides_suspect_only_with_a_higher_incarnation() {
    let mut s = probing();
    s.timer(Timer::Period); // n1 is suspect@0
    assert_eq!(s.msg(1, Msg::Ack { seq: 9, updates: vec![up(1, Status::Alive, 0)] }), vec![]);
    assert_eq!(s.node.status_of(1), Status::Suspect);
    assert_eq!(
        s.msg(1, Msg::Ack { seq: 9, updates: vec![up(1, Status::Alive, 1)] }),
        vec![marked(1, Status::Alive, 1, false), Fx::Cancel(Timer::Suspicion(1))]
    );
}

#[test]
fn failed_overrides_everything_and_nothing_overrides_failed() {
    let mut s = Node::<Swim>::new(0, cfg(2));
    assert_eq!(
        s.msg(1, Msg::Ack { seq: 9, updates: vec![up(1, Status::Failed, 0)] }),
        vec![marked(1, Status::Failed, 0, false), Fx::Cancel(Timer::Suspicion(1))]
    );
    assert_eq!(s.msg(1, Msg::Ack { seq: 9, updates: vec![up(1, Status::Alive, 5)] }), vec![]);
    assert_eq!(s.node.status_of(1), Status::Failed);
    // A failed member is no longer probed.
    assert_eq!(s.timer(Timer::Period), vec![Fx::Set(Timer::Period, PERIOD)]);
}

#[test]
fn a_helper_forwards_an_indirect_probe_and_relays_the_ack() {
    let mut helper = Node::<Swim>::new(2, cfg(3));
    assert_eq!(
        helper.msg(0, Msg::PingReq { seq: 4, target: 1, updates: vec![] }),
        vec![Fx::Send(1, Msg::Ping { seq: 1, updates: vec![] })]
    );
    assert_eq!(
        helper.msg(1, Msg::Ack { seq: 1, updates: vec![] }),
        vec![Fx::Send(0, Msg::IndirectAck { seq: 4, updates: vec![] })]
    );
    // A second ack for the same probe is not relayed again.
    assert_eq!(helper.msg(1, Msg::Ack { seq: 1, updates: vec![] }), vec![]);
}

#[test]
fn an_indirect_ack_counts_as_an_answer() {
    let mut s = probing();
    assert_eq!(s.msg(2, Msg::IndirectAck { seq: 1, updates: vec![] }), vec![]);
    let next = s.timer(Timer::Period);
    assert!(next.iter().all(|f| !matches!(f, Fx::Note(_))), "{next:?}");
}

#[test]
fn a_restarted_member_rejoins_with_a_higher_incarnation_and_says_so() {
    let mut s = Node::<Swim>::new(1, cfg(2));
    s.restart();
    assert_eq!(s.node.incarnation(), 1);
    assert_eq!(s.timer(Timer::Period)[0], Fx::Send(0, Msg::Ping { seq: 1, updates: vec![up(1, Status::Alive, 1)] }));
}
