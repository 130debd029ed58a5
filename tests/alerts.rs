//! Alerts: each rule fires exactly when its condition holds, worked out
//! again here from the run itself; bad rules are refused with a message;
//! `splitbrain run` reports what fired and exits 1.

use splitbrain::protocols::raft::Raft;
use splitbrain::scenario::alerts::AlertRule;
use splitbrain::scenario::{presets, Runner, Scenario};
use std::process::Command;

fn preset(id: &str) -> Scenario {
    presets::find(id).expect("the preset").scenario().expect("valid")
}

fn with(mut s: Scenario, rules: Vec<AlertRule>) -> Scenario {
    s.alerts = rules;
    s
}

#[test]
fn no_leader_fires_for_each_leaderless_stretch_longer_than_its_budget() {
    let rule = AlertRule { no_leader_ms: Some(100.0), ..Default::default() };
    let s = with(preset("leader-crash"), vec![rule]);
    let mut r: Runner<Raft> = Runner::build(s).unwrap();
    // The leaderless stretches, step by step, from the simulator itself.
    // (start, end) of each stretch without a leader, instant by instant.
    let mut stretches: Vec<(u64, u64)> = Vec::new();
    let mut since: Option<u64> = Some(0);
    while r.sim().now() < 5_000_000 {
        r.step_one();
        let now = r.sim().now();
        match (<Raft as splitbrain::contract::Runnable>::leader(r.sim()), since) {
            (Some(_), Some(from)) => {
                stretches.push((from, now));
                since = None;
            }
            (None, None) => since = Some(now),
            _ => {}
        }
    }
    // Each stretch longer than 100 ms fires at the instant its budget ran
    // out, and clears when a leader is back.
    let long: Vec<(u64, Option<u64>)> =
        stretches.iter().filter(|(a, b)| b - a > 100_000).map(|(a, b)| (a + 100_000, Some(*b))).collect();
    assert_eq!(long.len(), 2, "the first election and the one after the crash: {stretches:?}");
    let fired: Vec<(u64, Option<u64>)> = r.alerts().iter().map(|a| (a.from_us, a.until_us)).collect();
    assert_eq!(fired, long);
    // Each is there at the instant the run noticed it (where the page's
    // list travels), and not before its budget ran out.
    for a in r.alerts() {
        assert!(a.noticed_us >= a.from_us, "{a:?}");
        let mut again: Runner<Raft> = Runner::build(r.scenario.clone()).unwrap();
        again.run_until(a.noticed_us);
        assert!(again.alerts().iter().any(|b| b.from_us == a.from_us), "{a:?}");
        let mut early: Runner<Raft> = Runner::build(r.scenario.clone()).unwrap();
        early.run_until(a.noticed_us - 1);
        assert!(early.alerts().iter().all(|b| b.from_us != a.from_us), "not yet noticed: {a:?}");
    }
    assert!(r.alerts().iter().all(|a| a.alert == "no leader for more than 100 ms"));
}

#[test]
fn loss_fires_for_each_window_that_drops_more_than_its_share() {
    let rule = AlertRule { loss_percent: Some(5.0), window_ms: Some(250.0), ..Default::default() };
    let s = with(preset("leader-crash"), vec![rule]);
    let mut r: Runner<Raft> = Runner::build(s).unwrap();
    r.record(true);
    r.run_until(6_000_000);
    // Each window's share, from the whole trace.
    let mut windows = std::collections::BTreeMap::<u64, (u64, u64)>::new();
    for e in r.take_log() {
        let w = windows.entry(e.time / 250_000).or_default();
        match e.kind {
            "send" | "dup" => w.0 += 1,
            "drop" => w.1 += 1,
            _ => {}
        }
    }
    let over: Vec<bool> = (0..24)
        .map(|k| windows.get(&k).is_some_and(|(s, d)| *s >= 20 && *d as f64 * 100.0 > 5.0 * *s as f64))
        .collect();
    assert!(over.iter().any(|o| *o) && !over.iter().all(|o| *o), "some windows over, some not: {over:?}");
    // An alert opens at the first window over and closes at the first not.
    let mut want = Vec::new();
    let mut open: Option<u64> = None;
    for (k, o) in over.iter().enumerate() {
        let start = k as u64 * 250_000;
        match (o, open) {
            (true, None) => open = Some(start),
            (false, Some(from)) => {
                want.push((from, Some(start)));
                open = None;
            }
            _ => {}
        }
    }
    // The window ending at 6 s is judged once the run passes 6 s.
    r.run_until(6_000_001);
    let fired: Vec<(u64, Option<u64>)> =
        r.alerts().iter().filter(|a| a.until_us.is_some()).map(|a| (a.from_us, a.until_us)).collect();
    assert_eq!(fired, want);
}

