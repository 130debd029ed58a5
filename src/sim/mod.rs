//! The deterministic discrete-event engine.
//!
//! Time is an integer number of microseconds. The engine keeps one queue of
//! pending deliveries and timers, ordered by time (`queue.rs`), and jumps
//! straight to the next event; equal times are broken by the order in which
//! events were scheduled. Every random draw comes from the scenario seed.
//!
//! Driver contract: call [`Sim::step`] (or [`Sim::run_until`]); after each
//! step, [`Trace::last_step`] holds exactly the events that step produced, for
//! checkers and views to read. Faults and commands are methods that act at the
//! current instant and also leave their events in `last_step`.

pub mod clock;
pub mod cow;
mod effects;
mod faults;
pub mod invariant;
pub mod limits;
pub mod network;
mod prefetch;
pub mod protocol;
mod queue;
pub mod rng;
mod sample;
pub mod script;
pub mod storage;
#[cfg(test)]
pub mod testkit;
pub mod trace;
pub mod vecmap;

use clock::Clock;
use limits::{Cap, Halt, Limits};
use network::{DropReason, LinkConfig, Network};
use protocol::{Effect, Protocol};
use rng::Rng;
use trace::{EventKind, MsgId, Trace};

/// True simulated time, in microseconds since the start of the run.
pub type Time = u64;
/// A node's local clock reading, in microseconds (may be negative when a
/// clock is set behind).
pub type LocalTime = i64;
/// A node's identity: its index in the cluster.
pub type NodeId = u32;

pub const MS: u64 = 1_000;
pub const SEC: u64 = 1_000_000;

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeStatus {
    Up,
    /// Frozen: keeps its state; its timers and inbound messages wait.
    Paused,
    /// Down: volatile state is gone; persistent state waits for a restart.
    Crashed,
}

#[derive(Clone, Copy, Debug)]
struct TimerSlot {
    gen: u64,
    set_at: LocalTime,
    deadline: LocalTime,
}

#[derive(Clone, Debug)]
enum Payload<P: Protocol> {
    Deliver {
        from: NodeId,
        to: NodeId,
        id: MsgId,
        msg: P::Msg,
        lost: bool,
        /// µs on the wire, for drawing (saturating: a longer flight is
        /// drawn as this long). 32 bits keep a queued event at 40 bytes.
        flight: u32,
        arrived: bool,
    },
    Timer {
        node: NodeId,
        timer: P::Timer,
        gen: u64,
    },
    Command {
        node: NodeId,
        cmd: P::Cmd,
    },
    /// A node's storage write completed: its waiting messages leave.
    Flush {
        node: NodeId,
    },
}

/// What every event at a node reads. A swarm's run is bound by cache
/// misses on these, so what only timers, faults and storage writes need is
/// kept apart, in [`ColdSlot`]: a gossip site's slot is one cache line.
#[derive(Clone, Debug)]
#[repr(align(64))]
struct NodeSlot<P: Protocol> {
    status: NodeStatus,
    /// Messages are waiting in the cold slot's outbox.
    outbox_busy: bool,
    proto: Option<P>,
    /// `None` until the node's clock is skewed: it reads true time.
    clock: Option<Box<Clock>>,
    /// When the node's last storage write completes.
    disk_until: Time,
}

impl<P: Protocol> NodeSlot<P> {
    fn clock(&self) -> &Clock {
        self.clock.as_deref().unwrap_or(&Clock::TRUE)
    }
}

/// The rest of a node's slot: what a timer reads (the timers, natively the
/// first of them inline, and the generator's handle: a swarm's sites draw
/// on their ticks), first and together, in the slot's first cache line.
#[derive(Clone, Debug)]
#[repr(C, align(64))]
struct ColdSlot<P: Protocol> {
    timers: vecmap::VecMap<P::Timer, TimerSlot>,
    rng: Rng,
    persisted: Option<P::Persistent>,
    /// Events that wait for a paused node.
    held: Vec<Payload<P>>,
    /// Messages waiting for storage writes: (leave at, to, message).
    outbox: Vec<(Time, NodeId, P::Msg)>,
}

