//! Epidemic dissemination (Demers et al., "Epidemic Algorithms for
//! Replicated Database Maintenance", PODC 1987): anti-entropy and rumor
//! mongering, as one pure state machine.
//!
//! Rounds are synchronous, as in the paper's simulations: every site's cycle
//! timer fires at the same instants (multiples of the period), and messages
//! (whose latency is far below the period) arrive within the cycle they were
//! sent in. A site infected in cycle `c` first spreads in cycle `c + 1`.
//!
//! One update is tracked. A site is *susceptible* (does not know it),
//! *infective* (knows it and spreads it) or *removed* (knows it, has lost
//! interest). Anti-entropy sites never lose interest.

pub mod no_unlearning;
mod observe;
mod spec;

pub use observe::{GossipCounts, GossipObserver};
pub use spec::{GossipSpec, MAX_SITES};

use crate::sim::protocol::{Ctx, Protocol};
use crate::sim::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Anti-entropy or rumor mongering (§1.2 of the paper).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    AntiEntropy,
    Rumor,
}

/// Who sends the update in an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exchange {
    Push,
    Pull,
    PushPull,
}

impl Exchange {
    fn pushes(self) -> bool {
        matches!(self, Exchange::Push | Exchange::PushPull)
    }
    fn pulls(self) -> bool {
        matches!(self, Exchange::Pull | Exchange::PushPull)
    }
}

/// When an infective site loses interest (§1.4): after contacts with sites
/// that already knew (feedback) or after any contact (blind); after `k` such
/// contacts in a row (counter: with feedback, a contact that informs its
/// partner starts the count again) or with probability 1/k each time (coin).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LossOfInterest {
    pub feedback: bool,
    pub counter: bool,
    pub k: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GossipConfig {
    pub nodes: u32,
    pub mode: Mode,
    pub exchange: Exchange,
    pub interest: LossOfInterest,
    /// Partners contacted per cycle by a spreading site.
    pub fanout: u32,
    pub period_us: u64,
    /// The site that starts with the update (at cycle 0).
    pub origin: NodeId,
    /// A deliberately broken variant, to show that its checker catches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug: Option<Bug>,
}

/// Deliberately broken variants of the protocol, one per checked property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// Anti-entropy that copies the partner's state instead of merging it:
    /// a pull answered with nothing makes the site forget the update.
    /// Breaks No Un-learning.
    ReplaceOnPull,
}

impl Bug {
    pub const ALL: [Bug; 1] = [Bug::ReplaceOnPull];
}

impl Default for GossipConfig {
    fn default() -> Self {
        GossipConfig {
            nodes: 1000,
            mode: Mode::Rumor,
            exchange: Exchange::Push,
            interest: LossOfInterest { feedback: true, counter: true, k: 1 },
            fanout: 1,
            period_us: 1_000_000,
            origin: 0,
            bug: None,
        }
    }
}

impl GossipConfig {
    pub fn validate(&self) -> Result<(), GossipConfigError> {
        use GossipConfigError as E;
        if self.nodes < 2 {
            return Err(E::TooFewSites(self.nodes));
        }
        if self.nodes > MAX_EXPERIMENT_SITES {
            return Err(E::TooManySites { max: MAX_EXPERIMENT_SITES, sites: self.nodes });
        }
        if u64::from(self.nodes) * u64::from(self.fanout) > MAX_CONTACTS_PER_CYCLE {
            return Err(E::TooManyContacts { sites: self.nodes, fanout: self.fanout });
        }
        if self.interest.k == 0 {
            return Err(E::ZeroK);
        }
        if self.fanout == 0 || self.fanout > self.nodes - 1 {
            return Err(E::Fanout { most: self.nodes - 1, fanout: self.fanout });
        }
        if self.period_us == 0 {
            return Err(E::ZeroPeriod);
        }
        if self.origin >= self.nodes {
            return Err(E::NoSuchOrigin(self.origin));
        }
        Ok(())
    }
}

/// A gossip configuration that cannot run, and why.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GossipConfigError {
    #[error("gossip needs at least 2 sites, not {0}")]
    TooFewSites(u32),
    #[error("gossip runs at most {max} sites, not {sites}")]
    TooManySites { max: u32, sites: u32 },
    /// More sites than a scenario (which the page draws) may have.
    #[error("a gossip scenario runs at most {max} sites, not {sites}")]
    ScenarioTooLarge { max: u32, sites: u32 },
    #[error("sites × fanout is at most {MAX_CONTACTS_PER_CYCLE} contacts per cycle (it bounds the messages in flight and the memory they take), not {sites} × {fanout}")]
    TooManyContacts { sites: u32, fanout: u32 },
    #[error("k must be at least 1 (k = 0 would lose interest before spreading)")]
    ZeroK,
    #[error("fanout must be between 1 and N - 1 = {most}, not {fanout}")]
    Fanout { most: u32, fanout: u32 },
    #[error("the cycle period must be positive")]
    ZeroPeriod,
    #[error("period_ms must be between 1 ms and one hour, not {0}")]
    Period(f64),
    #[error("origin site {0} does not exist")]
    NoSuchOrigin(NodeId),
}

