//! Compare mode: two or three variants of a design side by side under one
//! clock (a comparison file, an example, or two forks of one run).
//!
//! The variants share the page's play, pause, speed and scrubber: a frame
//! runs every variant to the same simulated instant, and a seek moves them
//! all. A fault made by hand in one variant's column (a crash from its
//! menu, a partition dragged across it, a cut link) is recorded in that
//! variant and then made, at the same instant, in every other one, unless
//! the variants are set to go their own ways (as two forks are). The
//! figures of each variant at the instant showing sit side by side, with
//! each one's difference from the first.

use super::boards::{AnyBoard, Run};
use super::playground::{Gesture, Playground};
use super::seen::raft::Raft;
use super::seen::store::StoreNode;
use super::swarm::Swarm;
use crate::protocols::registry::View;
use crate::scenario::compare::{Comparison, Variant};
use crate::scenario::{Action, Scenario, MAX_DURATION_US, VERSION};
use crate::sim::Time;

/// The examples the page offers: (id, the menu's title), the files in
/// `static/comparisons/`.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("prevote", "PreVote on and off"),
    ("checkquorum", "CheckQuorum on and off"),
    ("witness", "A witness against a full server"),
    ("rumor-k", "Rumor mongering, k = 1 against k = 4"),
    ("lww-vs-siblings", "Last writer wins against version vectors"),
    ("raft-vs-store", "Raft against the store under one partition"),
    ("paxos-backoff", "Paxos: a fixed retry against random back-off"),
];

/// An example's JSON: built in, or (the page's build) fetched with the
/// page alongside the presets.
pub fn example(id: &str) -> Option<&'static str> {
    let i = EXAMPLES.iter().position(|e| e.0 == id)?;
    #[cfg(not(feature = "fetch-presets"))]
    return Some(
        [
            include_str!("../../static/comparisons/prevote.json"),
            include_str!("../../static/comparisons/checkquorum.json"),
            include_str!("../../static/comparisons/witness.json"),
            include_str!("../../static/comparisons/rumor-k.json"),
            include_str!("../../static/comparisons/lww-vs-siblings.json"),
            include_str!("../../static/comparisons/raft-vs-store.json"),
            include_str!("../../static/comparisons/paxos-backoff.json"),
        ][i],
    );
    #[cfg(feature = "fetch-presets")]
    FETCHED.get(i)
}

/// The examples' JSON, fetched with the page (in the order of [`EXAMPLES`]).
#[cfg(feature = "fetch-presets")]
pub static FETCHED: crate::scenario::presets::Fetched = crate::scenario::presets::Fetched::new();

/// How far `→` and `←` move every variant.
pub const STEP_US: Time = 10_000;

/// One variant's run, in the model of its protocol's view.
pub enum Side {
    Raft(Box<Playground<Raft>>),
    Store(Box<Playground<StoreNode>>),
    Swarm(Box<Swarm>),
    /// A protocol of the board view.
    Board(Box<AnyBoard>),
}

impl Side {
    fn open(scenario: Scenario, at: Time) -> Result<Side, String> {
        let load = |scenario| Gesture::Load { scenario: Box::new(scenario), at_us: Some(at), playing: false };
        let side = match scenario.protocol.kind().view() {
            View::Raft => {
                let mut pg = Playground::<Raft>::open();
                pg.apply(load(scenario));
                Side::Raft(Box::new(pg))
            }
            View::Store => {
                let mut pg = Playground::<StoreNode>::open();
                pg.apply(load(scenario));
                Side::Store(Box::new(pg))
            }
            View::Swarm => {
                let mut s = Swarm::load(scenario, Some(at), "").map_err(|e| e.to_string())?;
                s.playing = false;
                Side::Swarm(Box::new(s))
            }
            View::Board => {
                let mut b = AnyBoard::open(scenario.protocol.kind()).expect("the registry's board protocols open");
                b.run_mut().apply(load(scenario));
                Side::Board(Box::new(b))
            }
        };
        match side.error() {
            Some(e) => Err(e.clone()),
            None => Ok(side),
        }
    }

