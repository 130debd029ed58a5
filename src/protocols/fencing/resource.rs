//! The shared resource (Kleppmann 2016, "making the lock safe with
//! fencing"): it remembers the newest token it has been told of, and
//! refuses a write whose token is below it. Each write is a task with an
//! idempotency key; a task done is not done again (Stripe's idempotency
//! keys; Kleppmann, "Designing Data-Intensive Applications", 2017, ch. 11).

use super::{Bug, Fencing, Msg, Note};
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

#[derive(Clone, Debug)]
pub struct Resource {
    newest: u64,
    /// The tasks done, by idempotency key (bit `k` for task `k`).
    done: u64,
}

impl Resource {
    pub fn new(newest: u64, done: u64) -> Self {
        Resource { newest, done }
    }

    pub fn newest(&self) -> u64 {
        self.newest
    }

    pub fn done(&self) -> u64 {
        self.done
    }

    pub(super) fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Fencing>) {
        match msg {
            Msg::Fence { token } => {
                self.newest = self.newest.max(token);
                ctx.persist();
                ctx.send(from, Msg::FenceAck { token });
            }
            Msg::Write { token, task } => {
                let checked = ctx.config().bug != Some(Bug::NoTokenCheck);
                if checked && token < self.newest {
                    ctx.note(Note::Refused { token, newest: self.newest });
                    ctx.send(from, Msg::Fenced { token, newest: self.newest });
                    return;
                }
                let key = 1u64 << task.min(63);
                if self.done & key != 0 && ctx.config().bug != Some(Bug::NoIdempotency) {
                    ctx.note(Note::AlreadyDone { token, client: from, task });
                } else {
                    self.done |= key;
                    ctx.persist();
                    ctx.note(Note::Wrote { token, client: from, task });
                }
                ctx.send(from, Msg::WriteAck { token, next: self.done.trailing_ones() });
            }
            _ => {}
        }
    }
}
