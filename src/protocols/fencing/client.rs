//! A client of the lock (Kleppmann 2016, the paused client): it asks for
//! the lease; while its lease looks valid by its own clock it decides to
//! write, works, and then writes without looking again, a few times; then
//! it lets go. Each write is the next task it knows of not done; the
//! resource's answer says which task is next, so a client that takes over
//! catches up. A pause between the decision and the write (a GC pause)
//! sends the write after the lease has ended.

use super::{Fencing, Msg, Timer, RESOURCE, SERVICE};
use crate::sim::protocol::Ctx;
use crate::sim::LocalTime;

#[derive(Clone, Debug, Default)]
pub struct Client {
    /// The lease held: its token, and when it ends by this client's clock.
    lease: Option<(u64, LocalTime)>,
    written: u32,
    /// The next task, as far as this client knows.
    next: u32,
}

impl Client {
    pub fn lease(&self) -> Option<u64> {
        self.lease.map(|l| l.0)
    }

    pub(super) fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx<'_, Fencing>) {
        match timer {
            Timer::Acquire => ctx.send(SERVICE, Msg::Acquire),
            // Decides to write only while the lease looks valid...
            Timer::Work => match self.lease {
                Some((_, until)) if ctx.now() < until => ctx.set_timer(Timer::Write, ctx.config().work_us),
                _ => self.let_go(ctx),
            },
            // ...and writes once the work is done, without looking again.
            Timer::Write => {
                if let Some((token, _)) = self.lease {
                    ctx.send(RESOURCE, Msg::Write { token, task: self.next });
                }
            }
        }
    }

    pub(super) fn on_message(&mut self, msg: Msg, ctx: &mut Ctx<'_, Fencing>) {
        match msg {
            Msg::Granted { token, lease_us } => {
                self.lease = Some((token, ctx.now() + lease_us as LocalTime));
                self.written = 0;
                ctx.set_timer(Timer::Work, 0);
            }
            Msg::Busy => ctx.set_timer(Timer::Acquire, ctx.config().retry_us),
            Msg::WriteAck { token, next } if self.lease().is_some_and(|t| t == token) => {
                self.written += 1;
                self.next = self.next.max(next);
                if self.next >= ctx.config().tasks {
                    // Every task is done: let go, and ask no more.
                    if let Some((token, _)) = self.lease.take() {
                        ctx.send(SERVICE, Msg::Release { token });
                    }
                } else if self.written < ctx.config().per_lease {
                    ctx.set_timer(Timer::Work, 0);
                } else {
                    self.let_go(ctx);
                }
            }
            // Fenced off: someone holds a newer lease.
            Msg::Fenced { .. } => {
                self.lease = None;
                ctx.set_timer(Timer::Acquire, ctx.config().retry_us);
            }
            _ => {}
        }
    }

    fn let_go(&mut self, ctx: &mut Ctx<'_, Fencing>) {
        if let Some((token, _)) = self.lease.take() {
            ctx.send(SERVICE, Msg::Release { token });
        }
        ctx.set_timer(Timer::Acquire, ctx.config().retry_us);
    }
}
