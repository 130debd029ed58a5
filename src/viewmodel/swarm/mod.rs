//! The gossip playground's model: a large group running epidemic
//! dissemination or SWIM, the charts' data, and the actions a person takes.
//! No Yew here; the canvas view only draws this.
//!
//! A run is an ordinary [`Scenario`] on the one runner and time travel
//! (`Travel<Gossip>` or `Travel<Swim>`): its presets are the files in
//! `static/scenarios/`, its links are `#s=` links like Raft's, what a person
//! does is recorded into the timeline, and seeking restores a checkpoint.

use super::playground::{step_speed, History, MAX_SPEED, MIN_SPEED};
use crate::protocols::gossip::{Exchange, Gossip, GossipConfig, Mode, SiteState};
use crate::protocols::registry::View;
use crate::protocols::swim::{Status, Swim, SwimConfig};
use crate::scenario::travel::{Travel, REPLAY_LOG_US};
use crate::scenario::{presets, Action, LinkSpec, ProtocolSpec, Runner, Scenario, ScenarioError, Target};
use crate::sim::{NodeId, NodeStatus, Sim, Time};
use crate::viewmodel::diagram::{Diagram, DiagramGesture};

mod edit;
mod gesture;
mod links;
pub use gesture::SwarmGesture;

/// Which protocol the group runs, with its configuration.
#[derive(Clone, Debug, PartialEq)]
pub enum SwarmKind {
    Gossip(GossipConfig),
    Swim(SwimConfig),
}

/// The presets this view offers: every preset file that is not Raft's.
pub fn swarm_presets() -> impl Iterator<Item = &'static presets::Preset> {
    presets::PRESETS.iter().filter(|p| p.protocol().view() == View::Swarm)
}

/// Events of each kind a run keeps for the diagram, while it is open.
const LOG_CAP: usize = 4000;

/// The largest group the browser view runs.
pub const MAX_VIEW_NODES: u32 = 20_000;

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

/// The run, on the one time travel, for whichever protocol it is.
enum Run {
    Gossip(Travel<Gossip>),
    Swim(Travel<Swim>),
}

/// Evaluates `$e` with `$t` bound to the run's travel, whatever its protocol.
macro_rules! each {
    ($run:expr, $t:ident => $e:expr) => {
        match $run {
            Run::Gossip($t) => $e,
            Run::Swim($t) => $e,
        }
    };
}

pub struct Swarm {
    /// The preset the run came from (for the picker and Reset).
    pub preset: &'static str,
    pub kind: SwarmKind,
    /// The network-wide loss now.
    pub loss: f64,
    pub seed: u64,
    /// The scenario as loaded, before anything was done by hand.
    base: Scenario,
    run: Run,
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<NodeId>,
    pub observer: Option<NodeId>,
    pub flashes: bool,
    pub help_open: bool,
    /// On a narrow screen, whether the secondary controls show.
    pub more_open: bool,
    pub error: Option<String>,
    /// The fragment (without `#`) of the last share link made.
    pub share: Option<String>,
    /// The furthest time this run has reached (the scrubber's range).
    pub end: Time,
    /// Epidemic: the fraction informed at the start of each cycle so far,
    /// and the update messages sent in each finished cycle.
    pub informed: Vec<f64>,
    pub messages: Vec<u64>,
    /// Update messages sent so far (epidemic traffic).
    pub traffic: u64,
    /// SWIM: (member, crash time, first detection, everyone knows).
    pub detections: Vec<(NodeId, Time, Option<Time>, Option<Time>)>,
    /// SWIM: live members that someone wrongly declared failed so far.
    pub false_positives: u64,
    /// The space-time diagram; while it is open, the run keeps its events.
    pub diagram: Diagram,
    /// The timeline's edits to undo and redo, and a number that moves
    /// whenever the timeline does (the panel is drawn again only then).
    history: History,
    timeline_rev: u64,
    last_wall: Option<f64>,
    carry: f64,
    frame_budget: crate::scenario::travel::FrameBudget,
}

impl Swarm {
    /// The preset `id` (the first gossip preset if there is none by that name).
    pub fn new(id: &str, seed: u64) -> Self {
        let p = swarm_presets().find(|p| p.id == id).or_else(|| swarm_presets().next()).expect("gossip presets exist");
        let mut s = p.scenario().expect("presets are valid");
        s.seed = seed;
        Self::load(s, None, p.id).expect("presets are valid")
    }

