//! The bully election: a node acting as coordinator is green, one holding
//! an election amber, one that knows the coordinator grey with its name.
//! Election is an amber circle, Ok a green one, Coordinator a green
//! square.

use crate::sim::NodeId;
use crate::ui::face::{tip, Face};
use crate::viewmodel::boards::bully_seen::{Bully, Msg};
use crate::viewmodel::playground::{Gesture, Playground};
use yew::prelude::*;

impl Face for Bully {
    fn node_class(pg: &Playground<Bully>, n: NodeId) -> &'static str {
        match pg.sim().node(n) {
            Some(b) if b.coordinator() == Some(n) => "leader",
            Some(b) if b.electing() => "candidate",
            _ => "follower",
        }
    }

    fn node_text(pg: &Playground<Bully>, n: NodeId) -> String {
        match pg.sim().node(n).and_then(Bully::coordinator) {
            Some(c) if c == n => "boss".into(),
            Some(c) => format!("→n{c}"),
            None => String::new(),
        }
    }

    fn node_marks(_: &Playground<Bully>, _: NodeId, _: f64) -> Html {
        html! {}
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (cx, cy) = (x.to_string(), y.to_string());
        match msg {
            Msg::Election => html! { <circle {cx} {cy} r="7" class={classes!(class, "m-vote")}>{tip(&title)}</circle> },
            Msg::Ok => html! { <circle {cx} {cy} r="5" class={classes!(class, "m-granted")}>{tip(&title)}</circle> },
            Msg::Coordinator => html! {
                <rect x={(x - 7.0).to_string()} y={(y - 7.0).to_string()} width="14" height="14" rx="2" class={classes!(class, "m-ack")}>{tip(&title)}</rect>
            },
        }
    }

    fn menu_items(_: &Playground<Bully>, _: &Callback<Gesture>, _: NodeId) -> Html {
        html! {}
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot follower"></i>{"waiting"}
                <i class="dot candidate"></i>{"electing"}
                <i class="dot leader"></i>{"coordinator"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }
}
