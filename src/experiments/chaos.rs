//! Random fault schedules with client load, for hunting safety violations.
//!
//! A schedule is an ordinary [`Scenario`], so any failing seed can be saved,
//! replayed with `splitbrain run`, and (later) opened in the playground.

use crate::protocols::raft::{Raft, RaftParams};
use crate::scenario::{
    Action, ClientLoad, LinkSpec, Millis, ProtocolSpec, RunReport, Runner, Scenario, Target, TimedAction,
};
use crate::sim::rng::{Rng, DRIVER_STREAM};
use crate::sim::{NodeId, Time, MS};

#[derive(Clone, Debug)]
pub struct ChaosParams {
    pub nodes: u32,
    pub duration_us: Time,
    /// Mean time between faults.
    pub mean_fault_gap_us: Time,
    pub client_interval_ms: f64,
    pub raft: RaftParams,
    pub network: LinkSpec,
    /// Whether clock skews also step clocks (offset jumps), or only change
    /// their drift.
    pub clock_steps: bool,
    /// Skews draw drifts from ±this many ppm.
    pub max_drift_ppm: u64,
    /// Client load also reads after each write.
    pub reads: bool,
    /// Mix in single-server membership changes (add or remove a random server).
    pub membership: bool,
    /// Draw only the faults that turn leadership over: crash the leader,
    /// restart a server, isolate the leader, cut off a random group, heal.
    /// With no no-op entry and rare client requests, this is the mix that
    /// leaves entries of old terms on a minority for a new leader to
    /// finish (the Figure 8 situation).
    pub leader_churn: bool,
}

impl Default for ChaosParams {
    fn default() -> Self {
        ChaosParams {
            nodes: 5,
            duration_us: 4_000 * MS,
            mean_fault_gap_us: 150 * MS,
            client_interval_ms: 20.0,
            raft: RaftParams::default(),
            network: LinkSpec::default(),
            clock_steps: true,
            max_drift_ppm: 50_000,
            reads: false,
            membership: false,
            leader_churn: false,
        }
    }
}

/// The random schedule for `seed`.
pub fn schedule(p: &ChaosParams, seed: u64) -> Scenario {
    let n = p.nodes;
    let node = |rng: &mut Rng| rng.below(u64::from(n)) as NodeId;
    let timeline = random_timeline(seed, DRIVER_STREAM - 1, p.duration_us, p.mean_fault_gap_us, |rng| {
        if p.membership && rng.below(4) == 0 {
            let node = node(rng);
            return if rng.below(2) == 0 { Action::AddServer { node } } else { Action::RemoveServer { node } };
        }
        if p.leader_churn {
            return match rng.below(6) {
                0 | 1 => Action::Crash { node: Target::Leader },
                2 | 3 => Action::Restart { node: node(rng) },
                4 => Action::Isolate { node: Target::Leader },
                _ => Action::HealAll,
            };
        }
        match rng.below(13) {
            0 => Action::Crash { node: Target::Node(node(rng)) },
            1 => Action::Crash { node: Target::Leader },
            2 | 3 => Action::Restart { node: node(rng) },
            4 => Action::Pause { node: Target::Node(node(rng)) },
            5 => Action::Resume { node: node(rng) },
            6 => random_partition(rng, n),
            7 => Action::Isolate { node: Target::Leader },
            8 => Action::HealAll,
            9 => lossy_link(rng, n, &p.network, true),
            10 => {
                let (node, offset) = (node(rng), rng.range_inclusive(0, 200) as f64 - 100.0);
                Action::Skew {
                    node,
                    offset_ms: if p.clock_steps { offset } else { 0.0 },
                    drift_ppm: rng.range_inclusive(0, 2 * p.max_drift_ppm) as i64 - p.max_drift_ppm as i64,
                }
            }
            11 => Action::Transfer { to: node(rng) },
            _ => Action::Campaign { node: node(rng) },
        }
    });
    Scenario {
        name: format!("chaos seed {seed}"),
        protocol: ProtocolSpec::Raft(p.raft.clone()),
        duration_ms: Millis(p.duration_us),
        network: p.network.clone(),
        client: Some(ClientLoad { interval_ms: p.client_interval_ms, reads: p.reads }),
        timeline,
        ..Scenario::raft(n, seed)
    }
}

