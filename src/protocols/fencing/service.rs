//! The lock service (Chubby, OSDI 2006, §2.4; Kleppmann 2016): one lease at
//! a time, for a fixed time by its own clock; each lease's token is one
//! higher than the last, and is registered with the resource (Fence) before
//! the lease is granted, so that from the moment a newer lease exists the
//! resource refuses the older token.

use super::{Fencing, Msg, Note, RESOURCE};
use crate::sim::protocol::Ctx;
use crate::sim::{LocalTime, NodeId};

#[derive(Clone, Debug)]
pub struct Service {
    token: u64,
    /// The holder and when its lease ends (service clock).
    holder: Option<(NodeId, LocalTime)>,
    /// A client whose lease waits for the resource's FenceAck.
    granting: Option<NodeId>,
}

impl Service {
    pub fn new(token: u64) -> Self {
        Service { token, holder: None, granting: None }
    }

    pub fn token(&self) -> u64 {
        self.token
    }

    pub(super) fn on_message(&mut self, from: NodeId, msg: Msg, ctx: &mut Ctx<'_, Fencing>) {
        let now = ctx.now();
        match msg {
            Msg::Acquire => {
                let free = self.holder.is_none_or(|(_, until)| now >= until) && self.granting.is_none();
                if !free {
                    ctx.send(from, Msg::Busy);
                    return;
                }
                self.token += 1;
                self.holder = None;
                self.granting = Some(from);
                ctx.persist();
                ctx.send(RESOURCE, Msg::Fence { token: self.token });
            }
            Msg::FenceAck { token } if token == self.token => {
                let Some(client) = self.granting.take() else { return };
                let lease_us = ctx.config().lease_us;
                self.holder = Some((client, now + lease_us as LocalTime));
                ctx.note(Note::Granted { token, client });
                ctx.send(client, Msg::Granted { token, lease_us });
            }
            Msg::Release { token } if token == self.token => self.holder = None,
            _ => {}
        }
    }
}
