//! A gossip or SWIM run in and out of the page: scenario files, links and
//! autosaves, each a scenario on the one runner (see `codec`).

use super::{swarm_presets, Swarm};
use crate::scenario::{codec, Scenario, ScenarioError};

impl Swarm {
    /// A scenario file; a bad one is reported and the current run kept.
    pub(super) fn import(&mut self, text: &str) {
        match Scenario::from_json(text).and_then(|s| Swarm::load(s, None, self.preset)) {
            Ok(s) => self.replace(s),
            Err(e) => self.error = Some(format!("That file was not loaded: {e}. The current run is unchanged.")),
        }
    }

    /// An autosave, paused where it was saved; a bad one is ignored.
    pub(super) fn restore(&mut self, text: &str) {
        let load = |a: codec::Saved| {
            let preset = preset_named(&a.scenario.name);
            Swarm::load(a.scenario, Some(a.at_us), preset).ok()
        };
        if let Some(s) = codec::Saved::from_json(text).and_then(load) {
            self.replace(s);
            self.playing = false;
        }
    }

    /// Rebuilds a run from a link's fragment (`s=<payload>&t=<µs>`, or an
    /// old `g=` link), at its time and paused; or says what is wrong.
    pub fn from_fragment(fragment: &str) -> Result<Swarm, ScenarioError> {
        let link = codec::parse_fragment(fragment)?
            .ok_or_else(|| ScenarioError::Link("the link has no gossip run in it".into()))?;
        let preset = preset_named(&link.scenario.name);
        let mut s = Swarm::load(link.scenario, Some(link.at_us.unwrap_or(0)), preset)?;
        s.playing = false;
        Ok(s)
    }

    /// A link fragment (without `#`) for the run as it is now.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn fragment(&self) -> String {
        codec::fragment(self.scenario(), self.now())
    }

    /// The autosave: the scenario and the current time, as JSON.
    pub fn autosave(&self) -> String {
        codec::Saved { scenario: self.scenario().clone(), at_us: self.now() }.to_json()
    }

    /// The run as scenario JSON, for export.
    pub fn to_json(&self) -> String {
        self.scenario().to_json()
    }
}

/// The preset a run came from: old links name its id, new ones and
/// autosaves carry its name.
pub(super) fn preset_named(name: &str) -> &'static str {
    swarm_presets().find(|p| p.id == name || p.name() == name).or_else(|| swarm_presets().next()).map_or("", |p| p.id)
}
