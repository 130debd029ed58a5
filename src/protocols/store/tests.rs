//! Single-event tests (DeCandia et al., Dynamo, SOSP 2007, §4.5–§4.7):
//! one command, message or timer into one store node, and the exact
//! effects compared. Three nodes and N = 3, so every key's preference list
//! holds all three (in the ring's order).

use super::dvv::{Dot, Version, VersionVector};
use super::node::{Cmd, Msg, Note, Resolution, Stamped, StoreConfig, StoreNode, Timer};
use super::ring::Ring;
use crate::sim::rng::Rng;
use crate::sim::testkit::{Fx, Node};
use crate::sim::NodeId;

const TIMEOUT: u64 = 200_000;
const KEY: u32 = 7;

fn cfg() -> StoreConfig {
    StoreConfig { nodes: 3, n: 3, r: 2, w: 2, vnodes: 8, ..StoreConfig::default() }
}

/// The key's replicas, in the order a coordinator asks them.
fn replicas() -> Vec<NodeId> {
    Ring::new(3, 8).preference_list(KEY, 3)
}

fn version(node: NodeId, counter: u64, value: u64, at: i64) -> Version<Stamped> {
    Version { dot: Dot { node, counter }, past: VersionVector::default(), value: Stamped { value, at, crdt: None } }
}

fn put(id: u64, value: u64) -> Cmd {
    Cmd::Put { id, key: KEY, value, context: VersionVector::default() }
}

/// The replicate messages a coordinator sends for request `req`.
fn replicate(req: u64, v: &Version<Stamped>) -> Vec<Fx<StoreNode>> {
    replicas()
        .into_iter()
        .map(|to| Fx::Send(to, Msg::Replicate { req, key: KEY, versions: vec![v.clone()].into(), hint: None }))
        .collect()
}

#[test]
fn a_node_without_workload_anti_entropy_or_sloppy_quorums_starts_quietly() {
    let (_, fx) = Node::<StoreNode>::start(0, cfg());
    assert_eq!(fx, vec![]);
    // With anti-entropy, the first round is drawn from [period/2, 3·period/2].
    let every = 1_000_000;
    let (_, fx) = Node::<StoreNode>::start(0, StoreConfig { anti_entropy_us: Some(every), ..cfg() });
    let first = Rng::new(1, 0).range_inclusive(every / 2, every + every / 2);
    assert_eq!(fx, vec![Fx::Set(Timer::AntiEntropy, first)]);
}

#[test]
fn a_put_makes_a_version_of_the_coordinators_next_dot_and_sends_it_to_all_n_replicas() {
    let mut s = Node::<StoreNode>::new(0, cfg());
    s.advance(1_234);
    let v = version(0, 1, 42, 1_234);
    let mut expected = vec![
        Fx::Note(Note::Invoked { id: 1, key: KEY, write: Some(42), client: None }),
        Fx::Set(Timer::Request(1), TIMEOUT),
    ];
    expected.extend(replicate(1, &v));
    assert_eq!(s.cmd(put(1, 42)), expected);
}

#[test]
fn a_replica_stores_a_replicated_version_and_acknowledges_it_but_not_a_repair() {
    let mut s = Node::<StoreNode>::new(1, cfg());
    let v = version(0, 1, 42, 0);
    assert_eq!(
        s.msg(0, Msg::Replicate { req: 5, key: KEY, versions: vec![v.clone()].into(), hint: None }),
        vec![Fx::Send(0, Msg::Ack { req: 5, hint: None })]
    );
    assert_eq!(s.node.siblings(KEY).map(|x| x.versions().to_vec()), Some(vec![v.clone()]));
    // A read repair (request 0) is stored, not acknowledged.
    let w = version(2, 1, 43, 0);
    assert_eq!(s.msg(2, Msg::Replicate { req: 0, key: KEY, versions: vec![w].into(), hint: None }), vec![]);
    assert_eq!(s.node.siblings(KEY).map(|x| x.len()), Some(2), "concurrent writes stay as siblings");
}

