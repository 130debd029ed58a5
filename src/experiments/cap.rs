//! One partition script, two sides of the trade-off (Brewer's conjecture;
//! Gilbert and Lynch, "Brewer's Conjecture and the Feasibility of
//! Consistent, Available, Partition-Tolerant Web Services", 2002): the
//! same clients, the same network and the same partition run against the
//! Raft cluster and against the store, and each is measured the same way.
//!
//! The clients: C clients, client c beside node c mod nodes, each in a
//! closed loop (a think time uniform on [0, 2 × think], then one read or
//! write, then wait for its answer). A request's *side* is where its
//! client's node stood when it began, as in [`crate::protocols::store::observe`].
//! A read is *stale* when it misses a write acknowledged before it began.
//!
//! - **Raft.** A client sends to its own node. A node that is not the
//!   leader refuses and names the leader it knows; the client then sends to
//!   that leader if it can reach it (one redirect, as Raft clients do), and
//!   otherwise asks its node again every [`RETRY_MS`]. A write is answered
//!   when the leader that accepted it commits it, a read when a leader
//!   answers it (ReadIndex, or a lease). The read returns how many writes
//!   the state machine has applied: stale if fewer than were acknowledged
//!   before the read began. A request not answered within [`DEADLINE_MS`]
//!   fails. A write is lost if it was acknowledged but is not in the final
//!   committed log where it was accepted; the clients' history (increments
//!   and reads of a counter) goes through the linearizability checker.
//! - **The store.** Its own clients ([`crate::protocols::store::clients`])
//!   with the same parameters, over `keys` keys, N = 3, with each quorum
//!   setting asked for.

use crate::contract::Observer;
use crate::history::counter::{Counter, Input, Output};
use crate::history::linearizability::{check, Verdict};
use crate::history::Op;
use crate::protocols::raft::log::Payload;
use crate::protocols::raft::{Note as RaftNote, Raft, Role};
use crate::protocols::store::node::StoreNode;
use crate::protocols::store::observe::Side;
use crate::scenario::{Action, Runner, Scenario, Target};
use crate::sim::rng::Rng;
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Time, MS};
use serde::Serialize;

/// How long a Raft client keeps trying one request: as long as a store
/// client does (a 200 ms timeout, tried twice).
pub const DEADLINE_MS: u64 = 400;
/// How often a Raft client that found no reachable leader asks again.
pub const RETRY_MS: u64 = 50;

/// The systems [`CapParams::compare`] runs: Raft and three stores.
pub const ROWS: usize = 4;

#[derive(Clone, Debug, PartialEq)]
pub struct CapParams {
    pub nodes: u32,
    pub clients: u32,
    pub think_ms: u64,
    pub read_fraction: f64,
    pub keys: u32,
    /// The minority side's nodes, cut off from the rest during `split_ms`.
    pub minority: Vec<NodeId>,
    pub split_ms: (u64, u64),
    pub duration_ms: u64,
    pub seed: u64,
}

impl Default for CapParams {
    fn default() -> Self {
        CapParams {
            nodes: 5,
            clients: 10,
            think_ms: 100,
            read_fraction: 0.5,
            keys: 8,
            minority: vec![0, 1],
            split_ms: (2_000, 7_000),
            duration_ms: 10_000,
            seed: 1,
        }
    }
}

/// One system's numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapRow {
    pub system: String,
    /// Fraction of requests answered, by side (`None`: none invoked).
    pub connected: Option<f64>,
    pub majority_side: Option<f64>,
    pub minority_side: Option<f64>,
    pub requests: u64,
    pub reads: u64,
    pub stale_reads: u64,
    pub writes_acked: u64,
    /// Acknowledged writes dropped (by last-writer-wins in the store; in
    /// Raft, missing from the final committed log).
    pub lost_writes: u64,
    /// Safety properties the checkers found broken.
    pub violations: usize,
    pub linearizable: String,
}

impl CapParams {
    pub fn validate(&self) -> Result<(), String> {
        if !(3..=15).contains(&self.nodes) {
            return Err(format!("nodes must be 3 to 15, not {}", self.nodes));
        }
        if self.minority.is_empty() || 2 * self.minority.len() >= self.nodes as usize {
            return Err(format!(
                "the minority side must hold 1 to {} of the {} nodes",
                (self.nodes - 1) / 2,
                self.nodes
            ));
        }
        if let Some(n) = self.minority.iter().find(|&&n| n >= self.nodes) {
            return Err(format!("n{n} is not one of the {} nodes", self.nodes));
        }
        if self.split_ms.0 >= self.split_ms.1 || self.split_ms.1 > self.duration_ms {
            return Err("the partition must start before it heals, and heal within the run".into());
        }
        if !(1..=1_000).contains(&self.clients) || self.think_ms == 0 || !(0.0..=1.0).contains(&self.read_fraction) {
            return Err("1 to 1,000 clients, a think time of at least 1 ms, a read fraction of 0 to 1".into());
        }
        Ok(())
    }

