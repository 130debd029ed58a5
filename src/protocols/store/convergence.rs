//! Convergence (eventual consistency as Vogels states it, "Eventually
//! Consistent", CACM 2009; the bound from [`super::anti_entropy`]): once
//! the faults are healed and the writes stop, every replica of every key
//! holds the same versions within a stated time.
//!
//! The bound, after the quiet instant (the last fault, heal, client write
//! or retry), with anti-entropy every `ae` and a network whose messages
//! take at most `d`:
//!
//! `bound = nodes × ae + timeout × (retries + 1) + handoff + 6 d`
//!
//! that is, the first round's phase (at most 1.5 `ae`) and one full cycle
//! of `nodes - 1` rounds in which every pair of nodes syncs directly (each
//! receives every other's versions), the writes still in flight (a request
//! and its retries, each one timeout), the hints still held (one handoff
//! period, with sloppy quorums), and the messages of the last round and of
//! a handoff (three each way). [`Convergence::bound`] is the one place it is
//! computed; `tests/store_protocol.rs` shows the correct store well within
//! it and a store with rounds three times as far apart flagged exactly on
//! the seeds where it converges past it.
//!
//! It is checked only where it holds: every node up, no partition or cut,
//! no message loss, anti-entropy on. A run stopped before the bound has
//! passed is not judged.

use super::node::{Key, Note, StoreNode};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{NodeStatus, Sim, Time};
use std::collections::BTreeSet;

#[derive(Clone, Debug)]
pub struct Convergence {
    pub bound_us: Time,
    quiet_since: Time,
    checked: Option<Time>,
}

impl Convergence {
    pub fn new(bound_us: Time) -> Self {
        Convergence { bound_us, quiet_since: 0, checked: None }
    }

    /// The bound for a configuration with anti-entropy every `ae_us` and
    /// messages of at most `max_latency_us`.
    pub fn bound(cfg: &super::node::StoreConfig, max_latency_us: Time) -> Option<Time> {
        let ae = cfg.anti_entropy_us?;
        let handoff = if cfg.sloppy { cfg.handoff_us } else { 0 };
        Some(u64::from(cfg.nodes) * ae + cfg.timeout_us * u64::from(cfg.retries + 1) + handoff + 6 * max_latency_us)
    }
}

fn calm(sim: &Sim<StoreNode>) -> bool {
    let net = sim.network();
    (0..sim.len()).all(|n| sim.status(n) == NodeStatus::Up)
        && !net.is_partitioned()
        && net.cuts().next().is_none()
        && net.default_link().loss == 0.0
        && net.overrides().all(|(_, l)| l.loss == 0.0)
}

/// The first key whose home replicas disagree, with two of them.
pub fn divergent(sim: &Sim<StoreNode>) -> Option<(Key, u32, u32)> {
    let nodes: Vec<&StoreNode> = (0..sim.len()).filter_map(|n| sim.node(n)).collect();
    let first = nodes.first()?;
    let n = first.config().n;
    let keys: BTreeSet<Key> = nodes.iter().flat_map(|s| s.keys().map(|(k, _)| *k)).collect();
    for key in keys {
        let home = first.ring().preference_list(key, n);
        let held: Vec<_> = home.iter().map(|&h| sim.node(h).and_then(|s| s.siblings(key))).collect();
        if let Some(i) = held.iter().position(|h| *h != held[0]) {
            return Some((key, home[0], home[i]));
        }
    }
    None
}

impl Checker<StoreNode> for Convergence {
    fn check(&mut self, sim: &Sim<StoreNode>, out: &mut Vec<Violation>) {
        let step = sim.trace().last_step();
        for e in step {
            let busy = match &e.kind {
                EventKind::Fault(_) => true,
                EventKind::Note { note, .. } => {
                    matches!(note, Note::Invoked { write: Some(_), .. } | Note::Retried { .. })
                }
                _ => false,
            };
            if busy {
                self.quiet_since = e.time;
            }
        }
        let Some(last) = step.last() else { return };
        if last.time < self.quiet_since + self.bound_us || self.checked == Some(self.quiet_since) || !calm(sim) {
            return;
        }
        self.checked = Some(self.quiet_since);
        if let Some((key, a, b)) = divergent(sim) {
            out.push(Violation::after(
                "Convergence",
                "Dynamo §4.7; Vogels 2009",
                last,
                vec![a, b],
                format!(
                    "{:.0} ms after the last fault or write, n{a} and n{b} still hold different versions of k{key} (the bound is {:.0} ms)",
                    (last.time - self.quiet_since) as f64 / 1000.0,
                    self.bound_us as f64 / 1000.0
                ),
            ));
        }
    }
}
