//! The diagram against the full trace: every message in the window is one
//! arrow, ending where the trace says it was delivered or dropped.

use super::*;
use crate::protocols::raft::Raft;
use crate::scenario::{Action, LinkSpec, Runner, Scenario, Target};
use crate::sim::SEC;
use crate::viewmodel::playground::{Gesture, Playground};

/// Five servers on a lossy, duplicating network, with n1 crashed at 1.2 s
/// and restarted at 2.1 s.
fn lossy() -> Scenario {
    let mut s = Scenario::raft(5, 7);
    s.network = LinkSpec { loss: 0.1, dup: 0.05, ..s.network };
    let at = crate::contract::Millis::from_ms;
    s.timeline = vec![
        crate::contract::TimedAction { at: at(1200), action: Action::Crash { node: Target::Node(1) } },
        crate::contract::TimedAction { at: at(2100), action: Action::Restart { node: 1 } },
    ];
    s
}

/// Every event of a run of `s` to `t`, kept whole.
fn full_trace(s: &Scenario, t: Time) -> Vec<Logged> {
    let mut r: Runner<Raft> = Runner::new(s.clone()).unwrap();
    r.record_tail(None);
    r.run_until(t);
    r.take_log()
}

/// An arrow as compared: (from, to, sent, end or None, dropped reason).
type Seen = (NodeId, NodeId, Time, Option<Time>, Option<&'static str>);

/// The arrows a window should hold, worked out from the whole trace:
/// (from, to, sent, end or None, dropped reason).
fn expected(events: &[Logged], lo: Time, hi: Time) -> Vec<Seen> {
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let Some(w) = e.wire else { continue };
        if !matches!(w.hop, Hop::Send | Hop::Dup) || e.time > hi {
            continue;
        }
        // This copy ends at the first delivery or drop of its id at its due time.
        let end = events[i + 1..].iter().find_map(|l| match l.wire {
            Some(x)
                if x.id == w.id && l.time == w.due && matches!(x.hop, Hop::Deliver | Hop::Drop(_)) && l.time <= hi =>
            {
                Some((l.time, if let Hop::Drop(r) = x.hop { Some(r) } else { None }))
            }
            _ => None,
        });
        if end.is_none_or(|(t, _)| t >= lo) {
            out.push((w.from, w.to, e.time, end.map(|x| x.0), end.and_then(|x| x.1)));
        }
    }
    out.sort_by_key(|a| (a.2, a.0, a.1, a.3));
    out
}

fn drawn(d: &Diagram, now: Time) -> Vec<Seen> {
    let (v, over) = d.visible(now, &|n| Some(n as usize));
    assert_eq!(over, 0, "under the cap");
    let mut out: Vec<_> = v
        .iter()
        .map(|(_, a)| match a.fate {
            Fate::Flying => (a.from, a.to, a.sent, None, None),
            Fate::Delivered(t) => (a.from, a.to, a.sent, Some(t), None),
            Fate::Dropped(t, r) => (a.from, a.to, a.sent, Some(t), Some(r)),
        })
        .collect();
    out.sort_by_key(|a| (a.2, a.0, a.1, a.3));
    out
}

#[test]
fn a_window_holds_each_message_of_the_trace_once_with_its_fate() {
    let s = lossy();
    let mut pg: Playground<Raft> = Playground::open();
    pg.apply(Gesture::Load { scenario: Box::new(s.clone()), at_us: None, playing: true });
    pg.apply(Gesture::SetSpeed(1.0));
    // Frames of 16 ms of wall time: the diagram is fed in many batches.
    let mut wall = 0.0;
    while pg.now() < 2_500_000 {
        pg.apply(Gesture::Tick { wall_ms: wall });
        wall += 16.0;
    }
    let now = pg.now();
    let all = full_trace(&s, now);
    for span in [SEC, 2 * SEC] {
        pg.apply(Gesture::Diagram(DiagramGesture::Span(span)));
        let want = expected(&all, now - span, now);
        assert!(want.len() > 100, "{} messages in {span} µs", want.len());
        assert!(want.iter().any(|a| a.4 == Some("loss")) && want.iter().any(|a| a.4 == Some("node down")));
        assert_eq!(drawn(&pg.diagram, now), want, "window of {span} µs");
    }
    // The crash and the restart are n1's down stretch.
    let downs: Vec<_> = pg.diagram.downs(now).copied().collect();
    assert_eq!(downs, vec![Down { node: 1, from: 1_200_000, until: Some(2_100_000), paused: false }]);
    // The leader's lane says so.
    let leader = pg.leader().expect("a leader by 2.5 s");
    assert_eq!(pg.diagram.state_at(leader, now).map(|n| n.class), Some("leader"));
}