#[test]
fn the_w_th_acknowledgement_answers_the_client_and_a_duplicate_counts_once() {
    let mut s = Node::<StoreNode>::new(0, cfg());
    s.cmd(put(1, 42));
    assert_eq!(s.msg(1, Msg::Ack { req: 1, hint: None }), vec![]);
    assert_eq!(s.msg(1, Msg::Ack { req: 1, hint: None }), vec![], "the same replica again");
    assert_eq!(
        s.msg(2, Msg::Ack { req: 1, hint: None }),
        vec![
            Fx::Note(Note::PutAcked { id: 1, key: KEY, dot: Dot { node: 0, counter: 1 } }),
            Fx::Cancel(Timer::Request(1)),
        ]
    );
    assert_eq!(s.node.pending_requests(), 0);
}

#[test]
fn a_get_asks_every_replica_and_a_replica_answers_with_what_it_holds() {
    let mut s = Node::<StoreNode>::new(0, cfg());
    let mut expected = vec![
        Fx::Note(Note::Invoked { id: 9, key: KEY, write: None, client: None }),
        Fx::Set(Timer::Request(1), TIMEOUT),
    ];
    expected.extend(replicas().into_iter().map(|to| Fx::Send(to, Msg::Read { req: 1, key: KEY })));
    assert_eq!(s.cmd(Cmd::Get { id: 9, key: KEY }), expected);

    let mut replica = Node::<StoreNode>::new(1, cfg());
    let v = version(0, 1, 42, 0);
    replica.msg(0, Msg::Replicate { req: 0, key: KEY, versions: vec![v.clone()].into(), hint: None });
    assert_eq!(
        replica.msg(0, Msg::Read { req: 3, key: KEY }),
        vec![Fx::Send(0, Msg::ReadReply { req: 3, versions: vec![v].into() })]
    );
}

#[test]
fn the_r_th_reply_returns_the_merge_and_repairs_a_replica_that_missed_the_write() {
    // §4.7 read repair: the replier without the newest version gets it.
    let mut s = Node::<StoreNode>::new(0, cfg());
    s.cmd(Cmd::Get { id: 9, key: KEY });
    let v = version(1, 1, 42, 0);
    assert_eq!(s.msg(1, Msg::ReadReply { req: 1, versions: vec![v.clone()].into() }), vec![]);
    let mut context = VersionVector::default();
    context.add(v.dot);
    assert_eq!(
        s.msg(2, Msg::ReadReply { req: 1, versions: Vec::new().into() }),
        vec![
            Fx::Send(2, Msg::Replicate { req: 0, key: KEY, versions: vec![v.clone()].into(), hint: None }),
            Fx::Note(Note::Repaired { key: KEY, to: 2 }),
            Fx::Cancel(Timer::Sloppy(1)),
            Fx::Note(Note::GetReturned { id: 9, key: KEY, values: vec![42], counter: None, context }),
        ]
    );
}

#[test]
fn a_read_of_concurrent_siblings_returns_them_all() {
    let mut s = Node::<StoreNode>::new(0, cfg());
    s.cmd(Cmd::Get { id: 9, key: KEY });
    let (a, b) = (version(1, 1, 42, 0), version(2, 1, 43, 0));
    s.msg(1, Msg::ReadReply { req: 1, versions: vec![a.clone(), b.clone()].into() });
    let fx = s.msg(2, Msg::ReadReply { req: 1, versions: vec![a.clone(), b.clone()].into() });
    let returned: Vec<_> = fx.iter().filter(|f| matches!(f, Fx::Note(Note::GetReturned { .. }))).collect();
    let mut context = VersionVector::default();
    context.add(a.dot);
    context.add(b.dot);
    assert_eq!(
        returned,
        vec![&Fx::Note(Note::GetReturned { id: 9, key: KEY, values: vec![42, 43], counter: None, context })]
    );
}

