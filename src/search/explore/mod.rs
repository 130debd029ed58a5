//! Exhaustive exploration of a small cluster: every interleaving of
//! deliveries, drops, crashes, restarts, timer firings and client
//! requests, breadth first, to a depth, as model checkers such as TLC and
//! Stateright do, but on the protocol's own code.
//!
//! The run is scripted ([`crate::sim::script`]): nothing happens by
//! itself, and time stands still. A state is the cluster's: each node's
//! status and its state as the protocol fingerprints it
//! ([`Runnable::fingerprint`]), its armed timers, and the messages on the
//! wire as a multiset. A state seen before is not explored again; with
//! interchangeable nodes ([`Runnable::symmetric`]), neither is any state
//! that differs from one seen only by which node is which (its hash is
//! the least over every renaming). Every property is checked after every
//! step by the protocol's own checker, which sees the path that first
//! reached a state: a property of the history rather than of the state
//! could in principle be missed on a merged path.
//!
//! A path that breaks a property becomes a scripted scenario, one action
//! a millisecond, which replays it in the playground.

mod walk;

use crate::contract::{Action, Rename, Target, TimedAction};
use crate::scenario::{visit, Millis, Registered, Runner, Scenario, Visit};
use crate::sim::trace::StableHasher;
use crate::sim::{NodeStatus, Sim, MS};
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// How far to explore.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Steps from the start.
    pub depth: u32,
    /// Crashes on a path, at most.
    pub crashes: u32,
    /// Client requests on a path, at most.
    pub requests: u32,
    /// Timer firings on a path, at most (for Raft, elections and
    /// heartbeats: this bounds the terms).
    pub timers: u32,
    /// Whether a message may be lost. A loss adds no state of the nodes
    /// that leaving the message on the wire for ever does not reach, so
    /// it is off unless asked for.
    pub drops: bool,
    /// Breadth-first search stops at this many states; random walks go
    /// on from there.
    pub max_states: u64,
    /// Random walks, at most, once breadth-first search stops short.
    pub walks: u64,
    /// Whether states that differ only by which interchangeable server is
    /// which count as one.
    pub symmetry: bool,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            depth: 40,
            crashes: 1,
            requests: 2,
            timers: 8,
            drops: false,
            max_states: 1_000_000,
            walks: u64::MAX,
            symmetry: true,
        }
    }
}

/// How a violation was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// Breadth first: its path is one of the shortest.
    BreadthFirst,
    /// By Go-Explore past the depth searched in full; its path is then
    /// shrunk.
    GoExplore,
}

/// A property broken on a path.
#[derive(Clone, Debug, Serialize)]
pub struct Broken {
    pub property: String,
    pub detail: String,
    pub by: By,
    /// The path's steps, and those left after shrinking.
    pub steps: usize,
    pub shrunk_steps: usize,
    /// The path as a scripted scenario.
    #[serde(skip)]
    pub scenario: Scenario,
}

impl Broken {
    /// When the property broke (µs): the path's last step.
    pub fn at_us(&self) -> crate::sim::Time {
        self.scenario.timeline.last().map_or(0, |s| s.at.us())
    }
}

/// What an exploration did.
#[derive(Clone, Debug, Serialize)]
pub struct Explored {
    /// Distinct states reached (after symmetry reduction).
    pub states: u64,
    /// Steps taken from explored states (transitions).
    pub transitions: u64,
    /// The deepest level explored in full.
    pub depth: u32,
    /// Whether no state was left unexplored within the bounds.
    pub exhausted: bool,
    /// Random walks taken past that depth.
    pub walks: u64,
    pub found: Option<Broken>,
}

/// Where an exploration is, for progress.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub states: u64,
    /// The level being explored breadth first, or 0 once walking.
    pub depth: u32,
    pub walks: u64,
}

/// What a path has used of the bounds.
#[derive(Clone, Copy, Default)]
struct Used {
    crashes: u32,
    requests: u32,
    timers: u32,
}

impl Used {
    fn after(mut self, step: &Action) -> Used {
        match step {
            Action::Crash { .. } => self.crashes += 1,
            Action::Request { .. } => self.requests += 1,
            Action::Fire { .. } => self.timers += 1,
            _ => {}
        }
        self
    }
}

/// The scripted start of `base`: its protocol and cluster, no timeline,
/// no client load, no faults on the wire.
pub fn start(base: &Scenario) -> Scenario {
    Scenario {
        scripted: true,
        timeline: Vec::new(),
        client: None,
        links: Vec::new(),
        network: Default::default(),
        fsync_ms: None,
        expect: None,
        alerts: Vec::new(),
        marks: Vec::new(),
        tour: Vec::new(),
        ..base.clone()
    }
}

/// Explores from `base` within `bounds` while `go` says to go on: breadth
/// first, then (if that stopped short of the bounds) random walks drawn
/// from `seed`. Stops at the first violation.
pub fn explore(
    base: &Scenario,
    bounds: Bounds,
    seed: u64,
    go: &mut dyn FnMut(Progress) -> bool,
) -> Result<Explored, String> {
    let mut x = Exploring::new(base, bounds, seed)?;
    while go(x.progress()) && x.step() {}
    Ok(x.finish())
}

