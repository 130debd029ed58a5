//! The playground model, driven natively through its actions.

use super::*;
use crate::scenario::ProtocolSpec;

fn run_for(pg: &mut Playground<Raft>, wall_ms: f64) {
    let mut t = 0.0;
    while t <= wall_ms {
        pg.apply(Gesture::Tick { wall_ms: t });
        t += 16.0;
    }
}

#[test]
fn frames_advance_sim_time_by_wall_time_times_speed() {
    let mut pg = Playground::new();
    pg.apply(Gesture::SetSpeed(2.0));
    pg.apply(Gesture::Tick { wall_ms: 1000.0 });
    pg.apply(Gesture::Tick { wall_ms: 1016.0 });
    assert_eq!(pg.now(), 32_000);
    pg.apply(Gesture::TogglePlay);
    pg.apply(Gesture::Tick { wall_ms: 1100.0 });
    assert_eq!(pg.now(), 32_000, "paused: no time passes");
}

#[test]
fn actions_are_recorded_into_the_timeline_and_kill_leader_kills_the_leader() {
    let mut pg = Playground::new();
    pg.apply(Gesture::SetSpeed(100.0));
    run_for(&mut pg, 300.0);
    let leader = pg.leader().expect("a leader");
    pg.apply(Gesture::KillLeader);
    assert_eq!(pg.sim().status(leader), crate::sim::NodeStatus::Crashed);
    assert_eq!(pg.scenario().timeline.len(), 1);
    assert_eq!(pg.scenario().timeline[0].action, Timeline::Crash { node: Target::Node(leader) });
    assert_eq!(pg.scenario().timeline[0].at.us(), pg.now());
}

#[test]
fn advance_runs_exactly_that_long_and_pauses() {
    let mut pg = Playground::new();
    assert!(pg.playing);
    pg.apply(Gesture::Advance(100_000));
    pg.apply(Gesture::Advance(100_000));
    assert_eq!(pg.now(), 200_000);
    assert!(!pg.playing);
    pg.apply(Gesture::Tick { wall_ms: 0.0 });
    pg.apply(Gesture::Tick { wall_ms: 500.0 });
    assert_eq!(pg.now(), 200_000, "paused after advancing");
}

#[test]
fn escape_closes_the_help_first_then_the_menu() {
    let mut pg = Playground::new();
    pg.apply(Gesture::OpenMenu(Some(Menu::Node(1))));
    pg.apply(Gesture::ToggleHelp);
    pg.apply(Gesture::Escape);
    assert!(!pg.help_open);
    assert_eq!(pg.menu, Some(Menu::Node(1)));
    pg.apply(Gesture::Escape);
    assert_eq!(pg.menu, None);
}

#[test]
fn speed_steps_stay_within_bounds() {
    let mut pg = Playground::new();
    for _ in 0..20 {
        pg.apply(Gesture::Faster);
    }
    assert_eq!(pg.speed, MAX_SPEED);
    for _ in 0..20 {
        pg.apply(Gesture::Slower);
    }
    assert_eq!(pg.speed, MIN_SPEED);
}

#[test]
fn bad_settings_show_an_error_and_keep_the_run() {
    let mut pg = Playground::new();
    run_for(&mut pg, 100.0);
    let before = pg.now();
    let mut draft = settings::playground();
    draft.nodes = 40;
    pg.apply(Gesture::EditDraft(Box::new(draft)));
    pg.apply(Gesture::Reset);
    assert!(pg.error.as_deref().unwrap().contains("3 to 15"));
    assert_eq!(pg.now(), before);
    let mut draft = settings::playground();
    settings::raft(&mut draft).election_timeout_ms = [300.0, 150.0];
    pg.apply(Gesture::EditDraft(Box::new(draft)));
    pg.apply(Gesture::Reset);
    assert!(pg.error.as_deref().unwrap().contains("backwards"), "{:?}", pg.error);
    assert_eq!(pg.now(), before, "the run is kept");
}

#[test]
fn dragging_a_rectangle_around_a_node_partitions_it_off() {
    let mut pg = Playground::new();
    let (x, y) = layout(2, 5);
    pg.apply(Gesture::DragStart(x - 10.0, y - 10.0));
    pg.apply(Gesture::DragMove(x + 10.0, y + 10.0));
    pg.apply(Gesture::DragEnd);
    let g = pg.sim().network().groups();
    assert!((0..5).filter(|i| *i != 2).all(|i| g[i] != g[2]));
    assert_eq!(pg.scenario().timeline[0].action, Timeline::Partition { groups: vec![vec![2]] });
}