    /// The network and the partition, as a scenario's JSON.
    fn common(&self) -> String {
        let minority: Vec<String> = self.minority.iter().map(ToString::to_string).collect();
        format!(
            r#""nodes":{},"seed":{},"duration_ms":{},"network":{{"latency_ms":[5,10]}},"timeline":[{{"at_ms":{},"action":"partition","groups":[[{}]]}},{{"at_ms":{},"action":"heal_all"}}]"#,
            self.nodes,
            self.seed,
            self.duration_ms,
            self.split_ms.0,
            minority.join(","),
            self.split_ms.1
        )
    }

    fn stop_ms(&self) -> u64 {
        self.duration_ms.saturating_sub(DEADLINE_MS)
    }

    /// The store with `(r, w, quorum)`, its clients as configured.
    pub fn store(&self, r: u32, w: u32, quorum: &str) -> Result<CapRow, String> {
        let json = format!(
            r#"{{"version":1,"protocol":{{"store":{{"n":3,"r":{r},"w":{w},"quorum":"{quorum}","timeout_ms":200,"retries":1,"workload":{{"clients":{},"think_ms":{},"read_fraction":{},"keys":{},"stop_ms":{}}}}}}},{}}}"#,
            self.clients,
            self.think_ms,
            self.read_fraction,
            self.keys,
            self.stop_ms(),
            self.common()
        );
        let s = Scenario::from_json(&json).map_err(|e| e.to_string())?;
        let mut run: Runner<StoreNode> = Runner::build(s).map_err(|e| e.to_string())?;
        run.run_to_end();
        let f = run.observed().figures(run.sim());
        let c = &f.counts;
        Ok(CapRow {
            system: format!("store N=3 R={r} W={w} {quorum}"),
            connected: f.availability.connected,
            majority_side: f.availability.majority_side,
            minority_side: f.availability.minority_side,
            requests: c.connected.invoked + c.majority_side.invoked + c.minority_side.invoked,
            reads: c.reads,
            stale_reads: c.stale_reads,
            writes_acked: c.writes_acked,
            lost_writes: c.lost_writes,
            violations: run.violations().len(),
            linearizable: f.linearizability.clone(),
        })
    }

    /// The Raft cluster (`raft` is its protocol block), driven by the
    /// clients described above.
    pub fn raft(&self, raft: &str, system: &str) -> Result<CapRow, String> {
        let json = format!(r#"{{"version":1,"protocol":{{"raft":{raft}}},{}}}"#, self.common());
        let s = Scenario::from_json(&json).map_err(|e| e.to_string())?;
        let mut r: Runner<Raft> = Runner::build(s).map_err(|e| e.to_string())?;
        let mut d = RaftClients::new(self);
        d.run(&mut r);
        let served = |side| {
            let (inv, ans) = d.served[side as usize];
            (inv > 0).then(|| crate::stats::round3(ans as f64 / inv as f64))
        };
        Ok(CapRow {
            system: system.to_string(),
            connected: served(Side::Connected),
            majority_side: served(Side::Majority),
            minority_side: served(Side::Minority),
            requests: d.served.iter().map(|s| s.0).sum(),
            reads: d.reads,
            stale_reads: d.stale,
            writes_acked: d.acked,
            lost_writes: d.lost(&r),
            violations: r.violations().len(),
            linearizable: d.linearizability(),
        })
    }

    /// Raft (ReadIndex reads), the store with strict R = W = 2, and the
    /// store with R = W = 1: one table.
    pub fn compare(&self) -> Result<Vec<CapRow>, String> {
        self.validate()?;
        (0..ROWS).map(|i| self.row(i)).collect()
    }

    /// Row `i` of [`CapParams::compare`]'s table (the Experiments panel
    /// runs them one at a time).
    pub fn row(&self, i: usize) -> Result<CapRow, String> {
        match i {
            0 => self.raft("{}", "Raft (majority quorum, ReadIndex reads)"),
            1 => self.store(2, 2, "strict"),
            2 => self.store(1, 1, "strict"),
            _ => self.store(2, 2, "sloppy"),
        }
    }
}

#[derive(Clone, Debug)]
enum Waiting {
    Thinking(Time),
    /// Sent `id` (a write when `write`) at `node`; began at `call`.
    /// A write is answered only by a commit while `node` still leads in
    /// the term it accepted it (`term`).
    Sent {
        id: u64,
        write: bool,
        node: NodeId,
        call: Time,
        side: Side,
        index: Option<u64>,
        term: u64,
        acked_before: u64,
        /// A write's operation in the history.
        op: usize,
    },
    /// No leader in reach: ask again at `again`.
    Retry {
        write: bool,
        call: Time,
        side: Side,
        again: Time,
        acked_before: u64,
    },
}

struct RaftClients {
    p: CapParams,
    rng: Rng,
    clients: Vec<Waiting>,
    /// (invoked, answered) by side.
    served: [(u64, u64); 3],
    acked: u64,
    reads: u64,
    stale: u64,
    /// The clients' history, as a counter's.
    ops: Vec<Op<Input, Output>>,
    /// Acknowledged writes: (request id, log index).
    acked_at: Vec<(u64, u64)>,
}

impl RaftClients {
    fn new(p: &CapParams) -> Self {
        let mut rng = Rng::new(p.seed, 0xCA9);
        let clients = (0..p.clients).map(|_| Waiting::Thinking(rng.below(2 * p.think_ms * MS + 1) as Time)).collect();
        RaftClients {
            p: p.clone(),
            rng,
            clients,
            served: [(0, 0); 3],
            acked: 0,
            reads: 0,
            stale: 0,
            ops: Vec::new(),
            acked_at: Vec::new(),
        }
    }

