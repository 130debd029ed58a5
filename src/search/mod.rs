//! Counterexample search: fault schedules around a scenario, run with every
//! checker, until a property breaks; the failing schedule is then shrunk
//! ([`shrink`]) to a small scenario that breaks the same property.
//!
//! Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): each fresh
//! schedule draws its own subset of fault kinds and its own rate, so that
//! some schedules crash and restart relentlessly and others only cut links,
//! which finds bugs that one fixed mix of everything dilutes. Coverage
//! guidance ([`coverage`]): a schedule whose run reaches an abstract state
//! that its lane had not seen is kept, and half of the lane's later
//! schedules mutate a kept one (an action dropped, added or moved) instead
//! of drawing afresh.
//!
//! The faults are added to the scenario's own timeline, stop at 80% of the
//! run (a heal, restarts and resumes then), and leave the scenario's
//! protocol, network and client load as they are.
//!
//! Schedule `i` belongs to lane `i % LANES`, and depends only on the seed
//! and on the earlier schedules of its lane. So a shard (`i/n`: the lanes
//! `l` with `l % n == i`) runs exactly the schedules that a single run
//! would, and [`merge`] puts shards together into the single run's result.

pub mod coverage;
pub mod explore;
pub mod hunt;
pub mod merge;
pub mod shrink;
pub mod zoo;

use crate::contract::{Action, Target, TimedAction};
use crate::experiments::chaos::{lossy_link, random_partition, timeline_from};
use crate::scenario::{visit, Millis, Registered, Runner, Scenario, Visit};
use crate::sim::rng::{derive_seed, Rng};
use crate::sim::{NodeId, Time, MS};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

pub use merge::{merge, Report, ShardPart};

/// The fault kinds a schedule draws from.
const KINDS: usize = 8;
/// Lanes of coverage guidance; also the most shards a search splits into.
pub const LANES: u64 = 64;
/// The abstract state is sampled this often along a run (µs).
const SAMPLE_US: Time = 5 * MS;

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
    /// Distinct abstract states reached.
    pub states: u64,
    pub found: Option<Found>,
    /// Whether it ran all its schedules, or up to a violation: false when
    /// told to stop first.
    pub complete: bool,
    /// Each abstract state reached, with the first schedule that reached
    /// it (for [`merge`]).
    #[serde(skip)]
    pub seen: Vec<(u64, u64)>,
}

/// Which part of a search to run: the lanes `l` with `l % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole search.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Reads `i/n`: shard `i` (from 0) of `n`, `n` from 1 to [`LANES`].
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes i/n with 0 <= i < n <= {LANES} (shard i of n, from 0), not {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (i.trim().parse::<u64>().map_err(|_| bad())?, n.trim().parse::<u64>().map_err(|_| bad())?);
        if count == 0 || count > LANES || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether schedule `i` is this shard's.
    pub fn has(self, i: u64) -> bool {
        (i % LANES) % self.count == self.index
    }
}

/// What a lane has kept: the abstract states its runs reached, and the
/// schedules (their added actions) that reached one first.
#[derive(Default)]
struct Lane {
    seen: HashSet<u64>,
    corpus: Vec<Vec<TimedAction>>,
}

/// How a schedule draws its faults.
struct Draw<'a> {
    base: &'a Scenario,
    has_leader: bool,
    /// Faults stop here (µs): 80% of the run.
    until: Time,
}

impl Draw<'_> {
    fn nodes(&self) -> u32 {
        self.base.nodes.max(1)
    }

    /// A fault of kind `kind`.
    fn action(&self, rng: &mut Rng, kind: usize) -> Action {
        let n = self.nodes();
        let node = |rng: &mut Rng| rng.below(u64::from(n)) as NodeId;
        let has_leader = self.has_leader;
        let leader =
            |rng: &mut Rng| if has_leader && rng.chance(0.5) { Target::Leader } else { Target::Node(node(rng)) };
        match kind {
            0 => Action::Crash { node: leader(rng) },
            1 => Action::Restart { node: node(rng) },
            2 => Action::Pause { node: leader(rng) },
            3 => Action::Resume { node: node(rng) },
            4 => random_partition(rng, n),
            5 => Action::Isolate { node: leader(rng) },
            6 => Action::HealAll,
            _ => lossy_link(rng, n, &self.base.network, true),
        }
    }

    /// A fresh swarm schedule's faults: a subset of the kinds, at least
    /// one, and a gap between faults.
    fn fresh(&self, rng: &mut Rng) -> Vec<TimedAction> {
        let mut kinds: Vec<usize> = (0..KINDS).filter(|_| rng.chance(0.5)).collect();
        if kinds.is_empty() {
            kinds.push(rng.below(KINDS as u64) as usize);
        }
        let end = self.base.duration_ms.us();
        let gap = rng.range_inclusive((end / 200).max(1_000), (end / 10).max(2_000));
        timeline_from(rng, self.until, gap, |rng| {
            let kind = kinds[rng.below(kinds.len() as u64) as usize];
            self.action(rng, kind)
        })
    }

    /// A kept schedule's faults with one to three changes: one dropped,
    /// one of any kind added, or one moved.
    fn mutate(&self, rng: &mut Rng, parent: &[TimedAction]) -> Vec<TimedAction> {
        let mut faults = parent.to_vec();
        for _ in 0..rng.range_inclusive(1, 3) {
            let at = Millis(rng.below(self.until / MS) * MS);
            match rng.below(3) {
                0 if !faults.is_empty() => {
                    faults.remove(rng.below(faults.len() as u64) as usize);
                }
                1 if !faults.is_empty() => {
                    let i = rng.below(faults.len() as u64) as usize;
                    faults[i].at = at;
                }
                _ => {
                    let kind = rng.below(KINDS as u64) as usize;
                    let action = self.action(rng, kind);
                    faults.push(TimedAction { at, action });
                }
            }
        }
        faults.sort_by_key(|a| a.at);
        faults
    }

    /// The scenario with `faults` added, then a heal, and every node
    /// restarted and resumed, at 80% of the run.
    fn scenario(&self, faults: &[TimedAction]) -> Scenario {
        let mut timeline = self.base.timeline.clone();
        timeline.extend_from_slice(faults);
        let until = Millis(self.until);
        timeline.push(TimedAction { at: until, action: Action::HealAll });
        for node in 0..self.nodes() {
            timeline.push(TimedAction { at: until, action: Action::Restart { node } });
            timeline.push(TimedAction { at: until, action: Action::Resume { node } });
        }
        timeline.sort_by_key(|a| a.at);
        Scenario { timeline, ..self.base.clone() }
    }
}