/// The latency alerts a run should fire, worked out again from the
/// observer's finished operations: each window's p99 (nearest rank); an
/// alert opens at a window over budget and closes at the next window with
/// latencies within it.
fn latency_alerts<P: splitbrain::scenario::Registered>(
    r: &Runner<P>,
    window: u64,
    budget: u64,
) -> Vec<(u64, Option<u64>)> {
    use splitbrain::contract::Observer;
    let (mut windows, mut i) = (std::collections::BTreeMap::<u64, Vec<u64>>::new(), 0);
    while let Some((at, took)) = r.observed().latency(i) {
        windows.entry(at / window).or_default().push(took);
        i += 1;
    }
    assert!(i > 40, "operations finished: {i}");
    let end = r.sim().now() / window;
    let (mut want, mut open): (Vec<(u64, Option<u64>)>, bool) = (Vec::new(), false);
    for w in 0..end {
        let Some(mut v) = windows.get(&w).cloned() else { continue };
        v.sort_unstable();
        let over = v[(v.len() * 99).div_ceil(100) - 1] > budget;
        match (over, open) {
            (true, false) => want.push((w * window, None)),
            (false, true) => want.last_mut().unwrap().1 = Some(w * window),
            _ => {}
        }
        open = over;
    }
    want
}

#[test]
fn latency_fires_for_each_stretch_of_windows_whose_p99_is_over_budget() {
    let rule = AlertRule { latency_p99_ms: Some(15.0), window_ms: Some(500.0), ..Default::default() };
    let mut r: Runner<Raft> = Runner::build(with(preset("leader-crash"), vec![rule])).unwrap();
    r.run_to_end();
    let want = latency_alerts(&r, 500_000, 15_000);
    assert!(!want.is_empty(), "the failover slows commits past 15 ms");
    let fired: Vec<(u64, Option<u64>)> = r.alerts().iter().map(|a| (a.from_us, a.until_us)).collect();
    assert_eq!(fired, want);
    assert!(r.alerts()[0].why.starts_with("p99 "), "{}", r.alerts()[0].why);
}

#[test]
fn the_stores_request_latency_has_a_budget_too() {
    use splitbrain::contract::Observer;
    use splitbrain::protocols::store::node::StoreNode;
    // R = W = 2 under a partition: the minority side's requests wait out
    // their timeouts and retries, so some windows' p99 passes 50 ms.
    let rule = AlertRule { latency_p99_ms: Some(50.0), window_ms: Some(1000.0), ..Default::default() };
    let mut r: Runner<StoreNode> = Runner::build(with(preset("store-strict-quorum"), vec![rule])).unwrap();
    r.run_to_end();
    // Each latency is a recorded request's call to its answer.
    let o = r.observed();
    let answered: Vec<(u64, u64)> = o.ops.iter().filter_map(|op| op.ret.map(|t| (t, t - op.call))).collect();
    let mut finished: Vec<(u64, u64)> = (0..).map_while(|i| o.latency(i)).collect();
    finished.sort_unstable();
    let mut answered_sorted = answered.clone();
    answered_sorted.sort_unstable();
    assert_eq!(finished, answered_sorted);
    let want = latency_alerts(&r, 1_000_000, 50_000);
    assert!(!want.is_empty(), "the partition slows some requests past 50 ms");
    let fired: Vec<(u64, Option<u64>)> = r.alerts().iter().map(|a| (a.from_us, a.until_us)).collect();
    assert_eq!(fired, want);
}

