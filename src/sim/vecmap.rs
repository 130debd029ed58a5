//! A small ordered map: a sorted vector searched by bisection.
//!
//! The simulator's per-node timers (a handful of names) and the network's
//! per-link overrides and cuts (a few pairs) are tiny maps that are read on
//! every event and cloned into every time-travel checkpoint. A sorted vector
//! iterates in the same order as a `BTreeMap` (so traces do not change), is
//! faster to clone and search at these sizes, and keeps the web bundle
//! smaller than one `BTreeMap` instantiation per key type.

/// Natively the first entry is kept inline: a swarm's site has one timer,
/// and the pointer to it cost a cache miss on every tick (100,000 gossip
/// sites 5% faster). The web build keeps a plain `Vec`: inline entries cost
/// its bundle 4.7 KB.
#[cfg(not(target_arch = "wasm32"))]
type Entries<K, V> = smallvec::SmallVec<[(K, V); 1]>;
#[cfg(target_arch = "wasm32")]
type Entries<K, V> = Vec<(K, V)>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V> {
    entries: Entries<K, V>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { entries: Entries::new() }
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(key))
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Asks for the entries' memory early (a cache hint, see
    /// `sim::prefetch`).
    pub(crate) fn prefetch(&self) {
        super::prefetch::lines(self.entries.as_ptr(), std::mem::size_of_val(self.entries.as_slice()));
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// In key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Moves the entries with keys at or above `key` into a new map.
    pub fn split_off(&mut self, key: &K) -> Self {
        let at = self.find(key).unwrap_or_else(|i| i);
        VecMap { entries: self.entries.drain(at..).collect() }
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = <Entries<K, V> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::VecMap;
    use std::collections::BTreeMap;

    /// The same operations on a VecMap and a BTreeMap leave the same
    /// contents, in the same order.
    #[test]
    fn behaves_like_a_btreemap() {
        let (mut v, mut b) = (VecMap::new(), BTreeMap::new());
        let mut x: u64 = 7;
        for step in 0..2000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let key = (x >> 33) % 40;
            if x.is_multiple_of(3) {
                assert_eq!(v.remove(&key), b.remove(&key), "step {step}");
            } else {
                assert_eq!(v.insert(key, step), b.insert(key, step), "step {step}");
            }
            assert_eq!(v.get(&key), b.get(&key));
            assert_eq!(v.len(), b.len());
        }
        assert!(v.iter().eq(b.iter()));
        for at in [0, 17, 39, 99] {
            let (mut v2, mut b2) = (v.clone(), b.clone());
            assert!(v2.split_off(&at).into_iter().eq(b2.split_off(&at)));
            assert!(v2.into_iter().eq(b2));
        }
        v.clear();
        assert!(v.is_empty() && !v.contains_key(&1));
    }
}
