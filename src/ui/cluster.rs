//! The cluster view: nodes on a circle, links, messages in flight, drops,
//! partitions, and the node and link menus.

use super::face::Face;
use super::field::Field;
use crate::scenario::{Action as Do, LinkSpec, Target};
use crate::sim::network::Network;
use crate::sim::{NodeId, NodeStatus};
use crate::viewmodel::playground::{layout, node_radius, Gesture, Menu, Playground, DROP_FADE_MS, VIEW_HALF};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Partition group colours (shaded behind the nodes).
const GROUP_FILL: [&str; 6] = ["#38bdf8", "#f59e0b", "#a78bfa", "#34d399", "#f472b6", "#facc15"];

/// Converts a pointer position to view coordinates. (Yew delegates events,
/// so the event's current target is not the SVG; look the SVG up.)
fn view_point(e: &web_sys::PointerEvent) -> Option<(f64, f64)> {
    let svg = web_sys::window()?.document()?.query_selector("svg.cluster").ok()??;
    let rect = svg.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    let scale = 2.0 * VIEW_HALF / rect.width().min(rect.height());
    let x = (f64::from(e.client_x()) - rect.left() - rect.width() / 2.0) * scale;
    let y = (f64::from(e.client_y()) - rect.top() - rect.height() / 2.0) * scale;
    Some((x, y))
}

/// What the cluster view draws, gathered from a playground of any
/// protocol; the drawing itself ([`draw`]) is the same code for all of
/// them (one copy in the web bundle).
pub struct Scene<'a> {
    n: u32,
    net: &'a Network,
    status: Vec<NodeStatus>,
    /// Each node's clock: offset (µs), drift (ppm), and how far it reads
    /// from true time now (ms).
    clocks: Vec<(i64, i64, f64)>,
    /// How long each node's storage write in progress has left, in ms.
    disk: Vec<Option<f64>>,
    members: u32,
    /// Each node's class, text, marks, extra classes and `data-term`.
    looks: Vec<(&'static str, String, Html, Classes, u64)>,
    messages: Html,
    backdrop: Html,
    drops: &'a [(NodeId, NodeId, f64)],
    wall_now: f64,
    selected: Option<NodeId>,
    highlighted: &'a [NodeId],
    /// Nodes picked from their menus for a group partition.
    picked: &'a [NodeId],
    drag: Option<(f64, f64, f64, f64)>,
    menu: Option<Menu>,
    /// The protocol's own buttons for the open node menu.
    menu_items: Html,
    summary: String,
}

/// Where a message `p` of the way from `from` to `to` is drawn.
fn edge(pos: &[(f64, f64)], r: f64, from: NodeId, to: NodeId, p: f64) -> (f64, f64) {
    let (x1, y1) = pos[from as usize];
    let (x2, y2) = pos[to as usize];
    let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
    let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
    let (sx, sy) = (x1 + ux * r, y1 + uy * r);
    let span = (len - 2.0 * r).max(0.0);
    (sx + ux * span * p, sy + uy * span * p)
}

