//! The scenario fuzzer: random scenario files of every protocol,
//! written as a careless or hostile person might (values in and out of
//! range, every action, faults at any time), each either refused with an
//! error or run to its end. No input may panic, run past the simulator's
//! caps, or hold more than [`STATE_BOUND`] bytes of simulation state; and
//! a run with no broken variant set (and, where Raft holds leases, every
//! clock within the lease's drift bound) may break no property.
//!
//! CI runs 200 cases; `FUZZ_CASES=500000 FUZZ_SECONDS=600 cargo test
//! --release --test fuzz_scenarios -- --nocapture` runs a ten-minute
//! campaign and prints what it tried.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use splitbrain::scenario::{visit, Runner, Scenario};
use splitbrain::scenario::{Registered, Visit};

/// The most simulation state (nodes, timers, queued events and what the
/// protocol holds) any fuzzed run may keep. The generated runs are at most
/// 3 s and 2,000 sites; the caps on messages in flight bound the queue.
const STATE_BOUND: usize = 256 << 20;

fn num(lo: f64, hi: f64) -> impl Strategy<Value = Value> {
    prop_oneof![
        150 => (lo..hi).prop_map(|x| json!((x * 100.0).round() / 100.0)),
        1 => prop::sample::select(vec![json!(0), json!(-1), json!(1e9), json!(0.0001), json!("7"), json!(null)]),
    ]
}

fn node(n: u32) -> impl Strategy<Value = Value> {
    prop_oneof![150 => (0..n).prop_map(|i| json!(i)), 10 => Just(json!("leader")), 1 => Just(json!(n + 3))]
}

fn link() -> impl Strategy<Value = Value> {
    (
        0.0..30.0f64,
        0.0..30.0f64,
        prop_oneof![3 => Just(0.0), 1 => 0.0..1.0f64],
        prop_oneof![3 => Just(0.0), 1 => 0.0..1.0f64],
    )
        .prop_map(|(lo, extra, loss, dup)| {
            let (lo, hi) = ((lo * 100.0).round() / 100.0, ((lo + extra) * 100.0).round() / 100.0);
            json!({"latency_ms": [lo, hi], "loss": loss, "dup": dup})
        })
}

/// A timeline action at `at_ms` below `duration`; Raft's commands only for
/// Raft (`kinds` 18), faults for every protocol (`kinds` 12), and client
/// requests and reads too for Multi-Paxos (`kinds` 14).
fn action(n: u32, duration: u32, kinds: u32) -> impl Strategy<Value = Value> {
    let at = 0..duration;
    (at, 0..kinds, node(n), node(n), link(), -200.0..200.0f64, -60_000i64..60_000, any::<bool>()).prop_map(
        move |(at, kind, a, b, link, offset, drift, both)| {
            // "leader" is a target only where the docs allow it.
            let takes_leader = matches!(kind, 0 | 2 | 7 | 12 | 13);
            let (a, b) = match (a.as_str(), b.as_str()) {
                _ if takes_leader => (a, b),
                (Some(_), _) => (json!(0), json!(1)),
                (_, Some(_)) => (a, json!(0)),
                _ => (a, b),
            };
            let mut v = match kind {
                0 => json!({"action": "crash", "node": a}),
                1 => json!({"action": "restart", "node": a}),
                2 => json!({"action": "pause", "node": a}),
                3 => json!({"action": "resume", "node": a}),
                4 => json!({"action": "cut", "from": a, "to": b, "both": both}),
                5 => json!({"action": "heal", "a": a, "b": b}),
                6 => json!({"action": "partition", "groups": [[a], [b]]}),
                7 => json!({"action": "isolate", "node": a}),
                8 => json!({"action": "heal_all"}),
                9 => json!({"action": "set_link", "from": a, "to": b, "link": link}),
                10 => json!({"action": "set_network", "link": link}),
                11 => json!({"action": "skew", "node": a, "offset_ms": offset, "drift_ppm": drift}),
                12 => json!({"action": "request", "node": a}),
                13 => json!({"action": "read", "node": a}),
                14 => json!({"action": "transfer", "to": a}),
                15 => json!({"action": "campaign", "node": a}),
                16 => json!({"action": "add_server", "node": a}),
                _ => json!({"action": "remove_server", "node": a}),
            };
            v["at_ms"] = json!(at);
            v
        },
    )
}

