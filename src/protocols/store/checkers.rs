//! The store's safety properties, checked after every step.
//!
//! - **No Lost Write** (with siblings kept): a replica may drop a version
//!   only when a version it now holds has it in its past, that is, when a
//!   later writer had read it. An acknowledged write that vanishes without
//!   that is lost, whether the replica drops it after the acknowledgement
//!   or before (a drop is remembered until its write is acknowledged).
//!   (Under last-writer-wins losing writes is the rule, and measured, not
//!   checked.)
//! - **Causality** (Preguiça et al. 2012, §3): a new version's past is
//!   exactly what its writer read, so it dominates nothing its writer had
//!   not seen.

use super::dvv::{Dot, NodeId, VersionVector};
use super::node::{Cmd, Key, Msg, Note, StoreNode};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::Sim;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct NoLostWrite {
    acked: BTreeSet<Dot>,
    /// The dots each replica held for each key after its last change.
    held: BTreeMap<(NodeId, Key), Vec<Dot>>,
    /// Writes not yet acknowledged that a replica dropped without a later
    /// writer having read them: a violation once they are acknowledged.
    /// (Empty unless a replica misbehaves.)
    dropped: Vec<(Dot, NodeId, Key)>,
}

impl Checker<StoreNode> for NoLostWrite {
    fn check(&mut self, sim: &Sim<StoreNode>, out: &mut Vec<Violation>) {
        let mut touched = BTreeSet::new();
        let mut acked_now = Vec::new();
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Note { note: Note::PutAcked { dot, .. }, .. } => {
                    self.acked.insert(*dot);
                    acked_now.push(*dot);
                }
                EventKind::Deliver { to, msg, .. } => match msg {
                    Msg::Replicate { key, hint: None, .. } | Msg::Handoff { key, .. } => {
                        touched.insert((*to, *key));
                    }
                    Msg::SyncDiff { entries, .. } | Msg::SyncPush { entries } => {
                        touched.extend(entries.iter().map(|(k, _)| (*to, *k)));
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        let Some(last) = sim.trace().last_step().last() else { return };
        for dot in acked_now {
            self.dropped.retain(|&(d, node, key)| {
                let now = d == dot;
                if now {
                    out.push(lost(last, node, key, dot, "before it was acknowledged, and no later writer had read it"));
                }
                !now
            });
        }
        for (node, key) in touched {
            let Some(siblings) = sim.node(node).and_then(|n| n.siblings(key)) else { continue };
            let held = self.held.entry((node, key)).or_default();
            let now = siblings.versions().iter().map(|v| v.dot);
            if held.iter().copied().eq(now.clone()) {
                continue;
            }
            let before = std::mem::replace(held, now.collect());
            for dot in before {
                if held.contains(&dot) || pasts_cover(siblings.versions(), dot) {
                    continue;
                }
                if self.acked.contains(&dot) {
                    let holds = format!("which no later writer had read (it holds {})", describe(&siblings.context()));
                    out.push(lost(last, node, key, dot, &holds));
                } else {
                    self.dropped.push((dot, node, key));
                }
            }
        }
    }
}

/// A violation: `node` dropped the acknowledged write `dot` of `key`.
fn lost(at: &crate::sim::trace::Event<StoreNode>, node: NodeId, key: Key, dot: Dot, why: &str) -> Violation {
    Violation::after(
        "No Lost Write",
        "Dynamo §4.4; DVV §5",
        at,
        if node == dot.node { vec![node] } else { vec![node, dot.node] },
        format!("n{node} dropped the acknowledged write ({},{}) of k{key}, {why}", dot.node, dot.counter),
    )
}

fn pasts_cover<V>(versions: &[super::dvv::Version<V>], dot: Dot) -> bool {
    versions.iter().any(|v| v.past.contains(dot))
}

fn describe(vv: &VersionVector) -> String {
    let parts: Vec<String> = vv.iter().map(|(n, c)| format!("n{n}:{c}")).collect();
    format!("[{}]", parts.join(" "))
}

static EMPTY: VersionVector = VersionVector::empty();

#[derive(Clone, Debug, Default)]
pub struct Causality {
    seen: BTreeSet<Dot>,
}

impl Checker<StoreNode> for Causality {
    fn check(&mut self, sim: &Sim<StoreNode>, out: &mut Vec<Violation>) {
        let mut read: Option<&VersionVector> = None;
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Command { cmd: Cmd::Put { context, .. }, accepted: true, .. } => read = Some(context),
                EventKind::Note { note: Note::ReadForWrite { context, .. }, .. } => read = Some(context),
                EventKind::Note { note: Note::Invoked { write: Some(_), .. }, .. } if read.is_none() => {
                    // A blind write: its client read nothing.
                    read = Some(&EMPTY);
                }
                EventKind::Send { from, msg: Msg::Replicate { key, versions, .. }, .. } => {
                    let (Some(ctx), [v]) = (read, &**versions) else { continue };
                    if v.dot.node != *from || !self.seen.insert(v.dot) {
                        continue;
                    }
                    let extra: Vec<String> =
                        v.past.iter().filter(|&(n, c)| c > ctx.get(n)).map(|(n, c)| format!("n{n}:{c}")).collect();
                    if !extra.is_empty() {
                        out.push(Violation::after(
                            "Causality",
                            "DVV §3",
                            e,
                            vec![*from],
                            format!(
                                "the write ({},{}) of k{key} claims to have seen {} that its client never read (it read {})",
                                v.dot.node,
                                v.dot.counter,
                                extra.join(" "),
                                describe(ctx)
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}
