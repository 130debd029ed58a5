//! The page's compare mode, driven through its model: every example opens
//! with its variants under one clock; a frame, a step and a seek move them
//! together; a fault made in one column reaches every variant (or stays in
//! its column, for forks); each variant runs exactly as it does alone; a
//! share link reopens the comparison with what was done by hand; and bad
//! input is refused with the current comparison kept.

use splitbrain::scenario::{presets, Action, Target};
use splitbrain::sim::Time;
use splitbrain::viewmodel::compare::{example, Compare, CompareGesture as G, Side, EXAMPLES};
use splitbrain::viewmodel::fragment::{parse, Open};
use splitbrain::viewmodel::playground::{Gesture, Playground};
use splitbrain::viewmodel::seen::raft::Raft;

const MS: Time = 1000;

fn open(id: &str) -> Compare {
    let mut c = Compare::default();
    c.apply(G::Open { text: example(id).unwrap().to_string(), at_us: None });
    assert!(c.error.is_none(), "{id}: {:?}", c.error);
    c
}

fn nows(c: &Compare) -> Vec<Time> {
    c.sides.iter().map(Side::now).collect()
}

fn figure(c: &Compare, side: usize, name: &str) -> f64 {
    c.sides[side].figures().into_iter().find(|f| f.0 == name).unwrap_or_else(|| panic!("no figure {name}")).1
}

#[test]
fn every_example_opens_and_moves_as_one() {
    for (id, title) in EXAMPLES {
        let mut c = open(id);
        assert_eq!(&c.name, title, "the menu's title is the file's name");
        assert!((2..=3).contains(&c.sides.len()), "{id}");
        assert_eq!(c.labels.len(), c.sides.len());
        assert_eq!(nows(&c), vec![0; c.sides.len()], "{id} opens at 0");
        // Playing: frames 16 ms apart run every variant to one instant.
        c.apply(G::TogglePlay);
        for f in 0..30 {
            c.apply(G::Tick { wall_ms: f as f64 * 16.0 });
        }
        let t = c.now();
        assert!(t > 300 * MS, "{id}: 29 frames at 1x reach {t} µs");
        assert!(nows(&c).iter().all(|n| *n == t), "{id}: {:?}", nows(&c));
        // A seek back and a step move them together, and pause.
        c.apply(G::Seek(t / 2));
        assert!(!c.playing);
        assert_eq!(nows(&c), vec![t / 2; c.sides.len()], "{id}");
        c.apply(G::Advance(10 * MS));
        assert_eq!(nows(&c), vec![t / 2 + 10 * MS; c.sides.len()], "{id}");
        c.apply(G::Back(20 * MS));
        assert_eq!(nows(&c), vec![t / 2 - 10 * MS; c.sides.len()], "{id}");
        assert!(c.end() >= t);
        // Reset: every variant back to 0, and still under the one clock
        // (paused, so frames move none of them).
        c.apply(G::Reset);
        for f in 0..10 {
            c.apply(G::Tick { wall_ms: 1000.0 + f as f64 * 16.0 });
        }
        assert_eq!(nows(&c), vec![0; c.sides.len()], "{id}: reset and paused");
    }
}

#[test]
fn each_variant_runs_as_it_does_alone() {
    // PreVote on and off, at 6 s, in compare mode and each preset alone.
    let mut c = open("prevote");
    c.apply(G::Seek(6_000 * MS));
    for (side, preset) in [(0, "flapping-link"), (1, "flapping-link-prevote")] {
        let mut pg = Playground::<Raft>::open();
        pg.apply(Gesture::LoadPreset(presets::find(preset).unwrap().id));
        pg.apply(Gesture::GoTo(6_000 * MS));
        let Side::Raft(p) = &c.sides[side] else { panic!("a Raft variant") };
        assert_eq!(p.sim().trace().hash(), pg.sim().trace().hash(), "{preset}");
        assert_eq!(p.observed().elections.len(), pg.observed().elections.len());
    }
    // And the table shows what the example is about: fewer elections with PreVote.
    assert!(figure(&c, 1, "elections") < figure(&c, 0, "elections"), "{:?}", c.sides[0].figures());
}