fn raft(n: u32) -> impl Strategy<Value = Value> {
    (
        (num(1.0, 400.0), 0.0..300.0f64, num(1.0, 200.0)),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        prop::option::of(0u32..200_000),
        prop::collection::btree_set(0..n, 0..(n as usize / 2).min(3)),
        (prop::option::of(num(10.0, 2000.0)), prop::option::of(1u64..20), prop::option::of(1u64..50)),
        // Less often: most runs should keep every server a member.
        prop::option::of(prop::sample::select(vec![
            "vote_twice",
            "vote_without_log_check",
            "skip_prev_term_check",
            "leader_overwrites_uncommitted",
            "commit_previous_term_by_count",
            "witness_campaigns",
            "read_without_round",
            "read_uncommitted",
            "refuse_below_snapshot",
        ])),
        prop::option::of(prop::collection::btree_set(0..n, 1..n as usize + 1)),
    )
        .prop_map(
            |((lo, extra, hb), (pv, cq, noop, sticky), lease, witnesses, (rot_ms, rot_c, snap), bug, members)| {
                let hi = lo.as_f64().map_or(json!(300), |lo| json!(lo + (extra * 100.0).round() / 100.0));
                let mut r = json!({"election_timeout_ms": [lo, hi], "heartbeat_ms": hb, "prevote": pv,
                "check_quorum": cq, "leader_noop": noop, "vote_stickiness": sticky, "witnesses": witnesses});
                let mut put = |k: &str, v: Option<Value>| {
                    if let Some(v) = v {
                        r[k] = v;
                    }
                };
                put("lease_drift_bound_ppm", lease.map(|x| json!(x)));
                put("rotate_every_ms", rot_ms);
                put("rotate_every_commits", rot_c.map(|x| json!(x)));
                put("snapshot_every", snap.map(|x| json!(x)));
                put("bug", bug.map(|x| json!(x)));
                put("members", members.filter(|m| m.len() % 3 == 0).map(|x| json!(x)));
                json!({ "raft": r })
            },
        )
}

fn gossip(n: u32) -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["rumor", "anti-entropy"]),
        prop::sample::select(vec!["push", "pull", "push-pull"]),
        1u32..8,
        any::<bool>(),
        any::<bool>(),
        1..n.clamp(2, 12),
        num(1.0, 500.0),
        0..n,
        any::<bool>(),
    )
        .prop_map(|(mode, exchange, k, feedback, counter, fanout, period, origin, bug)| {
            let mut g = json!({"mode": mode, "exchange": exchange, "k": k, "feedback": feedback,
                "counter": counter, "fanout": fanout, "period_ms": period, "origin": origin});
            if bug {
                g["bug"] = json!("replace_on_pull");
            }
            json!({ "gossip": g })
        })
}

fn swim(n: u32) -> impl Strategy<Value = Value> {
    (
        num(1.0, 2000.0),
        0..n.saturating_sub(2).clamp(1, 6),
        any::<bool>(),
        prop::option::of(num(1.0, 5000.0)),
        0u32..8,
        0u32..20,
        0u32..3,
    )
        .prop_map(|(period, indirect, rr, suspicion, lambda, piggy, bug)| {
            let mut s = json!({"period_ms": period, "indirect": indirect,
                "target": if rr { "round-robin" } else { "random" }, "lambda": lambda, "max_piggyback": piggy});
            if let Some(x) = suspicion {
                s["suspicion_ms"] = x;
            }
            match bug {
                1 => s["bug"] = json!("suspect_forever"),
                2 => s["bug"] = json!("ignore_incarnation"),
                _ => {}
            }
            json!({ "swim": s })
        })
}

fn store(n: u32) -> impl Strategy<Value = Value> {
    (
        (1u32..5, 1u32..5, 1u32..5),
        (any::<bool>(), prop::sample::select(vec!["siblings", "lww", "pn_counter", "or_set"])),
        (prop::option::of(num(1.0, 500.0)), num(1.0, 500.0), 0u32..3),
        (num(1.0, 200.0), 1u32..40, 0.0..1.0f64, 1u32..50, any::<bool>()),
        0u32..8,
    )
        .prop_map(
            move |(
                (rn, r, w),
                (sloppy, resolution),
                (ae, timeout, retries),
                (think, clients, reads, keys, rbw),
                bug,
            )| {
                let mut st = json!({"n": rn.min(n), "r": r, "w": w, "quorum": if sloppy { "sloppy" } else { "strict" },
                "resolution": resolution, "anti_entropy_ms": ae, "timeout_ms": timeout, "retries": retries,
                "workload": {"clients": clients, "think_ms": think, "read_fraction": (reads * 100.0).round() / 100.0,
                    "keys": keys, "read_before_write": rbw || resolution != "siblings" && resolution != "lww"}});
                // Less often: a broken variant.
                if let Some(b) =
                    ["server_context", "keep_one_sibling", "sync_without_repair", "slow_sync"].get(bug as usize)
                {
                    st["bug"] = json!(b);
                }
                json!({ "store": st })
            },
        )
}

