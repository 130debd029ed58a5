//! Observability over sim time, read off the trace after every step: who led
//! in each term, each election's duration, messages per link, commit latency,
//! lease intervals on true time, and leadership hand-overs with the window in
//! which no leader accepted writes. The playground's metrics panel draws
//! these series; `splitbrain run --json` prints their summary ([`Figures`]).

use super::log::Payload;
use super::{cluster, Cmd, Note, Raft, Role};
use crate::contract::{Counts, Observer};
use crate::sim::cow::CowVec;
use crate::sim::trace::{EventKind, Fault};
use crate::sim::vecmap::VecMap;
use crate::sim::{NodeId, Sim, Time};
use crate::stats::{round3, MsSummary};
use serde::Serialize;

/// Width of a traffic bucket.
pub const BUCKET_US: Time = 100_000;

/// A server's time as leader of a term.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LeaderSpan {
    pub term: u64,
    pub node: NodeId,
    pub from: Time,
    /// `None` while it still leads.
    pub to: Option<Time>,
}

/// One won election: from the first server to stand in the term to its leader.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Election {
    pub term: u64,
    pub leader: NodeId,
    pub start: Time,
    pub end: Time,
}

/// A lease as its holder believed in it, mapped to true time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LeaseSpan {
    pub node: NodeId,
    pub term: u64,
    pub from: Time,
    pub to: Time,
}

/// A leadership hand-over: from the moment the leader stopped accepting
/// writes to the moment some leader accepted them again.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Handover {
    pub from: NodeId,
    pub to: NodeId,
    /// Started by the rotation cadence rather than by a person.
    pub rotation: bool,
    pub start: Time,
    pub end: Option<Time>,
    /// Whether the target became leader.
    pub completed: bool,
}

impl Handover {
    pub fn unavailable_us(&self) -> Option<Time> {
        self.end.map(|e| e - self.start)
    }
}

/// Messages on one directed link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LinkCount {
    pub delivered: u64,
    pub dropped: u64,
}

/// The series, as they grow. Cloning is cheap (shared chunks).
#[derive(Clone, Debug, Default)]
pub struct Observed {
    pub leaders: CowVec<LeaderSpan>,
    pub elections: CowVec<Election>,
    first_candidate: VecMap<u64, Time>,
    /// Per directed link, `from * nodes + to`.
    links: Vec<LinkCount>,
    nodes: u32,
    /// Delivered and dropped messages per [`BUCKET_US`] of sim time.
    pub buckets: CowVec<LinkCount>,
    pending: VecMap<u64, (u64, Time)>,
    /// (commit time, latency) of each client request, at its first commit.
    pub commits: CowVec<(Time, Time)>,
    pub leases: CowVec<LeaseSpan>,
    /// Index in `leases` of each server's latest span.
    open_lease: Vec<Option<usize>>,
    pub handovers: CowVec<Handover>,
    /// Indices in `handovers` of those not yet ended.
    open_handovers: Vec<usize>,
    rotating: Vec<bool>,
    leases_on: bool,
    counts: RaftCounts,
}

