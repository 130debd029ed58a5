//! The preset scenarios: the files in `static/scenarios/`. Natively (and
//! in the Experiments worker) they are built in; the page's build (feature
//! `fetch-presets`) fetches them with the page before the app starts
//! ([`FETCHED`]), which keeps 60 KB of JSON out of its wasm. `splitbrain
//! run` reads the same files, and each declares what it shows (`expect`),
//! so `splitbrain run` on a preset is a test of it.

use super::{ProtocolKind, Scenario, ScenarioError};
use std::sync::OnceLock;

/// A preset: its id (the file name without `.json`) and its JSON.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub id: &'static str,
    #[cfg(not(feature = "fetch-presets"))]
    json: &'static str,
}

macro_rules! preset {
    ($id:literal) => {
        Preset {
            id: $id,
            #[cfg(not(feature = "fetch-presets"))]
            json: include_str!(concat!("../../static/scenarios/", $id, ".json")),
        }
    };
}

/// Files the page fetches with itself (feature `fetch-presets`), kept in
/// the order of the list that names them.
#[derive(Default)]
pub struct Fetched(OnceLock<Vec<&'static str>>);

impl Fetched {
    pub const fn new() -> Self {
        Fetched(OnceLock::new())
    }

    /// Hands the texts over, before anything reads them.
    pub fn provide(&self, texts: Vec<String>) {
        let _ = self.0.set(texts.into_iter().map(|t| &*String::leak(t)).collect());
    }

    /// The `i`-th text, once provided.
    pub fn get(&self, i: usize) -> Option<&'static str> {
        self.0.get().and_then(|all| all.get(i)).copied()
    }
}

/// The presets' JSON, fetched with the page (in the order of [`PRESETS`]).
#[cfg(feature = "fetch-presets")]
pub static FETCHED: Fetched = Fetched::new();

/// Every preset, in the order the playground lists them.
pub const PRESETS: &[Preset] = &[
    preset!("leader-crash"),
    preset!("slow-disk"),
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
    preset!("rumor-k1"),
    preset!("rumor-k4"),
    preset!("push"),
    preset!("pull"),
    preset!("push-pull"),
    preset!("broken-gossip-replace-on-pull"),
    preset!("swim-crash"),
    preset!("swim-loss-basic"),
    preset!("swim-loss-suspicion"),
    preset!("broken-swim-suspect-forever"),
    preset!("store-strict-quorum"),
    preset!("store-weak-quorum"),
    preset!("store-lww-skew"),
    preset!("store-siblings"),
    preset!("store-crdt-counter"),
    preset!("store-crdt-set"),
    preset!("store-inventory"),
    preset!("store-sloppy-handoff"),
    preset!("store-merkle-repair"),
    preset!("store-load-20"),
    preset!("broken-store-keep-one-sibling"),
    preset!("paxos-duel"),
    preset!("paxos-backoff"),
    preset!("paxos-forgotten-promise"),
    preset!("multipaxos-leader-failover"),
    preset!("multipaxos-flexible-quorums"),
    preset!("multipaxos-non-intersecting-quorums"),
    preset!("multipaxos-local-reads"),
    preset!("fencing-paused-client"),
    preset!("fencing-tokens"),
    preset!("fencing-task-failover"),
    preset!("bully-highest-crashed"),
    preset!("bully-split-brain"),
    preset!("bully-no-ok"),
    preset!("ring-shuffled"),
    preset!("ring-worst-order"),
    preset!("ring-best-order"),
    preset!("ring-forward-smaller"),
    preset!("federation-region-outage"),
    preset!("federation-partition-fallback"),
    preset!("federation-leader-near"),
    preset!("federation-leader-far"),
    preset!("federation-spend-when-cut-off"),
    // Guided tours: listed under Tours, not among their view's presets.
    preset!("tour-raft"),
    preset!("tour-figure-8"),
    preset!("tour-gossip-swim"),
    preset!("tour-cap"),
];

impl Preset {
    /// Its JSON text.
    pub fn json(&self) -> &'static str {
        #[cfg(not(feature = "fetch-presets"))]
        return self.json;
        #[cfg(feature = "fetch-presets")]
        {
            let i = PRESETS.iter().position(|p| p.id == self.id).expect("a preset is in PRESETS");
            FETCHED.get(i).unwrap_or_default()
        }
    }

    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(self.json())
    }

    /// The protocol it runs.
    pub fn protocol(&self) -> ProtocolKind {
        self.info().0
    }

    /// Its name, as its menu shows it.
    pub fn name(&self) -> &'static str {
        self.info().1
    }

    /// Whether it is a guided tour (it has a `tour`).
    pub fn is_tour(&self) -> bool {
        self.info().2
    }

    /// (protocol, name), read once from every file: menus ask every frame.
    fn info(&self) -> &'static (ProtocolKind, &'static str, bool) {
        static INFO: OnceLock<Vec<(ProtocolKind, &'static str, bool)>> = OnceLock::new();
        let all = INFO.get_or_init(|| {
            PRESETS
                .iter()
                .map(|p| {
                    let v: serde_json::Value = serde_json::from_str(p.json()).unwrap_or_default();
                    let key = v.get("protocol").and_then(|p| p.as_object()).and_then(|o| o.keys().next().cloned());
                    // Every preset parses (tested), so a preset's protocol is known.
                    let protocol = key.as_deref().and_then(ProtocolKind::from_name).unwrap_or(ProtocolKind::Raft);
                    let name = v.get("name").and_then(|n| n.as_str()).unwrap_or(p.id);
                    (protocol, &*String::leak(name.to_string()), v.get("tour").is_some())
                })
                .collect()
        });
        let i = PRESETS.iter().position(|p| p.id == self.id).expect("a preset is in PRESETS");
        &all[i]
    }
}

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
