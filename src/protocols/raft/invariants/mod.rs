//! Raft's safety properties (Figure 3 of the Raft paper), checked after every
//! step of a simulation.
//!
//! The checker keeps a shadow of each server (its log digests, role, term,
//! commit and apply points) and looks only at the servers that the last step
//! touched, so a check costs O(log n) per event plus the new entries. Each
//! property lives in its own file, headed by its statement and source.
//!
//! A property that fails is reported once, at the first step where it fails;
//! the checker keeps watching the others.

mod election_safety;
mod leader_append_only;
mod leader_completeness;
mod lease_exclusivity;
mod linearizable_reads;
mod log_matching;
mod state_machine_safety;
mod witness_never_leads;

use super::log::Entry;
use super::{Raft, Role};
use crate::sim::cow::CowVec;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::{EventKind, Fault};
use crate::sim::vecmap::VecMap;
use crate::sim::{NodeId, Sim};

/// The properties of Figure 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    ElectionSafety,
    LeaderAppendOnly,
    LogMatching,
    LeaderCompleteness,
    StateMachineSafety,
    LeaseExclusivity,
    LinearizableReads,
    WitnessNeverLeads,
}

impl Property {
    pub const ALL: [Property; 8] = [
        Property::ElectionSafety,
        Property::LeaderAppendOnly,
        Property::LogMatching,
        Property::LeaderCompleteness,
        Property::StateMachineSafety,
        Property::LeaseExclusivity,
        Property::LinearizableReads,
        Property::WitnessNeverLeads,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Property::ElectionSafety => "Election Safety",
            Property::LeaderAppendOnly => "Leader Append-Only",
            Property::LogMatching => "Log Matching",
            Property::LeaderCompleteness => "Leader Completeness",
            Property::StateMachineSafety => "State Machine Safety",
            Property::LeaseExclusivity => "Lease Exclusivity",
            Property::LinearizableReads => "Linearizable Reads",
            Property::WitnessNeverLeads => "Witness Never Leads",
        }
    }

    pub fn reference(&self) -> &'static str {
        match self {
            Property::ElectionSafety => "Raft §5.2",
            Property::LeaderAppendOnly => "Raft §5.3",
            Property::LogMatching => "Raft §5.3",
            Property::LeaderCompleteness => "Raft §5.4",
            Property::StateMachineSafety => "Raft §5.4.3",
            Property::LeaseExclusivity => "Ongaro §6.4.1",
            Property::LinearizableReads => "Ongaro §6.4",
            Property::WitnessNeverLeads => "Pâris 1986",
        }
    }

    /// The property in one sentence, as Figure 3 states it.
    pub fn statement(&self) -> &'static str {
        match self {
            Property::ElectionSafety => "At most one leader can be elected in a given term.",
            Property::LeaderAppendOnly => "A leader never overwrites or deletes entries in its log; it only appends new entries.",
            Property::LogMatching => "If two logs contain an entry with the same index and term, then the logs are identical in all entries up through the given index.",
            Property::LeaderCompleteness => "If a log entry is committed in a given term, then that entry will be present in the logs of the leaders for all higher-numbered terms.",
            Property::StateMachineSafety => "If a server has applied a log entry at a given index to its state machine, no other server will ever apply a different log entry for the same index.",
            Property::LeaseExclusivity => "At no instant of true time do two servers both believe they hold a valid leader lease.",
            Property::LinearizableReads => "No read returns a value older than the latest write committed before the read began (in true time).",
            Property::WitnessNeverLeads => "A witness votes and acknowledges entries, but never becomes leader.",
        }
    }

    fn bit(&self) -> u8 {
        1 << (*self as u8)
    }
}

/// What the checker remembers of one server.
#[derive(Clone, Debug, Default)]
struct Shadow {
    /// Log digests at indices 1..=len, as last seen.
    digests: CowVec<u64>,
    role: Option<Role>,
    term: u64,
    commit: u64,
    applied: u64,
}

/// A committed entry, as first seen committed.
#[derive(Clone, Debug)]
struct Committed {
    entry: Entry,
    digest: u64,
    /// The term of the server that first committed it.
    term: u64,
    by: NodeId,
}

