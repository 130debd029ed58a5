//! The replicated log (Raft §5.3), 1-indexed, with a chain digest per entry.
//!
//! `digest(i)` hashes entries `1..=i`, so two logs agree on their first `i`
//! entries exactly when their digests at `i` agree. Checkers use this to test
//! Log Matching in O(log n) instead of comparing whole logs. The log keeps a
//! base (`offset`) so that compaction (snapshots) can drop a prefix later.

use crate::sim::cow::CowVec;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What an entry carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Payload {
    /// The entry a new leader appends at the start of its term (§8), so that
    /// it can commit entries of earlier terms.
    Noop,
    /// A client command, named by a unique id.
    Client(u64),
    /// A configuration: the voting members as a bit set (§4.1). A server
    /// uses the latest one in its log, committed or not.
    Config(u32),
    /// A client command whose payload a metadata-only witness did not keep:
    /// only its term and index.
    Elided,
}

impl Payload {
    /// The members of a configuration entry.
    pub fn members(&self) -> Option<u32> {
        match self {
            Payload::Config(m) => Some(*m),
            _ => None,
        }
    }
}

/// The servers of a member bit set, in order.
pub fn member_list(members: u32) -> impl Iterator<Item = u32> {
    let mut rest = members;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let n = rest.trailing_zeros();
            rest &= rest - 1;
            n
        })
    })
}

