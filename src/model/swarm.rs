//! The gossip playground's model: a large group running epidemic
//! dissemination or SWIM, the charts' data, and the actions a person takes.
//! No Yew here; the canvas view only draws this.

use crate::protocols::gossip::{Exchange, Gossip, GossipConfig, LossOfInterest, Mode, SiteState};
use crate::protocols::swim::{Status, Swim, SwimConfig, TargetSelection};
use crate::scenario::{codec, ScenarioError};
use crate::sim::network::{Latency, LinkConfig};
use crate::sim::{NodeId, NodeStatus, Sim, Time};
use serde::{Deserialize, Serialize};

/// Which protocol the group runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwarmKind {
    Epidemic(GossipConfig),
    Swim(SwimConfig),
}

/// A preset: a name, an explanation, and the set-up.
pub struct SwarmPreset {
    pub id: &'static str,
    pub name: &'static str,
    pub explain: &'static str,
    pub kind: fn() -> SwarmKind,
    pub loss: f64,
    /// For SWIM: crash this many members at 3 s.
    pub crash: u32,
}

fn rumor(k: u32, exchange: Exchange) -> SwarmKind {
    SwarmKind::Epidemic(GossipConfig {
        nodes: 2000,
        mode: Mode::Rumor,
        exchange,
        interest: LossOfInterest { feedback: true, counter: true, k },
        ..GossipConfig::default()
    })
}

fn swim(suspicion: bool) -> SwarmKind {
    SwarmKind::Swim(SwimConfig {
        nodes: 300,
        suspicion_us: suspicion.then_some(5_000_000),
        target: TargetSelection::RoundRobin,
        ..SwimConfig::default()
    })
}

pub const SWARM_PRESETS: &[SwarmPreset] = &[
    SwarmPreset {
        id: "rumor-k1",
        name: "Rumor mongering, k = 1",
        explain: "2,000 sites; each infective site pushes the rumor to one random site per cycle and loses interest the first time it reaches a site that already knew. It spreads fast, then dies out early: about 18% of sites never hear it (Demers et al., Table 1).",
        kind: || rumor(1, Exchange::Push),
        loss: 0.0,
        crash: 0,
    },
    SwarmPreset {
        id: "rumor-k4",
        name: "Rumor mongering, k = 4",
        explain: "The same, but a site gives up only after four unnecessary contacts. It costs about three times the messages, and leaves almost nobody out (residue near e^-traffic).",
        kind: || rumor(4, Exchange::Push),
        loss: 0.0,
        crash: 0,
    },
    SwarmPreset {
        id: "push",
        name: "Anti-entropy: push",
        explain: "Every site that has the update pushes it to a random partner every cycle. Fast at first; slow at the end, because the last susceptible sites are rarely picked.",
        kind: || SwarmKind::Epidemic(GossipConfig { nodes: 2000, mode: Mode::AntiEntropy, exchange: Exchange::Push, ..GossipConfig::default() }),
        loss: 0.0,
        crash: 0,
    },
    SwarmPreset {
        id: "pull",
        name: "Anti-entropy: pull",
        explain: "Every site asks a random partner for updates every cycle. Slow at first (few sites have it), very fast at the end: the chance of staying uninformed squares each cycle.",
        kind: || SwarmKind::Epidemic(GossipConfig { nodes: 2000, mode: Mode::AntiEntropy, exchange: Exchange::Pull, ..GossipConfig::default() }),
        loss: 0.0,
        crash: 0,
    },
    SwarmPreset {
        id: "push-pull",
        name: "Anti-entropy: push-pull",
        explain: "Both at once: fast at the start and at the end. 2,000 sites converge in about a dozen cycles.",
        kind: || SwarmKind::Epidemic(GossipConfig { nodes: 2000, mode: Mode::AntiEntropy, exchange: Exchange::PushPull, ..GossipConfig::default() }),
        loss: 0.0,
        crash: 0,
    },
    SwarmPreset {
        id: "swim-crash",
        name: "SWIM detecting a crash",
        explain: "300 members probe each other once a period. At 3 s member n7 crashes: its next prober gets no ack, asks three others to try, and marks it suspect; five periods later it is declared failed, and the news rides on pings to everyone.",
        kind: || swim(true),
        loss: 0.0,
        crash: 1,
    },
    SwarmPreset {
        id: "swim-loss-basic",
        name: "SWIM under 20% loss, no suspicion",
        explain: "With one message in five lost, a healthy member often misses a probe and all its indirect probes, and the basic protocol declares it failed at once; a failed member never comes back. Measured with `splitbrain swim --nodes 300 --loss 0.2 --no-suspicion`: about 10% of the live members still standing are declared failed each period, so within 20 periods most of the group is red.",
        kind: || swim(false),
        loss: 0.2,
        crash: 0,
    },
    SwarmPreset {
        id: "swim-loss-suspicion",
        name: "SWIM under 20% loss, with suspicion",
        explain: "The same loss with suspicion on: a missed probe only makes a member suspect (amber); if it hears the rumor about itself in time it refutes it with a higher incarnation. At 20% loss the rumors themselves are often lost, so suspicion only slows the damage (about 6% per period instead of 10%, `splitbrain swim --nodes 300 --loss 0.2`); at 10% loss it cuts false positives tenfold (0.13% instead of 1.3%). Set the loss to 0.1 and compare.",
        kind: || swim(true),
        loss: 0.2,
        crash: 0,
    },
];