/// Checks Raft's Figure 3 properties after every step.
#[derive(Clone, Debug)]
pub struct RaftChecker {
    enabled: u8,
    failed: u8,
    shadows: Vec<Shadow>,
    /// Election Safety: the leader of each term.
    leaders: VecMap<u64, NodeId>,
    /// Log Matching: for each index (1-based), the (term, prefix digest,
    /// first holder) of every entry ever seen there.
    entries: CowVec<Vec<(u64, u64, NodeId)>>,
    /// Leader Completeness: committed entries by index (1-based).
    committed: CowVec<Committed>,
    /// Linearizable Reads: client writes committed so far, and for each
    /// read in flight, how many had committed when it began.
    committed_writes: u64,
    reads: VecMap<u64, (u64, u64)>,
    /// Runs of `committed` with one commit term: (term, end index, exclusive),
    /// so "the last entry committed before term T" is a short scan.
    commit_runs: Vec<(u64, usize)>,
    /// State Machine Safety: the entry applied at each index, and by whom.
    applied: CowVec<(Entry, NodeId)>,
    touched: Vec<NodeId>,
}

impl Default for RaftChecker {
    fn default() -> Self {
        Self::new(&Property::ALL)
    }
}

/// Where a violation happened, for the property functions.
struct At {
    time_us: u64,
    trace_index: u64,
}

impl RaftChecker {
    /// A checker for the given properties only.
    pub fn new(properties: &[Property]) -> Self {
        RaftChecker {
            enabled: properties.iter().fold(0, |m, p| m | p.bit()),
            failed: 0,
            shadows: Vec::new(),
            leaders: VecMap::new(),
            entries: CowVec::new(),
            committed: CowVec::new(),
            commit_runs: Vec::new(),
            committed_writes: 0,
            reads: VecMap::new(),
            applied: CowVec::new(),
            touched: Vec::new(),
        }
    }

    /// Whether `property` has failed so far.
    pub fn has_failed(&self, property: Property) -> bool {
        self.failed & property.bit() != 0
    }

    fn report(&mut self, out: &mut Vec<Violation>, at: &At, p: Property, nodes: Vec<NodeId>, detail: String) {
        if self.enabled & p.bit() == 0 || self.failed & p.bit() != 0 {
            return;
        }
        self.failed |= p.bit();
        out.push(Violation {
            property: p.name(),
            reference: p.reference(),
            time_us: at.time_us,
            trace_index: at.trace_index,
            nodes,
            detail,
        });
    }