pub fn cluster_view<P: Face>(pg: &Playground<P>, dispatch: &Callback<Gesture>) -> Html {
    let sim = pg.sim();
    let n = sim.len();
    let r = node_radius(n);
    let now = sim.now();
    let net = sim.network();
    let pos: Vec<(f64, f64)> = (0..n).map(|i| layout(i, n)).collect();
    // The simulator's sample of the oldest messages in flight (at most
    // MAX_DRAWN_MESSAGES): a frame never walks the whole queue.
    let flying: Vec<_> = sim.in_flight_sample().map(Iterator::collect).unwrap_or_default();
    let undrawn = sim.messages_in_flight().saturating_sub(flying.len() as u64);
    let more = (undrawn > 0).then(|| {
        let y = VIEW_HALF - 8.0;
        html! { <text class="more-msgs" x="0" y={y.to_string()} text-anchor="middle">{format!("+{} more messages in flight", crate::sim::limits::grouped(undrawn))}</text> }
    });
    let shapes: Html = flying
        .iter()
        .map(|m| {
            let total = (m.deliver_at - m.sent_at).max(1) as f64;
            let p = ((now.saturating_sub(m.sent_at)) as f64 / total).clamp(0.0, 1.0);
            let (x, y) = edge(&pos, r, m.from, m.to, p);
            let blocked = m.lost || net.blocked(m.from, m.to).is_some();
            let class = if blocked { "msg doomed".to_string() } else { "msg".to_string() };
            // Keyed by message: a frame moves the shapes it drew before,
            // and adds or removes only those that took off or landed.
            let mut shape = P::message_shape(m.msg, x, y, class, !pg.playing);
            if let yew::virtual_dom::VNode::VTag(tag) = &mut shape {
                std::rc::Rc::make_mut(tag).key = Some(format!("{}@{}", m.id, m.deliver_at).into());
            }
            shape
        })
        .collect();
    let menu_items = match pg.menu {
        Some(Menu::Node(i)) if i < n => {
            html! { <>{ group_items(&pg.picked, n, i, dispatch) }{ P::menu_items(pg, dispatch, i) }</> }
        }
        _ => html! {},
    };
    let scene = Scene {
        n,
        net,
        status: (0..n).map(|i| sim.status(i)).collect(),
        clocks: (0..n)
            .map(|i| {
                let c = sim.clock(i);
                (c.offset_us(), c.drift_ppm(), (sim.local_time(i) - now as i64) as f64 / 1000.0)
            })
            .collect(),
        disk: (0..n).map(|i| sim.writing_until(i).map(|t| (t - now) as f64 / 1000.0)).collect(),
        members: pg.cluster_members(),
        looks: (0..n)
            .map(|i| {
                let class = if sim.status(i) == NodeStatus::Up { P::node_class(pg, i) } else { "" };
                (class, P::node_text(pg, i), P::node_marks(pg, i, r), P::node_flags(pg, i), P::node_term(pg, i))
            })
            .collect(),
        messages: html! { <>{ shapes }{ for more }</> },
        backdrop: P::backdrop(pg),
        drops: &pg.drops,
        wall_now: pg.wall_now(),
        selected: pg.selected,
        highlighted: &pg.highlighted,
        picked: &pg.picked,
        drag: pg.drag,
        menu: pg.menu,
        menu_items,
        summary: pg.summary(),
    };
    draw(scene, dispatch)
}

fn draw(mut sc: Scene<'_>, dispatch: &Callback<Gesture>) -> Html {
    let n = sc.n;
    let r = node_radius(n);
    let net = sc.net;
    let pos: Vec<(f64, f64)> = (0..n).map(|i| layout(i, n)).collect();
    let shading = partition_shading(&sc, &pos, r);
    let links = links(&sc, dispatch);
    let drops = drops(&sc, &pos, r);
    let looks = std::mem::take(&mut sc.looks);
    let nodes: Html =
        looks.into_iter().enumerate().map(|(i, look)| node(&sc, i as NodeId, look, pos[i], r, dispatch)).collect();
    // Always present (hidden when idle), so the SVG's children never change
    // shape while a pointer is down on them.
    let (x0, y0, x1, y1) = sc.drag.unwrap_or_default();
    let drag = html! { <rect class={classes!("rubber", sc.drag.is_none().then_some("idle"))} x={x0.min(x1).to_string()} y={y0.min(y1).to_string()}
    width={(x1 - x0).abs().to_string()} height={(y1 - y0).abs().to_string()} /> };

    let on_down = {
        let d = dispatch.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some((x, y)) = view_point(&e) {
                d.emit(Gesture::DragStart(x, y));
            }
        })
    };
    let dragging = sc.drag.is_some();
    let on_move = {
        let d = dispatch.clone();
        Callback::from(move |e: PointerEvent| {
            if dragging {
                if let Some((x, y)) = view_point(&e) {
                    d.emit(Gesture::DragMove(x, y));
                }
            }
        })
    };
    let on_up = {
        let d = dispatch.clone();
        Callback::from(move |_: PointerEvent| d.emit(Gesture::DragEnd))
    };
    let vb = format!("{} {} {} {}", -VIEW_HALF, -VIEW_HALF, 2.0 * VIEW_HALF, 2.0 * VIEW_HALF);
    html! {
        <div class="cluster-wrap">
            <svg class="cluster" data-figure="cluster" viewBox={vb} role="group" aria-label={format!("Cluster of {n} nodes: {}", sc.summary)}
                 onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()} onpointerleave={on_up}>
                <title>{"Drag a rectangle around nodes to partition them from the rest"}</title>
                <g class="groups">{ shading }</g>
                { sc.backdrop }
                <g class="links">{ links }</g>
                <g class="messages">{ sc.messages }</g>
                <g class="drops">{ drops }</g>
                <g class="nodes">{ nodes }</g>
                { drag }
            </svg>
            { menu(sc.menu, n, net, &sc.status, &sc.clocks, sc.menu_items, dispatch) }
        </div>
    }
}

