//! What each protocol's nodes and messages look like in the cluster view,
//! and the commands its node menu offers: the cluster view itself
//! ([`super::cluster`]) is the same for every protocol with a board.

use super::cluster::button;
use crate::scenario::{Action as Do, Target};
use crate::sim::{NodeId, NodeStatus};
use crate::viewmodel::playground::{Board, Gesture, Playground};
use crate::viewmodel::seen::raft::{Msg, Raft, Role};
use yew::prelude::*;

pub trait Face: Board {
    /// The node's class while it is up (its role).
    fn node_class(pg: &Playground<Self>, n: NodeId) -> &'static str;
    /// The short line under the node's name.
    fn node_text(pg: &Playground<Self>, n: NodeId) -> String;
    /// Rings, arcs and badges drawn on the node.
    fn node_marks(pg: &Playground<Self>, n: NodeId, r: f64) -> Html;
    /// A number the node carries as `data-term` (Raft: its term).
    fn node_term(_pg: &Playground<Self>, _n: NodeId) -> u64 {
        0
    }
    /// Extra classes on the node's group.
    fn node_flags(_pg: &Playground<Self>, _n: NodeId) -> Classes {
        Classes::new()
    }
    /// A message in flight at (x, y); `titled`: with its contents as a
    /// tooltip (while paused: a playing message is gone before a pointer
    /// could rest on it, and formatting 200 a frame costs).
    fn message_shape(msg: &Self::Msg, x: f64, y: f64, class: String, titled: bool) -> Html;
    /// The protocol's own buttons in a node's menu.
    fn menu_items(pg: &Playground<Self>, dispatch: &Callback<Gesture>, n: NodeId) -> Html;
    /// The status bar's key to node colours.
    fn legend() -> Html;
    /// Drawn behind the links and nodes.
    fn backdrop(_pg: &Playground<Self>) -> Html {
        html! {}
    }
}

impl Face for Raft {
    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot follower"></i>{"follower"}
                <i class="dot candidate"></i>{"candidate"}
                <i class="dot leader"></i>{"leader"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }

