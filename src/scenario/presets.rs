//! The preset scenarios: the files in `static/scenarios/`, built in so the
//! playground can offer them without a network fetch. `splitbrain run`
//! reads the same files.

use super::{Scenario, ScenarioError};

/// A preset: its id (the file name without `.json`) and its JSON.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub id: &'static str,
    pub json: &'static str,
}

macro_rules! preset {
    ($id:literal) => {
        Preset { id: $id, json: include_str!(concat!("../../static/scenarios/", $id, ".json")) }
    };
}

/// Every preset, in the order the playground lists them.
pub const PRESETS: &[Preset] = &[
    preset!("leader-crash"),
    preset!("split-votes"),
    preset!("stale-leader"),
    preset!("flapping-link"),
    preset!("flapping-link-prevote"),
    preset!("figure-8"),
    preset!("figure-8-correct"),
    preset!("isolated-leader"),
    preset!("isolated-leader-checkquorum"),
    preset!("leadership-transfer"),
    preset!("lossy-network"),
    preset!("clock-skew"),
    preset!("lease-clock-skew"),
    preset!("lease-clock-skew-in-bound"),
    preset!("witness-2-plus-1"),
    preset!("witness-3-full"),
    preset!("rotation-under-load"),
    preset!("long-outage-snapshot"),
    preset!("membership-change"),
];

impl Preset {
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(self.json)
    }
}

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
