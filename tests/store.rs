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
