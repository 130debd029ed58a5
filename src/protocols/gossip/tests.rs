//! Single-event tests (Demers et al. 1987, §1.2–§1.4): one message, timer
//! or command into one site, and the exact effects compared. Two sites, so
//! a site's partner is always the other one.

use super::*;
use crate::sim::testkit::{Fx, Node};

const PERIOD: u64 = 1_000_000;

fn cfg(mode: Mode, exchange: Exchange) -> GossipConfig {
    GossipConfig { nodes: 2, mode, exchange, period_us: PERIOD, ..GossipConfig::default() }
}

fn rumor() -> GossipConfig {
    cfg(Mode::Rumor, Exchange::Push)
}

#[test]
fn the_origin_starts_infective_and_arms_its_cycle_a_susceptible_push_site_waits() {
    let (origin, fx) = Node::<Gossip>::start(0, rumor());
    assert_eq!(fx, vec![Fx::Set(Timer::Cycle, PERIOD)]);
    assert_eq!((origin.node.state(), origin.node.learned_in()), (SiteState::Infective, Some(0)));
    // A push-rumor site that does not know runs no timer (§1.3: only
    // infective sites initiate pushes).
    let (site, fx) = Node::<Gossip>::start(1, rumor());
    assert_eq!(fx, vec![]);
    assert_eq!(site.node.state(), SiteState::Susceptible);
}

#[test]
fn a_pull_site_ticks_even_while_susceptible() {
    // §1.3: in pull, every site asks a partner each cycle.
    let (_, fx) = Node::<Gossip>::start(1, cfg(Mode::Rumor, Exchange::Pull));
    assert_eq!(fx, vec![Fx::Set(Timer::Cycle, PERIOD)]);
}

#[test]
fn an_infective_site_pushes_to_its_partner_each_cycle() {
    let mut s = Node::<Gossip>::new(0, rumor());
    s.advance(PERIOD as i64);
    assert_eq!(s.timer(Timer::Cycle), vec![Fx::Send(1, Msg::Push), Fx::Set(Timer::Cycle, PERIOD)]);
    assert_eq!(s.node.sent(), 1);
}

#[test]
fn a_push_informs_a_susceptible_site_which_replies_new_and_starts_ticking() {
    let mut s = Node::<Gossip>::new(1, rumor());
    s.advance(PERIOD as i64 + 10);
    assert_eq!(
        s.msg(0, Msg::Push),
        vec![
            Fx::Note(Note::Infected { cycle: 1 }),
            // The next cycle boundary, on the site's own clock.
            Fx::Set(Timer::Cycle, PERIOD - 10),
            Fx::Send(0, Msg::PushReply { knew: false }),
        ]
    );
    assert_eq!(s.node.learned_in(), Some(1));
}

#[test]
fn two_pushes_in_the_cycle_a_site_learned_both_count_as_necessary() {
    // Rounds are synchronous: the site answers as of the start of the cycle.
    let mut s = Node::<Gossip>::new(1, rumor());
    s.advance(PERIOD as i64);
    s.msg(0, Msg::Push);
    assert_eq!(s.msg(0, Msg::Push), vec![Fx::Send(0, Msg::PushReply { knew: false })]);
    // A cycle later it knew at the start, so the push was unnecessary.
    s.advance(PERIOD as i64);
    assert_eq!(s.msg(0, Msg::Push), vec![Fx::Send(0, Msg::PushReply { knew: true })]);
}

#[test]
fn with_feedback_and_counter_k1_one_unnecessary_contact_removes_the_site() {
    let mut s = Node::<Gossip>::new(0, rumor());
    s.advance(3 * PERIOD as i64);
    assert_eq!(s.msg(1, Msg::PushReply { knew: true }), vec![Fx::Note(Note::Removed { cycle: 3 })]);
    assert_eq!(s.node.state(), SiteState::Removed);
    // A removed site no longer pushes, and its timer is not re-armed.
    assert_eq!(s.timer(Timer::Cycle), vec![]);
}