/// A Multi-Paxos spec: timings, quorums that may or may not intersect,
/// and now and then a broken variant.
fn multipaxos(n: u32) -> impl Strategy<Value = Value> {
    (
        num(1.0, 100.0),
        num(50.0, 500.0),
        prop::option::of((1..=n, 1..=n)),
        prop::option::of(prop::sample::select(vec!["ignore_accepted", "apply_gaps", "local_reads"])),
    )
        .prop_map(|(hb, el, q, bug)| {
            let mut m = json!({"heartbeat_ms": hb, "election_ms": el});
            if let Some((q1, q2)) = q {
                m["q1"] = json!(q1);
                m["q2"] = json!(q2);
            }
            if let Some(b) = bug {
                m["bug"] = json!(b);
            }
            json!({ "multipaxos": m })
        })
}

/// A federation's spec: a quota that the shares may or may not fit, and
/// now and then a broken variant (its regions are the scenario's).
fn federation() -> impl Strategy<Value = Value> {
    (
        0u32..40,
        0u32..8,
        prop::option::of(prop::sample::select(vec!["spend_when_cut_off", "unchecked_global", "ack_early"])),
    )
        .prop_map(|(quota, share, bug)| {
            let mut f = json!({"quota": quota, "share": share});
            if let Some(b) = bug {
                f["bug"] = json!(b);
            }
            json!({ "federation": f })
        })
}

/// A scenario file: protocol, size, network, load and a timeline; one in
/// five has one field replaced by something odd.
fn scenario() -> impl Strategy<Value = Value> {
    let raft_or = |many: u32| prop_oneof![3 => 3u32..16, 1 => 16..many];
    let size = prop_oneof![
        (Just(0u32), 3u32..16),
        (Just(1), raft_or(2_000)),
        (Just(2), raft_or(300)),
        (Just(3), 3u32..12),
        (Just(4), 3u32..10),
        (Just(5), 2u32..10)
    ];
    (size, 100u32..3_000).prop_flat_map(|((p, n), duration)| {
        let (protocol, kinds) = match p {
            0 => (raft(n).boxed(), 18),
            1 => (gossip(n).boxed(), 12),
            2 => (swim(n).boxed(), 12),
            3 => (store(n).boxed(), 12),
            4 => (multipaxos(n).boxed(), 14),
            _ => (federation().boxed(), 12),
        };
        (
            protocol,
            any::<u64>(),
            link(),
            prop::option::of((num(0.05, 50.0), any::<bool>())),
            prop::collection::vec(action(n, duration, kinds), 0..12),
            prop_oneof![4 => Just(None), 1 => (0usize..6, prop::sample::select(ODD.to_vec())).prop_map(Some)],
            prop::collection::vec((0..duration, 0..3usize, 0..4usize), 0..5),
        )
            .prop_map(move |(protocol, seed, network, client, mut timeline, odd, region_faults)| {
                // A federation's nodes in two or three regions, and faults
                // on whole regions (now and then one that does not exist).
                let names = ["us", "eu", "ap", "mars"];
                let regions = n.min(3);
                if p == 5 {
                    for (at, kind, r) in region_faults {
                        timeline.push(match kind {
                            0 => json!({"at_ms": at, "action": "region_down", "region": names[r]}),
                            1 => json!({"at_ms": at, "action": "region_up", "region": names[r]}),
                            _ => json!({"at_ms": at, "action": "split_regions", "groups": [[names[r]]]}),
                        });
                    }
                }
                timeline.sort_by_key(|a| a["at_ms"].as_u64());
                let mut s = json!({"version": 1, "protocol": protocol, "nodes": n, "seed": seed,
                        "duration_ms": duration, "network": network, "timeline": timeline});
                if let Some((interval, reads)) = client.filter(|_| p == 0 || p == 4 || p == 5) {
                    s["client"] = json!({"interval_ms": interval, "reads": reads});
                }
                if p == 5 {
                    let sizes: Vec<u32> = (0..regions).map(|i| n / regions + u32::from(i < n % regions)).collect();
                    s["regions"] = json!(names
                        .iter()
                        .zip(sizes)
                        .map(|(name, k)| json!({"name": name, "nodes": k}))
                        .collect::<Vec<_>>());
                    s["inter_region"] = json!({"latency_ms": [20, 40]});
                }
                if let Some((field, value)) = odd {
                    let keys = ["version", "nodes", "seed", "duration_ms", "network", "client"];
                    s[keys[field]] = serde_json::from_str(value).unwrap();
                }
                s
            })
    })
}

/// Odd values a hand-written file might hold.
const ODD: [&str; 10] =
    ["0", "-1", "1e300", "18446744073709551615", "\"3\"", "null", "[]", "{}", "true", "{\"latency_ms\": [0, 0]}"];

struct Check;

impl Visit for Check {
    /// Whether it stopped at a cap, its events, whether every property
    /// had to hold (`Runnable::must_hold`), and the properties it broke
    /// (the first violation of each).
    type Output = Result<(bool, u64, bool, Vec<String>), String>;

