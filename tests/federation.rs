//! Federated regions in the simulator: under random region outages,
//! partitions between regions, node crashes and isolation, the Quota and
//! Local Decisions hold; each broken variant is caught by its property;
//! region-local writes go on through a partition while spends past the
//! share are turned away; the global leader's placement costs about one
//! inter-region round trip per global decision; and bad regions and
//! policies are refused with a message that says what to change.

use serde_json::{json, Value};
use splitbrain::contract::{Observer, Runnable};
use splitbrain::protocols::federation::{Federation, FederationFigures};
use splitbrain::scenario::{Runner, Scenario};
use splitbrain::sim::rng::Rng;

fn run(s: &Value) -> (Vec<&'static str>, FederationFigures) {
    let scenario = Scenario::from_json(&s.to_string()).expect("a valid scenario");
    let mut r = Runner::<Federation>::build(scenario).expect("it runs");
    r.run_to_end();
    let broken = r.violations().iter().map(|v| v.property).collect();
    (broken, r.observed().figures(r.sim()))
}

fn regions(protocol: Value, seed: u64, ms: u64, interval_ms: f64, timeline: Vec<Value>) -> Value {
    json!({
        "version": 1, "protocol": {"federation": protocol}, "nodes": 9, "seed": seed, "duration_ms": ms,
        "network": {"latency_ms": [2, 5]},
        "regions": [{"name": "us", "nodes": 3}, {"name": "eu", "nodes": 3}, {"name": "ap", "nodes": 3}],
        "inter_region": {"latency_ms": [40, 60]},
        "client": {"interval_ms": interval_ms}, "timeline": timeline
    })
}

/// A random fault every 200 to 800 ms: a region down and up, a region
/// split off, a node crashed, restarted or isolated, and healing.
fn faults(seed: u64, ms: u64) -> Vec<Value> {
    let names = ["us", "eu", "ap"];
    let mut rng = Rng::new(seed, 91);
    let mut out = Vec::new();
    let mut at = 200 + rng.below(600);
    while at < ms {
        let r = names[rng.below(3) as usize];
        let n = rng.below(9);
        out.push(match rng.below(7) {
            0 => json!({"at_ms": at, "action": "region_down", "region": r}),
            1 => json!({"at_ms": at, "action": "region_up", "region": r}),
            2 => json!({"at_ms": at, "action": "split_regions", "groups": [[r]]}),
            3 => json!({"at_ms": at, "action": "crash", "node": n}),
            4 => json!({"at_ms": at, "action": "restart", "node": n}),
            5 => json!({"at_ms": at, "action": "isolate", "node": n}),
            _ => json!({"at_ms": at, "action": "heal_all"}),
        });
        at += 200 + rng.below(600);
    }
    for r in names {
        out.push(json!({"at_ms": ms, "action": "region_up", "region": r}));
    }
    out
}

#[test]
fn quota_and_local_decisions_hold_under_random_region_faults() {
    let (mut granted, mut written, mut refused) = (0, 0, 0);
    for seed in 1..=8 {
        let s = regions(json!({"quota": 40, "share": 4}), seed, 8_000, 40.0, faults(seed, 8_000));
        let (broken, f) = run(&s);
        assert!(broken.is_empty(), "seed {seed}: {broken:?}");
        assert!(f.counts.spent_from_shares + f.counts.granted_from_pool <= 40, "seed {seed}: {:?}", f.counts);
        granted += f.counts.granted_from_pool;
        written += f.regions.iter().map(|r| r.writes_answered).sum::<u64>();
        refused += f.counts.refused_cut_off;
    }
    // The runs did something worth checking: global grants, local writes,
    // and the fallback rule at work.
    assert!(granted >= 20 && written >= 200 && refused >= 1, "{granted} granted, {written} written, {refused} refused");
}

#[test]
fn each_broken_variant_is_caught_and_its_correct_twin_is_not() {
    for v in Federation::zoo() {
        let s: Value = serde_json::from_str(v.json).unwrap();
        let (broken, _) = run(&s);
        assert_eq!(broken, vec![v.property], "{}", v.id);
        let mut fixed = s.clone();
        fixed["protocol"]["federation"].as_object_mut().unwrap().remove("bug");
        assert_eq!(run(&fixed).0, Vec::<&str>::new(), "{} without its bug", v.id);
    }
}

