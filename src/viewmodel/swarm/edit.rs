//! The gossip and SWIM view's timeline, edited as the Raft and store
//! views edit theirs ([`crate::viewmodel::playground::History::edit`]).

use super::Swarm;
use crate::viewmodel::playground::{Edit, History};

impl Swarm {
    /// Applies a timeline edit (as the Raft and store views do): the run
    /// replays to the instant showing, paused there, keeping what is
    /// selected; a refused edit keeps the run.
    pub(super) fn edit(&mut self, e: Edit) {
        let (current, now, preset) = (self.scenario().clone(), self.now(), self.preset);
        let replayed = self
            .history
            .edit(&current, e)
            .and_then(|s| s.map(|s| Swarm::load(s, Some(now), preset).map_err(|e| e.to_string())).transpose());
        match replayed {
            Ok(Some(new)) => {
                let (history, selected, observer) = (std::mem::take(&mut self.history), self.selected, self.observer);
                self.replace(new);
                (self.history, self.selected, self.observer) = (history, selected, observer);
                self.playing = false;
            }
            Ok(None) => {}
            Err(why) => self.error = Some(crate::viewmodel::playground::refused(&why)),
        }
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Moves whenever the timeline does.
    pub fn timeline_rev(&self) -> u64 {
        self.timeline_rev
    }
}
