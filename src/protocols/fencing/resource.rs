//! The shared resource (Kleppmann 2016, "making the lock safe with
//! fencing"): it remembers the newest token it has been told of, and
//! refuses a write whose token is below it.

use super::{Bug, Fencing, Msg, Note};
use crate::sim::protocol::Ctx;
use crate::sim::NodeId;

#[derive(Clone, Debug)]
pub struct Resource {
    newest: u64,
}

impl Resource {
    pub fn new(newest: u64) -> Self {
        Resource { newest }
    }

    pub fn newest(&self) -> u64 {
        self.newest
    }

    pub(super) fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Fencing>) {
        match msg {
            Msg::Fence { token } => {
                self.newest = self.newest.max(token);
                ctx.persist();
                ctx.send(from, Msg::FenceAck { token });
            }
            Msg::Write { token } => {
                let checked = ctx.config().bug != Some(Bug::NoTokenCheck);
                if checked && token < self.newest {
                    ctx.note(Note::Refused { token, newest: self.newest });
                    ctx.send(from, Msg::Fenced { token, newest: self.newest });
                    return;
                }
                ctx.note(Note::Wrote { token, client: from });
                ctx.send(from, Msg::WriteAck { token });
            }
            _ => {}
        }
    }
}
