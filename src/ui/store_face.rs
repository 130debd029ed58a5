//! How the store looks in the cluster view: each node in its own colour,
//! the hash ring inside the circle of nodes, its arcs coloured by the node
//! that owns them (first replica) and the keys placed on it; messages by
//! kind (puts, reads, repairs, hints, anti-entropy).

use super::face::{tip, Face};
use super::field::Field;
use super::metrics::node_colour;
use crate::scenario::{Action as Do, Target};
use crate::sim::{NodeId, NodeStatus};
use crate::viewmodel::playground::{Gesture, Playground};
use crate::viewmodel::seen::store::Msg;
use crate::viewmodel::seen::store::Ring;
use crate::viewmodel::seen::store::StoreNode;
use yew::prelude::*;

/// The ring's radius in view units (the nodes sit on a circle of 190+).
const RING_R: f64 = 112.0;
/// Keys drawn on the ring, at most.
const RING_KEYS: u32 = 32;

fn angle(point: u64) -> f64 {
    -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * (point as f64 / 2f64.powi(64))
}

fn at(a: f64, r: f64) -> (f64, f64) {
    (r * a.cos(), r * a.sin())
}

pub use crate::viewmodel::seen::store::label as value_label;

impl Face for StoreNode {
    fn node_class(pg: &Playground<StoreNode>, n: NodeId) -> &'static str {
        if pg.sim().node(n).is_some_and(|s| s.pending_requests() > 0) {
            "busy"
        } else {
            "replica"
        }
    }

    fn node_text(pg: &Playground<StoreNode>, n: NodeId) -> String {
        let Some(s) = pg.sim().node(n) else { return "down".into() };
        match s.keys().count() {
            // Small circles in a big cluster: the number alone.
            k if pg.sim().len() > 9 => k.to_string(),
            1 => "1 key".into(),
            k => format!("{k} keys"),
        }
    }

    fn node_marks(pg: &Playground<StoreNode>, n: NodeId, r: f64) -> Html {
        let colour = format!("stroke:{}", node_colour(n));
        let hints = pg.sim().node(n).map_or(0, |s| s.hints().count());
        let badge = (hints > 0).then(|| {
            html! {
                <g class="badge hint-badge" transform={format!("translate({:.1},{:.1})", r * 0.75, -r * 0.75)}>
                    <circle r="9" /><text y="4">{"H"}</text>
                    <title>{format!("n{n} holds {hints} hinted write(s) for nodes it could not reach")}</title>
                </g>
            }
        });
        html! { <><circle class="owner" r={(r + 5.0).to_string()} style={colour} />{ for badge }</> }
    }

    fn legend() -> Html {
        html! {
            <span class="legend" title="Message colours">
                <i class="dot m-put-dot"></i>{"write"}
                <i class="dot m-read-dot"></i>{"read"}
                <i class="dot m-repair-dot"></i>{"repair"}
                <i class="dot m-hint-dot"></i>{"hint"}
                <i class="dot m-sync-dot"></i>{"anti-entropy"}
                <i class="dot paused"></i>{"paused"}
                <i class="dot crashed"></i>{"crashed"}
            </span>
        }
    }

    fn message_shape(msg: &Msg, x: f64, y: f64, class: String, titled: bool) -> Html {
        let title = titled.then(|| msg.to_string());
        let (x, y) = (format!("{x:.1}"), format!("{y:.1}"));
        match msg {
            Msg::Replicate { req: 0, .. } => html! {
                <rect x={x.clone()} y={y.clone()} width="11" height="11" transform={format!("rotate(45 {x} {y}) translate(-5.5,-5.5)")} class={classes!(class, "m-repair")}>{tip(&title)}</rect>
            },
            Msg::Replicate { hint: Some(_), .. } | Msg::Handoff { .. } | Msg::HandoffAck { .. } => html! {
                <g class={classes!(class, "m-hint")} transform={format!("translate({x},{y})")}><rect x="-8" y="-6" width="16" height="12" rx="2" /><text y="4" class="m-count">{"H"}</text>{tip(&title)}</g>
            },
            Msg::Replicate { .. } => html! {
                <g class={classes!(class, "m-put")} transform={format!("translate({x},{y})")}><rect x="-9" y="-6" width="18" height="12" rx="2" />{tip(&title)}</g>
            },
            Msg::Ack { .. } => html! {
                <g class={classes!(class, "m-ack")} transform={format!("translate({x},{y})")}><rect x="-5" y="-4" width="10" height="8" rx="1" />{tip(&title)}</g>
            },
            Msg::Read { .. } => html! {
                <circle cx={x} cy={y} r="7" class={classes!(class, "m-read")}>{tip(&title)}</circle>
            },
            Msg::ReadReply { .. } => html! {
                <circle cx={x} cy={y} r="5" class={classes!(class, "m-granted")}>{tip(&title)}</circle>
            },
            Msg::SyncTree { .. } | Msg::SyncDiff { .. } | Msg::SyncPush { .. } => html! {
                <g class={classes!(class, "m-sync")} transform={format!("translate({x},{y})")}><path d="M0,-8 L8,6 L-8,6 Z" />{tip(&title)}</g>
            },
        }
    }

    fn menu_items(pg: &Playground<StoreNode>, dispatch: &Callback<Gesture>, i: NodeId) -> Html {
        let up = pg.sim().status(i) == NodeStatus::Up;
        let key_id = format!("menu-key-{i}");
        // The key as typed: empty draws one from the workload's keys.
        let act = |write: bool| {
            let (d, id) = (dispatch.clone(), key_id.clone());
            Callback::from(move |_: MouseEvent| {
                let typed = super::cluster::read_input(&id);
                let key = match typed.trim() {
                    "" => None,
                    t => match t.trim_start_matches('k').parse::<u32>() {
                        Ok(k) => Some(k),
                        Err(_) => {
                            d.emit(Gesture::ShowError(format!(
                                "A key is a whole number (or empty for any key), not '{t}'."
                            )));
                            return;
                        }
                    },
                };
                let node = Target::Node(i);
                d.emit(Gesture::Do(if write { Do::Request { node, key } } else { Do::Read { node, key } }));
            })
        };
        html! {
            <>
                <label class="menu-key" title="The key a client write or read names; empty: one drawn from the workload's keys">
                    {"key "}<Field key={key_id.clone()} id={key_id.clone()} kind="text" placeholder="any" value="" />
                </label>
                <button onclick={act(true)} disabled={!up} title="A client writes through this node: it reads the key, merges what it read and writes back">{"Client write"}</button>
                <button onclick={act(false)} disabled={!up} title="A client reads the key through this node (R replicas answer)">{"Client read"}</button>
            </>
        }
    }

    /// The ring: arcs coloured by the node that owns them as first
    /// replica, and the keys where they hash to (red: replicas disagree).
    /// Redrawn only when the ring or a key's colour changes.
    fn backdrop(pg: &Playground<StoreNode>) -> Html {
        let sim = pg.sim();
        let Some(first) = (0..sim.len()).find_map(|n| sim.node(n)) else { return html! {} };
        let ring = first.ring();
        let cfg = first.config();
        let count = cfg.workload.as_ref().map_or(8, |w| w.keys).min(RING_KEYS);
        let keys: Vec<(bool, bool)> = (0..count)
            .map(|k| {
                let held: Vec<_> = ring.home(k, cfg.n).map(|h| sim.node(h).and_then(|s| s.siblings(k))).collect();
                let split = held.iter().any(|h| *h != held[0]);
                let siblings = held.iter().flatten().any(|s| s.len() > 1);
                (split, siblings)
            })
            .collect();
        html! { <RingBackdrop ring={ring.clone()} n={cfg.n} {keys} /> }
    }
}

