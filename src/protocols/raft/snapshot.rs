//! Log compaction by snapshots and InstallSnapshot (Raft §7; dissertation chapter 5).

use super::*;

impl Raft {
    /// InstallSnapshot at a follower (dissertation §5.1, Figure 5.3).
    pub(super) fn handle_install_snapshot(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::InstallSnapshot { term, leader, last_index, last_term, digest, state, round } = msg else {
            return;
        };
        if !self.accept_leader(ctx, from, term, leader, round) {
            return;
        }
        if last_index > self.commit_index {
            self.log.install(last_index, last_term, digest);
            self.snap = state;
            self.commit_index = last_index;
            if !self.witness {
                self.last_applied = last_index;
                self.applied_requests = state.applied_requests;
                self.last_applied_request = state.last_applied_request;
            }
            ctx.note(Note::Installed { index: last_index });
            ctx.note(Note::Commit { index: last_index });
            self.refresh_members(ctx);
        }
        ctx.send(from, Msg::AppendEntriesReply { term: self.current_term, success: true, index: last_index, round });
    }

    /// Compacts the log once enough applied entries follow the snapshot.
    pub(super) fn maybe_compact(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(every) = self.cfg.snapshot_every else { return };
        // A witness applies nothing, so it compacts what is committed.
        let upto = if self.witness { self.commit_index } else { self.last_applied };
        if upto < self.log.snapshot_index() + every {
            return;
        }
        let (members, _) = self.config_at(upto);
        let (applied_requests, last_applied_request) =
            if self.witness { (0, None) } else { (self.applied_requests, self.last_applied_request) };
        self.snap = SnapState { applied_requests, last_applied_request, members };
        self.log.compact(upto);
        ctx.note(Note::Compacted { index: upto });
    }
}
