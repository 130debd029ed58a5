//! A lock service's leases with fencing tokens (Kleppmann, "How to do
//! distributed locking", 2016; Burrows, "The Chubby lock service", OSDI
//! 2006, §2.4 "sequencers").
//!
//! Node 0 is the lock service, node 1 the shared resource (a storage
//! service), and every other node a client that takes the lease, writes to
//! the resource, and lets go. The lease expires after a fixed time by the
//! service's clock, whether or not its holder knows: a client that pauses
//! (a garbage-collection pause, a stopped VM) after deciding to write
//! wakes up still believing it holds the lease, and writes anyway. Each
//! lease carries a token, one higher than the last; the service registers
//! it with the resource before granting it (`service.rs`), and the
//! resource refuses a write whose token is below one it knows
//! (`resource.rs`), so the paused client's late write is fenced off.
//!
//! Each write is a task with an idempotency key (its number): a client that
//! takes over after a failover sends again what it does not know to be
//! done, and the resource does each task once (`exactly_once.rs`).

mod client;
pub mod exactly_once;
pub mod fenced_writes;
mod observe;
mod resource;
mod service;
mod spec;
mod zoo;

pub use observe::{FencingCounts, FencingFigures, FencingObserver};
pub use spec::{FencingChecker, FencingSpec, MAX_NODES};

use crate::sim::protocol::{Ctx, NoCmd, Protocol};
use crate::sim::NodeId;
use std::fmt;

pub const SERVICE: NodeId = 0;
pub const RESOURCE: NodeId = 1;

#[derive(Clone, Debug, PartialEq)]
pub struct FencingConfig {
    pub nodes: u32,
    /// How long a lease lasts, by the lock service's clock.
    pub lease_us: u64,
    /// A client's work between deciding to write and writing.
    pub work_us: u64,
    /// The tasks to do, each a write with its own idempotency key (its
    /// number), at most 64; and how many a client does under one lease
    /// before it lets go.
    pub tasks: u32,
    pub per_lease: u32,
    /// How long a client waits before asking again (after a refusal, or
    /// after letting go).
    pub retry_us: u64,
    pub bug: Option<Bug>,
}

impl Default for FencingConfig {
    fn default() -> Self {
        FencingConfig {
            nodes: 4,
            lease_us: 100_000,
            work_us: 20_000,
            tasks: 12,
            per_lease: 3,
            retry_us: 30_000,
            bug: None,
        }
    }
}

/// Deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bug {
    /// The resource accepts every write, whatever its token. Breaks Fenced
    /// Writes when a lease holder pauses past its lease.
    NoTokenCheck,
    /// The resource does a task again when it is sent again (no
    /// idempotency keys). Breaks Exactly Once across a failover.
    NoIdempotency,
}

#[derive(Clone, Debug)]
pub enum Fencing {
    Service(service::Service),
    Resource(resource::Resource),
    Client(client::Client),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    Acquire,
    /// The lease, with its token and length.
    Granted {
        token: u64,
        lease_us: u64,
    },
    /// Someone else holds it.
    Busy,
    Release {
        token: u64,
    },
    /// The service tells the resource of a new token before granting it.
    Fence {
        token: u64,
    },
    FenceAck {
        token: u64,
    },
    /// Do task `task` (its idempotency key).
    Write {
        token: u64,
        task: u32,
    },
    /// Done; `next` is the first task not yet done.
    WriteAck {
        token: u64,
        next: u32,
    },
    /// The write's token is below one the resource knows.
    Fenced {
        token: u64,
        newest: u64,
    },
}