    /// The run of a side on a playground (every side but the swarm's),
    /// through the board view's [`Run`], which every playground answers.
    fn run(&self) -> Result<&dyn Run, &Swarm> {
        match self {
            Side::Raft(p) => Ok(&**p),
            Side::Store(p) => Ok(&**p),
            Side::Board(b) => Ok(b.run()),
            Side::Swarm(s) => Err(s),
        }
    }

    fn run_mut(&mut self) -> Result<&mut dyn Run, &mut Swarm> {
        match self {
            Side::Raft(p) => Ok(&mut **p),
            Side::Store(p) => Ok(&mut **p),
            Side::Board(b) => Ok(b.run_mut()),
            Side::Swarm(s) => Err(s),
        }
    }

    pub fn now(&self) -> Time {
        self.run().map_or_else(Swarm::now, Run::now)
    }

    pub fn scenario(&self) -> &Scenario {
        self.run().map_or_else(Swarm::scenario, Run::scenario)
    }

    pub fn error(&self) -> Option<&String> {
        self.run().map_or_else(|s| s.error.as_ref(), Run::error)
    }

    fn violations(&self) -> usize {
        self.run().map_or_else(|s| s.violations().len(), Run::violations)
    }

    fn end(&self) -> Time {
        self.run().map_or_else(|s| s.end, Run::end)
    }

    fn gesture(&mut self, g: Gesture) {
        use super::swarm::SwarmGesture as S;
        match self.run_mut() {
            Ok(r) => r.apply(g),
            Err(s) => s.apply(match g {
                Gesture::Tick { wall_ms } => S::Tick { wall_ms },
                Gesture::Advance(t) => S::Advance(t),
                Gesture::GoTo(t) => S::GoTo(t),
                Gesture::Reset => S::Reset,
                Gesture::Select(n) => S::Select(n),
                Gesture::DismissError => {
                    s.error = None;
                    return;
                }
                _ => return,
            }),
        }
        // Only the comparison's clock moves a variant (a reset, say, would
        // set a run playing on its own).
        match self.run_mut() {
            Ok(r) => r.set_playing(false),
            Err(s) => s.playing = false,
        }
    }

    /// Makes a fault now and records it.
    fn act(&mut self, a: Action) {
        match self {
            Side::Swarm(s) => s.act(a),
            _ => self.gesture(Gesture::Do(a)),
        }
    }

    /// The figures of the run so far, by name: the messages and safety of
    /// every protocol, then the protocol's own.
    pub fn figures(&self) -> Vec<(&'static str, f64)> {
        let [sent, delivered, dropped] = self.run().map_or_else(Swarm::message_counts, Run::messages);
        let mut out = vec![
            ("messages sent", sent as f64),
            ("messages delivered", delivered as f64),
            ("messages dropped", dropped as f64),
            ("safety violations", self.violations() as f64),
        ];
        out.extend(match self {
            Side::Raft(p) => raft_figures(p),
            Side::Store(p) => store_figures(p),
            Side::Swarm(s) => swarm_figures(s),
            Side::Board(b) => b.run().figures(),
        });
        out
    }
}

fn raft_figures(p: &Playground<Raft>) -> Vec<(&'static str, f64)> {
    let o = p.observed();
    let c = p.metrics().protocol;
    let now = p.now();
    // Time with no leader: the run so far less the union of the leaders' spans.
    let led = crate::stats::covered(o.leaders.iter().map(|s| (s.from, s.to.unwrap_or(now).min(now))).collect());
    let mut latency: Vec<f64> = o.commit_latency_us().map(|us| us as f64 / 1000.0).collect();
    crate::stats::sort_f64(&mut latency);
    let pct = |q| if latency.is_empty() { f64::NAN } else { crate::stats::percentile(&latency, q) };
    let share = if c.client_requests == 0 { f64::NAN } else { latency.len() as f64 / c.client_requests as f64 * 100.0 };
    vec![
        ("elections", c.elections as f64),
        ("leader changes", c.leader_changes as f64),
        ("highest term", c.max_term as f64),
        ("time without a leader (ms)", now.saturating_sub(led) as f64 / 1000.0),
        ("client writes sent", c.client_requests as f64),
        ("client writes committed (%)", share),
        ("commit latency p50 (ms)", pct(0.5)),
        ("commit latency p99 (ms)", pct(0.99)),
    ]
}