#[derive(Properties, PartialEq)]
struct RingProps {
    ring: Ring,
    /// Replicas per key.
    n: u32,
    /// Per key drawn: (its replicas disagree, one holds siblings).
    keys: Vec<(bool, bool)>,
}

#[function_component]
fn RingBackdrop(props: &RingProps) -> Html {
    let ring = &props.ring;
    let tokens = ring.tokens();
    // Merge neighbouring arcs of one owner.
    let mut arcs: Vec<(u64, u64, NodeId)> = Vec::new();
    for (i, &(t, owner)) in tokens.iter().enumerate() {
        let prev = if i == 0 { tokens[tokens.len() - 1].0 } else { tokens[i - 1].0 };
        match arcs.last_mut() {
            Some(last) if last.2 == owner && i > 0 => last.1 = t,
            _ => arcs.push((prev, t, owner)),
        }
    }
    let paths: Html = arcs
        .iter()
        .map(|&(from, to, owner)| {
            let (a0, mut a1) = (angle(from), angle(to));
            if a1 < a0 {
                a1 += std::f64::consts::TAU;
            }
            let (x0, y0) = at(a0, RING_R);
            let (x1, y1) = at(a1, RING_R);
            let large = u8::from(a1 - a0 > std::f64::consts::PI);
            html! { <path class="arc" d={format!("M{x0:.1},{y0:.1} A{RING_R},{RING_R} 0 {large} 1 {x1:.1},{y1:.1}")} style={format!("stroke:{}", node_colour(owner))}><title>{format!("keys hashing here live first on n{owner}")}</title></path> }
        })
        .collect();
    let dots: Html = props
        .keys
        .iter()
        .enumerate()
        .map(|(k, &(split, siblings))| {
            let k = k as u32;
            let (x, y) = at(angle(Ring::key_point(k)), RING_R);
            let (lx, ly) = at(angle(Ring::key_point(k)), RING_R - 16.0);
            let homes: Vec<String> = ring.home(k, props.n).map(|h| format!("n{h}")).collect();
            let title = format!(
                "k{k}: replicas {}{}{}",
                homes.join(", "),
                if split { "; the replicas disagree" } else { "" },
                if siblings { "; siblings" } else { "" }
            );
            html! {
                <g class={classes!("key", split.then_some("split"), siblings.then_some("sib"))} data-key={k.to_string()}>
                    <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="5" />
                    <text x={format!("{lx:.1}")} y={format!("{:.1}", ly + 3.0)}>{format!("k{k}")}</text>
                    <title>{title}</title>
                </g>
            }
        })
        .collect();
    html! { <g class="ring" aria-hidden="true"><circle class="track" r={RING_R.to_string()} />{paths}{dots}</g> }
}
