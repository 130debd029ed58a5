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

use crate::contract::{Action, Rename, Target, TimedAction};
use crate::scenario::{visit, Millis, Registered, Runner, Scenario, Visit};
use crate::sim::rng::Rng;
use crate::sim::trace::StableHasher;
use crate::sim::{NodeStatus, Sim, MS};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
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
    struct Explore<'a> {
        bounds: Bounds,
        seed: u64,
        go: &'a mut dyn FnMut(Progress) -> bool,
    }
    impl Visit for Explore<'_> {
        type Output = Result<Explored, String>;
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
                seen: HashSet::new(),
                transitions: 0,
                go: self.go,
                protocol: std::marker::PhantomData,
            };
            let mut out = x.bfs();
            if out.found.is_none() && !out.exhausted && x.going(0, 0) {
                out.found = x.walk(self.seed, &mut out.walks);
                out.states = x.seen.len() as u64;
            }
            out.transitions = x.transitions;
            Ok(out)
        }
    }
    if base.nodes > 5 {
        return Err(format!("explore takes at most 5 nodes, not {}: the states of more do not fit", base.nodes));
    }
    visit(base.clone(), Explore { bounds, seed, go })
}

struct Explorer<'a, P: Registered> {
    start: Scenario,
    renames: Vec<Rename>,
    bounds: Bounds,
    seen: HashSet<u64>,
    transitions: u64,
    go: &'a mut dyn FnMut(Progress) -> bool,
    protocol: std::marker::PhantomData<P>,
}