fn store_figures(p: &Playground<StoreNode>) -> Vec<(&'static str, f64)> {
    let o = p.observed();
    let c = &o.counts;
    let frac = |s: &crate::protocols::store::counts::Served| s.fraction().map_or(f64::NAN, |f| f * 100.0);
    vec![
        ("answered, connected (%)", frac(&c.connected)),
        ("answered, majority side (%)", frac(&c.majority_side)),
        ("answered, minority side (%)", frac(&c.minority_side)),
        ("reads", c.reads as f64),
        ("stale reads", c.stale_reads as f64),
        ("writes acknowledged", c.writes_acked as f64),
        ("lost writes", c.lost_writes as f64),
        ("divergent keys now", f64::from(o.divergence(p.now()).1)),
        ("repair bytes", c.repair_bytes() as f64),
    ]
}

fn swarm_figures(s: &Swarm) -> Vec<(&'static str, f64)> {
    let mut out = vec![("informed (%)", s.fraction_informed() * 100.0)];
    if !s.detections.is_empty() || s.false_positives > 0 {
        out.push(("crashes detected", s.detections.iter().filter(|d| d.2.is_some()).count() as f64));
        out.push(("false positives", s.false_positives as f64));
    }
    out
}

/// What a person can do in compare mode.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareGesture {
    /// Open a comparison (JSON), paused at an instant if given.
    Open {
        text: String,
        at_us: Option<Time>,
    },
    /// Two forks of one run, from `at_us` on, each going its own way.
    Fork {
        scenario: Box<Scenario>,
        at_us: Time,
    },
    Close,
    Tick {
        wall_ms: f64,
    },
    TogglePlay,
    Faster,
    Slower,
    /// Move every variant this far on, or back (`←`), and pause.
    Advance(Time),
    Back(Time),
    Seek(Time),
    Reset,
    /// A gesture in one variant's column.
    On(usize, Gesture),
    /// A fault for every variant (the fault bar, the keys).
    Fault(Action),
    /// Whether a fault made in one column stays in it.
    Apart(bool),
    Share,
    Shared(String),
    CloseShare,
    Export,
    ShowError(String),
    DismissError,
    /// Close the open menus and the share box.
    Escape,
}

/// The compare mode's model: closed while it has no variants.
#[derive(Default)]
pub struct Compare {
    pub name: String,
    pub description: String,
    pub labels: Vec<String>,
    pub sides: Vec<Side>,
    pub playing: bool,
    pub speed: f64,
    /// A fault made in one column stays there (forks); else every variant
    /// gets it.
    pub apart: bool,
    pub error: Option<String>,
    /// The fragment of the last share link made.
    pub share: Option<String>,
    seen_violations: usize,
    last_wall: Option<f64>,
    carry: f64,
}

impl Compare {
    pub fn is_open(&self) -> bool {
        !self.sides.is_empty()
    }

    /// The instant showing: the earliest of the variants' (they agree
    /// unless one stopped at a cap).
    pub fn now(&self) -> Time {
        self.sides.iter().map(Side::now).min().unwrap_or(0)
    }

    /// How far the scrubber reaches: the furthest any variant has run, or
    /// the longest scenario.
    pub fn end(&self) -> Time {
        let run = self.sides.iter().map(Side::end).max().unwrap_or(0);
        let planned = self.sides.iter().map(|s| s.scenario().duration_ms.us()).max().unwrap_or(0);
        run.max(planned).min(MAX_DURATION_US)
    }

