//! The playground's model: the simulation plus everything the page shows,
//! changed only through named [`Gesture`]s. No Yew here: the UI components
//! only draw this and send actions, and native tests drive it directly.

use crate::protocols::raft::invariants::Property;
use crate::protocols::raft::Raft;
use crate::scenario::travel::{Mark, Travel};
use crate::scenario::{codec, presets, Action as Timeline, Logged, Runner, Scenario, Target};
use crate::sim::invariant::Violation;
use crate::sim::{NodeId, Sim, Time};
use crate::viewmodel::diagram::{Diagram, DiagramGesture};
use std::collections::VecDeque;

mod board;
mod edit;
mod frames;
pub(crate) use frames::FRAME_SIM_MS;
pub mod settings;
mod view;

pub use board::{knob_text, set_knob, Board, Knob, KnobKind};
pub use edit::{action_json, action_summary, refused, Edit, History};
pub use view::{layout, node_radius, NodeView, LOG_KINDS, STORE_LOG_KINDS, VIEW_HALF};

/// The slowest and fastest speeds, as multiples of real time.
pub const MIN_SPEED: f64 = 0.01;
pub const MAX_SPEED: f64 = 100.0;
/// Speeds that `[` and `]` step through.
pub const SPEED_STEPS: [f64; 13] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];

/// The next speed step above (`faster`) or below `speed`, within the limits:
/// what `]` and `[` do in every view.
pub fn step_speed(speed: f64, faster: bool) -> f64 {
    if faster {
        SPEED_STEPS.iter().copied().find(|s| *s > speed * 1.001).unwrap_or(MAX_SPEED)
    } else {
        SPEED_STEPS.iter().rev().copied().find(|s| *s < speed * 0.999).unwrap_or(MIN_SPEED)
    }
}
/// Events kept in the event log.
pub const LOG_CAP: usize = 1500;
/// Messages the cluster view draws at most (a storm has hundreds of
/// thousands on the wire, and an SVG element each would freeze the page).
pub const MAX_DRAWN_MESSAGES: usize = 200;
/// How long (ms of real time) a dropped message stays drawn.
pub const DROP_FADE_MS: f64 = 900.0;
/// The most simulated time one frame may advance (keeps 100x smooth).
const MAX_FRAME_ADVANCE_US: Time = 2_000_000;

/// An open context menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    Node(NodeId),
    Link(NodeId, NodeId),
}