/// Partitions: a soft disc behind each node in its group's colour.
fn partition_shading(sc: &Scene<'_>, pos: &[(f64, f64)], r: f64) -> Html {
    let (n, net) = (sc.n, sc.net);
    let groups = net.groups();
    let partitioned = net.is_partitioned();
    let mut group_ids: Vec<u32> = groups.to_vec();
    group_ids.sort_unstable();
    group_ids.dedup();
    if partitioned {
        (0..n)
            .map(|i| {
                let gi = group_ids.iter().position(|g| *g == groups[i as usize]).unwrap_or(0);
                let (x, y) = pos[i as usize];
                html! { <circle class="pgroup" cx={x.to_string()} cy={y.to_string()} r={(r + 22.0).to_string()} fill={GROUP_FILL[gi % GROUP_FILL.len()]} /> }
            })
            .collect::<Html>()
    } else {
        html! {}
    }
}

/// Links: one line per pair; a cut direction makes it dashed and red.
/// Drawn by [`Links`], which redraws only when a link changes.
fn links(sc: &Scene<'_>, dispatch: &Callback<Gesture>) -> Html {
    let (n, net) = (sc.n, sc.net);
    let groups = net.groups();
    let partitioned = net.is_partitioned();
    let mut looks = Vec::with_capacity((n * n.saturating_sub(1) / 2) as usize);
    for a in 0..n {
        for b in (a + 1)..n {
            let split = partitioned && groups[a as usize] != groups[b as usize];
            let custom = net.link(a, b) != net.default_link() || net.link(b, a) != net.default_link();
            looks.push(LinkLook { ab: net.is_cut(a, b), ba: net.is_cut(b, a), split, custom });
        }
    }
    html! { <Links {n} {looks} dispatch={dispatch.clone()} /> }
}

/// How one pair's link looks.
#[derive(Clone, Copy, PartialEq)]
struct LinkLook {
    ab: bool,
    ba: bool,
    split: bool,
    custom: bool,
}

#[derive(Properties)]
struct LinksProps {
    n: u32,
    /// Pair by pair: (0,1), (0,2), ..., (1,2), ...
    looks: Vec<LinkLook>,
    dispatch: Callback<Gesture>,
}

impl PartialEq for LinksProps {
    /// The dispatcher always sends to the one playground: only the links
    /// matter.
    fn eq(&self, other: &Self) -> bool {
        self.n == other.n && self.looks == other.looks
    }
}

