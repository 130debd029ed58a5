//! Exhaustive exploration: every interleaving of a 3-server Raft cluster's
//! deliveries, drops, crashes, restarts, timers and requests, to a depth.
//! It finds the double vote and Figure 8's commit by count, their paths
//! replay as scripted scenarios, and the correct protocol survives.

use splitbrain::protocols::raft::Raft;
use splitbrain::scenario::{Runner, Scenario};
use splitbrain::search::explore::{explore, Bounds};

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
fn a_double_vote_is_found() {
    let t = std::time::Instant::now();
    let out = explore(&raft(r#""bug":"vote_twice""#), Bounds::default(), 1, &mut |_| true).unwrap();
    let f = out.found.expect("found");
    eprintln!("{} states, depth {}, {:?}: {} steps: {}", out.states, out.depth, t.elapsed(), f.steps, f.detail);
    assert_eq!(f.property, "Election Safety");
    replays(&f.scenario, "Election Safety");
}

#[test]
fn figure_8_is_found() {
    let t = std::time::Instant::now();
    let out = explore(
        &raft(r#""bug":"commit_previous_term_by_count","leader_noop":false"#),
        Bounds::default(),
        1,
        &mut |_| true,
    )
    .unwrap();
    let f = out.found.expect("found");
    eprintln!("{} states, depth {}, {:?}: {} steps: {}", out.states, out.depth, t.elapsed(), f.steps, f.detail);
    replays(&f.scenario, &f.property);
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
