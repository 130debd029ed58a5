//! The gossip and SWIM view's model on the one runner: presets from files,
//! faults recorded into the scenario, time travel by checkpoints, `#s=`
//! links, and old `#g=` links migrated to replay the same runs.

use splitbrain::protocols::gossip::{Exchange, Mode};
use splitbrain::scenario::Action;
use splitbrain::sim::SEC;
use splitbrain::viewmodel::swarm::{swarm_presets, Look, Swarm, SwarmGesture, SwarmKind};

fn ticks(s: &mut Swarm, from: f64, to: f64) -> f64 {
    let mut t = from;
    while t < to {
        s.apply(SwarmGesture::Tick { wall_ms: t });
        t += 16.0;
    }
    t
}

#[test]
fn every_preset_runs_and_the_epidemic_spreads() {
    // A tour runs one of them again (tests/tours.rs walks it).
    let ids: Vec<&str> = swarm_presets().filter(|p| !p.is_tour()).map(|p| p.id).collect();
    assert_eq!(ids.len(), 10, "{ids:?}");
    // The deliberately broken variants are short and spread nothing: they
    // are there to be caught (tests/registry.rs runs them).
    for id in ids.into_iter().filter(|id| !id.starts_with("broken-")) {
        let mut s = Swarm::new(id, 1);
        s.apply(SwarmGesture::SetSpeed(20.0));
        ticks(&mut s, 0.0, 1000.0);
        assert!(s.now() >= 15 * SEC, "{id}: {}", s.now());
        if matches!(s.kind, SwarmKind::Gossip(_)) {
            assert!(s.informed.last().copied().unwrap_or(0.0) > 0.5, "{id}: {:?}", s.informed);
            assert_eq!(s.informed.len() as u64, s.now() / SEC + 1);
        }
    }
}

#[test]
fn swim_crash_preset_detects_the_crash_and_the_view_shows_the_group_learning_it() {
    let mut s = Swarm::new("swim-crash", 1);
    // Just after the crash the group still believes n7 alive: it is drawn
    // so (ringed as crashed), not as crashed from the first instant.
    s.advance_to(3 * SEC + 1);
    assert!(s.crashed(7));
    assert_eq!(s.look(7), Look::Alive);
    s.advance_to(30 * SEC);
    let d = s.detections.first().expect("a crash");
    assert_eq!((d.0, d.1), (7, 3 * SEC));
    assert!(d.2.is_some() && d.3.is_some(), "{:?}", s.detections);
    // Once everyone knows, the majority's belief is failed.
    assert_eq!(s.look(7), Look::Failed);
    assert_eq!(s.false_positives, 0);
}

#[test]
fn a_swim_member_is_drawn_suspect_while_the_group_suspects_it() {
    let mut s = Swarm::new("swim-crash", 1);
    // Sample until the majority's belief moves past alive: it goes
    // through suspect (5 s of suspicion) before failed.
    let mut seen = Vec::new();
    for tenth in 30..300 {
        s.advance_to(tenth * SEC / 10);
        let l = s.look(7);
        if seen.last() != Some(&l) {
            seen.push(l);
        }
    }
    assert_eq!(seen, [Look::Alive, Look::Suspect, Look::Failed]);
}

#[test]
fn impossible_parameters_are_refused_and_the_run_kept() {
    let mut s = Swarm::new("push", 1);
    let base = SwarmGesture::Configure { nodes: 100, mode: Mode::Rumor, exchange: Exchange::Push, k: 2, fanout: 1 };
    s.apply(base);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert_eq!(s.nodes(), 100);
    for (nodes, k, fanout, needle) in [
        (100, 0, 1, "k must be at least 1"),
        (100, 1, 100, "fanout"),
        (1, 1, 1, "at least 2"),
        (30_000, 1, 1, "at most 20000 sites"),
    ] {
        s.apply(SwarmGesture::Configure { nodes, mode: Mode::Rumor, exchange: Exchange::Push, k, fanout });
        assert!(s.error.as_deref().unwrap_or("").contains(needle), "{:?}", s.error);
        assert_eq!(s.nodes(), 100, "the current run is kept");
    }
}