#[function_component]
fn Links(props: &LinksProps) -> Html {
    let n = props.n;
    let pos: Vec<(f64, f64)> = (0..n).map(|i| layout(i, n)).collect();
    let pairs = (0..n).flat_map(|a| ((a + 1)..n).map(move |b| (a, b)));
    pairs
        .zip(&props.looks)
        .map(|((a, b), look)| {
            let LinkLook { ab, ba, split, custom } = *look;
            let (x1, y1) = pos[a as usize];
            let (x2, y2) = pos[b as usize];
            let title = match (ab, ba) {
                (true, true) => format!("n{a}↔n{b}: cut both ways (click to change)"),
                (true, false) => format!("n{a}→n{b} cut; n{b}→n{a} works (click to change)"),
                (false, true) => format!("n{b}→n{a} cut; n{a}→n{b} works (click to change)"),
                _ if split => format!("n{a}↔n{b}: across a partition (click to change)"),
                _ => format!("n{a}↔n{b} (click to cut, heal or set latency and loss)"),
            };
            let class = classes!(
                "link",
                (ab || ba).then_some("cut"),
                (ab != ba).then_some("one-way"),
                split.then_some("split"),
                custom.then_some("custom")
            );
            let open = {
                let d = props.dispatch.clone();
                Callback::from(move |e: MouseEvent| {
                    e.stop_propagation();
                    d.emit(Gesture::OpenMenu(Some(Menu::Link(a, b))));
                })
            };
            let onkeydown = super::menus::enter_opens(&props.dispatch, Menu::Link(a, b));
            let label = title.trim_end_matches(|c| c != '(').trim_end_matches('(').trim().to_string();
            html! {
                <g class={class} data-link={format!("{a}-{b}")} onclick={open} {onkeydown}
                    role="button" tabindex="0" aria-haspopup="dialog" aria-label={format!("Link {label}")}>
                    <line class="hit" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                    <line class="wire" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
                    <title>{title}</title>
                </g>
            }
        })
        .collect()
}

/// Recently dropped messages: a red cross near the receiver, fading.
fn drops(sc: &Scene<'_>, pos: &[(f64, f64)], r: f64) -> Html {
    let n = sc.n;
    sc.drops
        .iter()
        .filter(|(a, b, _)| *a < n && *b < n)
        .map(|&(a, b, at)| {
            let (x, y) = edge(pos, r, a, b, 0.85);
            let fade = (1.0 - (sc.wall_now - at) / DROP_FADE_MS).clamp(0.0, 1.0);
            html! {
                <g class="drop" transform={format!("translate({x:.1},{y:.1})")} opacity={format!("{fade:.2}")}>
                    <path d="M-6,-6 L6,6 M6,-6 L-6,6" />
                </g>
            }
        })
        .collect()
}

/// One node: its body, name and text, the protocol's marks, and badges.
fn node(
    sc: &Scene<'_>,
    i: NodeId,
    look: (&'static str, String, Html, Classes, u64),
    (x, y): (f64, f64),
    r: f64,
    dispatch: &Callback<Gesture>,
) -> Html {
    let status = sc.status[i as usize];
    let spare = sc.members & (1 << i) == 0;
    let (offset_us, drift_ppm, ahead_ms) = sc.clocks[i as usize];
    let skewed = offset_us != 0 || drift_ppm != 0;
    let (role, text, marks, flags, term) = look;
    let class = match status {
        NodeStatus::Crashed => "crashed",
        NodeStatus::Paused => "paused",
        NodeStatus::Up => role,
    };
    let selected = sc.selected == Some(i);
    let highlighted = sc.highlighted.contains(&i);
    let picked = sc.picked.contains(&i);
    let open = {
        let d = dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            d.emit(Gesture::OpenMenu(Some(Menu::Node(i))));
        })
    };
    let stop = Callback::from(|e: PointerEvent| e.stop_propagation());
    let onkeydown = super::menus::enter_opens(dispatch, Menu::Node(i));
    let shown = match status {
        NodeStatus::Crashed => "down".to_string(),
        NodeStatus::Paused => format!("❚❚ {text}"),
        NodeStatus::Up => text.clone(),
    };
    let tag = if spare { Some("spare".to_string()) } else { skewed.then(|| format!("clock {ahead_ms:+.1} ms")) };
    // What it shows first (a screen reader's words match what is seen),
    // then what it is.
    let label = format!(
        "n{i} {shown}{}: {}",
        tag.as_ref().map(|t| format!(" {t}")).unwrap_or_default(),
        match class {
            "precandidate" => "pre-candidate",
            c => c,
        }
    );
    let disk = match sc.disk[i as usize] {
        Some(left) => html! {
            <g class="disk" transform={format!("translate({:.1},{:.1})", r * 0.72, -r * 0.72)}>
                <rect x="-7" y="-8" width="14" height="16" rx="2" />
                <line x1="-4" y1="-4" x2="4" y2="-4" />
                <title>{format!("n{i} is writing to stable storage: {left:.1} ms left; its messages wait for the write")}</title>
            </g>
        },
        None => html! {},
    };
    let below = match tag {
        Some(t) if spare => {
            html! { <text class="clock-tag" y={(r + 16.0).to_string()}>{t}<title>{"not in the configuration: add it from its menu or with Add server"}</title></text> }
        }
        Some(t) => {
            html! { <text class="clock-tag" y={(r + 16.0).to_string()}>{t}<title>{format!("n{i}'s clock reads {ahead_ms:+.3} ms from true time and drifts {drift_ppm:+} ppm")}</title></text> }
        }
        None => html! {},
    };
    html! {
        <g class={classes!("node", class, selected.then_some("selected"), highlighted.then_some("highlighted"), picked.then_some("picked"), flags, spare.then_some("spare"))}
           transform={format!("translate({x:.1},{y:.1})")} data-node={i.to_string()} data-role={class}
           data-term={term.to_string()} data-text={text.clone()} onclick={open} onpointerdown={stop} {onkeydown}
           role="button" tabindex="0" aria-haspopup="dialog">
            // Its name is its title (SVG's own label), which begins with
            // what the node shows, so what is seen and what is read agree.
            <title>{format!("{label} — click for actions")}</title>
            <circle class="halo" r={(r + 13.0).to_string()} />
            { marks }
            <circle class="body" r={r.to_string()} />
            <text class="name" y={(-r * 0.12).to_string()}>{format!("n{i}")}</text>
            <text class="term" y={(r * 0.42).to_string()}>{shown}</text>
            { below }
            { disk }
        </g>
    }
}

