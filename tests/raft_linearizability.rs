//! Linearizability of Raft's state machine, checked on client histories:
//! requests to the leader and reads to whichever server thinks it leads,
//! under crashes and partitions. ReadIndex reads and lease reads (within
//! the drift bound) give linearizable histories; a leader that answers
//! reads without confirming it still leads (`Bug::ReadWithoutRound`) does
//! not, and the checker says which read.

use splitbrain::history::counter::{Counter, Input, Output};
use splitbrain::history::linearizability::{check, Verdict};
use splitbrain::history::Op;
use splitbrain::protocols::raft::log::Payload;
use splitbrain::protocols::raft::{cluster, Bug, Cmd, Note, Raft, RaftConfig, Role};
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::rng::Rng;
use splitbrain::sim::trace::EventKind;
use splitbrain::sim::{NodeId, Sim, Time, MS, SEC};
use std::collections::BTreeMap;

/// What the servers said about the clients' operations.
#[derive(Default)]
struct Recorder {
    accepted: BTreeMap<u64, (NodeId, u64)>,
    commits: Vec<(Time, NodeId, u64)>,
    /// read id -> its operation's index
    reads: BTreeMap<u64, usize>,
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
                        ops[i].ret = Some(e.time);
                        ops[i].output = Output::Value(*value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// 2 s of load with faults, on drifting clocks; the client history of it.
fn history(cfg: RaftConfig, seed: u64) -> Vec<Op<Input, Output>> {
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
            ops.push(Op { client: 0, call: t, ret: None, input: Input::Increment, output: Output::Unknown });
            sim.command(l, Cmd::Request(id));
            rec.collect(&sim, &mut ops);
        }
        // A read to some server that believes it leads (a stale one, too).
        let leaders: Vec<NodeId> = (0..5).filter(|&n| sim.node(n).is_some_and(|r| r.role() == Role::Leader)).collect();
        if let Some(&n) = rng.pick(&leaders) {
            id += 1;
            rec.reads.insert(id, ops.len());
            ops.push(Op { client: 1 + n, call: t, ret: None, input: Input::Read, output: Output::Unknown });
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
        .filter(|(o, effect)| match o.input {
            Input::Read => o.ret.is_some(),
            Input::Increment => *effect,
        })
        .map(|(o, _)| o)
        .collect()
}

#[test]
fn readindex_and_lease_reads_are_linearizable_on_twenty_seeds_with_drifting_clocks() {
    let lease = RaftConfig { nodes: 5, lease_drift_bound_ppm: Some(1000), ..RaftConfig::default() };
    let readindex = RaftConfig { nodes: 5, ..RaftConfig::default() };
    let mut lease_reads = 0;
    for seed in 0..20 {
        for (name, cfg) in [("ReadIndex", &readindex), ("leases", &lease)] {
            let h = history(cfg.clone(), seed);
            assert!(h.len() > 300, "{name}, seed {seed}: {}", h.len());
            let pending = h.iter().filter(|o| o.ret.is_none()).count();
            assert_eq!(pending, 0, "every committed write has a commit time");
            let t0 = std::time::Instant::now();
            assert_eq!(check(&Counter, &h), Verdict::Linearizable, "{name}, seed {seed}");
            eprintln!("{name} seed {seed}: {} ops, {:?}", h.len(), t0.elapsed());
            if name == "leases" {
                lease_reads += h.iter().filter(|o| o.input == Input::Read).count();
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
            match check(&Counter, &h) {
                Verdict::Not { op, .. } => Some((seed, h, op)),
                Verdict::Linearizable => None,
            }
        })
        .expect("a stale leader's read is refuted in some schedule");
    assert_eq!(h[op].input, Input::Read, "seed {seed}: {:?}", h[op]);
}