    /// Acknowledged writes missing from the final committed log (the
    /// longest committed one among the servers up at the end), where their
    /// leader accepted them. An entry already folded into a snapshot
    /// counts as kept (State Machine Safety checks snapshots).
    fn lost(&self, r: &Runner<Raft>) -> u64 {
        let sim = r.sim();
        let Some(log) = (0..sim.len()).filter_map(|n| sim.node(n)).max_by_key(|n| n.commit_index()) else {
            return 0;
        };
        let kept = |&(id, index): &(u64, u64)| {
            index <= log.commit_index()
                && (index <= log.log().snapshot_index()
                    || log.log().get(index).is_some_and(|e| e.payload == Payload::Client(id)))
        };
        self.acked_at.iter().filter(|w| !kept(w)).count() as u64
    }

    /// The clients' history through the linearizability checker (up to
    /// the store's limit on the operations checked).
    fn linearizability(&self) -> String {
        use crate::protocols::store::observe::MAX_CHECKED_OPS;
        if self.ops.len() > MAX_CHECKED_OPS {
            return format!("not checked: {} operations (the check runs on at most {MAX_CHECKED_OPS})", self.ops.len());
        }
        match check(&Counter, &self.ops) {
            Verdict::Linearizable => format!("linearizable ({} operations)", self.ops.len()),
            Verdict::Not { op, prefix } => format!(
                "not linearizable: operation #{op} cannot be placed in any order (the best order placed {prefix} of {}); \
                 that operation was called at {:.3} s",
                self.ops.len(),
                self.ops[op].call as f64 / 1e6
            ),
        }
    }

    fn home(&self, c: usize) -> NodeId {
        c as NodeId % self.p.nodes
    }

    fn next_time(&self) -> Time {
        self.clients
            .iter()
            .map(|w| match *w {
                Waiting::Thinking(t) => t,
                Waiting::Sent { call, .. } => call + (DEADLINE_MS * MS) as Time,
                Waiting::Retry { again, .. } => again,
            })
            .min()
            .unwrap_or(Time::MAX)
    }

    fn run(&mut self, r: &mut Runner<Raft>) {
        let end = (self.p.duration_ms * MS) as Time;
        loop {
            let t = self.next_time().min(end);
            // One event at a time up to `t`, reading what each one noted.
            loop {
                let mut left = 1;
                let reached = r.run_within(t, &mut left);
                if left == 0 {
                    self.notes(r);
                }
                if reached || r.sim().halted().is_some() {
                    break;
                }
            }
            if t >= end || r.sim().halted().is_some() {
                return;
            }
            for c in 0..self.clients.len() {
                self.turn(c, r);
            }
        }
    }

    fn finish(&mut self, c: usize, side: Side, answered: bool, now: Time) {
        if answered {
            self.served[side as usize].1 += 1;
        }
        let think = self.rng.below(2 * self.p.think_ms * MS + 1) as Time;
        self.clients[c] = Waiting::Thinking(now + think);
    }

