//! Leases with fencing tokens: the lock service is purple, the resource
//! blue, a client that believes it holds the lease green (the token in
//! it), the others grey. Acquire, Granted and Busy are circles; Fence and
//! its ack diamonds; writes blue squares with their task; a refused write
//! a red bar.

use crate::sim::NodeId;
use crate::ui::face::{tip, Face};
use crate::viewmodel::boards::fencing_seen::{Fencing, Msg, RESOURCE, SERVICE};
use crate::viewmodel::playground::{Gesture, Playground};
use yew::prelude::*;

impl Face for Fencing {
    fn node_class(pg: &Playground<Fencing>, n: NodeId) -> &'static str {
        match n {
            SERVICE => "service",
            RESOURCE => "resource",
            _ if pg.sim().node(n).and_then(Fencing::lease).is_some() => "leader",
            _ => "follower",
        }
    }

    fn node_text(pg: &Playground<Fencing>, n: NodeId) -> String {
        let Some(node) = pg.sim().node(n) else { return String::new() };
        match n {
            SERVICE => format!("#{}", node.token().unwrap_or(0)),
            RESOURCE => format!("#{} · {}✓", node.token().unwrap_or(0), node.tasks_done().unwrap_or(0).count_ones()),
            _ => node.lease().map_or("–".into(), |t| format!("#{t}")),
        }
    }

    fn node_term(pg: &Playground<Fencing>, n: NodeId) -> u64 {
        pg.sim().node(n).and_then(|f| f.token().or(f.lease())).unwrap_or(0)
    }

    fn node_marks(_: &Playground<Fencing>, n: NodeId, r: f64) -> Html {
        let (letter, what) = match n {
            SERVICE => ("L", "the lock service: grants one lease at a time, each with a higher token"),
            RESOURCE => ("R", "the resource: refuses a write whose token is below the newest it knows"),
            _ => return html! {},
        };
        html! {
            <g class="badge" transform={format!("translate({:.1},{:.1})", r * 0.75, -r * 0.75)}>
                <circle r="9" /><text y="4">{letter}</text><title>{what}</title>
            </g>
        }
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (cx, cy) = (x.to_string(), y.to_string());
        let circle = |r: &'static str, kind: &'static str| {
            html! { <circle cx={cx.clone()} cy={cy.clone()} {r} class={classes!(class.clone(), kind)}>{tip(&title)}</circle> }
        };
        match msg {
            Msg::Acquire | Msg::Release { .. } => circle("5", "m-vote"),
            Msg::Granted { .. } => circle("8", "m-granted"),
            Msg::Busy => circle("5", "m-denied"),
            Msg::Fence { .. } | Msg::FenceAck { .. } => html! {
                <path d={format!("M{x:.1},{:.1} l7,7 l-7,7 l-7,-7 z", y - 7.0)} class={classes!(class, "m-timeoutnow")}>{tip(&title)}</path>
            },
            Msg::Write { task, .. } => html! {
                <g class={classes!(class, "m-append")} transform={format!("translate({x:.1},{y:.1})")}>
                    <rect x="-9" y="-7" width="18" height="14" rx="2">{tip(&title)}</rect>
                    <text y="4" class="m-count">{task}</text>
                </g>
            },
            Msg::WriteAck { .. } => html! {
                <rect x={(x - 5.0).to_string()} y={(y - 4.0).to_string()} width="10" height="8" rx="1" class={classes!(class, "m-ack")}>{tip(&title)}</rect>
            },
            Msg::Fenced { .. } => html! {
                <rect x={(x - 8.0).to_string()} y={(y - 3.0).to_string()} width="16" height="6" class={classes!(class, "m-nack")}>{tip(&title)}</rect>
            },
        }
    }

    fn menu_items(_: &Playground<Fencing>, _: &Callback<Gesture>, _: NodeId) -> Html {
        html! {}
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot service"></i>{"lock service"}
                <i class="dot resource"></i>{"resource"}
                <i class="dot leader"></i>{"holds a lease"}
                <i class="dot follower"></i>{"client"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }
}
