//! Dotted version vectors: Preguiça, Baquero, Almeida, Fonte and Gonçalves,
//! "Dotted Version Vectors: Logical Clocks for Optimistic Replication"
//! (2010/2012), §4–5, the causality tracking Riak uses for a key's
//! siblings.
//!
//! Each stored version of a key carries a *dot*, the one write event that
//! made it (the coordinating node and that node's counter), and its *past*,
//! the version vector of what its writer had read. A version makes another
//! obsolete only if the other's dot is in its past: only what the writer
//! saw. Writes that did not see each other stay side by side as siblings,
//! whichever replica coordinated them and in whatever order they arrive;
//! none is silently dropped.

pub type NodeId = u32;

/// A version vector: for each node, how many of its write events are known.
/// A sorted vector of (node, count): vectors are small (one entry per node
/// that coordinated a write of the key) and copied with every version, so
/// one allocation each beats a tree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VersionVector(Vec<(NodeId, u64)>);

impl VersionVector {
    pub const fn empty() -> Self {
        VersionVector(Vec::new())
    }

    pub fn get(&self, node: NodeId) -> u64 {
        match self.0.binary_search_by_key(&node, |e| e.0) {
            Ok(i) => self.0[i].1,
            Err(_) => 0,
        }
    }

    /// Whether the event `dot` is among those this vector knows.
    pub fn contains(&self, dot: Dot) -> bool {
        dot.counter <= self.get(dot.node)
    }

    pub fn add(&mut self, dot: Dot) {
        match self.0.binary_search_by_key(&dot.node, |e| e.0) {
            Ok(i) => self.0[i].1 = self.0[i].1.max(dot.counter),
            Err(i) => self.0.insert(i, (dot.node, dot.counter)),
        }
    }

    /// The least vector that knows everything either knows.
    pub fn join(&mut self, other: &VersionVector) {
        // Both sorted by node: walk them together. When every node of
        // `other` is already here (the usual case), raise counts in place.
        let mut i = 0;
        let mut in_place = true;
        for &(m, _) in &other.0 {
            while i < self.0.len() && self.0[i].0 < m {
                i += 1;
            }
            if i == self.0.len() || self.0[i].0 != m {
                in_place = false;
                break;
            }
            i += 1;
        }
        if in_place {
            let mut i = 0;
            for &(m, d) in &other.0 {
                while self.0[i].0 < m {
                    i += 1;
                }
                self.0[i].1 = self.0[i].1.max(d);
                i += 1;
            }
            return;
        }
        let (a, b) = (&self.0, &other.0);
        let mut out = Vec::with_capacity(a.len().max(b.len()));
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(&(n, c)), Some(&(m, d))) if n == m => {
                    out.push((n, c.max(d)));
                    i += 1;
                    j += 1;
                }
                (Some(&x), Some(&(m, _))) if x.0 < m => {
                    out.push(x);
                    i += 1;
                }
                (Some(_), Some(&y)) | (None, Some(&y)) => {
                    out.push(y);
                    j += 1;
                }
                (Some(&x), None) => {
                    out.push(x);
                    i += 1;
                }
                (None, None) => break,
            }
        }
        self.0 = out;
    }

    pub fn iter(&self) -> impl Iterator<Item = (NodeId, u64)> + '_ {
        self.0.iter().copied()
    }

    /// Bytes on the wire: a node id and a counter per entry.
    pub fn wire_bytes(&self) -> usize {
        self.0.len() * 12
    }
}

/// One write event: the node that coordinated it, and its count there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dot {
    pub node: NodeId,
    pub counter: u64,
}

/// A stored version of a key's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version<V> {
    pub dot: Dot,
    /// What its writer had read (its causal past, without its own dot).
    pub past: VersionVector,
    pub value: V,
}

/// A key's versions at one replica: the siblings, none obsolete.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Siblings<V> {
    versions: Vec<Version<V>>,
}

impl<V> Default for Siblings<V> {
    fn default() -> Self {
        Siblings { versions: Vec::new() }
    }
}

impl<V: Clone + PartialEq> Siblings<V> {
    pub fn versions(&self) -> &[Version<V>] {
        &self.versions
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.versions.iter().map(|v| &v.value)
    }