#[test]
fn a_share_link_reproduces_the_run_at_the_same_time() {
    let mut pg = Playground::new();
    pg.apply(Gesture::SetSpeed(20.0));
    run_for(&mut pg, 200.0);
    pg.apply(Gesture::KillLeader);
    run_for(&mut pg, 150.0);
    pg.apply(Gesture::Share);
    let fragment = pg.share.clone().unwrap();
    let (t, hash) = (pg.now(), pg.sim().trace().hash());
    let link = codec::parse_fragment(&fragment).unwrap().unwrap();
    let mut other = Playground::new();
    other.apply(Gesture::Load { scenario: Box::new(link.scenario), at_us: link.at_us, playing: false });
    assert_eq!((other.now(), other.sim().trace().hash()), (t, hash));
    assert!(!other.playing);
}

#[test]
fn opening_a_run_late_keeps_its_first_election_in_the_log() {
    let mut pg = Playground::new();
    pg.apply(Gesture::Load { scenario: Box::new(settings::playground()), at_us: Some(30_000_000), playing: false });
    assert!(pg.sim().trace().len() > 2 * LOG_CAP as u64, "enough events to overflow the log");
    assert!(pg.log.len() <= LOG_CAP && pg.notable.len() <= LOG_CAP);
    assert!(pg.notable.iter().any(|l| l.text().contains("became leader t1")));
}

#[test]
fn seeking_shows_the_same_state_as_first_time_through() {
    let mut pg = Playground::new();
    pg.apply(Gesture::SetSpeed(50.0));
    run_for(&mut pg, 100.0);
    let mid = (pg.now(), pg.sim().trace().hash());
    run_for(&mut pg, 300.0);
    let end = (pg.now(), pg.sim().trace().hash());
    pg.apply(Gesture::Seek(mid.0));
    assert_eq!((pg.now(), pg.sim().trace().hash()), mid);
    pg.apply(Gesture::Seek(end.0));
    assert_eq!((pg.now(), pg.sim().trace().hash()), end);
    pg.apply(Gesture::StepBack);
    let back = (pg.now(), pg.sim().trace().hash());
    assert!(back.0 < end.0);
    pg.apply(Gesture::Step);
    assert!(pg.now() > back.0);
    pg.apply(Gesture::StepBack);
    assert_eq!((pg.now(), pg.sim().trace().hash()), back, "forward then back returns to the same instant");
}

#[test]
fn a_bad_import_keeps_the_current_scenario() {
    let mut pg = Playground::new();
    pg.apply(Gesture::LoadPreset("stale-leader"));
    let before = pg.scenario().clone();
    pg.apply(Gesture::Import("{\"version\": 2}".into()));
    assert!(pg.error.as_deref().unwrap().contains("unsupported scenario version 2"));
    assert_eq!(pg.scenario(), &before);
    pg.apply(Gesture::Import("not json".into()));
    assert!(pg.error.as_deref().unwrap().contains("not valid JSON"));
    assert_eq!(pg.scenario(), &before);
}

#[test]
fn autosave_restores_the_scenario_and_the_time() {
    let mut pg = Playground::new();
    pg.apply(Gesture::SetSpeed(20.0));
    run_for(&mut pg, 100.0);
    pg.apply(Gesture::KillLeader);
    run_for(&mut pg, 50.0);
    let saved = pg.autosave();
    let mut other = Playground::new();
    other.apply(Gesture::Restore(saved));
    assert_eq!((other.now(), other.sim().trace().hash()), (pg.now(), pg.sim().trace().hash()));
    assert_eq!(other.scenario().timeline.len(), 1);
    other.apply(Gesture::Restore("garbage".into()));
    assert_eq!(other.now(), pg.now(), "a bad autosave is ignored");
}

#[test]
fn reset_keeps_a_presets_timeline_and_drops_what_was_done_by_hand() {
    let mut pg = Playground::new();
    pg.apply(Gesture::LoadPreset("stale-leader"));
    let preset_actions = pg.scenario().timeline.len();
    pg.apply(Gesture::Do(Timeline::HealAll));
    assert_eq!(pg.scenario().timeline.len(), preset_actions + 1);
    pg.apply(Gesture::Reset);
    assert_eq!(pg.scenario().timeline.len(), preset_actions);
    assert_eq!(pg.now(), 0);
}