/// Actions drawn by `draw`, at gaps drawn uniformly from 1 to twice `gap`
/// until `until`, from the stream `stream` of `seed`.
fn random_timeline(
    seed: u64,
    stream: u64,
    until: Time,
    gap: Time,
    draw: impl FnMut(&mut Rng) -> Action,
) -> Vec<TimedAction> {
    timeline_from(&mut Rng::new(seed, stream), until, gap, draw)
}

/// Actions drawn by `draw` from `rng`, at gaps drawn uniformly from 1 to
/// twice `gap`, until `until`.
pub(crate) fn timeline_from(
    rng: &mut Rng,
    until: Time,
    gap: Time,
    mut draw: impl FnMut(&mut Rng) -> Action,
) -> Vec<TimedAction> {
    let mut timeline = Vec::new();
    let mut t = 0;
    loop {
        t += rng.range_inclusive(1, 2 * gap);
        if t >= until {
            return timeline;
        }
        timeline.push(TimedAction { at: Millis(t), action: draw(rng) });
    }
}

/// A random group of 1 to n−1 nodes cut off from the rest.
pub(crate) fn random_partition(rng: &mut Rng, n: u32) -> Action {
    let mut ids: Vec<NodeId> = (0..n).collect();
    rng.shuffle(&mut ids);
    let k = 1 + rng.below(u64::from(n.max(2) - 1)) as usize;
    Action::Partition { groups: vec![ids[..k].to_vec()] }
}

/// A random directed link made lossy (and, with `dup`, maybe duplicating).
pub(crate) fn lossy_link(rng: &mut Rng, n: u32, network: &LinkSpec, dup: bool) -> Action {
    let from = rng.below(u64::from(n)) as NodeId;
    let to = (from + 1 + rng.below(u64::from(n - 1)) as NodeId) % n;
    let loss = [0.0, 0.1, 0.3, 0.6][rng.below(4) as usize];
    let dup = if dup { [0.0, 0.0, 0.1][rng.below(3) as usize] } else { 0.0 };
    Action::SetLink { from, to, link: LinkSpec { loss, dup, ..network.clone() } }
}

/// Runs the schedule for `seed` with every checker on.
pub fn run(p: &ChaosParams, seed: u64) -> RunReport<Raft> {
    let mut runner = Runner::new(schedule(p, seed)).expect("chaos schedules are valid");
    runner.run_to_end();
    runner.report()
}

/// Random schedules of the shared faults alone (no commands, no "leader"),
/// for a protocol of any kind: crashes, restarts, pauses, resumes,
/// partitions, heals, lossy links and clock drift.
#[derive(Clone, Debug)]
pub struct FaultParams {
    pub protocol: ProtocolSpec,
    pub nodes: u32,
    pub duration_us: Time,
    /// Faults happen only before this instant; the rest of the run is quiet,
    /// so that properties with a deadline (Strong Completeness) get judged.
    pub faults_until_us: Time,
    pub mean_fault_gap_us: Time,
    pub network: LinkSpec,
    /// Skews draw drifts from ±this many ppm.
    pub max_drift_ppm: u64,
}

/// The random fault schedule for `seed`.
pub fn fault_schedule(p: &FaultParams, seed: u64) -> Scenario {
    let n = p.nodes;
    let node = |rng: &mut Rng| rng.below(u64::from(n)) as NodeId;
    let until = p.faults_until_us.min(p.duration_us);
    let timeline = random_timeline(seed, DRIVER_STREAM - 2, until, p.mean_fault_gap_us, |rng| match rng.below(9) {
        0 | 1 => Action::Crash { node: Target::Node(node(rng)) },
        2 => Action::Restart { node: node(rng) },
        3 => Action::Pause { node: Target::Node(node(rng)) },
        4 => Action::Resume { node: node(rng) },
        5 => random_partition(rng, n),
        6 => Action::HealAll,
        7 => lossy_link(rng, n, &p.network, false),
        _ => Action::Skew {
            node: node(rng),
            offset_ms: 0.0,
            drift_ppm: rng.range_inclusive(0, 2 * p.max_drift_ppm) as i64 - p.max_drift_ppm as i64,
        },
    });
    Scenario {
        name: format!("{} fault schedule, seed {seed}", p.protocol.name()),
        protocol: p.protocol.clone(),
        duration_ms: Millis(p.duration_us),
        network: p.network.clone(),
        timeline,
        ..Scenario::raft(n, seed)
    }
}
