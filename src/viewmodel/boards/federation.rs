//! Federated regions on the board view: the scenario it opens with, its
//! settings form, status line and what the inspector shows of a node.

use crate::contract::Observer;
use crate::protocols::federation::{local_decisions, quota, Federation, FederationSpec};
use crate::scenario::{ClientLoad, LinkSpec, ProtocolSpec, Region, Scenario};
use crate::sim::{NodeId, Sim};
use crate::viewmodel::playground::{Board, Knob, KnobKind, Playground};

/// The federation as its face draws it.
pub mod seen {
    pub use crate::protocols::federation::{Federation, Msg};
}

const KINDS: [(&str, &str); 7] = super::log_kinds("decisions");

const KNOBS: [Knob; 5] = [
    Knob { key: "quota", label: "Quota", tip: "The global policy: units the regions may spend in all", kind: KnobKind::Number },
    Knob { key: "share", label: "Share", tip: "Units each region holds to spend alone, also while cut off (regions × share must fit in the quota)", kind: KnobKind::Number },
    Knob { key: "heartbeat_ms", label: "Heartbeat ms", tip: "How often every group's leader says it leads", kind: KnobKind::Number },
    Knob { key: "election_ms", label: "Election ms", tip: "A node that hears no leader this long (plus a random part) stands; outside the global leader's region, four times as long for the global group", kind: KnobKind::Number },
    Knob { key: "bug", label: "Bug", tip: "A deliberately broken variant: a region that spends past its share while cut off, a global group that grants without checking the pool, or a region leader that answers before its region has chosen", kind: KnobKind::Choice(&["", "spend_when_cut_off", "unchecked_global", "ack_early"]) },
];

/// Three regions of three nodes, 2-5 ms within a region and 40-60 ms
/// between, and a client command every 50 ms.
pub fn three_regions() -> Scenario {
    let region = |name: &str| Region { name: name.into(), nodes: 3 };
    Scenario {
        name: "federation".into(),
        protocol: ProtocolSpec::Federation(FederationSpec::default()),
        network: LinkSpec { latency_ms: [2.0, 5.0], ..LinkSpec::default() },
        regions: vec![region("us"), region("eu"), region("ap")],
        inter_region: Some(LinkSpec { latency_ms: [40.0, 60.0], ..LinkSpec::default() }),
        duration_ms: crate::scenario::Millis::from_ms(10_000),
        client: Some(ClientLoad { interval_ms: 50.0, reads: false }),
        ..Scenario::raft(9, 1)
    }
}

impl Board for Federation {
    const MAX_VIEW_NODES: u32 = 24;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &KINDS;
    const KNOBS: &'static [Knob] = &KNOBS;
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[
        (
            quota::PROPERTY,
            quota::REFERENCE,
            "No region spends more than its share without the global group, and the units spent in all never pass the quota.",
        ),
        (
            local_decisions::PROPERTY,
            local_decisions::REFERENCE,
            "A region-local write a client was told of stays in its slot of the region's log.",
        ),
    ];

    fn default_scenario() -> Scenario {
        three_regions()
    }

    fn summary(sim: &Sim<Federation>) -> String {
        let cfg = sim.config();
        let live = || (0..sim.len()).filter_map(|n| sim.node(n).map(|p| (n, p)));
        let global = live().find(|(_, p)| p.global().leading()).map_or("no global leader".into(), |(n, _)| {
            format!("global leader n{n} in {}", cfg.names[cfg.region_of(n)])
        });
        let drawn = live().map(|(_, p)| p.drawn()).max().unwrap_or(0);
        format!("{global} · {drawn} of {} pool units drawn", cfg.pool())
    }

    fn figures(pg: &Playground<Federation>) -> Vec<(&'static str, f64)> {
        let f = pg.observed().figures(pg.sim());
        let min_avail = f.regions.iter().map(|r| r.availability).fold(1.0, f64::min);
        let p50 = |global: bool| {
            let v: Vec<f64> = f
                .regions
                .iter()
                .map(|r| if global { r.global_ms.p50 } else { r.local_ms.p50 })
                .filter(|x| *x > 0.0)
                .collect();
            v.iter().copied().fold(0.0, f64::max)
        };
        vec![
            ("commands answered", f.counts.answered as f64),
            ("lowest region availability", min_avail),
            ("local latency p50, worst region (ms)", p50(false)),
            ("global latency p50, worst region (ms)", p50(true)),
            ("units spent from shares", f.counts.spent_from_shares as f64),
            ("units granted from the pool", f.counts.granted_from_pool as f64),
            ("turned away while cut off", f.counts.refused_cut_off as f64),
        ]
    }

    fn inspect(sim: &Sim<Federation>, n: NodeId) -> Vec<(&'static str, String)> {
        let Some(p) = sim.node(n) else { return Vec::new() };
        let cfg = sim.config();
        let role = |leading: bool, ballot: u64| if leading { format!("leader (b{ballot})") } else { "follower".into() };
        vec![
            ("region", cfg.names[p.region()].clone()),
            ("region group", role(p.local().leading(), p.local().ballot())),
            ("global group", role(p.global().leading(), p.global().ballot())),
            ("region's log", format!("{} slots chosen · {} writes", p.local().chosen(), p.writes())),
            ("region's share", format!("{} of {} units spent", p.spent(), cfg.share)),
            ("global pool", format!("{} of {} units drawn", p.drawn(), cfg.pool())),
        ]
    }
}