/// An exploration in progress, a little at a time: one state's successors
/// breadth first, or one walk, a [`step`](Exploring::step). The CLI loops
/// over it; the browser's worker runs it in slices between messages.
pub struct Exploring(Box<dyn Explores>);

trait Explores {
    fn step(&mut self) -> bool;
    fn progress(&self) -> Progress;
    fn finish(&mut self) -> Explored;
}

impl Exploring {
    /// An exploration of `base`'s protocol and cluster, or why it cannot be.
    pub fn new(base: &Scenario, bounds: Bounds, seed: u64) -> Result<Exploring, String> {
        struct New {
            bounds: Bounds,
            seed: u64,
        }
        impl Visit for New {
            type Output = Result<Exploring, String>;
            fn visit<P: Registered>(self, base: Scenario) -> Self::Output {
                let spec = P::spec(&base.protocol).expect("visit gives the scenario's protocol");
                P::explorable(spec).map_err(|e| format!("cannot explore a {} scenario: {e}", P::KIND.name()))?;
                let renames = if self.bounds.symmetry && P::symmetric(spec) {
                    Rename::all(base.nodes)
                } else {
                    vec![Rename::new((0..base.nodes).collect())]
                };
                let start = start(&base);
                Runner::<P>::build(start.clone()).map_err(|e| e.to_string())?;
                let mut x = Explorer::<P> {
                    start,
                    renames,
                    bounds: self.bounds,
                    seed: self.seed,
                    seen: HashSet::new(),
                    transitions: 0,
                    out: Explored { states: 1, transitions: 0, depth: 0, exhausted: false, walks: 0, found: None },
                    phase: Phase::Breadth,
                    tree: vec![(0, Action::HealAll)],
                    frontier: vec![(0, Used::default())],
                    next: Vec::new(),
                    at: 0,
                    depth: 1,
                    steps: Vec::new(),
                    walk: None,
                    protocol: std::marker::PhantomData,
                };
                let root = x.replay(&[]);
                x.seen.insert(fingerprint(root.sim(), &x.renames));
                if x.bounds.depth == 0 {
                    x.out.exhausted = true;
                    x.phase = Phase::Done;
                }
                Ok(Exploring(Box::new(x)))
            }
        }
        if base.nodes > 5 {
            return Err(format!("explore takes at most 5 nodes, not {}: the states of more do not fit", base.nodes));
        }
        visit(base.clone(), New { bounds, seed })
    }

    /// Explores a little more: false once it has finished.
    pub fn step(&mut self) -> bool {
        self.0.step()
    }

    pub fn progress(&self) -> Progress {
        self.0.progress()
    }

    /// What it did, up to now.
    pub fn finish(mut self) -> Explored {
        self.0.finish()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Breadth,
    Walk,
    Done,
}

struct Explorer<P: Registered> {
    start: Scenario,
    renames: Vec<Rename>,
    bounds: Bounds,
    seed: u64,
    seen: HashSet<u64>,
    transitions: u64,
    out: Explored,
    phase: Phase,
    /// Breadth first: each state's parent and the step from it (the
    /// root's is unused); the level being explored, as indices into the
    /// tree with what each path has used; the next level; where in this
    /// level it is, and which level.
    tree: Vec<(u32, Action)>,
    frontier: Vec<(u32, Used)>,
    next: Vec<(u32, Used)>,
    at: usize,
    depth: u32,
    steps: Vec<Action>,
    walk: Option<walk::Walks>,
    protocol: std::marker::PhantomData<P>,
}

impl<P: Registered> Explores for Explorer<P> {
    fn step(&mut self) -> bool {
        match self.phase {
            Phase::Breadth => self.expand(),
            Phase::Walk => self.walk(),
            Phase::Done => {}
        }
        self.phase != Phase::Done
    }

    fn progress(&self) -> Progress {
        let depth = if self.phase == Phase::Breadth { self.depth } else { 0 };
        Progress { states: self.seen.len() as u64, depth, walks: self.out.walks }
    }

    fn finish(&mut self) -> Explored {
        let mut out = self.out.clone();
        out.states = self.seen.len() as u64;
        out.transitions = self.transitions;
        out
    }
}

impl<P: Registered> Explorer<P> {
    /// The run after `path`, from the start.
    fn replay(&self, path: &[Action]) -> Runner<P> {
        let mut run = Runner::<P>::build(self.start.clone()).expect("built once already");
        for step in path {
            run.perform(step);
        }
        run
    }

    fn path_to(&self, mut at: u32) -> Vec<Action> {
        let mut path = Vec::new();
        while at != 0 {
            path.push(self.tree[at as usize].1.clone());
            at = self.tree[at as usize].0;
        }
        path.reverse();
        path
    }

