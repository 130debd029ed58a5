//! Sloppy quorums and hinted handoff: Dynamo (DeCandia et al., SOSP 2007),
//! §4.6 "Handling temporary failures: hinted handoff".
//!
//! A coordinator with a sloppy quorum first asks the key's N home replicas,
//! as a strict one does. If half its timeout passes without a quorum, it
//! widens the request to the nodes past the home replicas on the ring,
//! each standing in (in ring order, in turn) for a home replica that has
//! not answered. Dynamo's coordinator skips the nodes its failure detector
//! suspects; ours has none, so it asks every node past the home list and
//! counts the first acknowledgement for each missing home replica. A
//! stand-in keeps such a write apart
//! from its own data, with a *hint* naming the home node, and its
//! acknowledgement counts for that home node. Every `handoff_us` a stand-in
//! offers its hints to their home nodes, and drops a hint once the home node
//! has acknowledged every version in it. Reads widen the same way, and a
//! stand-in answers a read with its hinted versions as well as its own.

use super::dvv::{Dot, Version};
use super::node::{Key, Msg, Note, Pending, Stamped, StoreNode, Versions};
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

impl StoreNode {
    /// The nodes past the key's N home replicas, in ring order, that this
    /// request has not asked yet.
    fn stand_ins(&self, key: Key, asked: &[NodeId]) -> Vec<NodeId> {
        let all = self.ring.preference_list(key, self.cfg.nodes);
        all.into_iter().skip(self.cfg.n as usize).filter(|m| !asked.contains(m)).collect()
    }

    /// Half the timeout has passed without a quorum: ask stand-ins.
    pub(super) fn widen(&mut self, req: u64, ctx: &mut Ctx<'_, Self>) {
        let Some(pending) = self.pending.get(&req) else { return };
        match pending {
            Pending::Put { key, version, acked, asked, .. } => {
                let (key, version) = (*key, version.clone());
                let home = self.ring.preference_list(key, self.cfg.n);
                let missing: Vec<NodeId> =
                    home.into_iter().filter(|h| !acked.iter().any(|(n, hint)| hint.unwrap_or(*n) == *h)).collect();
                if missing.is_empty() {
                    return;
                }
                let stand_ins = self.stand_ins(key, asked);
                for (&to, &for_home) in stand_ins.iter().zip(missing.iter().cycle()) {
                    ctx.send(
                        to,
                        Msg::Replicate { req, key, versions: Versions::from([version.clone()]), hint: Some(for_home) },
                    );
                }
                if let Some(Pending::Put { asked, .. }) = self.pending.get_mut(&req) {
                    asked.extend(stand_ins);
                }
            }
            Pending::Get { key, replies, asked, done: false, .. } => {
                let key = *key;
                if replies.len() >= self.cfg.r as usize {
                    return;
                }
                let stand_ins = self.stand_ins(key, asked);
                for &to in &stand_ins {
                    ctx.send(to, Msg::Read { req, key });
                }
                if let Some(Pending::Get { asked, .. }) = self.pending.get_mut(&req) {
                    asked.extend(stand_ins);
                }
            }
            Pending::Get { .. } => {}
        }
    }

    /// Holds a write for `home`.
    pub(super) fn hold_hint(&mut self, home: NodeId, key: Key, versions: &[Version<Stamped>], ctx: &mut Ctx<'_, Self>) {
        if home == self.id {
            self.store(key, versions, ctx);
            return;
        }
        self.hints.entry((home, key)).or_default().merge(versions);
        ctx.note(Note::Hinted { key, home });
    }

    /// Offers every hint to its home node.
    pub(super) fn hand_off(&mut self, ctx: &mut Ctx<'_, Self>) {
        for (&(home, key), held) in &self.hints {
            ctx.send(home, Msg::Handoff { key, versions: Versions::from(held.versions()) });
        }
    }

    /// `home` has stored these versions of `key`: drop the hint if it holds
    /// nothing more.
    pub(super) fn handed_off(&mut self, home: NodeId, key: Key, dots: &[Dot], ctx: &mut Ctx<'_, Self>) {
        let Some(held) = self.hints.get(&(home, key)) else { return };
        if held.versions().iter().all(|v| dots.contains(&v.dot)) {
            self.hints.remove(&(home, key));
            ctx.note(Note::HandedOff { key, to: home });
        }
    }
}

/// Hints held across the group for `home`.
pub fn hints_for<'a>(nodes: impl Iterator<Item = &'a StoreNode>, home: NodeId) -> usize {
    nodes.flat_map(|n| n.hints.keys()).filter(|(h, _)| *h == home).count()
}