    /// A comparison from its JSON, or why not.
    pub fn parse(text: &str, at: Option<Time>) -> Result<Compare, String> {
        let (c, scenarios) = Comparison::from_json(text).map_err(|e| e.to_string())?;
        let at = at.unwrap_or(0);
        let mut sides = Vec::new();
        for (v, s) in c.variants.iter().zip(scenarios) {
            sides.push(Side::open(s, at).map_err(|e| format!("variant '{}': {e}", v.label))?);
        }
        Ok(Compare {
            name: c.name,
            description: c.description,
            labels: c.variants.into_iter().map(|v| v.label).collect(),
            sides,
            speed: 1.0,
            ..Compare::default()
        })
    }

    /// The comparison as it is now: each variant's scenario with what was
    /// done to it by hand.
    pub fn comparison(&self) -> Comparison {
        Comparison {
            version: VERSION,
            name: self.name.clone(),
            description: self.description.clone(),
            variants: self
                .labels
                .iter()
                .zip(&self.sides)
                .map(|(l, s)| Variant {
                    label: l.clone(),
                    preset: None,
                    scenario: Some(Box::new(s.scenario().clone())),
                })
                .collect(),
            seed: None,
            timeline: None,
        }
    }

    pub fn to_json(&self) -> String {
        crate::scenario::pretty::indent(&serde_json::to_string(&self.comparison()).unwrap_or_default())
    }

    fn all(&mut self, g: Gesture) {
        self.sides.iter_mut().for_each(|s| s.gesture(g.clone()));
    }

    fn pause_on_news(&mut self) {
        let v = self.sides.iter().map(Side::violations).sum();
        if v > self.seen_violations || self.sides.iter().any(|s| s.error().is_some()) {
            self.playing = false;
        }
        self.seen_violations = v;
    }

    /// Runs every variant to `t` (on past where they have been, or back).
    fn go_to(&mut self, t: Time) {
        self.all(Gesture::GoTo(t.min(MAX_DURATION_US)));
        self.last_wall = None;
        self.seen_violations = self.sides.iter().map(Side::violations).sum();
    }

    fn tick(&mut self, wall_ms: f64) {
        self.all(Gesture::Tick { wall_ms });
        let gap = self.last_wall.map_or(0.0, |l| wall_ms - l).clamp(0.0, 100.0);
        self.last_wall = Some(wall_ms);
        if !self.playing {
            return;
        }
        let advance = gap * 1000.0 * self.speed + self.carry;
        self.carry = advance.fract();
        let target = (self.now() + (advance as Time).min(2_000_000)).min(MAX_DURATION_US);
        // In the page a frame stops once its share of wall time is spent
        // (as a single view's does). The variants move in lockstep rounds,
        // every one to the same instant, so a frame cut short leaves them
        // together; a round is an eighth of the frame's advance, at least
        // 1 ms. Without a clock (natively) a frame runs to its target.
        let clock = crate::viewmodel::wall_clock();
        let start = clock.map_or(0.0, |c| c());
        let round = ((target - self.now()) / 8).max(1_000);
        let mut t = self.now();
        while t < target {
            t = (t + round).min(target);
            for s in &mut self.sides {
                let dt = t.saturating_sub(s.now());
                if dt > 0 {
                    s.gesture(Gesture::Advance(dt));
                }
            }
            if clock.is_some_and(|c| c() - start > super::playground::FRAME_SIM_MS) {
                break;
            }
        }
        self.pause_on_news();
    }

    /// A gesture in column `i`: it goes to that variant, and a fault it
    /// recorded goes to the others too (unless they go their own ways).
    fn on(&mut self, i: usize, g: Gesture) {
        let Some(side) = self.sides.get_mut(i) else { return };
        // An action made now is recorded after those already at this
        // instant: the new ones are the last of them.
        let now = side.now();
        let at_now = |s: &Side| s.scenario().timeline.iter().filter(|t| t.at.us() == now).count();
        let before = at_now(side);
        side.gesture(g);
        let timeline = &side.scenario().timeline;
        let new: Vec<Action> =
            timeline.iter().filter(|t| t.at.us() == now).skip(before).map(|t| t.action.clone()).collect();
        if self.apart || new.is_empty() {
            return;
        }
        for (j, s) in self.sides.iter_mut().enumerate() {
            if j != i {
                new.iter().for_each(|a| s.act(a.clone()));
            }
        }
        self.pause_on_news();
    }

