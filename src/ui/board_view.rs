//! The board view: any protocol with a board and a face, on the same
//! cluster view, scrubber, log, diagram and banners as Raft's, with a
//! settings form made from its spec's knobs, a generic inspector, its
//! checked properties and its figures. Which protocols it draws comes from
//! the registry's board lines ([`each_board`]).

use super::face::Face;
use super::field::Field;
use super::raft_view::{about, error_banner, share_panel};
use super::toolbar::{playback_group, scenario_group, seed_fields};
use super::{cluster, panels, Choose};
use crate::protocols::registry::{each_board, ProtocolKind, View};
use crate::scenario::Scenario;
use crate::sim::NodeStatus;
use crate::viewmodel::boards::{AnyBoard, Boards};
use crate::viewmodel::playground::{knob_text, set_knob, Board, Gesture, Knob, KnobKind, Playground};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct BoardBar {
    pub kind: ProtocolKind,
    pub playing: bool,
    pub speed: f64,
    pub open: bool,
    pub draft: Rc<Scenario>,
    pub pending: bool,
    pub knobs: &'static [Knob],
    pub max_nodes: u32,
}

#[derive(Properties, PartialEq)]
pub struct BoardBarProps {
    pub view: BoardBar,
    pub dispatch: Callback<Gesture>,
    pub on_protocol: Callback<Choose>,
}

/// Sets a knob in the draft, or says why it cannot be (the draft is kept).
fn knob_change(knob: Knob, dispatch: &Callback<Gesture>, draft: &Rc<Scenario>) -> Callback<String> {
    let (d, draft) = (dispatch.clone(), draft.clone());
    Callback::from(move |text: String| match set_knob(&draft, &knob, &text) {
        Ok(s) => d.emit(Gesture::EditDraft(Box::new(s))),
        Err(e) => d.emit(Gesture::ShowError(e)),
    })
}

/// One field of the settings form.
fn knob_field(knob: &Knob, dispatch: &Callback<Gesture>, draft: &Rc<Scenario>) -> Html {
    let id = format!("knob-{}", knob.key);
    let value = knob_text(draft, knob.key);
    let change = knob_change(*knob, dispatch, draft);
    let input = match knob.kind {
        KnobKind::Choice(words) => {
            let onchange = Callback::from(move |e: Event| {
                if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                    change.emit(sel.value());
                }
            });
            html! {
                <select id={id} aria-label={knob.label} {onchange}>
                    { for words.iter().map(|w| html! { <option value={*w} selected={*w == value}>{ if w.is_empty() { "none" } else { w } }</option> }) }
                </select>
            }
        }
        KnobKind::Nodes => {
            html! { <Field id={id} kind="text" class="wide" value={value} label={knob.label} onchange={change} /> }
        }
        KnobKind::Optional => {
            html! { <Field id={id} class="tiny" min="1" value={value} placeholder="–" label={knob.label} onchange={change} /> }
        }
        KnobKind::Number => {
            html! { <Field id={id} class="short" min="0" value={value} label={knob.label} onchange={change} /> }
        }
    };
    html! { <label class="field" title={knob.tip}><span>{knob.label}</span>{input}</label> }
}

#[function_component]
pub fn BoardToolbar(props: &BoardBarProps) -> Html {
    let (v, dispatch, on_protocol) = (&props.view, &props.dispatch, &props.on_protocol);
    let renders = super::raft_view::use_render_count();
    let send = |a: Gesture| super::send(dispatch, a);
    let draft = &v.draft;
    let d = dispatch.clone();
    let (dr, max) = (draft.clone(), v.max_nodes);
    let on_nodes = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            let mut s = (*dr).clone();
            s.nodes = sel.value().parse().unwrap_or(s.nodes).min(max);
            d.emit(Gesture::EditDraft(Box::new(s)));
        }
    });
    html! {
        <header class={classes!("toolbar", v.open.then_some("open"))} data-renders={renders}>
            <div class="brand" title="splitbrain: break a cluster, watch it heal">{"splitbrain"}</div>
            { super::toolbar::protocol_select_kind(View::Board, Some(v.kind), on_protocol) }
            <button id="toolbar-more" class="more" onclick={send(Gesture::ToggleToolbar)} aria-expanded={v.open.to_string()}
                title="Show or hide presets, sharing, speed and the protocol's settings">{ if v.open { "▴ Less" } else { "☰ More" } }</button>
            { scenario_group(dispatch, View::Board) }
            { playback_group(v.playing, v.speed, dispatch) }
            <div class="group" role="group" aria-label="Faults">
                <button id="heal-all" onclick={send(Gesture::Do(crate::scenario::Action::HealAll))} title="Remove every cut link and partition (h)">{"✚ Heal all"}</button>
            </div>
            <div class="group settings secondary" role="group" aria-label={format!("{} settings (applied on reset)", v.kind.label())}>
                { seed_fields(dispatch, draft) }
                <label class="field" title="How many nodes (applied on reset)">
                    <span>{"Nodes"}</span>
                    <select id="nodes" aria-label="Nodes" onchange={on_nodes}>
                        { for (1..=v.max_nodes).map(|n| html! { <option value={n.to_string()} selected={n == draft.nodes}>{n}</option> }) }
                    </select>
                </label>
                { for v.knobs.iter().map(|k| knob_field(k, dispatch, draft)) }
                <button id="reset" class={classes!(v.pending.then_some("pending"))} onclick={send(Gesture::Reset)}
                    title={if v.pending { "Apply the changed settings and restart (r)" } else { "Restart with these settings (r)" }}>{"↺ Reset"}</button>
            </div>
            <button id="help-button" class="help-button" onclick={send(Gesture::ToggleHelp)} title="Keyboard shortcuts and how to use the playground (?)" aria-label="Help">{"?"}</button>
        </header>
    }
}

