//! Criterion benchmarks; `cargo xtask bench` runs them. Results go in
//! BENCHMARKS.md with the command that produced them.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::experiments::failover::{self, FailoverParams};
use splitbrain::protocols::raft::{cluster, Cmd, Raft, RaftConfig};
use splitbrain::scenario::Runner;
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::rng::Rng;
use splitbrain::sim::{Sim, MS, SEC};

/// Raw engine speed: a 5-node Raft under steady client load (a request to
/// the leader every 5 ms) and random faults (a crash/restart or a partition
/// every 500 ms), no checkers. Counts trace events.
fn engine_run(seed: u64) -> u64 {
    let mut sim: Sim<Raft> = Sim::new(RaftConfig::default(), 5, seed, LinkConfig::default());
    let mut rng = Rng::new(seed, 99);
    let mut id = 0;
    let mut t = 0;
    while t < 20 * SEC {
        t += 5 * MS;
        sim.run_until(t);
        id += 1;
        let to = cluster::leader(&sim).unwrap_or(0);
        sim.command(to, Cmd::Request(id));
        if t % (500 * MS) == 0 {
            let n = rng.below(5) as u32;
            match rng.below(4) {
                0 => sim.crash(n),
                1 => sim.restart(n),
                2 => sim.partition(vec![vec![n]]),
                _ => sim.heal_all(),
            }
        }
    }
    sim.trace().len()
}

fn engine(c: &mut Criterion) {
    let events = engine_run(1);
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(events));
    g.sample_size(20);
    g.bench_function("raft5_load_faults_20s", |b| b.iter(|| engine_run(1)));
    g.finish();

    // The same with every Figure 3 checker after every step (chaos runner).
    let p = ChaosParams {
        duration_us: 20 * SEC,
        client_interval_ms: 5.0,
        mean_fault_gap_us: 500 * MS,
        ..ChaosParams::default()
    };
    let checked_events = chaos::run(&p, 1).metrics.events;
    let mut g = c.benchmark_group("checked");
    g.throughput(Throughput::Elements(checked_events));
    g.sample_size(20);
    g.bench_function("raft5_chaos_20s_all_invariants", |b| {
        b.iter(|| {
            let mut r = Runner::new(chaos::schedule(&p, 1)).unwrap();
            r.run_to_end();
            r.metrics().events
        })
    });
    g.finish();
}

/// The store under load, as `splitbrain run` runs it: the preset
/// `store-load-20` (20 nodes, N = 3, 250 clients, 10 simulated seconds),
/// its observer and every checker after every step.
fn store_load_run() -> u64 {
    use splitbrain::protocols::store::node::StoreNode;
    let s = splitbrain::scenario::presets::find("store-load-20").unwrap().scenario().unwrap();
    let mut r: splitbrain::scenario::Runner<StoreNode> = splitbrain::scenario::Runner::build(s).unwrap();
    r.run_to_end();
    r.metrics().events
}

fn store(c: &mut Criterion) {
    let events = store_load_run();
    let mut g = c.benchmark_group("checked");
    g.throughput(Throughput::Elements(events));
    g.sample_size(10);
    g.bench_function("store_load_20_10s_all_checkers", |b| b.iter(store_load_run));
    g.finish();
}

/// The RaftScope-like run that a share link points into
/// (`benches/raftscope-like.json`): 5 servers, 100-200 ms election
/// timeouts, 10-15 ms links, a client request every 50 ms, the leader
/// crashed every 5 s (and every server restarted 2.5 s later), for 10
/// simulated minutes.
fn raftscope_like() -> splitbrain::scenario::Scenario {
    splitbrain::scenario::Scenario::from_json(include_str!("raftscope-like.json")).unwrap()
}

/// Opening a link at its last instant (what the page does: the event
/// log's tail, metrics, marks and checkpoints built on the way) against
/// replaying the same span with every checker (what a seek costs).
fn open_late(c: &mut Criterion) {
    use splitbrain::viewmodel::playground::{Gesture, Playground};
    let s = raftscope_like();
    let end = s.duration_ms.us();
    let mut g = c.benchmark_group("open_late");
    g.sample_size(10);
    g.bench_function("raftscope_10min_open_link_at_end", |b| {
        b.iter(|| {
            let mut pg: Playground<Raft> = Playground::open();
            pg.apply(Gesture::Load { scenario: Box::new(s.clone()), at_us: Some(end), playing: false });
            assert_eq!(pg.now(), end);
        })
    });
    g.bench_function("raftscope_10min_replay_to_end", |b| {
        b.iter(|| {
            let mut r = Runner::new(s.clone()).unwrap();
            r.run_until(end);
            r.sim().trace().len()
        })
    });
    g.finish();
}