impl Observed {
    pub fn observe(&mut self, sim: &Sim<Raft>) {
        let n = sim.len() as usize;
        if self.open_lease.len() < n {
            self.nodes = sim.len();
            self.links.resize(n * n, LinkCount::default());
            self.open_lease.resize(n, None);
            self.rotating.resize(n, false);
            self.leases_on = sim.config().lease_drift_bound_ppm.is_some();
        }
        let now = sim.now();
        self.counts.observe(sim);
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Deliver { from, to, .. } => self.count(*from, *to, e.time, true),
                EventKind::Drop { from, to, .. } => self.count(*from, *to, e.time, false),
                EventKind::Fault(f) => {
                    if let Fault::Crash(node) = **f {
                        self.close_leader(node, e.time)
                    }
                }
                EventKind::Note { node, note } => self.note(sim, *node, note, e.time),
                _ => {}
            }
        }
        if self.leases_on {
            self.track_leases(sim, now);
        }
    }

    fn count(&mut self, from: NodeId, to: NodeId, time: Time, delivered: bool) {
        let bucket = (time / BUCKET_US) as usize;
        while self.buckets.len() <= bucket {
            self.buckets.push(LinkCount::default());
        }
        let link = (from * self.nodes + to) as usize;
        for c in [&mut self.links[link], self.buckets.get_mut(bucket).expect("bucket exists")] {
            if delivered {
                c.delivered += 1;
            } else {
                c.dropped += 1;
            }
        }
    }

    fn close_leader(&mut self, node: NodeId, time: Time) {
        for i in (0..self.leaders.len()).rev() {
            if let Some(s) = self.leaders.get_mut(i) {
                if s.node == node && s.to.is_none() {
                    s.to = Some(time);
                }
            }
            if i + 16 < self.leaders.len() {
                break; // open spans are recent
            }
        }
    }

    fn note(&mut self, sim: &Sim<Raft>, node: NodeId, note: &Note, time: Time) {
        match *note {
            Note::Role { role, term } => {
                self.close_leader(node, time);
                match role {
                    Role::Candidate if !self.first_candidate.contains_key(&term) => {
                        self.first_candidate.insert(term, time);
                    }
                    Role::Leader => {
                        self.leaders.push(LeaderSpan { term, node, from: time, to: None });
                        if let Some(start) = self.first_candidate.remove(&term) {
                            self.elections.push(Election { term, leader: node, start, end: time });
                        }
                        self.first_candidate = self.first_candidate.split_off(&term);
                        self.end_handovers(time, None, Some(node));
                    }
                    _ => {}
                }
            }
            Note::Accepted { id, index } => {
                self.pending.insert(index, (id, time));
            }
            Note::Commit { index } => {
                let rest = self.pending.split_off(&(index + 1));
                let done = std::mem::replace(&mut self.pending, rest);
                let log = sim.node(node).map(|r| r.log());
                for (i, (id, at)) in done {
                    // Count it only if this index holds that request (or was
                    // compacted): an overwritten request never committed.
                    let held = log.is_none_or(|l| l.get(i).is_none_or(|e| e.payload == Payload::Client(id)));
                    if held {
                        self.commits.push((time, time - at));
                    }
                }
            }
            Note::Rotate { .. } => self.rotating[node as usize] = true,
            Note::TransferStart { to } => {
                let rotation = std::mem::take(&mut self.rotating[node as usize]);
                self.open_handovers.push(self.handovers.len());
                self.handovers.push(Handover { from: node, to, rotation, start: time, end: None, completed: false });
            }
            // The old leader accepts writes again.
            Note::TransferAbort { .. } => self.end_handovers(time, Some(node), None),
            _ => {}
        }
    }

    /// Ends the open hand-overs (only `from`'s, if given): a leader was
    /// elected (`elected`), or the transfer was given up.
    fn end_handovers(&mut self, time: Time, from: Option<NodeId>, elected: Option<NodeId>) {
        let handovers = &mut self.handovers;
        self.open_handovers.retain(|&i| {
            let Some(h) = handovers.get_mut(i).filter(|h| from.is_none_or(|f| h.from == f)) else {
                return true;
            };
            h.end = Some(time);
            h.completed = elected == Some(h.to);
            false
        });
    }

    fn track_leases(&mut self, sim: &Sim<Raft>, now: Time) {
        for n in 0..sim.len() {
            let open = self.open_lease[n as usize];
            let held = sim.node(n).filter(|r| r.lease_valid(sim.local_time(n)));
            match held {
                Some(r) => {
                    let until = sim.clock(n).true_at(r.lease_until(), now);
                    let extend =
                        open.and_then(|i| self.leases.get_mut(i)).filter(|s| s.term == r.term() && s.to >= now);
                    match extend {
                        Some(s) => s.to = s.to.max(until),
                        None => {
                            self.open_lease[n as usize] = Some(self.leases.len());
                            self.leases.push(LeaseSpan { node: n, term: r.term(), from: now, to: until });
                        }
                    }
                }
                None => {
                    // Lost before its end (stepped down, crashed, handed over).
                    if let Some(s) = open.and_then(|i| self.leases.get_mut(i)).filter(|s| s.to > now) {
                        s.to = now;
                    }
                }
            }
        }
    }

    /// Messages per directed link that carried any: ((from, to), counts).
    pub fn links(&self) -> impl Iterator<Item = ((NodeId, NodeId), &LinkCount)> + '_ {
        let n = self.nodes.max(1);
        self.links
            .iter()
            .enumerate()
            .filter(|(_, c)| c.delivered + c.dropped > 0)
            .map(move |(i, c)| ((i as NodeId / n, i as NodeId % n), c))
    }

    /// Each won election's duration.
    pub fn election_us(&self) -> impl Iterator<Item = Time> + '_ {
        self.elections.iter().map(|e| e.end - e.start)
    }

    /// Each committed client request's latency.
    pub fn commit_latency_us(&self) -> impl Iterator<Item = Time> + '_ {
        self.commits.iter().map(|c| c.1)
    }

    /// Each finished rotation's window without a leader that takes writes.
    pub fn rotation_gap_us(&self) -> impl Iterator<Item = Time> + '_ {
        self.handovers.iter().filter(|h| h.rotation).filter_map(|h| h.unavailable_us())
    }

    /// The fraction of true time in `[0, now]` during which some server held
    /// a valid lease (`None` with leases off).
    pub fn lease_coverage(&self, now: Time) -> Option<f64> {
        if !self.leases_on || now == 0 {
            return None;
        }
        let spans = self.leases.iter().map(|s| (s.from.min(now), s.to.min(now))).collect();
        Some(crate::stats::covered(spans) as f64 / now as f64)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TermLeader {
    pub term: u64,
    pub node: NodeId,
    pub elected_ms: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkStat {
    pub from: NodeId,
    pub to: NodeId,
    pub delivered: u64,
    pub dropped: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HandoverStat {
    pub from: NodeId,
    pub to: NodeId,
    pub rotation: bool,
    pub start_ms: f64,
    /// No leader accepted writes for this long (`None`: still none at the end).
    pub unavailable_ms: Option<f64>,
    pub completed: bool,
}

/// What `splitbrain run --json` reports of a run's series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub leaders_by_term: Vec<TermLeader>,
    pub election_ms: MsSummary,
    pub commit_latency_ms: MsSummary,
    /// Fraction of time some server held a valid lease (`null` without leases).
    pub lease_coverage: Option<f64>,
    pub handovers: Vec<HandoverStat>,
    /// Unavailability per rotation (hand-overs the cadence started).
    pub rotation_unavailable_ms: MsSummary,
    pub links: Vec<LinkStat>,
}

impl Figures {
    pub fn of(o: &Observed, now: Time) -> Self {
        let ms = |us: Time| round3(us as f64 / 1000.0);
        Figures {
            leaders_by_term: o
                .leaders
                .iter()
                .map(|s| TermLeader { term: s.term, node: s.node, elected_ms: ms(s.from) })
                .collect(),
            election_ms: MsSummary::of_us(o.election_us()),
            commit_latency_ms: MsSummary::of_us(o.commit_latency_us()),
            lease_coverage: o.lease_coverage(now).map(|c| (c * 10_000.0).round() / 10_000.0),
            handovers: o
                .handovers
                .iter()
                .map(|h| HandoverStat {
                    from: h.from,
                    to: h.to,
                    rotation: h.rotation,
                    start_ms: ms(h.start),
                    unavailable_ms: h.unavailable_us().map(ms),
                    completed: h.completed,
                })
                .collect(),
            rotation_unavailable_ms: MsSummary::of_us(o.rotation_gap_us()),
            links: o
                .links()
                .map(|((from, to), c)| LinkStat { from, to, delivered: c.delivered, dropped: c.dropped })
                .collect(),
        }
    }
}

/// Raft's counts over a run (beside the trace's message counts).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RaftCounts {
    /// Times a server became leader.
    pub leader_changes: u64,
    /// Times a server became candidate (real elections, not pre-votes).
    pub elections: u64,
    pub client_requests: u64,
    pub client_accepted: u64,
    /// The highest commit index any server reached.
    pub committed_entries: u64,
    pub max_term: u64,
}

impl RaftCounts {
    fn observe(&mut self, sim: &Sim<Raft>) {
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Note { note: Note::Role { role: Role::Leader, .. }, .. } => self.leader_changes += 1,
                EventKind::Note { note: Note::Role { role: Role::Candidate, .. }, .. } => self.elections += 1,
                EventKind::Note { note: Note::Accepted { .. }, .. } => self.client_accepted += 1,
                EventKind::Note { note: Note::Commit { index }, .. } => {
                    self.committed_entries = self.committed_entries.max(*index)
                }
                EventKind::Command { cmd: Cmd::Request(_), .. } => self.client_requests += 1,
                _ => {}
            }
        }
    }
}