#[test]
fn a_share_link_replays_the_run_exactly_and_faults_are_in_the_scenario() {
    let mut s = Swarm::new("rumor-k4", 3);
    s.apply(SwarmGesture::SetSpeed(10.0));
    let t = ticks(&mut s, 0.0, 300.0);
    s.apply(SwarmGesture::Kill(5));
    s.apply(SwarmGesture::SetLoss(0.1));
    let t = ticks(&mut s, t, 800.0);
    s.apply(SwarmGesture::Split);
    ticks(&mut s, t, 1000.0);
    s.apply(SwarmGesture::Share);
    let link = s.share.clone().unwrap();
    assert!(link.starts_with("s="), "one link format: {link}");
    let actions: Vec<&str> = s.scenario().timeline.iter().map(|a| a.action.name()).collect();
    assert_eq!(actions, ["crash", "set_network", "partition"]);
    let copy = Swarm::from_fragment(&link).unwrap();
    assert_eq!((copy.now(), copy.trace_hash()), (s.now(), s.trace_hash()));
    assert_eq!(copy.informed, s.informed);
    assert!(Swarm::from_fragment("s=____").is_err());
    assert!(Swarm::from_fragment("t=5").err().unwrap().to_string().contains("no gossip run"));
}

#[test]
fn an_autosave_restores_the_run_with_its_preset_paused_at_the_same_instant() {
    let mut s = Swarm::new("swim-crash", 4);
    s.apply(SwarmGesture::SetSpeed(10.0));
    ticks(&mut s, 0.0, 500.0);
    s.apply(SwarmGesture::Kill(2));
    let saved = s.autosave();
    let mut other = Swarm::new("push", 1);
    other.apply(SwarmGesture::Restore(saved));
    assert_eq!((other.now(), other.trace_hash(), other.preset), (s.now(), s.trace_hash(), "swim-crash"));
    assert!(!other.playing);
    // A damaged autosave is ignored: the page opens as it would anyway.
    other.apply(SwarmGesture::Restore("{\"scenario\": 1}".into()));
    assert_eq!(other.trace_hash(), s.trace_hash());
}

#[test]
fn seeking_uses_checkpoints_replays_exactly_and_acting_there_forks() {
    let mut s = Swarm::new("pull", 2);
    s.advance_to(30 * SEC);
    s.apply(SwarmGesture::Kill(3));
    s.advance_to(60 * SEC);
    let (end, hash, informed) = (s.now(), s.trace_hash(), s.informed.clone());
    s.apply(SwarmGesture::Seek(17 * SEC + 123));
    assert_eq!(s.now(), 17 * SEC + 123);
    let mut fresh = Swarm::new("pull", 2);
    fresh.advance_to(17 * SEC + 123);
    assert_eq!(s.trace_hash(), fresh.trace_hash(), "the same state as the first time through");
    assert_eq!(s.informed, fresh.informed);
    s.apply(SwarmGesture::Seek(end));
    assert_eq!((s.now(), s.trace_hash()), (end, hash), "forward again: the same run, the kill replayed");
    assert_eq!(s.informed, informed);
    s.apply(SwarmGesture::Seek(10 * SEC));
    s.apply(SwarmGesture::Split);
    assert_eq!(s.scenario().timeline.len(), 1, "the kill after this instant is gone");
    assert!(matches!(s.scenario().timeline[0].action, Action::Partition { .. }));
    assert_eq!(s.end, 10 * SEC);
    let back = Swarm::from_fragment(&s.fragment()).unwrap();
    assert_eq!(back.trace_hash(), s.trace_hash());
}

#[test]
fn a_paused_site_learns_nothing_until_it_resumes() {
    let mut s = Swarm::new("push-pull", 4);
    s.apply(SwarmGesture::Pause(9));
    s.advance_to(30 * SEC);
    assert_eq!(s.look(9), Look::Paused);
    assert!(s.fraction_informed() < 1.0, "the paused site has not heard");
    s.apply(SwarmGesture::Resume(9));
    s.advance_to(40 * SEC);
    assert_eq!(s.fraction_informed(), 1.0);
}

#[test]
fn bad_loss_and_bad_files_are_refused_and_the_run_kept() {
    let mut s = Swarm::new("push", 1);
    s.apply(SwarmGesture::SetLoss(1.5));
    assert!(s.error.is_some());
    assert_eq!(s.loss, 0.0);
    let hash = s.trace_hash();
    s.apply(SwarmGesture::Import("{\"version\": 3}".into()));
    assert!(s.error.as_deref().unwrap().contains("unsupported scenario version 3"));
    let raft = splitbrain::scenario::Scenario::raft(3, 1).to_json();
    s.apply(SwarmGesture::Import(raft));
    assert!(s.error.as_deref().unwrap().contains("Raft view"), "{:?}", s.error);
    assert_eq!(s.trace_hash(), hash);
    // Export then import: the same run.
    let json = s.to_json();
    s.apply(SwarmGesture::Import(json));
    assert_eq!(s.trace_hash(), hash);
}