impl<P: Registered> Explorer<'_, P> {
    fn going(&mut self, depth: u32, walks: u64) -> bool {
        (self.go)(Progress { states: self.seen.len() as u64, depth, walks })
    }

    /// The run after `path`, from the start.
    fn replay(&self, path: &[Action]) -> Runner<P> {
        let mut run = Runner::<P>::build(self.start.clone()).expect("built once already");
        for step in path {
            run.perform(step);
        }
        run
    }

    /// Breadth first. The frontier is kept as paths in a tree, each state
    /// replayed from the start when its turn comes: a path costs a few
    /// dozen bytes where a run costs kilobytes.
    fn bfs(&mut self) -> Explored {
        let root = self.replay(&[]);
        self.seen.insert(fingerprint(root.sim(), &self.renames));
        // Each state's parent and the step from it (the root's is unused).
        let mut tree: Vec<(u32, Action)> = vec![(0, Action::HealAll)];
        let mut frontier: Vec<(u32, Used)> = vec![(0, Used::default())];
        let mut out = Explored { states: 1, transitions: 0, depth: 0, exhausted: false, walks: 0, found: None };
        let mut steps = Vec::new();
        let path_to = |tree: &[(u32, Action)], mut at: u32| {
            let mut path = Vec::new();
            while at != 0 {
                path.push(tree[at as usize].1.clone());
                at = tree[at as usize].0;
            }
            path.reverse();
            path
        };
        for depth in 1..=self.bounds.depth {
            let mut next = Vec::new();
            for &(at, used) in &frontier {
                if self.seen.len() as u64 >= self.bounds.max_states || !self.going(depth, 0) {
                    out.states = self.seen.len() as u64;
                    return out;
                }
                let path = path_to(&tree, at);
                let run = self.replay(&path);
                choices(&run, used, self.bounds, &mut steps);
                for step in steps.drain(..) {
                    let mut child = run.clone();
                    child.perform(&step);
                    self.transitions += 1;
                    if let Some(v) = child.violations().first() {
                        let mut path = path.clone();
                        path.push(step);
                        let scenario = scenario_of(&self.start, &path);
                        out.found = Some(Broken {
                            property: v.property.to_string(),
                            detail: v.detail.clone(),
                            by: By::BreadthFirst,
                            steps: path.len(),
                            shrunk_steps: path.len(),
                            scenario,
                        });
                        out.states = self.seen.len() as u64;
                        return out;
                    }
                    if self.seen.insert(fingerprint(child.sim(), &self.renames)) {
                        let used = used.after(&step);
                        tree.push((at, step));
                        next.push(((tree.len() - 1) as u32, used));
                    }
                }
            }
            out.states = self.seen.len() as u64;
            out.depth = depth;
            if next.is_empty() {
                out.exhausted = true;
                return out;
            }
            frontier = next;
        }
        // Every path within the depth bound was taken.
        out.exhausted = true;
        out
    }

    /// Past what breadth first can hold: Go-Explore (Ecoffet et al.,
    /// "First return, then explore", Nature 2021). An archive keeps, for
    /// each state of the nodes reached (the wire left out), the shortest
    /// path found to it. Each walk returns to an archived state
    /// (the less visited, the likelier), then takes up to [`LEG`] random
    /// steps, archiving what it reaches. A violation's path is shrunk as a
    /// search's schedule is.
    fn walk(&mut self, seed: u64, walks: &mut u64) -> Option<Broken> {
        struct Cell {
            path: Vec<Action>,
            used: Used,
            visits: u32,
        }
        let mut archive: Vec<Cell> = vec![Cell { path: Vec::new(), used: Used::default(), visits: 0 }];
        let mut index: HashMap<u64, usize> = HashMap::new();
        let mut scratch = Vec::new();
        index.insert(super::coverage::abstract_state(self.replay(&[]).sim(), &mut scratch), 0);
        let mut steps = Vec::new();
        let mut rng = Rng::new(seed, 0xe8_91_0e);
        while *walks < self.bounds.walks && self.going(0, *walks) {
            *walks += 1;
            // Weighted by 1 / sqrt(1 + visits): a few draws, the best kept.
            let pick = (0..4)
                .map(|_| rng.below(archive.len() as u64) as usize)
                .max_by_key(|&c| u32::MAX - archive[c].visits)
                .expect("four draws");
            archive[pick].visits += 1;
            let mut path = archive[pick].path.clone();
            let mut used = archive[pick].used;
            let mut run = self.replay(&path);
            for _ in 0..LEG {
                if path.len() as u32 >= self.bounds.depth {
                    break;
                }
                choices(&run, used, self.bounds, &mut steps);
                if steps.is_empty() {
                    break;
                }
                let step = steps.swap_remove(rng.below(steps.len() as u64) as usize);
                steps.clear();
                run.perform(&step);
                self.transitions += 1;
                used = used.after(&step);
                path.push(step);
                if self.seen.len() < 50_000_000 {
                    self.seen.insert(fingerprint(run.sim(), &self.renames));
                }
                if let Some(v) = run.violations().first() {
                    let property = v.property;
                    return Some(self.shrunk(path, property));
                }
                let here = super::coverage::abstract_state(run.sim(), &mut scratch);
                match index.get(&here) {
                    None => {
                        index.insert(here, archive.len());
                        archive.push(Cell { path: path.clone(), used, visits: 0 });
                    }
                    Some(&c) if archive[c].path.len() > path.len() => {
                        archive[c].path = path.clone();
                        archive[c].used = used;
                    }
                    Some(_) => {}
                }
            }
        }
        if std::env::var("EXPLORE_DEBUG").is_ok() {
            let deepest = archive.iter().map(|c| c.path.len()).max();
            eprintln!("archive {} cells, deepest {deepest:?}", archive.len());
        }
        None
    }

    /// A walk's path that breaks `property`, shrunk: steps are dropped
    /// one at a time, last first, while the rest still breaks it, until no
    /// one step can go. A delivery names its message by content, so that
    /// dropping an earlier step does not make it deliver another.
    fn shrunk(&self, path: Vec<Action>, property: &str) -> Broken {
        let steps = path.len();
        let named = self.name_messages(&path);
        let mut keep = named.clone();
        let mut i = keep.len();
        while i > 0 {
            i -= 1;
            let mut candidate = keep.clone();
            candidate.remove(i);
            if self.resolve(&candidate).1.as_deref() == Some(property) {
                keep = candidate;
                i = i.min(keep.len());
            }
        }
        let (path, _) = self.resolve(&keep);
        let scenario = scenario_of(&self.start, &path);
        let mut r = Runner::<P>::build(scenario.clone()).expect("valid");
        r.run_to_end();
        let v = r.violations().first().expect("the shrunk path breaks it").clone();
        Broken {
            property: v.property.to_string(),
            detail: v.detail,
            by: By::GoExplore,
            steps,
            shrunk_steps: path.len(),
            scenario,
        }
    }

    /// Each step with the content of the message it delivers or drops.
    fn name_messages(&self, path: &[Action]) -> Vec<(Action, u64)> {
        let mut run = self.replay(&[]);
        path.iter()
            .map(|step| {
                let content = match *step {
                    Action::Deliver { from, to, nth } | Action::Drop { from, to, nth } => {
                        run.sim().held_index(from, to, nth).map_or(0, |k| content::<P>(run.sim(), k))
                    }
                    _ => 0,
                };
                run.perform(step);
                (step.clone(), content)
            })
            .collect()
    }

    /// The path that takes these steps, each delivery or drop of the first
    /// message waiting with its content (a step with none is left out),
    /// and the first property it breaks.
    fn resolve(&self, named: &[(Action, u64)]) -> (Vec<Action>, Option<String>) {
        let mut run = self.replay(&[]);
        let mut path = Vec::new();
        for (step, named_content) in named {
            let step = match *step {
                Action::Deliver { from, to, .. } | Action::Drop { from, to, .. } => {
                    let sim = run.sim();
                    let Some(k) = (0..sim.held().len()).find(|&k| {
                        let h = &sim.held()[k];
                        h.from == from && h.to == to && content::<P>(sim, k) == *named_content
                    }) else {
                        continue;
                    };
                    let nth = sim.held_nth(k);
                    match step {
                        Action::Deliver { .. } => Action::Deliver { from, to, nth },
                        _ => Action::Drop { from, to, nth },
                    }
                }
                _ => step.clone(),
            };
            run.perform(&step);
            path.push(step);
            if let Some(v) = run.violations().first() {
                return (path, Some(v.property.to_string()));
            }
        }
        (path, None)
    }
}

/// The content of the message at `k` of [`Sim::held`].
fn content<P: Registered>(sim: &Sim<P>, k: usize) -> u64 {
    let mut h = StableHasher::default();
    P::msg_fingerprint(&sim.held()[k].msg, &Rename::new((0..sim.len()).collect()), &mut h);
    h.finish()
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
