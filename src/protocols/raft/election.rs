//! Leader election (Raft §5.2), PreVote (dissertation §9.6) and vote stickiness (§4.2.3): role changes, campaigns, vote counting and RequestVote.

use super::*;

impl Raft {
    pub(super) fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let timeout = ctx.rng().range_inclusive(self.cfg.election_timeout_min_us, self.cfg.election_timeout_max_us);
        ctx.set_timer(Timer::Election, timeout);
    }

    pub(super) fn become_follower(&mut self, ctx: &mut Ctx<'_, Self>, term: u64, leader: Option<NodeId>) {
        let changed = self.role != Role::Follower || term != self.current_term;
        let was_leader = self.role == Role::Leader;
        if term > self.current_term {
            self.current_term = term;
            self.voted_for = None;
            ctx.persist();
        }
        self.role = Role::Follower;
        self.leader_id = leader;
        for (id, _, _) in std::mem::take(&mut self.pending_reads) {
            ctx.note(Note::Rejected { id, leader });
        }
        self.abort_transfer(ctx, false);
        ctx.cancel_timer(Timer::Heartbeat);
        // A term learned from a candidate's request or a reply is no reason
        // to wait longer (Figure 2: only a current leader's AppendEntries or
        // a granted vote resets the timer); a former leader, which had no
        // election timer, starts one.
        if was_leader || leader.is_some() {
            self.reset_election_timer(ctx);
        }
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
        // The new term and the vote for itself are written while the
        // requests travel (as a leader writes its entries in parallel,
        // dissertation §10.2.1): what depends on them, its messages as
        // leader, leaves only once they are durable, and a crash before
        // then loses this candidacy with them.
        ctx.persist();
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
            ctx.persist();
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
            ctx.persist();
            self.reset_election_timer(ctx);
        }
        ctx.send(from, Msg::RequestVoteReply { term: self.current_term, granted, prevote: false });
    }

    /// A (pre-)vote reply to a (pre-)candidate: count it, or step down
    /// when a pre-vote was refused by a server with a higher term.
    pub(super) fn handle_vote_reply(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: u64,
        granted: bool,
        prevote: bool,
    ) {
        if prevote {
            if self.role != Role::PreCandidate {
                return;
            }
            if !granted && term > self.current_term {
                self.become_follower(ctx, term, None);
            } else if granted && term == self.current_term + 1 {
                self.votes[from as usize] = true;
                self.tally(ctx);
            }
        } else if self.role == Role::Candidate && term == self.current_term && granted {
            self.votes[from as usize] = true;
            self.tally(ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn vote(term: u64, candidate: NodeId, last: (u64, u64), prevote: bool) -> Msg {
        Msg::RequestVote { term, candidate, last_log_index: last.0, last_log_term: last.1, prevote, transfer: false }
    }

    const TIMEOUT: u64 = 150 * MS;

    #[test]
    fn an_election_timeout_makes_a_candidate_that_votes_for_itself_and_asks_everyone() {
        let mut s = Server::new(0, cfg());
        let fx = s.timer(Timer::Election);
        let rv = vote(1, 0, (0, 0), false);
        assert_eq!(
            fx,
            vec![
                Fx::Note(Note::Role { role: Role::Candidate, term: 1 }),
                Fx::Set(Timer::Election, TIMEOUT),
                Fx::Send(1, rv.clone()),
                Fx::Send(2, rv),
                // The new term and the vote for itself, written while the requests travel.
                Fx::Persist,
            ]
        );
        assert_eq!((s.node.term(), s.node.voted_for(), s.node.votes()), (1, Some(0), 1));
    }

    #[test]
    fn a_vote_is_granted_once_per_term() {
        let mut s = Server::new(1, cfg());
        // A higher term makes us a follower of it first (§5.1), then we vote.
        assert_eq!(
            s.msg(0, vote(1, 0, (0, 0), false)),
            vec![
                Fx::Persist, // the new term
                Fx::Cancel(Timer::Heartbeat),
                Fx::Note(Note::Role { role: Role::Follower, term: 1 }),
                Fx::Persist,                       // the vote, before the reply that grants it
                Fx::Set(Timer::Election, TIMEOUT), // granting a vote resets the timer
                Fx::Send(0, Msg::RequestVoteReply { term: 1, granted: true, prevote: false }),
            ]
        );
        // A second candidate of the same term is refused, and nothing else happens.
        assert_eq!(
            s.msg(2, vote(1, 2, (0, 0), false)),
            vec![Fx::Send(2, Msg::RequestVoteReply { term: 1, granted: false, prevote: false })]
        );
        assert_eq!(s.node.voted_for(), Some(0));
        // The same candidate asking again (a duplicate) is granted again.
        assert_eq!(sends(&s.msg(0, vote(1, 0, (0, 0), false))).len(), 1);
        assert_eq!(s.node.voted_for(), Some(0));
    }

    /// Figure 2: only a current leader's AppendEntries or a granted vote
    /// resets the election timer. A higher term learned from a candidate
    /// whose vote is refused does not: otherwise every ineligible candidate
    /// would hold back the servers that could win.
    #[test]
    fn a_refused_candidates_term_does_not_reset_the_election_timer() {
        let mut s = Server::new(1, cfg());
        s.msg(2, append(1, (0, 0), vec![entry(1, 7)], 0));
        let fx = s.msg(0, vote(2, 0, (0, 0), false));
        assert_eq!(s.node.term(), 2, "the term is adopted");
        assert_eq!(fx.last(), Some(&Fx::Send(0, Msg::RequestVoteReply { term: 2, granted: false, prevote: false })));
        assert!(!fx.iter().any(|f| matches!(f, Fx::Set(Timer::Election, _))), "{fx:?}");
    }

    #[test]
    fn a_vote_is_refused_to_a_candidate_whose_log_is_behind() {
        let mut s = Server::new(1, cfg());
        s.msg(2, append(1, (0, 0), vec![entry(1, 7)], 0));
        // Same last index, older last term: not up to date (§5.4.1).
        let fx = s.msg(2, vote(2, 2, (1, 0), false));
        assert_eq!(fx.last(), Some(&Fx::Send(2, Msg::RequestVoteReply { term: 2, granted: false, prevote: false })));
        assert_eq!((s.node.term(), s.node.voted_for()), (2, None));
        // The broken variant skips the check and grants.
        let mut bad = Server::new(1, RaftConfig { bug: Some(Bug::VoteWithoutLogCheck), ..cfg() });
        bad.msg(2, append(1, (0, 0), vec![entry(1, 7)], 0));
        let fx = bad.msg(2, vote(2, 2, (1, 0), false));
        assert_eq!(fx.last(), Some(&Fx::Send(2, Msg::RequestVoteReply { term: 2, granted: true, prevote: false })));
    }

    #[test]
    fn a_majority_of_votes_makes_a_leader_that_sends_its_noop_at_once() {
        let mut s = Server::new(0, cfg());
        s.timer(Timer::Election);
        let fx = s.msg(1, Msg::RequestVoteReply { term: 1, granted: true, prevote: false });
        let ae = Msg::AppendEntries {
            term: 1,
            leader: 0,
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![Entry { term: 1, payload: Payload::Noop }],
            leader_commit: 0,
            round: 1,
        };
        assert_eq!(
            fx,
            vec![
                Fx::Note(Note::Role { role: Role::Leader, term: 1 }),
                Fx::Persist, // the no-op entry
                Fx::Cancel(Timer::Election),
                Fx::Send(1, ae.clone()),
                Fx::Send(2, ae),
                Fx::Set(Timer::Heartbeat, 50 * MS),
            ]
        );
        assert_eq!((s.node.role(), s.node.log().last_index(), s.node.commit_index()), (Role::Leader, 1, 0));
        // A late vote for a leader changes nothing.
        assert_eq!(s.msg(2, Msg::RequestVoteReply { term: 1, granted: true, prevote: false }), vec![]);
    }

    #[test]
    fn a_pre_vote_changes_no_term_and_a_majority_of_them_starts_the_real_election() {
        let pv = RaftConfig { prevote: true, ..cfg() };
        let mut c = Server::new(0, pv.clone());
        let fx = c.timer(Timer::Election);
        assert_eq!(notes(&fx), vec![Note::Role { role: Role::PreCandidate, term: 0 }]);
        assert_eq!(sends(&fx), vec![(1, vote(1, 0, (0, 0), true)), (2, vote(1, 0, (0, 0), true))]);
        assert_eq!((c.node.term(), c.node.voted_for()), (0, None));

        // The voter grants without adopting the term or recording a vote.
        let mut v = Server::new(1, pv);
        assert_eq!(
            v.msg(0, vote(1, 0, (0, 0), true)),
            vec![Fx::Send(0, Msg::RequestVoteReply { term: 1, granted: true, prevote: true })]
        );
        assert_eq!((v.node.term(), v.node.voted_for()), (0, None));

        let fx = c.msg(1, Msg::RequestVoteReply { term: 1, granted: true, prevote: true });
        assert_eq!(notes(&fx), vec![Note::Role { role: Role::Candidate, term: 1 }]);
        assert_eq!(sends(&fx), vec![(1, vote(1, 0, (0, 0), false)), (2, vote(1, 0, (0, 0), false))]);
    }

    #[test]
    fn a_sticky_server_ignores_request_vote_within_the_minimum_timeout() {
        let mut s = Server::new(1, RaftConfig { vote_stickiness: true, ..cfg() });
        // Booted at 0: no votes before 150 ms, and the term is not adopted.
        s.now = TIMEOUT as LocalTime - 1;
        assert_eq!(s.msg(0, vote(1, 0, (0, 0), false)), vec![]);
        assert_eq!(s.node.term(), 0);
        s.now = TIMEOUT as LocalTime;
        assert_eq!(
            s.msg(0, vote(1, 0, (0, 0), false)).last(),
            Some(&Fx::Send(0, Msg::RequestVoteReply { term: 1, granted: true, prevote: false }))
        );
    }
}
