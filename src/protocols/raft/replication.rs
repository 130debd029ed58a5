//! Log replication (Raft §5.3) and the commit rule (§5.4.2): AppendEntries, its consistency check, commit by majority of this term, apply.

use super::*;

impl Raft {
    /// AppendEntries at a follower (§5.3), or a stale one at anyone.
    pub(super) fn handle_append_entries(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: Msg) {
        let Msg::AppendEntries { term, leader, prev_log_index, prev_log_term, entries, leader_commit, round } = msg
        else {
            return;
        };
        let reply = |ctx: &mut Ctx<'_, Self>, term, success, index| {
            ctx.send(from, Msg::AppendEntriesReply { term, success, index, round });
        };
        if !self.accept_leader(ctx, from, term, leader, round) {
            return;
        }

        // Consistency check (§5.3).
        if prev_log_index < self.log.snapshot_index() {
            if self.cfg.has(Bug::RefuseBelowSnapshot) {
                reply(ctx, self.current_term, false, prev_log_index.max(1));
                return;
            }
            // Our snapshot holds only committed entries, which match the
            // leader's (§5.4), but their terms are gone, so this index can
            // no longer be checked. Say how far we hold instead of refusing:
            // a refusal sent the leader back to this same index, forever.
            reply(ctx, self.current_term, true, self.log.snapshot_index());
            return;
        }
        if prev_log_index > self.log.last_index() {
            reply(ctx, self.current_term, false, self.log.last_index() + 1);
            return;
        }
        let prev_ok = self.cfg.has(Bug::SkipPrevTermCheck) || self.log.term_at(prev_log_index) == Some(prev_log_term);
        if !prev_ok {
            // Skip back over the whole conflicting term in one round trip.
            let conflict = self.log.term_at(prev_log_index);
            let mut hint = prev_log_index;
            while hint > self.commit_index + 1 && self.log.term_at(hint - 1) == conflict {
                hint -= 1;
            }
            reply(ctx, self.current_term, false, hint.max(1));
            return;
        }
        let last_new = prev_log_index + entries.len() as u64;
        let mut config_changed = false;
        let mut wrote = false;
        for (i, mut entry) in entries.into_iter().enumerate() {
            let index = prev_log_index + 1 + i as u64;
            if self.is_metadata_witness() && matches!(entry.payload, Payload::Client(_)) {
                entry.payload = Payload::Elided;
            }
            match self.log.term_at(index) {
                Some(t) if t == entry.term => {}
                Some(_) if index > self.log.snapshot_index() => {
                    // A conflicting entry and all that follow it go (§5.3).
                    self.log.truncate_from(index);
                    config_changed = true;
                    self.log.append(entry);
                    wrote = true;
                }
                Some(_) => {}
                None => {
                    config_changed |= entry.payload.members().is_some();
                    self.log.append(entry);
                    wrote = true;
                }
            }
        }
        if wrote {
            ctx.persist();
        }
        if config_changed {
            self.refresh_members(ctx);
        }
        if leader_commit > self.commit_index {
            let commit = leader_commit.min(last_new);
            if commit > self.commit_index {
                self.commit_index = commit;
                ctx.note(Note::Commit { index: commit });
                self.apply();
                self.maybe_compact(ctx);
            }
        }
        reply(ctx, self.current_term, true, last_new);
    }

    /// The start of AppendEntries and InstallSnapshot: a stale term gets a
    /// refusal that carries ours; otherwise the sender is our leader.
    pub(super) fn accept_leader(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: u64,
        leader: NodeId,
        round: u64,
    ) -> bool {
        if term < self.current_term {
            ctx.send(from, Msg::AppendEntriesReply { term: self.current_term, success: false, index: 0, round });
            return false;
        }
        self.heard_from_leader(ctx, leader);
        true
    }

    /// A message from the leader of our term: remember it, and hold off
    /// elections (and, with stickiness, votes).
    pub(super) fn heard_from_leader(&mut self, ctx: &mut Ctx<'_, Self>, leader: NodeId) {
        self.leader_id = Some(leader);
        self.last_leader_contact = Some(ctx.now());
        self.vote_ban_until = self.vote_ban_until.max(ctx.now() + self.cfg.election_timeout_min_us as i64);
        self.reset_election_timer(ctx);
    }

    /// AppendEntries to `to` from its nextIndex.
    pub(super) fn send_append(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        let next = self.next_index[to as usize].max(1);
        self.send_append_from(ctx, to, next);
    }

    /// AppendEntries to `to` carrying entries from `next` on.
    pub(super) fn send_append_from(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, next: u64) {
        let prev_log_index = next - 1;
        if prev_log_index < self.log.snapshot_index() {
            // The entries it needs are compacted away: send the snapshot.
            let last_index = self.log.snapshot_index();
            if let Some(sent) = self.sent_index.get_mut(to as usize) {
                *sent = last_index;
            }
            let msg = Msg::InstallSnapshot {
                term: self.current_term,
                leader: self.id,
                last_index,
                last_term: self.log.term_at(last_index).unwrap_or(0),
                digest: self.log.digest(last_index).unwrap_or(0),
                state: self.snap,
                round: self.round,
            };
            ctx.send(to, msg);
            return;
        }
        let prev_log_term = self.log.term_at(prev_log_index).unwrap_or(0);
        let last = next + u64::from(self.cfg.max_entries_per_append) - 1;
        let mut entries = self.log.slice(next, last);
        if self.cfg.is_witness(to) && self.cfg.witness_log == WitnessLog::Metadata {
            for e in entries.iter_mut().filter(|e| matches!(e.payload, Payload::Client(_))) {
                e.payload = Payload::Elided;
            }
        }
        if let Some(sent) = self.sent_index.get_mut(to as usize) {
            *sent = prev_log_index + entries.len() as u64;
        }
        ctx.send(
            to,
            Msg::AppendEntries {
                term: self.current_term,
                leader: self.id,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit: self.commit_index,
                round: self.round,
            },
        );
    }

    pub(super) fn broadcast_append(&mut self, ctx: &mut Ctx<'_, Self>) {
        for p in self.peers().collect::<Vec<_>>() {
            self.send_append(ctx, p);
        }
    }

    /// Commits the highest index stored on a majority, if it is of the
    /// current term (§5.4.2). Earlier-term entries commit with it.
    pub(super) fn maybe_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
        // A leader outside the configuration it manages does not count
        // itself (§4.2.2).
        let matched: Vec<u64> = member_list(self.members)
            .map(|p| if p == self.id { self.log.last_index() } else { self.match_index[p as usize] })
            .collect();
        let n = nth_highest(matched, self.quorum());
        if n <= self.commit_index {
            return;
        }
        let own_term = self.log.term_at(n) == Some(self.current_term);
        if own_term || self.cfg.has(Bug::CommitPreviousTermByCount) {
            self.commits_in_term += n - self.commit_index;
            self.commit_index = n;
            ctx.note(Note::Commit { index: n });
            self.apply();
            self.serve_reads(ctx);
            if !self.is_member(self.id) && self.commit_index >= self.members_index {
                // Its own removal committed: step down (§4.2.2).
                self.become_follower(ctx, self.current_term, None);
                return;
            }
            self.maybe_compact(ctx);
            if self.cfg.rotate_every_commits.is_some_and(|k| self.commits_in_term >= k) {
                self.commits_in_term = 0;
                self.rotate(ctx);
            }
        }
    }

    /// Appends an entry as leader and starts replicating it.
    pub(super) fn leader_append(&mut self, ctx: &mut Ctx<'_, Self>, payload: Payload) -> u64 {
        self.log.append(Entry { term: self.current_term, payload });
        ctx.persist();
        let index = self.log.last_index();
        self.match_index[self.id as usize] = index;
        // Pipeline the new entry to followers that were sent everything
        // before it; the others are mid catch-up, and their replies will
        // carry it.
        for p in self.peers().collect::<Vec<_>>() {
            if self.sent_index[p as usize] + 1 == index {
                self.send_append_from(ctx, p, index);
            }
        }
        index
    }

    pub(super) fn apply(&mut self) {
        if self.witness {
            return; // a witness has no state machine
        }
        while self.last_applied < self.commit_index {
            let Some(entry) = self.log.get(self.last_applied + 1) else {
                break;
            };
            if let Payload::Client(id) = entry.payload {
                self.applied_requests += 1;
                self.last_applied_request = Some(id);
            }
            self.last_applied += 1;
        }
    }

    /// A follower's answer to AppendEntries (or InstallSnapshot) of this
    /// term: progress (`match_index`, `next_index`), commit, the lease's
    /// heartbeat round, and what to send next.
    pub(super) fn handle_append_reply(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        success: bool,
        index: u64,
        round: u64,
    ) {
        self.recent_active[from as usize] = true;
        let f = from as usize;
        self.acked_round[f] = self.acked_round[f].max(round);
        self.extend_lease();
        self.serve_reads(ctx);
        if success {
            self.match_index[f] = self.match_index[f].max(index);
            self.next_index[f] = self.next_index[f].max(index + 1);
            self.maybe_commit(ctx);
            // Only the reply to the newest AppendEntries sends more;
            // replies to older ones would start parallel streams.
            let latest = index >= self.sent_index[f];
            if self.transfer == Some(from) && self.match_index[f] == self.log.last_index() {
                ctx.send(from, Msg::TimeoutNow { term: self.current_term });
            } else if latest && self.next_index[f] <= self.log.last_index() {
                self.send_append(ctx, from);
            }
        } else {
            let back = index.min(self.next_index[f].saturating_sub(1));
            self.next_index[f] = back.max(self.match_index[f] + 1).max(1);
            self.send_append(ctx, from);
        }
    }
}

