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

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;

    fn ack(from: NodeId, s: &mut Server) -> Vec<Fx> {
        s.msg(from, Msg::AppendEntriesReply { term: 1, success: true, index: 1, round: 1 })
    }

    #[test]
    fn a_transfer_to_an_up_to_date_server_sends_timeout_now_at_once() {
        let mut s = elected(cfg());
        ack(1, &mut s);
        assert_eq!(
            s.cmd(Cmd::TransferLeadership(1)),
            vec![
                Fx::Note(Note::TransferStart { to: 1 }),
                Fx::Set(Timer::TransferTimeout, 150 * MS),
                Fx::Send(1, Msg::TimeoutNow { term: 1 }),
            ]
        );
        // While handing over, client requests are refused.
        assert_eq!(s.cmd(Cmd::Request(5)), vec![Fx::Note(Note::Rejected { id: 5, leader: None })]);
        // Unfinished by the timeout: given up, and requests are taken again.
        assert_eq!(
            s.timer(Timer::TransferTimeout),
            vec![Fx::Cancel(Timer::TransferTimeout), Fx::Note(Note::TransferAbort { to: 1 })]
        );
        assert!(notes(&s.cmd(Cmd::Request(6))).contains(&Note::Accepted { id: 6, index: 2 }));
    }

    #[test]
    fn a_transfer_to_a_lagging_server_first_catches_it_up() {
        let mut s = elected(cfg());
        ack(1, &mut s);
        let fx = s.cmd(Cmd::TransferLeadership(2));
        assert!(matches!(fx.last(), Some(Fx::Send(2, Msg::AppendEntries { .. }))), "{fx:?}");
        assert!(ack(2, &mut s).contains(&Fx::Send(2, Msg::TimeoutNow { term: 1 })));
    }

    #[test]
    fn timeout_now_starts_a_real_election_at_once_even_with_prevote() {
        let mut s = Server::new(2, RaftConfig { prevote: true, ..cfg() });
        s.msg(1, append(1, (0, 0), vec![], 0));
        let fx = s.msg(1, Msg::TimeoutNow { term: 1 });
        assert_eq!(notes(&fx), vec![Note::Role { role: Role::Candidate, term: 2 }]);
        assert!(sends(&fx)
            .iter()
            .all(|(_, m)| matches!(m, Msg::RequestVote { term: 2, prevote: false, transfer: true, .. })));
        // A TimeoutNow of an old term is ignored.
        let mut s = Server::new(2, cfg());
        s.msg(1, append(2, (0, 0), vec![], 0));
        assert_eq!(s.msg(1, Msg::TimeoutNow { term: 1 }), vec![]);
    }

    #[test]
    fn rotation_hands_over_to_the_next_server_that_keeps_up() {
        let mut s = elected(RaftConfig { rotate_every_us: Some(500 * MS), ..cfg() });
        ack(1, &mut s);
        let fx = s.timer(Timer::Rotate);
        assert_eq!(notes(&fx)[..2], [Note::Rotate { to: 1 }, Note::TransferStart { to: 1 }]);
        assert!(fx.contains(&Fx::Send(1, Msg::TimeoutNow { term: 1 })));
        assert!(fx.contains(&Fx::Set(Timer::Rotate, 500 * MS)));
    }
}
