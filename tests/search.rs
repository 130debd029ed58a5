//! Counterexample search: swarm-tested fault schedules around a scenario
//! find a broken variant's violation and shrink it to a small scenario
//! that breaks the same property; the correct protocols survive.

use splitbrain::protocols::raft::Raft;
use splitbrain::protocols::store::node::StoreNode;
use splitbrain::scenario::{Registered, Runner, Scenario};
use splitbrain::search::{search, Found, Shard};

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
    let out = search(&raft(r#""bug":"vote_twice""#), 1, 200, Shard::ALL, &mut |_| true);
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
    let out = search(&store(r#""bug":"keep_one_sibling","#), 1, 200, Shard::ALL, &mut |_| true);
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
        let out = search(&base, 7, 40, Shard::ALL, &mut |_| true);
        assert_eq!(out.schedules, 40);
        assert!(out.found.is_none(), "{:?}", out.found.map(|f| (f.property, f.detail)));
    }
}

#[test]
fn a_search_stops_when_told() {
    let out = search(&raft(""), 1, 1000, Shard::ALL, &mut |i| i < 3);
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
    for key in ["found", "property", "schedules", "states", "shrunk_actions", "file", "link"] {
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

/// Four shards, run as four processes, merge into exactly the single
/// run's report: the same violation, schedule count and abstract states,
/// whether a property breaks or none does. Bad shards are refused.
#[test]
fn four_shards_merge_into_the_single_run() {
    let dir = std::env::temp_dir().join(format!("splitbrain-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = env!("CARGO_BIN_EXE_splitbrain");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let json = |o: &std::process::Output| -> serde_json::Value { serde_json::from_slice(&o.stdout).unwrap() };
    let same =
        ["found", "property", "detail", "schedules", "states", "schedule", "seed", "shrunk_actions", "at_us", "link"];
    for (name, scenario, schedules) in [("bug", raft(r#""bug":"vote_twice""#), "40"), ("correct", raft(""), "12")] {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, scenario.to_json()).unwrap();
        let f = file.to_str().unwrap();
        // Seed 2 breaks in schedule 2: not in shard 0's lanes.
        let single = run(&[
            "search",
            f,
            "--schedules",
            schedules,
            "--seed",
            "2",
            "--json",
            "--out",
            dir.join("one.json").to_str().unwrap(),
        ]);
        let children: Vec<_> = (0..4)
            .map(|i| {
                let out = std::fs::File::create(dir.join(format!("{name}-{i}.out"))).unwrap();
                std::process::Command::new(bin)
                    .args([
                        "search",
                        f,
                        "--schedules",
                        schedules,
                        "--seed",
                        "2",
                        "--json",
                        "--shard",
                        &format!("{i}/4"),
                    ])
                    .stdout(out)
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<Option<i32>> = children.into_iter().map(|mut c| c.wait().unwrap().code()).collect();
        let parts: Vec<String> = (0..4).map(|i| dir.join(format!("{name}-{i}.out")).display().to_string()).collect();
        let merged = run(&[&["merge", "--json"], &parts.iter().map(String::as_str).collect::<Vec<_>>()[..]].concat());
        assert_eq!(merged.status.code(), single.status.code(), "{name}: {}", String::from_utf8_lossy(&merged.stderr));
        let (one, all) = (json(&single), json(&merged));
        for key in same {
            assert_eq!(one[key], all[key], "{name}: {key}");
        }
        assert!(one["states"].as_u64().unwrap() > 1, "{one}");
        if name == "bug" {
            assert_eq!(one["found"], true);
            let winner = one["schedule"].as_u64().unwrap() % 64 % 4;
            assert_ne!(winner, 0, "the violation should not be in shard 0's lanes: {one}");
            assert!(codes.contains(&Some(0)) || codes.iter().filter(|c| **c == Some(1)).count() > 1, "{codes:?}");
        } else {
            assert_eq!((one["found"].as_bool(), one["schedules"].as_u64()), (Some(false), Some(12)));
            assert_eq!(codes, [Some(0); 4]);
        }
        // Three of four shards, or one twice, are not a search.
        let o = run(&["merge", &parts[0], &parts[1], &parts[2]]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("shard 3/4 is missing"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let o = run(&["merge", &parts[0], &parts[1], &parts[2], &parts[2]]);
        assert!(String::from_utf8_lossy(&o.stderr).contains("given twice"));
    }
    for bad in ["5/4", "0/0", "4/4", "1/65", "x", "1"] {
        let o = run(&["search", dir.join("bug.json").to_str().unwrap(), "--shard", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--shard takes i/n"), "{bad}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every variant in the bug zoo builds, and its mystery says nothing of
/// its bug: not the variant's id, title or property.
#[test]
fn the_zoo_builds_and_its_mysteries_keep_their_secret() {
    use splitbrain::search::zoo::{all, Variant};
    let zoo = all();
    assert!(zoo.len() >= 18, "{} variants", zoo.len());
    for &v in &zoo {
        let s = v.scenario();
        s.validate().unwrap_or_else(|e| panic!("{}: {e}", v.id));
        assert_eq!(Variant::find(v.id), Some(v));
        let m = v.mystery();
        let said = format!("{} {}", m.name, m.description).to_lowercase();
        for secret in [v.title, v.property, v.id] {
            assert!(!said.contains(&secret.to_lowercase()), "{}'s mystery says {secret:?}", v.id);
        }
        assert_eq!((m.protocol.clone(), m.timeline.clone()), (s.protocol.clone(), s.timeline.clone()));
    }
}

/// The bar: every variant in the zoo is found within 60 s of search and
/// shrunk to at most 20 timeline actions, breaking its own property.
/// Run by `cargo xtask bench`, or alone:
/// `cargo test --release --test search zoo_bar -- --ignored --nocapture`.
#[test]
#[ignore]
fn zoo_bar() {
    let mut missed = Vec::new();
    for v in splitbrain::search::zoo::all() {
        let t0 = std::time::Instant::now();
        let out = search(&v.scenario(), 1, 100_000, Shard::ALL, &mut |_| t0.elapsed().as_secs() < 60);
        let s = t0.elapsed().as_secs_f64();
        match out.found {
            Some(f) => {
                println!(
                    "| {} | {} | {} | {} | {:.1} s | {} | {} |",
                    v.id, v.property, f.property, out.schedules, s, f.actions, f.shrunk_actions
                );
                if f.property != v.property || f.shrunk_actions > 20 {
                    missed.push(v.id);
                }
            }
            None => {
                println!("| {} | {} | not found | {} | {s:.1} s | | |", v.id, v.property, out.schedules);
                missed.push(v.id);
            }
        }
    }
    assert!(missed.is_empty(), "below the bar: {missed:?}");
}

/// The page's hunt, run a step at a time as the worker runs it, finds a
/// mystery's bug; the scenario it hands back replays the violation at the
/// instant it says, and explains what was broken. An exploration does the
/// same, breadth first; bad requests are refused with a reason.
#[test]
fn a_hunt_in_steps_finds_a_mystery_and_explains_it() {
    use splitbrain::search::hunt::{How, Hunt, HuntRequest};
    use splitbrain::search::zoo::Variant;
    let v = Variant::find("raft-vote-twice").unwrap();
    let mystery = v.mystery().to_json();
    for how in [How::Search { schedules: 200, seed: 1 }, How::Explore { depth: 12, states: 100_000, seed: 1 }] {
        let mut base = v.mystery();
        if matches!(how, How::Explore { .. }) {
            // Explore takes a 3-server start.
            base.nodes = 3;
        }
        let mut hunt = Hunt::new(&HuntRequest { scenario: base.to_json(), how }).unwrap();
        let mut steps = 0;
        while hunt.step() {
            steps += 1;
            assert!(steps < 1_000_000, "{how:?} does not end");
        }
        let out = hunt.finish();
        let bug = out.found.unwrap_or_else(|| panic!("{how:?} found nothing"));
        assert!(out.complete);
        assert_eq!(bug.property, "Election Safety", "{how:?}");
        let s = Scenario::from_json(&bug.scenario).unwrap();
        assert!(s.description.contains(v.explanation), "{}", s.description);
        assert!(s.name.starts_with("Election Safety: found by"), "{}", s.name);
        let mut r = Runner::<Raft>::build(s).unwrap();
        r.run_to_end();
        let first = r.violations().first().expect("it replays");
        assert_eq!((first.property, first.time_us), ("Election Safety", bug.at_us));
    }
    let refused = |scenario: &str, how| Hunt::new(&HuntRequest { scenario: scenario.into(), how }).err().unwrap();
    assert!(refused(&mystery, How::Search { schedules: 0, seed: 1 }).contains("at least one schedule"));
    assert!(refused("{", How::Search { schedules: 10, seed: 1 }).contains("the scenario is invalid"));
    let store = Variant::find("store-keep-one-sibling").unwrap().scenario().to_json();
    assert!(refused(&store, How::Explore { depth: 5, states: 10, seed: 1 }).contains("cannot explore"));
}

/// Each protocol lists the properties its checker watches; the search
/// asks for them, and the store's list follows its settings.
#[test]
fn the_searchable_properties_follow_the_scenario() {
    use splitbrain::search::searchable;
    use splitbrain::search::zoo::Variant;
    let props = |id: &str| searchable(&Variant::find(id).unwrap().scenario()).unwrap();
    assert_eq!(props("raft-vote-twice").len(), 8);
    assert_eq!(props("gossip-replace-on-pull"), ["No Un-learning"]);
    assert_eq!(props("swim-ignore-incarnation"), ["Strong Completeness", "Incarnation Precedence"]);
    assert_eq!(props("store-keep-one-sibling"), ["No Lost Write", "Causality", "Convergence"]);
    assert_eq!(props("store-lww-skew-claimed-linearizable"), ["Causality", "Convergence", "Linearizability"]);
}