/// The most sites of `splitbrain gossip` (a scenario, which the page draws,
/// has at most [`MAX_SITES`]). A million sites of push-pull anti-entropy
/// take about 0.85 GB (docs/limits.md).
pub const MAX_EXPERIMENT_SITES: u32 = 1_000_000;

/// The most contacts all sites together make in one cycle (sites × fanout):
/// each is a message in flight, so this bounds memory (see docs/limits.md).
pub const MAX_CONTACTS_PER_CYCLE: u64 = 1_000_000;

/// A site's state for the one update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteState {
    Susceptible,
    Infective,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Push: "here is the update" (anti-entropy: my copy of it).
    Push,
    /// Reply to a push: whether the recipient already knew (the feedback).
    PushReply { knew: bool },
    /// Pull: "send me what you have"; says whether the sender knows it.
    PullRequest { knows: bool },
    /// Reply to a pull, carrying the update or not.
    PullReply { update: bool },
}

impl Msg {
    /// Whether the message carries the update (counts as traffic).
    pub fn carries_update(&self) -> bool {
        matches!(self, Msg::Push | Msg::PullReply { update: true })
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Push => write!(f, "Push"),
            Msg::PushReply { knew } => write!(f, "PushReply({})", if *knew { "knew" } else { "new" }),
            Msg::PullRequest { knows } => write!(f, "PullRequest({})", if *knows { "knows" } else { "wants" }),
            Msg::PullReply { update } => write!(f, "PullReply({})", if *update { "update" } else { "nothing" }),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    Cycle,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cycle")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cmd {
    /// Give this site the update now (it becomes infective).
    Seed,
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("seed the update")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// The site learned the update, in this cycle.
    Infected { cycle: u64 },
    /// The site lost interest.
    Removed { cycle: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Infected { cycle } => write!(f, "learned the update in cycle {cycle}"),
            Note::Removed { cycle } => write!(f, "lost interest in cycle {cycle}"),
        }
    }
}

/// One site.
#[derive(Clone, Debug)]
pub struct Gossip {
    id: NodeId,
    state: SiteState,
    /// Unnecessary contacts since the last necessary one (counter variants).
    contacts: u32,
    /// The cycle in which the site learned the update.
    learned: Option<u64>,
    /// Update-carrying messages this site sent.
    sent: u64,
}

impl Gossip {
    pub fn state(&self) -> SiteState {
        self.state
    }
    pub fn learned_in(&self) -> Option<u64> {
        self.learned
    }
    pub fn sent(&self) -> u64 {
        self.sent
    }
    pub fn knows(&self) -> bool {
        self.state != SiteState::Susceptible
    }

    /// The current cycle: ticks fire at multiples of the period.
    fn cycle(&self, ctx: &Ctx<'_, Self>) -> u64 {
        (ctx.now().max(0) as u64) / ctx.config().period_us
    }

    fn spreading(&self, cfg: &GossipConfig) -> bool {
        match cfg.mode {
            Mode::AntiEntropy => self.knows(),
            Mode::Rumor => self.state == SiteState::Infective,
        }
    }

    fn learn(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.state == SiteState::Susceptible {
            self.state = SiteState::Infective;
            let cycle = self.cycle(ctx);
            self.learned = Some(cycle);
            ctx.note(Note::Infected { cycle });
        }
    }

    /// Applies loss of interest after one contact (§1.4).
    fn contact(&mut self, ctx: &mut Ctx<'_, Self>, unnecessary: bool) {
        if ctx.config().mode != Mode::Rumor || self.state != SiteState::Infective {
            return;
        }
        let i = ctx.config().interest;
        if i.feedback && !unnecessary {
            // A contact that informed someone starts the count again: the
            // counter counts unnecessary contacts in a row. This is the
            // reading of §1.4 that reproduces Table 1's residue, traffic and
            // t_last for every k (README, "Demers Table 1").
            self.contacts = 0;
            return;
        }
        let lose = if i.counter {
            self.contacts += 1;
            self.contacts >= i.k
        } else {
            ctx.rng().below(u64::from(i.k)) == 0
        };
        if lose {
            self.state = SiteState::Removed;
            let cycle = self.cycle(ctx);
            ctx.note(Note::Removed { cycle });
        }
    }

