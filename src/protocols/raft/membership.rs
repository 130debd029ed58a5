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

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    /// Leader n0 of {n0,n1,n2}, with spare n3, its no-op committed.
    fn leader() -> Server {
        let mut s = elected(RaftConfig { nodes: 4, members: Some(vec![0, 1, 2]), ..cfg() });
        s.msg(1, Msg::AppendEntriesReply { term: 1, success: true, index: 1, round: 1 });
        assert_eq!(s.node.commit_index(), 1);
        s
    }

    #[test]
    fn a_leader_adds_a_server_with_one_configuration_entry_used_at_once() {
        let mut s = leader();
        let fx = s.cmd(Cmd::AddServer(3));
        assert_eq!(notes(&fx), vec![Note::Config { members: 0b1111 }]);
        let to: Vec<NodeId> = sends(&fx).iter().map(|(to, _)| *to).collect();
        assert_eq!(to, vec![1, 2, 3], "the entry goes to the old members and the new one");
        assert!(sends(&fx).iter().all(|(_, m)| matches!(m, Msg::AppendEntries { entries, .. }
            if entries.last().map(|e| e.payload) == Some(Payload::Config(0b1111)))));
        assert_eq!(s.node.members(), 0b1111);
        // One change at a time (§4.1): the next waits for this one to commit.
        assert_eq!(
            notes(&s.cmd(Cmd::RemoveServer(1))),
            vec![Note::ConfigRefused { node: 1, add: false, reason: "the previous change has not committed" }]
        );
        // The new configuration needs 3 of 4: n1 alone does not commit it.
        assert_eq!(notes(&s.msg(1, Msg::AppendEntriesReply { term: 1, success: true, index: 2, round: 1 })), vec![]);
        assert_eq!(
            notes(&s.msg(3, Msg::AppendEntriesReply { term: 1, success: true, index: 2, round: 1 })),
            vec![Note::Commit { index: 2 }]
        );
    }

    #[test]
    fn a_change_before_the_leaders_first_commit_is_refused() {
        let mut s = elected(RaftConfig { nodes: 4, members: Some(vec![0, 1, 2]), ..cfg() });
        assert_eq!(
            s.cmd(Cmd::AddServer(3)),
            vec![Fx::Note(Note::ConfigRefused {
                node: 3,
                add: true,
                reason: "no entry of this term has committed yet"
            })]
        );
        let mut f = Server::new(1, cfg());
        assert_eq!(
            notes(&f.cmd(Cmd::AddServer(2))),
            vec![Note::ConfigRefused { node: 2, add: true, reason: "not the leader" }]
        );
    }

    #[test]
    fn a_follower_uses_a_configuration_as_soon_as_it_is_in_its_log() {
        let mut s = Server::new(2, cfg());
        let config = Entry { term: 1, payload: Payload::Config(0b011) };
        let fx = s.msg(1, append(1, (0, 0), vec![config], 0));
        assert!(notes(&fx).contains(&Note::Config { members: 0b011 }));
        assert_eq!(s.node.members(), 0b011);
    }
}