/// A message on the wire, for drawing.
#[derive(Clone, Copy, Debug)]
pub struct InFlight<'a, M> {
    pub from: NodeId,
    pub to: NodeId,
    pub id: MsgId,
    pub sent_at: Time,
    pub deliver_at: Time,
    pub msg: &'a M,
    /// The network has already decided to lose it.
    pub lost: bool,
}

/// A simulated cluster running protocol `P`.
#[derive(Clone)]
pub struct Sim<P: Protocol> {
    config: P::Config,
    seed: u64,
    now: Time,
    queue: queue::EventQueue<Payload<P>>,
    nodes: Vec<NodeSlot<P>>,
    cold: Vec<ColdSlot<P>>,
    net: Network,
    net_rng: Rng,
    next_msg: MsgId,
    timer_gen: u64,
    trace: Trace<P>,
    effects: Vec<Effect<P>>,
    limits: Limits,
    /// Messages sent and not yet delivered or dropped.
    in_flight: u64,
    /// The simulated millisecond being counted, and its events so far.
    ms_window: (Time, u64),
    halted: Option<Halt>,
    /// The most messages in flight, and events in one millisecond, so far.
    peaks: (u64, u64),
    /// Stable storage: a write's latency range in microseconds (`None`:
    /// writes are instantaneous), and its generator.
    storage: Option<(u64, u64)>,
    disk_rng: Rng,
    /// Messages in flight kept for drawing, if asked (`sample.rs`).
    sample: Option<Box<sample::Sample<P::Msg>>>,
    /// A scripted run's waiting messages (`script.rs`).
    script: Option<Vec<script::Held<P::Msg>>>,
}

impl<P: Protocol> Sim<P> {
    /// Boots `nodes` fresh nodes at time 0 and starts them in id order.
    pub fn new(config: P::Config, nodes: u32, seed: u64, link: LinkConfig) -> Self {
        let mut sim = Sim {
            config,
            seed,
            now: 0,
            queue: queue::EventQueue::default(),
            nodes: Vec::with_capacity(nodes as usize),
            cold: Vec::with_capacity(nodes as usize),
            net: Network::new(nodes, link),
            net_rng: Rng::new(seed, rng::NETWORK_STREAM),
            next_msg: 0,
            timer_gen: 0,
            trace: Trace::default(),
            effects: Vec::new(),
            limits: Limits::for_nodes(nodes),
            in_flight: 0,
            ms_window: (0, 0),
            halted: None,
            peaks: (0, 0),
            storage: None,
            disk_rng: Rng::new(seed, rng::DISK_STREAM),
            sample: None,
            script: None,
        };
        for id in 0..nodes {
            sim.nodes.push(NodeSlot {
                status: NodeStatus::Up,
                outbox_busy: false,
                proto: Some(P::boot(id, &sim.config, None)),
                clock: None,
                disk_until: 0,
            });
            let rng = Rng::for_node(seed, id);
            sim.cold.push(ColdSlot {
                timers: vecmap::VecMap::new(),
                rng,
                persisted: None,
                held: Vec::new(),
                outbox: Vec::new(),
            });
        }
        sim.trace.begin_step();
        for id in 0..nodes {
            sim.dispatch(id, |p, ctx| p.on_start(ctx));
        }
        sim
    }

    // ----- getters -----

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn config(&self) -> &P::Config {
        &self.config
    }

    /// About how many bytes a clone of this simulation holds in its own
    /// right: every node's slot (protocol state inline, generator parked)
    /// and timers, and the event queue. What a protocol keeps on the heap is
    /// counted by its [`crate::contract::Runnable::state_bytes`].
    pub fn base_bytes(&self) -> usize {
        let timers: usize =
            self.cold.iter().map(|n| n.timers.len() * std::mem::size_of::<(P::Timer, TimerSlot)>()).sum();
        self.nodes.len() * (std::mem::size_of::<NodeSlot<P>>() + std::mem::size_of::<ColdSlot<P>>())
            + timers
            + self.queue_bytes()
    }

    /// About how many bytes the event queue holds (a storm's messages).
    pub fn queue_bytes(&self) -> usize {
        self.queue.len() * queue::EventQueue::<Payload<P>>::ENTRY_BYTES
    }