/// The `n`-th highest of `values` (1 is the highest), or 0 if there are
/// fewer: what a quorum of `n` has reached.
pub(super) fn nth_highest(mut values: Vec<u64>, n: usize) -> u64 {
    values.sort_unstable();
    values.len().checked_sub(n).filter(|_| n > 0).map_or(0, |i| values[i])
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    const TIMEOUT: u64 = 150 * MS;

    fn reply(term: u64, success: bool, index: u64, round: u64) -> Msg {
        Msg::AppendEntriesReply { term, success, index, round }
    }

    #[test]
    fn a_follower_appends_after_a_matching_entry_and_commits_what_the_leader_committed() {
        let mut s = Server::new(2, cfg());
        let fx = s.msg(1, append(1, (0, 0), vec![entry(1, 7)], 0));
        assert_eq!(fx.last(), Some(&Fx::Send(1, reply(1, true, 1, 1))));
        assert_eq!((s.node.leader_id(), s.node.log().last_index(), s.node.commit_index()), (Some(1), 1, 0));
        // A heartbeat that carries the leader's commit index applies the entry.
        assert_eq!(
            s.msg(1, append(1, (1, 1), vec![], 1)),
            vec![
                Fx::Set(Timer::Election, TIMEOUT),
                Fx::Note(Note::Commit { index: 1 }),
                Fx::Send(1, reply(1, true, 1, 1))
            ]
        );
        assert_eq!((s.node.applied_requests(), s.node.last_applied_request()), (1, Some(7)));
    }

    #[test]
    fn a_mismatch_is_refused_with_the_first_index_of_the_conflicting_term() {
        let mut s = Server::new(2, cfg());
        s.msg(1, append(1, (0, 0), vec![entry(1, 1), entry(1, 2), entry(1, 3)], 0));
        // The leader of term 2 thinks index 3 has term 2: all of term 1 is suspect.
        let fx = s.msg(1, append(2, (3, 2), vec![entry(2, 4)], 0));
        assert_eq!(fx.last(), Some(&Fx::Send(1, reply(2, false, 1, 1))));
        assert_eq!(s.node.log().last_index(), 3, "nothing appended after a mismatch");
        // A gap: the follower asks for the index after its last.
        let fx = s.msg(1, append(2, (9, 2), vec![], 0));
        assert_eq!(fx.last(), Some(&Fx::Send(1, reply(2, false, 4, 1))));
        // Then the leader's entries replace the conflicting suffix.
        let fx = s.msg(1, append(2, (1, 1), vec![entry(2, 5)], 0));
        assert_eq!(fx.last(), Some(&Fx::Send(1, reply(2, true, 2, 1))));
        assert_eq!((s.node.log().last_index(), s.node.log().term_at(2)), (2, Some(2)));
    }

    #[test]
    fn a_stale_leader_is_told_the_newer_term_and_nothing_else_happens() {
        let mut s = Server::new(2, cfg());
        s.msg(1, append(2, (0, 0), vec![], 0));
        assert_eq!(s.msg(0, append(1, (0, 0), vec![entry(1, 9)], 0)), vec![Fx::Send(0, reply(2, false, 0, 1))]);
        assert_eq!((s.node.term(), s.node.leader_id(), s.node.log().last_index()), (2, Some(1), 0));
    }

    #[test]
    fn the_leader_commits_once_a_majority_holds_an_entry_of_its_term() {
        let mut s = elected(cfg());
        assert_eq!(s.msg(1, reply(1, true, 1, 1)), vec![Fx::Note(Note::Commit { index: 1 })]);
        assert_eq!((s.node.commit_index(), s.node.match_index()[1], s.node.next_index()[1]), (1, 1, 2));
        // The third acknowledgement adds nothing.
        assert_eq!(s.msg(2, reply(1, true, 1, 1)), vec![]);
    }

    /// Term 2's leader holds index 1 from term 1 and its own no-op at 2.
    fn leader_with_an_old_entry(bug: Option<Bug>) -> Server {
        let mut s = Server::new(0, RaftConfig { bug, ..cfg() });
        s.msg(1, append(1, (0, 0), vec![entry(1, 7)], 0));
        s.timer(Timer::Election);
        s.msg(2, Msg::RequestVoteReply { term: 2, granted: true, prevote: false });
        assert_eq!((s.node.role(), s.node.term(), s.node.log().last_index()), (Role::Leader, 2, 2));
        s
    }

    #[test]
    fn an_earlier_terms_entry_is_not_committed_by_counting_replicas() {
        // Figure 8 (§5.4.2): a majority holds index 1, but it is of term 1.
        let mut s = leader_with_an_old_entry(None);
        assert_eq!(s.msg(2, reply(2, true, 1, 1)), vec![]);
        assert_eq!(s.node.commit_index(), 0);
        // Once the term-2 no-op is on a majority, both commit together.
        assert_eq!(notes(&s.msg(2, reply(2, true, 2, 1))), vec![Note::Commit { index: 2 }]);
        // The broken variant commits index 1 by count.
        let mut bad = leader_with_an_old_entry(Some(Bug::CommitPreviousTermByCount));
        assert_eq!(bad.msg(2, reply(2, true, 1, 1)), vec![Fx::Note(Note::Commit { index: 1 })]);
    }

    #[test]
    fn a_refusal_moves_next_index_back_to_the_hint_and_resends_from_there() {
        let mut s = leader_with_an_old_entry(None);
        // n1 missed everything: it asks for index 1.
        let fx = s.msg(1, reply(2, false, 1, 1));
        let Some(Fx::Send(1, Msg::AppendEntries { prev_log_index: 0, entries, .. })) = fx.last() else {
            panic!("resent from index 1: {fx:?}")
        };
        assert_eq!(entries.iter().map(|e| e.term).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(s.node.next_index()[1], 1);
    }

    #[test]
    fn an_index_below_the_followers_snapshot_is_answered_with_how_far_it_holds() {
        let mut s = Server::new(2, RaftConfig { snapshot_every: Some(2), ..cfg() });
        s.msg(1, append(1, (0, 0), vec![entry(1, 1), entry(1, 2), entry(1, 3)], 3));
        assert_eq!(s.node.log().snapshot_index(), 3, "compacted up to the commit");
        // An old AppendEntries from before the snapshot: its prev cannot be
        // checked any more; refusing it sent the leader back here forever.
        let fx = s.msg(1, append(1, (1, 1), vec![entry(1, 2)], 1));
        assert_eq!(fx.last(), Some(&Fx::Send(1, reply(1, true, 3, 1))));
        assert_eq!(s.node.log().last_index(), 3);
    }
}