    fn observe(&mut self, sim: &Sim<Raft>, n: NodeId, at: &At, out: &mut Vec<Violation>) {
        let Some(raft) = sim.node(n) else {
            // Crashed: volatile state is gone; the log stays as it was.
            let s = &mut self.shadows[n as usize];
            s.role = None;
            s.commit = 0;
            s.applied = 0;
            return;
        };
        let log = raft.log();
        let shadow = &self.shadows[n as usize];
        // First index where the log differs from what we saw: digests agree on
        // a prefix and then disagree, so a binary search finds the boundary.
        let common = shadow.digests.len().min(log.last_index() as usize);
        // Below a snapshot's base the log keeps no digests; the base digest
        // stands for the whole prefix.
        let base = log.snapshot_index() as usize;
        let (mut lo, mut hi) = if base == 0 {
            (0, common)
        } else if base > common {
            // Everything seen before is now inside the snapshot: nothing to compare.
            (common, common)
        } else if log.digest(base as u64) == shadow.digests.get(base - 1).copied() {
            (base, common)
        } else {
            (0, 0)
        };
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if log.digest(mid as u64) == shadow.digests.get(mid - 1).copied() {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let changed_from = lo as u64 + 1;
        let was_leader_same_term = shadow.role == Some(Role::Leader) && shadow.term == raft.term();
        let old_len = shadow.digests.len() as u64;

        leader_append_only::check(self, raft, was_leader_same_term, changed_from, old_len, at, out);
        // A metadata-only witness's entries lack payloads, so their digests
        // differ by design; it never leads or applies, so nothing reads them.
        if !raft.is_metadata_witness() {
            log_matching::check(self, raft, changed_from, at, out);
        }

        let s = &mut self.shadows[n as usize];
        s.digests.truncate(lo);
        for i in changed_from..=log.last_index() {
            s.digests.push(log.digest(i).unwrap_or(0));
        }

        if raft.role() == Role::Leader && !was_leader_same_term {
            election_safety::check(self, raft, at, out);
            witness_never_leads::check(self, raft, at, out);
            leader_completeness::check_new_leader(self, raft, at, out);
        }
        let old_commit = self.shadows[n as usize].commit;
        if raft.commit_index() > old_commit && !raft.is_metadata_witness() {
            self.record_commits(raft, old_commit);
            leader_completeness::check_leaders_after_commit(self, sim, at, out);
        }
        let old_applied = self.shadows[n as usize].applied;
        state_machine_safety::check(self, raft, old_applied, at, out);
        // A server applies only committed entries (State Machine Safety
        // holds it to that), so what it applied has committed, including
        // entries compacted into a snapshot before the commits above could
        // read them.
        self.committed_writes = self.committed_writes.max(raft.applied_requests());

        let s = &mut self.shadows[n as usize];
        s.role = Some(raft.role());
        s.term = raft.term();
        s.commit = raft.commit_index();
        s.applied = raft.last_applied();
    }

    fn record_commits(&mut self, raft: &Raft, old_commit: u64) {
        let log = raft.log();
        let from = (self.committed.len() as u64 + 1).max(old_commit + 1);
        for i in from..=raft.commit_index() {
            match (log.get(i), log.digest(i)) {
                (Some(entry), Some(digest)) if i == self.committed.len() as u64 + 1 => {
                    self.committed.push(Committed { entry: *entry, digest, term: raft.term(), by: raft.id() });
                    if let crate::protocols::raft::log::Payload::Client(_) = entry.payload {
                        self.committed_writes += 1;
                    }
                    match self.commit_runs.last_mut() {
                        Some((t, end)) if *t == raft.term() => *end = self.committed.len(),
                        _ => self.commit_runs.push((raft.term(), self.committed.len())),
                    }
                }
                _ => break,
            }
        }
    }
}

impl Checker<Raft> for RaftChecker {
    fn properties(&self) -> Vec<&'static str> {
        Property::ALL.iter().filter(|p| self.enabled & p.bit() != 0).map(Property::name).collect()
    }

    fn check(&mut self, sim: &Sim<Raft>, out: &mut Vec<Violation>) {
        if self.shadows.len() < sim.len() as usize {
            self.shadows.resize(sim.len() as usize, Shadow::default());
        }
        let events = sim.trace().last_step();
        let Some(last) = events.last() else {
            return;
        };
        let at = At { time_us: last.time, trace_index: last.index };
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        for e in events {
            match &e.kind {
                EventKind::Deliver { to, .. } => touched.push(*to),
                EventKind::Timer { node, .. } | EventKind::Command { node, .. } | EventKind::Note { node, .. } => {
                    touched.push(*node)
                }
                EventKind::Fault(f) => {
                    if let Fault::Crash(n) | Fault::Restart(n) | Fault::Resume(n) = **f {
                        touched.push(n)
                    }
                }
                _ => {}
            }
        }
        touched.sort_unstable();
        touched.dedup();
        linearizable_reads::begin(self, events);
        for &n in &touched {
            self.observe(sim, n, &at, out);
        }
        lease_exclusivity::check(self, sim, &at, out);
        linearizable_reads::check(self, events, &at, out);
        self.touched = touched;
    }
}

/// Runs `sim` to `until`, checking after every step; returns the violations.
pub fn run_checked(sim: &mut Sim<Raft>, checker: &mut RaftChecker, until: u64) -> Vec<Violation> {
    let mut out = Vec::new();
    while sim.next_event_time().is_some_and(|t| t <= until) {
        sim.step();
        checker.check(sim, &mut out);
    }
    sim.run_until(until);
    out
}