    pub fn len(&self) -> usize {
        self.versions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// What a read returns as its context: every event these versions
    /// know, so a write that passes it back supersedes all of them (§5:
    /// the join of the versions' dots and pasts).
    pub fn context(&self) -> VersionVector {
        let mut vv = VersionVector::default();
        for v in &self.versions {
            vv.join(&v.past);
            vv.add(v.dot);
        }
        vv
    }

    /// A write coordinated by `node`, by a client that had read `context`.
    /// The new version's dot is the node's next event (after any it has
    /// stored or the client has seen); the versions the client saw are now
    /// obsolete, and the ones it did not see stay as siblings. Returns the
    /// new version (what is sent to the other replicas).
    pub fn write(&mut self, node: NodeId, context: &VersionVector, value: V) -> Version<V> {
        let stored = self.versions.iter().filter(|v| v.dot.node == node).map(|v| v.dot.counter);
        let counter = stored.chain([context.get(node), self.context().get(node)]).max().unwrap_or(0) + 1;
        let version = Version { dot: Dot { node, counter }, past: context.clone(), value };
        self.versions.retain(|v| !context.contains(v.dot));
        self.versions.push(version.clone());
        version
    }

    /// Takes in versions from another replica (a replicated write, a read
    /// repair, anti-entropy): the union, less every version whose dot some
    /// other version's past holds. Commutative, associative, idempotent.
    pub fn merge(&mut self, other: &[Version<V>]) {
        for v in other {
            match self.versions.iter_mut().find(|mine| mine.dot == v.dot) {
                // The same write event; a resolution rule (last writer
                // wins) may have widened its past at one replica: keep both.
                Some(mine) => mine.past.join(&v.past),
                None => self.versions.push(v.clone()),
            }
        }
        // Which versions some other version's past holds, decided over the
        // union before any is removed (a bit per version; siblings are few).
        let obsolete = |i: usize| {
            let dot = self.versions[i].dot;
            self.versions.iter().any(|w| w.dot != dot && w.past.contains(dot))
        };
        let n = self.versions.len();
        if n <= 64 {
            let mut drop = 0u64;
            for i in 0..n {
                if obsolete(i) {
                    drop |= 1 << i;
                }
            }
            if drop != 0 {
                let mut i = 0;
                self.versions.retain(|_| {
                    i += 1;
                    drop & (1 << (i - 1)) == 0
                });
            }
        } else {
            let drop: Vec<bool> = (0..n).map(obsolete).collect();
            let mut i = 0;
            self.versions.retain(|_| {
                i += 1;
                !drop[i - 1]
            });
        }
        if !self.versions.is_sorted_by_key(|v| v.dot) {
            self.versions.sort_by_key(|v| v.dot);
        }
    }

    /// Bytes on the wire, for repair-traffic counts: each version's dot,
    /// past and value.
    pub fn wire_bytes(&self, value_bytes: impl Fn(&V) -> usize) -> usize {
        self.versions.iter().map(|v| 12 + v.past.wire_bytes() + value_bytes(&v.value)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_writes_stay_as_siblings_and_a_write_that_read_both_replaces_them() {
        let mut a: Siblings<&str> = Siblings::default();
        let empty = VersionVector::default();
        // Two clients, neither having read anything, write through nodes 0 and 1.
        let v1 = a.write(0, &empty, "x");
        let mut b: Siblings<&str> = Siblings::default();
        let v2 = b.write(1, &empty, "y");
        a.merge(std::slice::from_ref(&v2));
        b.merge(std::slice::from_ref(&v1));
        assert_eq!(a, b, "the replicas agree, whatever the order");
        assert_eq!(a.values().copied().collect::<Vec<_>>(), ["x", "y"]);
        // A client reads both, merges them and writes back (the compensating action).
        let ctx = a.context();
        let v3 = a.write(1, &ctx, "xy");
        assert_eq!(a.values().copied().collect::<Vec<_>>(), ["xy"]);
        b.merge(&[v3]);
        assert_eq!(a, b);
    }

    #[test]
    fn a_write_supersedes_only_what_its_writer_had_read() {
        let mut r: Siblings<u32> = Siblings::default();
        let empty = VersionVector::default();
        let first = r.write(0, &empty, 1);
        let ctx_after_first = r.context();
        // Another client writes without having read: concurrent with `first`.
        r.write(0, &empty, 2);
        assert_eq!(r.len(), 2);
        // A client that read only `first` supersedes `first`, not the write it never saw.
        let v = r.write(0, &ctx_after_first, 3);
        assert!(v.past.contains(first.dot));
        assert_eq!(r.values().copied().collect::<Vec<_>>(), [2, 3]);
        // The same node's dots keep counting up: each write is its own event.
        let counters: Vec<u64> = r.versions().iter().map(|v| v.dot.counter).collect();
        assert_eq!(counters, [2, 3]);
    }

    #[test]
    fn a_stale_version_arriving_late_does_not_come_back() {
        let mut r: Siblings<u32> = Siblings::default();
        let old = r.write(0, &VersionVector::default(), 1);
        let ctx = r.context();
        r.write(1, &ctx, 2);
        r.merge(&[old]);
        assert_eq!(r.values().copied().collect::<Vec<_>>(), [2]);
    }
}
