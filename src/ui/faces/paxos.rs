//! Paxos's nodes and messages. An acceptor is grey; a proposer in phase 1
//! or 2 amber, with its ballot; a node that has learned the value green,
//! with the value. Prepare and Promise are circles (phase 1), Accept and
//! Accepted squares (phase 2), a refusal a red bar.

use crate::sim::NodeId;
use crate::ui::face::{tip, Face};
use crate::viewmodel::boards::paxos_seen::{value_of, Msg, Paxos};
use crate::viewmodel::playground::{Gesture, Playground};
use yew::prelude::*;

impl Face for Paxos {
    fn node_class(pg: &Playground<Paxos>, n: NodeId) -> &'static str {
        match pg.sim().node(n) {
            Some(p) if p.learned().is_some() => "leader",
            Some(p) if p.proposing().is_some() => "candidate",
            _ => "follower",
        }
    }

    fn node_text(pg: &Playground<Paxos>, n: NodeId) -> String {
        match pg.sim().node(n) {
            Some(p) => match (p.learned(), p.promised()) {
                (Some(v), _) => v.to_string(),
                (None, 0) => "–".into(),
                (None, b) => format!("b{b}"),
            },
            None => String::new(),
        }
    }

    fn node_term(pg: &Playground<Paxos>, n: NodeId) -> u64 {
        pg.sim().node(n).map_or(0, |p| p.promised())
    }

    fn node_marks(pg: &Playground<Paxos>, n: NodeId, r: f64) -> Html {
        if !pg.sim().config().proposers.contains(&n) {
            return html! {};
        }
        html! {
            <g class="badge" transform={format!("translate({:.1},{:.1})", r * 0.75, -r * 0.75)}>
                <circle r="9" /><text y="4">{"P"}</text>
                <title>{format!("a proposer: it proposes {}", value_of(n))}</title>
            </g>
        }
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (cx, cy) = (x.to_string(), y.to_string());
        match msg {
            Msg::Prepare { .. } => {
                html! { <circle {cx} {cy} r="8" class={classes!(class, "m-vote")}>{tip(&title)}</circle> }
            }
            Msg::Promise { .. } => {
                html! { <circle {cx} {cy} r="5" class={classes!(class, "m-granted")}>{tip(&title)}</circle> }
            }
            Msg::Accept { .. } => html! {
                <rect x={(x - 8.0).to_string()} y={(y - 6.0).to_string()} width="16" height="12" rx="2" class={classes!(class, "m-append")}>{tip(&title)}</rect>
            },
            Msg::Accepted { .. } => html! {
                <rect x={(x - 5.0).to_string()} y={(y - 4.0).to_string()} width="10" height="8" rx="1" class={classes!(class, "m-ack")}>{tip(&title)}</rect>
            },
            Msg::Nack { .. } => html! {
                <rect x={(x - 7.0).to_string()} y={(y - 2.5).to_string()} width="14" height="5" class={classes!(class, "m-nack")}>{tip(&title)}</rect>
            },
        }
    }

    fn menu_items(_: &Playground<Paxos>, _: &Callback<Gesture>, _: NodeId) -> Html {
        html! {}
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Node colours">
                <i class="dot follower"></i>{"acceptor"}
                <i class="dot candidate"></i>{"proposing"}
                <i class="dot leader"></i>{"learned"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }
}