#[test]
fn reset_keeps_a_presets_patterns_and_add_spare_grows_the_cluster() {
    let mut pg = Playground::new();
    pg.apply(Gesture::LoadPreset("membership-change"));
    assert_eq!(settings::spares(&pg.draft), 2);
    pg.apply(Gesture::Reset);
    let ProtocolSpec::Raft(r) = &pg.scenario().protocol else { panic!("a Raft scenario") };
    assert_eq!(r.members, Some(vec![0, 1, 2]));
    assert_eq!(pg.spare(), Some(3));
    pg.apply(Gesture::SetSpeed(1.0));
    run_for(&mut pg, 1000.0);
    pg.apply(Gesture::AddSpare);
    assert!(pg.error.is_none(), "{:?}", pg.error);
    run_for(&mut pg, 300.0);
    assert_eq!(pg.spare(), Some(4), "n3 joined");

    // Every server a member: Add server explains instead of acting.
    let mut pg = Playground::new();
    pg.apply(Gesture::AddSpare);
    assert!(pg.error.as_deref().is_some_and(|e| e.contains("already a member")));

    // A draft's patterns reach the scenario on reset.
    let mut pg = Playground::new();
    let mut draft = (*pg.draft).clone();
    settings::raft(&mut draft).witnesses = vec![4];
    settings::raft(&mut draft).rotate_every_commits = Some(10);
    pg.apply(Gesture::EditDraft(Box::new(draft)));
    assert!(*pg.draft != *pg.base(), "the form shows a pending change");
    pg.apply(Gesture::Reset);
    let ProtocolSpec::Raft(r) = &pg.scenario().protocol else { panic!("a Raft scenario") };
    assert_eq!((r.witnesses.clone(), r.rotate_every_commits), (vec![4], Some(10)));
    assert!(*pg.draft == *pg.base(), "nothing pending after the reset");

    // Growing the cluster keeps the spare count; the preset's members follow.
    let mut pg = Playground::new();
    pg.apply(Gesture::LoadPreset("membership-change"));
    let mut draft = (*pg.draft).clone();
    settings::set_nodes(&mut draft, 7);
    pg.apply(Gesture::EditDraft(Box::new(draft)));
    pg.apply(Gesture::Reset);
    assert!(pg.error.is_none(), "{:?}", pg.error);
    assert_eq!((pg.sim().len(), settings::spares(&pg.draft), pg.spare()), (7, 2, Some(5)));
}

#[test]
fn a_violation_pauses_the_run() {
    let mut pg = Playground::new();
    pg.apply(Gesture::LoadPreset("figure-8"));
    pg.apply(Gesture::SetSpeed(1.0));
    run_for(&mut pg, 500.0);
    assert!(!pg.playing);
    assert!(pg.failed(Property::StateMachineSafety).is_some());
}

#[test]
fn the_timeline_revision_moves_with_the_timeline_and_only_then() {
    let mut pg = Playground::<Raft>::open();
    let rev = |pg: &Playground<Raft>| pg.timeline_rev();
    let r0 = rev(&pg);
    pg.apply(Gesture::Advance(500_000));
    pg.apply(Gesture::Seek(200_000));
    pg.apply(Gesture::Tick { wall_ms: 5.0 });
    assert_eq!(rev(&pg), r0, "time travel leaves the timeline alone");
    pg.apply(Gesture::Do(Timeline::Crash { node: Target::Node(1) }));
    let r1 = rev(&pg);
    assert!(r1 > r0, "an action");
    pg.apply(Gesture::Edit(Edit::Move(0, 300.0)));
    let r2 = rev(&pg);
    assert!(r2 > r1, "an edit");
    pg.apply(Gesture::Edit(Edit::Undo));
    assert!(rev(&pg) > r2, "an undo");
    let r3 = rev(&pg);
    pg.apply(Gesture::Edit(Edit::Move(7, 1.0)));
    assert_eq!(rev(&pg), r3, "a refused edit changes nothing");
    pg.apply(Gesture::Reset);
    assert!(rev(&pg) > r3, "a reset");
}
