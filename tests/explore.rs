//! Exhaustive exploration: every interleaving of a 3-server Raft cluster's
//! deliveries, drops, crashes, restarts, timers and requests, to a depth.
//! It finds the double vote and Figure 8's commit by count, their paths
//! replay as scripted scenarios, and the correct protocol survives.

use splitbrain::protocols::raft::Raft;
use splitbrain::scenario::{Runner, Scenario};
use splitbrain::search::explore::{explore, Bounds, By};

fn raft(options: &str) -> Scenario {
    let json = format!(r#"{{"version":1,"protocol":{{"raft":{{{options}}}}},"nodes":3,"seed":1,"duration_ms":1000}}"#);
    Scenario::from_json(&json).expect("valid")
}

/// The path, replayed as a scenario, breaks the same property.
fn replays(s: &Scenario, property: &str) {
    let again = Scenario::from_json(&s.to_json()).expect("the path is a valid scenario");
    let mut r = Runner::<Raft>::build(again).expect("valid");
    r.run_to_end();
    let v = r.violations().first().expect("the replay breaks a property");
    assert_eq!(v.property, property, "{v}");
}

#[test]
fn a_double_vote_is_found_breadth_first() {
    let out = explore(&raft(r#""bug":"vote_twice""#), Bounds::default(), 1, &mut |_| true).unwrap();
    let f = out.found.expect("found");
    eprintln!("{} states, depth {}: {} steps: {}", out.states, out.depth, f.steps, f.detail);
    assert_eq!((f.property.as_str(), f.by), ("Election Safety", By::BreadthFirst));
    // Two elections in one term, and the one voter's two votes: 2 timers,
    // 2 requests for votes and 2 replies.
    assert_eq!(f.steps, 6, "a shortest path");
    replays(&f.scenario, "Election Safety");
}

/// Figure 8 takes about 18 steps on 3 servers, past what breadth first
/// holds in a test's time; Go-Explore reaches it and the path is shrunk.
#[test]
fn figure_8_is_found_and_its_path_replays() {
    let bounds = Bounds { max_states: 20_000, walks: 300_000, ..Bounds::default() };
    let out = explore(&raft(r#""bug":"commit_previous_term_by_count","leader_noop":false"#), bounds, 1, &mut |_| true)
        .unwrap();
    let f = out.found.expect("found");
    eprintln!("{} states, {} walks: {} -> {} steps: {}", out.states, out.walks, f.steps, f.shrunk_steps, f.detail);
    assert_eq!((f.property.as_str(), f.by), ("Leader Completeness", By::GoExplore));
    assert!(f.shrunk_steps <= 24 && f.shrunk_steps <= f.steps, "{} -> {}", f.steps, f.shrunk_steps);
    assert_eq!(f.scenario.timeline.len(), f.shrunk_steps);
    replays(&f.scenario, "Leader Completeness");
    // It breaks at its last step, not before.
    let mut s = f.scenario.clone();
    s.timeline.pop();
    let mut r = Runner::<Raft>::build(s).unwrap();
    r.run_to_end();
    assert!(r.violations().is_empty(), "{:?}", r.violations());
}

/// The correct protocol, breadth first to depth 7 and then walking,
/// breaks nothing; with the fix left out (the Figure 8 rule, or a vote a
/// term) the same bounds find it.
#[test]
fn the_correct_protocol_survives() {
    let bounds = Bounds { max_states: 30_000, walks: 3_000, ..Bounds::default() };
    for options in ["", r#""leader_noop":false"#] {
        let out = explore(&raft(options), bounds, 1, &mut |_| true).unwrap();
        assert!(out.found.is_none(), "{options}: {:?}", out.found.map(|f| f.detail));
        assert!(out.depth >= 7 && out.walks == 3_000, "{options}: depth {} walks {}", out.depth, out.walks);
    }
}

/// Servers that differ only by name are explored once: with symmetry
/// the same depth holds several times fewer states (at most 3! = 6 times),
/// and the double vote is found at the same depth.
#[test]
fn symmetry_reduces_the_states() {
    let bounds = Bounds { depth: 7, ..Bounds::default() };
    let with = explore(&raft(""), bounds, 1, &mut |_| true).unwrap();
    let without = explore(&raft(""), Bounds { symmetry: false, ..bounds }, 1, &mut |_| true).unwrap();
    eprintln!("{} states with symmetry, {} without", with.states, without.states);
    assert_eq!((with.depth, without.depth), (7, 7));
    let ratio = without.states as f64 / with.states as f64;
    assert!((2.5..=6.0).contains(&ratio), "{ratio}");
    let bug = raft(r#""bug":"vote_twice""#);
    let without = explore(&bug, Bounds { symmetry: false, ..bounds }, 1, &mut |_| true).unwrap();
    assert_eq!(without.found.map(|f| f.steps), Some(6));
}

#[test]
fn what_explore_cannot_take_is_refused() {
    for (options, says) in [
        (r#""prevote":true"#, "prevote"),
        (r#""lease_drift_bound_ppm":1000"#, "lease_drift_bound_ppm"),
        (r#""members":[0,1]"#, "members"),
    ] {
        let e = explore(&raft(options), Bounds::default(), 1, &mut |_| true).unwrap_err();
        assert!(e.contains(says) && e.contains("splitbrain search"), "{e}");
    }
    let store = Scenario::from_json(r#"{"version":1,"protocol":{"store":{}},"nodes":3,"seed":1,"duration_ms":1000}"#);
    let e = explore(&store.unwrap(), Bounds::default(), 1, &mut |_| true).unwrap_err();
    assert!(e.contains("cannot explore a store scenario"), "{e}");
    let six = Scenario { nodes: 6, ..raft("") };
    let e = explore(&six, Bounds::default(), 1, &mut |_| true).unwrap_err();
    assert!(e.contains("at most 5 nodes"), "{e}");
}

#[test]
#[ignore]
fn measure() {
    let t = std::time::Instant::now();
    let mut last = 0;
    let max_states = std::env::var("MAX_STATES").map_or(2_000_000, |v| v.parse().unwrap());
    let walks: u64 = std::env::var("WALKS").map_or(100_000, |v| v.parse().unwrap());
    let bounds = Bounds { max_states, ..Bounds::default() };
    let options =
        std::env::var("OPTIONS").unwrap_or(r#""bug":"commit_previous_term_by_count","leader_noop":false"#.into());
    let out = explore(&raft(&options), bounds, 1, &mut |p| {
        if p.depth != last {
            last = p.depth;
            eprintln!("depth {}: {} states at {:?}", p.depth, p.states, t.elapsed());
        }
        p.walks < walks
    })
    .unwrap();
    eprintln!(
        "{} states {} transitions depth {} walks {} {:?} found {:?}",
        out.states,
        out.transitions,
        out.depth,
        out.walks,
        t.elapsed(),
        out.found.map(|f| (f.property, f.by, f.steps, f.shrunk_steps))
    );
}

#[test]
#[ignore]
fn manual() {
    use splitbrain::contract::{Action, Target};
    let start =
        splitbrain::search::explore::start(&raft(r#""bug":"commit_previous_term_by_count","leader_noop":false"#));
    let mut r = Runner::<Raft>::build(start).unwrap();
    let script = std::env::var("STEPS").unwrap_or_default();
    for step in script.split(';').filter(|s| !s.trim().is_empty()) {
        let w: Vec<&str> = step.split_whitespace().collect();
        let n = |i: usize| w[i].parse::<u32>().unwrap();
        let a = match w[0] {
            "f" => Action::Fire { node: n(1), timer: w.get(2).unwrap_or(&"election").to_string() },
            "d" => Action::Deliver { from: n(1), to: n(2), nth: w.get(3).map_or(0, |x| x.parse().unwrap()) },
            "r" => Action::Request { node: Target::Node(n(1)), key: None },
            "c" => Action::Crash { node: Target::Node(n(1)) },
            _ => Action::Restart { node: n(1) },
        };
        r.perform(&a);
        let sim = r.sim();
        let nodes: Vec<String> = (0..3)
            .map(|i| {
                sim.node(i).map_or("down".into(), |s| {
                    format!(
                        "{:?} t{} last{}/t{} c{}",
                        s.role(),
                        s.term(),
                        s.log().last_index(),
                        s.log().last_term(),
                        s.commit_index()
                    )
                })
            })
            .collect();
        let held: Vec<String> = sim
            .held()
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{}>{}#{} {}", h.from, h.to, sim.held_nth(i), h.msg))
            .collect();
        eprintln!("{step:>10} | {}", nodes.join(" | "));
        eprintln!("             {}", held.join(", "));
        for v in r.violations() {
            eprintln!("VIOLATION {v}");
        }
    }
}

/// `splitbrain explore`: exit 1 with the JSON and the path's scenario when
/// a property breaks, 0 when none does, 2 on bad input.
#[test]
fn the_command_line_explore() {
    let dir = std::env::temp_dir().join(format!("splitbrain-explore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_splitbrain")).args(args).output().unwrap();
    let bad = dir.join("vote_twice.json");
    std::fs::write(&bad, raft(r#""bug":"vote_twice""#).to_json()).unwrap();
    let path = dir.join("path.json");
    let o = run(&["explore", bad.to_str().unwrap(), "--json", "--out", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["found", "property", "states", "states_per_s", "depth", "link", "file", "steps"] {
        assert!(!v[key].is_null(), "{key} in {v}");
    }
    assert_eq!(
        (v["property"].as_str(), v["by"].as_str(), v["steps"].as_u64()),
        (Some("Election Safety"), Some("breadth_first"), Some(6))
    );
    assert!(v["link"].as_str().unwrap().contains("#s="));
    let written = Scenario::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(written.scripted && written.timeline.len() == 6);
    replays(&written, "Election Safety");
    let good = dir.join("correct.json");
    std::fs::write(&good, raft("").to_json()).unwrap();
    let o = run(&["explore", good.to_str().unwrap(), "--states", "3000", "--walks", "200", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["found"].as_bool(), v["walks"].as_u64()), (Some(false), Some(200)));
    let store = dir.join("store.json");
    std::fs::write(&store, r#"{"version":1,"protocol":{"store":{}},"nodes":3,"seed":1}"#).unwrap();
    for (args, says) in [
        (vec![good.to_str().unwrap(), "--budget", "0"], "--budget"),
        (vec![store.to_str().unwrap()], "cannot explore a store scenario"),
        (vec![dir.join("missing.json").to_str().unwrap()], "cannot read scenario"),
    ] {
        let o = run(&[&["explore"], &args[..]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(says), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scripted step in a run that is not scripted is refused, by name.
#[test]
fn scripted_steps_need_a_scripted_run() {
    let json = r#"{"version":1,"protocol":{"raft":{}},"nodes":3,"seed":1,"timeline":[{"at_ms":1,"action":"deliver","from":0,"to":1}]}"#;
    let e = Scenario::from_json(json).expect_err("refused").to_string();
    assert!(e.contains("'deliver' acts only in a scripted run") && e.contains("\"scripted\": true"), "{e}");
    let scripted = json.replace(r#""seed":1,"#, r#""seed":1,"scripted":true,"#);
    Runner::<Raft>::build(Scenario::from_json(&scripted).unwrap()).expect("a scripted run takes it");
}