#[test]
fn after_a_seek_the_diagram_is_the_seeked_instants_window() {
    let s = lossy();
    let mut pg: Playground<Raft> = Playground::open();
    pg.apply(Gesture::Load { scenario: Box::new(s.clone()), at_us: Some(8 * SEC), playing: false });
    pg.apply(Gesture::Seek(7 * SEC + 123));
    let now = pg.now();
    assert_eq!(pg.diagram.since(), now - REPLAY_LOG_US);
    let all = full_trace(&s, now);
    pg.apply(Gesture::Diagram(DiagramGesture::Span(REPLAY_LOG_US)));
    // Messages sent before the replayed stretch are not known: compare
    // what was sent within it.
    let since = pg.diagram.since();
    let want: Vec<_> = expected(&all, now - REPLAY_LOG_US, now).into_iter().filter(|a| a.2 >= since).collect();
    assert_eq!(drawn(&pg.diagram, now), want);
}

#[test]
fn hidden_kinds_are_not_drawn_and_the_cap_keeps_the_newest() {
    let mut pg: Playground<Raft> = Playground::open();
    pg.apply(Gesture::Advance(3 * SEC));
    let now = pg.now();
    let all_lanes = |n: NodeId| Some(n as usize);
    let (before, _) = pg.diagram.visible(now, &all_lanes);
    let before: Vec<&'static str> = before.iter().map(|(_, a)| a.kind).collect();
    assert!(before.contains(&"Heartbeat"));
    assert!(pg.diagram.kinds().contains(&"Heartbeat") && pg.diagram.kinds().contains(&"AppendReply"));
    pg.apply(Gesture::Diagram(DiagramGesture::ToggleKind("Heartbeat")));
    let (after, _) = pg.diagram.visible(now, &all_lanes);
    assert!(after.iter().all(|(_, a)| a.kind != "Heartbeat"));
    assert_eq!(after.len(), before.iter().filter(|k| **k != "Heartbeat").count());
    // Only the lanes shown: messages that touch neither n0 nor n1 go.
    let two = |n: NodeId| (n < 2).then_some(n as usize);
    let (few, _) = pg.diagram.visible(now, &two);
    assert!(few.iter().all(|(_, a)| a.from < 2 || a.to < 2) && few.len() < after.len());
    // A hover shows the message and its fate.
    let (seq, a) = after.last().unwrap();
    assert_eq!(pg.diagram.arrow(*seq).map(|b| b.sent), Some(a.sent));
    let text = a.describe();
    assert!(
        text.starts_with("n")
            && text.contains(a.kind)
            && (text.contains("delivered after") || text.contains("in flight")),
        "{text}"
    );
}

#[test]
fn past_the_cap_the_newest_arrows_are_drawn() {
    let mut pg: Playground<Raft> = Playground::open();
    let s = Scenario {
        client: Some(crate::scenario::ClientLoad { interval_ms: 2.0, reads: false }),
        ..Scenario::raft(5, 3)
    };
    pg.apply(Gesture::Load { scenario: Box::new(s), at_us: Some(3 * SEC), playing: false });
    pg.apply(Gesture::Diagram(DiagramGesture::Span(REPLAY_LOG_US)));
    let now = pg.now();
    let (v, over) = pg.diagram.visible(now, &|n| Some(n as usize));
    assert_eq!(v.len(), MAX_DRAWN);
    assert!(over > 0);
    let last_sent = pg.diagram.arrows.iter().map(|a| a.sent).max().unwrap();
    assert_eq!(v.last().map(|(_, a)| a.sent), Some(last_sent), "the newest is drawn");
    assert!(v.windows(2).all(|w| w[0].0 < w[1].0), "in order");
}

#[test]
fn the_pointer_hovers_the_arrow_under_it() {
    let mut pg: Playground<Raft> = Playground::open();
    pg.apply(Gesture::Advance(3 * SEC));
    let (now, width) = (pg.now(), 800.0);
    let lanes = Lanes::of(5, None);
    let (segs, _) = pg.diagram.segments(now, &lanes, width);
    // A long arrow, so that no other passes through its middle.
    let s = segs
        .iter()
        .filter(|s| s.fate != Fate::Flying)
        .max_by(|a, b| (a.y1 - a.y0).abs().total_cmp(&(b.y1 - b.y0).abs()))
        .unwrap();
    let (mx, my) = ((s.x0 + s.x1) / 2.0, (s.y0 + s.y1) / 2.0);
    pg.apply(Gesture::Diagram(DiagramGesture::Point { x: mx, y: my, width }));
    let hovered = pg.diagram.hovered.expect("an arrow under the pointer");
    let h = segs.iter().find(|x| x.seq == hovered).unwrap();
    assert!(super::geometry::tests_distance((mx, my), (h.x0, h.y0), (h.x1, h.y1)) <= 6.0);
    // Its ends are its send and its delivery, on their lanes.
    let a = pg.diagram.arrow(s.seq).unwrap();
    assert_eq!((s.y0, s.y1), (Lanes::y(a.from as usize), Lanes::y(a.to as usize)));
    assert_eq!(pg.diagram.time_at(s.x0, now, width), a.sent);
    // Far from every arrow: none.
    pg.apply(Gesture::Diagram(DiagramGesture::Point { x: -50.0, y: -50.0, width }));
    assert_eq!(pg.diagram.hovered, None);
    // Lanes of a large group: twelve, the selected among them, and the rest.
    let big = Lanes::of(300, Some(200));
    assert_eq!((big.shown.len(), big.own(200), big.of_node(250), big.rows()), (12, Some(11), Some(12), 13));
}
