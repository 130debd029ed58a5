//! The CLI as a person uses it: exact output, clear errors, exit codes.

use std::process::{Command, Output};

fn splitbrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain")).args(args).output().expect("the CLI runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn failover_json_has_the_documented_fields_and_repeats_to_the_byte() {
    let args =
        ["failover", "--nodes", "5", "--timeout-ms", "150-300", "--latency-ms", "7-8", "--trials", "300", "--json"];
    let a = splitbrain(&args);
    let b = splitbrain(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let v = json(&a);
    assert_eq!(v["trials"], 300);
    for k in ["mean", "p50", "p90", "p99", "max"] {
        assert!(v["failover_ms"][k].as_f64().is_some_and(|x| x > 0.0), "failover_ms.{k}: {v}");
    }
    let p = &v["failover_ms"];
    assert!(p["p50"].as_f64() <= p["p90"].as_f64() && p["p90"].as_f64() <= p["p99"].as_f64());
    assert!(v["terms_per_failover"].as_f64().unwrap() >= 1.0);
    let rate = v["split_vote_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&rate));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["failover_ms", "split_vote_rate", "terms_per_failover", "trials"]);
}

/// Raft §9.3: without randomness in the timeouts, split votes make failover
/// far slower.
#[test]
fn fixed_timeouts_fail_over_far_slower_than_randomized_ones() {
    let run = |t: &str| {
        let o = splitbrain(&["failover", "--timeout-ms", t, "--latency-ms", "7-8", "--trials", "100", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        json(&o)
    };
    let fixed = run("150-150");
    let random = run("150-300");
    let (f, r) = (fixed["failover_ms"]["mean"].as_f64().unwrap(), random["failover_ms"]["mean"].as_f64().unwrap());
    assert!(f > 10.0 * r, "fixed {f} ms vs randomized {r} ms");
    assert!(fixed["split_vote_rate"].as_f64().unwrap() > 0.9);
    assert!(random["split_vote_rate"].as_f64().unwrap() < 0.2);
}

#[test]
fn unequal_logs_and_options_are_accepted() {
    let o = splitbrain(&[
        "failover",
        "--trials",
        "50",
        "--unequal-logs",
        "--prevote",
        "--check-quorum",
        "--heartbeat-ms",
        "50",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("unequal logs"), "{}", stdout(&o));
}

#[test]
fn bad_arguments_exit_2_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["failover", "--nodes", "0"], "--nodes"),
        (&["failover", "--nodes", "16"], "--nodes"),
        (&["failover", "--nodes", "2"], "2 is not in 3..=15"),
        (&["failover", "--timeout-ms", "300-150"], "backwards"),
        (&["failover", "--latency-ms", "fast"], "not a number"),
        (&["failover", "--trials", "0"], "--trials"),
        (&["run", "/nonexistent/scenario.json"], "cannot read scenario"),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let o = splitbrain(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: stderr lacks {needle:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
}

#[test]
fn malformed_scenario_files_exit_2_and_name_the_problem() {
    let dir = std::env::temp_dir().join(format!("splitbrain-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("truncated", r#"{"version": 1, "protocol": {"raft": {}}, "nod"#, "not valid JSON"),
        (
            "version",
            r#"{"version": 7, "protocol": {"raft": {}}, "nodes": 3, "seed": 1}"#,
            "unsupported scenario version 7",
        ),
        ("nodes", r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 0, "seed": 1}"#, "1 to 15 servers"),
        (
            "unknown field",
            r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 3, "seed": 1, "colour": "red"}"#,
            "colour",
        ),
        (
            "bad node",
            r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 3, "seed": 1, "timeline": [{"at_ms": 5, "action": "crash", "node": 9}]}"#,
            "timeline[0]: node 9 does not exist",
        ),
        (
            "bad action",
            r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 3, "seed": 1, "timeline": [{"at_ms": 5, "action": "explode"}]}"#,
            "explode",
        ),
        (
            "duplicate key",
            r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 3, "seed": 1, "nodes": 9}"#,
            "the key \"nodes\" is written twice at line 1",
        ),
        (
            "duplicate nested key",
            r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 3, "seed": 1, "timeline": [{"at_ms": 5, "at_ms": 9, "action": "heal_all"}]}"#,
            "the key \"at_ms\" is written twice",
        ),
    ];
    for (name, text, needle) in cases {
        let path = dir.join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&path, text).unwrap();
        let o = splitbrain(&["run", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{name}: stderr lacks {needle:?}: {}", stderr(&o));
    }
}

#[test]
fn run_reports_violations_and_metrics_as_json() {
    let fig8 = concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios/figure-8.json");
    let o = splitbrain(&["run", fig8, "--json"]);
    assert_eq!(o.status.code(), Some(0), "the preset declares its violations, and shows them: {}", stderr(&o));
    assert_eq!(json(&o)["expect"]["misses"].as_array().unwrap().len(), 0);
    // The same file without its declaration: found violations exit 1.
    let mut undeclared: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fig8).unwrap()).unwrap();
    undeclared.as_object_mut().unwrap().remove("expect");
    let path = std::env::temp_dir().join(format!("splitbrain-undeclared-{}.json", std::process::id()));
    std::fs::write(&path, undeclared.to_string()).unwrap();
    let o = splitbrain(&["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1), "violations found exit 1");
    let v = json(&o);
    let props: Vec<&str> =
        v["violations"].as_array().unwrap().iter().map(|x| x["property"].as_str().unwrap()).collect();
    assert_eq!(props, ["Leader Completeness", "State Machine Safety"]);
    assert!(v["metrics"]["leader_changes"].as_u64().unwrap() >= 3);
    assert!(v["metrics"]["messages_dropped"].as_u64().unwrap() > 0);

    let ok = concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios/leader-crash.json");
    let o = splitbrain(&["run", ok, "--seeds", "20", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["violations"].as_array().unwrap().len(), 0);
    assert_eq!(v["runs"].as_array().unwrap().len(), 20);
    assert!(v["metrics"]["committed_entries"].as_u64().unwrap() > 0);
}

/// `run --json` carries the metrics panel's figures: leaders by term,
/// elections, commit latency, lease coverage, hand-overs and per-link counts.
#[test]
fn run_reports_the_observability_figures() {
    let rot = concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios/rotation-under-load.json");
    let o = splitbrain(&["run", rot, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let f = &v["runs"][0]["figures"];
    let leaders = f["leaders_by_term"].as_array().unwrap();
    assert!(leaders.len() >= 9, "{leaders:?}");
    let rotations = &v["pooled"]["rotation_unavailable_ms"];
    assert!(rotations["count"].as_u64().unwrap() >= 8, "{rotations}");
    let (mean, max) = (rotations["mean"].as_f64().unwrap(), rotations["max"].as_f64().unwrap());
    assert!(mean > 5.0 && max < 150.0, "{rotations}");
    assert!(f["commit_latency_ms"]["count"].as_u64().unwrap() > 400);
    assert!(f["commit_latency_ms"]["p99"].as_f64().unwrap() >= f["commit_latency_ms"]["p50"].as_f64().unwrap());
    assert_eq!(f["links"].as_array().unwrap().len(), 20, "5 servers: 20 directed links");
    assert!(f["lease_coverage"].is_null(), "no leases in this scenario");

    let lease = concat!(env!("CARGO_MANIFEST_DIR"), "/static/scenarios/lease-clock-skew-in-bound.json");
    let v = json(&splitbrain(&["run", lease, "--json"]));
    let c = v["pooled"]["lease_coverage"].as_f64().unwrap();
    assert!(c > 0.5 && c <= 1.0, "coverage {c}");
    let text = String::from_utf8(splitbrain(&["run", rot]).stdout).unwrap();
    assert!(text.contains("rotation gap") && text.contains("(rotation): no leader took writes for"), "{text}");
}

#[test]
fn gossip_and_swim_refuse_impossible_parameters() {
    let cases: &[(&[&str], &str)] = &[
        (&["gossip", "--counter", "0"], "k must be at least 1"),
        (&["gossip", "--coin", "0"], "k must be at least 1"),
        (&["gossip", "--nodes", "10", "--fanout", "10"], "fanout must be between 1 and N - 1"),
        (&["gossip", "--loss", "1.5"], "loss must be between 0 and 1"),
        (&["gossip", "--loss=-0.1"], "loss must be between 0 and 1"),
        (&["gossip", "--nodes", "1"], "at least 2 sites"),
        (&["gossip", "--mode", "telepathy"], "invalid value"),
        (&["swim", "--nodes", "1"], "at least 2 members"),
        (&["swim", "--loss", "2"], "loss must be between 0 and 1"),
        (&["swim", "--nodes", "5", "--indirect", "4"], "more helpers"),
    ];
    for (args, needle) in cases {
        let o = splitbrain(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn gossip_and_swim_json_have_the_documented_fields() {
    let o = splitbrain(&["gossip", "--nodes", "200", "--trials", "5", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    for k in ["residue", "traffic", "t_ave", "t_last"] {
        assert!(v[k].is_number(), "{k}: {v}");
    }
    for k in ["p50", "p99", "p100"] {
        assert!(v["rounds_to"].get(k).is_some(), "rounds_to.{k}: {v}");
    }
    let o = splitbrain(&["swim", "--nodes", "30", "--trials", "3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    for k in ["first_detection_periods", "full_dissemination_periods"] {
        for s in ["mean", "p50", "p99"] {
            assert!(v[k][s].is_number(), "{k}.{s}: {v}");
        }
    }
    assert!(v["false_positive_rate"].is_number());
}

/// One CLI path for every protocol: gossip and SWIM files run with the same
/// JSON shape as Raft's (violations, metrics, pooled, runs with figures),
/// and exit 1 when a run does not show what the file declares.
#[test]
fn run_runs_every_protocol_with_one_json_shape() {
    for (file, protocol, counter) in [
        ("rumor-k1", "gossip", "update_messages"),
        ("swim-crash", "swim", "known_by_all"),
        ("leader-crash", "raft", "leader_changes"),
        ("paxos-duel", "paxos", "ballots"),
        ("fencing-tokens", "fencing", "refused"),
        ("bully-highest-crashed", "bully", "election_messages"),
        ("ring-shuffled", "ring", "election_messages"),
    ] {
        let path = format!("{}/static/scenarios/{file}.json", env!("CARGO_MANIFEST_DIR"));
        let o = splitbrain(&["run", &path, "--json"]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["protocol"], protocol);
        assert!(v["violations"].as_array().unwrap().is_empty());
        assert!(v["metrics"]["messages_sent"].as_u64().unwrap() > 0, "{file}");
        assert!(v["metrics"][counter].as_u64().unwrap() > 0, "{file}: {}", v["metrics"]);
        assert!(v["runs"][0]["figures"].is_object() && v["runs"][0]["trace_hash"].is_string());
        let text = String::from_utf8_lossy(&splitbrain(&["run", &path]).stdout).to_string();
        assert!(text.contains(&format!("protocol          {protocol}")), "{text}");
        assert!(text.contains("expect            shown"), "{text}");
    }
    // A declaration the run does not meet: exit 1, naming what is missing.
    let mut s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/static/scenarios/rumor-k4.json", env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap();
    s["expect"]["bounds"][0]["max"] = 0.0001.into();
    let path = std::env::temp_dir().join(format!("splitbrain-rumor-miss-{}.json", std::process::id()));
    std::fs::write(&path, s.to_string()).unwrap();
    let o = splitbrain(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("figures.residue is 0.0025, expected at most 0.0001"));
    // An unknown protocol is refused by name, with the supported ones.
    std::fs::write(&path, r#"{"version": 1, "protocol": {"zab": {}}, "nodes": 3, "seed": 1}"#).unwrap();
    let o = splitbrain(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown protocol 'zab'; this build runs raft, gossip, swim"), "{}", stderr(&o));
    // A Raft command in a SWIM file.
    std::fs::write(
        &path,
        r#"{"version": 1, "protocol": {"swim": {}}, "nodes": 5, "seed": 1, "timeline": [{"at_ms": 5, "action": "transfer", "to": 1}]}"#,
    )
    .unwrap();
    let o = splitbrain(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'transfer' is not a swim command"), "{}", stderr(&o));
}

/// A reader that goes away (`| head -c 10`) ends the process quietly with
/// its own exit code; a full disk gives one line and exit 1. Neither panics.
#[test]
fn a_closed_pipe_or_a_full_disk_never_panics() {
    use std::io::Read;
    use std::process::Stdio;
    for args in [
        // About 300 KB in one line: far more than a pipe holds.
        &["run", "static/scenarios/leader-crash.json", "--seeds", "200", "--json"][..],
        &["run", "static/scenarios/leader-crash.json", "--seeds", "200"],
        &["failover", "--trials", "200", "--json"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the CLI runs");
        let mut first = [0u8; 10];
        child.stdout.take().expect("piped").read_exact(&mut first).expect("some output");
        // The read end is dropped here: the pipe is closed.
        let out = child.wait_with_output().expect("the CLI ends");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert!(out.status.code().is_some_and(|c| c == 0 || c == 1), "{args:?}: {:?}", out.status);
    }
    if std::path::Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full opens");
        let out = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
            .args(["run", "static/scenarios/leader-crash.json"])
            .stdout(full)
            .output()
            .expect("the CLI runs");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stderr(&out).trim(), "error: cannot write the output: No space left on device (os error 28)");
    }
}

/// Any source is read only up to the 1 MiB cap, whatever it claims to be:
/// /dev/zero and /dev/urandom are refused at once instead of read until
/// memory runs out; a pipe and a file with a byte-order mark are read.
#[test]
fn endless_inputs_are_refused_at_the_cap() {
    for dev in ["/dev/zero", "/dev/urandom"] {
        if !std::path::Path::new(dev).exists() {
            continue;
        }
        let o = splitbrain(&["run", dev]);
        assert_eq!(o.status.code(), Some(2), "{dev}");
        assert!(stderr(&o).contains("larger than the limit of 1048576 bytes (1 MiB)"), "{dev}: {}", stderr(&o));
    }
    let dir = std::env::temp_dir().join(format!("splitbrain-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bom = dir.join("bom.json");
    let text = std::fs::read_to_string("static/scenarios/leader-crash.json").unwrap();
    std::fs::write(&bom, format!("\u{feff}{text}")).unwrap();
    let o = splitbrain(&["run", bom.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// Small holes found by a hostile walk-through: each is
/// refused with a message that says what is allowed, or warned about.
#[test]
fn small_holes_are_closed() {
    let dir = std::env::temp_dir().join(format!("splitbrain-holes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |name: &str, json: &str| {
        let path = dir.join(name);
        std::fs::write(&path, json).unwrap();
        splitbrain(&["run", path.to_str().unwrap()])
    };
    let head = r#""version": 1, "nodes": 3, "seed": 1, "duration_ms": 1000"#;
    for (name, body, needle) in [
        (
            "drift.json",
            r#""protocol": {"raft": {}}, "timeline": [{"at_ms": 1, "action": "skew", "node": 0, "drift_ppm": -9223372036854775808}]"#,
            "drift must be within ±500000 ppm",
        ),
        ("members.json", r#""protocol": {"raft": {"members": [0, 1, 1]}}"#, "members lists n1 twice"),
        ("witnesses.json", r#""protocol": {"raft": {"witnesses": [2, 2]}}"#, "witnesses lists n2 twice"),
        (
            "late.json",
            r#""protocol": {"raft": {}}, "timeline": [{"at_ms": 1500, "action": "heal_all"}]"#,
            "at_ms 1500 is after the end of the run (duration_ms 1000)",
        ),
        (
            "heal.json",
            r#""protocol": {"raft": {}}, "timeline": [{"at_ms": 5, "action": "heal_all", "bogus": 1}]"#,
            "'bogus' is not a field of 'heal_all'",
        ),
    ] {
        let o = run(name, &format!("{{{head}, {body}}}"));
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{name}: {}", stderr(&o));
    }
    // Allowed, but warned about; a name's control characters are escaped.
    let o = run(
        "warn.json",
        &format!(r#"{{{head}, "name": "a\u001b[31mb\u202ec", "protocol": {{"raft": {{"heartbeat_ms": 400}}}}}}"#),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning:") && stderr(&o).contains("heartbeat (400 ms) is not shorter"));
    assert!(stdout(&o).contains(r"a\u{1b}[31mb\u{202e}c"), "{}", stdout(&o));
    assert!(!stdout(&o).contains('\u{1b}') && !stdout(&o).contains('\u{202e}'));
    let _ = std::fs::remove_dir_all(dir);
    // Flags: a negative loss gets the loss message, not a parser puzzle.
    for cmd in ["gossip", "swim"] {
        let o = splitbrain(&[cmd, "--loss", "-0.1"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("loss must be between 0 and 1, not -0.1"), "{cmd}: {}", stderr(&o));
    }
    let o = splitbrain(&["failover", "--nodes", "0"]);
    assert!(stderr(&o).contains("0 is not in 3..=15"), "{}", stderr(&o));
}

/// Sizes are capped before anything is allocated: each
/// of these aborted on a huge allocation or grew past 10 GB.
#[test]
fn sizes_beyond_the_caps_are_refused_before_allocating() {
    for (args, needle) in [
        (&["gossip", "--nodes", "100000000"][..], "gossip runs at most 1000000 sites"),
        (&["gossip", "--nodes", "100000", "--fanout", "99999"], "at most 1000000 contacts per cycle"),
        (&["swim", "--nodes", "4294967295"], "SWIM runs at most 2000 members"),
        (&["swim", "--nodes", "100000"], "SWIM runs at most 2000 members"),
    ] {
        let o = splitbrain(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

/// A link pasted in a review can be checked headless: `run` takes a
/// playground link as well as a file, and gives the same run.
#[test]
fn run_opens_a_playground_link() {
    let file = "static/scenarios/leader-crash.json";
    let link = stdout(&splitbrain(&["link", file])).trim().to_string();
    assert!(link.starts_with("http://") && link.contains("#s=") && link.contains("&c="), "{link}");
    let from_file = json(&splitbrain(&["run", file, "--json"]));
    for arg in [link.clone(), link.split_once('#').unwrap().1.to_string()] {
        let o = splitbrain(&["run", &arg, "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let hash = &json(&o)["runs"][0]["trace_hash"];
        assert!(hash.is_string() && *hash == from_file["runs"][0]["trace_hash"], "{hash}");
    }
    let damaged = link.replace("&c=", "&c=0");
    let o = splitbrain(&["run", &damaged]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("checksum does not match"), "{}", stderr(&o));
}

/// Work that cannot be meant is refused with the floor or cap in the
/// message: each of these ran for hours or days.
#[test]
fn unbounded_work_is_refused_with_the_floor_named() {
    for (args, needle) in [
        (&["failover", "--heartbeat-ms", "0"][..], "heartbeat interval must be at least 1 ms, not 0 ms"),
        (&["failover", "--timeout-ms", "0.001-0.001", "--trials", "1"], "election timeout must be at least 1 ms"),
    ] {
        let o = splitbrain(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    let dir = std::env::temp_dir().join(format!("splitbrain-work-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let day = r#""version": 1, "seed": 1, "duration_ms": 86400000"#;
    for (name, body, needle) in [
        ("hb.json", r#""protocol": {"raft": {"heartbeat_ms": 0.001}}, "nodes": 3"#, "heartbeat interval must be at least 1 ms"),
        (
            "load.json",
            r#""protocol": {"raft": {}}, "client": {"interval_ms": 0.01}, "nodes": 3"#,
            "is 8640000000 requests; a run makes at most 1000000",
        ),
        // A leader pattern's period below one round of the pattern.
        (
            "rotate.json",
            r#""protocol": {"raft": {"rotate_every_ms": 0.01}}, "nodes": 3"#,
            "rotate_every_ms must be at least the minimum election timeout, 150 ms, not 0.01 ms",
        ),
        // Each period at its floor is still counted over the run.
        (
            "hb15.json",
            r#""protocol": {"raft": {"heartbeat_ms": 1, "election_timeout_ms": [1, 2]}}, "nodes": 15"#,
            "heartbeat_ms of 1 ms on 15 node(s) for 86400 s fires 1296000000 times; a run allows at most 1000000000",
        ),
        (
            "gossip.json",
            r#""protocol": {"gossip": {"period_ms": 1}}, "nodes": 20000"#,
            "period_ms of 1 ms on 20000 node(s) for 86400 s fires 1728000000000 times",
        ),
        (
            "swim.json",
            r#""protocol": {"swim": {"period_ms": 1}}, "nodes": 2000"#,
            "period_ms of 1 ms on 2000 node(s)",
        ),
        (
            "ae.json",
            r#""protocol": {"store": {"anti_entropy_ms": 1}}, "nodes": 20"#,
            "anti_entropy_ms of 1 ms on 20 node(s) for 86400 s fires 1728000000 times",
        ),
        (
            "clients.json",
            r#""protocol": {"store": {"workload": {"clients": 1000, "think_ms": 0.1}}}, "nodes": 20"#,
            "workload.think_ms of 0.1 ms on 1000 client(s) for 86400 s fires 864000000000 times; a run allows at most 1000000",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, format!("{{{day}, {body}}}")).unwrap();
        let o = splitbrain(&["run", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(stderr(&o).contains(needle), "{name}: {}", stderr(&o));
    }
    // A million seeds of a day-long file: refused before the first seed.
    let path = dir.join("seeds.json");
    std::fs::write(&path, format!(r#"{{{day}, "nodes": 3, "protocol": {{"raft": {{}}}}}}"#)).unwrap();
    let o = splitbrain(&["run", path.to_str().unwrap(), "--seeds", "1000000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("one batch runs at most 1000000 s"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// The storm with its bug put back stops at the cap on messages in
/// flight: exit 2, the cap and the instant in the text and the JSON.
#[test]
fn a_storm_stops_at_a_cap_with_exit_2() {
    let path = std::env::temp_dir().join(format!("splitbrain-storm-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"version": 1, "protocol": {"raft": {"snapshot_every": 2, "bug": "refuse_below_snapshot"}}, "nodes": 5,
            "seed": 1, "duration_ms": 5000, "network": {"latency_ms": [5, 10], "dup": 1.0}, "client": {"interval_ms": 1}}"#,
    )
    .unwrap();
    let o = splitbrain(&["run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("stopped") && text.contains("more than 200,200 messages in flight"), "{text}");
    let o = splitbrain(&["run", path.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["stopped"], 1);
    let stopped = &v["runs"][0]["stopped"];
    assert_eq!(stopped["cap"], "messages_in_flight");
    assert!(stopped["at_us"].as_u64().unwrap() < 5_000_000, "{stopped}");
    std::fs::remove_file(path).ok();
}

/// `--seeds` streams: the first run's report is out while the other
/// 999,999 seeds have not run, so nothing has to hold them all.
#[test]
fn run_json_streams_each_report_as_it_ends() {
    use std::io::Read;
    let path = std::env::temp_dir().join(format!("splitbrain-stream-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 3, "seed": 1, "duration_ms": 1000}"#)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(["run", path.to_str().unwrap(), "--seeds", "1000000", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until two whole reports have arrived (a LineWriter flushes a
    // full buffer), then stop the batch.
    while String::from_utf8_lossy(&seen).matches("\"trace_hash\"").count() < 2 {
        let n = out.read(&mut buf).unwrap();
        assert!(n > 0, "the output ended early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with(r#"{"scenario":"#), "{text}");
    assert!(text.contains(r#""runs":[{"seed":1,"#), "{}", &text[..200.min(text.len())]);
    std::fs::remove_file(path).ok();
}

/// `quorum --propagation none` is Bailis et al.'s k-staleness model run on
/// the store: the measured fractions match the closed form; impossible
/// quorums exit 2.
#[test]
fn quorum_reproduces_the_pbs_k_staleness_closed_form() {
    for (n, r, w) in [("3", "1", "1"), ("5", "2", "1"), ("4", "1", "2")] {
        let o = splitbrain(&[
            "quorum",
            "--n",
            n,
            "--r",
            r,
            "--w",
            w,
            "--nodes",
            "5",
            "--propagation",
            "none",
            "--trials",
            "3000",
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v = json(&o);
        assert_eq!(v["failed"], 0);
        for k in ["1", "2", "3"] {
            let (m, c) = (v["k_staleness"][k].as_f64().unwrap(), v["k_staleness_closed_form"][k].as_f64().unwrap());
            assert!((m - c).abs() < 0.03, "N={n} R={r} W={w} k={k}: measured {m}, closed form {c}");
        }
    }
    // Strict quorums with propagation: every read right after the ack is fresh.
    let v = json(&splitbrain(&[
        "quorum",
        "--n",
        "3",
        "--r",
        "2",
        "--w",
        "2",
        "--latency-ms",
        "1-100",
        "--trials",
        "300",
        "--json",
    ]));
    assert_eq!(v["p_consistent_read"], 1.0);
    // A partial quorum with wide latencies is sometimes stale, less so later.
    let v = json(&splitbrain(&[
        "quorum",
        "--n",
        "3",
        "--r",
        "1",
        "--w",
        "1",
        "--latency-ms",
        "1-100",
        "--trials",
        "1000",
        "--json",
    ]));
    let at = v["p_consistent_read_at"].as_array().unwrap();
    let (now, later) = (at[0]["p"].as_f64().unwrap(), at[7]["p"].as_f64().unwrap());
    assert_eq!(at[7]["delay_ms"], 100);
    assert!(now < 0.95 && later > now, "{now} then {later}");
    for (args, msg) in [
        (&["quorum", "--n", "3", "--r", "4"][..], "R must be 1 to N (3)"),
        (&["quorum", "--n", "3", "--w", "0"][..], "W must be 1 to N (3)"),
        (&["quorum", "--n", "5", "--nodes", "3"][..], "N must be 1 to the number of nodes (3)"),
    ] {
        let o = splitbrain(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(msg), "{args:?}: {}", stderr(&o));
    }
}

/// With exponential latencies, reads at each delay after the ack see the
/// write as often as Bailis et al.'s WARS model says (computed on its own
/// by `experiments::pbs::wars_consistent`).
#[test]
fn quorum_reproduces_wars_t_visibility() {
    use splitbrain::experiments::pbs::{wars_consistent, Wars};
    let lat = Wars { w: 10.0, a: 10.0, r: 10.0, s: 10.0 };
    for (n, r, w) in [(3u32, 1u32, 1u32), (5, 1, 1)] {
        let (ns, rs, ws) = (n.to_string(), r.to_string(), w.to_string());
        let o = splitbrain(&[
            "quorum",
            "--n",
            &ns,
            "--r",
            &rs,
            "--w",
            &ws,
            "--exp-latency-ms",
            "10",
            "--trials",
            "3000",
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v = json(&o);
        for at in v["p_consistent_read_at"].as_array().unwrap() {
            let t = at["delay_ms"].as_u64().unwrap();
            let measured = at["p"].as_f64().unwrap();
            let model = wars_consistent(n, r, w, lat, t as f64, 50_000, 7);
            assert!((measured - model).abs() < 0.03, "N={n} R={r} W={w} at {t} ms: measured {measured}, WARS {model}");
        }
    }
}

/// `--sloppy` trades consistency for availability even with R + W > N:
/// under 30% loss, stand-ins answer for home replicas that do not, so far
/// fewer trials fail, and some reads then miss the acknowledged write.
#[test]
fn quorum_sloppy_answers_more_and_reads_less_consistently() {
    let run = |sloppy: bool| {
        let mut args = vec![
            "quorum", "--n", "3", "--r", "2", "--w", "2", "--nodes", "6", "--loss", "0.3", "--trials", "600", "--json",
        ];
        if sloppy {
            args.push("--sloppy");
        }
        let o = splitbrain(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        json(&o)
    };
    let (strict, sloppy) = (run(false), run(true));
    let failed = |v: &serde_json::Value| v["failed"].as_f64().unwrap();
    assert!(failed(&sloppy) < 0.8 * failed(&strict), "sloppy {} strict {}", failed(&sloppy), failed(&strict));
    assert_eq!(strict["p_consistent_read"], 1.0, "strict R + W > N reads what was acknowledged");
    assert!(sloppy["p_consistent_read"].as_f64().unwrap() < 0.99, "{}", sloppy["p_consistent_read"]);
    let o = splitbrain(&["quorum", "--n", "3", "--r", "2", "--w", "2", "--sloppy", "--propagation", "none"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--sloppy needs --propagation all"), "{}", stderr(&o));
}

/// `splitbrain cap` prints Raft and the store side by side, as JSON too,
/// and refuses an impossible partition with exit 2.
#[test]
fn cap_compares_raft_and_the_store_under_one_partition() {
    let o = splitbrain(&["cap", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = json(&o);
    let systems: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["system"].as_str().unwrap()).collect();
    assert_eq!(systems.len(), 4);
    assert!(systems[0].starts_with("Raft") && systems[1..].iter().all(|s| s.starts_with("store")), "{systems:?}");
    let o = splitbrain(&["cap"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("minority") && text.contains("stale reads"), "{text}");
    let o = splitbrain(&["cap", "--minority", "0,1,2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("minority side must hold 1 to 2 of the 5 nodes"), "{}", stderr(&o));
}

#[test]
fn the_paper_testbed_is_one_flag_and_figure16_writes_its_table_and_plot() {
    let o = splitbrain(&["failover", "--testbed", "raft-paper", "--timeout-ms", "150-155", "--trials", "50"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("latency 2.5-3.5 ms, storage writes 0.5-1 ms, unequal logs"), "{}", stdout(&o));
    let o = splitbrain(&["failover", "--testbed", "raft-paper", "--latency-ms", "1-2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    let o = splitbrain(&["failover", "--timeout-ms", "12-24", "--latency-ms", "1-2", "--fsync-ms", "5-10"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("below the broadcast time"), "{}", stderr(&o));

    let svg = std::env::temp_dir().join(format!("splitbrain-figure16-{}.svg", std::process::id()));
    let o = splitbrain(&["figure16", "--trials", "10", "--svg", svg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert_eq!(table.lines().filter(|l| l.starts_with("| ") && l.contains(" ms |")).count(), 10, "{table}");
    assert!(table.contains("| 150-155 ms | 10 |") && table.contains("median 287 ms"), "{table}");
    let drawn = std::fs::read_to_string(&svg).expect("the SVG was written");
    std::fs::remove_file(&svg).ok();
    assert_eq!(drawn.matches("<path").count(), 11);
    let o = splitbrain(&["figure16", "--trials", "1", "--svg", "/nonexistent-dir/x.svg"]);
    assert_eq!(o.status.code(), Some(2), "refused before the run");
    assert!(stderr(&o).contains("cannot write /nonexistent-dir/x.svg"), "{}", stderr(&o));
}
