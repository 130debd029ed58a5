//! Single-server membership changes (dissertation §4.1): the configuration in use is the latest in the log.

use super::*;

impl Raft {
    /// The latest configuration at or before `index`, and its index.
    pub(super) fn config_at(&self, index: u64) -> (u32, u64) {
        let mut i = index.min(self.log.last_index());
        while i > self.log.snapshot_index() {
            if let Some(m) = self.log.get(i).and_then(|e| e.payload.members()) {
                return (m, i);
            }
            i -= 1;
        }
        (self.snap.members, self.log.snapshot_index())
    }

    /// Re-reads the configuration from the log after it changed.
    pub(super) fn refresh_members(&mut self, ctx: &mut Ctx<'_, Self>) {
        let (members, index) = self.config_at(self.log.last_index());
        self.members_index = index;
        if members != self.members {
            self.members = members;
            ctx.note(Note::Config { members });
        }
    }

    /// A single-server membership change (§4.1), if it is safe to start.
    pub(super) fn change_membership(&mut self, ctx: &mut Ctx<'_, Self>, node: NodeId, add: bool) {
        let members = if add { self.members | (1 << node.min(31)) } else { self.members & !(1 << node.min(31)) };
        let reason = if self.role != Role::Leader {
            Some("not the leader")
        } else if self.transfer.is_some() {
            Some("handing over leadership")
        } else if node >= self.cfg.nodes {
            Some("no such server")
        } else if add == self.is_member(node) {
            Some(if add { "already a member" } else { "not a member" })
        } else if self.members_index > self.commit_index {
            // One change at a time: the last must commit first (§4.1).
            Some("the previous change has not committed")
        } else if self.log.term_at(self.commit_index) != Some(self.current_term) {
            // The fix of §4.1's bug: no change before an entry of this term commits.
            Some("no entry of this term has committed yet")
        } else if !member_list(members).any(|p| !self.cfg.is_witness(p)) {
            Some("no server that can lead would remain")
        } else {
            None
        };
        if let Some(reason) = reason {
            ctx.note(Note::ConfigRefused { node, add, reason });
            return;
        }
        let index = self.leader_append(ctx, Payload::Config(members));
        self.members = members;
        self.members_index = index;
        ctx.note(Note::Config { members });
        if add {
            self.next_index[node as usize] = index;
            self.send_append(ctx, node);
        }
        self.maybe_commit(ctx);
    }
}
