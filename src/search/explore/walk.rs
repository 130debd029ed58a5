//! Past what breadth first can hold: Go-Explore walks, and the shrinking
//! of a walk's path.

use super::{choices, fingerprint, scenario_of, Broken, By, Explorer, Phase, Used, LEG};
use crate::contract::{Action, Rename};
use crate::scenario::{Registered, Runner};
use crate::search::coverage;
use crate::sim::rng::Rng;
use crate::sim::trace::StableHasher;
use crate::sim::Sim;
use std::collections::HashMap;
use std::hash::Hasher;

/// Go-Explore's archive: for each abstract state reached, the shortest
/// path found to it, and how often a walk returned there.
pub(super) struct Cell {
    path: Vec<Action>,
    used: Used,
    visits: u32,
}

pub(super) struct Walks {
    archive: Vec<Cell>,
    index: HashMap<u64, usize>,
    scratch: Vec<u64>,
    rng: Rng,
}

impl<P: Registered> Explorer<P> {
    /// Past what breadth first can hold: Go-Explore (Ecoffet et al.,
    /// "First return, then explore", Nature 2021), one walk a step. An
    /// archive keeps, for each state of the nodes reached (the wire left
    /// out), the shortest path found to it. Each walk returns to an
    /// archived state (the less visited, the likelier), then takes up to
    /// [`LEG`] random steps, archiving what it reaches. A violation's path
    /// is shrunk as a search's schedule is.
    pub(super) fn walk(&mut self) {
        if self.out.walks >= self.bounds.walks {
            self.phase = Phase::Done;
            return;
        }
        let mut w = match self.walk.take() {
            Some(w) => w,
            None => {
                let mut w = Walks {
                    archive: vec![Cell { path: Vec::new(), used: Used::default(), visits: 0 }],
                    index: HashMap::new(),
                    scratch: Vec::new(),
                    rng: Rng::new(self.seed, 0xe8_91_0e),
                };
                w.index.insert(coverage::abstract_state(self.replay(&[]).sim(), &mut w.scratch), 0);
                w
            }
        };
        self.out.walks += 1;
        // Weighted by 1 / sqrt(1 + visits): a few draws, the best kept.
        let pick = (0..4)
            .map(|_| w.rng.below(w.archive.len() as u64) as usize)
            .max_by_key(|&c| u32::MAX - w.archive[c].visits)
            .expect("four draws");
        w.archive[pick].visits += 1;
        let mut path = w.archive[pick].path.clone();
        let mut used = w.archive[pick].used;
        let mut run = self.replay(&path);
        for _ in 0..LEG {
            if path.len() as u32 >= self.bounds.depth {
                break;
            }
            choices(&run, used, self.bounds, &mut self.steps);
            if self.steps.is_empty() {
                break;
            }
            let step = self.steps.swap_remove(w.rng.below(self.steps.len() as u64) as usize);
            self.steps.clear();
            run.perform(&step);
            self.transitions += 1;
            used = used.after(&step);
            path.push(step);
            if self.seen.len() < 50_000_000 {
                self.seen.insert(fingerprint(run.sim(), &self.renames));
            }
            if let Some(v) = run.violations().first() {
                let property = v.property;
                self.out.found = Some(self.shrunk(path, property));
                self.phase = Phase::Done;
                return;
            }
            let here = coverage::abstract_state(run.sim(), &mut w.scratch);
            match w.index.get(&here) {
                None => {
                    w.index.insert(here, w.archive.len());
                    w.archive.push(Cell { path: path.clone(), used, visits: 0 });
                }
                Some(&c) if w.archive[c].path.len() > path.len() => {
                    w.archive[c].path = path.clone();
                    w.archive[c].used = used;
                }
                Some(_) => {}
            }
        }
        self.walk = Some(w);
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