    /// A run of `scenario`, at `at` if given (paused there).
    pub(crate) fn load(scenario: Scenario, at: Option<Time>, preset: &'static str) -> Result<Self, ScenarioError> {
        let (run, kind) = match &scenario.protocol {
            ProtocolSpec::Gossip(_) => {
                let cfg = scenario.config::<Gossip>()?;
                (Run::Gossip(Travel::new(Runner::build(scenario.clone())?)), SwarmKind::Gossip(cfg))
            }
            ProtocolSpec::Swim(_) => {
                let cfg = scenario.config::<Swim>()?;
                (Run::Swim(Travel::new(Runner::build(scenario.clone())?)), SwarmKind::Swim(cfg))
            }
            other => {
                let (name, view) = (other.kind().label(), other.kind().view().label());
                return Err(ScenarioError::Invalid(format!("this is a {name} scenario; open it in the {view} view")));
            }
        };
        if scenario.nodes > MAX_VIEW_NODES {
            return Err(ScenarioError::Invalid(format!(
                "the browser view runs at most {MAX_VIEW_NODES} sites, not {}",
                scenario.nodes
            )));
        }
        let mut s = Swarm {
            preset,
            kind,
            loss: scenario.network.loss,
            seed: scenario.seed,
            base: scenario,
            run,
            playing: at.is_none() && crate::viewmodel::autoplay(),
            speed: 1.0,
            selected: None,
            observer: None,
            flashes: crate::viewmodel::autoplay(),
            help_open: false,
            more_open: false,
            error: None,
            share: None,
            end: 0,
            informed: Vec::new(),
            messages: Vec::new(),
            traffic: 0,
            detections: Vec::new(),
            false_positives: 0,
            diagram: Diagram::default(),
            history: History::default(),
            timeline_rev: 0,
            last_wall: None,
            carry: 0.0,
            frame_budget: Default::default(),
        };
        if let Some(t) = at {
            each!(&mut s.run, t0 => { t0.advance_to(t); });
        }
        s.refresh();
        Ok(s)
    }

    /// The scenario as it replays: what was loaded plus what was done.
    pub fn scenario(&self) -> &Scenario {
        each!(&self.run, t => &t.runner().scenario)
    }

    pub fn nodes(&self) -> u32 {
        self.base.nodes
    }

    pub fn now(&self) -> Time {
        each!(&self.run, t => t.now())
    }

    pub fn period(&self) -> u64 {
        match &self.kind {
            SwarmKind::Gossip(c) => c.period_us,
            SwarmKind::Swim(c) => c.period_us,
        }
    }

    /// The scenario's alerts that fired so far.
    pub fn alerts(&self) -> &[crate::scenario::alerts::Fired] {
        each!(&self.run, t => t.runner().alerts())
    }

    /// The properties broken so far.
    pub fn violations(&self) -> &[crate::sim::invariant::Violation] {
        each!(&self.run, t => t.runner().violations())
    }

    /// Messages sent, delivered and dropped so far.
    pub fn message_counts(&self) -> [u64; 3] {
        each!(&self.run, t => {
            let m = t.runner().metrics();
            [m.messages_sent, m.messages_delivered, m.messages_dropped]
        })
    }

    /// The hash of every event so far.
    pub fn trace_hash(&self) -> u64 {
        each!(&self.run, t => t.runner().sim().trace().hash())
    }

    pub fn fraction_informed(&self) -> f64 {
        match &self.run {
            Run::Gossip(t) => {
                let s = t.runner().sim();
                let k = (0..s.len()).filter(|i| s.node(*i).is_some_and(Gossip::knows)).count();
                k as f64 / f64::from(s.len())
            }
            Run::Swim(_) => 0.0,
        }
    }

    /// The logistic curve of the simple epidemic for this set-up: the
    /// fraction informed after `t` cycles, i(t) = 1 / (1 + (n−1)·e^(−βt)),
    /// where e^β = 1 + fanout·(1−loss)·m is the early growth per cycle
    /// (m = 2 for push-pull, 1 otherwise).
    pub fn logistic(&self, t: f64) -> Option<f64> {
        let SwarmKind::Gossip(c) = &self.kind else { return None };
        let m = if c.exchange == Exchange::PushPull { 2.0 } else { 1.0 };
        let beta = (1.0 + f64::from(c.fanout) * (1.0 - self.loss) * m).ln();
        let n = f64::from(c.nodes);
        Some(1.0 / (1.0 + (n - 1.0) * (-beta * t).exp()))
    }