/// A fault a person applied, recorded at the simulated time it happened.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SwarmStep {
    Kill { node: NodeId },
    Pause { node: NodeId },
    Resume { node: NodeId },
    Split,
    HealAll,
    SetLoss { loss: f64 },
}

/// A gossip run as a link carries it: the set-up and what was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwarmScenario {
    pub version: u32,
    pub preset: String,
    pub kind: SwarmKind,
    pub seed: u64,
    pub loss: f64,
    pub crash: u32,
    pub timeline: Vec<(Time, SwarmStep)>,
}

enum Group {
    Epidemic(Sim<Gossip>),
    Swim(Sim<Swim>),
}

/// What a node looks like on the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Susceptible,
    Infective,
    Removed,
    Alive,
    Suspect,
    Failed,
    Crashed,
    Paused,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SwarmAction {
    Tick {
        wall_ms: f64,
    },
    TogglePlay,
    SetSpeed(f64),
    Preset(&'static str),
    Reset,
    Kill(NodeId),
    /// Freeze a node (its timers and messages wait), or unfreeze it.
    Pause(NodeId),
    Resume(NodeId),
    /// Cut the group in two halves (by id).
    Split,
    HealAll,
    SetLoss(f64),
    Select(Option<NodeId>),
    ToggleFlashes,
    /// SWIM: whose view colours the nodes (None: the majority view).
    Observer(Option<NodeId>),
    /// Text being typed into the loss field.
    LossText(String),
    /// Run the epidemic with these parameters (from the form).
    Configure {
        nodes: u32,
        mode: Mode,
        exchange: Exchange,
        k: u32,
        fanout: u32,
    },
    /// Text being typed into a parameter field.
    Field(&'static str, String),
    /// Download the run as JSON: carried out by the view, at click time.
    Export,
    /// Make a link that replays this run to now.
    Share,
    CloseShare,
    /// Time travel: go to a simulated instant of this run (replayed).
    Seek(Time),
    /// Load an exported gossip run (JSON); errors keep the current run.
    Import(String),
    /// Restore an autosave (a link fragment); ignored if bad.
    Restore(String),
    /// Open a shared run (`g=<payload>&t=<µs>`); a bad link is reported and
    /// the current run kept.
    OpenLink(String),
    /// Run this much simulated time (µs) and pause.
    Advance(Time),
    ShowError(String),
}

pub struct Swarm {
    pub preset: &'static str,
    pub kind: SwarmKind,
    pub loss: f64,
    /// The loss the run started with (later changes are in `recorded`).
    initial_loss: f64,
    pub seed: u64,
    group: Group,
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<NodeId>,
    pub observer: Option<NodeId>,
    pub flashes: bool,
    pub error: Option<String>,
    pub loss_text: Option<String>,
    /// Text being typed into the parameter fields.
    pub fields: std::collections::BTreeMap<&'static str, String>,
    /// Update messages sent so far (epidemic traffic).
    pub traffic: u64,
    /// What a person did, for share links.
    pub recorded: Vec<(Time, SwarmStep)>,
    /// The fragment (without `#`) of the last share link made.
    pub share: Option<String>,
    /// The furthest time this run has reached (the scrubber's range).
    pub end: Time,
    /// Per cycle: fraction informed (epidemic) and update messages sent.
    pub informed: Vec<f64>,
    pub messages: Vec<u64>,
    /// SWIM: (member, crash time, first detection, everyone knows).
    pub detections: Vec<(NodeId, Time, Option<Time>, Option<Time>)>,
    /// SWIM: live members that someone wrongly declared failed so far.
    pub false_positives: u32,
    wrongly_failed: Vec<bool>,
    crash_pending: u32,
    sent_this_cycle: u64,
    last_wall: Option<f64>,
    carry: f64,
}

impl Swarm {
    pub fn new(preset: &'static str, seed: u64) -> Self {
        let p = SWARM_PRESETS.iter().find(|p| p.id == preset).unwrap_or(&SWARM_PRESETS[0]);
        let kind = (p.kind)();
        let mut s = Swarm {
            preset: p.id,
            group: Self::build(&kind, seed, p.loss),
            kind,
            loss: p.loss,
            initial_loss: p.loss,
            seed,
            playing: true,
            speed: 1.0,
            selected: None,
            observer: None,
            flashes: true,
            error: None,
            loss_text: None,
            fields: std::collections::BTreeMap::new(),
            traffic: 0,
            recorded: Vec::new(),
            share: None,
            end: 0,
            informed: vec![],
            messages: vec![],
            detections: vec![],
            false_positives: 0,
            wrongly_failed: Vec::new(),
            crash_pending: p.crash,
            sent_this_cycle: 0,
            last_wall: None,
            carry: 0.0,
        };
        s.informed.push(s.fraction_informed());
        s
    }

    fn build(kind: &SwarmKind, seed: u64, loss: f64) -> Group {
        let link = LinkConfig { latency: Latency::Uniform { min_us: 20_000, max_us: 120_000 }, loss, dup: 0.0 };
        match kind {
            SwarmKind::Epidemic(c) => Group::Epidemic(Sim::new(c.clone(), c.nodes, seed, link)),
            SwarmKind::Swim(c) => Group::Swim(Sim::new(c.clone(), c.nodes, seed, link)),
        }
    }

    pub fn nodes(&self) -> u32 {
        match &self.group {
            Group::Epidemic(s) => s.len(),
            Group::Swim(s) => s.len(),
        }
    }

    pub fn now(&self) -> Time {
        match &self.group {
            Group::Epidemic(s) => s.now(),
            Group::Swim(s) => s.now(),
        }
    }

    pub fn period(&self) -> u64 {
        match &self.kind {
            SwarmKind::Epidemic(c) => c.period_us,
            SwarmKind::Swim(c) => c.period_us,
        }
    }

    pub fn fraction_informed(&self) -> f64 {
        match &self.group {
            Group::Epidemic(s) => {
                let n = s.len();
                let k = (0..n).filter(|i| s.node(*i).is_some_and(Gossip::knows)).count();
                k as f64 / f64::from(n)
            }
            Group::Swim(_) => 0.0,
        }
    }

    /// The logistic curve of the simple epidemic for this set-up: the
    /// fraction informed after `t` cycles, i(t) = 1 / (1 + (n−1)·e^(−βt)),
    /// where e^β = 1 + fanout·(1−loss)·m is the early growth per cycle
    /// (m = 2 for push-pull, 1 otherwise).
    pub fn logistic(&self, t: f64) -> Option<f64> {
        let SwarmKind::Epidemic(c) = &self.kind else { return None };
        let m = if c.exchange == Exchange::PushPull { 2.0 } else { 1.0 };
        let beta = (1.0 + f64::from(c.fanout) * (1.0 - self.loss) * m).ln();
        let n = f64::from(c.nodes);
        Some(1.0 / (1.0 + (n - 1.0) * (-beta * t).exp()))
    }

    pub fn look(&self, i: NodeId) -> Look {
        match &self.group {
            Group::Epidemic(s) if s.status(i) == NodeStatus::Paused => Look::Paused,
            Group::Swim(s) if s.status(i) == NodeStatus::Paused => Look::Paused,
            Group::Epidemic(s) => match s.node(i) {
                None => Look::Crashed,
                Some(g) => match g.state() {
                    SiteState::Susceptible => Look::Susceptible,
                    SiteState::Infective => Look::Infective,
                    SiteState::Removed => Look::Removed,
                },
            },
            Group::Swim(s) => {
                if s.status(i) == NodeStatus::Crashed {
                    return Look::Crashed;
                }
                let status = match self.observer.and_then(|o| s.node(o)) {
                    Some(o) => o.status_of(i),
                    None => {
                        // The majority view among live members.
                        let (mut alive, mut suspect, mut failed) = (0, 0, 0);
                        for o in 0..s.len() {
                            if let Some(m) = s.node(o) {
                                match m.status_of(i) {
                                    Status::Alive => alive += 1,
                                    Status::Suspect => suspect += 1,
                                    Status::Failed => failed += 1,
                                }
                            }
                        }
                        if failed > alive && failed >= suspect {
                            Status::Failed
                        } else if suspect > alive {
                            Status::Suspect
                        } else {
                            Status::Alive
                        }
                    }
                };
                match status {
                    Status::Alive => Look::Alive,
                    Status::Suspect => Look::Suspect,
                    Status::Failed => Look::Failed,
                }
            }
        }
    }

    /// Messages in flight as (from, to, progress 0..1), at most `limit`.
    pub fn flights(&self, limit: usize) -> Vec<(NodeId, NodeId, f64)> {
        let now = self.now();
        let f =
            |from, to, sent: Time, at: Time| (from, to, (now.saturating_sub(sent)) as f64 / (at - sent).max(1) as f64);
        match &self.group {
            Group::Epidemic(s) => s.in_flight().take(limit).map(|m| f(m.from, m.to, m.sent_at, m.deliver_at)).collect(),
            Group::Swim(s) => s.in_flight().take(limit).map(|m| f(m.from, m.to, m.sent_at, m.deliver_at)).collect(),
        }
    }

    /// A readable description of the selected node.
    pub fn describe(&self, i: NodeId) -> Vec<(String, String)> {
        match &self.group {
            Group::Epidemic(s) => match s.node(i) {
                None => vec![("status".into(), "crashed".into())],
                Some(g) => vec![
                    ("state".into(), format!("{:?}", g.state()).to_lowercase()),
                    ("learned in cycle".into(), g.learned_in().map_or("—".into(), |c| c.to_string())),
                    ("updates sent".into(), g.sent().to_string()),
                ],
            },
            Group::Swim(s) => match s.node(i) {
                None => vec![("status".into(), "crashed".into())],
                Some(m) => {
                    let (mut a, mut su, mut f) = (0, 0, 0);
                    let mut listed = Vec::new();
                    for (j, (st, inc)) in m.view().iter().enumerate() {
                        match st {
                            Status::Alive => a += 1,
                            Status::Suspect => su += 1,
                            Status::Failed => f += 1,
                        }
                        if *st != Status::Alive && listed.len() < 12 {
                            listed.push(format!("n{j} {st:?}@{inc}").to_lowercase());
                        }
                    }
                    vec![
                        ("incarnation".into(), m.incarnation().to_string()),
                        ("members it sees".into(), format!("{a} alive, {su} suspect, {f} failed")),
                        ("not alive".into(), if listed.is_empty() { "—".into() } else { listed.join(", ") }),
                    ]
                }
            },
        }
    }

    pub fn apply(&mut self, a: SwarmAction) {
        if matches!(
            a,
            SwarmAction::Kill(_)
                | SwarmAction::Pause(_)
                | SwarmAction::Resume(_)
                | SwarmAction::Split
                | SwarmAction::HealAll
                | SwarmAction::SetLoss(_)
        ) {
            // Acting in the past forks the run: the recorded future goes.
            let now = self.now();
            self.recorded.retain(|(t, _)| *t <= now);
            self.end = now;
        }
        match a {
            SwarmAction::Tick { wall_ms } => self.tick(wall_ms),
            SwarmAction::TogglePlay => {
                self.playing = !self.playing;
                self.last_wall = None;
            }
            SwarmAction::SetSpeed(s) => self.speed = s.clamp(0.01, 100.0),
            SwarmAction::Preset(id) => {
                let speed = self.speed;
                *self = Swarm::new(id, self.seed);
                self.speed = speed;
            }
            SwarmAction::Reset => {
                let (id, speed, loss) = (self.preset, self.speed, self.loss);
                *self = Swarm::new(id, self.seed);
                self.speed = speed;
                self.apply(SwarmAction::SetLoss(loss));
            }
            SwarmAction::Kill(i) => {
                let now = self.now();
                self.recorded.push((now, SwarmStep::Kill { node: i }));
                match &mut self.group {
                    Group::Epidemic(s) => s.crash(i),
                    Group::Swim(s) => {
                        if s.status(i) != NodeStatus::Crashed {
                            s.crash(i);
                            self.detections.push((i, now, None, None));
                        }
                    }
                }
            }
            SwarmAction::Pause(i) => {
                self.recorded.push((self.now(), SwarmStep::Pause { node: i }));
                match &mut self.group {
                    Group::Epidemic(s) => s.pause(i),
                    Group::Swim(s) => s.pause(i),
                }
            }
            SwarmAction::Resume(i) => {
                self.recorded.push((self.now(), SwarmStep::Resume { node: i }));
                match &mut self.group {
                    Group::Epidemic(s) => s.resume(i),
                    Group::Swim(s) => s.resume(i),
                }
            }
            SwarmAction::Split => {
                self.recorded.push((self.now(), SwarmStep::Split));
                let half: Vec<NodeId> = (0..self.nodes() / 2).collect();
                match &mut self.group {
                    Group::Epidemic(s) => s.partition(vec![half]),
                    Group::Swim(s) => s.partition(vec![half]),
                }
            }
            SwarmAction::HealAll => {
                self.recorded.push((self.now(), SwarmStep::HealAll));
                match &mut self.group {
                    Group::Epidemic(s) => s.heal_all(),
                    Group::Swim(s) => s.heal_all(),
                }
            }
            SwarmAction::Export => {}
            SwarmAction::Share => self.share = Some(self.fragment()),
            SwarmAction::CloseShare => self.share = None,
            SwarmAction::Import(text) => match Swarm::from_json(&text) {
                Ok(mut s) => {
                    s.speed = self.speed;
                    *self = s;
                }
                Err(e) => self.error = Some(format!("That file was not loaded: {e}. The current run is unchanged.")),
            },
            SwarmAction::Restore(fragment) => {
                if let Ok(mut s) = Swarm::from_fragment(&fragment) {
                    s.speed = self.speed;
                    *self = s;
                }
            }
            SwarmAction::OpenLink(fragment) => match Swarm::from_fragment(&fragment) {
                Ok(mut s) => {
                    s.speed = self.speed;
                    *self = s;
                }
                Err(e) => {
                    self.error = Some(format!("This gossip link could not be opened: {e}. The current run is kept."))
                }
            },
            SwarmAction::Advance(dt) => {
                self.playing = false;
                self.last_wall = None;
                self.advance_to(self.now().saturating_add(dt).min(crate::scenario::MAX_DURATION_US));
            }
            SwarmAction::ShowError(e) => self.error = Some(e),
            SwarmAction::Seek(t) => {
                let target = t.min(self.end);
                let (end, speed, flashes, observer, selected) =
                    (self.end, self.speed, self.flashes, self.observer, self.selected);
                let mut replay = Swarm::replay(&self.scenario(), Some(target), &self.recorded);
                replay.end = end;
                replay.speed = speed;
                replay.flashes = flashes;
                replay.observer = observer;
                replay.selected = selected;
                replay.recorded = std::mem::take(&mut self.recorded);
                *self = replay;
            }
            SwarmAction::LossText(t) => self.loss_text = Some(t),
            SwarmAction::Field(k, v) => {
                self.fields.insert(k, v);
            }
            SwarmAction::Configure { nodes, mode, exchange, k, fanout } => {
                let cfg = GossipConfig {
                    nodes,
                    mode,
                    exchange,
                    interest: LossOfInterest { feedback: true, counter: true, k },
                    fanout,
                    ..GossipConfig::default()
                };
                if let Err(e) = cfg.validate() {
                    self.error = Some(format!("Not applied: {e}."));
                    return;
                }
                if nodes > 20_000 {
                    self.error = Some(format!("Not applied: the browser view runs at most 20000 sites, not {nodes}."));
                    return;
                }
                let (speed, loss, seed) = (self.speed, self.loss, self.seed);
                let kind = SwarmKind::Epidemic(cfg);
                *self = Swarm::new(self.preset, seed);
                self.group = Self::build(&kind, seed, loss);
                self.kind = kind;
                self.loss = loss;
                self.initial_loss = loss;
                self.crash_pending = 0;
                self.speed = speed;
                self.informed = vec![self.fraction_informed()];
            }
            SwarmAction::SetLoss(p) => {
                self.loss_text = None;
                if !(0.0..=1.0).contains(&p) || p.is_nan() {
                    self.error = Some(format!("Loss must be between 0 and 1, not {p}."));
                    return;
                }
                self.error = None;
                self.recorded.push((self.now(), SwarmStep::SetLoss { loss: p }));
                self.loss = p;
                // A new default link for every pair: rebuild only the
                // default, which the network applies to all links.
                let link =
                    LinkConfig { latency: Latency::Uniform { min_us: 20_000, max_us: 120_000 }, loss: p, dup: 0.0 };
                match &mut self.group {
                    Group::Epidemic(s) => s.set_default_link(link),
                    Group::Swim(s) => s.set_default_link(link),
                }
            }
            SwarmAction::Select(n) => self.selected = n,
            SwarmAction::ToggleFlashes => self.flashes = !self.flashes,
            SwarmAction::Observer(o) => self.observer = o,
        }
    }

    fn tick(&mut self, wall_ms: f64) {
        let dt = self.last_wall.map_or(0.0, |l| (wall_ms - l).clamp(0.0, 100.0));
        self.last_wall = Some(wall_ms);
        if !self.playing {
            return;
        }
        let advance = dt * 1000.0 * self.speed + self.carry;
        self.carry = advance.fract();
        let target = self.now() + (advance as Time).min(5_000_000);
        self.advance_to(target);
    }

    /// Runs to `target`, recording the per-cycle charts and the preset's
    /// scheduled crash on the way.
    pub fn advance_to(&mut self, target: Time) {
        self.end = self.end.max(target);
        let period = self.period();
        while self.now() < target {
            let boundary = (self.now() / period + 1) * period;
            let until = boundary.min(target);
            if self.crash_pending > 0 && self.now() < 3_000_000 && until >= 3_000_000 {
                self.run_to(3_000_000);
                self.crash_pending = 0;
                self.apply(SwarmAction::Kill(7));
                continue;
            }
            self.run_to(until);
            if until == boundary {
                self.informed.push(self.fraction_informed());
                self.messages.push(std::mem::take(&mut self.sent_this_cycle));
            }
        }
    }

    /// The run as a scenario: set-up plus what was done.
    pub fn scenario(&self) -> SwarmScenario {
        let crash = SWARM_PRESETS.iter().find(|p| p.id == self.preset).map_or(0, |p| p.crash);
        SwarmScenario {
            version: 1,
            preset: self.preset.to_string(),
            kind: self.kind.clone(),
            seed: self.seed,
            loss: self.initial_loss,
            crash,
            timeline: self.recorded.clone(),
        }
    }

    /// Rebuilds a run from a link's fragment (`g=<payload>&t=<µs>`), replayed
    /// to its time and paused; or says what is wrong with the link.
    pub fn from_fragment(fragment: &str) -> Result<Swarm, ScenarioError> {
        let bad = |m: String| ScenarioError(m);
        let mut payload = None;
        let mut at = None;
        for pair in fragment.trim_start_matches('#').split('&') {
            match pair.split_once('=') {
                Some(("g", v)) => payload = Some(v),
                Some(("t", v)) => {
                    at = Some(v.parse::<Time>().map_err(|_| bad(format!("the link's time t='{v}' is not a number")))?)
                }
                _ => {}
            }
        }
        let text = codec::unpack(payload.ok_or_else(|| bad("the link has no gossip run in it".into()))?)?;
        let sc: SwarmScenario =
            serde_json::from_str(&text).map_err(|e| bad(format!("the link's gossip run is invalid: {e}")))?;
        if sc.version != 1 {
            return Err(bad(format!("unsupported gossip link version {}; this build reads version 1", sc.version)));
        }
        match &sc.kind {
            SwarmKind::Epidemic(c) => c.validate(),
            SwarmKind::Swim(c) => c.validate(),
        }
        .map_err(|e| bad(format!("the link's gossip run is invalid: {e}")))?;
        let n = match &sc.kind {
            SwarmKind::Epidemic(c) => c.nodes,
            SwarmKind::Swim(c) => c.nodes,
        };
        if n > 20_000 {
            return Err(bad(format!("the link asks for {n} sites; the browser view runs at most 20000")));
        }
        if !(0.0..=1.0).contains(&sc.loss)
            || sc.timeline.iter().any(|(_, s)| matches!(s, SwarmStep::Kill { node } if *node >= n))
        {
            return Err(bad("the link's gossip run names a loss or a node that cannot exist".into()));
        }
        let mut s = Swarm::replay(&sc, at.map(|t| t.min(crate::scenario::MAX_DURATION_US)), &sc.timeline);
        s.end = s.now();
        Ok(s)
    }

    /// Parses and checks a gossip scenario's JSON (an exported file).
    pub fn from_json(text: &str) -> Result<Swarm, ScenarioError> {
        if text.len() > crate::scenario::MAX_JSON_BYTES {
            return Err(ScenarioError("the file is larger than 1 MB".into()));
        }
        Swarm::from_fragment(&format!("g={}", codec::pack(text.as_bytes())))
    }

    /// Builds the run of `sc` and replays `timeline` up to `at` (paused).
    fn replay(sc: &SwarmScenario, at: Option<Time>, timeline: &[(Time, SwarmStep)]) -> Swarm {
        let preset = SWARM_PRESETS.iter().find(|p| p.id == sc.preset).map_or(SWARM_PRESETS[0].id, |p| p.id);
        let mut s = Swarm::new(preset, sc.seed);
        s.kind = sc.kind.clone();
        s.group = Self::build(&sc.kind, sc.seed, sc.loss);
        s.loss = sc.loss;
        s.initial_loss = sc.loss;
        s.crash_pending = sc.crash;
        s.informed = vec![s.fraction_informed()];
        let stop = at.unwrap_or(Time::MAX);
        for (t, step) in timeline.iter().filter(|(t, _)| *t <= stop) {
            s.advance_to(*t);
            s.apply(match *step {
                SwarmStep::Kill { node } => SwarmAction::Kill(node),
                SwarmStep::Pause { node } => SwarmAction::Pause(node),
                SwarmStep::Resume { node } => SwarmAction::Resume(node),
                SwarmStep::Split => SwarmAction::Split,
                SwarmStep::HealAll => SwarmAction::HealAll,
                SwarmStep::SetLoss { loss } => SwarmAction::SetLoss(loss),
            });
        }
        if let Some(t) = at {
            s.advance_to(t);
        }
        s.playing = false;
        s
    }

    /// A link fragment (without `#`) for the run as it is now.
    pub fn fragment(&self) -> String {
        let json = serde_json::to_vec(&self.scenario()).expect("a gossip scenario serialises");
        format!("g={}&t={}", codec::pack(&json), self.now())
    }

    /// The run as JSON, for export and autosave.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.scenario()).expect("a gossip scenario serialises")
    }

    /// The hash of every event so far.
    pub fn trace_hash(&self) -> u64 {
        match &self.group {
            Group::Epidemic(s) => s.trace().hash(),
            Group::Swim(s) => s.trace().hash(),
        }
    }

    fn run_to(&mut self, t: Time) {
        use crate::sim::trace::EventKind;
        match &mut self.group {
            Group::Epidemic(s) => {
                while s.next_event_time().is_some_and(|x| x <= t) {
                    s.step();
                    for e in s.trace().last_step() {
                        if let EventKind::Send { msg, .. } = &e.kind {
                            if msg.carries_update() {
                                self.sent_this_cycle += 1;
                                self.traffic += 1;
                            }
                        }
                    }
                }
                s.run_until(t);
            }
            Group::Swim(s) => {
                while s.next_event_time().is_some_and(|x| x <= t) {
                    s.step();
                    for e in s.trace().last_step() {
                        match &e.kind {
                            EventKind::Send { .. } => self.sent_this_cycle += 1,
                            EventKind::Note {
                                node,
                                note: crate::protocols::swim::Note::Marked { member, status, .. },
                            } if *status != Status::Alive => {
                                let crashed = s.status(*member) == NodeStatus::Crashed;
                                if let Some(d) = self.detections.iter_mut().find(|d| d.0 == *member) {
                                    d.2.get_or_insert(e.time);
                                } else if !crashed && *status == Status::Failed && *node != *member {
                                    let i = *member as usize;
                                    if self.wrongly_failed.len() <= i {
                                        self.wrongly_failed.resize(i + 1, false);
                                    }
                                    if !std::mem::replace(&mut self.wrongly_failed[i], true) {
                                        self.false_positives += 1;
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                s.run_until(t);
                // Everyone knows once every live member has it failed.
                for d in self.detections.iter_mut().filter(|d| d.3.is_none()) {
                    let all = (0..s.len()).filter_map(|o| s.node(o)).all(|m| m.status_of(d.0) == Status::Failed);
                    if all {
                        d.3 = Some(s.now());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_runs_and_the_epidemic_spreads() {
        for p in SWARM_PRESETS {
            let mut s = Swarm::new(p.id, 1);
            let mut t = 0.0;
            while t < 1000.0 {
                s.apply(SwarmAction::Tick { wall_ms: t });
                t += 50.0;
            }
            let _ = s.speed;
            s.apply(SwarmAction::SetSpeed(20.0));
            while t < 2000.0 {
                s.apply(SwarmAction::Tick { wall_ms: t });
                t += 50.0;
            }
            assert!(s.now() >= 15_000_000, "{}: {}", p.id, s.now());
            if matches!(s.kind, SwarmKind::Epidemic(_)) {
                assert!(s.informed.last().copied().unwrap_or(0.0) > 0.5, "{}: {:?}", p.id, s.informed);
            }
        }
    }

    #[test]
    fn swim_crash_preset_detects_the_crash() {
        let mut s = Swarm::new("swim-crash", 1);
        s.apply(SwarmAction::SetSpeed(20.0));
        let mut t = 0.0;
        while t < 1500.0 {
            s.apply(SwarmAction::Tick { wall_ms: t });
            t += 50.0;
        }
        let d = s.detections.first().expect("a crash");
        assert!(d.2.is_some() && d.3.is_some(), "{:?}", s.detections);
        assert_eq!(s.look(7), Look::Crashed);
    }

    #[test]
    fn impossible_parameters_are_refused_and_the_run_kept() {
        let mut s = Swarm::new("push", 1);
        let base = SwarmAction::Configure { nodes: 100, mode: Mode::Rumor, exchange: Exchange::Push, k: 2, fanout: 1 };
        s.apply(base.clone());
        assert!(s.error.is_none());
        assert_eq!(s.nodes(), 100);
        for (bad, needle) in [
            (
                SwarmAction::Configure { nodes: 100, mode: Mode::Rumor, exchange: Exchange::Push, k: 0, fanout: 1 },
                "k must be at least 1",
            ),
            (
                SwarmAction::Configure { nodes: 100, mode: Mode::Rumor, exchange: Exchange::Push, k: 1, fanout: 100 },
                "fanout",
            ),
            (
                SwarmAction::Configure { nodes: 1, mode: Mode::Rumor, exchange: Exchange::Push, k: 1, fanout: 1 },
                "at least 2",
            ),
        ] {
            s.apply(bad);
            assert!(s.error.as_deref().unwrap().contains(needle), "{:?}", s.error);
            assert_eq!(s.nodes(), 100, "the current run is kept");
        }
    }

    #[test]
    fn a_share_link_replays_the_run_exactly() {
        let mut s = Swarm::new("rumor-k4", 3);
        s.apply(SwarmAction::SetSpeed(10.0));
        let mut t = 0.0;
        while t < 300.0 {
            s.apply(SwarmAction::Tick { wall_ms: t });
            t += 16.0;
        }
        s.apply(SwarmAction::Kill(5));
        s.apply(SwarmAction::SetLoss(0.1));
        while t < 800.0 {
            s.apply(SwarmAction::Tick { wall_ms: t });
            t += 16.0;
        }
        s.apply(SwarmAction::Split);
        while t < 1000.0 {
            s.apply(SwarmAction::Tick { wall_ms: t });
            t += 16.0;
        }
        s.apply(SwarmAction::Share);
        let link = s.share.clone().unwrap();
        let copy = Swarm::from_fragment(&link).unwrap();
        assert_eq!((copy.now(), copy.trace_hash()), (s.now(), s.trace_hash()));
        assert_eq!(copy.informed, s.informed);
        assert!(Swarm::from_fragment("g=____").is_err());
        assert!(Swarm::from_fragment("t=5").err().unwrap().0.contains("no gossip run"));
    }

    #[test]
    fn seeking_back_replays_and_acting_there_forks() {
        let mut s = Swarm::new("rumor-k1", 2);
        s.apply(SwarmAction::SetSpeed(10.0));
        let mut t = 0.0;
        while t < 600.0 {
            s.apply(SwarmAction::Tick { wall_ms: t });
            t += 16.0;
        }
        let at = s.now() / 2;
        s.apply(SwarmAction::Kill(3));
        let (end, hash) = (s.now(), s.trace_hash());
        s.apply(SwarmAction::Seek(at));
        assert_eq!(s.now(), at);
        s.apply(SwarmAction::Seek(end));
        assert_eq!((s.now(), s.trace_hash()), (end, hash), "forward again: the same run");
        s.apply(SwarmAction::Seek(at));
        s.apply(SwarmAction::Split);
        assert_eq!(s.recorded.len(), 1, "the kill after this instant is gone");
        assert_eq!(s.end, at);
        let json = s.to_json();
        let back = Swarm::from_json(&json).unwrap();
        assert_eq!(back.recorded, s.recorded);
        assert!(Swarm::from_json("{}").is_err());
    }

    #[test]
    fn a_paused_site_learns_nothing_until_it_resumes() {
        let mut s = Swarm::new("push-pull", 4);
        s.apply(SwarmAction::Pause(9));
        s.advance_to(30_000_000);
        assert_eq!(s.look(9), Look::Paused);
        assert!(s.fraction_informed() < 1.0, "the paused site has not heard");
        s.apply(SwarmAction::Resume(9));
        s.advance_to(40_000_000);
        assert_eq!(s.fraction_informed(), 1.0);
    }

    #[test]
    fn bad_loss_is_refused() {
        let mut s = Swarm::new("push", 1);
        s.apply(SwarmAction::SetLoss(1.5));
        assert!(s.error.is_some());
        assert_eq!(s.loss, 0.0);
    }
}