#[test]
fn divergence_fires_once_replicas_stay_apart_past_the_budget() {
    use splitbrain::contract::Observer;
    use splitbrain::protocols::store::node::StoreNode;
    let rule = AlertRule { divergence_ms: Some(3000.0), ..Default::default() };
    let mut r: Runner<StoreNode> = Runner::build(with(preset("store-weak-quorum"), vec![rule])).unwrap();
    // The first step at which the observer's oldest divergence is past 3 s.
    let mut first = None;
    while r.sim().now() < 12_000_000 && first.is_none() {
        r.step_one();
        let now = r.sim().now();
        if r.observed().divergence_age(now) > 3_000_000 {
            first = Some(now);
        }
    }
    let first = first.expect("the partition (2 s to 7 s) keeps replicas apart for longer than 3 s");
    assert_eq!(r.alerts().len(), 1);
    assert_eq!(r.alerts()[0].from_us, first);
    assert!(r.alerts()[0].why.starts_with("replicas apart since "), "{}", r.alerts()[0].why);
    r.run_to_end();
    let until = r.alerts()[0].until_us.expect("repaired after the heal");
    assert!(until > 7_000_000 && r.observed().divergence_age(until) <= 3_000_000, "{until}");
}

#[test]
fn a_property_alert_fires_when_the_property_breaks() {
    let rule = AlertRule {
        property: Some("State Machine Safety".into()),
        name: Some("divergent state machines".into()),
        ..Default::default()
    };
    let s = with(preset("figure-8"), vec![rule]);
    let mut r: Runner<Raft> = Runner::build(s).unwrap();
    r.run_to_end();
    let broken: Vec<u64> =
        r.violations().iter().filter(|v| v.property == "State Machine Safety").map(|v| v.time_us).collect();
    assert!(!broken.is_empty());
    assert_eq!(r.alerts().iter().map(|a| a.from_us).collect::<Vec<_>>(), broken);
    assert!(r.alerts().iter().all(|a| a.alert == "divergent state machines"));
}