    /// Shows a newly opened comparison at the speed showing, or says why
    /// it could not open and keeps this one.
    fn replace(&mut self, opened: Result<Compare, String>) {
        match opened {
            Ok(c) => *self = Compare { speed: if self.speed > 0.0 { self.speed } else { 1.0 }, ..c },
            Err(e) => self.error = Some(format!("This comparison could not be opened: {e}. Nothing was changed.")),
        }
    }

    pub fn apply(&mut self, g: CompareGesture) {
        use CompareGesture as G;
        match g {
            G::Open { text, at_us } => self.replace(Compare::parse(&text, at_us)),
            G::Fork { scenario, at_us } => {
                let fork = || Side::open((*scenario).clone(), at_us);
                let opened = fork().and_then(|a| Ok(vec![a, fork()?])).map(|sides| Compare {
                    name: format!("{}: two forks at {:.3} s", scenario.name, at_us as f64 / 1e6),
                    description:
                        "The same run up to this instant. Make a different fault in each column to see where they part."
                            .into(),
                    labels: vec!["this run".into(), "the fork".into()],
                    sides,
                    apart: true,
                    ..Compare::default()
                });
                self.replace(opened);
            }
            G::Close => *self = Compare { speed: self.speed, ..Compare::default() },
            G::Tick { wall_ms } => self.tick(wall_ms),
            G::TogglePlay => {
                self.playing = !self.playing && self.is_open();
                self.last_wall = None;
            }
            G::Faster => self.speed = super::playground::step_speed(self.speed, true),
            G::Slower => self.speed = super::playground::step_speed(self.speed, false),
            G::Advance(dt) => {
                self.playing = false;
                self.go_to(self.now().saturating_add(dt));
            }
            G::Back(dt) => {
                self.playing = false;
                self.go_to(self.now().saturating_sub(dt));
            }
            G::Seek(t) => {
                self.playing = false;
                self.go_to(t);
            }
            G::Reset => {
                self.all(Gesture::Reset);
                self.playing = false;
                self.seen_violations = 0;
            }
            G::On(i, g) => self.on(i, g),
            G::Fault(a) => {
                self.sides.iter_mut().for_each(|s| s.act(a.clone()));
                self.pause_on_news();
            }
            G::Apart(b) => self.apart = b,
            // In the browser the page deflates the link and sends `Shared`.
            #[cfg(not(target_arch = "wasm32"))]
            G::Share => {
                let json = serde_json::to_string(&self.comparison()).unwrap_or_default();
                let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
                self.share = Some(crate::scenario::codec::compare_fragment_of(&packed, self.now()));
            }
            #[cfg(target_arch = "wasm32")]
            G::Share => {}
            G::Shared(f) => self.share = Some(f),
            G::CloseShare => self.share = None,
            G::Export => {}
            G::ShowError(e) => self.error = Some(e),
            G::Escape => {
                self.share = None;
                self.all(Gesture::OpenMenu(None));
            }
            G::DismissError => {
                self.error = None;
                self.all(Gesture::DismissError);
            }
        }
    }
}

/// The comparison a `compare=` link names: an example's id, or a payload
/// (a deflated comparison, as share links carry scenarios).
pub fn from_link(value: &str) -> Result<String, String> {
    if let Some(json) = example(value) {
        return Ok(json.to_string());
    }
    crate::scenario::codec::unpack(value).map_err(|e| {
        let ids: Vec<&str> = EXAMPLES.iter().map(|e| e.0).collect();
        format!("'{value}' is neither an example ({}) nor a comparison link: {e}", ids.join(", "))
    })
}
