//! Placement on a consistent-hash ring with virtual nodes: Karger et al.
//! (STOC 1997), as Dynamo uses it (DeCandia et al., SOSP 2007, §4.2–4.3,
//! preference lists; §4.6, sloppy quorums and hinted handoff).
//!
//! Each node owns `vnodes` points (tokens) on a 64-bit ring. A key's home
//! replicas, its *preference list*, are the first N distinct nodes met
//! walking clockwise from the key's hash. A sloppy quorum walks on past
//! unreachable nodes and takes the first N reachable ones instead; each
//! stand-in holds the write with a *hint* naming the home node it stands
//! in for, and hands it over when that node is back.

use super::dvv::NodeId;

/// A 64-bit mix (splitmix64's finaliser): the same on every platform.
pub fn hash64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Where a key lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    /// (token, owner), sorted by token.
    tokens: Vec<(u64, NodeId)>,
    nodes: u32,
}

impl Ring {
    /// `nodes` nodes with `vnodes` tokens each.
    pub fn new(nodes: u32, vnodes: u32) -> Self {
        let mut tokens: Vec<(u64, NodeId)> = (0..nodes)
            .flat_map(|n| (0..vnodes.max(1)).map(move |v| (hash64((u64::from(n) << 32) | u64::from(v)), n)))
            .collect();
        tokens.sort_unstable();
        Ring { tokens, nodes }
    }

    pub fn nodes(&self) -> u32 {
        self.nodes
    }

    pub fn tokens(&self) -> &[(u64, NodeId)] {
        &self.tokens
    }

    /// Where a key sits on the ring.
    pub fn key_point(key: u32) -> u64 {
        hash64(0x6b65_7900_0000_0000 | u64::from(key))
    }

    /// Distinct nodes in ring order, starting at the key's point.
    fn walk(&self, key: u32) -> impl Iterator<Item = NodeId> + '_ {
        let start = self.tokens.partition_point(|(t, _)| *t < Self::key_point(key));
        let len = self.tokens.len();
        // Owners met so far: a bit each up to 128 nodes (no allocation on
        // every request), a list past that.
        let (mut bits, mut seen) = (0u128, Vec::new());
        (0..len).filter_map(move |i| {
            let owner = self.tokens[(start + i) % len].1;
            let new = if owner < 128 {
                let (b, was) = (1u128 << owner, bits);
                bits |= b;
                was & b == 0
            } else {
                !seen.contains(&owner) && {
                    seen.push(owner);
                    true
                }
            };
            new.then_some(owner)
        })
    }

    /// The key's N home replicas, in preference order.
    pub fn preference_list(&self, key: u32, n: u32) -> Vec<NodeId> {
        self.home(key, n).collect()
    }

    /// [`Ring::preference_list`] without collecting it.
    pub fn home(&self, key: u32, n: u32) -> impl Iterator<Item = NodeId> + '_ {
        self.walk(key).take(n as usize)
    }

    /// The first N reachable nodes for the key (a sloppy quorum), each with
    /// the home node it stands in for (`None` for a home node itself).
    pub fn sloppy_list(&self, key: u32, n: u32, reachable: impl Fn(NodeId) -> bool) -> Vec<(NodeId, Option<NodeId>)> {
        let home = self.preference_list(key, n);
        let mut missing = home.iter().copied().filter(|h| !reachable(*h));
        let mut out: Vec<(NodeId, Option<NodeId>)> =
            home.iter().copied().filter(|h| reachable(*h)).map(|h| (h, None)).collect();
        for stand_in in self.walk(key).skip(n as usize).filter(|m| reachable(*m)) {
            let Some(for_home) = missing.next() else { break };
            out.push((stand_in, Some(for_home)));
        }
        out
    }

    /// The fraction of the ring each node owns as the first replica.
    pub fn shares(&self) -> Vec<f64> {
        let mut share = vec![0.0; self.nodes as usize];
        let len = self.tokens.len();
        for i in 0..len {
            // The arc ending at token i belongs to token i's owner.
            let prev = self.tokens[(i + len - 1) % len].0;
            let arc = self.tokens[i].0.wrapping_sub(prev);
            share[self.tokens[i].1 as usize] += arc as f64 / 2f64.powi(64);
        }
        share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_lists_are_n_distinct_nodes_and_stable() {
        let ring = Ring::new(8, 32);
        for key in 0..500 {
            let p = ring.preference_list(key, 3);
            assert_eq!(p.len(), 3);
            assert!(p[0] != p[1] && p[1] != p[2] && p[0] != p[2], "{p:?}");
            assert_eq!(p, Ring::new(8, 32).preference_list(key, 3));
        }
        // More replicas than nodes: every node, once.
        assert_eq!(ring.preference_list(7, 20).len(), 8);
    }

    #[test]
    fn virtual_nodes_balance_ownership() {
        let shares = Ring::new(10, 128).shares();
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        for s in &shares {
            assert!((0.06..0.14).contains(s), "{shares:?}");
        }
        // One token each is far less even.
        let one = Ring::new(10, 1).shares();
        let spread = one.iter().cloned().fold(0.0, f64::max) / one.iter().cloned().fold(1.0, f64::min);
        assert!(spread > 3.0, "{one:?}");
    }

    #[test]
    fn a_sloppy_quorum_stands_in_for_unreachable_home_nodes_with_hints() {
        let ring = Ring::new(6, 16);
        let key = 42;
        let home = ring.preference_list(key, 3);
        let all = ring.preference_list(key, 6);
        let down = home[1];
        let list = ring.sloppy_list(key, 3, |n| n != down);
        assert_eq!(list.len(), 3);
        assert_eq!(list[..2], [(home[0], None), (home[2], None)]);
        assert_eq!(list[2], (all[3], Some(down)), "the next node on the ring holds a hint for {down}");
        // Nobody reachable: nobody holds it.
        assert!(ring.sloppy_list(key, 3, |_| false).is_empty());
    }
}