#[test]
fn bad_rules_are_refused_with_what_is_wrong() {
    let cases: Vec<(Scenario, &str)> = vec![
        (with(preset("leader-crash"), vec![AlertRule::default()]), "set exactly one of"),
        (
            with(
                preset("leader-crash"),
                vec![AlertRule { no_leader_ms: Some(1.0), loss_percent: Some(1.0), ..Default::default() }],
            ),
            "exactly one",
        ),
        (
            with(preset("leader-crash"), vec![AlertRule { no_leader_ms: Some(-5.0), ..Default::default() }]),
            "must be above 0",
        ),
        (
            with(preset("leader-crash"), vec![AlertRule { loss_percent: Some(100.0), ..Default::default() }]),
            "from 0 to below 100",
        ),
        (
            with(preset("leader-crash"), vec![AlertRule { property: Some("Nope".into()), ..Default::default() }]),
            "checks no property 'Nope'; it checks Election Safety",
        ),
        (
            with(preset("swim-crash"), vec![AlertRule { no_leader_ms: Some(100.0), ..Default::default() }]),
            "has no leader",
        ),
        (
            with(
                preset("leader-crash"),
                vec![AlertRule { no_leader_ms: Some(1.0), name: Some("x".repeat(81)), ..Default::default() }],
            ),
            "at most 80 characters",
        ),
        (
            with(preset("leader-crash"), vec![AlertRule { no_leader_ms: Some(1.0), ..Default::default() }; 21]),
            "at most 20",
        ),
        (
            with(preset("swim-crash"), vec![AlertRule { latency_p99_ms: Some(10.0), ..Default::default() }]),
            "a SWIM run reports no client latency",
        ),
        (
            with(preset("leader-crash"), vec![AlertRule { divergence_ms: Some(10.0), ..Default::default() }]),
            "a Raft run keeps no replicas apart",
        ),
        (
            with(
                preset("store-weak-quorum"),
                vec![AlertRule { divergence_ms: Some(10.0), window_ms: Some(5.0), ..Default::default() }],
            ),
            "window_ms belongs to a loss_percent or latency_p99_ms rule",
        ),
        (
            with(preset("leader-crash"), vec![AlertRule { latency_p99_ms: Some(0.0), ..Default::default() }]),
            "latency_p99_ms must be above 0",
        ),
    ];
    for (s, want) in cases {
        let e = s.validate().expect_err(want).to_string();
        assert!(e.contains(want), "{e}");
    }
    let e = Scenario::from_json(r#"{"version":1,"protocol":{"raft":{}},"nodes":3,"seed":1,"alerts":[{"latency":1}]}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `latency`, expected one of `name`, `no_leader_ms`"), "{e}");
}

#[test]
fn splitbrain_run_reports_what_fired_and_exits_1() {
    let dir = std::env::temp_dir();
    let write = |name: &str, rules: Vec<AlertRule>| {
        let path = dir.join(name);
        std::fs::write(&path, with(preset("leader-crash"), rules).to_json()).unwrap();
        path
    };
    let run =
        |path: &std::path::Path| Command::new(env!("CARGO_BIN_EXE_splitbrain")).arg("run").arg(path).output().unwrap();
    let out =
        run(&write("splitbrain-alerts-fire.json", vec![AlertRule { no_leader_ms: Some(100.0), ..Default::default() }]));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("alerts            2 fired"), "{text}");
    assert!(
        text.contains("\"no leader for more than 100 ms\" from 0.100 s to 0.222 s: no leader since 0 ms"),
        "{text}"
    );
    let out = run(&write(
        "splitbrain-alerts-quiet.json",
        vec![AlertRule { no_leader_ms: Some(1000.0), ..Default::default() }],
    ));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("alerts            none of 1 fired"));
}

#[test]
fn openmetrics_holds_the_runs_counts_in_the_text_format() {
    let dir = std::env::temp_dir().join("splitbrain-openmetrics.json");
    std::fs::write(
        &dir,
        with(preset("leader-crash"), vec![AlertRule { no_leader_ms: Some(100.0), ..Default::default() }]).to_json(),
    )
    .unwrap();
    let cli = |flag: &str| {
        Command::new(env!("CARGO_BIN_EXE_splitbrain")).args(["run", dir.to_str().unwrap(), flag]).output().unwrap()
    };
    let text = String::from_utf8(cli("--openmetrics").stdout).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&cli("--json").stdout).unwrap();
    assert!(text.ends_with("# EOF\n"));
    let sample = regex::Regex::new(
        r#"^splitbrain_([a-z0-9_]+)_total\{scenario="Leader crash and re-election",protocol="raft"\} (\d+)$"#,
    )
    .unwrap();
    let mut lines = text.lines();
    let mut seen = 0;
    while let Some(t) = lines.next().filter(|l| *l != "# EOF") {
        let family =
            t.strip_prefix("# TYPE splitbrain_").and_then(|f| f.strip_suffix(" counter")).expect("a TYPE line first");
        let s = lines.next().unwrap();
        let c = sample.captures(s).unwrap_or_else(|| panic!("not a sample: {s}"));
        assert_eq!(&c[1], family);
        let v: u64 = c[2].parse().unwrap();
        let want = match family {
            "violations" => json["violations_total"].as_u64(),
            "alerts_fired" => json["alerts_total"].as_u64(),
            name => json["metrics"][name].as_u64(),
        };
        assert_eq!(Some(v), want, "{family}");
        seen += 1;
    }
    assert!(seen >= 10, "{seen} counters");
    assert_eq!(json["alerts_total"], 2);
}