    pub fn look(&self, i: NodeId) -> Look {
        match &self.run {
            Run::Gossip(t) => {
                let s = t.runner().sim();
                if s.status(i) == NodeStatus::Paused {
                    return Look::Paused;
                }
                match s.node(i) {
                    None => Look::Crashed,
                    Some(g) => match g.state() {
                        SiteState::Susceptible => Look::Susceptible,
                        SiteState::Infective => Look::Infective,
                        SiteState::Removed => Look::Removed,
                    },
                }
            }
            Run::Swim(t) => swim_look(t.runner().sim(), i, self.observer),
        }
    }

    /// Whether node `i` is down (the view rings it: a SWIM member keeps the
    /// colour of what the group believes of it).
    pub fn crashed(&self, i: NodeId) -> bool {
        self.status(i) == NodeStatus::Crashed
    }

    pub fn status(&self, i: NodeId) -> NodeStatus {
        each!(&self.run, t => t.runner().sim().status(i))
    }

    /// Messages in flight as (from, to, progress 0..1), at most `limit`.
    pub fn flights(&self, limit: usize) -> Vec<(NodeId, NodeId, f64)> {
        let now = self.now();
        let f =
            |from, to, sent: Time, at: Time| (from, to, (now.saturating_sub(sent)) as f64 / (at - sent).max(1) as f64);
        each!(&self.run, t => t.runner().sim().in_flight().take(limit).map(|m| f(m.from, m.to, m.sent_at, m.deliver_at)).collect())
    }