impl Msg {
    pub fn label(&self) -> &'static str {
        match self {
            Msg::Acquire => "Acquire",
            Msg::Granted { .. } => "Granted",
            Msg::Busy => "Busy",
            Msg::Release { .. } => "Release",
            Msg::Fence { .. } => "Fence",
            Msg::FenceAck { .. } => "FenceAck",
            Msg::Write { .. } => "Write",
            Msg::WriteAck { .. } => "WriteAck",
            Msg::Fenced { .. } => "Fenced",
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Acquire => f.write_str("Acquire"),
            Msg::Granted { token, .. } => write!(f, "Granted #{token}"),
            Msg::Busy => f.write_str("Busy"),
            Msg::Release { token } => write!(f, "Release #{token}"),
            Msg::Fence { token } => write!(f, "Fence #{token}"),
            Msg::FenceAck { token } => write!(f, "FenceAck #{token}"),
            Msg::Write { token, task } => write!(f, "Write task {task} #{token}"),
            Msg::WriteAck { token, next } => write!(f, "WriteAck #{token} (next task {next})"),
            Msg::Fenced { token, newest } => write!(f, "Fenced #{token} (newest #{newest})"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// A client asks for the lease.
    Acquire,
    /// A client has decided to write (its lease looked valid) and works.
    Work,
    /// The work is done: the write goes out, without looking again.
    Write,
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Timer::Acquire => "acquire",
            Timer::Work => "work",
            Timer::Write => "write",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    /// The service granted the lease with this token.
    Granted { token: u64, client: NodeId },
    /// The resource accepted a write and did its task.
    Wrote { token: u64, client: NodeId, task: u32 },
    /// The resource accepted a write whose task it had done already, and
    /// did not do it again.
    AlreadyDone { token: u64, client: NodeId, task: u32 },
    /// The resource refused a write with an old token.
    Refused { token: u64, newest: u64 },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Granted { token, client } => write!(f, "grants #{token} to n{client}"),
            Note::Wrote { token, client, task } => write!(f, "does task {task} for n{client} (#{token})"),
            Note::AlreadyDone { task, client, .. } => write!(f, "task {task} for n{client} done already"),
            Note::Refused { token, newest } => write!(f, "refuses #{token} (newest #{newest})"),
        }
    }
}

/// What survives a crash: the service's last token, and the resource's
/// newest token and the tasks it has done (a token must never go back, and
/// a task done must stay done).
#[derive(Clone, Debug, PartialEq)]
pub struct Persistent {
    pub token: u64,
    pub done: u64,
}

impl Protocol for Fencing {
    type Msg = Msg;
    type Timer = Timer;
    type Cmd = NoCmd;
    type Note = Note;
    type Persistent = Persistent;
    type Config = FencingConfig;

    fn boot(id: NodeId, _: &FencingConfig, persisted: Option<Persistent>) -> Self {
        let kept = persisted.unwrap_or(Persistent { token: 0, done: 0 });
        match id {
            SERVICE => Fencing::Service(service::Service::new(kept.token)),
            RESOURCE => Fencing::Resource(resource::Resource::new(kept.token, kept.done)),
            _ => Fencing::Client(client::Client::default()),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Fencing::Client(_) = self {
            // Clients start a little apart, by id.
            ctx.set_timer(Timer::Acquire, 1_000 * u64::from(ctx.id()));
        }
    }

    fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Self>) {
        match self {
            Fencing::Service(s) => s.on_message(from, msg, ctx),
            Fencing::Resource(r) => r.on_message(from, msg, ctx),
            Fencing::Client(c) => c.on_message(msg, ctx),
        }
    }

    fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Self>) {
        if let Fencing::Client(c) = self {
            c.on_timer(timer, ctx);
        }
    }

    fn on_command(&mut self, cmd: NoCmd, _: &mut Ctx<'_, Self>) {
        match cmd {}
    }

    fn persistent(&self) -> Persistent {
        match self {
            Fencing::Service(s) => Persistent { token: s.token(), done: 0 },
            Fencing::Resource(r) => Persistent { token: r.newest(), done: r.done() },
            Fencing::Client(_) => Persistent { token: 0, done: 0 },
        }
    }
}

impl Fencing {
    /// The token of the lease a client believes it holds.
    pub fn lease(&self) -> Option<u64> {
        match self {
            Fencing::Client(c) => c.lease(),
            _ => None,
        }
    }

    /// The service's last token, or the resource's newest.
    pub fn token(&self) -> Option<u64> {
        match self {
            Fencing::Service(s) => Some(s.token()),
            Fencing::Resource(r) => Some(r.newest()),
            Fencing::Client(_) => None,
        }
    }

    /// The resource's tasks done (bit `k` for task `k`), on the resource.
    pub fn tasks_done(&self) -> Option<u64> {
        match self {
            Fencing::Resource(r) => Some(r.done()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