/// Schedule `index` of a search seeded `seed` around `base`, given its
/// lane's kept schedules: a mutation of one of them half the time, if
/// there are any, and otherwise a fresh swarm schedule. Returns the
/// faults it adds and the scenario.
fn schedule(draw: &Draw<'_>, corpus: &[Vec<TimedAction>], seed: u64, index: u64) -> (Vec<TimedAction>, Scenario) {
    let mut rng = Rng::new(derive_seed(seed, index), 0x5ea7c4);
    let faults = if !corpus.is_empty() && rng.chance(0.5) {
        let parent = &corpus[rng.below(corpus.len() as u64) as usize];
        draw.mutate(&mut rng, parent)
    } else {
        draw.fresh(&mut rng)
    };
    let s = draw.scenario(&faults);
    (faults, s)
}

/// Runs `s`, sampling its abstract state every [`SAMPLE_US`] into `seen`,
/// until its first violation or its end: (property, detail, when).
fn run_sampled<P: Registered>(s: Scenario, seen: &mut dyn FnMut(u64)) -> Option<(String, String, Time)> {
    let end = s.duration_ms.us();
    let mut r = Runner::<P>::build(s).ok()?;
    let mut scratch = Vec::new();
    let mut t = 0;
    while t < end && r.violations().is_empty() && r.sim().halted().is_none() {
        t = (t + SAMPLE_US).min(end);
        r.run_until(t);
        seen(coverage::abstract_state(r.sim(), &mut scratch));
    }
    r.violations().first().map(|v| (v.property.to_string(), v.detail.clone(), v.time_us))
}

/// Searches this shard's schedules among `0..schedules` of `seed` around
/// `base` (while `go(i)` says to go on), stopping at the first violation,
/// which it shrinks. A protocol without commands or leader is searched
/// the same way.
pub fn search(base: &Scenario, seed: u64, schedules: u64, shard: Shard, go: &mut dyn FnMut(u64) -> bool) -> Outcome {
    let mut s = Searching::new(base, seed, schedules, shard);
    while !s.done() {
        // A violation found is shrunk whatever `go` says.
        if !s.shrinking() && !go(s.schedules()) {
            return s.finish();
        }
        s.step();
    }
    s.finish()
}

/// A search in progress, one schedule (or the shrinking) a
/// [`step`](Searching::step). The CLI loops over it; the browser's worker
/// runs it in slices between messages.
pub struct Searching(Box<dyn Searches>);

trait Searches {
    fn step(&mut self);
    fn done(&self) -> bool;
    fn shrinking(&self) -> bool;
    fn schedules(&self) -> u64;
    fn states(&self) -> u64;
    fn finish(&mut self) -> Outcome;
}

impl Searching {
    /// This shard's schedules among `0..schedules` of `seed` around `base`.
    pub fn new(base: &Scenario, seed: u64, schedules: u64, shard: Shard) -> Searching {
        struct New {
            seed: u64,
            schedules: u64,
            shard: Shard,
        }
        impl Visit for New {
            type Output = Searching;
            fn visit<P: Registered>(self, base: Scenario) -> Searching {
                let until = base.duration_ms.us() / 5 * 4;
                let mut s = Search::<P> {
                    base,
                    until,
                    seed: self.seed,
                    total: self.schedules,
                    shard: self.shard,
                    next: 0,
                    lanes: HashMap::new(),
                    first: HashMap::new(),
                    ran: 0,
                    broke: None,
                    found: None,
                    protocol: std::marker::PhantomData,
                };
                s.advance();
                Searching(Box::new(s))
            }
        }
        visit(base.clone(), New { seed, schedules, shard })
    }

