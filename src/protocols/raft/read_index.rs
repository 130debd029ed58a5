//! Reads by ReadIndex (dissertation §6.4), leader leases (§6.4.1) and CheckQuorum (§6.2): heartbeat rounds that a majority acknowledges.

use super::*;

impl Raft {
    /// The round a majority has acknowledged (this leader counts itself).
    pub(super) fn majority_round(&self) -> u64 {
        let mut acked: Vec<u64> =
            member_list(self.members).map(|p| self.acked_round.get(p as usize).copied().unwrap_or(0)).collect();
        acked.sort_unstable_by(|a, b| b.cmp(a));
        acked.get(self.quorum() - 1).copied().unwrap_or(0)
    }

    /// Answers ReadIndex reads whose heartbeat round a majority acked and
    /// whose read index is applied (§6.4).
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.pending_reads.is_empty() {
            return;
        }
        let acked = self.majority_round();
        let applied = self.last_applied;
        let value = self.applied_requests;
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