    fn partner(&self, ctx: &mut Ctx<'_, Self>) -> NodeId {
        let others = u64::from(ctx.config().nodes - 1);
        let p = ctx.rng().below(others) as NodeId;
        if p >= self.id {
            p + 1
        } else {
            p
        }
    }

    /// Whether every site ticks: pulls and anti-entropy (every site
    /// initiates). Push rumors tick only while infective.
    fn always_ticks(&self, cfg: &GossipConfig) -> bool {
        cfg.exchange.pulls() || cfg.mode == Mode::AntiEntropy
    }

    /// Whether the cycle timer must run now.
    fn needs_ticks(&self, cfg: &GossipConfig) -> bool {
        self.always_ticks(cfg) || self.state == SiteState::Infective
    }

    fn arm(&self, ctx: &mut Ctx<'_, Self>) {
        let p = ctx.config().period_us as i64;
        let now = ctx.now().max(0);
        ctx.set_timer(Timer::Cycle, (p - now % p) as u64);
    }
}

impl Protocol for Gossip {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = Cmd;
    type Note = Note;
    /// Sites keep the update across a crash (it is in their database).
    type Persistent = (bool, Option<u64>);
    type Config = GossipConfig;

    fn boot(id: NodeId, cfg: &GossipConfig, persisted: Option<(bool, Option<u64>)>) -> Self {
        let (knows, learned) = persisted.unwrap_or((false, None));
        let origin = persisted.is_none() && id == cfg.origin;
        let state = if knows {
            SiteState::Removed
        } else if origin {
            SiteState::Infective
        } else {
            SiteState::Susceptible
        };
        Gossip { id, state, contacts: 0, learned: if origin { Some(0) } else { learned }, sent: 0 }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.needs_ticks(ctx.config()) {
            self.arm(ctx);
        }
    }

    fn on_timer(&mut self, _: Timer, ctx: &mut Ctx<'_, Self>) {
        let cfg = ctx.config();
        let ex = cfg.exchange;
        if self.spreading(cfg) && ex.pushes() {
            for _ in 0..cfg.fanout {
                let p = self.partner(ctx);
                self.sent += 1;
                ctx.send(p, Msg::Push);
            }
        }
        if ex.pulls() {
            for _ in 0..cfg.fanout {
                let p = self.partner(ctx);
                ctx.send(p, Msg::PullRequest { knows: self.knows() });
            }
        }
        if self.needs_ticks(cfg) {
            self.arm(ctx);
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        let cfg = ctx.config();
        match msg {
            Msg::Push => {
                // Rounds are synchronous: the recipient answers as of the
                // start of this cycle, so two pushes that reach a susceptible
                // site in the same cycle both count as necessary.
                let cycle = self.cycle(ctx);
                let knew = self.learned.is_some_and(|c| c < cycle);
                let was_susceptible = !self.knows();
                self.learn(ctx);
                // A susceptible push-rumor site ran no timer; it starts one now.
                if was_susceptible && !self.always_ticks(cfg) {
                    self.arm(ctx);
                }
                if cfg.mode == Mode::Rumor {
                    ctx.send(from, Msg::PushReply { knew });
                }
            }
            Msg::PushReply { knew } => self.contact(ctx, knew),
            Msg::PullRequest { knows } => {
                let update = self.spreading(cfg) && !knows;
                if update {
                    self.sent += 1;
                }
                // An answer with nothing is sent too, so the requester's
                // exchange completes (it counts as traffic only with the update).
                ctx.send(from, Msg::PullReply { update });
                if self.spreading(cfg) {
                    self.contact(ctx, knows);
                }
            }
            Msg::PullReply { update } => {
                if update {
                    self.learn(ctx);
                } else if cfg.bug == Some(Bug::ReplaceOnPull) && self.knows() {
                    self.state = SiteState::Susceptible;
                    self.learned = None;
                }
            }
        }
    }

    fn on_command(&mut self, cmd: Cmd, ctx: &mut Ctx<'_, Self>) {
        match cmd {
            Cmd::Seed => {
                if !self.knows() {
                    self.learn(ctx);
                    self.arm(ctx);
                }
            }
        }
    }

    fn persistent(&self) -> (bool, Option<u64>) {
        (self.knows(), self.learned)
    }
}

#[cfg(test)]
mod tests;
pub mod zoo;
