//! Counterexample search: swarm-tested fault schedules around a scenario
//! find a broken variant's violation and shrink it to a small scenario
//! that breaks the same property; the correct protocols survive.

use splitbrain::protocols::raft::Raft;
use splitbrain::protocols::store::node::StoreNode;
use splitbrain::scenario::{Registered, Runner, Scenario};
use splitbrain::search::{search, Found};

fn raft(options: &str) -> Scenario {
    let json = format!(
        r#"{{"version":1,"protocol":{{"raft":{{{options}}}}},"nodes":5,"seed":1,"duration_ms":4000,"client":{{"interval_ms":20,"reads":true}}}}"#
    );
    Scenario::from_json(&json).expect("valid")
}

fn store(options: &str) -> Scenario {
    let json = format!(
        r#"{{"version":1,"protocol":{{"store":{{{options}"anti_entropy_ms":100,"workload":{{"clients":8,"think_ms":20,"keys":4,"stop_ms":3000}}}}}},"nodes":5,"seed":1,"duration_ms":4000}}"#
    );
    Scenario::from_json(&json).expect("valid")
}

/// The shrunk scenario, run on its own, breaks the same property first.
fn replays<P: Registered>(f: &Found) {
    let mut r = Runner::<P>::build(f.scenario.clone()).expect("valid");
    r.run_to_end();
    let v = r.violations().first().expect("it still fails");
    assert_eq!((v.property, v.time_us), (f.property.as_str(), f.at_us), "{v}");
    // And it round-trips through a file.
    let again = Scenario::from_json(&f.scenario.to_json()).expect("parses");
    assert_eq!(again, f.scenario);
}

#[test]
fn a_double_vote_is_found_and_shrunk() {
    let out = search(&raft(r#""bug":"vote_twice""#), 1, 200, &mut |_| true);
    let f = out.found.expect("found within 200 schedules");
    eprintln!(
        "{} schedules; {}: {} -> {} actions in {} runs: {}",
        out.schedules, f.property, f.actions, f.shrunk_actions, f.shrink_runs, f.detail
    );
    assert_eq!(f.property, "Election Safety");
    assert!(f.shrunk_actions <= 20 && f.shrunk_actions < f.actions, "{} -> {}", f.actions, f.shrunk_actions);
    replays::<Raft>(&f);
}

#[test]
fn a_store_that_keeps_one_sibling_is_found_and_shrunk() {
    let out = search(&store(r#""bug":"keep_one_sibling","#), 1, 200, &mut |_| true);
    let f = out.found.expect("found within 200 schedules");
    eprintln!(
        "{} schedules; {}: {} -> {} actions in {} runs",
        out.schedules, f.property, f.actions, f.shrunk_actions, f.shrink_runs
    );
    assert_eq!(f.property, "No Lost Write");
    assert!(f.shrunk_actions <= 20, "{} -> {}", f.actions, f.shrunk_actions);
    replays::<StoreNode>(&f);
}

#[test]
fn the_correct_protocols_survive_the_search() {
    for base in [raft(""), store("")] {
        let out = search(&base, 7, 40, &mut |_| true);
        assert_eq!(out.schedules, 40);
        assert!(out.found.is_none(), "{:?}", out.found.map(|f| (f.property, f.detail)));
    }
}

#[test]
fn a_search_stops_when_told() {
    let out = search(&raft(""), 1, 1000, &mut |i| i < 3);
    assert_eq!(out.schedules, 3);
}

/// `splitbrain search`: exit 1 with the JSON and the shrunk file when a
/// property breaks, 0 when none does, 2 on bad input.
#[test]
fn the_command_line_search() {
    let dir = std::env::temp_dir().join(format!("splitbrain-search-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_splitbrain")).args(args).output().unwrap();
    let bad = dir.join("vote_twice.json");
    std::fs::write(&bad, raft(r#""bug":"vote_twice""#).to_json()).unwrap();
    let out = dir.join("min.json");
    let o = run(&["search", bad.to_str().unwrap(), "--schedules", "50", "--json", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["found", "property", "schedules", "shrunk_actions", "file", "link"] {
        assert!(!v[key].is_null(), "{key} in {v}");
    }
    assert_eq!(v["property"], "Election Safety");
    assert!(v["link"].as_str().unwrap().contains("#s="));
    let shrunk = Scenario::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(shrunk.timeline.len() as u64, v["shrunk_actions"].as_u64().unwrap());
    let good = dir.join("correct.json");
    std::fs::write(&good, raft("").to_json()).unwrap();
    let o = run(&["search", good.to_str().unwrap(), "--schedules", "5", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["found"].as_bool(), v["schedules"].as_u64()), (Some(false), Some(5)));
    for args in [vec!["--budget", "0"], vec!["--schedules", "0"]] {
        let o = run(&[&["search", good.to_str().unwrap()], &args[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
    let o = run(&["search", dir.join("missing.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read scenario"));
    let _ = std::fs::remove_dir_all(&dir);
}