    pub fn len(&self) -> u32 {
        self.nodes.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn trace(&self) -> &Trace<P> {
        &self.trace
    }

    pub fn network(&self) -> &Network {
        &self.net
    }

    pub fn status(&self, node: NodeId) -> NodeStatus {
        self.nodes[node as usize].status
    }

    /// The node's live state; `None` while it is crashed.
    pub fn node(&self, node: NodeId) -> Option<&P> {
        self.nodes[node as usize].proto.as_ref()
    }

    /// What a crashed node kept; `None` for a node that is up.
    pub fn persisted(&self, node: NodeId) -> Option<&P::Persistent> {
        match self.nodes[node as usize].status {
            NodeStatus::Crashed => self.cold[node as usize].persisted.as_ref(),
            _ => None,
        }
    }

    pub fn clock(&self, node: NodeId) -> &Clock {
        self.nodes[node as usize].clock()
    }

    /// The node's local clock now.
    pub fn local_time(&self, node: NodeId) -> LocalTime {
        self.nodes[node as usize].clock().local(self.now)
    }

    /// A pending timer's `(set_at, deadline)` on the node's own clock.
    pub fn timer(&self, node: NodeId, timer: P::Timer) -> Option<(LocalTime, LocalTime)> {
        self.cold[node as usize].timers.get(&timer).map(|s| (s.set_at, s.deadline))
    }

    /// The time of the next queued event, if any (none once the run has
    /// stopped at a cap: nothing more will happen).
    pub fn next_event_time(&self) -> Option<Time> {
        if self.halted.is_some() {
            return None;
        }
        self.queue.peek().map(|(t, _)| t)
    }

    /// Why the run stopped early, if it reached one of its caps.
    pub fn halted(&self) -> Option<Halt> {
        self.halted
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sets tighter (or looser) caps; for tests of the caps themselves.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Messages sent and not yet delivered or dropped.
    pub fn messages_in_flight(&self) -> u64 {
        self.in_flight
    }

    /// The most messages in flight at once, and the most events in one
    /// simulated millisecond, so far: how close the run came to its caps.
    pub fn peaks(&self) -> (u64, u64) {
        self.peaks
    }

    fn halt(&mut self, cap: Cap, limit: u64, at: Time) {
        self.halted.get_or_insert(Halt { cap, limit, at });
    }

    /// Messages on the wire (in no particular order).
    pub fn in_flight(&self) -> impl Iterator<Item = InFlight<'_, P::Msg>> {
        let queued = self.queue.iter().filter_map(|(deliver_at, payload)| match payload {
            Payload::Deliver { from, to, id, msg, lost, flight, arrived: false } => {
                let sent_at = deliver_at.saturating_sub(u64::from(*flight));
                Some(InFlight { from: *from, to: *to, id: *id, sent_at, deliver_at, msg, lost: *lost })
            }
            _ => None,
        });
        queued.chain(self.held_in_flight())
    }

    // ----- running -----

    /// Processes the next event. Returns false when nothing is queued, or
    /// when the run has stopped at a cap ([`Sim::halted`]).
    pub fn step(&mut self) -> bool {
        self.step_through(Time::MAX)
    }

    /// Processes the next event if it is due at or before `t`: one look at
    /// the queue where `next_event_time` and then `step` take two. Returns
    /// false, doing nothing, when none is due, as [`Sim::step`] does.
    pub fn step_through(&mut self, t: Time) -> bool {
        if self.halted.is_some() {
            return false;
        }
        let Some(next) = self.queue.peek().map(|(t, _)| t).filter(|&next| next <= t) else {
            return false;
        };
        let ms = next / MS;
        if self.ms_window.0 != ms {
            self.ms_window = (ms, 0);
        }
        if self.ms_window.1 >= self.limits.events_per_ms {
            self.halt(Cap::EventsPerMs, self.limits.events_per_ms, next);
            return false;
        }
        self.ms_window.1 += 1;
        self.peaks.1 = self.peaks.1.max(self.ms_window.1);
        let Some((time, payload)) = self.queue.pop() else {
            return false;
        };
        self.prefetch_ahead();
        self.trace.begin_step();
        self.now = self.now.max(time);
        match payload {
            Payload::Deliver { from, to, id, msg, lost, flight, arrived } => {
                if let Some(s) = &mut self.sample {
                    s.landed(id, time);
                }
                let slot = &mut self.nodes[to as usize];
                if slot.status == NodeStatus::Crashed {
                    self.in_flight -= 1;
                    let reason = DropReason::NodeDown;
                    self.trace.record(self.now, EventKind::Drop { from, to, id, msg, reason });
                    return true;
                }
                if !arrived {
                    let blocked = if lost { Some(DropReason::Loss) } else { self.net.blocked(from, to) };
                    if let Some(reason) = blocked {
                        self.in_flight -= 1;
                        self.trace.record(self.now, EventKind::Drop { from, to, id, msg, reason });
                        return true;
                    }
                }
                if slot.status == NodeStatus::Paused {
                    // Still in flight: it waits for the node.
                    let payload = Payload::Deliver { from, to, id, msg, lost, flight, arrived: true };
                    self.cold[to as usize].held.push(payload);
                    return true;
                }
                self.in_flight -= 1;
                self.trace.record(self.now, EventKind::Deliver { from, to, id, msg: msg.clone() });
                self.dispatch(to, |p, ctx| p.on_message(from, msg, ctx));
            }
            Payload::Timer { node, timer, gen } => {
                let timers = &mut self.cold[node as usize].timers;
                match timers.get(&timer) {
                    Some(s) if s.gen == gen => {}
                    _ => return true, // replaced, cancelled or lost in a crash
                }
                if self.nodes[node as usize].status == NodeStatus::Paused {
                    self.cold[node as usize].held.push(Payload::Timer { node, timer, gen });
                    return true;
                }
                timers.remove(&timer);
                self.trace.record(self.now, EventKind::Timer { node, timer });
                self.dispatch(node, |p, ctx| p.on_timer(timer, ctx));
            }
            Payload::Command { node, cmd } => self.deliver_command(node, cmd),
            Payload::Flush { node } => {
                let slot = &mut self.nodes[node as usize];
                if slot.status == NodeStatus::Paused {
                    self.cold[node as usize].held.push(Payload::Flush { node });
                    return true;
                }
                self.flush(node);
            }
        }
        true
    }

    /// Processes every event at or before `t`, then sets the clock to `t`.
    /// Returns how many events it processed.
    /// A run stopped at a cap stays at the instant it stopped.
    pub fn run_until(&mut self, t: Time) -> u64 {
        let mut n = 0;
        while self.step_through(t) {
            n += 1;
        }
        if self.halted.is_none() {
            self.now = self.now.max(t);
        }
        n
    }

    /// Runs until nothing is queued, for at most `max_events` events.
    /// Returns true if the queue emptied.
    pub fn run_until_quiet(&mut self, max_events: u64) -> bool {
        for _ in 0..max_events {
            if !self.step() {
                return true;
            }
        }
        self.queue.is_empty()
    }

    // ----- commands -----

    /// Hands a command to a node now. A crashed node refuses it (traced); a
    /// paused one handles it on resume.
    pub fn command(&mut self, node: NodeId, cmd: P::Cmd) {
        self.trace.begin_step();
        self.deliver_command(node, cmd);
    }

    /// Fires `node`'s pending `timer` now, as if its deadline had come (a
    /// test script's trigger, like the Raft paper's "synchronized broadcast
    /// of heartbeat RPCs"). Returns false, doing nothing, if the node is not
    /// up or the timer is not set.
    pub fn fire(&mut self, node: NodeId, timer: P::Timer) -> bool {
        if self.nodes[node as usize].status != NodeStatus::Up
            || self.cold[node as usize].timers.remove(&timer).is_none()
        {
            return false;
        }
        self.trace.begin_step();
        self.trace.record(self.now, EventKind::Timer { node, timer });
        self.dispatch(node, |p, ctx| p.on_timer(timer, ctx));
        true
    }

    fn deliver_command(&mut self, node: NodeId, cmd: P::Cmd) {
        let slot = &mut self.nodes[node as usize];
        match slot.status {
            NodeStatus::Crashed => {
                self.trace.record(self.now, EventKind::Command { node, cmd, accepted: false });
            }
            NodeStatus::Paused => {
                let payload = Payload::Command { node, cmd };
                self.cold[node as usize].held.push(payload);
            }
            NodeStatus::Up => {
                self.trace.record(self.now, EventKind::Command { node, cmd: cmd.clone(), accepted: true });
                self.dispatch(node, |p, ctx| p.on_command(cmd, ctx));
            }
        }
    }
}