impl Counts for RaftCounts {
    fn merge(&mut self, m: &Self) {
        self.leader_changes += m.leader_changes;
        self.elections += m.elections;
        self.client_requests += m.client_requests;
        self.client_accepted += m.client_accepted;
        self.committed_entries += m.committed_entries;
        self.max_term = self.max_term.max(m.max_term);
    }
}

/// Raw samples over several seeds' runs, for pooled summaries.
#[derive(Default)]
pub struct Samples {
    elections: Vec<u64>,
    commits: Vec<u64>,
    rotations: Vec<u64>,
    coverage: Vec<f64>,
}

/// The figures of every seed's run, pooled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub election_ms: MsSummary,
    pub commit_latency_ms: MsSummary,
    pub rotation_unavailable_ms: MsSummary,
    /// Mean over seeds (`null` without leases).
    pub lease_coverage: Option<f64>,
}

impl Observer<Raft> for Observed {
    type Counts = RaftCounts;
    type Figures = Figures;
    type Samples = Samples;
    type Pooled = Pooled;
    const LATENCY: bool = true;

    fn observe(&mut self, sim: &Sim<Raft>) {
        Observed::observe(self, sim)
    }

    /// Commit latency: from the leader accepting a request to its commit.
    fn latency(&self, i: usize) -> Option<(Time, Time)> {
        self.commits.get(i).copied()
    }

