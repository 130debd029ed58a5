//! Merkle-tree anti-entropy: Merkle, "A Digital Signature Based on a
//! Conventional Encryption Function" (CRYPTO 1987) for the tree; its use to
//! find where two replicas differ as in Dynamo (DeCandia et al., SOSP 2007,
//! §4.7 "Handling permanent failures: replica synchronization").
//!
//! A replica hashes each key's versions, puts the key in one of 2^depth
//! leaf buckets, and hashes up a binary tree. Two replicas compare trees
//! top-down, one level per round trip, descending only where hashes
//! differ, then exchange the keys of the buckets that differ. The cost is
//! counted in bytes (an 8-byte hash; each key's versions by their own
//! size) so that it can be set against sending the whole state.

/// Bytes of one hash on the wire.
pub const HASH_BYTES: usize = 8;

/// The leaf bucket of `key` in a tree of `depth` levels.
pub fn bucket_of(depth: u32, key: u32) -> usize {
    (super::ring::hash64(u64::from(key)) as usize) & ((1usize << depth) - 1)
}

/// A replica's tree over its keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tree {
    depth: u32,
    /// Level by level from the root: level d has 2^d hashes.
    levels: Vec<Vec<u64>>,
    /// Where each leaf bucket's keys start in `entries` (2^depth + 1
    /// offsets), and every key with the bytes its versions take, bucket by
    /// bucket, keys ascending within a bucket.
    offsets: Vec<u32>,
    entries: Vec<(u32, u32)>,
}

/// Two hashes into one (splitmix64's finaliser over a rotation and a xor):
/// the same on every platform, and cheap enough for a million keys.
fn mix(a: u64, b: u64) -> u64 {
    super::ring::hash64(a.rotate_left(29) ^ b)
}

impl Tree {
    /// The tree of `depth` levels below the root over `(key, digest,
    /// bytes)`: a digest of the key's versions, and their size on the wire.
    pub fn build(depth: u32, entries: impl IntoIterator<Item = (u32, u64, usize)>) -> Self {
        let width = 1usize << depth;
        let mut leaf = vec![0u64; width];
        let mut items: Vec<(u32, u32, u32)> = Vec::new();
        let mut counts = vec![0u32; width + 1];
        // Keys usually come in order (a replica's map): then the counting
        // sort below leaves every bucket in order, with nothing to sort.
        let mut ascending = true;
        let mut last = None;
        for (key, digest, bytes) in entries {
            ascending &= last.is_none_or(|l| l < key);
            last = Some(key);
            let b = bucket_of(depth, key);
            // Order-free within a bucket: each key's hash, summed.
            leaf[b] = leaf[b].wrapping_add(mix(u64::from(key), digest));
            counts[b + 1] += 1;
            items.push((b as u32, key, u32::try_from(bytes).unwrap_or(u32::MAX)));
        }
        // A counting sort by bucket: O(keys), no allocation per bucket.
        for i in 1..=width {
            counts[i] += counts[i - 1];
        }
        let offsets = counts.clone();
        let mut placed = vec![(0u32, 0u32); items.len()];
        for &(b, key, bytes) in &items {
            let at = &mut counts[b as usize];
            placed[*at as usize] = (key, bytes);
            *at += 1;
        }
        if !ascending {
            for b in 0..width {
                placed[offsets[b] as usize..offsets[b + 1] as usize].sort_unstable();
            }
        }
        let mut levels = vec![leaf];
        while levels[0].len() > 1 {
            let up: Vec<u64> = levels[0].chunks(2).map(|pair| mix(pair[0], pair[1])).collect();
            levels.insert(0, up);
        }
        Tree { depth, levels, offsets, entries: placed }
    }

    /// The keys of leaf bucket `b`, with their versions' bytes.
    pub fn bucket(&self, b: usize) -> &[(u32, u32)] {
        &self.entries[self.offsets[b] as usize..self.offsets[b + 1] as usize]
    }

    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Bytes of the whole tree's hashes.
    pub fn wire_bytes(&self) -> usize {
        self.levels.iter().map(Vec::len).sum::<usize>() * HASH_BYTES
    }

    pub fn root(&self) -> u64 {
        self.levels[0][0]
    }
}

