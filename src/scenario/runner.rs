//! Runs a scenario of any protocol: the simulator, its timeline, steady
//! client load, the protocol's checker after every step, and its observer.

use super::log::{EventLog, Logged, Marked};
use super::Registered;
use super::{Action, Scenario, ScenarioError, Target, TimedAction};
use crate::contract::{Counts, Observer, Route};
use crate::protocols::raft::Raft;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::network::DropReason;
use crate::sim::rng::{Rng, DRIVER_STREAM};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use serde::Serialize;

/// Counts over a run: the trace's own, and the protocol's (`protocol`,
/// flattened into the same JSON object).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics<C> {
    pub events: u64,
    pub messages_sent: u64,
    pub messages_delivered: u64,
    pub messages_dropped: u64,
    pub dropped_loss: u64,
    pub dropped_link_down: u64,
    pub dropped_partitioned: u64,
    pub dropped_node_down: u64,
    #[serde(flatten)]
    pub protocol: C,
}

impl<C: Counts> Metrics<C> {
    fn observe<P: Registered>(&mut self, sim: &Sim<P>) {
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
                _ => {}
            }
        }
    }

    /// Adds another run's counts (for totals over seeds).
    pub fn merge(&mut self, m: &Self) {
        self.events += m.events;
        self.messages_sent += m.messages_sent;
        self.messages_delivered += m.messages_delivered;
        self.messages_dropped += m.messages_dropped;
        self.dropped_loss += m.dropped_loss;
        self.dropped_link_down += m.dropped_link_down;
        self.dropped_partitioned += m.dropped_partitioned;
        self.dropped_node_down += m.dropped_node_down;
        self.protocol.merge(&m.protocol);
    }
}

/// The result of running a scenario to its end.
#[derive(Clone, Debug, Serialize)]
#[serde(bound = "")]
pub struct RunReport<P: Registered> {
    pub seed: u64,
    pub trace_hash: String,
    pub violations: Vec<Violation>,
    pub metrics: Metrics<<P::Observer as Observer<P>>::Counts>,
    pub figures: <P::Observer as Observer<P>>::Figures,
    /// The cap the run reached, if it stopped before its end (`null` if it
    /// ran to the end).
    pub stopped: Option<Stopped>,
    /// The scenario's alerts that fired (absent when it declares none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<super::alerts::Fired>,
}

/// A run that stopped at one of the simulator's caps (`crate::sim::limits`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stopped {
    /// `messages_in_flight` or `events_per_ms`.
    pub cap: &'static str,
    pub limit: u64,
    /// The simulated instant, in microseconds.
    pub at_us: Time,
    pub message: String,
}

impl Stopped {
    pub fn of(h: crate::sim::limits::Halt) -> Self {
        Stopped { cap: h.name(), limit: h.limit, at_us: h.at, message: h.to_string() }
    }
}

/// A scenario in progress. Cloning it is a checkpoint: logs and checker
/// state share storage until written.
#[derive(Clone)]
pub struct Runner<P: Registered> {
    pub scenario: Scenario,
    sim: Sim<P>,
    checker: P::Checker,
    violations: Vec<Violation>,
    metrics: Metrics<<P::Observer as Observer<P>>::Counts>,
    observed: P::Observer,
    driver: Rng,
    next_action: usize,
    client_interval: Option<Time>,
    next_client: Time,
    next_request_id: u64,
    next_read_id: u64,
    reads: bool,
    log: Option<EventLog<P>>,
    alerts: super::alerts::Alerts,
    /// Trace length already checked, so a step is never counted twice.
    seen: u64,
}

impl Runner<Raft> {
    /// A Raft runner (most callers; see [`Runner::build`] for any protocol).
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        Self::build(scenario)
    }
}

impl<P: Registered> Runner<P> {
    /// A runner for the scenario, checking every property of its protocol.
    pub fn build(scenario: Scenario) -> Result<Self, ScenarioError> {
        let checker = scenario.checker::<P>();
        Self::with_checker(scenario, checker)
    }