pub(super) fn button(dispatch: &Callback<Gesture>, label: &str, tip: &str, action: Gesture, enabled: bool) -> Html {
    let onclick = super::send(dispatch, action);
    html! { <button {onclick} title={tip.to_string()} disabled={!enabled}>{label}</button> }
}

/// The current value of the input or select with this id (empty if none).
pub fn read_input(id: &str) -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| match e.dyn_into::<web_sys::HtmlInputElement>() {
            Ok(i) => Some(i.value()),
            Err(e) => e.dyn_into::<web_sys::HtmlSelectElement>().ok().map(|s| s.value()),
        })
        .unwrap_or_default()
}

/// A view coordinate as a fraction of the view, for `place_menu`.
fn anchor(v: f64) -> String {
    format!("{:.4}", (v + VIEW_HALF) / (2.0 * VIEW_HALF))
}

/// The popover for the open node or link menu.
fn menu(
    menu: Option<Menu>,
    n: u32,
    net: &Network,
    status: &[NodeStatus],
    clocks: &[(i64, i64, f64)],
    items: Html,
    dispatch: &Callback<Gesture>,
) -> Html {
    let close = button(dispatch, "✕", "Close this menu (Esc)", Gesture::OpenMenu(None), true);
    match menu {
        Some(Menu::Node(i)) if i < n => node_menu(i, n, status[i as usize], clocks[i as usize], items, close, dispatch),
        Some(Menu::Link(a, b)) if a < n && b < n => link_menu(a, b, n, net, close, dispatch),
        _ => html! {},
    }
}

/// Where a menu opens, as a first guess (below the point in the upper
/// half, above it in the lower half); `place_menu` then fits it into the
/// visible area.
fn place(x: f64, y: f64) -> String {
    let (ax, ay) = ((x + VIEW_HALF) / (2.0 * VIEW_HALF), (y + VIEW_HALF) / (2.0 * VIEW_HALF));
    format!(
        "left:{:.1}%;top:{:.1}%;transform:translate(-50%,{})",
        ax * 100.0,
        ay * 100.0,
        if y > 0.0 { "calc(-100% - 14px)" } else { "14px" }
    )
}