/// What one synchronisation of two replicas cost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    /// Round trips (a level of the tree each, then the keys).
    pub rounds: u32,
    pub hashes: usize,
    /// Keys sent both ways from the buckets that differ.
    pub keys: usize,
    pub bytes: usize,
    /// The leaf buckets that differ.
    pub buckets: Vec<usize>,
}

/// Compares two trees of the same depth as the replicas would: the roots,
/// then the children of every node that differs, down to the leaves; then
/// both send the keys (and their versions) of the differing buckets.
pub fn compare(a: &Tree, b: &Tree) -> Exchange {
    assert_eq!(a.depth, b.depth, "trees of different depths");
    let mut ex = Exchange { rounds: 1, hashes: 2, ..Exchange::default() };
    if a.root() == b.root() {
        ex.bytes = ex.hashes * HASH_BYTES;
        return ex;
    }
    let mut differing = vec![0usize];
    for level in 1..=a.depth as usize {
        ex.rounds += 1;
        let mut next = Vec::new();
        for &i in &differing {
            for c in [2 * i, 2 * i + 1] {
                ex.hashes += 2;
                if a.levels[level][c] != b.levels[level][c] {
                    next.push(c);
                }
            }
        }
        differing = next;
    }
    ex.rounds += 1;
    for &bucket in &differing {
        for side in [a.bucket(bucket), b.bucket(bucket)] {
            ex.keys += side.len();
            ex.bytes += side.iter().map(|(_, bytes)| 4 + *bytes as usize).sum::<usize>();
        }
    }
    ex.bytes += ex.hashes * HASH_BYTES;
    ex.buckets = differing;
    ex
}

/// Sending the whole state both ways instead: every key and its versions.
pub fn full_exchange_bytes(a: &Tree, b: &Tree) -> usize {
    [a, b].iter().flat_map(|t| t.entries.iter()).map(|(_, bytes)| 4 + *bytes as usize).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(keys: u32, changed: &[u32]) -> Vec<(u32, u64, usize)> {
        (0..keys).map(|k| (k, if changed.contains(&k) { 2 } else { 1 }, 40)).collect()
    }

    #[test]
    fn equal_replicas_exchange_two_hashes() {
        let (a, b) = (Tree::build(10, replica(10_000, &[])), Tree::build(10, replica(10_000, &[])));
        let ex = compare(&a, &b);
        assert_eq!((ex.rounds, ex.hashes, ex.keys, ex.bytes), (1, 2, 0, 16));
        assert_eq!(full_exchange_bytes(&a, &b), 2 * 10_000 * 44);
    }

    #[test]
    fn one_differing_key_costs_a_path_down_the_tree_and_one_bucket() {
        let a = Tree::build(10, replica(10_000, &[]));
        let b = Tree::build(10, replica(10_000, &[4242]));
        let ex = compare(&a, &b);
        assert_eq!(ex.buckets.len(), 1);
        assert_eq!(ex.rounds, 12, "the root, ten levels, then the keys");
        assert_eq!(ex.hashes, 2 + 10 * 4, "two children a side per level");
        // About 10 keys a bucket (10,000 over 1,024), sent both ways.
        assert!(ex.keys < 60, "{}", ex.keys);
        assert!(ex.bytes * 100 < full_exchange_bytes(&a, &b), "{} of {}", ex.bytes, full_exchange_bytes(&a, &b));
    }

    #[test]
    fn when_everything_differs_the_tree_costs_more_than_sending_it_all() {
        let all: Vec<u32> = (0..1000).collect();
        let a = Tree::build(8, replica(1000, &[]));
        let b = Tree::build(8, replica(1000, &all));
        let ex = compare(&a, &b);
        assert!(ex.buckets.len() > 240, "every bucket with a key differs: {}", ex.buckets.len());
        assert!(ex.bytes > full_exchange_bytes(&a, &b));
        // And a shallow tree finds the one difference less precisely.
        let b1 = Tree::build(2, replica(1000, &[7]));
        let shallow = compare(&Tree::build(2, replica(1000, &[])), &b1);
        assert!(shallow.keys > 400, "{}", shallow.keys);
    }
}