    /// Breadth first, one state of the level at a time. The frontier is
    /// kept as paths in a tree, each state replayed from the start when
    /// its turn comes: a path costs a few dozen bytes where a run costs
    /// kilobytes. At `max_states` it moves on to walks.
    fn expand(&mut self) {
        if self.seen.len() as u64 >= self.bounds.max_states {
            self.phase = Phase::Walk;
            return;
        }
        let (at, used) = self.frontier[self.at];
        let path = self.path_to(at);
        let run = self.replay(&path);
        choices(&run, used, self.bounds, &mut self.steps);
        for step in std::mem::take(&mut self.steps) {
            let mut child = run.clone();
            child.perform(&step);
            self.transitions += 1;
            if let Some(v) = child.violations().first() {
                let mut path = path.clone();
                path.push(step);
                self.out.found = Some(Broken {
                    property: v.property.to_string(),
                    detail: v.detail.clone(),
                    by: By::BreadthFirst,
                    steps: path.len(),
                    shrunk_steps: path.len(),
                    scenario: scenario_of(&self.start, &path),
                });
                self.phase = Phase::Done;
                return;
            }
            if self.seen.insert(fingerprint(child.sim(), &self.renames)) {
                self.tree.push((at, step));
                self.next.push(((self.tree.len() - 1) as u32, used.after(&self.tree[self.tree.len() - 1].1)));
            }
        }
        self.at += 1;
        if self.at < self.frontier.len() {
            return;
        }
        // The level is done.
        self.out.depth = self.depth;
        self.frontier = std::mem::take(&mut self.next);
        self.at = 0;
        self.depth += 1;
        if self.frontier.is_empty() || self.depth > self.bounds.depth {
            // Every path within the depth bound was taken.
            self.out.exhausted = true;
            self.phase = Phase::Done;
        }
    }
}

/// Random steps a walk takes from an archived state.
const LEG: usize = 12;

/// The steps a state can take, one of each kind of alike messages.
fn choices<P: Registered>(run: &Runner<P>, node: Used, bounds: Bounds, out: &mut Vec<Action>) {
    let sim = run.sim();
    let mut alike = HashSet::new();
    let same = Rename::new((0..sim.len()).collect());
    for (i, m) in sim.held().iter().enumerate() {
        let mut h = StableHasher::default();
        (m.from, m.to).hash(&mut h);
        P::msg_fingerprint(&m.msg, &same, &mut h);
        if !alike.insert(h.finish()) {
            continue;
        }
        let nth = sim.held_nth(i);
        out.push(Action::Deliver { from: m.from, to: m.to, nth });
        if bounds.drops {
            out.push(Action::Drop { from: m.from, to: m.to, nth });
        }
    }
    for n in 0..sim.len() {
        match sim.status(n) {
            NodeStatus::Up => {
                if node.timers < bounds.timers {
                    for t in sim.timers(n) {
                        out.push(Action::Fire { node: n, timer: t.to_string() });
                    }
                }
                if node.requests < bounds.requests && P::request(0, None).is_some() {
                    out.push(Action::Request { node: Target::Node(n), key: None });
                }
                if node.crashes < bounds.crashes {
                    out.push(Action::Crash { node: Target::Node(n) });
                }
            }
            NodeStatus::Crashed => out.push(Action::Restart { node: n }),
            NodeStatus::Paused => {}
        }
    }
}

/// The state's hash, the least over the renamings.
fn fingerprint<P: Registered>(sim: &Sim<P>, renames: &[Rename]) -> u64 {
    renames.iter().map(|r| fingerprint_as(sim, r)).min().expect("at least the identity")
}

fn fingerprint_as<P: Registered>(sim: &Sim<P>, r: &Rename) -> u64 {
    let mut h = StableHasher::default();
    for old in r.order() {
        let status = sim.status(old);
        (status as u8).hash(&mut h);
        match sim.node(old) {
            Some(p) => p.fingerprint(r, &mut h),
            None => {
                // A crashed node is what it will restart as.
                if let Some(kept) = sim.persisted(old) {
                    P::boot(old, sim.config(), Some(kept.clone())).fingerprint(r, &mut h);
                }
            }
        }
        for t in sim.timers(old) {
            t.hash(&mut h);
        }
    }
    let mut wire: Vec<u64> = sim
        .held()
        .iter()
        .map(|m| {
            let mut h = StableHasher::default();
            (r.id(m.from), r.id(m.to)).hash(&mut h);
            P::msg_fingerprint(&m.msg, r, &mut h);
            h.finish()
        })
        .collect();
    wire.sort_unstable();
    wire.hash(&mut h);
    h.finish()
}

/// The scripted scenario that takes `path`, one step a millisecond.
fn scenario_of(start: &Scenario, path: &[Action]) -> Scenario {
    let timeline: Vec<TimedAction> = path
        .iter()
        .enumerate()
        .map(|(i, a)| TimedAction { at: Millis((i as u64 + 1) * MS), action: a.clone() })
        .collect();
    Scenario { timeline, duration_ms: Millis((path.len() as u64 + 2) * MS), ..start.clone() }
}
