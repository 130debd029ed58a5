//! The Quota: the global policy is never violated (Barbará and
//! Garcia-Molina, "The Demarcation Protocol", 1992, §2: the sum of what
//! the sites use stays within the limit). Two bounds, on what the clients
//! were told: no region spends more than its share without the global
//! group (the fallback rule's bound), and the units spent in all, from the
//! shares and the pool, never pass the quota.

use super::{Cmd, Federation, Note, Outcome};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::Sim;

pub const PROPERTY: &str = "Quota";
pub const REFERENCE: &str = "Demarcation Protocol §2";

#[derive(Clone, Debug, Default)]
pub struct Quota {
    quota: u32,
    share: u32,
    names: Vec<String>,
    /// Units spent from each region's share, and drawn from the pool.
    spent: Vec<u32>,
    granted: u32,
    /// The spends counted, by id (a spend is counted once).
    counted: Vec<bool>,
    failed: bool,
}

impl Quota {
    pub fn new(quota: u32, share: u32, names: Vec<String>) -> Self {
        Quota { quota, share, spent: vec![0; names.len()], names, ..Quota::default() }
    }
}

impl Checker<Federation> for Quota {
    fn check(&mut self, sim: &Sim<Federation>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        for e in sim.trace().last_step() {
            let EventKind::Note { node, note: Note::Done { op: Cmd::Spend(id), region, outcome } } = &e.kind else {
                continue;
            };
            if !matches!(outcome, Outcome::Spent { .. } | Outcome::Granted) {
                continue;
            }
            let i = *id as usize;
            if self.counted.len() <= i {
                self.counted.resize(i + 1, false);
            }
            if std::mem::replace(&mut self.counted[i], true) {
                continue;
            }
            let r = usize::from(*region);
            let Some(spent) = self.spent.get_mut(r) else { continue };
            let name = self.names.get(r).map_or("?", String::as_str);
            let detail = if *outcome == Outcome::Granted {
                self.granted += 1;
                None
            } else {
                *spent += 1;
                (*spent > self.share).then(|| {
                    format!(
                        "region {name} spent {spent} units on its own (s{id} the last), past its share of {}: a region may spend only its share without the global group",
                        self.share
                    )
                })
            };
            let total = self.spent.iter().sum::<u32>() + self.granted;
            let detail = detail.or_else(|| {
                (total > self.quota).then(|| {
                    format!("{total} units are spent in all (s{id} the last), past the global quota of {}", self.quota)
                })
            });
            if let Some(detail) = detail {
                self.failed = true;
                out.push(Violation::after(PROPERTY, REFERENCE, e, vec![*node], detail));
                return;
            }
        }
    }
}
