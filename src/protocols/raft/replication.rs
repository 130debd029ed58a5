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
                }
                Some(_) => {}
                None => {
                    config_changed |= entry.payload.members().is_some();
                    self.log.append(entry);
                }
            }
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
        let mut matched: Vec<u64> = member_list(self.members)
            .map(|p| if p == self.id { self.log.last_index() } else { self.match_index[p as usize] })
            .collect();
        matched.sort_unstable_by(|a, b| b.cmp(a));
        let n = matched.get(self.quorum() - 1).copied().unwrap_or(0);
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
}
