//! Runs a scenario: the simulator, its timeline, steady client load, and the
//! invariant checker after every step.

use super::observe::{Figures, Observed};
use super::{Action, Scenario, ScenarioError, Target, TimedAction};
use crate::protocols::raft::invariants::RaftChecker;
use crate::protocols::raft::{cluster, Cmd, Note, Raft, Role};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::network::DropReason;
use crate::sim::rng::{Rng, DRIVER_STREAM};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use serde::Serialize;

/// Counts over a run, read off the trace.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub events: u64,
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub dropped_loss: u64,
    pub dropped_link_down: u64,
    pub dropped_partitioned: u64,
    pub dropped_node_down: u64,
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

impl Metrics {
    fn observe(&mut self, sim: &Sim<Raft>) {
        for e in sim.trace().last_step() {
            self.events += 1;
            match &e.kind {
                EventKind::Send { .. } | EventKind::Duplicate { .. } => self.messages_sent += 1,
                EventKind::Deliver { .. } => self.messages_delivered += 1,
                EventKind::Drop { reason, .. } => {
                    self.messages_dropped += 1;
                    match reason {
                        DropReason::Loss => self.dropped_loss += 1,
                        DropReason::LinkDown => self.dropped_link_down += 1,
                        DropReason::Partitioned => self.dropped_partitioned += 1,
                        DropReason::NodeDown => self.dropped_node_down += 1,
                    }
                }
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

/// One trace event in readable form, for event logs.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub index: u64,
    pub time: Time,
    pub kind: &'static str,
    pub nodes: Vec<u32>,
    /// The event's stable text form, without its time.
    pub text: String,
    /// For drops: the link.
    pub dropped: Option<(u32, u32)>,
}

impl Logged {
    fn of(e: &crate::sim::trace::Event<Raft>) -> Self {
        let full = e.to_string();
        let text = full.split_once(' ').map_or(full.as_str(), |(_, rest)| rest).to_string();
        let dropped = match e.kind {
            EventKind::Drop { from, to, .. } => Some((from, to)),
            _ => None,
        };
        Logged { index: e.index, time: e.time, kind: e.kind_name(), nodes: e.nodes(), text, dropped }
    }
}

/// The result of running a scenario to its end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    pub seed: u64,
    pub trace_hash: String,
    pub violations: Vec<Violation>,
    pub metrics: Metrics,
    pub figures: Figures,
}

/// A scenario in progress. Cloning it is a checkpoint: logs and checker
/// state share storage until written.
#[derive(Clone)]
pub struct Runner {
    pub scenario: Scenario,
    sim: Sim<Raft>,
    checker: RaftChecker,
    violations: Vec<Violation>,
    metrics: Metrics,
    observed: Observed,
    driver: Rng,
    next_action: usize,
    client_interval: Option<Time>,
    next_client: Time,
    next_request_id: u64,
    next_read_id: u64,
    reads: bool,
    log: Option<Vec<Logged>>,
    /// Trace length already checked, so a step is never counted twice.
    seen: u64,
}

impl Runner {
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        Self::with_checker(scenario, RaftChecker::default())
    }

    /// A runner that checks only what `checker` checks.
    pub fn with_checker(scenario: Scenario, checker: RaftChecker) -> Result<Self, ScenarioError> {
        scenario.validate()?;
        let cfg = scenario.raft_config()?;
        let link = scenario.network.to_config().map_err(ScenarioError)?;
        let mut sim = Sim::new(cfg, scenario.nodes, scenario.seed, link);
        for l in &scenario.links {
            sim.set_link(l.from, l.to, l.link.to_config().map_err(ScenarioError)?);
        }
        let client_interval = scenario.client.as_ref().map(|c| ((c.interval_ms * 1000.0).round() as Time).max(10));
        let reads = scenario.client.as_ref().is_some_and(|c| c.reads);
        let mut runner = Runner {
            driver: Rng::new(scenario.seed, DRIVER_STREAM),
            scenario,
            sim,
            checker,
            violations: Vec::new(),
            metrics: Metrics::default(),
            observed: Observed::default(),
            next_action: 0,
            next_client: client_interval.unwrap_or(0),
            client_interval,
            next_request_id: 1,
            next_read_id: 1,
            reads: false,
            log: None,
            seen: 0,
        };
        runner.reads = reads;
        runner.after_step();
        Ok(runner)
    }

    pub fn sim(&self) -> &Sim<Raft> {
        &self.sim
    }

    /// The series behind the metrics panel.
    pub fn observed(&self) -> &Observed {
        &self.observed
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The metrics so far (the highest term is read off the nodes now).
    pub fn metrics(&self) -> Metrics {
        Metrics { max_term: cluster::max_term(&self.sim), ..self.metrics.clone() }
    }

    fn after_step(&mut self) {
        if self.sim.trace().len() == self.seen {
            return; // nothing happened (e.g. restarting a node that is up)
        }
        self.seen = self.sim.trace().len();
        self.checker.check(&self.sim, &mut self.violations);
        self.metrics.observe(&self.sim);
        self.observed.observe(&self.sim);
        if let Some(log) = &mut self.log {
            log.extend(self.sim.trace().last_step().iter().map(Logged::of));
        }
    }

    /// Keep every event, in readable form, from now on (from the start, if
    /// called before anything ran).
    pub fn record(&mut self, on: bool) {
        self.log = on.then(|| {
            let step = self.sim.trace().last_step();
            if self.sim.trace().len() == step.len() as u64 {
                step.iter().map(Logged::of).collect()
            } else {
                Vec::new()
            }
        });
    }

    pub fn is_recording(&self) -> bool {
        self.log.is_some()
    }

    /// Takes the events recorded so far (empty unless recording).
    pub fn take_log(&mut self) -> Vec<Logged> {
        self.log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The stable text form of the events recorded so far.
    pub fn text(&self) -> Vec<String> {
        self.log.as_deref().unwrap_or(&[]).iter().map(|l| format!("{} {}", l.time, l.text)).collect()
    }

    /// How many timeline actions have run.
    pub fn next_action(&self) -> usize {
        self.next_action
    }

    /// Drops every timeline action that has not run yet (a fork).
    pub fn drop_future(&mut self) {
        self.scenario.timeline.truncate(self.next_action);
    }

    /// Runs up to the next instant at which anything happens.
    pub fn step_one(&mut self) {
        let action_at = self.scenario.timeline.get(self.next_action).map(|a| a.at.us());
        let client_at = self.client_interval.map(|_| self.next_client);
        let next = [self.sim.next_event_time(), action_at, client_at].into_iter().flatten().min();
        if let Some(t) = next {
            self.run_until(t);
        }
    }

    /// Runs every event, action and client request at or before `t`.
    pub fn run_until(&mut self, t: Time) {
        loop {
            let action_at = self.scenario.timeline.get(self.next_action).map(|a| a.at.us());
            let client_at = self.client_interval.map(|_| self.next_client);
            let next = [action_at, client_at].into_iter().flatten().min().filter(|x| *x <= t);
            let horizon = next.unwrap_or(t);
            while self.sim.next_event_time().is_some_and(|e| e <= horizon) {
                self.sim.step();
                self.after_step();
            }
            self.sim.run_until(horizon);
            let Some(at) = next else { break };
            if action_at == Some(at) {
                let action = self.scenario.timeline[self.next_action].action.clone();
                self.next_action += 1;
                self.apply(&action);
            } else {
                self.next_client += self.client_interval.unwrap_or(1);
                self.client_request(Target::Leader);
                if self.reads {
                    self.client_read(Target::Leader);
                }
            }
        }
    }

    /// Runs to the scenario's end.
    pub fn run_to_end(&mut self) {
        self.run_until(self.scenario.duration_ms.us());
    }

    /// Applies an action now and records it in the timeline, as a person's
    /// action in the playground is recorded.
    pub fn act(&mut self, action: Action) {
        let at = super::Millis(self.sim.now());
        self.scenario.timeline.insert(self.next_action, TimedAction { at, action: action.clone() });
        self.next_action += 1;
        self.apply(&action);
    }

    fn resolve(&self, t: Target) -> Option<u32> {
        match t {
            Target::Node(n) => Some(n),
            Target::Leader => cluster::leader(&self.sim),
        }
    }

    fn client_request(&mut self, to: Target) {
        // With no leader known, the request goes to a random server and is refused.
        let node = self.resolve(to).unwrap_or_else(|| self.driver.below(u64::from(self.sim.len())) as u32);
        let id = self.next_request_id;
        self.next_request_id += 1;
        self.sim.command(node, Cmd::Request(id));
        self.after_step();
    }

    fn client_read(&mut self, to: Target) {
        let node = self.resolve(to).unwrap_or_else(|| self.driver.below(u64::from(self.sim.len())) as u32);
        let id = self.next_read_id;
        self.next_read_id += 1;
        self.sim.command(node, Cmd::Read(id));
        self.after_step();
    }

    /// A command for the leader; dropped when there is none.
    fn command_leader(&mut self, cmd: Cmd) {
        if let Some(l) = cluster::leader(&self.sim) {
            self.sim.command(l, cmd);
            self.after_step();
        }
    }

    fn apply(&mut self, action: &Action) {
        let target = match *action {
            Action::Crash { node } | Action::Pause { node } | Action::Isolate { node } => match self.resolve(node) {
                Some(n) => n,
                None => return,
            },
            _ => 0,
        };
        let sim = &mut self.sim;
        match *action {
            Action::Request { node } => return self.client_request(node),
            Action::Read { node } => return self.client_read(node),
            Action::Crash { .. } => sim.crash(target),
            Action::Pause { .. } => sim.pause(target),
            Action::Isolate { .. } => sim.isolate(target),
            Action::Restart { node } => sim.restart(node),
            Action::Resume { node } => sim.resume(node),
            Action::Cut { from, to, both } => {
                sim.cut(from, to);
                self.after_step();
                if both {
                    self.sim.cut(to, from);
                }
            }
            Action::Heal { a, b } => sim.heal(a, b),
            Action::Partition { ref groups } => sim.partition(groups.clone()),
            Action::HealAll => sim.heal_all(),
            Action::SetLink { from, to, ref link } => match link.to_config() {
                Ok(cfg) => sim.set_link(from, to, cfg),
                Err(_) => return,
            },
            Action::Skew { node, offset_ms, drift_ppm } => {
                sim.skew(node, (offset_ms * 1000.0).round() as i64, drift_ppm)
            }
            Action::Transfer { to } => return self.command_leader(Cmd::TransferLeadership(to)),
            Action::Campaign { node } => sim.command(node, Cmd::Campaign),
            Action::AddServer { node } => return self.command_leader(Cmd::AddServer(node)),
            Action::RemoveServer { node } => return self.command_leader(Cmd::RemoveServer(node)),
        }
        self.after_step();
    }

    pub fn report(&self) -> RunReport {
        let metrics = self.metrics();
        RunReport {
            seed: self.scenario.seed,
            trace_hash: format!("{:016x}", self.sim.trace().hash()),
            violations: self.violations.clone(),
            metrics,
            figures: Figures::of(&self.observed, self.sim.now()),
        }
    }
}
