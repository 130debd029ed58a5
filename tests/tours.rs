//! Tours and bookmarks: bad ones are refused with a message that says
//! where; each tour preset walks from its first step to its last; and what
//! the captions say the run shows at a step, the run shows there.

use splitbrain::contract::Runnable;
use splitbrain::protocols::raft::Raft;
use splitbrain::scenario::tour::{Bookmark, TourStep, MAX_CAPTION, MAX_STEPS};
use splitbrain::scenario::{presets, Runner, Scenario};
use splitbrain::viewmodel::tour::{Show, Walk};

fn preset(id: &str) -> Scenario {
    presets::find(id).expect("the preset").scenario().expect("valid")
}

fn step(at_ms: f64, caption: &str) -> TourStep {
    TourStep { at_ms, caption: caption.into(), highlight: vec![], pause: true, preset: None }
}

/// The message a scenario with this tour is refused with.
fn refused(tour: Vec<TourStep>) -> String {
    let mut s = preset("leader-crash");
    s.tour = tour;
    let e = s.validate().expect_err("refused").to_string();
    // A file says the same as the value.
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(Scenario::from_json(&json).unwrap_err().to_string(), e);
    e
}

#[test]
fn bad_tours_are_refused_with_a_message_that_says_where() {
    let e = refused(vec![step(0.0, "a"), step(500.0, "b"), step(200.0, "c")]);
    assert!(e.contains("tour[2]") && e.contains("forward in time"), "{e}");
    let e = refused(vec![step(0.0, &"x".repeat(MAX_CAPTION + 1))]);
    assert!(e.contains("tour[0]") && e.contains(&format!("limit is {MAX_CAPTION}")), "{e}");
    let e = refused(vec![step(0.0, "  ")]);
    assert!(e.contains("empty caption"), "{e}");
    let e = refused(vec![step(7000.0, "after the end")]);
    assert!(e.contains("after the end of its run"), "{e}");
    let e = refused(vec![step(-1.0, "a")]);
    assert!(e.contains("0 or more"), "{e}");
    let e = refused(vec![TourStep { highlight: vec![5], ..step(0.0, "a") }]);
    assert!(e.contains("node 5") && e.contains("0 to 4"), "{e}");
    let e = refused(vec![TourStep { preset: Some("nope".into()), ..step(0.0, "a") }]);
    assert!(e.contains("no preset 'nope'") && e.contains("leader-crash"), "{e}");
    let e = refused(vec![TourStep { preset: Some("tour-raft".into()), ..step(0.0, "a") }]);
    assert!(e.contains("do not nest"), "{e}");
    let e = refused((0..=MAX_STEPS).map(|i| step(i as f64, "a")).collect());
    assert!(e.contains(&format!("at most {MAX_STEPS}")), "{e}");
    // A step in another preset is judged by that preset: its nodes, its
    // length, and its time starts again from 0.
    let e = refused(vec![
        step(5000.0, "a"),
        TourStep { preset: Some("swim-crash".into()), highlight: vec![299], ..step(0.0, "b") },
        TourStep { highlight: vec![300], ..step(1.0, "c") },
    ]);
    assert!(e.starts_with("tour[2]") && e.contains("node 300") && e.contains("0 to 299"), "{e}");
    let e = refused(vec![TourStep { preset: Some("figure-8-correct".into()), ..step(500.0, "a") }]);
    assert!(e.contains("preset 'figure-8-correct'") && e.contains("duration_ms 400"), "{e}");
}

#[test]
fn bad_bookmarks_are_refused_too() {
    let mut s = preset("leader-crash");
    s.marks = vec![Bookmark { at_ms: 3000.0, label: "b".into() }, Bookmark { at_ms: 1000.0, label: "a".into() }];
    let e = s.validate().unwrap_err().to_string();
    assert!(e.contains("marks[1]") && e.contains("time order"), "{e}");
    s.marks = vec![Bookmark { at_ms: 1000.0, label: "x".repeat(81) }];
    assert!(s.validate().unwrap_err().to_string().contains("limit is 80"));
    s.marks = vec![Bookmark { at_ms: 9000.0, label: "late".into() }];
    assert!(s.validate().unwrap_err().to_string().contains("after the end"));
}

#[test]
fn every_tour_walks_from_its_first_step_to_its_last_and_back() {
    let tours: Vec<_> = presets::PRESETS.iter().filter(|p| p.is_tour()).collect();
    assert!(tours.len() >= 4, "at least four tours");
    for p in tours {
        let home = p.scenario().unwrap();
        let mut walk = Walk::of(&home).expect("a tour");
        let mut showing = home.clone();
        let mut cue = walk.go(0, &showing);
        let mut seen = 0;
        loop {
            seen += 1;
            match cue.show.expect("each step shows something") {
                Show::Load { scenario, .. } => showing = *scenario,
                Show::Jump { at_us, .. } => assert!(at_us <= showing.duration_ms.us(), "{}", p.id),
            }
            assert!(cue.highlight.iter().all(|n| *n < showing.nodes), "{}", p.id);
            match walk.next(&showing) {
                Some(c) => cue = c,
                None => break,
            }
        }
        assert_eq!(seen, home.tour.len(), "{}", p.id);
        while walk.back(&showing).is_some() {}
        assert_eq!(walk.index, 0);
        // Each run a tour shows passes its own expectations.
        assert!(p.name().starts_with("Tour: "), "{}", p.id);
    }
}

/// Raft's state at `t_ms` in `s`: the leader, and the properties broken so far.
fn raft_at(s: &Scenario, t_ms: u64) -> (Option<u32>, Vec<&'static str>) {
    let mut r: Runner<Raft> = Runner::build(s.clone()).unwrap();
    r.run_until(t_ms * 1000);
    (<Raft as Runnable>::leader(r.sim()), r.violations().iter().map(|v| v.property).collect())
}

#[test]
fn the_raft_tours_captions_say_what_the_run_shows() {
    let raft = preset("tour-raft");
    assert_eq!(raft_at(&raft, 208).0, None, "no leader before n4's election");
    assert_eq!(raft_at(&raft, 223).0, Some(4), "n4 leads term 1");
    assert_eq!(raft_at(&raft, 2183).0, None, "the leader crashed at 2 s; n2 campaigns");
    assert_eq!(raft_at(&raft, 2197).0, Some(2), "n2 won term 2");

    let f8 = preset("tour-figure-8");
    assert_eq!(raft_at(&f8, 285).1, Vec::<&str>::new(), "n0 committed c2; nothing broken yet");
    assert_eq!(raft_at(&f8, 333).1, vec!["Leader Completeness"]);
    assert_eq!(raft_at(&f8, 335).1, vec!["Leader Completeness", "State Machine Safety"]);
    assert_eq!(raft_at(&f8, 333).0, Some(4));
    assert_eq!(raft_at(&preset("figure-8-correct"), 400).1, Vec::<&str>::new());

    let cap = preset("tour-cap");
    assert_eq!(raft_at(&cap, 1999).0, Some(0), "n0 leads, on the side about to be cut off");
    assert_eq!(raft_at(&cap, 2173).0, Some(4), "the majority side elected n4");
}
