//! The store's building blocks under random schedules: dotted version
//! vectors lose no write that no later writer saw, and replicas that have
//! exchanged everything agree, whatever the order.

use proptest::prelude::*;
use splitbrain::protocols::store::dvv::{Siblings, Version, VersionVector};

/// A random schedule over 3 replicas: writes (coordinated by a replica,
/// by a client that read some replica's state earlier, or nothing) and
/// pairwise exchanges.
#[derive(Clone, Debug)]
enum Step {
    Write { at: usize, read_from: Option<usize> },
    Send { from: usize, to: usize },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        prop_oneof![
            (0usize..3, prop::option::of(0usize..3)).prop_map(|(at, read_from)| Step::Write { at, read_from }),
            (0usize..3, 0usize..3).prop_map(|(from, to)| Step::Send { from, to }),
        ],
        1..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_write_is_lost_that_no_later_writer_saw(schedule in steps()) {
        let mut replicas: Vec<Siblings<u32>> = vec![Siblings::default(); 3];
        let mut writes: Vec<Version<u32>> = Vec::new();
        let mut contexts: Vec<VersionVector> = Vec::new();
        for (i, step) in schedule.iter().enumerate() {
            match *step {
                Step::Write { at, read_from } => {
                    let ctx = read_from.map(|r| replicas[r].context()).unwrap_or_default();
                    writes.push(replicas[at].write(at as u32, &ctx, i as u32));
                    contexts.push(ctx);
                }
                Step::Send { from, to } => {
                    let v = replicas[from].versions().to_vec();
                    replicas[to].merge(&v);
                }
            }
        }
        // Exchange everything, in two different orders.
        let mut a = replicas.clone();
        for (from, to) in [(0, 1), (1, 2), (2, 0), (0, 1)] {
            let v = a[from].versions().to_vec();
            a[to].merge(&v);
        }
        let mut b = replicas.clone();
        for (from, to) in [(2, 1), (1, 0), (0, 2), (2, 1)] {
            let v = b[from].versions().to_vec();
            b[to].merge(&v);
        }
        prop_assert!(a.iter().all(|r| *r == a[0]), "replicas disagree: {a:?}");
        prop_assert_eq!(&a[0], &b[0], "the order of exchanges matters");
        // A write survives unless some write's writer had read it.
        let survivors: Vec<_> = a[0].versions().iter().map(|v| v.dot).collect();
        for w in &writes {
            let superseded = contexts.iter().any(|c| c.contains(w.dot));
            prop_assert_eq!(survivors.contains(&w.dot), !superseded, "{:?}", w);
        }
        // Merging again changes nothing (idempotent).
        let again = a[0].versions().to_vec();
        let mut c = a[0].clone();
        c.merge(&again);
        prop_assert_eq!(&c, &a[0]);
    }
}

use splitbrain::protocols::store::crdt::{OrSet, PnCounter};
use splitbrain::protocols::store::dvv::Dot;

/// Three replicas of a counter and a set, updated and exchanged at random.
fn crdt_ops() -> impl Strategy<Value = Vec<(u8, usize, usize, i64)>> {
    prop::collection::vec((0u8..4, 0usize..3, 0usize..3, -5i64..6), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Replicas that have exchanged everything agree, in any order of
    /// exchange; the counter equals the sum of every update; an element is
    /// present unless a remove saw every add of it.
    #[test]
    fn crdts_converge_and_lose_no_update(ops in crdt_ops()) {
        let mut counters = vec![PnCounter::default(); 3];
        let mut sets: Vec<OrSet<i64>> = vec![OrSet::default(); 3];
        let mut total = 0;
        let mut events = [0u64; 3];
        for &(kind, a, b, x) in &ops {
            match kind {
                0 => {
                    counters[a].add(a as u32, x);
                    total += x;
                }
                1 => {
                    events[a] += 1;
                    sets[a].add(x.rem_euclid(3), Dot { node: a as u32, counter: events[a] });
                }
                2 => sets[a].remove(&x.rem_euclid(3)),
                _ => {
                    let (c, s) = (counters[a].clone(), sets[a].clone());
                    counters[b].merge(&c);
                    sets[b].merge(&s);
                }
            }
        }
        for order in [[0usize, 1, 2, 0, 1], [2, 1, 0, 2, 1]] {
            let (mut c, mut s) = (counters.clone(), sets.clone());
            for w in order.windows(2) {
                let (from_c, from_s) = (c[w[0]].clone(), s[w[0]].clone());
                c[w[1]].merge(&from_c);
                s[w[1]].merge(&from_s);
            }
            prop_assert!(c.iter().all(|x| x == &c[0]) && s.iter().all(|x| x == &s[0]));
            prop_assert_eq!(c[0].value(), total);
            prop_assert_eq!(&s[0], &{
                let mut all = sets[0].clone();
                all.merge(&sets[1]);
                all.merge(&sets[2]);
                all
            });
        }
    }
}