    fn node_class(pg: &Playground<Raft>, n: NodeId) -> &'static str {
        match pg.node_view(n).role {
            Some(Role::Leader) => "leader",
            Some(Role::Candidate) => "candidate",
            Some(Role::PreCandidate) => "precandidate",
            _ => "follower",
        }
    }

    fn node_text(pg: &Playground<Raft>, n: NodeId) -> String {
        format!("t{}", pg.node_view(n).term)
    }

    fn node_term(pg: &Playground<Raft>, n: NodeId) -> u64 {
        pg.node_view(n).term
    }

    fn node_flags(pg: &Playground<Raft>, n: NodeId) -> Classes {
        classes!(pg.sim().config().witnesses.contains(&n).then_some("witness"))
    }

    fn node_marks(pg: &Playground<Raft>, i: NodeId, r: f64) -> Html {
        let sim = pg.sim();
        let v = pg.node_view(i);
        let witness = sim.config().witnesses.contains(&i);
        let spare = pg.cluster_members() & (1 << i) == 0;
        // The leader's lease: a gold arc of what is left, on its own clock.
        let lease = sim.node(i).and_then(|rf| {
            let len = rf.config().lease_us()? as f64;
            let local = sim.local_time(i);
            rf.lease_valid(local).then(|| ((rf.lease_until() - local) as f64 / len).clamp(0.0, 1.0))
        });
        let lease_ring = match lease {
            Some(left) => {
                let c = std::f64::consts::TAU * (r + 3.0);
                html! { <circle class="lease" r={(r + 3.0).to_string()} stroke-dasharray={format!("{:.1} {:.1}", c * left, c)} transform="rotate(-90)"><title>{format!("lease: {:.0}% left on n{i}'s clock", left * 100.0)}</title></circle> }
            }
            None => html! {},
        };
        let circ = std::f64::consts::TAU * (r + 7.0);
        // Witnesses and spares never stand, so their timers mean nothing.
        let ring = match (v.timer_left, v.role) {
            (Some(left), Some(role)) if role != Role::Leader && !witness && !spare => html! {
                <circle class="timer" r={(r + 7.0).to_string()} stroke-dasharray={format!("{:.1} {:.1}", circ * left, circ)}
                    transform="rotate(-90)"><title>{format!("election timer: {:.0}% left on n{i}'s clock", left * 100.0)}</title></circle>
            },
            _ => html! {},
        };
        let badge = if witness {
            html! { <g class="badge" transform={format!("translate({:.1},{:.1})", r * 0.75, -r * 0.75)}><circle r="9" /><text y="4">{"W"}</text><title>{"witness: votes and acknowledges, never leads or applies"}</title></g> }
        } else {
            html! {}
        };
        html! { <>{ring}{lease_ring}{badge}</> }
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let label = msg.label();
        let title = titled.then(|| msg.to_string());
        match msg {
            Msg::RequestVote { .. } => html! {
                <circle cx={x.to_string()} cy={y.to_string()} r="8" class={classes!(class, "m-vote", (label == "PreVote").then_some("m-pre"))}>{tip(&title)}</circle>
            },
            Msg::RequestVoteReply { granted, .. } => html! {
                <circle cx={x.to_string()} cy={y.to_string()} r="5" class={classes!(class, if *granted { "m-granted" } else { "m-denied" })}>{tip(&title)}</circle>
            },
            Msg::AppendEntries { entries, .. } => html! {
                <g class={classes!(class, "m-append")} transform={format!("translate({x:.1},{y:.1})")}>
                    <rect x="-9" y="-6" width="18" height="12" rx="2">{tip(&title)}</rect>
                    { if entries.is_empty() { html!{} } else { html!{ <text y="4" class="m-count">{entries.len()}</text> } } }
                </g>
            },
            Msg::AppendEntriesReply { success, .. } => html! {
                <rect x={(x - 5.0).to_string()} y={(y - 4.0).to_string()} width="10" height="8" rx="1" class={classes!(class, if *success { "m-ack" } else { "m-nack" })}>{tip(&title)}</rect>
            },
            Msg::TimeoutNow { .. } => html! {
                <path d={format!("M{x:.1},{:.1} l9,9 l-9,9 l-9,-9 z", y - 9.0)} class={classes!(class, "m-timeoutnow")}>{tip(&title)}</path>
            },
            Msg::InstallSnapshot { .. } => html! {
                <g class={classes!(class, "m-snapshot")} transform={format!("translate({x:.1},{y:.1})")}>
                    <rect x="-11" y="-9" width="22" height="18" rx="3">{tip(&title)}</rect>
                    <text y="4" class="m-count">{"S"}</text>
                </g>
            },
        }
    }

    fn menu_items(pg: &Playground<Raft>, dispatch: &Callback<Gesture>, i: NodeId) -> Html {
        let up = pg.sim().status(i) == NodeStatus::Up;
        let leader = pg.leader();
        let member = pg.cluster_members() & (1 << i) != 0;
        let witness = pg.sim().config().is_witness(i);
        html! {
            <>
                { button(dispatch, "Time out now", "Make the node start an election as if its timer fired", Gesture::Do(Do::Campaign { node: i }), up && leader != Some(i)) }
                { button(dispatch, "Client request", "Send a client request to this node (only a leader accepts it)", Gesture::Do(Do::Request { node: Target::Node(i), key: None }), up) }
                { button(dispatch, "Client read", "Send a client read to this node: a leader answers by lease (if on) or after a round of heartbeats", Gesture::Do(Do::Read { node: Target::Node(i), key: None }), up) }
                { button(dispatch, "Make leader", "Ask the leader to transfer leadership here (catch up, then TimeoutNow)", Gesture::Do(Do::Transfer { to: i }), up && !witness && member && leader.is_some_and(|l| l != i)) }
                { if member {
                    button(dispatch, "Remove from cluster", "Ask the leader to remove this server from the configuration (one change at a time, §4.1)", Gesture::Do(Do::RemoveServer { node: i }), leader.is_some())
                } else {
                    button(dispatch, "Add to cluster", "Ask the leader to add this spare server to the configuration (one change at a time, §4.1)", Gesture::Do(Do::AddServer { node: i }), leader.is_some())
                } }
            </>
        }
    }
}

/// A message's tooltip, if it has one.
pub(super) fn tip(title: &Option<String>) -> Html {
    match title {
        Some(t) => html! { <title>{t.clone()}</title> },
        None => html! {},
    }
}
