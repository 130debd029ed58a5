//! Single-event tests (Kleppmann 2016; Chubby §2.4): the service, the
//! resource and a client, each given one message or timer.

use super::*;
use crate::sim::testkit::{Fx, Node};

fn cfg() -> FencingConfig {
    FencingConfig::default()
}

#[test]
fn the_service_registers_a_new_token_with_the_resource_before_granting_it() {
    let mut s = Node::<Fencing>::new(SERVICE, cfg());
    assert_eq!(s.msg(2, Msg::Acquire), vec![Fx::Persist, Fx::Send(RESOURCE, Msg::Fence { token: 1 })]);
    assert_eq!(s.msg(3, Msg::Acquire), vec![Fx::Send(3, Msg::Busy)], "one lease at a time");
    assert_eq!(
        s.msg(RESOURCE, Msg::FenceAck { token: 1 }),
        vec![
            Fx::Note(Note::Granted { token: 1, client: 2 }),
            Fx::Send(2, Msg::Granted { token: 1, lease_us: 100_000 })
        ]
    );
    assert_eq!(s.msg(3, Msg::Acquire), vec![Fx::Send(3, Msg::Busy)]);
    s.msg(2, Msg::Release { token: 1 });
    assert_eq!(s.msg(3, Msg::Acquire)[1], Fx::Send(RESOURCE, Msg::Fence { token: 2 }));
}

#[test]
fn the_resource_refuses_a_write_below_the_newest_token_unless_broken() {
    let mut r = Node::<Fencing>::new(RESOURCE, cfg());
    assert_eq!(
        r.msg(SERVICE, Msg::Fence { token: 4 }),
        vec![Fx::Persist, Fx::Send(SERVICE, Msg::FenceAck { token: 4 })]
    );
    assert_eq!(
        r.msg(2, Msg::Write { token: 3, task: 0 }),
        vec![Fx::Note(Note::Refused { token: 3, newest: 4 }), Fx::Send(2, Msg::Fenced { token: 3, newest: 4 })]
    );
    assert_eq!(
        r.msg(3, Msg::Write { token: 4, task: 0 }),
        vec![
            Fx::Persist,
            Fx::Note(Note::Wrote { token: 4, client: 3, task: 0 }),
            Fx::Send(3, Msg::WriteAck { token: 4, next: 1 })
        ]
    );
    let mut broken = Node::<Fencing>::new(RESOURCE, FencingConfig { bug: Some(Bug::NoTokenCheck), ..cfg() });
    broken.msg(SERVICE, Msg::Fence { token: 4 });
    assert_eq!(
        broken.msg(2, Msg::Write { token: 3, task: 0 })[1],
        Fx::Note(Note::Wrote { token: 3, client: 2, task: 0 })
    );
}

#[test]
fn a_task_sent_again_is_not_done_again_and_the_answer_says_what_is_next() {
    let mut r = Node::<Fencing>::new(RESOURCE, cfg());
    r.msg(SERVICE, Msg::Fence { token: 1 });
    r.msg(2, Msg::Write { token: 1, task: 0 });
    r.msg(2, Msg::Write { token: 1, task: 1 });
    r.msg(SERVICE, Msg::Fence { token: 2 });
    // The next holder starts from task 0: done already, and told to go on at 2.
    assert_eq!(
        r.msg(3, Msg::Write { token: 2, task: 0 }),
        vec![
            Fx::Note(Note::AlreadyDone { token: 2, client: 3, task: 0 }),
            Fx::Send(3, Msg::WriteAck { token: 2, next: 2 })
        ]
    );
    let mut broken = Node::<Fencing>::new(RESOURCE, FencingConfig { bug: Some(Bug::NoIdempotency), ..cfg() });
    broken.msg(SERVICE, Msg::Fence { token: 1 });
    broken.msg(2, Msg::Write { token: 1, task: 0 });
    assert_eq!(
        broken.msg(3, Msg::Write { token: 1, task: 0 })[1],
        Fx::Note(Note::Wrote { token: 1, client: 3, task: 0 })
    );
}

#[test]
fn a_client_decides_while_its_lease_looks_valid_then_writes_without_looking_again() {
    let mut c = Node::<Fencing>::new(2, cfg());
    assert_eq!(c.msg(SERVICE, Msg::Granted { token: 1, lease_us: 100_000 }), vec![Fx::Set(Timer::Work, 0)]);
    assert_eq!(c.timer(Timer::Work), vec![Fx::Set(Timer::Write, 20_000)]);
    assert_eq!(c.timer(Timer::Write), vec![Fx::Send(RESOURCE, Msg::Write { token: 1, task: 0 })]);
    // The answer moves it on to the task the resource says is next.
    assert_eq!(c.msg(RESOURCE, Msg::WriteAck { token: 1, next: 5 }), vec![Fx::Set(Timer::Work, 0)]);
    assert_eq!(c.timer(Timer::Work), vec![Fx::Set(Timer::Write, 20_000)]);
    assert_eq!(c.timer(Timer::Write), vec![Fx::Send(RESOURCE, Msg::Write { token: 1, task: 5 })]);
    assert_eq!(c.msg(RESOURCE, Msg::Fenced { token: 1, newest: 2 }), vec![Fx::Set(Timer::Acquire, 30_000)]);
    assert_eq!(c.node_client_lease(), None);
}

impl Node<Fencing> {
    fn node_client_lease(&self) -> Option<u64> {
        match &self.node {
            Fencing::Client(c) => c.lease(),
            _ => None,
        }
    }
}
