//! A hunt for a bug as the page asks for one: a search or an exploration
//! of a scenario given as JSON, run a step at a time (in the browser, by
//! the worker, in slices between messages), with progress to show and a
//! result that carries the failing scenario back as JSON.

use super::explore::{Bounds, Exploring};
use super::{Searching, Shard};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// How to hunt.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum How {
    /// Fault schedules around the scenario ([`super::search`]).
    Search { schedules: u64, seed: u64 },
    /// Every interleaving of a small cluster's steps ([`super::explore`]).
    Explore { depth: u32, states: u64, seed: u64 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HuntRequest {
    /// The scenario, as its file holds it.
    pub scenario: String,
    pub how: How,
}

/// Where a hunt is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HuntProgress {
    /// Schedules run (a search), or 0.
    pub schedules: u64,
    /// Distinct states reached: abstract ones (a search) or whole ones
    /// (an exploration).
    pub states: u64,
    /// The level being explored breadth first, or 0.
    pub depth: u32,
    /// Go-Explore walks taken.
    pub walks: u64,
    /// Whether it is shrinking a violation found.
    pub shrinking: bool,
}

/// A property a hunt broke.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bug {
    pub property: String,
    pub detail: String,
    /// The shrunk scenario that breaks it, as JSON.
    pub scenario: String,
    /// When it breaks (µs).
    pub at_us: u64,
    /// Timeline actions (or steps) before and after shrinking.
    pub actions: usize,
    pub shrunk_actions: usize,
    /// How it was found, in words.
    pub by: String,
}

/// What a hunt did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hunted {
    pub progress: HuntProgress,
    pub found: Option<Bug>,
    /// Whether it ran to its end (or to a bug) rather than being stopped.
    pub complete: bool,
}

/// A variant of the bug zoo as the page lists it: the worker holds the
/// zoo, so that its texts and scenarios stay out of the page's wasm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZooEntry {
    pub id: String,
    pub protocol: String,
    pub title: String,
    pub explanation: String,
    pub property: String,
    /// The scenario as a mystery, and as itself, as JSON.
    pub mystery: String,
    pub scenario: String,
}

/// Every variant of the zoo, in the registry's order.
pub fn zoo() -> Vec<ZooEntry> {
    super::zoo::all()
        .into_iter()
        .map(|v| ZooEntry {
            id: v.id.into(),
            protocol: v.protocol.into(),
            title: v.title.into(),
            explanation: v.explanation.into(),
            property: v.property.into(),
            mystery: v.mystery().to_json(),
            scenario: v.scenario().to_json(),
        })
        .collect()
}

pub enum Hunt {
    Search(Searching, Named),
    Explore(Exploring, Named),
}

/// What a found bug's scenario is called, and what it says: the
/// violation, and when the hunt began from a mystery of the bug zoo, what
/// was broken.
pub struct Named {
    how: &'static str,
    variant: Option<&'static super::zoo::Variant>,
}

impl Named {
    fn of(base: &Scenario, how: &'static str) -> Named {
        Named { how, variant: super::zoo::Variant::of_mystery(&base.name) }
    }

    fn scenario(&self, found: &Scenario, property: &str, detail: &str, actions: usize) -> String {
        let mut s = found.clone();
        s.name = format!(
            "{property}: found by {} ({actions} {})",
            self.how,
            if self.how == "search" { "actions" } else { "steps" }
        );
        s.description = match self.variant {
            Some(v) => format!("{detail}\n\nWhat was broken: {}. {}", v.title, v.explanation),
            None => detail.to_string(),
        };
        s.to_json()
    }
}

impl Hunt {
    /// A hunt as asked, or why it cannot be.
    pub fn new(request: &HuntRequest) -> Result<Hunt, String> {
        let base = Scenario::from_json(&request.scenario).map_err(|e| format!("the scenario is invalid: {e}"))?;
        match request.how {
            How::Search { schedules, seed } => {
                if schedules == 0 {
                    return Err("a search needs at least one schedule".into());
                }
                super::searchable(&base)?;
                Ok(Hunt::Search(Searching::new(&base, seed, schedules, Shard::ALL), Named::of(&base, "search")))
            }
            How::Explore { depth, states, seed } => {
                if depth == 0 || states == 0 {
                    return Err("an exploration needs a depth and a number of states above 0".into());
                }
                let bounds = Bounds { depth, max_states: states, ..Bounds::default() };
                Exploring::new(&base, bounds, seed).map(|x| Hunt::Explore(x, Named::of(&base, "explore")))
            }
        }
    }

    /// Hunts a little more: false once it has finished.
    pub fn step(&mut self) -> bool {
        match self {
            Hunt::Search(s, _) => {
                s.step();
                !s.done()
            }
            Hunt::Explore(x, _) => x.step(),
        }
    }

    pub fn progress(&self) -> HuntProgress {
        match self {
            Hunt::Search(s, _) => HuntProgress {
                schedules: s.schedules(),
                states: s.states(),
                shrinking: s.shrinking(),
                ..HuntProgress::default()
            },
            Hunt::Explore(x, _) => {
                let p = x.progress();
                HuntProgress { states: p.states, depth: p.depth, walks: p.walks, ..HuntProgress::default() }
            }
        }
    }

    /// What it found, up to now.
    pub fn finish(self) -> Hunted {
        let progress = self.progress();
        match self {
            Hunt::Search(s, named) => {
                let out = s.finish();
                let found = out.found.map(|f| Bug {
                    scenario: named.scenario(&f.scenario, &f.property, &f.detail, f.shrunk_actions),
                    property: f.property,
                    detail: f.detail,
                    at_us: f.at_us,
                    actions: f.actions,
                    shrunk_actions: f.shrunk_actions,
                    by: format!("schedule {} of the search, shrunk in {} runs", f.schedule, f.shrink_runs),
                });
                Hunted { progress, found, complete: out.complete }
            }
            Hunt::Explore(x, named) => {
                let out = x.finish();
                let complete = out.found.is_some() || out.exhausted;
                let found = out.found.map(|b| {
                    let by = match b.by {
                        super::explore::By::BreadthFirst => "breadth first: no shorter path breaks it".to_string(),
                        super::explore::By::GoExplore => {
                            format!("a Go-Explore walk past depth {}, shrunk from {} steps", out.depth, b.steps)
                        }
                    };
                    Bug {
                        at_us: b.at_us(),
                        scenario: named.scenario(&b.scenario, &b.property, &b.detail, b.shrunk_steps),
                        property: b.property,
                        detail: b.detail,
                        actions: b.steps,
                        shrunk_actions: b.shrunk_steps,
                        by,
                    }
                });
                Hunted { progress, found, complete }
            }
        }
    }
}