    /// A runner that checks only what `checker` checks.
    pub fn with_checker(scenario: Scenario, checker: P::Checker) -> Result<Self, ScenarioError> {
        scenario.validate()?;
        let cfg = scenario.config::<P>()?;
        let link = scenario.network.to_config().map_err(ScenarioError::Invalid)?;
        let mut sim = Sim::new(cfg, scenario.nodes, scenario.seed, link);
        sim.set_storage(scenario.storage_us().map_err(ScenarioError::Invalid)?);
        if !scenario.regions.is_empty() {
            let between = scenario.inter_region_link().to_config().map_err(ScenarioError::Invalid)?;
            let regions = scenario.regions();
            for a in 0..scenario.nodes {
                for b in (0..scenario.nodes).filter(|&b| regions.of(a) != regions.of(b)) {
                    sim.set_link(a, b, between);
                }
            }
        }
        for l in &scenario.links {
            sim.set_link(l.from, l.to, l.link.to_config().map_err(ScenarioError::Invalid)?);
        }
        if scenario.scripted {
            sim.set_scripted();
        }
        let client_interval = scenario.client.as_ref().map(|c| ((c.interval_ms * 1000.0).round() as Time).max(10));
        let reads = scenario.client.as_ref().is_some_and(|c| c.reads);
        let alerts = super::alerts::Alerts::new(&scenario.alerts);
        let mut runner = Runner {
            driver: Rng::new(scenario.seed, DRIVER_STREAM),
            scenario,
            sim,
            checker,
            violations: Vec::new(),
            metrics: Metrics::default(),
            observed: P::Observer::default(),
            next_action: 0,
            next_client: client_interval.unwrap_or(0),
            client_interval,
            next_request_id: 1,
            next_read_id: 1,
            reads: false,
            log: None,
            alerts,
            seen: 0,
        };
        runner.reads = reads;
        runner.after_step();
        Ok(runner)
    }

    /// Keeps a sample of at most `cap` messages in flight for drawing
    /// (see [`Sim::sample_in_flight`]); the trace is the same either way.
    pub fn sample_in_flight(&mut self, cap: usize) {
        self.sim.sample_in_flight(cap);
    }

    /// Refills the sample of messages in flight if it missed some (see
    /// [`Sim::refresh_sample`]), walking a queue of at most 20,000 events.
    pub fn refresh_sample(&mut self) {
        self.sim.refresh_sample(20_000);
    }

    pub fn sim(&self) -> &Sim<P> {
        &self.sim
    }

    /// The series behind the metrics panel.
    pub fn observed(&self) -> &P::Observer {
        &self.observed
    }