#[test]
fn a_cut_off_region_keeps_writing_and_spends_only_its_share() {
    let split = vec![json!({"at_ms": 1500, "action": "split_regions", "groups": [["ap"]]})];
    let s = regions(json!({"quota": 60, "share": 3, "clients": "ap"}), 3, 8_000, 50.0, split);
    let (broken, f) = run(&s);
    assert!(broken.is_empty(), "{broken:?}");
    let ap = &f.regions[2];
    // Every other command is a write; nearly all are answered, cut off
    // or not (those before ap's first leader are not).
    assert!(ap.writes_issued >= 75 && ap.writes_answered + 3 >= ap.writes_issued, "{ap:?}");
    // Spends: the share, and what the pool granted before the split, and
    // nothing after it; the rest turned away by the fallback rule, but
    // for those in the first election timeout after the split (1.2 s, 12
    // spends), before ap can tell it is cut off, whose draws are lost.
    assert!(f.counts.spent_from_shares == 3, "{:?}", f.counts);
    assert!(f.counts.refused_cut_off >= 45, "{:?}", f.counts);
    assert!(f.counts.granted_from_pool <= 12, "{:?}", f.counts);
}

/// Global commit latency (ms) of each spend, with the clients in us and
/// the global leader in `leader`, pooled over seeds.
fn global_latencies(leader: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for seed in 1..=6 {
        let s = regions(
            json!({"quota": 1000, "share": 5, "clients": "us", "global_leader": leader}),
            seed,
            6_000,
            50.0,
            vec![],
        );
        let scenario = Scenario::from_json(&s.to_string()).unwrap();
        let mut r = Runner::<Federation>::build(scenario).unwrap();
        r.run_to_end();
        assert!(r.violations().is_empty());
        let f = r.observed().figures(r.sim());
        assert!(f.regions[0].global_ms.p50 > 0.0);
        out.extend(r.observed().global_latencies_us().map(|us| us as f64 / 1000.0));
    }
    out
}

#[test]
fn a_far_global_leader_costs_one_inter_region_round_trip() {
    let near = global_latencies("us");
    let far = global_latencies("ap");
    assert!(near.len() > 250 && far.len() > 250, "{} {}", near.len(), far.len());
    // Each mean with its 95% interval's half-width, which must be narrow
    // enough that a 2x error, or a 10 ms one, fails.
    let stats = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        (m, 1.96 * (var / v.len() as f64).sqrt())
    };
    let ((n, hn), (f, hf)) = (stats(&near), stats(&far));
    eprintln!("near {n:.1} ±{hn:.1} ms ({} spends), far {f:.1} ±{hf:.1} ms ({})", near.len(), far.len());
    assert!(hn < 3.0 && hf < 3.0, "intervals ±{hn} and ±{hf} ms are too wide to tell");
    // Theory: with the leader near, a draw waits for the second fastest of
    // six inter-region round trips (each two 40-60 ms hops: mean 100 ms,
    // sd 8.2 ms; the second of six is about 95 ms) plus the region's own
    // commit (under 15 ms). With it far, the draw and its answer cross
    // once more each way: 100 ms more, less the few ms of local hops the
    // near case spends between the region's leader and the global one.
    assert!((95.0..=125.0).contains(&n), "near: {n} ms");
    assert!((85.0..=105.0).contains(&(f - n)), "far {f} ms - near {n} ms");
}

#[test]
fn bad_regions_and_policies_are_refused_with_a_reason() {
    let ok = regions(json!({}), 1, 1000, 100.0, vec![]);
    assert!(Scenario::from_json(&ok.to_string()).is_ok());
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut s = ok.clone();
                s["timeline"] = json!([{"at_ms": 10, "action": "region_down", "region": "mars"}]);
                s
            },
            "timeline[0]: unknown region 'mars'; the regions are us, eu, ap",
        ),
        (
            {
                let mut s = ok.clone();
                s["timeline"] = json!([{"at_ms": 10, "action": "split_regions", "groups": [["us"], ["us", "eu"]]}]);
                s
            },
            "region 'us' is in two groups",
        ),
        (
            {
                let mut s = ok.clone();
                s["regions"][1]["nodes"] = json!(0);
                s["nodes"] = json!(6);
                s
            },
            "region 'eu' has no nodes",
        ),
        (
            {
                let mut s = ok.clone();
                s["nodes"] = json!(10);
                s
            },
            "the regions hold 9 nodes but the scenario has 10",
        ),
        (
            regions(json!({"quota": 10, "share": 4}), 1, 1000, 100.0, vec![]),
            "no allocation satisfies the policy: 3 regions with a share of 4 units each need 12, but the quota is 10",
        ),
        (regions(json!({"global_leader": "mars"}), 1, 1000, 100.0, vec![]), "global_leader: unknown region 'mars'"),
        (
            {
                let mut s = ok.clone();
                s.as_object_mut().unwrap().remove("regions");
                s.as_object_mut().unwrap().remove("inter_region");
                s
            },
            "a federation needs 2 or more regions",
        ),
        (
            {
                let mut s = ok.clone();
                s["timeline"] = json!([{"at_ms": 10, "action": "crash", "node": "leader"}]);
                s
            },
            "has no leader",
        ),
    ];
    for (s, needle) in cases {
        let e = Scenario::from_json(&s.to_string()).unwrap_err().to_string();
        assert!(e.contains(needle), "{needle}: got {e}");
    }
}