#[test]
fn a_fault_in_one_column_reaches_every_variant_unless_apart() {
    let mut c = open("raft-vs-store");
    c.apply(G::Seek(1_000 * MS));
    let crash = Action::Crash { node: Target::Node(3) };
    c.apply(G::On(1, Gesture::Do(crash.clone())));
    for (i, s) in c.sides.iter().enumerate() {
        let hit = s.scenario().timeline.iter().filter(|t| t.action == crash && t.at.us() == 1_000 * MS).count();
        assert_eq!(hit, 1, "variant {i} crashed n3 once, at 1 s");
    }
    // A gesture that records nothing (selecting a node) stays in its column.
    c.apply(G::On(0, Gesture::Select(Some(2))));
    let Side::Raft(p) = &c.sides[0] else { panic!() };
    assert_eq!(p.selected, Some(2));
    let Side::Store(p) = &c.sides[1] else { panic!() };
    assert_eq!(p.selected, None);
    // Apart: the next fault stays where it was made.
    c.apply(G::Apart(true));
    c.apply(G::Advance(500 * MS));
    c.apply(G::On(0, Gesture::Do(Action::Restart { node: 3 })));
    let restarts: Vec<usize> = c
        .sides
        .iter()
        .map(|s| s.scenario().timeline.iter().filter(|t| matches!(t.action, Action::Restart { .. })).count())
        .collect();
    assert_eq!(restarts, vec![1, 0, 0]);
    // The fault bar always reaches every variant.
    c.apply(G::Fault(Action::HealAll));
    assert!(c.sides.iter().all(|s| s.scenario().timeline.iter().any(|t| t.action == Action::HealAll)));
}

#[test]
fn forks_start_alike_and_part_by_hand() {
    let base = presets::find("leader-crash").unwrap().scenario().unwrap();
    let mut c = Compare::default();
    c.apply(G::Fork { scenario: Box::new(base), at_us: 2_000 * MS });
    assert!(c.apart, "forks go their own ways");
    assert_eq!(nows(&c), vec![2_000 * MS; 2]);
    let hash = |c: &Compare, i: usize| match &c.sides[i] {
        Side::Raft(p) => p.sim().trace().hash(),
        _ => panic!(),
    };
    assert_eq!(hash(&c, 0), hash(&c, 1));
    c.apply(G::On(0, Gesture::Do(Action::Crash { node: Target::Node(2) })));
    c.apply(G::On(1, Gesture::Do(Action::Crash { node: Target::Node(4) })));
    c.apply(G::Advance(3_000 * MS));
    assert_ne!(hash(&c, 0), hash(&c, 1), "different crashes, different runs");
}

#[test]
fn a_share_link_reopens_the_comparison_with_its_faults() {
    let mut c = open("checkquorum");
    c.apply(G::Seek(3_000 * MS));
    c.apply(G::Fault(Action::Crash { node: Target::Node(0) }));
    c.apply(G::Share);
    let fragment = c.share.clone().unwrap();
    let Open::Compare { text, at_us } = parse(&fragment) else { panic!("{fragment}") };
    assert_eq!(at_us, Some(3_000 * MS));
    let mut d = Compare::default();
    d.apply(G::Open { text, at_us });
    assert_eq!(d.labels, c.labels);
    for (a, b) in c.sides.iter().zip(&d.sides) {
        assert_eq!(a.scenario().timeline, b.scenario().timeline);
        assert_eq!(a.figures(), b.figures());
    }
    // A character changed in transit is caught by the checksum.
    let bad = fragment.replacen("compare=", "compare=A", 1);
    assert!(matches!(parse(&bad), Open::Error(e) if e.contains("checksum")), "{bad}");
}

#[test]
fn bad_comparisons_are_refused_and_the_current_one_kept() {
    let mut c = open("rumor-k");
    c.apply(G::Seek(2_000 * MS));
    let before = nows(&c);
    let cases = [
        ("{", "line 1"),
        (r#"{"version": 1, "variants": [{"label": "a", "preset": "leader-crash"}]}"#, "2 or 3"),
        (
            r#"{"version": 1, "variants": [{"label": "a", "preset": "nope"}, {"label": "b", "preset": "push"}]}"#,
            "no preset 'nope'",
        ),
        (r#"{"version": 9, "variants": []}"#, "version"),
        (
            r#"{"version": 1, "variants": [{"label": "a", "preset": "push"}, {"label": "a", "preset": "pull"}]}"#,
            "used twice",
        ),
    ];
    for (text, says) in cases {
        c.apply(G::Open { text: text.into(), at_us: None });
        let e = c.error.take().unwrap_or_default();
        assert!(e.contains(says), "{text}: {e}");
        assert_eq!(nows(&c), before, "the comparison showing is kept");
        assert_eq!(c.labels, vec!["k = 1", "k = 4"]);
    }
    assert!(matches!(parse("#compare=nonsense!"), Open::Error(e) if e.contains("neither an example")));
}
