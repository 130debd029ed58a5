//! Multi-Paxos's nodes and messages. The leader is green with its ballot;
//! a node in phase 1 amber with the ballot it tries; the others grey, with
//! how many slots they have learned (#122). Prepare and Promise are circles (phase 1, once per leader),
//! Accept and Accepted squares (phase 2, once per command), heartbeats
//! small dots, a refusal a red bar.

use crate::sim::NodeId;
use crate::ui::face::{tip, Face};
use crate::viewmodel::boards::multipaxos_seen::{Msg, MultiPaxos};
use crate::viewmodel::playground::{Gesture, Playground};
use yew::prelude::*;

impl Face for MultiPaxos {
    fn node_class(pg: &Playground<MultiPaxos>, n: NodeId) -> &'static str {
        match pg.sim().node(n) {
            Some(p) if p.leading() => "leader",
            Some(p) if p.preparing() => "candidate",
            _ => "follower",
        }
    }

    fn node_text(pg: &Playground<MultiPaxos>, n: NodeId) -> String {
        match pg.sim().node(n) {
            Some(p) if p.leading() || p.preparing() => format!("b{}", p.ballot()),
            Some(p) => format!("#{}", p.chosen()),
            None => String::new(),
        }
    }

    fn node_term(pg: &Playground<MultiPaxos>, n: NodeId) -> u64 {
        pg.sim().node(n).map_or(0, |p| p.promised())
    }

    fn node_marks(_: &Playground<MultiPaxos>, _: NodeId, _: f64) -> Html {
        html! {}
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (cx, cy) = (x.to_string(), y.to_string());
        let rect = |w: f64, h: f64, kind: &'static str| {
            html! {
                <rect x={(x - w / 2.0).to_string()} y={(y - h / 2.0).to_string()} width={w.to_string()} height={h.to_string()} rx="1" class={classes!(class.clone(), kind)}>{tip(&title)}</rect>
            }
        };
        match msg {
            Msg::Prepare { .. } => {
                html! { <circle {cx} {cy} r="8" class={classes!(class, "m-vote")}>{tip(&title)}</circle> }
            }
            Msg::Promise { .. } => {
                html! { <circle {cx} {cy} r="5" class={classes!(class, "m-granted")}>{tip(&title)}</circle> }
            }
            Msg::Heartbeat { .. } | Msg::Behind { .. } => {
                html! { <circle {cx} {cy} r="3" class={classes!(class, "m-ack")}>{tip(&title)}</circle> }
            }
            Msg::Accept { .. } | Msg::Learn { .. } => rect(16.0, 12.0, "m-append"),
            Msg::Accepted { .. } => rect(10.0, 8.0, "m-ack"),
            Msg::Nack { .. } => rect(14.0, 5.0, "m-nack"),
        }
    }

    fn menu_items(_: &Playground<MultiPaxos>, _: &Callback<Gesture>, _: NodeId) -> Html {
        html! {}
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot follower"></i>{"acceptor (#slots learned)"}
                <i class="dot candidate"></i>{"phase 1"}
                <i class="dot leader"></i>{"leader"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }
}