#[test]
fn a_request_without_a_quorum_fails_at_its_timeout() {
    let mut s = Node::<StoreNode>::new(0, cfg());
    s.cmd(put(1, 42));
    s.msg(1, Msg::Ack { req: 1, hint: None });
    assert_eq!(
        s.timer(Timer::Request(1)),
        vec![Fx::Cancel(Timer::Sloppy(1)), Fx::Note(Note::Failed { id: 1, key: KEY, replies: 1 })]
    );
}

#[test]
fn a_retry_sends_the_same_version_again_under_the_same_idempotency_key() {
    let mut s = Node::<StoreNode>::new(0, StoreConfig { retries: 1, ..cfg() });
    s.cmd(put(1, 42));
    let v = version(0, 1, 42, 0);
    let mut expected = vec![
        Fx::Cancel(Timer::Sloppy(1)),
        Fx::Note(Note::Retried { id: 1, key: KEY, attempt: 1 }),
        Fx::Set(Timer::Request(2), TIMEOUT),
    ];
    expected.extend(replicate(2, &v));
    assert_eq!(s.timer(Timer::Request(1)), expected);
}

#[test]
fn last_writer_wins_keeps_the_later_timestamp_and_says_what_it_dropped() {
    let mut s = Node::<StoreNode>::new(1, StoreConfig { resolution: Resolution::Lww, ..cfg() });
    let (early, late) = (version(0, 1, 42, 100), version(2, 1, 43, 200));
    s.msg(0, Msg::Replicate { req: 0, key: KEY, versions: vec![early.clone()].into(), hint: None });
    assert_eq!(
        s.msg(2, Msg::Replicate { req: 0, key: KEY, versions: vec![late.clone()].into(), hint: None }),
        vec![Fx::Note(Note::Overwritten { key: KEY, dot: early.dot, by: late.dot, value: 42, by_value: 43 })]
    );
    let held: Vec<u64> = s.node.siblings(KEY).unwrap().values().map(|v| v.value).collect();
    assert_eq!(held, vec![43]);
}

#[test]
fn a_home_node_stores_a_handed_off_write_and_acknowledges_its_dots() {
    let mut s = Node::<StoreNode>::new(1, cfg());
    let v = version(0, 1, 42, 0);
    assert_eq!(
        s.msg(2, Msg::Handoff { key: KEY, versions: vec![v.clone()].into() }),
        vec![Fx::Send(2, Msg::HandoffAck { key: KEY, dots: vec![v.dot] })]
    );
    assert_eq!(s.node.siblings(KEY).map(|x| x.len()), Some(1));
}

#[test]
fn a_crash_keeps_the_data_and_loses_the_requests_in_progress() {
    let mut s = Node::<StoreNode>::new(0, cfg());
    s.msg(1, Msg::Replicate { req: 0, key: KEY, versions: vec![version(1, 1, 42, 0)].into(), hint: None });
    s.cmd(put(2, 43));
    assert_eq!(s.node.pending_requests(), 1);
    s.restart();
    assert_eq!(s.node.pending_requests(), 0);
    // What was stored survives; the put's copy to itself was still a
    // message, and is gone with the request.
    assert_eq!(s.node.siblings(KEY).map(|x| x.len()), Some(1));
    // A late acknowledgement of the lost request is ignored.
    assert_eq!(s.msg(1, Msg::Ack { req: 1, hint: None }), vec![]);
}

#[test]
fn a_client_update_of_a_named_key_reads_that_key_first() {
    // Dynamo §4.5 as the clients here use it: read, merge, write back.
    let mut s = Node::<StoreNode>::new(0, cfg());
    let mut expected = vec![
        Fx::Note(Note::Invoked { id: 4, key: KEY, write: Some(4), client: None }),
        Fx::Set(Timer::Request(1), TIMEOUT),
    ];
    expected.extend(replicas().into_iter().map(|to| Fx::Send(to, Msg::Read { req: 1, key: KEY })));
    assert_eq!(s.cmd(Cmd::Update { id: 4, key: KEY }), expected);
}