    fn counts(&self, sim: &Sim<Raft>) -> RaftCounts {
        RaftCounts { max_term: cluster::max_term(sim), ..self.counts.clone() }
    }

    fn figures(&self, sim: &Sim<Raft>) -> Figures {
        Figures::of(self, sim.now())
    }

    fn sample(&self, sim: &Sim<Raft>, into: &mut Samples) {
        into.elections.extend(self.election_us());
        into.commits.extend(self.commit_latency_us());
        into.rotations.extend(self.rotation_gap_us());
        into.coverage.extend(self.lease_coverage(sim.now()));
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled {
            election_ms: MsSummary::of_us(s.elections.iter().copied()),
            commit_latency_ms: MsSummary::of_us(s.commits.iter().copied()),
            rotation_unavailable_ms: MsSummary::of_us(s.rotations.iter().copied()),
            lease_coverage: (!s.coverage.is_empty()).then(|| {
                let mean = s.coverage.iter().sum::<f64>() / s.coverage.len() as f64;
                (mean * 10_000.0).round() / 10_000.0
            }),
        }
    }

    fn describe(m: &RaftCounts, p: &Pooled, one_run: Option<&Figures>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "elections".to_string(),
                format!("{} started, {} won; highest term {}", m.elections, m.leader_changes, m.max_term),
            ),
            ("client requests".into(), format!("{} sent, {} accepted", m.client_requests, m.client_accepted)),
            ("committed entries".into(), m.committed_entries.to_string()),
        ];
        for (name, s) in [
            ("election time", &p.election_ms),
            ("commit latency", &p.commit_latency_ms),
            ("rotation gap", &p.rotation_unavailable_ms),
        ] {
            if s.count > 0 {
                out.push((name.into(), s.to_string()));
            }
        }
        if let Some(c) = p.lease_coverage {
            out.push((
                "lease coverage".into(),
                format!("{:.2}% of the time some server held a valid lease", c * 100.0),
            ));
        }
        if let Some(f) = one_run {
            let leaders: Vec<String> =
                f.leaders_by_term.iter().map(|l| format!("t{}:n{}@{}ms", l.term, l.node, l.elected_ms)).collect();
            if !leaders.is_empty() {
                out.push(("leaders by term".into(), leaders.join(" ")));
            }
            for h in &f.handovers {
                out.push((
                    "hand-over".into(),
                    format!(
                        "n{} -> n{} at {} ms{}: {}",
                        h.from,
                        h.to,
                        h.start_ms,
                        if h.rotation { " (rotation)" } else { "" },
                        match (h.unavailable_ms, h.completed) {
                            (Some(ms), true) => format!("no leader took writes for {ms} ms"),
                            (Some(ms), false) => format!("failed; writes resumed after {ms} ms"),
                            (None, _) => "still no leader at the end".into(),
                        }
                    ),
                ));
            }
        }
        out
    }
}