    /// Runs the next schedule, or shrinks the violation found.
    pub fn step(&mut self) {
        self.0.step()
    }

    /// Whether every schedule ran, or a violation was found and shrunk.
    pub fn done(&self) -> bool {
        self.0.done()
    }

    /// Whether the next step shrinks a violation.
    pub fn shrinking(&self) -> bool {
        self.0.shrinking()
    }

    /// Schedules run.
    pub fn schedules(&self) -> u64 {
        self.0.schedules()
    }

    /// Distinct abstract states reached.
    pub fn states(&self) -> u64 {
        self.0.states()
    }

    /// What it did, up to now.
    pub fn finish(mut self) -> Outcome {
        self.0.finish()
    }
}

struct Search<P: Registered> {
    base: Scenario,
    /// Faults stop here (µs): 80% of the run.
    until: Time,
    seed: u64,
    /// Schedules of the whole search (`0..total`).
    total: u64,
    shard: Shard,
    /// The next schedule of this shard (`schedules` when none is left).
    next: u64,
    lanes: HashMap<u64, Lane>,
    /// Each abstract state, with the first schedule that reached it.
    first: HashMap<u64, u64>,
    /// Schedules run.
    ran: u64,
    /// A violation to shrink: the scenario, its schedule and property.
    broke: Option<(Scenario, u64, String)>,
    found: Option<Found>,
    protocol: std::marker::PhantomData<P>,
}

impl<P: Registered> Search<P> {
    /// Moves `next` to this shard's next schedule.
    fn advance(&mut self) {
        while self.next < self.total && !self.shard.has(self.next) {
            self.next += 1;
        }
    }
}

impl<P: Registered> Searches for Search<P> {
    fn step(&mut self) {
        if let Some((s, i, property)) = self.broke.take() {
            self.found = Some(shrunk::<P>(s, i, property));
            return;
        }
        if self.done() {
            return;
        }
        let i = self.next;
        self.next += 1;
        self.advance();
        self.ran += 1;
        let draw = Draw { base: &self.base, has_leader: P::HAS_LEADER, until: self.until };
        let lane = self.lanes.entry(i % LANES).or_default();
        let (faults, s) = schedule(&draw, &lane.corpus, self.seed, i);
        let mut novel = false;
        let first = &mut self.first;
        let violation = run_sampled::<P>(s.clone(), &mut |state| {
            novel |= lane.seen.insert(state);
            first.entry(state).or_insert(i);
        });
        if novel {
            lane.corpus.push(faults);
        }
        if let Some((property, _, _)) = violation {
            self.broke = Some((s, i, property));
        }
    }

    fn done(&self) -> bool {
        self.found.is_some() || (self.broke.is_none() && self.next >= self.total)
    }

    fn shrinking(&self) -> bool {
        self.broke.is_some()
    }

    fn schedules(&self) -> u64 {
        self.ran
    }

    fn states(&self) -> u64 {
        self.first.len() as u64
    }

    fn finish(&mut self) -> Outcome {
        let mut seen: Vec<(u64, u64)> = self.first.iter().map(|(&s, &i)| (s, i)).collect();
        seen.sort_unstable();
        let complete = self.done();
        Outcome { schedules: self.ran, states: seen.len() as u64, found: self.found.clone(), complete, seen }
    }
}

/// The properties `base`'s protocol checks in it, or why a search of it
/// would be pointless: a checker that watches nothing finds nothing.
pub fn searchable(base: &Scenario) -> Result<Vec<&'static str>, String> {
    struct Properties;
    impl Visit for Properties {
        type Output = Vec<&'static str>;
        fn visit<P: Registered>(self, s: Scenario) -> Self::Output {
            crate::sim::invariant::Checker::properties(&s.checker::<P>())
        }
    }
    let properties = visit(base.clone(), Properties);
    if properties.is_empty() {
        return Err(format!(
            "this {} scenario checks no property, so a search has nothing to find",
            base.protocol.kind().name()
        ));
    }
    Ok(properties)
}

/// The first violation of a run of `s`: (property, detail, when).
fn first_violation<P: Registered>(s: Scenario) -> Option<(String, String, Time)> {
    run_sampled::<P>(s, &mut |_| {})
}

/// Schedule `i`'s scenario `s`, which breaks `property`, shrunk.
fn shrunk<P: Registered>(s: Scenario, i: u64, property: String) -> Found {
    let actions = s.timeline.len();
    let mut fails = |c: &Scenario| first_violation::<P>(c.clone()).is_some_and(|(p, _, _)| p == property);
    let (shrunk, shrink_runs) = shrink::shrink(&s, &mut fails);
    let (_, _, at) = first_violation::<P>(shrunk.clone()).expect("the shrunk scenario fails");
    let shrunk = shrink::cut_after(&shrunk, at, &mut fails);
    let (property, detail, at_us) = first_violation::<P>(shrunk.clone()).expect("it still fails");
    Found {
        schedule: i,
        property,
        detail,
        actions,
        shrunk_actions: shrunk.timeline.len(),
        shrink_runs,
        at_us,
        scenario: shrunk,
    }
}
