//! Federated regions' nodes and messages. A node is tinted by its region
//! (its label names it); a region's leader is green, and the global
//! leader carries a ring. Region messages are small, global ones large;
//! a draw and its answer are diamonds.

use crate::sim::NodeId;
use crate::ui::face::{tip, Face};
use crate::viewmodel::boards::federation_seen::{Federation, Msg};
use crate::viewmodel::playground::{Gesture, Playground};
use yew::prelude::*;

impl Face for Federation {
    fn node_class(pg: &Playground<Federation>, n: NodeId) -> &'static str {
        match pg.sim().node(n) {
            Some(p) if p.local().leading() => "leader",
            Some(p) if p.local().preparing() => "candidate",
            _ => "follower",
        }
    }

    fn node_text(pg: &Playground<Federation>, n: NodeId) -> String {
        let cfg = pg.sim().config();
        let name = &cfg.names[cfg.region_of(n)];
        match pg.sim().node(n) {
            Some(p) if p.global().leading() => format!("{name}★"),
            _ => name.clone(),
        }
    }

    fn node_term(pg: &Playground<Federation>, n: NodeId) -> u64 {
        pg.sim().node(n).map_or(0, |p| p.local().promised())
    }

    fn node_marks(pg: &Playground<Federation>, n: NodeId, r: f64) -> Html {
        match pg.sim().node(n) {
            Some(p) if p.global().leading() => html! {
                <circle cx="0" cy="0" r={(r + 5.0).to_string()} class="global-ring"><title>{"global leader"}</title></circle>
            },
            _ => html! {},
        }
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (cx, cy) = (x.to_string(), y.to_string());
        let size = match msg {
            Msg::Global(_) => 7.0,
            _ => 4.0,
        };
        match msg {
            Msg::Draw { .. } | Msg::Answer { .. } | Msg::Forward(_) => {
                let d = 7.0;
                let points = format!("{x},{} {},{y} {x},{} {},{y}", y - d, x + d, y + d, x - d);
                html! { <polygon {points} class={classes!(class, "m-append")}>{tip(&title)}</polygon> }
            }
            Msg::Region(m) | Msg::Global(m) => {
                let kind = match m.label() {
                    "Prepare" | "Promise" => "m-vote",
                    "Accept" | "Learn" => "m-append",
                    "Nack" => "m-nack",
                    _ => "m-ack",
                };
                html! { <circle {cx} {cy} r={size.to_string()} class={classes!(class, kind)}>{tip(&title)}</circle> }
            }
        }
    }

    fn menu_items(_: &Playground<Federation>, _: &Callback<Gesture>, _: NodeId) -> Html {
        html! {}
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot follower"></i>{"region member"}
                <i class="dot leader"></i>{"region leader"}
                <i class="dot candidate"></i>{"standing"}
                {"★ global leader · "}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }
}
