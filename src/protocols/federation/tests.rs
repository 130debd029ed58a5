//! Single-event tests: the region's and the global state machines, the
//! client's path to its region's leader, and when a node counts itself
//! cut off from the global group. Two regions of two nodes; share 2,
//! quota 5, so the pool holds 1 unit.

use super::regional::Decided;
use super::*;
use crate::contract::{Cluster, Region, Regions};
use crate::sim::testkit::{notes, sends, Node};

fn cfg(bug: Option<Bug>) -> FederationConfig {
    let regions = Regions(vec![Region { name: "us".into(), nodes: 2 }, Region { name: "eu".into(), nodes: 2 }]);
    let cluster = Cluster { nodes: 4, max_latency_us: 10_000, duration_us: 1_000_000, regions };
    FederationSpec { quota: 5, share: 2, bug, ..FederationSpec::default() }.to_config(&cluster).unwrap()
}

const SPEND: u64 = 1;
const FORCED: u64 = 2;

fn value(id: u64, kind: u64) -> mp::Value {
    mp::Value::Write(id * 4 + kind)
}

#[test]
fn spends_take_the_share_then_need_the_pool_and_writes_are_counted() {
    let c = cfg(None);
    let mut n = Federation::boot(2, &c, None);
    assert_eq!(n.region(), 1, "n2 is the first node of eu");
    assert_eq!(n.apply_region(0, value(2, SPEND), &c), Decided::Ends(Outcome::Spent { slot: 0 }));
    assert_eq!(n.apply_region(1, value(4, SPEND), &c), Decided::Ends(Outcome::Spent { slot: 1 }));
    assert_eq!(n.apply_region(2, value(6, SPEND), &c), Decided::NeedsDraw, "the share of 2 is spent");
    assert_eq!(n.apply_region(3, value(1, 0), &c), Decided::Ends(Outcome::Written { slot: 3 }));
    assert_eq!((n.spent(), n.writes()), (2, 1));
    // The broken fallback's forced spend goes past the share.
    assert_eq!(n.apply_region(4, value(6, FORCED), &c), Decided::Ends(Outcome::Spent { slot: 4 }));
    assert_eq!(n.spent(), 3);
}

#[test]
fn the_global_group_grants_while_the_pool_lasts_unless_it_checks_nothing() {
    for (bug, second) in [(None, Outcome::Denied), (Some(Bug::UncheckedGlobal), Outcome::Granted)] {
        let c = cfg(bug);
        assert_eq!(c.pool(), 1, "5 units less 2 regions x 2");
        let mut n = Federation::boot(0, &c, None);
        assert_eq!(n.apply_global(mp::Value::Write(6 * 64 + 2), &c), Decided::Ends(Outcome::Granted));
        assert_eq!(n.apply_global(mp::Value::Write(8 * 64 + 3), &c), Decided::Ends(second), "{bug:?}");
    }
    assert_eq!(global::decode(mp::Value::Write(8 * 64 + 3)), Some((8, 3)));
}

#[test]
fn a_command_goes_to_the_region_leader_once_one_is_heard() {
    let mut n = Node::<Federation>::new(3, cfg(None));
    let fx = n.cmd(Cmd::Write(1));
    assert_eq!(
        notes(&fx),
        vec![Note::Done { op: Cmd::Write(1), region: 1, outcome: Outcome::Refused { cut_off: false } }],
        "no leader heard in eu yet"
    );
    n.msg(2, Msg::Region(mp::Msg::Heartbeat { ballot: 1, commit: 0 }));
    let fx = n.cmd(Cmd::Spend(2));
    assert_eq!(sends(&fx), vec![(2, Msg::Forward(Cmd::Spend(2)))]);
    // Passed on once only: a command forwarded to a node that does not
    // lead is turned away, not passed on again.
    let fx = n.msg(2, Msg::Forward(Cmd::Spend(4)));
    assert!(sends(&fx).is_empty());
}

#[test]
fn a_node_is_cut_off_until_it_hears_the_global_leader_and_an_election_timeout_after() {
    let c = cfg(None);
    let far = c.global_far.election_us as i64;
    let mut n = Node::<Federation>::new(3, c);
    let cut = |n: &mut Node<Federation>| {
        let mut out = false;
        n.run(|p, ctx| out = p.cut_off(ctx));
        out
    };
    assert!(cut(&mut n), "never heard a global leader");
    n.msg(0, Msg::Global(mp::Msg::Heartbeat { ballot: 4, commit: 0 }));
    assert!(!cut(&mut n));
    n.advance(far);
    assert!(!cut(&mut n), "an election timeout (four, outside us) is not yet past");
    n.advance(1);
    assert!(cut(&mut n));
}