fn failover_experiment(c: &mut Criterion) {
    let p = FailoverParams { trials: 1000, ..FailoverParams::default() };
    let mut g = c.benchmark_group("failover");
    g.sample_size(10);
    g.bench_function("1000_trials_150-300ms", |b| b.iter(|| failover::run(&p, |_| {})));
    g.finish();
}

/// The larger chaos run behind `cargo xtask bench` (the test suite runs 2,000).
fn chaos_20000(c: &mut Criterion) {
    let mut g = c.benchmark_group("chaos");
    g.sample_size(10);
    g.bench_function("20000_schedules_zero_violations", |b| {
        b.iter(|| {
            let p = ChaosParams::default();
            for seed in 0..20_000u64 {
                let r = chaos::run(&p, seed + 1_000_000);
                assert!(r.violations.is_empty(), "seed {}: {:?}", seed + 1_000_000, r.violations);
            }
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    engine,
    store,
    open_late,
    failover_experiment,
    seek,
    gossip,
    chaos_20000,
    linearizability,
    merkle
);
criterion_main!(benches);

/// Time travel: seeking to any instant of 10 simulated minutes, for each
/// protocol: a 5-node Raft under client load (a request every 20 ms),
/// 2,000 sites of push-pull anti-entropy, and 500 SWIM members with a
/// crash every minute (issue target: 50 ms per seek).
fn seek(c: &mut Criterion) {
    use splitbrain::protocols::gossip::{Exchange, Gossip, GossipSpec, Mode};
    use splitbrain::protocols::swim::{Swim, SwimSpec};
    use splitbrain::scenario::{Action, ClientLoad, LinkSpec, Millis, ProtocolSpec, Scenario, Target, TimedAction};
    let raft = Scenario { client: Some(ClientLoad { interval_ms: 20.0, reads: false }), ..Scenario::raft(5, 1) };
    let net = LinkSpec { latency_ms: [20.0, 120.0], ..LinkSpec::default() };
    let gossip = Scenario {
        protocol: ProtocolSpec::Gossip(GossipSpec {
            mode: Mode::AntiEntropy,
            exchange: Exchange::PushPull,
            ..GossipSpec::default()
        }),
        network: net.clone(),
        ..Scenario::raft(2000, 1)
    };
    let swim = Scenario {
        protocol: ProtocolSpec::Swim(SwimSpec::default()),
        network: net,
        timeline: (1..10)
            .map(|m| TimedAction { at: Millis(m * 60 * SEC), action: Action::Crash { node: Target::Node(m as u32) } })
            .collect(),
        // The crashes are within the run (a file's duration bounds its timeline).
        duration_ms: Millis(10 * 60 * SEC),
        ..Scenario::raft(500, 1)
    };
    let mut g = c.benchmark_group("seek");
    seek_one::<Raft>(&mut g, "random_instant_of_10_min_raft5_load", raft, true);
    seek_one::<Gossip>(&mut g, "random_instant_of_10_min_gossip2000_push_pull", gossip, false);
    seek_one::<Swim>(&mut g, "random_instant_of_10_min_swim500", swim, false);
    g.finish();
}

fn seek_one<P: splitbrain::scenario::Registered>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    s: splitbrain::scenario::Scenario,
    record: bool,
) {
    use splitbrain::scenario::travel::Travel;
    let mut runner = Runner::<P>::build(s).unwrap();
    // The Raft view records readable events; the gossip view does not.
    runner.record(record);
    let mut travel = Travel::new(runner);
    let start = std::time::Instant::now();
    travel.advance_to(600 * SEC);
    println!("seek {name}: the first pass over 10 min took {:.0} ms", start.elapsed().as_secs_f64() * 1000.0);
    let end = travel.end();
    let events = travel.runner().sim().trace().len();
    let mut rng = Rng::new(7, 0);
    let targets: Vec<u64> = (0..256).map(|_| rng.below(end + 1)).collect();
    // The worst case too, which criterion's mean hides.
    let mut worst = std::time::Duration::ZERO;
    for &t in &targets {
        let start = std::time::Instant::now();
        travel.seek(t);
        worst = worst.max(start.elapsed());
    }
    println!(
        "seek {name}: 10 min simulated, {events} events, {} checkpoints; worst of 256 random seeks {:.2} ms",
        travel.checkpoints(),
        worst.as_secs_f64() * 1000.0
    );
    let mut i = 0;
    g.bench_function(name, |b| {
        b.iter(|| {
            i = (i + 1) % targets.len();
            travel.seek(targets[i]);
            travel.now()
        })
    });
}

/// Gossip at scale: push-pull anti-entropy over 100,000 sites to full
/// convergence, and a 1,000-trial rumor experiment at N = 1000.
fn gossip(c: &mut Criterion) {
    use splitbrain::experiments::gossip::{self, GossipParams};
    use splitbrain::protocols::gossip::{Exchange, Mode};
    let big = GossipParams {
        nodes: 100_000,
        mode: Mode::AntiEntropy,
        exchange: Exchange::PushPull,
        trials: 1,
        ..GossipParams::default()
    };
    let t = gossip::trial(&big, 1);
    println!("gossip: 100,000-site push-pull anti-entropy converged in {:?} cycles", t.rounds_to[2]);
    let mut g = c.benchmark_group("gossip");
    g.sample_size(10);
    g.bench_function("anti_entropy_push_pull_100k_sites_to_convergence", |b| b.iter(|| gossip::trial(&big, 1).residue));
    let rumor = GossipParams { trials: 1000, ..GossipParams::default() };
    g.bench_function("rumor_push_feedback_counter_1000_trials_n1000", |b| {
        b.iter(|| gossip::run(&rumor, |_| {}).residue)
    });
    g.finish();
}

/// The linearizability checker at the size of its goal: 1,000
/// operations from 10 concurrent clients, linearizable and with a stale
/// replica (found, and where). A register on one key whose every write is
/// unique (no splitting by key); a counter, whose increments are all alike
/// (the case that defeats a plain search); and a key-value map of 10 keys,
/// checked key by key.
fn linearizability(c: &mut Criterion) {
    use splitbrain::history::counter::Counter;
    use splitbrain::history::kv::{self, Register};
    use splitbrain::history::linearizability::check;
    use splitbrain::history::workload::{counter_history, history, Workload};
    let w = Workload { clients: 10, ops_per_client: 100, keys: 1, stale: 0.0, pending: 0.01, seed: 1 };
    let good = history(&w);
    let bad = history(&Workload { stale: 0.05, ..w });
    let full = Workload { pending: 0.0, ..w };
    let counter = counter_history(&full);
    let counter_bad = counter_history(&Workload { stale: 0.05, ..full });
    let map = history(&Workload { keys: 10, ..full });
    let map_bad = history(&Workload { keys: 10, stale: 0.05, ..full });
    let mut g = c.benchmark_group("linearizability");
    g.sample_size(20);
    g.bench_function("1000 ops, 10 clients, linearizable", |b| b.iter(|| check(&Register, &good)));
    g.bench_function("1000 ops, 10 clients, stale reads", |b| b.iter(|| check(&Register, &bad)));
    g.bench_function("counter, 1000 ops, 10 clients, linearizable", |b| b.iter(|| check(&Counter, &counter)));
    g.bench_function("counter, 1000 ops, 10 clients, stale reads", |b| b.iter(|| check(&Counter, &counter_bad)));
    g.bench_function("map of 10 keys, 1000 ops, 10 clients, linearizable", |b| b.iter(|| kv::check(&map)));
    g.bench_function("map of 10 keys, 1000 ops, 10 clients, stale reads", |b| b.iter(|| kv::check(&map_bad)));
    g.finish();
}

/// One Merkle anti-entropy round between two replicas of 1,000,000 keys
/// with 1% of them different : both replicas build their trees
/// (depth 16, 65,536 buckets) from each key's digest, then compare them
/// level by level down to the buckets that differ.
fn merkle(c: &mut Criterion) {
    use splitbrain::protocols::store::merkle::{compare, Tree};
    const KEYS: u32 = 1_000_000;
    let a: Vec<(u32, u64, usize)> = (0..KEYS).map(|k| (k, u64::from(k) * 7 + 1, 40)).collect();
    let b: Vec<(u32, u64, usize)> =
        a.iter().map(|&(k, d, n)| if k % 100 == 37 { (k, d + 1, n) } else { (k, d, n) }).collect();
    let mut g = c.benchmark_group("merkle");
    g.sample_size(10);
    g.bench_function("round_1M_keys_1pct_divergent_depth16", |bench| {
        bench.iter(|| {
            let (ta, tb) = (Tree::build(16, a.iter().copied()), Tree::build(16, b.iter().copied()));
            compare(&ta, &tb).keys
        })
    });
    g.finish();
}
