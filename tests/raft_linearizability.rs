//! Linearizability of Raft's state machine, checked on client histories:
//! requests to the leader and reads to whichever server thinks it leads,
//! under crashes and partitions. ReadIndex reads and lease reads (within
//! the drift bound) give linearizable histories; a leader that answers
//! reads without confirming it still leads (`Bug::ReadWithoutRound`) does
//! not, and the checker says which read.
//!
//! The state machine is read as a key-value map: client request `id`
//! writes the value `id` to key `key_of(id)`, and each read names a key. What a read returns is the map after the requests the
//! answering server had applied (its log's first `value` client entries,
//! `value` being the count its note reports), so a read that reflects the
//! wrong writes is caught, not only one with the wrong count; the check
//! runs key by key.

use splitbrain::history::counter::{self, Counter};
use splitbrain::history::kv::{self, Input, Output};
use splitbrain::history::linearizability::{check, Verdict};
use splitbrain::history::Op;
use splitbrain::protocols::raft::log::Payload;
use splitbrain::protocols::raft::{cluster, Bug, Cmd, Note, Raft, RaftConfig, Role};
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::rng::Rng;
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{NodeId, Sim, Time, MS, SEC};
use std::collections::BTreeMap;

/// Keys of the map.
const KEYS: u64 = 4;

/// The key request or read `id` names. Ids alternate between writes and
/// reads, so halved they name every key in turn.
fn key_of(id: u64) -> u32 {
    (id / 2 % KEYS) as u32
}

/// The value of `key` after the first `applied` client requests in
/// `raft`'s log (`None`: none of them wrote it).
fn value_at(raft: &Raft, applied: u64, key: u32) -> Option<u64> {
    let log = raft.log();
    assert_eq!(log.snapshot_index(), 0, "these runs take no snapshots");
    let requests = (1..=log.last_index()).filter_map(|i| match log.get(i).map(|e| e.payload) {
        Some(Payload::Client(id)) => Some(id),
        _ => None,
    });
    requests.take(applied as usize).filter(|&id| key_of(id) == key).last()
}

/// What the servers said about the clients' operations.
#[derive(Default)]
struct Recorder {
    accepted: BTreeMap<u64, (NodeId, u64)>,
    commits: Vec<(Time, NodeId, u64)>,
    /// read id -> its operation's index
    reads: BTreeMap<u64, usize>,
    /// read operation's index -> the count of requests its server had applied
    counts: BTreeMap<usize, u64>,
}

