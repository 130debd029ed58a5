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
            ctx.persist();
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
        ctx.persist();
        ctx.note(Note::Compacted { index: upto });
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn snapshot(last_index: u64) -> Msg {
        Msg::InstallSnapshot {
            term: 1,
            leader: 1,
            last_index,
            last_term: 1,
            digest: 99,
            state: SnapState { applied_requests: 7, last_applied_request: Some(70), members: 0b111 },
            round: 3,
        }
    }

    #[test]
    fn a_snapshot_replaces_the_log_and_the_state_machine() {
        let mut s = Server::new(2, cfg());
        let fx = s.msg(1, snapshot(10));
        let ack = Fx::Send(1, Msg::AppendEntriesReply { term: 1, success: true, index: 10, round: 3 });
        assert_eq!(
            fx[fx.len() - 3..],
            [Fx::Note(Note::Installed { index: 10 }), Fx::Note(Note::Commit { index: 10 }), ack.clone()]
        );
        assert_eq!((s.node.log().snapshot_index(), s.node.commit_index(), s.node.applied_requests()), (10, 10, 7));
        assert_eq!(s.node.last_applied_request(), Some(70));
        // An old snapshot (at or below the commit index) is acknowledged, not installed.
        assert_eq!(s.msg(1, snapshot(10)), vec![Fx::Set(Timer::Election, 150 * MS), ack]);
    }

    #[test]
    fn a_leader_compacts_once_enough_entries_are_applied() {
        let mut s = elected(RaftConfig { snapshot_every: Some(1), ..cfg() });
        let fx = s.msg(1, Msg::AppendEntriesReply { term: 1, success: true, index: 1, round: 1 });
        assert_eq!(notes(&fx), vec![Note::Commit { index: 1 }, Note::Compacted { index: 1 }]);
        assert_eq!(s.node.log().snapshot_index(), 1);
        // A follower whose next entry was compacted away gets the snapshot.
        let fx = s.msg(2, Msg::AppendEntriesReply { term: 1, success: false, index: 1, round: 1 });
        assert!(
            matches!(fx.last(), Some(Fx::Send(2, Msg::InstallSnapshot { last_index: 1, last_term: 1, .. }))),
            "{fx:?}"
        );
    }
}