#[test]
fn a_necessary_contact_restarts_the_count_of_unnecessary_ones() {
    let k2 = GossipConfig { interest: LossOfInterest { feedback: true, counter: true, k: 2 }, ..rumor() };
    let mut s = Node::<Gossip>::new(0, k2);
    assert_eq!(s.msg(1, Msg::PushReply { knew: true }), vec![], "1 of 2");
    assert_eq!(s.msg(1, Msg::PushReply { knew: false }), vec![], "informed: count starts again");
    assert_eq!(s.msg(1, Msg::PushReply { knew: true }), vec![], "1 of 2 again");
    assert_eq!(s.msg(1, Msg::PushReply { knew: true }), vec![Fx::Note(Note::Removed { cycle: 0 })]);
}

#[test]
fn anti_entropy_never_loses_interest() {
    let mut s = Node::<Gossip>::new(0, cfg(Mode::AntiEntropy, Exchange::Push));
    assert_eq!(s.msg(1, Msg::PushReply { knew: true }), vec![]);
    assert_eq!(s.node.state(), SiteState::Infective);
    // Nor does it ask for feedback: a push gets no reply.
    let mut t = Node::<Gossip>::new(1, cfg(Mode::AntiEntropy, Exchange::Push));
    assert_eq!(t.msg(0, Msg::Push), vec![Fx::Note(Note::Infected { cycle: 0 })]);
}

#[test]
fn a_pull_request_is_answered_with_the_update_only_when_the_asker_lacks_it() {
    let pull = cfg(Mode::AntiEntropy, Exchange::Pull);
    let mut s = Node::<Gossip>::new(0, pull);
    assert_eq!(s.msg(1, Msg::PullRequest { knows: false }), vec![Fx::Send(1, Msg::PullReply { update: true })]);
    assert_eq!(s.msg(1, Msg::PullRequest { knows: true }), vec![Fx::Send(1, Msg::PullReply { update: false })]);
    assert_eq!(s.node.sent(), 1, "only the reply that carried the update is traffic");
}

#[test]
fn a_pull_reply_with_the_update_informs_and_one_without_changes_nothing() {
    let pull = cfg(Mode::AntiEntropy, Exchange::Pull);
    let mut s = Node::<Gossip>::new(1, pull.clone());
    assert_eq!(s.msg(0, Msg::PullReply { update: false }), vec![]);
    assert!(!s.node.knows());
    assert_eq!(s.msg(0, Msg::PullReply { update: true }), vec![Fx::Note(Note::Infected { cycle: 0 })]);
    // A site that knows keeps the update when a partner has nothing...
    assert_eq!(s.msg(0, Msg::PullReply { update: false }), vec![]);
    assert!(s.node.knows());
    // ...unless it copies the partner's state (the broken variant).
    let mut broken = Node::<Gossip>::new(0, GossipConfig { bug: Some(Bug::ReplaceOnPull), ..pull });
    assert_eq!(broken.msg(1, Msg::PullReply { update: false }), vec![]);
    assert!(!broken.node.knows(), "ReplaceOnPull forgets the update");
}

#[test]
fn seeding_a_susceptible_site_makes_it_infective_and_arms_its_cycle() {
    let mut s = Node::<Gossip>::new(1, rumor());
    s.advance(2 * PERIOD as i64 + 250_000);
    assert_eq!(s.cmd(Cmd::Seed), vec![Fx::Note(Note::Infected { cycle: 2 }), Fx::Set(Timer::Cycle, PERIOD - 250_000)]);
    // Seeding a site that knows does nothing.
    assert_eq!(s.cmd(Cmd::Seed), vec![]);
}

#[test]
fn a_site_keeps_the_update_across_a_crash_and_no_longer_spreads_it() {
    let mut s = Node::<Gossip>::new(1, rumor());
    s.msg(0, Msg::Push);
    // It is in the site's database: a restart keeps it, as removed.
    assert_eq!(s.restart(), vec![]);
    assert_eq!((s.node.state(), s.node.learned_in()), (SiteState::Removed, Some(0)));
}
