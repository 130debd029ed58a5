//! Anti-entropy with Merkle trees: Dynamo (DeCandia et al., SOSP 2007),
//! §4.7 "Handling permanent failures: replica synchronization"; the trees
//! and their cost in [`super::merkle`].
//!
//! Every `anti_entropy_us` a node takes the next other node in turn and
//! sends it a Merkle tree over the keys it holds that both of them
//! replicate. The peer builds its own tree over the same key range,
//! compares the two, and answers with its versions of the keys in the leaf
//! buckets that differ; the first node merges them and pushes its own
//! versions of those buckets back. Both then hold the merge of both.
//!
//! The simulator carries the tree in one message, but the bytes and round
//! trips counted (the `Synced` note) are those of the level-by-level
//! exchange that [`super::merkle::compare`] models, set against sending both
//! replicas' whole state.
//!
//! With no faults, every pair of nodes that share a key syncs at least
//! once in every `nodes - 1` rounds; the time within which every replica
//! of every key then holds the same versions is stated, and checked, in
//! one place: [`super::convergence::Convergence::bound`].

use super::merkle::{bucket_of, compare, full_exchange_bytes, Tree};
use super::messages::Entry;
use super::node::{Msg, Note, StoreBug, StoreNode};
use crate::sim::protocol::Ctx;
use crate::sim::trace::StableHasher;
use crate::sim::NodeId;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

impl StoreNode {
    /// The keys this node holds that `peer` also replicates.
    fn shared_keys(&self, peer: NodeId) -> impl Iterator<Item = (&u32, &super::dvv::Siblings<super::node::Stamped>)> {
        self.data.iter().filter(move |(k, _)| self.ring.preference_list(**k, self.cfg.n).contains(&peer))
    }

    fn tree_with(&self, peer: NodeId) -> Tree {
        Tree::build(
            self.cfg.merkle_depth,
            self.shared_keys(peer).map(|(k, s)| {
                let mut h = StableHasher::default();
                s.hash(&mut h);
                (*k, h.finish(), s.wire_bytes(super::node::Stamped::wire_bytes))
            }),
        )
    }

    fn entries_in(&self, peer: NodeId, buckets: &[u32]) -> Vec<Entry> {
        let depth = self.cfg.merkle_depth;
        self.shared_keys(peer)
            .filter(|(k, _)| buckets.contains(&(bucket_of(depth, **k) as u32)))
            .map(|(k, s)| (*k, s.versions().to_vec()))
            .collect()
    }

    /// Starts a round with the next peer in turn.
    pub(super) fn sync_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        let others = self.cfg.nodes.saturating_sub(1);
        if others == 0 {
            return;
        }
        self.sync_turn = self.sync_turn.wrapping_add(1);
        let peer = (self.id + 1 + self.sync_turn % others) % self.cfg.nodes;
        ctx.send(peer, Msg::SyncTree { tree: Rc::new(self.tree_with(peer)) });
    }

    pub(super) fn on_sync_tree(&mut self, from: NodeId, theirs: &Tree, ctx: &mut Ctx<'_, Self>) {
        if theirs.depth() != self.cfg.merkle_depth {
            return;
        }
        let mine = self.tree_with(from);
        let ex = compare(theirs, &mine);
        ctx.note(Note::Synced {
            with: from,
            keys: ex.keys as u32,
            bytes: ex.bytes as u64,
            full_bytes: full_exchange_bytes(theirs, &mine) as u64,
            rounds: ex.rounds,
        });
        if ex.buckets.is_empty() || self.cfg.bug == Some(StoreBug::SyncWithoutRepair) {
            return;
        }
        let buckets: Vec<u32> = ex.buckets.iter().map(|&b| b as u32).collect();
        let entries = self.entries_in(from, &buckets);
        ctx.send(from, Msg::SyncDiff { buckets, entries });
    }

    pub(super) fn on_sync_diff(&mut self, from: NodeId, buckets: &[u32], entries: Vec<Entry>, ctx: &mut Ctx<'_, Self>) {
        let mine = self.entries_in(from, buckets);
        for (key, versions) in &entries {
            self.store(*key, versions, ctx);
        }
        // Send back what the peer lacks: mine, where it differs from theirs.
        let push: Vec<Entry> = mine.into_iter().filter(|e| !entries.contains(e)).collect();
        if !push.is_empty() {
            ctx.send(from, Msg::SyncPush { entries: push });
        }
    }
}