    /// The alerts that fired so far.
    pub fn alerts(&self) -> &[super::alerts::Fired] {
        self.alerts.fired()
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The metrics so far.
    pub fn metrics(&self) -> Metrics<<P::Observer as Observer<P>>::Counts> {
        Metrics { protocol: self.observed.counts(&self.sim), ..self.metrics.clone() }
    }

    fn after_step(&mut self) {
        if self.sim.trace().len() == self.seen {
            return; // nothing happened (e.g. restarting a node that is up)
        }
        self.seen = self.sim.trace().len();
        self.checker.check(&self.sim, &mut self.violations);
        self.metrics.observe(&self.sim);
        self.observed.observe(&self.sim);
        if !self.alerts.is_empty() {
            self.alerts.observe(&self.sim, &self.violations, &self.observed);
        }
        if let Some(log) = &mut self.log {
            self.sim.trace().last_step().iter().for_each(|e| log.push(e));
        }
    }

    /// Keep every event, in readable form, from now on (from the start, if
    /// called before anything ran).
    pub fn record(&mut self, on: bool) {
        self.log = None;
        if on {
            self.record_tail(None);
        }
    }

    /// Keep the last `cap` events of each kind, chatty and notable (see
    /// [`Logged::chatty`]), and every mark, until taken; `None` keeps every
    /// event. What a page keeps: it shows only the recent past.
    pub fn record_tail(&mut self, cap: Option<usize>) {
        let mut log = EventLog::new(cap);
        let step = self.sim.trace().last_step();
        if self.sim.trace().len() == step.len() as u64 {
            step.iter().for_each(|e| log.push(e));
        }
        self.log = Some(log);
    }

    /// What [`Runner::record_tail`] was given, if recording.
    pub fn log_cap(&self) -> Option<Option<usize>> {
        self.log.as_ref().map(EventLog::cap)
    }

    /// Whether to keep the routine traffic while recording (sends,
    /// deliveries, timers; the rarer events and the marks are always
    /// kept): off while catching up to a later instant.
    pub fn keep_events(&mut self, on: bool) {
        if let Some(log) = &mut self.log {
            log.keep(on);
        }
    }

    /// Takes the instants worth a mark seen so far, leaving the events.
    pub fn take_marks(&mut self) -> Vec<Marked> {
        self.log.as_mut().map(EventLog::take_marks).unwrap_or_default()
    }

    /// Takes the events kept so far (empty unless recording).
    pub fn take_log(&mut self) -> Vec<Logged> {
        self.take_log_and_marks().0
    }

    /// Takes the events kept so far and the instants worth a mark.
    pub fn take_log_and_marks(&mut self) -> (Vec<Logged>, Vec<Marked>) {
        self.log.as_mut().map(EventLog::take).unwrap_or_default()
    }

    /// The stable text form of the events kept so far.
    pub fn text(&self) -> Vec<String> {
        self.log.as_ref().map(EventLog::text).unwrap_or_default()
    }

    /// How many timeline actions have run.
    pub fn next_action(&self) -> usize {
        self.next_action
    }

    /// The id the last client read was given (0: none yet).
    pub fn last_read_id(&self) -> u64 {
        self.next_read_id - 1
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

    /// Runs every event, action and client request at or before `t` (or
    /// until the run stops at a cap).
    pub fn run_until(&mut self, t: Time) {
        self.run_within(t, &mut u64::MAX.clone());
    }

    /// As [`Runner::run_until`], but processes at most `budget` events,
    /// taking them from it; returns whether it reached `t`. What a frame runs, so a storm slows
    /// the page's clock instead of freezing it; the events are the same
    /// ones, in the same order, however they are split into calls.
    pub fn run_within(&mut self, t: Time, left: &mut u64) -> bool {
        loop {
            if self.sim.halted().is_some() {
                return false;
            }
            let action_at = self.scenario.timeline.get(self.next_action).map(|a| a.at.us());
            let client_at = self.client_interval.map(|_| self.next_client);
            let next = [action_at, client_at].into_iter().flatten().min().filter(|x| *x <= t);
            let horizon = next.unwrap_or(t);
            while self.sim.next_event_time().is_some_and(|e| e <= horizon) {
                if *left == 0 {
                    return false;
                }
                *left -= 1;
                self.sim.step();
                self.after_step();
            }
            if self.sim.halted().is_some() {
                return false;
            }
            self.sim.run_until(horizon);
            let Some(at) = next else { return true };
            // At one instant, the client's request comes before an action:
            // a person acts after everything due at the instant they act,
            // so an action made by hand replays as it was made.
            if action_at == Some(at) && client_at != Some(at) {
                let action = self.scenario.timeline[self.next_action].action.clone();
                self.next_action += 1;
                self.apply(&action);
            } else {
                self.next_client += self.client_interval.unwrap_or(1);
                self.client_request(Target::Leader, None);
                if self.reads {
                    self.client_read(Target::Leader, None);
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

    /// Applies an action now without recording it: a step of the
    /// exhaustive explorer, whose path becomes the timeline afterwards.
    pub fn perform(&mut self, action: &Action) {
        self.apply(action);
    }

    fn resolve(&self, t: Target) -> Option<u32> {
        match t {
            Target::Node(n) => Some(n),
            Target::Leader => P::leader(&self.sim),
        }
    }

    /// A command to `to`; with no such node (no leader), a random one, which
    /// refuses it as a real server would.
    fn command_to(&mut self, to: Target, cmd: P::Cmd) {
        let node = self.resolve(to).unwrap_or_else(|| self.driver.below(u64::from(self.sim.len())) as u32);
        self.sim.command(node, cmd);
        self.after_step();
    }

    fn client_request(&mut self, to: Target, key: Option<u32>) {
        let id = self.next_request_id;
        self.next_request_id += 1;
        if let Some(cmd) = P::request(id, key) {
            self.command_to(to, cmd);
        }
    }

    fn client_read(&mut self, to: Target, key: Option<u32>) {
        let id = self.next_read_id;
        self.next_read_id += 1;
        if let Some(cmd) = P::read(id, key) {
            self.command_to(to, cmd);
        }
    }

    fn apply(&mut self, action: &Action) {
        if let Some((route, cmd)) = P::command(action) {
            match route {
                Route::To(Target::Node(n)) => {
                    self.sim.command(n, cmd);
                    self.after_step();
                }
                Route::To(t) => self.command_to(t, cmd),
                Route::Leader => {
                    if let Some(l) = P::leader(&self.sim) {
                        self.sim.command(l, cmd);
                        self.after_step();
                    }
                }
            }
            return;
        }
        let target = match *action {
            Action::Crash { node } | Action::Pause { node } | Action::Isolate { node } => match self.resolve(node) {
                Some(n) => n,
                None => return,
            },
            _ => 0,
        };
        let sim = &mut self.sim;
        match *action {
            Action::Request { node, key } => return self.client_request(node, key),
            Action::Read { node, key } => return self.client_read(node, key),
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
            Action::SetNetwork { ref link } => match link.to_config() {
                Ok(cfg) => sim.set_network(cfg),
                Err(_) => return,
            },
            Action::Skew { node, offset_ms, drift_ppm } => {
                sim.skew(node, (offset_ms * 1000.0).round() as i64, drift_ppm)
            }
            // A scripted run's steps; one that finds nothing to act on
            // does nothing.
            Action::Deliver { from, to, nth } => match sim.held_index(from, to, nth) {
                Some(i) if sim.deliver_held(i) => {}
                _ => return,
            },
            Action::Drop { from, to, nth } => match sim.held_index(from, to, nth) {
                Some(i) if sim.drop_held(i) => {}
                _ => return,
            },
            // A region-wide fault is its nodes' faults, one after another.
            Action::RegionDown { .. } | Action::RegionUp { .. } | Action::SplitRegions { .. } => {
                for a in self.scenario.region_faults(action) {
                    self.apply(&a);
                }
                return;
            }
            Action::Fire { node, ref timer } => {
                let Some(t) = sim.timers(node).find(|t| t.to_string() == *timer) else { return };
                if !sim.fire(node, t) {
                    return;
                }
            }
            // Commands of a protocol that does not take them: validation
            // refuses them in a scenario, so only a bug gets here.
            Action::Transfer { .. }
            | Action::Campaign { .. }
            | Action::AddServer { .. }
            | Action::RemoveServer { .. } => return,
        }
        self.after_step();
    }

    pub fn report(&self) -> RunReport<P> {
        RunReport {
            seed: self.scenario.seed,
            trace_hash: format!("{:016x}", self.sim.trace().hash()),
            violations: self.violations.clone(),
            metrics: self.metrics(),
            figures: self.observed.figures(&self.sim),
            stopped: self.sim.halted().map(Stopped::of),
            alerts: self.alerts.fired().to_vec(),
        }
    }
}
