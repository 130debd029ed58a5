//! A trace exported for other tools: ShiViz's log parses with ShiViz's own
//! regular expression and its vector clocks keep ShiViz's rules and the
//! order of every message; Perfetto's JSON has a track per node and a flow
//! per delivered message; the JSON holds every event of the run.

use regex::Regex;
use serde_json::Value;
use splitbrain::scenario::export::{export_run, TraceFormat, SHIVIZ_REGEX};
use splitbrain::scenario::{presets, Runner, Scenario};
use std::collections::BTreeMap;
use std::process::Command;

fn leader_crash() -> Scenario {
    presets::find("leader-crash").expect("the preset").scenario().expect("valid")
}

type Clock = BTreeMap<String, u64>;

#[test]
fn the_shiviz_log_parses_with_shivizs_regex_and_its_clocks_order_every_message() {
    let log = export_run(leader_crash(), Some(3_000_000), TraceFormat::Shiviz).unwrap();
    let mut lines = log.splitn(3, '\n');
    assert_eq!(lines.next(), Some(SHIVIZ_REGEX), "the first line is the parser");
    assert_eq!(lines.next(), Some(""), "one execution: no delimiter");
    let body = lines.next().unwrap();
    // ShiViz's default expression, as its JavaScript reads it: there a `{`
    // that starts no repetition is a literal, which Rust's regex spells `\{`.
    assert!(SHIVIZ_REGEX.contains("(?<clock>{.*})"));
    let rx = Regex::new(&SHIVIZ_REGEX.replace('{', r"\{")).unwrap();
    let entries: Vec<(String, String, Clock)> = rx
        .captures_iter(body)
        .map(|c| {
            (c["event"].to_string(), c["host"].to_string(), serde_json::from_str(&c["clock"]).expect("a JSON clock"))
        })
        .collect();
    assert_eq!(entries.len() * 2, body.lines().count(), "every entry matches");
    assert!(entries.len() > 500, "{} entries", entries.len());
    let mut last: BTreeMap<String, Clock> = BTreeMap::new();
    let mut sent: BTreeMap<String, Clock> = BTreeMap::new();
    let id = Regex::new(r"^[\d.]+ s: (send|deliver) n\d+->n\d+ (#\d+)").unwrap();
    let mut deliveries = 0;
    for (event, host, clock) in &entries {
        // ShiViz's rules: the host is in its clock, which counts its own
        // events one by one from 1, and no entry ever goes back.
        let before = last.get(host).cloned().unwrap_or_default();
        assert_eq!(clock[host], before.get(host).copied().unwrap_or(0) + 1, "{host}: {event}");
        assert!(
            before.iter().all(|(h, c)| clock.get(h).copied().unwrap_or(0) >= *c),
            "{host}'s clock went back at {event}"
        );
        last.insert(host.clone(), clock.clone());
        if let Some(c) = id.captures(event) {
            if &c[1] == "send" {
                sent.insert(c[2].to_string(), clock.clone());
            } else {
                // A delivery happens after its send.
                let s = &sent[&c[2]];
                assert!(s.iter().all(|(h, v)| clock.get(h).copied().unwrap_or(0) >= *v), "{event} before its send");
                deliveries += 1;
            }
        }
    }
    assert!(deliveries > 200, "{deliveries} deliveries");
}

#[test]
fn perfetto_has_a_track_per_node_and_a_flow_per_delivered_message() {
    let text = export_run(leader_crash(), Some(3_000_000), TraceFormat::Perfetto).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let events = v["traceEvents"].as_array().unwrap();
    let tracks: Vec<&str> =
        events.iter().filter(|e| e["name"] == "thread_name").map(|e| e["args"]["name"].as_str().unwrap()).collect();
    assert_eq!(tracks, ["n0", "n1", "n2", "n3", "n4"]);
    let flows = |ph: &str| -> BTreeMap<u64, (u64, u64)> {
        events
            .iter()
            .filter(|e| e["ph"] == ph)
            .map(|e| (e["id"].as_u64().unwrap(), (e["ts"].as_u64().unwrap(), e["tid"].as_u64().unwrap())))
            .collect()
    };
    let (starts, ends) = (flows("s"), flows("f"));
    assert!(starts.len() > 200);
    assert_eq!(starts.keys().collect::<Vec<_>>(), ends.keys().collect::<Vec<_>>(), "each flow starts and ends");
    for (id, (ts, tid)) in &starts {
        let (te, tide) = ends[id];
        assert!(te >= *ts && (1..=5).contains(tid) && (1..=5).contains(&tide) && tide != *tid, "flow {id}");
    }
    // Each flow sits on a slice of its track (Perfetto binds it there).
    let slices: std::collections::BTreeSet<(u64, u64)> = events
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| (e["ts"].as_u64().unwrap(), e["tid"].as_u64().unwrap()))
        .collect();
    assert!(starts.values().chain(ends.values()).all(|k| slices.contains(k)));
    // The leader's crash at 2 s drops what is sent to it: instants on its track.
    assert!(events.iter().any(|e| e["ph"] == "i" && e["cat"] == "drop" && e["tid"] == 5));
}

#[test]
fn the_json_holds_every_event_of_the_run_in_order() {
    let text = export_run(leader_crash(), Some(2_500_000), TraceFormat::Json).unwrap();
    let rows: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut r: Runner<splitbrain::protocols::raft::Raft> = Runner::new(leader_crash()).unwrap();
    r.run_until(2_500_000);
    assert_eq!(rows.len() as u64, r.sim().trace().len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["index"], i as u64);
        if row["kind"] == "send" {
            assert!(row["due_us"].as_u64() >= row["time_us"].as_u64() && row["message"].is_string());
        }
    }
    assert!(rows.iter().any(|r| r["kind"] == "drop" && r["reason"] == "node down"));
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain")).args(args).output().expect("the CLI runs")
}

#[test]
fn splitbrain_trace_writes_each_format_and_refuses_bad_input() {
    let file = "static/scenarios/leader-crash.json";
    let out = cli(&["trace", file, "--format", "shiviz", "--until-ms", "500"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(SHIVIZ_REGEX));
    assert!(text.lines().filter(|l| l.contains(" s: ")).all(|l| l < "0.500001"), "stops at 500 ms");
    let seeded = cli(&["trace", file, "--format", "shiviz", "--until-ms", "500", "--seed", "9"]);
    assert_ne!(String::from_utf8(seeded.stdout).unwrap(), text, "another seed, another run");
    let path = std::env::temp_dir().join("splitbrain-trace-test.json");
    let out = cli(&["trace", file, "--format", "perfetto", "--until-ms", "300", "--out", path.to_str().unwrap()]);
    assert!(out.status.success() && out.stdout.is_empty());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(v["traceEvents"].as_array().unwrap().len() > 50);
    for bad in
        [vec!["trace", file, "--format", "xml"], vec!["trace", "no/such.json"], vec!["trace", file, "--until-ms", "-1"]]
    {
        let out = cli(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty());
    }
}
