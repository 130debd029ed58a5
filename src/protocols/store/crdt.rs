//! Values that merge by themselves: state-based CRDTs from Shapiro,
//! Preguiça, Baquero and Zawirski, "A comprehensive study of Convergent and
//! Commutative Replicated Data Types" (INRIA RR-7506, 2011): the PN-Counter
//! (§3.1.3) and the add-wins Observed-Remove Set (§3.3.5). Merge is a join:
//! commutative, associative and idempotent, so replicas that have seen the
//! same updates hold the same value, in any order of exchange, and no
//! concurrent update is lost (siblings need no client to resolve them).

use super::dvv::{Dot, NodeId};
use std::collections::{BTreeMap, BTreeSet};

/// A counter that goes up and down: per node, its increments and its
/// decrements, each only ever growing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PnCounter {
    p: BTreeMap<NodeId, u64>,
    n: BTreeMap<NodeId, u64>,
}

impl PnCounter {
    /// Adds `by` (negative to subtract), counted as `node`'s.
    pub fn add(&mut self, node: NodeId, by: i64) {
        let side = if by >= 0 { &mut self.p } else { &mut self.n };
        *side.entry(node).or_insert(0) += by.unsigned_abs();
    }

    pub fn value(&self) -> i64 {
        self.p.values().sum::<u64>() as i64 - self.n.values().sum::<u64>() as i64
    }

    pub fn merge(&mut self, other: &PnCounter) {
        for (mine, theirs) in [(&mut self.p, &other.p), (&mut self.n, &other.n)] {
            for (&node, &c) in theirs {
                let e = mine.entry(node).or_insert(0);
                *e = (*e).max(c);
            }
        }
    }

    /// Bytes on the wire: a node id and a count per entry.
    pub fn wire_bytes(&self) -> usize {
        (self.p.len() + self.n.len()) * 12
    }
}

/// A set where an add concurrent with a remove wins: each add is tagged
/// with a unique dot, and a remove removes only the tags it observed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OrSet<E: Ord> {
    adds: BTreeMap<E, BTreeSet<Dot>>,
    removed: BTreeSet<Dot>,
}

impl<E: Ord> Default for OrSet<E> {
    fn default() -> Self {
        OrSet { adds: BTreeMap::new(), removed: BTreeSet::new() }
    }
}

impl<E: Ord + Clone> OrSet<E> {
    /// Adds `e`, tagged with `tag` (unique to this add: the writing node's
    /// next event).
    pub fn add(&mut self, e: E, tag: Dot) {
        if !self.removed.contains(&tag) {
            self.adds.entry(e).or_default().insert(tag);
        }
    }

    /// Removes `e` as this replica sees it: the tags it holds now.
    pub fn remove(&mut self, e: &E) {
        if let Some(tags) = self.adds.remove(e) {
            self.removed.extend(tags);
        }
    }

    pub fn contains(&self, e: &E) -> bool {
        self.adds.get(e).is_some_and(|t| !t.is_empty())
    }

    pub fn elements(&self) -> impl Iterator<Item = &E> {
        self.adds.iter().filter(|(_, t)| !t.is_empty()).map(|(e, _)| e)
    }

    pub fn merge(&mut self, other: &OrSet<E>) {
        self.removed.extend(other.removed.iter().copied());
        for (e, tags) in &other.adds {
            self.adds.entry(e.clone()).or_default().extend(tags.iter().copied());
        }
        let removed = &self.removed;
        self.adds.retain(|_, tags| {
            tags.retain(|t| !removed.contains(t));
            !tags.is_empty()
        });
    }

    /// Bytes on the wire: 12 per tag (live or removed) plus `elem` per element.
    pub fn wire_bytes(&self, elem: impl Fn(&E) -> usize) -> usize {
        self.adds.iter().map(|(e, t)| elem(e) + 12 * t.len()).sum::<usize>() + 12 * self.removed.len()
    }
}

/// A key's value when the store resolves by itself: each stored version
/// (a sibling, as the dotted version vectors keep them) holds the whole
/// state its writer made, and a read returns the join of its siblings'
/// states, so concurrent updates are all counted without a client merge.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Crdt {
    Counter(PnCounter),
    Set(OrSet<u64>),
}