/// The keyboard's way to partition a group: pick nodes from their menus,
/// then cut the picked ones off from the rest (a drag does it at once).
fn group_items(picked: &[NodeId], n: u32, i: NodeId, dispatch: &Callback<Gesture>) -> Html {
    let (label, tip) = if picked.contains(&i) {
        ("Unpick", "Take this node out of the group to partition off")
    } else {
        ("Pick for a partition", "Add this node to a group, then Partition the group off from its last node's menu")
    };
    let names: Vec<String> = picked.iter().map(|p| format!("n{p}")).collect();
    let cut = (!picked.is_empty() && picked.len() < n as usize).then(|| {
        button(
            dispatch,
            &format!("Partition {} off", names.join(", ")),
            "Cut the picked nodes off from the others (a partition in two)",
            Gesture::PartitionOff(picked.to_vec()),
            true,
        )
    });
    // The focus goes back to the node, so that Tab goes on to the next.
    let pick = {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Gesture::Pick(i));
            let node = gloo::utils::document().query_selector(&format!(".node[data-node=\"{i}\"]")).ok().flatten();
            if let Some(el) = node.and_then(|n| n.dyn_into::<web_sys::SvgElement>().ok()) {
                let _ = el.focus();
            }
        })
    };
    html! { <><button onclick={pick} title={tip}>{label}</button>{ for cut }</> }
}

/// A node's menu: its lifecycle, the protocol's own commands, its clock.
fn node_menu(
    i: NodeId,
    n: u32,
    status: NodeStatus,
    (offset_us, drift_ppm, _): (i64, i64, f64),
    items: Html,
    close: Html,
    dispatch: &Callback<Gesture>,
) -> Html {
    let (x, y) = layout(i, n);
    let up = status == NodeStatus::Up;
    let skew_id = format!("menu-skew-{i}");
    let drift_id = format!("menu-drift-{i}");
    let apply_skew = {
        let d = dispatch.clone();
        let (sid, did) = (skew_id.clone(), drift_id.clone());
        Callback::from(move |_| {
            let (o, dr) = (read_input(&sid), read_input(&did));
            match (o.trim().parse::<f64>(), dr.trim().parse::<i64>()) {
                (Ok(offset_ms), Ok(drift_ppm)) if offset_ms.abs() <= 3.6e6 && drift_ppm.abs() <= 500_000 => {
                    d.emit(Gesture::Do(Do::Skew { node: i, offset_ms, drift_ppm }))
                }
                _ => d.emit(Gesture::ShowError(format!(
                    "Clock skew needs an offset in ms (within an hour) and a drift in ppm (within ±500000); got '{o}' and '{dr}'."
                ))),
            }
        })
    };
    html! {
        <div class="menu" style={place(x, y)} data-ax={anchor(x)} data-ay={anchor(y)} role="dialog" aria-label={format!("Actions for n{i}")}>
            <div class="menu-head"><strong>{format!("n{i}")}</strong>{close}</div>
            { button(dispatch, "Crash", "Stop the node: it loses its volatile state and keeps what it persisted (Raft: term, vote and log; the store: its data and hints)", Gesture::Do(Do::Crash { node: Target::Node(i) }), status != NodeStatus::Crashed) }
            { button(dispatch, "Restart", "Start the crashed node from its persistent state", Gesture::Do(Do::Restart { node: i }), status == NodeStatus::Crashed) }
            { button(dispatch, "Pause", "Freeze the node: it keeps its state; timers and messages wait", Gesture::Do(Do::Pause { node: Target::Node(i) }), up) }
            { button(dispatch, "Resume", "Unfreeze the node: what waited runs now", Gesture::Do(Do::Resume { node: i }), status == NodeStatus::Paused) }
            { button(dispatch, "Isolate", "Partition this node from all the others (the keyboard's way to partition; drag a rectangle for a group)", Gesture::Do(Do::Isolate { node: Target::Node(i) }), true) }
            { items }
            <fieldset class="skew">
                <legend>{"Clock"}</legend>
                <label title="Offset of this node's clock from true time, in ms">{"offset ms "}<Field key={skew_id.clone()} id={skew_id.clone()} step="1" value={(offset_us as f64 / 1000.0).to_string()} /></label>
                <label title="How fast this node's clock runs, in parts per million (100000 = 10% fast)">{"drift ppm "}<Field key={drift_id.clone()} id={drift_id.clone()} step="1000" value={drift_ppm.to_string()} /></label>
                <button onclick={apply_skew} title="Set this node's clock offset and drift">{"Set clock"}</button>
            </fieldset>
        </div>
    }
}

