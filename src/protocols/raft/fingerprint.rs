//! What a Raft server's state means for what it does next, for exhaustive
//! exploration (`splitbrain explore`): Figure 2's state, hashed with node
//! ids renamed for symmetry reduction.
//!
//! Left out, because the explorer holds time still and issues no reads:
//! the clocks (last leader contact, vote ban, lease) and the heartbeat
//! rounds that only leases and ReadIndex read. With them a leader's every
//! heartbeat would be a new state. Options that act on elapsed time are
//! refused ([`explorable`]), so leaving the clocks out merges no states
//! that behave differently.

use super::log::{Entry, Log};
use super::spec::RaftParams;
use super::{Msg, Raft};
use crate::contract::Rename;
use crate::sim::trace::StableHasher;
use crate::sim::NodeId;
use std::hash::Hash;

/// Why `explore` cannot take these options, if it cannot.
pub fn explorable(p: &RaftParams) -> Result<(), String> {
    let timed = [
        (p.prevote, "prevote"),
        (p.check_quorum, "check_quorum"),
        (p.vote_stickiness, "vote_stickiness"),
        (p.lease_drift_bound_ppm.is_some(), "lease_drift_bound_ppm"),
        (p.rotate_every_ms.is_some(), "rotate_every_ms"),
    ];
    if let Some((_, name)) = timed.iter().find(|(on, _)| *on) {
        return Err(format!(
            "\"{name}\" acts on elapsed time, and explore holds time still (every order of events, not their timing); splitbrain search explores it"
        ));
    }
    if p.members.is_some() {
        return Err("\"members\" (membership changes) is not explored; splitbrain search explores it".into());
    }
    Ok(())
}

fn id(r: &Rename, n: Option<NodeId>, h: &mut StableHasher) {
    n.map(|n| r.id(n)).hash(h);
}

/// A vector indexed by node id, in the renamed order.
fn by_node<T: Hash>(r: &Rename, v: &[T], h: &mut StableHasher) {
    for old in r.order() {
        v.get(old as usize).hash(h);
    }
}

fn log(l: &Log, h: &mut StableHasher) {
    // The digest chains every entry's term and payload.
    (l.snapshot_index(), l.last_index(), l.digest(l.last_index())).hash(h);
}

fn entries(es: &[Entry], h: &mut StableHasher) {
    es.hash(h);
}

pub fn node(s: &Raft, r: &Rename, h: &mut StableHasher) {
    s.current_term.hash(h);
    id(r, s.voted_for, h);
    log(&s.log, h);
    s.role.hash(h);
    id(r, s.leader_id, h);
    (s.commit_index, s.last_applied, s.applied_requests, s.last_applied_request).hash(h);
    by_node(r, &s.votes, h);
    by_node(r, &s.next_index, h);
    by_node(r, &s.match_index, h);
    by_node(r, &s.sent_index, h);
    id(r, s.transfer, h);
    (s.members_index, s.snap.applied_requests, s.snap.last_applied_request, s.witness, s.commits_in_term).hash(h);
}

pub fn msg(m: &Msg, r: &Rename, h: &mut StableHasher) {
    std::mem::discriminant(m).hash(h);
    match m {
        Msg::RequestVote { term, candidate, last_log_index, last_log_term, prevote, transfer } => {
            (term, r.id(*candidate), last_log_index, last_log_term, prevote, transfer).hash(h)
        }
        Msg::RequestVoteReply { term, granted, prevote } => (term, granted, prevote).hash(h),
        Msg::AppendEntries { term, leader, prev_log_index, prev_log_term, entries: es, leader_commit, round: _ } => {
            (term, r.id(*leader), prev_log_index, prev_log_term, leader_commit).hash(h);
            entries(es, h);
        }
        Msg::AppendEntriesReply { term, success, index, round: _ } => (term, success, index).hash(h),
        Msg::TimeoutNow { term } => term.hash(h),
        Msg::InstallSnapshot { term, leader, last_index, last_term, digest, state, round: _ } => {
            (term, r.id(*leader), last_index, last_term, digest, state).hash(h)
        }
    }
}