/// The selected node: its status, clock and what the protocol shows of it.
fn inspector<P: Board>(pg: &Playground<P>, dispatch: &Callback<Gesture>) -> Html {
    let sim = pg.sim();
    let Some(n) = pg.selected.filter(|n| *n < sim.len()) else {
        return panels::empty_inspector();
    };
    let status = match sim.status(n) {
        NodeStatus::Up => "up",
        NodeStatus::Paused => "paused",
        NodeStatus::Crashed => "crashed (what it keeps on disk survives)",
    };
    let clock = format!(
        "{:+.3} ms from true time, drift {:+} ppm",
        (sim.local_time(n) - sim.now() as i64) as f64 / 1000.0,
        sim.clock(n).drift_ppm()
    );
    let rows: Html = P::inspect(sim, n)
        .into_iter()
        .map(|(what, value)| html! { <><dt>{what}</dt><dd data-what={what}>{value}</dd></> })
        .collect();
    html! {
        <section class="panel inspector" aria-label="Inspector">
            <h2>{format!("n{n}")}<button class="close" onclick={super::send(dispatch, Gesture::Select(None))} title="Close the inspector">{"✕"}</button></h2>
            <dl>
                <dt>{"status"}</dt><dd id="inspect-status">{status}</dd>
                <dt title="This node's clock next to true time">{"clock"}</dt><dd id="inspect-clock">{clock}</dd>
                {rows}
            </dl>
        </section>
    }
}

/// The protocol's checked properties: green while each holds.
fn invariants<P: Board>(pg: &Playground<P>) -> Html {
    let rows: Html = P::PROPERTIES
        .iter()
        .map(|(name, reference, statement)| {
            let failed = pg.failed_named(name).map(|v| v.detail.as_str());
            panels::property_row(name, reference, statement, failed, None)
        })
        .collect();
    panels::safety_panel(rows)
}

/// The run's figures so far, as `splitbrain run` prints them.
fn figures(run: &dyn crate::viewmodel::boards::Run) -> Html {
    let [sent, delivered, dropped] = run.messages();
    let rows: Html =
        run.describe().into_iter().map(|(what, value)| html! { <><dt>{what}</dt><dd>{value}</dd></> }).collect();
    html! {
        <section class="panel store-metrics" aria-label="Figures">
            <h2 title="The run so far, as splitbrain run reports it">{"Figures"}</h2>
            <dl id="board-figures" class="figures">
                <dt>{"messages"}</dt><dd>{format!("{sent} sent · {delivered} delivered · {dropped} dropped")}</dd>
                {rows}
            </dl>
        </section>
    }
}

/// One protocol's page.
fn board_page<P: Face>(
    pg: &Playground<P>,
    d: &Callback<Gesture>,
    on_protocol: &Callback<Choose>,
    seek_ms: f64,
    renders: String,
) -> Html {
    let bar = BoardBar {
        kind: P::KIND,
        playing: pg.playing,
        speed: pg.speed,
        open: pg.toolbar_open,
        draft: pg.draft.clone(),
        pending: *pg.draft != *pg.base(),
        knobs: P::KNOBS,
        max_nodes: P::MAX_VIEW_NODES,
    };
    html! {
        <div class="app board-app" data-protocol={P::KIND.name()}>
            <BoardToolbar view={bar} dispatch={d.clone()} on_protocol={on_protocol.clone()} />
            { error_banner(pg.error.as_ref(), d) }
            { panels::violation(pg) }
            { share_panel(pg, d) }
            <main class="layout">
                <section class="stage" data-renders={renders}>
                    { cluster::cluster_view(pg, d) }
                    { panels::scrubber(pg, d, seek_ms) }
                    { panels::status_bar(pg) }
                </section>
                { super::diagram::of_playground(pg, d) }
                <aside class="side">
                    { panels::alerts_panel(&pg.scenario().alerts, pg.alerts(), &d.reform(Gesture::Seek)) }
                    { about(pg) }
                    { inspector(pg, d) }
                    { super::timeline::of_playground(pg, d) }
                    { invariants(pg) }
                </aside>
                <section class="log-panel">
                    { figures(pg as &dyn crate::viewmodel::boards::Run) }
                    { panels::event_log(pg, d) }
                </section>
            </main>
            { if pg.help_open { panels::help(View::Board, super::send(d, Gesture::ToggleHelp)) } else { html! {} } }
        </div>
    }
}

macro_rules! by_board {
    ($($kind:ident: $node:ty,)*) => {
        /// The page of the protocol showing.
        pub fn page(b: &Boards, d: &Callback<Gesture>, on_protocol: &Callback<Choose>, seek_ms: f64, renders: String) -> Html {
            match b.shown() {
                $( AnyBoard::$kind(p) => board_page(p, d, on_protocol, seek_ms, renders), )*
            }
        }

        /// Paints the open space-time diagram of the protocol showing.
        pub fn paint_diagram(b: &Boards) {
            match b.shown() {
                $( AnyBoard::$kind(p) => super::diagram::paint(&super::diagram::scene_of(&**p)), )*
            }
        }

        /// A run's cluster, for compare mode.
        pub fn cluster_of(b: &AnyBoard, d: &Callback<Gesture>) -> Html {
            match b {
                $( AnyBoard::$kind(p) => cluster::cluster_view(&**p, d), )*
            }
        }
    };
}

each_board!(by_board);