    fn visit<P: Registered>(self, s: Scenario) -> Self::Output {
        let end = s.duration_ms.us();
        let must_hold = P::spec(&s.protocol).is_none_or(|spec| P::must_hold(spec, &s.timeline));
        let mut r = Runner::<P>::build(s).map_err(|e| format!("a valid scenario was refused: {e}"))?;
        // In slices, checking the bounds as it goes.
        let mut t = 0;
        while t < end && r.sim().halted().is_none() {
            t = (t + 100_000).min(end);
            r.run_until(t);
            let limits = r.sim().limits();
            let (in_flight, per_ms) = r.sim().peaks();
            // One handler's sends may go past the cap before the run stops.
            if in_flight > limits.in_flight + 10_000 || per_ms > limits.events_per_ms {
                return Err(format!("past a cap: {in_flight} in flight, {per_ms} events in a ms, caps {limits:?}"));
            }
            let bytes = P::state_bytes(r.sim());
            if bytes > STATE_BOUND {
                return Err(format!("{bytes} bytes of state at {t} us"));
            }
        }
        let halted = r.sim().halted().is_some();
        if !halted && r.sim().now() < end {
            return Err(format!("stopped at {} of {end} us without a cap", r.sim().now()));
        }
        let mut broken: Vec<String> = Vec::new();
        for v in r.violations() {
            if !broken.iter().any(|b| b.starts_with(v.property)) {
                broken.push(format!("{}: {}", v.property, v.detail));
            }
        }
        Ok((halted, r.sim().trace().len(), must_hold, broken))
    }
}

#[test]
fn random_scenarios_are_refused_or_run_within_their_caps() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    // A campaign of a set length: cases past the deadline are skipped.
    let deadline = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    // refused, ran, stopped at a cap, events, runs that had to hold every
    // property, runs of a broken variant, those that broke a property
    let stats = std::cell::RefCell::new([0u64; 7]);
    let protocols = std::cell::RefCell::new(std::collections::BTreeMap::<String, u64>::new());
    let errors = std::cell::RefCell::new(std::collections::BTreeMap::<String, u64>::new());
    runner
        .run(&scenario(), |v| {
            if deadline.is_some_and(|d| std::time::Instant::now() > d) {
                return Ok(());
            }
            let text = v.to_string();
            let outcome = std::panic::catch_unwind(|| match Scenario::from_json(&text) {
                Err(e) => Err(e.to_string()),
                Ok(s) => Ok(visit(s, Check)),
            });
            let mut st = stats.borrow_mut();
            match outcome {
                Err(_) => return Err(TestCaseError::fail(format!("panicked on {text}"))),
                Ok(Err(e)) => {
                    st[0] += 1;
                    if std::env::var("FUZZ_SHOW").is_ok_and(|w| e.contains(&w)) {
                        eprintln!("{e}: {text}");
                    }
                    let kind: String = e.chars().take(60).collect();
                    *errors.borrow_mut().entry(kind).or_default() += 1;
                }
                Ok(Ok(Err(e))) => return Err(TestCaseError::fail(format!("{e}: {text}"))),
                Ok(Ok(Ok((halted, events, must_hold, broken)))) => {
                    if let Some(b) = broken.first().filter(|_| must_hold) {
                        return Err(TestCaseError::fail(format!("no bug was set, yet {b}: {text}")));
                    }
                    st[1] += 1;
                    st[2] += u64::from(halted);
                    st[3] += events;
                    if must_hold {
                        st[4] += 1;
                    } else {
                        st[5] += 1;
                        st[6] += u64::from(!broken.is_empty());
                    }
                    let p = v["protocol"].as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default();
                    *protocols.borrow_mut().entry(p).or_default() += 1;
                }
            }
            Ok(())
        })
        .unwrap();
    let st = stats.into_inner();
    eprintln!(
        "{} scenarios: {} refused, {} ran ({} stopped at a cap), {} events; {} had to hold every property and did; \
         {} of {} with a broken variant or drift past a lease's bound broke one; ran by protocol: {:?}",
        st[0] + st[1],
        st[0],
        st[1],
        st[2],
        st[3],
        st[4],
        st[6],
        st[5],
        protocols.borrow()
    );
    for p in ["raft", "gossip", "swim", "store"] {
        assert!(protocols.borrow().get(p).is_some_and(|n| *n > 0), "no {p} scenario ran");
    }
    let mut errors: Vec<(String, u64)> = errors.into_inner().into_iter().collect();
    errors.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (e, n) in errors.iter().take(12) {
        eprintln!("  refused {n}x: {e}...");
    }
    assert!(st[1] > (st[0] + st[1]) / 4, "most generated scenarios should be valid: {st:?}");
}
