//! Federated regions' nodes and messages. A node is tinted by its region
//! (its label names it); a region's leader is green, and the global
//! leader carries a ring. Region messages are small, global ones large;
//! a draw and its answer are diamonds.

use crate::scenario::{Action as Do, Target};
use crate::sim::NodeId;
use crate::ui::cluster::button;
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

    /// Region-wide faults on the node's region, and a client command.
    fn menu_items(pg: &Playground<Federation>, dispatch: &Callback<Gesture>, i: NodeId) -> Html {
        let cfg = pg.sim().config();
        let r = cfg.region_of(i);
        let name = cfg.names[r].clone();
        let (start, n) = cfg.regions[r];
        let down = (start..start + n).filter(|&m| pg.sim().node(m).is_none()).count() as u32;
        let up = pg.sim().node(i).is_some();
        html! {
            <>
                { button(dispatch, &format!("Region {name} down"), "Crash every node of this region: a region outage", Gesture::Do(Do::RegionDown { region: name.clone() }), down < n) }
                { button(dispatch, &format!("Region {name} up"), "Restart every crashed node of this region", Gesture::Do(Do::RegionUp { region: name.clone() }), down > 0) }
                { button(dispatch, &format!("Split region {name} off"), "Partition this region from the others (heal with Heal all)", Gesture::Do(Do::SplitRegions { groups: vec![vec![name.clone()]] }), true) }
                { button(dispatch, "Client command", "Send the next client command to this node: odd-numbered ones are region-local writes, even-numbered ones spend a unit of the quota", Gesture::Do(Do::Request { node: Target::Node(i), key: None }), up) }
            </>
        }
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot follower"></i>{"region member"}
                <i class="dot leader"></i>{"region leader"}
                <i class="dot candidate"></i>{"standing"}
                <i class="dot crashed"></i>{"crashed"}
                {"★ and ring: global leader"}
            </span>
        }
    }
}