    /// Client `c`'s turn at the current instant, if due.
    fn turn(&mut self, c: usize, r: &mut Runner<Raft>) {
        let now = r.sim().now();
        let deadline = (DEADLINE_MS * MS) as Time;
        match self.clients[c].clone() {
            Waiting::Thinking(t) if t <= now => {
                if now >= (self.p.stop_ms() * MS) as Time {
                    self.clients[c] = Waiting::Thinking(Time::MAX);
                    return;
                }
                let write = !self.rng.chance(self.p.read_fraction);
                let side = Side::in_network(r.sim().network(), self.home(c));
                self.served[side as usize].0 += 1;
                if !write {
                    self.reads += 1;
                }
                self.send(c, write, now, side, self.acked, r);
            }
            Waiting::Sent { call, side, .. } if now >= call + deadline => self.finish(c, side, false, now),
            Waiting::Retry { call, side, .. } if now >= call + deadline => self.finish(c, side, false, now),
            Waiting::Retry { write, call, side, again, acked_before } if again <= now => {
                self.send(c, write, call, side, acked_before, r)
            }
            _ => {}
        }
    }

    /// Asks the client's node; on a refusal naming a reachable leader, asks
    /// that leader.
    fn send(&mut self, c: usize, write: bool, call: Time, side: Side, acked_before: u64, r: &mut Runner<Raft>) {
        let mut node = self.home(c);
        for _hop in 0..2 {
            let action = if write {
                Action::Request { node: Target::Node(node), key: None }
            } else {
                Action::Read { node: Target::Node(node), key: None }
            };
            r.act(action);
            let mut refused = None;
            let mut sent = None;
            for e in r.sim().trace().last_step() {
                if let EventKind::Note { note, node: at } = &e.kind {
                    match note {
                        RaftNote::Rejected { leader, .. } if *at == node => refused = Some(*leader),
                        RaftNote::Accepted { id, index } if *at == node => sent = Some((*id, Some(*index))),
                        RaftNote::Read { id, value, .. } if *at == node => {
                            self.read_answered(c, side, *value, acked_before, call, r.sim().now());
                            return;
                        }
                        _ => {}
                    }
                }
            }
            let term = r.sim().node(node).map_or(0, Raft::term);
            if let Some((id, index)) = sent {
                // Accepted: from now on it may take effect.
                let op = self.ops.len();
                self.ops.push(Op {
                    client: c as u32,
                    call,
                    ret: None,
                    input: Input::Increment,
                    output: Output::Unknown,
                });
                self.clients[c] = Waiting::Sent { id, write, node, call, side, index, term, acked_before, op };
                return;
            }
            match refused {
                // A read that waits (ReadIndex): its answer comes later.
                None if !write => {
                    let id = r.last_read_id();
                    let op = usize::MAX;
                    self.clients[c] =
                        Waiting::Sent { id, write, node, call, side, index: None, term, acked_before, op };
                    return;
                }
                Some(Some(l)) if r.sim().node(l).is_some() && r.sim().network().blocked(self.home(c), l).is_none() => {
                    node = l;
                }
                _ => break,
            }
        }
        let again = r.sim().now() + (RETRY_MS * MS) as Time;
        self.clients[c] = Waiting::Retry { write, call, side, again, acked_before };
    }

    fn read_answered(&mut self, c: usize, side: Side, value: u64, acked_before: u64, call: Time, now: Time) {
        self.ops.push(Op { client: c as u32, call, ret: Some(now), input: Input::Read, output: Output::Value(value) });
        if value < acked_before {
            self.stale += 1;
        }
        self.finish(c, side, true, now);
    }

    /// Commits and read answers in the step just run.
    fn notes(&mut self, r: &Runner<Raft>) {
        let now = r.sim().now();
        for e in r.sim().trace().last_step() {
            let EventKind::Note { note, node } = &e.kind else { continue };
            for c in 0..self.clients.len() {
                let Waiting::Sent { id, write, node: at, side, index, term, acked_before, op, call } = self.clients[c]
                else {
                    continue;
                };
                let leads = r.sim().node(at).is_some_and(|n| n.role() == Role::Leader && n.term() == term);
                if at != *node || (write && !leads) {
                    continue;
                }
                match note {
                    RaftNote::Commit { index: i } if write && index.is_some_and(|x| x <= *i) => {
                        self.acked += 1;
                        self.acked_at.extend(index.map(|x| (id, x)));
                        self.ops[op].ret = Some(now);
                        self.ops[op].output = Output::Ok;
                        self.finish(c, side, true, now);
                    }
                    RaftNote::Read { id: rid, value, .. } if !write && *rid == id => {
                        self.read_answered(c, side, *value, acked_before, call, now);
                    }
                    _ => {}
                }
            }
        }
    }
}
