//! Counterexample search: fault schedules around a scenario, run with every
//! checker, until a property breaks; the failing schedule is then shrunk
//! ([`shrink`]) to a small scenario that breaks the same property.
//!
//! Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): each
//! schedule draws its own subset of fault kinds and its own rate, so that
//! some schedules crash and restart relentlessly and others only cut links,
//! which finds bugs that one fixed mix of everything dilutes. The faults
//! are added to the scenario's own timeline, stop at 80% of the run (a
//! heal, restarts and resumes then), and leave the scenario's protocol,
//! network and client load as they are. Schedule `i` of seed `s` is the
//! same on every machine.

pub mod shrink;

use crate::contract::{Action, Target, TimedAction};
use crate::experiments::chaos::{lossy_link, random_partition, timeline_from};
use crate::scenario::{visit, Millis, Registered, Runner, Scenario, Visit};
use crate::sim::rng::{derive_seed, Rng};
use crate::sim::{NodeId, Time};
use serde::Serialize;

/// The fault kinds a schedule draws from.
const KINDS: usize = 8;

/// A violation found, and the scenario it was shrunk to.
#[derive(Clone, Debug, Serialize)]
pub struct Found {
    /// The schedule (its index from the search's seed) that broke it.
    pub schedule: u64,
    pub property: String,
    pub detail: String,
    /// Actions in the failing schedule, and in the shrunk one.
    pub actions: usize,
    pub shrunk_actions: usize,
    /// Runs the shrinking took.
    pub shrink_runs: u32,
    /// When the shrunk scenario breaks the property (µs).
    pub at_us: Time,
    #[serde(skip)]
    pub scenario: Scenario,
}

/// What a search did.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// Schedules run.
    pub schedules: u64,
    pub found: Option<Found>,
}

/// The schedule `index` of a search seeded `seed` around `base`.
pub fn schedule(base: &Scenario, has_leader: bool, seed: u64, index: u64) -> Scenario {
    let mut rng = Rng::new(derive_seed(seed, index), 0x5ea7c4);
    let n = base.nodes.max(1);
    let node = |rng: &mut Rng| rng.below(u64::from(n)) as NodeId;
    // Swarm: each kind in or out, at least one in.
    let mut kinds: Vec<usize> = (0..KINDS).filter(|_| rng.chance(0.5)).collect();
    if kinds.is_empty() {
        kinds.push(rng.below(KINDS as u64) as usize);
    }
    let end = base.duration_ms.us();
    let until = end / 5 * 4;
    let gap = rng.range_inclusive((end / 200).max(1_000), (end / 10).max(2_000));
    let leader = |rng: &mut Rng| if has_leader && rng.chance(0.5) { Target::Leader } else { Target::Node(node(rng)) };
    let mut timeline = base.timeline.clone();
    timeline.extend(timeline_from(&mut rng, until, gap, |rng| match kinds[rng.below(kinds.len() as u64) as usize] {
        0 => Action::Crash { node: leader(rng) },
        1 => Action::Restart { node: node(rng) },
        2 => Action::Pause { node: leader(rng) },
        3 => Action::Resume { node: node(rng) },
        4 => random_partition(rng, n),
        5 => Action::Isolate { node: leader(rng) },
        6 => Action::HealAll,
        _ => lossy_link(rng, n, &base.network, true),
    }));
    timeline.push(TimedAction { at: Millis(until), action: Action::HealAll });
    for node in 0..n {
        timeline.push(TimedAction { at: Millis(until), action: Action::Restart { node } });
        timeline.push(TimedAction { at: Millis(until), action: Action::Resume { node } });
    }
    timeline.sort_by_key(|a| a.at);
    Scenario { timeline, ..base.clone() }
}

/// The first violation of a run of `s`: (property, detail, when).
fn first_violation<P: Registered>(s: Scenario) -> Option<(String, String, Time)> {
    let mut r = Runner::<P>::build(s).ok()?;
    r.run_to_end();
    r.violations().first().map(|v| (v.property.to_string(), v.detail.clone(), v.time_us))
}

/// Searches schedules `0..schedules` of `seed` around `base` (while
/// `go(i)` says to go on), stopping at the first violation, which it
/// shrinks. A protocol without commands or leader is searched the same way.
pub fn search(base: &Scenario, seed: u64, schedules: u64, go: &mut dyn FnMut(u64) -> bool) -> Outcome {
    struct Search<'a> {
        seed: u64,
        schedules: u64,
        go: &'a mut dyn FnMut(u64) -> bool,
    }
    impl Visit for Search<'_> {
        type Output = Outcome;
        fn visit<P: Registered>(self, base: Scenario) -> Outcome {
            for i in 0..self.schedules {
                if !(self.go)(i) {
                    return Outcome { schedules: i, found: None };
                }
                let s = schedule(&base, P::HAS_LEADER, self.seed, i);
                let Some((property, _, _)) = first_violation::<P>(s.clone()) else { continue };
                let actions = s.timeline.len();
                let mut fails = |c: &Scenario| first_violation::<P>(c.clone()).is_some_and(|(p, _, _)| p == property);
                let (shrunk, shrink_runs) = shrink::shrink(&s, &mut fails);
                let (_, _, at) = first_violation::<P>(shrunk.clone()).expect("the shrunk scenario fails");
                let shrunk = shrink::cut_after(&shrunk, at, &mut fails);
                let (property, detail, at_us) = first_violation::<P>(shrunk.clone()).expect("it still fails");
                let found = Found {
                    schedule: i,
                    property,
                    detail,
                    actions,
                    shrunk_actions: shrunk.timeline.len(),
                    shrink_runs,
                    at_us,
                    scenario: shrunk,
                };
                return Outcome { schedules: i + 1, found: Some(found) };
            }
            Outcome { schedules: self.schedules, found: None }
        }
    }
    visit(base.clone(), Search { seed, schedules, go })
}