/// Elements a set shows by name; a bigger one shows its size.
const SHOWN: usize = 4;

/// What a client does to a CRDT value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Add to a counter (negative: subtract).
    Add(i64),
    /// Add an element to a set, tagged with a dot unique to this add (the
    /// store tags with the adding node and the element: an element is added
    /// once, or by different nodes at once).
    Insert(u64, Dot),
    /// Remove elements from a set, as the writer read it.
    Remove(Vec<u64>),
    /// Replace elements of a set: remove `from`, add `to` with its tag.
    Move(Vec<(u64, u64, Dot)>),
    /// Write back the join unchanged (the siblings collapse).
    Keep,
}

impl Crdt {
    /// The join of every version's state (`empty` when none holds one).
    pub fn join_all<'a>(empty: Crdt, states: impl Iterator<Item = &'a Crdt>) -> Crdt {
        states.fold(empty, |mut acc, s| {
            acc.join(s);
            acc
        })
    }

    pub fn join(&mut self, other: &Crdt) {
        match (self, other) {
            (Crdt::Counter(a), Crdt::Counter(b)) => a.merge(b),
            (Crdt::Set(a), Crdt::Set(b)) => a.merge(b),
            _ => {}
        }
    }

    /// Applies `op`, made by `node`. `own` is every increment `node` has
    /// made to this key so far (a node's entry counts only its own
    /// updates, and it may coordinate two at once): the entry starts from
    /// it, not from whatever older state the read returned.
    pub fn apply(&mut self, op: &Op, node: NodeId, own: &mut PnCounter) {
        match (self, op) {
            (Crdt::Counter(c), Op::Add(by)) => {
                own.add(node, *by);
                c.merge(own);
            }
            (Crdt::Set(s), Op::Insert(e, tag)) => s.add(*e, *tag),
            (Crdt::Set(s), Op::Remove(es)) => es.iter().for_each(|e| s.remove(e)),
            (Crdt::Set(s), Op::Move(moves)) => {
                for &(from, to, tag) in moves {
                    s.remove(&from);
                    s.add(to, tag);
                }
            }
            _ => {}
        }
    }

    /// What a read returns: a counter's value (two's complement), or a
    /// set's elements in order.
    pub fn read(&self) -> Vec<u64> {
        match self {
            Crdt::Counter(c) => vec![c.value() as u64],
            Crdt::Set(s) => s.elements().copied().collect(),
        }
    }

    /// As a person reads it: `5`, `{#3 #7}`, or a big set's size.
    pub fn describe(&self, label: impl Fn(u64) -> String) -> String {
        match self {
            Crdt::Counter(c) => c.value().to_string(),
            Crdt::Set(s) if s.elements().nth(SHOWN).is_some() => format!("{} elements", s.elements().count()),
            Crdt::Set(s) => format!("{{{}}}", s.elements().map(|&e| label(e)).collect::<Vec<_>>().join(" ")),
        }
    }

    pub fn wire_bytes(&self) -> usize {
        match self {
            Crdt::Counter(c) => c.wire_bytes(),
            Crdt::Set(s) => s.wire_bytes(|_| 8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_sums_every_node_once_however_often_states_meet() {
        let (mut a, mut b) = (PnCounter::default(), PnCounter::default());
        a.add(0, 5);
        b.add(1, -2);
        b.add(1, 7);
        let snapshot = b.clone();
        a.merge(&b);
        a.merge(&snapshot);
        b.merge(&a);
        assert_eq!((a.value(), b.value()), (10, 10));
    }

    #[test]
    fn an_add_concurrent_with_a_remove_wins() {
        let tag = |node, counter| Dot { node, counter };
        let mut a: OrSet<&str> = OrSet::default();
        a.add("x", tag(0, 1));
        let mut b = a.clone();
        // b removes x (the add it saw) while a adds x again.
        b.remove(&"x");
        a.add("x", tag(0, 2));
        a.merge(&b);
        b.merge(&a);
        assert!(a.contains(&"x") && b.contains(&"x"));
        assert_eq!(a, b);
        // A remove that saw both adds removes it everywhere.
        b.remove(&"x");
        a.merge(&b);
        assert!(!a.contains(&"x"));
    }
}