/// Links made by the old gossip view (`#g=`), recorded with the trace hash
/// the old view reached, open through the migration and replay the same
/// run, event for event.
#[test]
fn old_gossip_links_replay_the_same_runs() {
    let golden = include_str!("golden/gossip_links.txt");
    let mut n = 0;
    for line in golden.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.split(' ').collect();
        let (preset, at, hash, link) = (f[0], f[1], f[2], f[3]);
        let s = Swarm::from_fragment(link).unwrap_or_else(|e| panic!("{preset}: {e}"));
        assert_eq!(s.now().to_string(), at, "{preset}");
        assert_eq!(format!("{:016x}", s.trace_hash()), hash, "{preset}");
        assert_eq!(s.preset, preset);
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn step_runs_to_the_next_event_and_pauses() {
    let mut s = Swarm::new("swim-crash", 1);
    s.advance_to(2 * SEC);
    let (t0, hash0) = (s.now(), s.trace_hash());
    s.apply(SwarmGesture::Step);
    assert!(!s.playing);
    assert!(s.now() >= t0, "time does not go back");
    assert_ne!(s.trace_hash(), hash0, "one more event happened");
    // Stepping is deterministic: the same steps from the same instant agree.
    let mut again = Swarm::new("swim-crash", 1);
    again.advance_to(2 * SEC);
    again.apply(SwarmGesture::Step);
    assert_eq!((again.now(), again.trace_hash()), (s.now(), s.trace_hash()));
}

#[test]
fn the_gossip_views_timeline_is_edited_replayed_undone_and_redone_like_the_others() {
    use splitbrain::viewmodel::playground::Edit;
    let mut s = Swarm::new("swim-crash", 1);
    s.advance_to(5 * SEC);
    assert!(s.crashed(7), "the preset crashes n7 at 3 s");
    let rev = s.timeline_rev();
    // Move the crash past now: the run replays to 5 s without it, paused.
    s.apply(SwarmGesture::Edit(Edit::Move(0, 6000.0)));
    assert_eq!(s.now(), 5 * SEC);
    assert!(!s.crashed(7) && !s.playing);
    assert_eq!(s.scenario().timeline[0].at.us(), 6 * SEC);
    assert!(s.timeline_rev() > rev, "the panel is drawn again");
    // Replace it: crash n2 at 1 s.
    s.apply(SwarmGesture::Edit(Edit::Replace(0, r#"{"at_ms":1000,"action":"crash","node":2}"#.into())));
    assert!(s.crashed(2) && !s.crashed(7));
    // The same run as a fresh load of the edited scenario.
    let fresh = {
        let mut f = Swarm::new("swim-crash", 1);
        f.apply(SwarmGesture::Load {
            scenario: Box::new(s.scenario().clone()),
            preset: None,
            at_us: 5 * SEC,
            playing: false,
        });
        f
    };
    assert_eq!(fresh.trace_hash(), s.trace_hash());
    // A bad edit is refused, with the reason; the run is kept.
    let before = s.scenario().clone();
    s.apply(SwarmGesture::Edit(Edit::Replace(0, r#"{"action":"crash","node":400}"#.into())));
    assert!(s.error.take().is_some_and(|e| e.contains("node 400 does not exist")));
    assert_eq!(s.scenario(), &before);
    // Undo twice: the preset's crash at 3 s again; redo once.
    s.apply(SwarmGesture::Edit(Edit::Undo));
    s.apply(SwarmGesture::Edit(Edit::Undo));
    assert!(s.crashed(7) && !s.crashed(2));
    assert!(!s.history().can_undo() && s.history().can_redo());
    s.apply(SwarmGesture::Edit(Edit::Redo));
    assert!(!s.crashed(7));
    // Delete; a crash made by hand afterwards is listed too.
    s.apply(SwarmGesture::Edit(Edit::Delete(0)));
    assert!(s.scenario().timeline.is_empty());
    s.apply(SwarmGesture::Kill(3));
    assert_eq!(s.scenario().timeline.len(), 1);
    assert_eq!(s.now(), 5 * SEC);
}
