//! Node ids renamed, for symmetry reduction in exhaustive exploration
//! (Ip and Dill, "Better verification through symmetry", 1996): two
//! states that differ only in which server is which are explored once. A
//! protocol hashes its state as if every node id were renamed.

use crate::sim::NodeId;

/// A renaming of node ids: old id `i` becomes `new[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    new: Vec<NodeId>,
    old: Vec<NodeId>,
}

impl Rename {
    /// The renaming that sends old id `i` to `new[i]` (a permutation).
    pub fn new(new: Vec<NodeId>) -> Rename {
        let mut old = vec![0; new.len()];
        for (i, &j) in new.iter().enumerate() {
            old[j as usize] = i as NodeId;
        }
        Rename { new, old }
    }

    /// Every renaming of `n` nodes (n! of them), the identity first.
    pub fn all(n: u32) -> Vec<Rename> {
        fn extend(prefix: &mut Vec<NodeId>, n: u32, out: &mut Vec<Rename>) {
            if prefix.len() == n as usize {
                out.push(Rename::new(prefix.clone()));
                return;
            }
            for i in 0..n {
                if !prefix.contains(&i) {
                    prefix.push(i);
                    extend(prefix, n, out);
                    prefix.pop();
                }
            }
        }
        let mut out = Vec::new();
        extend(&mut Vec::new(), n, &mut out);
        out
    }

    /// The new name of old id `i` (ids beyond the cluster keep theirs).
    pub fn id(&self, i: NodeId) -> NodeId {
        self.new.get(i as usize).copied().unwrap_or(i)
    }

    /// The old ids, in the order of their new names: a vector indexed by
    /// node id is hashed in this order.
    pub fn order(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.old.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamings_are_permutations_and_invert() {
        let all = Rename::all(3);
        assert_eq!(all.len(), 6);
        assert_eq!(all[0].order().collect::<Vec<_>>(), [0, 1, 2]);
        for r in &all {
            for (j, old) in r.order().enumerate() {
                assert_eq!(r.id(old), j as NodeId);
            }
        }
    }
}