impl Recorder {
    fn collect(&mut self, sim: &Sim<Raft>, ops: &mut [Op<Input, Output>]) {
        for e in sim.trace().last_step() {
            let EventKind::Note { node, note } = &e.kind else { continue };
            match note {
                Note::Accepted { id, index } => {
                    self.accepted.insert(*id, (*node, *index));
                }
                Note::Commit { index } => self.commits.push((e.time, *node, *index)),
                Note::Read { id, value, .. } => {
                    if let Some(&i) = self.reads.get(id) {
                        let raft = sim.node(*node).expect("the server that answered is up");
                        ops[i].ret = Some(e.time);
                        let Input::Get { key } = ops[i].input else { unreachable!("a read") };
                        ops[i].output = Output::Read(value_at(raft, *value, key));
                        self.counts.insert(i, *value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// 2 s of load with faults, on drifting clocks; the client history of it.
fn history(cfg: RaftConfig, seed: u64) -> Vec<Op<Input, Output>> {
    history_and_counts(cfg, seed).0
}

/// The same, with each read's count of requests applied (by index in the
/// history).
fn history_and_counts(cfg: RaftConfig, seed: u64) -> (Vec<Op<Input, Output>>, Vec<Option<u64>>) {
    let drift = cfg.lease_drift_bound_ppm.unwrap_or(1000);
    let mut sim: Sim<Raft> = Sim::new(cfg, 5, seed, LinkConfig::default());
    let mut rng = Rng::new(seed, 31);
    // Every clock drifts, each at its own rate within the lease's bound
    // (with leases off, within 1,000 ppm), and starts a little off.
    for n in 0..5 {
        let ppm = rng.below(2 * u64::from(drift) + 1) as i64 - i64::from(drift);
        let offset = rng.below(20 * MS) as i64;
        sim.skew(n, offset, ppm);
    }
    // id -> (op index, the server asked)
    let mut writes: BTreeMap<u64, (usize, NodeId)> = BTreeMap::new();
    let mut rec = Recorder::default();
    let mut ops: Vec<Op<Input, Output>> = Vec::new();
    let mut id = 0;
    let mut t = 0;
    while t < 2 * SEC {
        t += 5 * MS;
        while sim.next_event_time().is_some_and(|x| x <= t) {
            sim.step();
            rec.collect(&sim, &mut ops);
        }
        sim.run_until(t);
        id += 1;
        if let Some(l) = cluster::leader(&sim) {
            writes.insert(id, (ops.len(), l));
            ops.push(Op {
                client: 0,
                call: t,
                ret: None,
                input: Input::Put { key: key_of(id), value: id },
                output: Output::Unknown,
            });
            sim.command(l, Cmd::Request(id));
            rec.collect(&sim, &mut ops);
        }
        // A read to some server that believes it leads (a stale one, too).
        let leaders: Vec<NodeId> = (0..5).filter(|&n| sim.node(n).is_some_and(|r| r.role() == Role::Leader)).collect();
        if let Some(&n) = rng.pick(&leaders) {
            id += 1;
            rec.reads.insert(id, ops.len());
            let key = key_of(id);
            ops.push(Op { client: 1 + n, call: t, ret: None, input: Input::Get { key }, output: Output::Unknown });
            sim.command(n, Cmd::Read(id));
            rec.collect(&sim, &mut ops);
        }
        if t % (800 * MS) == 0 {
            sim.heal_all();
            let n = rng.below(5) as u32;
            match rng.below(3) {
                0 => sim.isolate(cluster::leader(&sim).unwrap_or(n)),
                1 => sim.partition(vec![vec![n, (n + 1) % 5]]),
                _ => {}
            }
            rec.collect(&sim, &mut ops);
        }
    }
    // A write took effect if it is in the final committed log where its
    // leader put it, at the first commit past it on any server (no server
    // applies it before, and every read that sees it comes after).
    let longest = (0..5).filter_map(|n| sim.node(n)).max_by_key(|r| r.commit_index()).expect("a server is up");
    let mut took_effect = vec![false; ops.len()];
    for (id, (i, _)) in writes {
        let Some(&(leader, index)) = rec.accepted.get(&id) else { continue };
        let in_log = index <= longest.commit_index()
            && longest.log().get(index).is_some_and(|e| e.payload == Payload::Client(id));
        if in_log {
            took_effect[i] = true;
            let _ = leader;
            ops[i].ret = rec.commits.iter().find(|(_, _, c)| *c >= index).map(|(t, _, _)| *t);
            if ops[i].ret.is_some() {
                ops[i].output = Output::Ok;
            }
        }
    }
    // Reads never answered had no effect; drop them. Writes that are not in
    // the committed log were never applied anywhere (a committed entry is in
    // every later leader's log): drop them too. A committed write whose
    // client never heard stays, with no return.
    ops.into_iter()
        .zip(took_effect)
        .enumerate()
        .filter(|(_, (o, effect))| match o.input {
            Input::Get { .. } => o.ret.is_some(),
            Input::Put { .. } => *effect,
        })
        .map(|(i, (o, _))| (o, rec.counts.get(&i).copied()))
        .unzip()
}

/// The same history read as a counter's (the state machine as the
/// playground shows it: how many requests were applied).
fn as_counter(h: &[Op<Input, Output>], counts: &[Option<u64>]) -> Vec<Op<counter::Input, counter::Output>> {
    h.iter()
        .zip(counts)
        .map(|(o, count)| Op {
            client: o.client,
            call: o.call,
            ret: o.ret,
            input: match o.input {
                Input::Put { .. } => counter::Input::Increment,
                Input::Get { .. } => counter::Input::Read,
            },
            output: match (o.output, count) {
                (Output::Read(_), Some(c)) => counter::Output::Value(*c),
                (Output::Ok, _) => counter::Output::Ok,
                _ => counter::Output::Unknown,
            },
        })
        .collect()
}

#[test]
fn readindex_and_lease_reads_are_linearizable_on_twenty_seeds_with_drifting_clocks() {
    let lease = RaftConfig { nodes: 5, lease_drift_bound_ppm: Some(1000), ..RaftConfig::default() };
    let readindex = RaftConfig { nodes: 5, ..RaftConfig::default() };
    let mut lease_reads = 0;
    for seed in 0..20 {
        for (name, cfg) in [("ReadIndex", &readindex), ("leases", &lease)] {
            let (h, counts) = history_and_counts(cfg.clone(), seed);
            assert!(h.len() > 300, "{name}, seed {seed}: {}", h.len());
            let pending = h.iter().filter(|o| o.ret.is_none()).count();
            assert_eq!(pending, 0, "every committed write has a commit time");
            // Not vacuous: most reads see a value.
            let reads = h.iter().filter(|o| matches!(o.input, Input::Get { .. })).count();
            let valued = h.iter().filter(|o| matches!(o.output, Output::Read(Some(_)))).count();
            assert!(valued * 10 > reads * 9, "{name}, seed {seed}: {valued} of {reads} reads saw a value");
            let t0 = std::time::Instant::now();
            assert_eq!(kv::check(&h), Ok(()), "{name}, seed {seed}");
            let map = t0.elapsed();
            let t0 = std::time::Instant::now();
            assert_eq!(check(&Counter, &as_counter(&h, &counts)), Verdict::Linearizable, "{name}, seed {seed}");
            eprintln!("{name} seed {seed}: {} ops, as a map {map:?}, as a counter {:?}", h.len(), t0.elapsed());
            if name == "leases" {
                lease_reads += h.iter().filter(|o| matches!(o.input, Input::Get { .. })).count();
            }
        }
    }
    assert!(lease_reads > 2000, "{lease_reads} lease reads");
}

#[test]
fn reads_without_a_round_are_not_linearizable_and_the_checker_names_the_read() {
    let bug = RaftConfig { nodes: 5, bug: Some(Bug::ReadWithoutRound), ..RaftConfig::default() };
    let (seed, h, op) = (0..40)
        .find_map(|seed| {
            let h = history(bug.clone(), seed);
            kv::check(&h).err().map(|v| (seed, h, v.op))
        })
        .expect("a stale leader's read is refuted in some schedule");
    assert!(matches!(h[op].input, Input::Get { .. }), "seed {seed}: {:?}", h[op]);
}

/// Why the map: a read that reflects the wrong writes but the right number
/// of them. Here one read of a real history is made to return a value
/// written to another key (its count unchanged): read as a counter the
/// history still passes, read as a map it does not, and the checker names
/// that read.
#[test]
fn a_read_of_the_wrong_writes_with_the_right_count_is_caught() {
    let (mut h, counts) = history_and_counts(RaftConfig { nodes: 5, ..RaftConfig::default() }, 0);
    // A read late in the run, and a write to another key acknowledged
    // before it began.
    let read = (0..h.len()).rev().find(|&i| matches!(h[i].output, Output::Read(Some(_)))).expect("a read");
    let Input::Get { key } = h[read].input else { unreachable!() };
    let other = h
        .iter()
        .find_map(|o| match (o.input, o.ret) {
            (Input::Put { key: k, value }, Some(r)) if k != key && r < h[read].call => Some(value),
            _ => None,
        })
        .expect("a write to another key");
    assert_eq!(kv::check(&h), Ok(()));
    h[read].output = Output::Read(Some(other));
    assert_eq!(check(&Counter, &as_counter(&h, &counts)), Verdict::Linearizable, "the count did not change");
    let v = kv::check(&h).expect_err("the map's value did");
    assert_eq!((v.key, v.op), (key, read));
}