/// A member bit set written as `{0,1,2}`.
pub fn members_text(members: u32) -> String {
    let names: Vec<String> = member_list(members).map(|n| format!("n{n}")).collect();
    format!("{{{}}}", names.join(","))
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Noop => write!(f, "noop"),
            Payload::Client(id) => write!(f, "c{id}"),
            Payload::Config(m) => write!(f, "config{}", members_text(*m)),
            Payload::Elided => write!(f, "(elided)"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    pub payload: Payload,
}

fn chain(prev: u64, e: &Entry) -> u64 {
    let word = match e.payload {
        Payload::Noop => 0,
        Payload::Client(id) => id.wrapping_add(1),
        Payload::Config(m) => (1 << 62) ^ u64::from(m),
        Payload::Elided => 1 << 63,
    };
    let mut x = prev ^ e.term.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 31)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= word.wrapping_mul(0x94D0_49BB_1331_11EB);
    x = (x ^ (x >> 29)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    x ^ (x >> 32)
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    /// Index of the entry before `entries[0]` (0 until compaction).
    offset: u64,
    /// Term of the entry at `offset`.
    offset_term: u64,
    /// Digest of the entries up to `offset`.
    offset_digest: u64,
    entries: CowVec<Entry>,
    digests: CowVec<u64>,
}

impl Log {
    pub fn new() -> Self {
        Log::default()
    }

    pub fn last_index(&self) -> u64 {
        self.offset + self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.offset_term, |e| e.term)
    }

    /// The first index still held as an entry.
    pub fn first_index(&self) -> u64 {
        self.offset + 1
    }

    /// Term at `index`: 0 for index 0, `None` past the end or before the base.
    pub fn term_at(&self, index: u64) -> Option<u64> {
        if index == self.offset {
            Some(self.offset_term)
        } else if index < self.offset || index > self.last_index() {
            None
        } else {
            self.entries.get((index - self.offset - 1) as usize).map(|e| e.term)
        }
    }

    pub fn get(&self, index: u64) -> Option<&Entry> {
        if index <= self.offset {
            return None;
        }
        self.entries.get((index - self.offset - 1) as usize)
    }

    /// Digest of entries `1..=index`, if the log holds `index`.
    pub fn digest(&self, index: u64) -> Option<u64> {
        if index == self.offset {
            Some(self.offset_digest)
        } else if index < self.offset || index > self.last_index() {
            None
        } else {
            self.digests.get((index - self.offset - 1) as usize).copied()
        }
    }

    pub fn append(&mut self, entry: Entry) {
        let prev = self.digests.last().copied().unwrap_or(self.offset_digest);
        self.digests.push(chain(prev, &entry));
        self.entries.push(entry);
    }

    /// Removes `index` and everything after it.
    pub fn truncate_from(&mut self, index: u64) {
        let keep = index.saturating_sub(self.offset + 1) as usize;
        self.entries.truncate(keep);
        self.digests.truncate(keep);
    }

    /// Entries `from..=to` (clamped to what the log holds), copied out.
    pub fn slice(&self, from: u64, to: u64) -> Vec<Entry> {
        let lo = from.max(self.offset + 1);
        let hi = to.min(self.last_index());
        if lo > hi {
            return Vec::new();
        }
        self.entries.range_to_vec((lo - self.offset - 1) as usize, (hi - self.offset) as usize)
    }

    pub fn entries(&self) -> impl Iterator<Item = (u64, &Entry)> {
        let base = self.offset;
        self.entries.iter().enumerate().map(move |(i, e)| (base + 1 + i as u64, e))
    }

    /// The last index covered by the snapshot (0 if none).
    pub fn snapshot_index(&self) -> u64 {
        self.offset
    }

    /// Drops entries up to and including `index` (log compaction, §5 of the
    /// paper's chapter 7 in the dissertation); the base keeps its term and digest.
    pub fn compact(&mut self, index: u64) {
        if index <= self.offset || index > self.last_index() {
            return;
        }
        let (Some(term), Some(digest)) = (self.term_at(index), self.digest(index)) else { return };
        let from = (index - self.offset) as usize;
        let entries = self.entries.range_to_vec(from, self.entries.len());
        let digests = self.digests.range_to_vec(from, self.digests.len());
        self.offset = index;
        self.offset_term = term;
        self.offset_digest = digest;
        self.entries = CowVec::new();
        self.digests = CowVec::new();
        for (e, d) in entries.into_iter().zip(digests) {
            self.entries.push(e);
            self.digests.push(d);
        }
    }

    /// Installs a snapshot that ends at (`index`, `term`) with this prefix
    /// digest: entries after it are kept if the log agrees at `index`, and
    /// the whole log is dropped otherwise (dissertation §5.1).
    pub fn install(&mut self, index: u64, term: u64, digest: u64) {
        if self.term_at(index) == Some(term) && index >= self.offset {
            self.compact(index);
            if index == self.offset {
                self.offset_digest = digest;
                return;
            }
        }
        self.offset = index;
        self.offset_term = term;
        self.offset_digest = digest;
        self.entries = CowVec::new();
        self.digests = CowVec::new();
    }

    /// Whether a log ending at (`last_index`, `last_term`) is at least as
    /// up-to-date as this one (§5.4.1).
    pub fn is_up_to_date(&self, last_index: u64, last_term: u64) -> bool {
        (last_term, last_index) >= (self.last_term(), self.last_index())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(term: u64, id: u64) -> Entry {
        Entry { term, payload: Payload::Client(id) }
    }

    #[test]
    fn digests_agree_exactly_on_equal_prefixes() {
        let mut a = Log::new();
        let mut b = Log::new();
        for (t, id) in [(1, 1), (1, 2), (2, 3)] {
            a.append(e(t, id));
            b.append(e(t, id));
        }
        assert_eq!(a.digest(3), b.digest(3));
        b.truncate_from(3);
        b.append(e(3, 3));
        assert_eq!(a.digest(2), b.digest(2));
        assert_ne!(a.digest(3), b.digest(3));
        assert_eq!(b.last_index(), 3);
        assert_eq!(b.term_at(3), Some(3));
        assert_eq!(b.slice(2, 9).len(), 2);
    }

    #[test]
    fn compaction_keeps_terms_and_digests_of_what_remains() {
        let mut a = Log::new();
        for (t, id) in [(1, 1), (1, 2), (2, 3), (2, 4)] {
            a.append(e(t, id));
        }
        let full = a.clone();
        a.compact(2);
        assert_eq!(a.snapshot_index(), 2);
        assert_eq!(a.first_index(), 3);
        assert_eq!(a.term_at(2), Some(1));
        assert_eq!(a.term_at(1), None);
        assert_eq!(a.get(2), None);
        assert_eq!(a.digest(4), full.digest(4));
        assert_eq!(a.digest(2), full.digest(2));
        assert_eq!(a.slice(1, 9).len(), 2);
        a.append(e(3, 5));
        assert_eq!(a.last_index(), 5);

        // A matching snapshot keeps the suffix; a conflicting one drops it all.
        let mut b = full.clone();
        b.install(3, 2, full.digest(3).unwrap());
        assert_eq!((b.snapshot_index(), b.last_index()), (3, 4));
        let mut c = full.clone();
        c.install(3, 7, 42);
        assert_eq!((c.snapshot_index(), c.last_index(), c.last_term()), (3, 3, 7));
    }
}
