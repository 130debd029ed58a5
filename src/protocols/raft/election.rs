//! Leader election (Raft §5.2), PreVote (dissertation §9.6) and vote stickiness (§4.2.3): role changes, campaigns, vote counting and RequestVote.

use super::*;

impl Raft {
    pub(super) fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let timeout = ctx.rng().range_inclusive(self.cfg.election_timeout_min_us, self.cfg.election_timeout_max_us);
        ctx.set_timer(Timer::Election, timeout);
    }

    pub(super) fn become_follower(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, leader: Option<NodeId>) {
        let changed = self.role != Role::Follower || term != self.current_term;
        if term > self.current_term {
            self.current_term = term;
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.leader_id = leader;
        for (id, _, _) in std::mem::take(&mut self.pending_reads) {
            ctx.note(Note::Rejected { id, leader });
        }
        self.abort_transfer(ctx, false);
        ctx.cancel_timer(Timer::Heartbeat);
        self.reset_election_timer(ctx);
        if changed {
            ctx.note(Note::Role { role: Role::Follower, term: self.current_term });
        }
    }

    pub(super) fn become_pre_candidate(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::PreCandidate;
        self.leader_id = None;
        self.start_campaign(ctx, self.current_term + 1, true, false);
    }

    pub(super) fn become_candidate(&mut self, ctx: &mut Ctx<'_, Self>, transfer: bool) {
        self.current_term += 1;
        self.voted_for = Some(self.id);
        self.role = Role::Candidate;
        self.leader_id = None;
        self.start_campaign(ctx, self.current_term, false, transfer);
    }

    pub(super) fn start_campaign(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, prevote: bool, transfer: bool) {
        ctx.note(Note::Role { role: self.role, term: self.current_term });
        self.votes = vec![false; self.cfg.nodes as usize];
        self.votes[self.id as usize] = true;
        self.reset_election_timer(ctx);
        let rv = Msg::RequestVote {
            term,
            candidate: self.id,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
            prevote,
            transfer,
        };
        for p in self.peers().collect::<Vec<_>>() {
            ctx.send(p, rv.clone());
        }
        self.tally(ctx);
    }

    pub(super) fn become_leader(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::Leader;
        self.leader_id = Some(self.id);
        ctx.note(Note::Role { role: Role::Leader, term: self.current_term });
        // A new leader commits earlier-term entries only through an entry of
        // its own term, so it appends a no-op at once (§8).
        if self.cfg.leader_noop {
            self.log.append(Entry { term: self.current_term, payload: Payload::Noop });
        }
        let n = self.cfg.nodes as usize;
        self.next_index = vec![self.log.last_index(); n];
        self.match_index = vec![0; n];
        self.match_index[self.id as usize] = self.log.last_index();
        self.sent_index = vec![0; n];
        self.acked_round = vec![0; n];
        self.round_sent.clear();
        self.lease_until = LocalTime::MIN;
        self.start_round(ctx);
        self.recent_active = vec![false; n];
        self.commits_in_term = 0;
        if let Some(every) = self.cfg.rotate_every_us {
            ctx.set_timer(Timer::Rotate, every);
        }
        if self.cfg.check_quorum {
            ctx.set_timer(Timer::Election, self.cfg.election_timeout_min_us);
        } else {
            ctx.cancel_timer(Timer::Election);
        }
        self.broadcast_append(ctx);
        ctx.set_timer(Timer::Heartbeat, self.cfg.heartbeat_us);
        self.maybe_commit(ctx);
    }

    pub(super) fn campaign(&mut self, ctx: &mut Ctx<'_, Self>, transfer: bool) {
        if !self.can_lead(self.id) {
            // Witnesses and servers outside the configuration never stand.
            self.reset_election_timer(ctx);
            return;
        }
        if self.cfg.prevote && !transfer {
            self.become_pre_candidate(ctx);
        } else {
            self.become_candidate(ctx, transfer);
        }
    }

    /// Counts votes; wins the (pre-)election with a majority.
    pub(super) fn tally(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.votes() < self.quorum() {
            return;
        }
        match self.role {
            Role::PreCandidate => self.become_candidate(ctx, false),
            Role::Candidate => self.become_leader(ctx),
            _ => {}
        }
    }

    /// RequestVote, from any role (§5.2, §5.4.1; pre-votes §9.6).
    pub(super) fn handle_request_vote(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &Msg) {
        let Msg::RequestVote { term, candidate, last_log_index, last_log_term, prevote, .. } = *msg else {
            return;
        };
        let log_ok = self.cfg.has(Bug::VoteWithoutLogCheck) || self.log.is_up_to_date(last_log_index, last_log_term);
        if prevote {
            // Grant a pre-vote only to a sufficiently up-to-date log, and only
            // if no leader has been heard from within the minimum election
            // timeout; a pre-vote changes nothing here (§9.6).
            let heard_leader = self.role == Role::Leader
                || (self.leader_id.is_some()
                    && self
                        .last_leader_contact
                        .is_some_and(|t| ctx.now() - t < self.cfg.election_timeout_min_us as i64));
            let granted = term > self.current_term && log_ok && !heard_leader;
            let term = if granted { term } else { self.current_term };
            ctx.send(from, Msg::RequestVoteReply { term, granted, prevote: true });
            return;
        }
        // Higher terms were adopted before we got here, so `term` is ours or stale.
        let free = match self.voted_for {
            None => true,
            Some(v) => v == candidate || self.cfg.has(Bug::VoteTwice),
        };
        let granted = term == self.current_term && free && log_ok;
        if granted {
            self.voted_for = Some(candidate);
            self.reset_election_timer(ctx);
        }
        ctx.send(from, Msg::RequestVoteReply { term: self.current_term, granted, prevote: false });
    }
}
