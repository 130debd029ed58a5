//! The ring election: each node shows its id; the elected node is green,
//! a node that knows the leader grey, one still waiting amber. Election
//! messages are amber circles carrying their id, the announcement green
//! squares.

use crate::sim::NodeId;
use crate::ui::face::{tip, Face};
use crate::viewmodel::boards::ring_seen::{Msg, Ring};
use crate::viewmodel::playground::{Gesture, Playground};
use yew::prelude::*;

impl Face for Ring {
    fn node_class(pg: &Playground<Ring>, n: NodeId) -> &'static str {
        match pg.sim().node(n) {
            Some(r) if r.leader() == Some(r.id()) => "leader",
            Some(r) if r.leader().is_some() => "follower",
            _ => "candidate",
        }
    }

    fn node_text(pg: &Playground<Ring>, n: NodeId) -> String {
        pg.sim().node(n).map_or(String::new(), |r| format!("id {}", r.id()))
    }

    fn node_term(pg: &Playground<Ring>, n: NodeId) -> u64 {
        pg.sim().node(n).map_or(0, Ring::id)
    }

    fn node_marks(_: &Playground<Ring>, _: NodeId, _: f64) -> Html {
        html! {}
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (kind, id, shape) = match msg {
            Msg::Election(id) => ("m-vote", id, html! { <circle r="9">{tip(&title)}</circle> }),
            Msg::Elected(id) => {
                ("m-ack", id, html! { <rect x="-9" y="-9" width="18" height="18" rx="2">{tip(&title)}</rect> })
            }
        };
        html! {
            <g class={classes!(class, "m-ring", kind)} transform={format!("translate({x:.1},{y:.1})")}>
                {shape}<text y="4" class="m-count">{id}</text>
            </g>
        }
    }

    fn menu_items(_: &Playground<Ring>, _: &Callback<Gesture>, _: NodeId) -> Html {
        html! {}
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot candidate"></i>{"waiting"}
                <i class="dot follower"></i>{"knows the leader"}
                <i class="dot leader"></i>{"elected"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }
}
