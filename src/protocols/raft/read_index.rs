//! Reads by ReadIndex (dissertation §6.4), leader leases (§6.4.1) and CheckQuorum (§6.2): heartbeat rounds that a majority acknowledges.

use super::*;

impl Raft {
    /// The round a majority has acknowledged (this leader counts itself).
    pub(super) fn majority_round(&self) -> u64 {
        let acked = member_list(self.members).map(|p| self.acked_round.get(p as usize).copied().unwrap_or(0)).collect();
        super::replication::nth_highest(acked, self.quorum())
    }

    /// What a read returns: the client requests applied (with
    /// `Bug::ReadUncommitted`, also those appended but not committed).
    pub(super) fn read_value(&self) -> u64 {
        if !self.cfg.has(Bug::ReadUncommitted) {
            return self.applied_requests;
        }
        let uncommitted = (self.last_applied + 1..=self.log.last_index())
            .filter(|&i| self.log.get(i).is_some_and(|e| matches!(e.payload, super::log::Payload::Client(_))))
            .count();
        self.applied_requests + uncommitted as u64
    }

    /// Answers ReadIndex reads whose heartbeat round a majority acked and
    /// whose read index is applied (§6.4).
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.pending_reads.is_empty() {
            return;
        }
        let acked = self.majority_round();
        let applied = self.last_applied;
        let value = self.read_value();
        self.pending_reads.retain(|&(id, index, round)| {
            let ready = acked >= round && applied >= index;
            if ready {
                ctx.note(Note::Read { id, value, lease: false });
            }
            !ready
        });
    }

    /// A new heartbeat round: replies that echo it prove that a majority
    /// heard from this leader after `now` (for the lease).
    pub(super) fn start_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.round += 1;
        self.round_sent.push_back((self.round, ctx.now()));
        if self.round_sent.len() > 64 {
            self.round_sent.pop_front();
        }
        if let Some(a) = self.acked_round.get_mut(self.id as usize) {
            *a = self.round;
        }
    }

    /// Extends the lease to (start of the newest round a majority acked) +
    /// the lease length (dissertation §6.4.1).
    pub(super) fn extend_lease(&mut self) {
        let Some(lease) = self.cfg.lease_us() else { return };
        if self.transfer.is_some() {
            return; // handing over: the target may win at once (§3.10)
        }
        let r = self.majority_round();
        if let Some(&(_, sent)) = self.round_sent.iter().find(|(x, _)| *x == r) {
            self.lease_until = self.lease_until.max(sent + lease as i64);
        }
    }

    pub(super) fn check_quorum(&mut self, ctx: &mut Ctx<'_, Self>) {
        let heard =
            usize::from(self.is_member(self.id)) + self.peers().filter(|p| self.recent_active[*p as usize]).count();
        if heard < self.quorum() {
            ctx.note(Note::StepDown { term: self.current_term });
            self.become_follower(ctx, self.current_term, None);
        } else {
            self.recent_active.iter_mut().for_each(|a| *a = false);
            ctx.set_timer(Timer::Election, self.cfg.election_timeout_min_us);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn ack(from_term: u64, index: u64, round: u64) -> Msg {
        Msg::AppendEntriesReply { term: from_term, success: true, index, round }
    }

    /// A leader whose no-op n1 acknowledged in round 1 (committed).
    fn leader(cfg: RaftConfig) -> Server {
        let mut s = elected(cfg);
        s.msg(1, ack(1, 1, 1));
        assert_eq!(s.node.commit_index(), 1);
        s
    }

    #[test]
    fn a_read_index_read_waits_for_a_round_a_majority_acknowledged() {
        let mut s = leader(cfg());
        let fx = s.cmd(Cmd::Read(9));
        assert_eq!(notes(&fx), vec![], "not before the round");
        let rounds: Vec<(NodeId, u64)> = sends(&fx)
            .into_iter()
            .map(|(to, m)| match m {
                Msg::AppendEntries { round, .. } => (to, round),
                m => panic!("{m:?}"),
            })
            .collect();
        assert_eq!(rounds, vec![(1, 2), (2, 2)]);
        // An acknowledgement of the old round is not enough; of the new one is.
        assert_eq!(notes(&s.msg(2, ack(1, 1, 1))), vec![]);
        assert_eq!(s.msg(1, ack(1, 1, 2)), vec![Fx::Note(Note::Read { id: 9, value: 0, lease: false })]);
        // The broken variant answers at once, with no round.
        let mut bad = leader(RaftConfig { bug: Some(Bug::ReadWithoutRound), ..cfg() });
        assert_eq!(bad.cmd(Cmd::Read(9)), vec![Fx::Note(Note::Read { id: 9, value: 0, lease: false })]);
    }

    #[test]
    fn a_leader_without_a_commit_in_its_term_refuses_reads() {
        let mut s = elected(cfg());
        assert_eq!(s.cmd(Cmd::Read(9)), vec![Fx::Note(Note::Rejected { id: 9, leader: None })]);
    }

    #[test]
    fn a_lease_serves_reads_locally_for_t_min_times_1_minus_eps_over_1_plus_eps() {
        // ε = 10%: 150 ms · 0.9 / 1.1 = 122.727 ms, counted from when round 1 was sent (0).
        let mut s = leader(RaftConfig { lease_drift_bound_ppm: Some(100_000), ..cfg() });
        assert_eq!(s.node.lease_until(), 122_727);
        s.now = 122_726;
        assert_eq!(s.cmd(Cmd::Read(1)), vec![Fx::Note(Note::Read { id: 1, value: 0, lease: true })]);
        s.now = 122_727;
        let fx = s.cmd(Cmd::Read(2));
        assert_eq!(notes(&fx), vec![], "the lease has run out: a round instead");
        assert_eq!(sends(&fx).len(), 2);
    }

    #[test]
    fn check_quorum_steps_down_a_leader_that_heard_from_no_majority() {
        let c = RaftConfig { check_quorum: true, ..cfg() };
        let mut s = elected(c.clone());
        assert_eq!(
            s.timer(Timer::Election),
            vec![
                Fx::Note(Note::StepDown { term: 1 }),
                Fx::Cancel(Timer::Heartbeat),
                Fx::Set(Timer::Election, 150 * MS),
                Fx::Note(Note::Role { role: Role::Follower, term: 1 }),
            ]
        );
        // Having heard from n1 since the last check, it stays leader.
        let mut s = elected(c);
        s.msg(1, ack(1, 1, 1));
        assert_eq!(s.timer(Timer::Election), vec![Fx::Set(Timer::Election, 150 * MS)]);
        assert_eq!(s.node.role(), Role::Leader);
    }
}
