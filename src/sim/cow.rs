//! A vector whose clones share storage: full chunks sit behind `Rc` and are
//! copied only when written. Checkpoints of a long run (time travel) clone
//! whole simulations; with this, a clone costs one pointer per 1,024
//! elements instead of a copy of every log.

use std::rc::Rc;

const CHUNK: usize = 256;

#[derive(Clone, Debug)]
pub struct CowVec<T: Clone> {
    chunks: Vec<Rc<Vec<T>>>,
    len: usize,
}

impl<T: Clone> Default for CowVec<T> {
    fn default() -> Self {
        CowVec { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Clone + PartialEq> PartialEq for CowVec<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Clone + Eq> Eq for CowVec<T> {}

impl<T: Clone> CowVec<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        Some(&self.chunks[i / CHUNK][i % CHUNK])
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len {
            return None;
        }
        Some(&mut Rc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK])
    }

    pub fn push(&mut self, x: T) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Rc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("a chunk with room");
        Rc::make_mut(last).push(x);
        self.len += 1;
    }

    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.chunks.truncate(len.div_ceil(CHUNK));
        if let Some(last) = self.chunks.last_mut() {
            let keep = len - (len - 1) / CHUNK * CHUNK;
            if last.len() > keep {
                Rc::make_mut(last).truncate(keep);
            }
        }
        self.len = len;
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Elements `from..to` (clamped), copied out.
    pub fn range_to_vec(&self, from: usize, to: usize) -> Vec<T> {
        let to = to.min(self.len);
        (from..to).filter_map(|i| self.get(i).cloned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_across_chunks_and_clones() {
        let mut a = CowVec::new();
        let mut v = Vec::new();
        for i in 0..5000u32 {
            a.push(i);
            v.push(i);
        }
        let snapshot = a.clone();
        a.truncate(2049);
        v.truncate(2049);
        a.push(7);
        v.push(7);
        *a.get_mut(10).unwrap() = 99;
        v[10] = 99;
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), v);
        assert_eq!(snapshot.len(), 5000);
        assert_eq!(snapshot.get(10), Some(&10), "the clone is untouched");
        assert_eq!(snapshot.get(2049), Some(&2049));
        a.truncate(0);
        assert!(a.is_empty());
        a.push(1);
        assert_eq!(a.last(), Some(&1));
        assert_eq!(snapshot.range_to_vec(4998, 9000), vec![4998, 4999]);
    }
}