/// A link's menu: cut and heal each direction, latency and loss.
fn link_menu(a: NodeId, b: NodeId, n: u32, net: &Network, close: Html, dispatch: &Callback<Gesture>) -> Html {
    let (x1, y1) = layout(a, n);
    let (x2, y2) = layout(b, n);
    let cfg = *net.link(a, b);
    let (lo, hi) = cfg.latency.bounds_us();
    let ids = (format!("menu-lat-{a}-{b}"), format!("menu-loss-{a}-{b}"));
    let apply = {
        let d = dispatch.clone();
        let ids = ids.clone();
        Callback::from(move |_| {
            let (lat, loss) = (read_input(&ids.0), read_input(&ids.1));
            let parsed = lat
                .split_once('-')
                .map(|(x, y)| (x.trim().parse::<f64>(), y.trim().parse::<f64>()))
                .or_else(|| Some((lat.trim().parse::<f64>(), lat.trim().parse::<f64>())));
            let link = match (parsed, loss.trim().parse::<f64>()) {
                (Some((Ok(lo), Ok(hi))), Ok(p)) => LinkSpec { latency_ms: [lo, hi], loss: p, ..LinkSpec::default() },
                _ => {
                    d.emit(Gesture::ShowError(format!("Link settings need latency as 'min-max' ms and loss between 0 and 1; got '{lat}' and '{loss}'.")));
                    return;
                }
            };
            if let Err(e) = link.to_config() {
                d.emit(Gesture::ShowError(format!("Link settings not applied: {e}.")));
                return;
            }
            d.emit(Gesture::Do(Do::SetLink { from: a, to: b, link: link.clone() }));
            d.emit(Gesture::Do(Do::SetLink { from: b, to: a, link }));
        })
    };
    html! {
        <div class="menu" style={place((x1 + x2) / 2.0, (y1 + y2) / 2.0)} data-ax={anchor((x1 + x2) / 2.0)} data-ay={anchor((y1 + y2) / 2.0)} role="dialog" aria-label={format!("Link n{a}–n{b}")}>
            <div class="menu-head"><strong>{format!("n{a} ↔ n{b}")}</strong>{close}</div>
            { button(dispatch, &format!("Cut n{a}→n{b}"), "Drop every message from the first node to the second", Gesture::Do(Do::Cut { from: a, to: b, both: false }), !net.is_cut(a, b)) }
            { button(dispatch, &format!("Cut n{b}→n{a}"), "Drop every message from the second node to the first", Gesture::Do(Do::Cut { from: b, to: a, both: false }), !net.is_cut(b, a)) }
            { button(dispatch, "Cut both", "Drop messages both ways", Gesture::Do(Do::Cut { from: a, to: b, both: true }), !(net.is_cut(a, b) && net.is_cut(b, a))) }
            { button(dispatch, "Heal", "Restore both directions of this link", Gesture::Do(Do::Heal { a, b }), net.is_cut(a, b) || net.is_cut(b, a)) }
            <fieldset class="linkcfg">
                <legend>{"Both directions"}</legend>
                <label title="One-way latency range in ms, e.g. 10-20">{"latency ms "}<Field key={ids.0.clone()} id={ids.0.clone()} kind="text" value={format!("{}-{}", lo as f64 / 1000.0, hi as f64 / 1000.0)} /></label>
                <label title="Probability that a message is lost, 0 to 1">{"loss "}<Field key={ids.1.clone()} id={ids.1.clone()} min="0" max="1" step="0.05" value={cfg.loss.to_string()} /></label>
                <button onclick={apply} title="Apply latency and loss to both directions">{"Apply"}</button>
            </fieldset>
        </div>
    }
}