    /// A readable description of the selected node.
    pub fn describe(&self, i: NodeId) -> Vec<(String, String)> {
        match &self.run {
            Run::Gossip(t) => match t.runner().sim().node(i) {
                None => vec![("status".into(), "crashed".into())],
                Some(g) => vec![
                    ("state".into(), format!("{:?}", g.state()).to_ascii_lowercase()),
                    ("learned in cycle".into(), g.learned_in().map_or("—".into(), |c| c.to_string())),
                    ("updates sent".into(), g.sent().to_string()),
                ],
            },
            Run::Swim(t) => match t.runner().sim().node(i) {
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
                            listed.push(format!("n{j} {st:?}@{inc}").to_ascii_lowercase());
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

    /// Reads the charts' series off the run's observer.
    fn refresh(&mut self) {
        self.end = self.end.max(self.now());
        let cycles = (self.now() / self.period()) as usize;
        match &self.run {
            Run::Gossip(t) => {
                let o = t.runner().observed();
                let by_cycle = o.informed_by_cycle();
                // The fraction at the start of cycle k: learned in cycles < k
                // (the origin counts from the start).
                let at = |k: usize| by_cycle.get(k.max(1) - 1).or(by_cycle.last()).copied().unwrap_or(0.0);
                self.informed = (0..=cycles).map(at).collect();
                self.messages = (0..cycles).map(|c| o.sent.get(c).copied().unwrap_or(0)).collect();
                self.traffic = o.sent.iter().sum();
            }
            Run::Swim(t) => {
                let o = t.runner().observed();
                self.detections =
                    o.detections.iter().map(|d| (d.member, d.crashed_at, d.first_detection, d.known_by_all)).collect();
                self.false_positives = o.false_positives;
            }
        }
    }

    /// Runs to `target` (recording checkpoints on the way).
    pub fn advance_to(&mut self, target: Time) {
        self.advance_within(target, u64::MAX);
    }

    /// Runs towards `target` for at most `budget` events (a frame's share);
    /// a run that stops at a cap pauses with a banner.
    fn advance_within(&mut self, target: Time, budget: u64) {
        let (events, banner) = each!(&mut self.run, t => (t.advance_within(target, budget), t.halted_banner()));
        self.diagram.record(&events, LOG_CAP, self.now());
        if let Some(b) = banner {
            self.playing = false;
            self.error.get_or_insert(b);
        }
        self.refresh();
    }

    /// Applies a fault now and records it; acting in the past forks the run.
    pub(crate) fn act(&mut self, action: Action) {
        let events = each!(&mut self.run, t => t.act(action));
        self.timeline_rev += 1;
        self.diagram.record(&events, LOG_CAP, self.now());
        self.end = self.now();
        self.refresh();
    }

    fn replace(&mut self, mut s: Swarm) {
        s.timeline_rev = self.timeline_rev + 1;
        s.speed = self.speed;
        s.flashes = self.flashes;
        s.diagram = std::mem::take(&mut self.diagram);
        s.diagram.reset(s.now());
        *self = s;
        self.keep_log();
    }

    /// Keeps the run's events while the diagram shows them (a large
    /// group's events cost time to copy, so not otherwise).
    fn keep_log(&mut self) {
        let cap = self.diagram.open.then_some(LOG_CAP);
        each!(&mut self.run, t => t.set_log(cap));
    }

    pub fn apply(&mut self, a: SwarmGesture) {
        match a {
            SwarmGesture::Tick { wall_ms } => self.tick(wall_ms),
            SwarmGesture::TogglePlay => {
                self.playing = !self.playing;
                self.last_wall = None;
            }
            SwarmGesture::Step => {
                self.playing = false;
                self.last_wall = None;
                let events = each!(&mut self.run, t => t.step());
                self.diagram.record(&events, LOG_CAP, self.now());
                self.refresh();
            }
            SwarmGesture::SetSpeed(s) => self.speed = s.clamp(MIN_SPEED, MAX_SPEED),
            SwarmGesture::Faster => self.speed = step_speed(self.speed, true),
            SwarmGesture::Slower => self.speed = step_speed(self.speed, false),
            SwarmGesture::ToggleHelp => self.help_open = !self.help_open,
            SwarmGesture::ToggleMore => self.more_open = !self.more_open,
            SwarmGesture::Escape if self.help_open => self.help_open = false,
            SwarmGesture::Escape => self.selected = None,
            SwarmGesture::Preset(id) => {
                let s = Swarm::new(id, self.seed);
                self.replace(s);
            }
            SwarmGesture::Reset => self.reset(),
            SwarmGesture::Kill(i) if i < self.nodes() => self.act(Action::Crash { node: Target::Node(i) }),
            SwarmGesture::Pause(i) if i < self.nodes() => self.act(Action::Pause { node: Target::Node(i) }),
            SwarmGesture::Resume(i) if i < self.nodes() => self.act(Action::Resume { node: i }),
            SwarmGesture::Kill(_) | SwarmGesture::Pause(_) | SwarmGesture::Resume(_) => {}
            SwarmGesture::Split => self.act(Action::Partition { groups: vec![(0..self.nodes() / 2).collect()] }),
            SwarmGesture::HealAll => self.act(Action::HealAll),
            SwarmGesture::SetLoss(p) => self.set_loss(p),
            SwarmGesture::Export => {}
            // In the browser the view deflates the link and sends `Shared`.
            #[cfg(not(target_arch = "wasm32"))]
            SwarmGesture::Share => self.share = Some(self.fragment()),
            #[cfg(target_arch = "wasm32")]
            SwarmGesture::Share => {}
            SwarmGesture::Shared(fragment) => self.share = Some(fragment),
            SwarmGesture::CloseShare => self.share = None,
            SwarmGesture::Import(text) => self.import(&text),
            SwarmGesture::Restore(text) => self.restore(&text),
            SwarmGesture::OpenLink(fragment) => match Swarm::from_fragment(&fragment) {
                Ok(s) => self.replace(s),
                Err(e) => {
                    self.error = Some(format!("This gossip link could not be opened: {e}. The current run is kept."))
                }
            },
            SwarmGesture::Advance(dt) => {
                self.playing = false;
                self.last_wall = None;
                self.advance_to(self.now().saturating_add(dt).min(crate::scenario::MAX_DURATION_US));
            }
            SwarmGesture::ShowError(e) => self.error = Some(e),
            SwarmGesture::Edit(e) => self.edit(e),
            SwarmGesture::GoTo(t) if t > self.end => self.apply(SwarmGesture::Advance(t - self.now())),
            SwarmGesture::GoTo(t) => self.apply(SwarmGesture::Seek(t)),
            SwarmGesture::Load { scenario, preset, at_us, playing } => {
                match Swarm::load(*scenario, Some(at_us), preset.unwrap_or("")) {
                    Ok(s) => {
                        self.replace(s);
                        self.playing = playing;
                    }
                    Err(e) => self.error = Some(format!("That scenario was not loaded: {e}. The current run is kept.")),
                }
            }
            SwarmGesture::Seek(t) => {
                self.playing = false;
                self.last_wall = None;
                let events = each!(&mut self.run, tr => tr.seek(t));
                self.diagram.reset(self.now().saturating_sub(REPLAY_LOG_US));
                self.diagram.record(&events, LOG_CAP, self.now());
                self.refresh();
            }
            SwarmGesture::Configure { nodes, mode, exchange, k, fanout } => {
                self.configure(nodes, mode, exchange, k, fanout)
            }
            SwarmGesture::Select(n) => self.selected = n,
            SwarmGesture::ToggleFlashes => self.flashes = !self.flashes,
            SwarmGesture::Observer(o) => self.observer = o,
            SwarmGesture::Diagram(g) => {
                let toggle = g == DiagramGesture::Toggle;
                let lanes = crate::viewmodel::diagram::Lanes::of(self.nodes(), self.selected);
                let now = self.now();
                self.diagram.apply(g, now, &lanes);
                if toggle {
                    self.diagram.reset(self.now());
                    self.keep_log();
                }
            }
        }
    }

    /// The same run from its start, with the loss set in the form.
    fn reset(&mut self) {
        let mut base = self.base.clone();
        base.network.loss = self.loss;
        match Swarm::load(base, None, self.preset) {
            Ok(s) => self.replace(s),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Every link's loss from now on; an impossible one is refused.
    fn set_loss(&mut self, p: f64) {
        if !(0.0..=1.0).contains(&p) || p.is_nan() {
            self.error = Some(format!("Loss must be between 0 and 1, not {p}."));
            return;
        }
        self.error = None;
        self.loss = p;
        let link = LinkSpec { loss: p, ..self.base.network.clone() };
        self.act(Action::SetNetwork { link });
    }

    /// Runs the epidemic with new parameters; impossible ones are refused
    /// and the current run kept.
    fn configure(&mut self, nodes: u32, mode: Mode, exchange: Exchange, k: u32, fanout: u32) {
        let mut s = self.base.clone();
        let spec = match &s.protocol {
            ProtocolSpec::Gossip(g) => g.clone(),
            _ => Default::default(),
        };
        s.protocol = ProtocolSpec::Gossip(crate::protocols::gossip::GossipSpec {
            mode,
            exchange,
            k,
            feedback: true,
            counter: true,
            fanout,
            ..spec
        });
        s.nodes = nodes;
        s.network.loss = self.loss;
        s.timeline.clear();
        s.expect = None;
        match s.validate().and_then(|()| Swarm::load(s, None, self.preset)).map_err(|e| e.to_string()) {
            Ok(new) => self.replace(new),
            Err(e) => self.error = Some(format!("Not applied: {e}.")),
        }
    }

    fn tick(&mut self, wall_ms: f64) {
        let gap = self.last_wall.map_or(0.0, |l| wall_ms - l);
        let dt = gap.clamp(0.0, 100.0);
        self.last_wall = Some(wall_ms);
        if !self.playing {
            return;
        }
        let advance = dt * 1000.0 * self.speed + self.carry;
        self.carry = advance.fract();
        let target = self.now() + (advance as Time).min(5_000_000);
        let budget = self.frame_budget.next(gap);
        self.advance_within(target, budget);
    }

    /// The preset's (or file's) explanation.
    pub fn explanation(&self) -> (&str, &str) {
        (&self.base.name, &self.base.description)
    }
}

/// What a SWIM member looks like: by `observer`'s view, or by the majority
/// view among live members.
/// A member's colour: what the group (its majority, or the chosen
/// observer) believes of it. A crashed member too is coloured by what the
/// others believe, so suspicion and failure are seen spreading; the view
/// rings it ([`Swarm::crashed`]).
fn swim_look(s: &Sim<Swim>, i: NodeId, observer: Option<NodeId>) -> Look {
    if s.status(i) == NodeStatus::Paused {
        return Look::Paused;
    }
    let status = match observer.and_then(|o| s.node(o)) {
        Some(o) => o.status_of(i),
        None => {
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
