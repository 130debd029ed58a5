//! Leadership transfer (dissertation §3.10) and rotating leadership: catch the target up, send TimeoutNow, abort after an election timeout.

use super::*;

impl Raft {
    /// Starts handing leadership to `to` (§3.10).
    pub(super) fn start_transfer(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId) {
        self.transfer = Some(to);
        // The target will win without waiting out anyone's lease.
        self.lease_until = LocalTime::MIN;
        ctx.note(Note::TransferStart { to });
        // Abort after one election timeout (§3.10).
        ctx.set_timer(Timer::TransferTimeout, self.cfg.election_timeout_min_us);
        if self.match_index[to as usize] == self.log.last_index() {
            ctx.send(to, Msg::TimeoutNow { term: self.current_term });
        } else {
            self.send_append(ctx, to);
        }
    }

    /// Rotation: hands over to the next server in order that may lead and
    /// answered one of the last two heartbeat rounds.
    pub(super) fn rotate(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.transfer.is_some() {
            return;
        }
        let n = self.cfg.nodes;
        let next = (1..n)
            .map(|k| (self.id + k) % n)
            .find(|&p| self.can_lead(p) && self.acked_round.get(p as usize).is_some_and(|a| a + 2 >= self.round));
        if let Some(to) = next {
            ctx.note(Note::Rotate { to });
            self.start_transfer(ctx, to);
        }
    }

    pub(super) fn abort_transfer(&mut self, ctx: &mut Ctx<'_, Self>, noted: bool) {
        if let Some(to) = self.transfer.take() {
            ctx.cancel_timer(Timer::TransferTimeout);
            if noted {
                ctx.note(Note::TransferAbort { to });
            }
        }
    }
}