/// Everything a person can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Gesture {
    /// A frame: `wall_ms` is the page's clock (performance.now()).
    Tick {
        wall_ms: f64,
    },
    TogglePlay,
    /// Run to the next instant at which anything happens.
    Step,
    /// Run this much simulated time (µs) and pause: a step of known size,
    /// so what follows does not depend on how fast the machine is.
    Advance(Time),
    /// Esc: close the help overlay if it is open, else the open menu.
    Escape,
    /// On a narrow screen, show or hide the toolbar's secondary groups.
    ToggleToolbar,
    SetSpeed(f64),
    Faster,
    Slower,
    Reset,
    NewSeed(u64),
    Select(Option<NodeId>),
    OpenMenu(Option<Menu>),
    Highlight(Vec<NodeId>),
    ToggleHelp,
    DismissError,
    ShowError(String),
    /// A fault or command, recorded into the scenario's timeline.
    Do(Timeline),
    KillLeader,
    /// Partition these nodes from the rest.
    PartitionOff(Vec<NodeId>),
    /// Add a node to the group a partition will cut off, or take it out
    /// (the keyboard's way to partition a group).
    Pick(NodeId),
    /// Rubber-band selection on the cluster view, in view coordinates.
    DragStart(f64, f64),
    DragMove(f64, f64),
    DragEnd,
    /// Edit the draft scenario that the next reset loads.
    EditDraft(Box<Scenario>),
    /// Event log filters.
    FilterNode(Option<NodeId>),
    ToggleKind(&'static str),
    /// Time travel: go to a simulated instant (pauses the run).
    Seek(Time),
    /// Go to an instant, back in the run or on past its end (a bookmark,
    /// a tour's step), and pause there.
    GoTo(Time),
    /// Go back to the previous instant at which something happened.
    StepBack,
    /// Load a scenario (a preset, a link, an imported file, an autosave),
    /// optionally at a simulated time. Bad input keeps the current run.
    Load {
        scenario: Box<Scenario>,
        at_us: Option<Time>,
        playing: bool,
    },
    LoadPreset(&'static str),
    /// Load scenario JSON (an imported file); errors are shown, nothing lost.
    Import(String),
    /// Restore an autosave (JSON from `autosave`); silently ignored if bad.
    Restore(String),
    /// Make a share link for the run as it is now.
    Share,
    /// A share link made (the fragment, and the instant it replays to).
    Shared(String, Time),
    CloseShare,
    /// Download the scenario as a file: carried out by the view (it needs
    /// the browser), at click time; the model itself does nothing.
    Export,
    /// Ask the leader to add the lowest-numbered spare server.
    AddSpare,
    /// Open, close, filter or hover the space-time diagram.
    Diagram(DiagramGesture),
    /// Move, replace or delete a recorded action; undo, redo.
    Edit(Edit),
    /// Show this protocol's run (the board view, which holds one per
    /// protocol; a playground of one protocol has nothing to do).
    Protocol(crate::protocols::registry::ProtocolKind),
}

/// The playground state: one run of a protocol that has a [`Board`] (Raft,
/// the store), the controls around it, and what the page shows of it.
pub struct Playground<P: Board> {
    travel: Travel<P>,
    /// The scenario as loaded (preset, link, file): what a reset returns to.
    base: Scenario,
    /// The fragment (without `#`) of the last share link made, and the
    /// instant it replays to.
    pub share: Option<String>,
    pub shared_at: Time,
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<NodeId>,
    pub highlighted: Vec<NodeId>,
    /// Nodes picked for a group partition, in the order picked.
    pub picked: Vec<NodeId>,
    /// The timeline's edits, for Undo and Redo.
    history: History,
    pub menu: Option<Menu>,
    pub help_open: bool,
    /// On a narrow screen: the toolbar's secondary groups are shown.
    pub toolbar_open: bool,
    pub error: Option<String>,
    /// Recent sends, deliveries, duplicates and timers (they come fast).
    pub log: VecDeque<Logged>,
    /// Recent role changes, commits, commands, faults and drops, kept apart
    /// so that the chatty kinds do not push them out.
    pub notable: VecDeque<Logged>,
    /// Recently dropped messages: link and the wall time they dropped.
    pub drops: Vec<(NodeId, NodeId, f64)>,
    pub drag: Option<(f64, f64, f64, f64)>,
    /// The settings form: the scenario the next reset loads.
    pub draft: std::rc::Rc<Scenario>,
    pub log_node: Option<NodeId>,
    /// Event kinds hidden from the log.
    pub hidden_kinds: Vec<&'static str>,
    /// The space-time diagram.
    pub diagram: Diagram,
    last_wall: Option<f64>,
    wall_now: f64,
    carry_us: f64,
    frame_budget: crate::scenario::travel::FrameBudget,
    violations_seen: usize,
    /// Counts changes to the recorded timeline (a load, a reset, an edit,
    /// an action), so that what is drawn from it is redrawn only then.
    timeline_rev: u64,
}

impl<P: Board> Playground<P> {
    /// The playground on its protocol's default scenario.
    pub fn open() -> Self {
        let base = P::default_scenario();
        let runner = Self::runner_for(&base).expect("the default scenario is valid");
        let mut pg = Playground {
            travel: Travel::new(runner),
            draft: std::rc::Rc::new(base.clone()),
            base,
            share: None,
            shared_at: 0,
            drag: None,
            log_node: None,
            hidden_kinds: vec!["send", "deliver"],
            diagram: Diagram::default(),
            playing: crate::viewmodel::autoplay(),
            speed: 0.05,
            selected: None,
            highlighted: Vec::new(),
            picked: Vec::new(),
            history: History::default(),
            menu: None,
            help_open: false,
            toolbar_open: false,
            error: None,
            log: VecDeque::new(),
            notable: VecDeque::new(),
            drops: Vec::new(),
            last_wall: None,
            wall_now: 0.0,
            carry_us: 0.0,
            frame_budget: Default::default(),
            violations_seen: 0,
            timeline_rev: 0,
        };
        pg.collect(Vec::new());
        pg
    }

    fn runner_for(scenario: &Scenario) -> Result<Runner<P>, String> {
        let mut r = Runner::<P>::build(scenario.clone()).map_err(|e| e.to_string())?;
        r.record_tail(Some(LOG_CAP));
        r.sample_in_flight(MAX_DRAWN_MESSAGES);
        Ok(r)
    }

    // ----- getters -----

    pub fn sim(&self) -> &Sim<P> {
        self.travel.runner().sim()
    }

    /// The scenario as it will replay: what was loaded plus what was done.
    pub fn scenario(&self) -> &Scenario {
        &self.travel.runner().scenario
    }

    /// The scenario as loaded, before anything was done by hand.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// The furthest simulated time this run has reached.
    pub fn end(&self) -> Time {
        self.travel.end()
    }

    /// Faults, leader changes and violations, for the scrubber.
    pub fn marks(&self) -> &[Mark] {
        self.travel.marks()
    }

    /// The autosave: the scenario and the current time, as JSON.
    pub fn autosave(&self) -> String {
        codec::Saved { scenario: self.scenario().clone(), at_us: self.now() }.to_json()
    }

    pub fn now(&self) -> Time {
        self.sim().now()
    }

    pub fn violations(&self) -> &[Violation] {
        self.travel.runner().violations()
    }

    /// The scenario's alerts that fired so far.
    pub fn alerts(&self) -> &[crate::scenario::alerts::Fired] {
        self.travel.runner().alerts()
    }

    pub fn wall_now(&self) -> f64 {
        self.wall_now
    }

    /// The live leader (with the highest term), if the protocol has one.
    pub fn leader(&self) -> Option<NodeId> {
        P::leader(self.sim())
    }

    /// The series behind the metrics panel.
    pub fn observed(&self) -> &P::Observer {
        self.travel.runner().observed()
    }

    /// Changes whenever the recorded timeline may have.
    pub fn timeline_rev(&self) -> u64 {
        self.timeline_rev
    }

    /// The run's counts so far (messages, and the protocol's own).
    pub fn metrics(&self) -> crate::scenario::Metrics<<P::Observer as crate::contract::Observer<P>>::Counts> {
        self.travel.runner().metrics()
    }

    /// The nodes in the configuration, as a bit set.
    pub fn cluster_members(&self) -> u32 {
        P::members(self.sim())
    }

    /// The lowest-numbered node outside the configuration.
    pub fn spare(&self) -> Option<NodeId> {
        let m = self.cluster_members();
        (0..self.sim().len()).find(|n| m & (1 << n) == 0)
    }

    /// Whether the property of this name has failed in this run.
    pub fn failed_named(&self, name: &str) -> Option<&Violation> {
        self.violations().iter().find(|v| v.property == name)
    }

    // ----- the reducer -----

    pub fn apply(&mut self, action: Gesture) {
        match action {
            Gesture::Tick { wall_ms } => self.tick(wall_ms),
            Gesture::TogglePlay => {
                self.playing = !self.playing;
                self.last_wall = None;
            }
            Gesture::Step | Gesture::Advance(_) | Gesture::Seek(_) | Gesture::GoTo(_) | Gesture::StepBack => {
                self.travel_by(action)
            }
            Gesture::Escape if self.help_open => self.help_open = false,
            Gesture::Escape => self.apply(Gesture::OpenMenu(None)),
            Gesture::ToggleToolbar => self.toolbar_open = !self.toolbar_open,
            Gesture::Load { scenario, at_us, playing } => {
                self.history = History::default();
                self.load(*scenario, at_us, playing)
            }
            Gesture::LoadPreset(id) => {
                self.history = History::default();
                self.load_preset(id)
            }
            Gesture::Import(text) => {
                self.history = History::default();
                self.import(&text)
            }
            Gesture::Edit(e) => self.edit(e),
            Gesture::Restore(text) => {
                if let Some(a) = codec::Saved::from_json(&text) {
                    self.load(a.scenario, Some(a.at_us), false);
                }
            }
            // In the browser the view deflates the link and sends `Shared`.
            #[cfg(not(target_arch = "wasm32"))]
            Gesture::Share => self.apply(Gesture::Shared(codec::fragment(self.scenario(), self.now()), self.now())),
            #[cfg(target_arch = "wasm32")]
            Gesture::Share => {}
            Gesture::Shared(fragment, at) => {
                self.shared_at = at;
                self.share = Some(fragment);
            }
            Gesture::Export => {}
            Gesture::CloseShare => self.share = None,
            Gesture::SetSpeed(s) => self.speed = s.clamp(MIN_SPEED, MAX_SPEED),
            Gesture::Faster => self.speed = step_speed(self.speed, true),
            Gesture::Slower => self.speed = step_speed(self.speed, false),
            Gesture::Reset => match Self::validate(&self.draft) {
                Ok(()) => {
                    self.reset();
                    self.playing = crate::viewmodel::autoplay();
                }
                Err(e) => self.error = Some(e),
            },
            Gesture::NewSeed(seed) => {
                std::rc::Rc::make_mut(&mut self.draft).seed = seed;
                self.apply(Gesture::Reset);
            }
            Gesture::EditDraft(s) => self.draft = std::rc::Rc::new(*s),
            Gesture::DragStart(x, y) => {
                self.menu = None;
                self.drag = Some((x, y, x, y));
            }
            Gesture::DragMove(x, y) => self.drag = self.drag.map(|(x0, y0, _, _)| (x0, y0, x, y)),
            Gesture::DragEnd => self.drag_end(),
            Gesture::FilterNode(n) => self.log_node = n,
            Gesture::ToggleKind(k) => match self.hidden_kinds.iter().position(|h| *h == k) {
                Some(i) => {
                    self.hidden_kinds.remove(i);
                }
                None => self.hidden_kinds.push(k),
            },
            Gesture::Select(n) => {
                self.selected = n;
                self.menu = None;
            }
            Gesture::OpenMenu(m) => {
                if let Some(Menu::Node(n)) = m {
                    self.selected = Some(n);
                }
                self.menu = m;
            }
            Gesture::Highlight(nodes) => self.highlighted = nodes,
            Gesture::Diagram(g) => {
                let lanes = crate::viewmodel::diagram::Lanes::of(self.sim().len(), self.selected);
                let now = self.now();
                self.diagram.apply(g, now, &lanes);
            }
            Gesture::ToggleHelp => self.help_open = !self.help_open,
            Gesture::DismissError => self.error = None,
            Gesture::ShowError(e) => self.error = Some(e),
            Gesture::Do(a) => self.act(a),
            Gesture::AddSpare => self.add_spare(),
            Gesture::Protocol(_) => {}
            Gesture::KillLeader => match self.leader() {
                Some(l) => self.act(Timeline::Crash { node: Target::Node(l) }),
                None => self.error = Some("There is no leader to kill right now.".into()),
            },
            Gesture::PartitionOff(nodes) => {
                if !nodes.is_empty() && nodes.len() < self.base.nodes as usize {
                    self.act(Timeline::Partition { groups: vec![nodes] });
                    self.picked.clear();
                    self.menu = None;
                }
            }
            Gesture::Pick(i) if i < self.base.nodes => {
                match self.picked.iter().position(|p| *p == i) {
                    Some(k) => {
                        self.picked.remove(k);
                    }
                    None => self.picked.push(i),
                }
                self.menu = None;
            }
            Gesture::Pick(_) => {}
        }
    }

    fn load_preset(&mut self, id: &str) {
        match presets::find(id).map(|p| p.scenario()) {
            Some(Ok(s)) => self.load(s, None, true),
            Some(Err(e)) => self.error = Some(format!("The preset '{id}' is broken: {e}")),
            None => self.error = Some(format!("There is no preset '{id}'.")),
        }
    }

    /// A scenario file; a bad one is reported and the current run kept.
    fn import(&mut self, text: &str) {
        match Scenario::from_json(text) {
            Ok(s) => self.load(s, None, true),
            Err(e) => self.error = Some(format!("That file was not loaded: {e}. The current scenario is unchanged.")),
        }
    }

    /// The end of a drag: a click on the background deselects; a rectangle
    /// partitions off the nodes inside it.
    fn drag_end(&mut self) {
        let Some((x0, y0, x1, y1)) = self.drag.take() else { return };
        let (lx, hx, ly, hy) = (x0.min(x1), x0.max(x1), y0.min(y1), y0.max(y1));
        if hx - lx < 6.0 && hy - ly < 6.0 {
            self.selected = None;
            return;
        }
        let n = self.base.nodes;
        let inside: Vec<NodeId> = (0..n)
            .filter(|i| {
                let (x, y) = layout(*i, n);
                (lx..=hx).contains(&x) && (ly..=hy).contains(&y)
            })
            .collect();
        self.apply(Gesture::PartitionOff(inside));
    }

    /// `a`: ask the leader to add a spare server.
    fn add_spare(&mut self) {
        match (self.spare(), self.leader()) {
            (Some(n), Some(_)) => self.act(Timeline::AddServer { node: n }),
            (None, _) => {
                self.error = Some(
                    "Every server is already a member. Open the \"Membership change\" preset, or load a scenario whose \"members\" lists fewer servers than \"nodes\"."
                        .into(),
                )
            }
            (Some(_), None) => self.error = Some("There is no leader to ask for a membership change right now.".into()),
        }
    }

    /// Whether the settings form's scenario can run, ignoring its timeline
    /// (a reset drops a timeline that names nodes that no longer exist).
    fn validate(s: &Scenario) -> Result<(), String> {
        if !(3..=P::MAX_VIEW_NODES).contains(&s.nodes) {
            return Err(format!("The playground runs 3 to {} nodes, not {}.", P::MAX_VIEW_NODES, s.nodes));
        }
        let bare = Scenario { timeline: Vec::new(), links: Vec::new(), ..s.clone() };
        Runner::<P>::build(bare).map(|_| ()).map_err(|e| format!("Those settings do not work: {e}"))
    }

    /// Restarts with the draft: what was done by hand is dropped; a
    /// preset's own timeline is kept.
    fn reset(&mut self) {
        let mut scenario = (*self.draft).clone();
        if scenario.validate().is_err() {
            scenario.timeline.clear(); // it named nodes that no longer exist
            scenario.links.clear();
        }
        match Self::runner_for(&scenario) {
            Ok(r) => {
                self.draft = std::rc::Rc::new(scenario.clone());
                self.start(r, scenario);
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn start(&mut self, runner: Runner<P>, base: Scenario) {
        self.travel = Travel::new(runner);
        self.timeline_rev += 1;
        self.base = base;
        self.log.clear();
        self.notable.clear();
        self.drops.clear();
        self.diagram.reset(0);
        self.highlighted.clear();
        self.picked.clear();
        self.menu = None;
        self.share = None;
        self.selected = self.selected.filter(|n| *n < self.base.nodes);
        self.violations_seen = 0;
        self.carry_us = 0.0;
        self.last_wall = None;
        self.collect(Vec::new());
    }

    /// Loads a scenario; on error, says why and keeps the current run.
    fn load(&mut self, scenario: Scenario, at_us: Option<Time>, playing: bool) {
        if scenario.protocol.name() != P::KIND.name() {
            self.error = Some(format!(
                "That is a {} scenario; this view runs {} scenarios. The current one is unchanged.",
                scenario.protocol.name(),
                P::KIND.name()
            ));
            return;
        }
        let runner = match Self::runner_for(&scenario) {
            Ok(r) => r,
            Err(e) => {
                self.error = Some(format!("That scenario was not loaded: {e}. The current one is unchanged."));
                return;
            }
        };
        self.draft = std::rc::Rc::new(scenario.clone());
        // The base is the scenario without anything recorded past `at_us`.
        self.start(runner, scenario);
        // Opened at its start, it plays only if the person allows motion;
        // opened at an instant (a link's t=, a tour's step), as asked.
        self.playing = playing && (at_us.is_some() || crate::viewmodel::autoplay());
        if let Some(t) = at_us {
            let events = self.travel.advance_to(t);
            self.collect(events);
            self.playing = playing && self.violations().is_empty();
        }
    }

    fn act(&mut self, a: Timeline) {
        self.menu = None;
        let events = self.travel.act(a);
        self.timeline_rev += 1;
        self.collect(events);
    }
}

impl<P: Board> Default for Playground<P> {
    fn default() -> Self {
        Self::open()
    }
}

impl Playground<Raft> {
    /// The Raft playground on its default scenario.
    pub fn new() -> Self {
        Self::open()
    }

    /// Whether a property has failed in this run.
    pub fn failed(&self, p: Property) -> Option<&Violation> {
        self.failed_named(p.name())
    }
}

#[cfg(test)]
mod tests;
