use super::*;
use crate::protocols::registry::View;
use crate::scenario::presets::PRESETS;
use crate::viewmodel::playground::{knob_text, set_knob, Knob, KnobKind};

fn paxos(b: &Boards) -> &Playground<crate::protocols::paxos::Paxos> {
    match b.shown() {
        AnyBoard::Paxos(p) => p,
        #[allow(unreachable_patterns)]
        _ => panic!("Paxos is not showing"),
    }
}

#[test]
fn the_board_view_draws_every_protocol_the_registry_gives_it() {
    let listed: Vec<ProtocolKind> = View::Board.protocols().collect();
    assert_eq!(listed, KINDS, "the registry's board lines and the view's runs are one list");
    let mut b = Boards::new();
    for &k in KINDS {
        assert!(b.show(k));
        assert_eq!(b.kind(), k);
        assert_eq!(b.run().scenario().protocol.kind(), k, "{k:?} opens on a scenario of its own");
        assert!(b.run().error().is_none());
    }
    assert!(!b.show(ProtocolKind::Raft), "Raft has its own view");
}

#[test]
fn a_preset_a_file_or_an_autosave_opens_in_the_run_of_its_protocol() {
    let mut b = Boards::new();
    let ours: Vec<_> = PRESETS.iter().filter(|p| p.protocol().view() == View::Board).collect();
    assert!(ours.len() >= 3, "each board protocol has presets");
    for p in ours {
        b.apply(Gesture::LoadPreset(p.id));
        assert_eq!(b.kind(), p.protocol());
        assert_eq!(b.run().scenario().name, p.name(), "{}", p.id);
        assert!(b.run().error().is_none(), "{}: {:?}", p.id, b.run().error());
    }
    // An autosave restores the run it saved, at its instant.
    b.apply(Gesture::LoadPreset("paxos-duel"));
    b.apply(Gesture::Advance(40_000));
    let saved = b.run().autosave();
    let (hash, now) = (paxos(&b).sim().trace().hash(), b.run().now());
    let mut again = Boards::new();
    again.apply(Gesture::Restore(saved));
    assert_eq!((paxos(&again).sim().trace().hash(), again.run().now()), (hash, now));
}

#[test]
fn a_scenario_of_another_view_is_refused_and_the_run_is_kept() {
    let mut b = Boards::new();
    b.apply(Gesture::Advance(30_000));
    let before = (b.kind(), b.run().now());
    let raft = crate::viewmodel::playground::settings::playground().to_json();
    b.apply(Gesture::Import(raft));
    assert_eq!((b.kind(), b.run().now()), before, "the Paxos run is kept");
    let e = b.run().error().expect("an error is shown").clone();
    assert!(e.to_lowercase().contains("raft"), "{e}");
}

#[test]
fn the_settings_form_sets_the_spec_and_refuses_what_it_cannot_hold() {
    let s = <crate::protocols::paxos::Paxos as Board>::default_scenario();
    let knob = |key| *<crate::protocols::paxos::Paxos as Board>::KNOBS.iter().find(|k: &&Knob| k.key == key).unwrap();
    assert_eq!(knob_text(&s, "proposers"), "0, 1");
    let s2 = set_knob(&s, &knob("proposers"), "n0, 2,3").unwrap();
    assert_eq!(knob_text(&s2, "proposers"), "0, 2, 3");
    let s3 = set_knob(&s2, &knob("q1"), "4").unwrap();
    assert_eq!(knob_text(&s3, "q1"), "4");
    assert_eq!(knob_text(&set_knob(&s3, &knob("q1"), "").unwrap(), "q1"), "", "empty is the default");
    assert_eq!(knob_text(&set_knob(&s, &knob("backoff"), "fixed").unwrap(), "backoff"), "fixed");
    assert_eq!(knob_text(&set_knob(&s, &knob("timeout_ms"), "2.5").unwrap(), "timeout_ms"), "2.5");
    // Bad text names the field and keeps the draft as it was.
    let e = set_knob(&s, &knob("q1"), "two").unwrap_err();
    assert!(e.contains("Q1") && e.contains("two"), "{e}");
    let e = set_knob(&s, &knob("backoff"), "never").unwrap_err();
    assert!(e.contains("fixed, random"), "{e}");
    let e = set_knob(&s, &knob("proposers"), "0, x").unwrap_err();
    assert!(e.contains("'x' is not a node"), "{e}");
    let e = set_knob(&s, &knob("q2"), "-1").unwrap_err();
    assert!(e.starts_with("Q2"), "{e}");
    assert!(matches!(knob("bug").kind, KnobKind::Choice(w) if w[0].is_empty()));
}

#[test]
fn a_reset_to_settings_that_cannot_run_says_why_and_keeps_the_run() {
    let mut b = Boards::new();
    b.apply(Gesture::Advance(30_000));
    let now = b.run().now();
    let mut draft = b.run().scenario().clone();
    let q1 = *<crate::protocols::paxos::Paxos as Board>::KNOBS.iter().find(|k| k.key == "q1").unwrap();
    draft = set_knob(&draft, &q1, "9").unwrap();
    b.apply(Gesture::EditDraft(Box::new(draft)));
    b.apply(Gesture::Reset);
    let e = b.run().error().expect("refused").clone();
    assert!(e.contains("q1") && e.contains('9'), "{e}");
    assert_eq!(b.run().now(), now, "the run is kept");
}

#[test]
fn each_board_names_the_properties_its_checker_checks() {
    use crate::sim::invariant::Checker;
    fn names<P: Board>() -> (Vec<&'static str>, Vec<&'static str>) {
        let s = P::default_scenario();
        let spec = P::spec(&s.protocol).expect("its own spec").clone();
        let cluster = crate::contract::Cluster {
            nodes: s.nodes,
            max_latency_us: 20_000,
            duration_us: 1_000_000,
            regions: Default::default(),
        };
        let ours: Vec<&str> = P::PROPERTIES.iter().map(|p| p.0).collect();
        (ours, P::checker(&spec, &cluster).properties())
    }
    let (ours, checked) = names::<crate::protocols::paxos::Paxos>();
    assert_eq!(ours, checked);
}
