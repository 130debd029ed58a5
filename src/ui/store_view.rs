//! The store's page: the same cluster view, scrubber, log and banners as
//! Raft's, with the store's toolbar and panels ([`super::store_panels`]).

use super::field::Field;
use super::raft_view::{about, error_banner, share_panel};
use super::toolbar::{edit, playback_group, protocol_select, scenario_group, seed_fields};
use super::Choose;
use super::{cluster, panels, store_panels};
use crate::protocols::registry::View;
use crate::scenario::{ProtocolSpec, Scenario};
use crate::viewmodel::playground::{Gesture, Playground};
use crate::viewmodel::seen::store::{QuorumKind, StoreSpec, WorkloadSpec};
use crate::viewmodel::seen::store::{Resolution, StoreNode};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The draft's store parameters (a draft of another protocol starts from
/// the defaults).
fn store(s: &mut Scenario) -> &mut StoreSpec {
    if !matches!(s.protocol, ProtocolSpec::Store(_)) {
        s.protocol = ProtocolSpec::Store(StoreSpec::default());
    }
    match &mut s.protocol {
        ProtocolSpec::Store(p) => p,
        _ => unreachable!("set just above"),
    }
}

fn workload(s: &mut Scenario) -> &mut WorkloadSpec {
    store(s).workload.get_or_insert_with(WorkloadSpec::default)
}

fn spec(s: &Scenario) -> StoreSpec {
    match &s.protocol {
        ProtocolSpec::Store(p) => p.clone(),
        _ => StoreSpec::default(),
    }
}

#[derive(Clone, PartialEq)]
pub struct StoreBar {
    pub playing: bool,
    pub speed: f64,
    pub open: bool,
    pub draft: Rc<Scenario>,
    pub pending: bool,
}

#[derive(Properties, PartialEq)]
pub struct StoreBarProps {
    pub view: StoreBar,
    pub dispatch: Callback<Gesture>,
    pub on_protocol: Callback<Choose>,
}

/// A select that edits the draft.
fn choose(
    (id, label, tip): (&'static str, &'static str, &'static str),
    options: &[(&'static str, &'static str)],
    current: &str,
    dispatch: &Callback<Gesture>,
    draft: &Rc<Scenario>,
    set: fn(&mut Scenario, &str),
) -> Html {
    let (d, draft) = (dispatch.clone(), draft.clone());
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            let mut s = (*draft).clone();
            set(&mut s, &sel.value());
            d.emit(Gesture::EditDraft(Box::new(s)));
        }
    });
    html! {
        <label class="field" title={tip}>
            <span>{label}</span>
            <select {id} aria-label={label} {onchange}>
                { for options.iter().map(|(v, text)| html!{ <option value={*v} selected={*v == current}>{*text}</option> }) }
            </select>
        </label>
    }
}

fn number(
    (id, label, tip): (&'static str, &'static str, &'static str),
    value: String,
    dispatch: &Callback<Gesture>,
    draft: &Rc<Scenario>,
    set: fn(&mut Scenario, &str),
) -> Html {
    html! {
        <label class="field" title={tip}>
            <span>{label}</span>
            // Counts of clients and keys run to thousands; N, R, W to a digit.
            <Field id={id} class={if value.len() > 2 || matches!(id, "clients" | "keys") { "short" } else { "tiny" }} min="0" value={value} label={label} onchange={edit(dispatch, draft, set)} />
        </label>
    }
}

/// The conflict rules the toolbar offers: rule, id, name.
const RESOLUTIONS: [(Resolution, &str, &str); 4] = [
    (Resolution::Siblings, "siblings", "siblings"),
    (Resolution::Lww, "lww", "last writer wins"),
    (Resolution::PnCounter, "pn_counter", "CRDT counter"),
    (Resolution::OrSet, "or_set", "CRDT set"),
];

#[function_component]
pub fn StoreToolbar(props: &StoreBarProps) -> Html {
    let (v, dispatch, on_protocol) = (&props.view, &props.dispatch, &props.on_protocol);
    let renders = super::raft_view::use_render_count();
    let send = |a: Gesture| super::send(dispatch, a);
    let draft = &v.draft;
    let p = spec(draft);
    let w = p.workload.clone().unwrap_or_default();
    let nodes: Vec<(&'static str, &'static str)> = NODE_CHOICES.iter().map(|n| (*n, *n)).collect();
    html! {
        <header class={classes!("toolbar", v.open.then_some("open"))} data-renders={renders}>
            <div class="brand" title="splitbrain: break a cluster, watch it heal">{"splitbrain"}</div>
            { protocol_select(View::Store, on_protocol) }
            <button id="toolbar-more" class="more" onclick={send(Gesture::ToggleToolbar)} aria-expanded={v.open.to_string()}
                title="Show or hide presets, sharing, speed and the store's settings">{ if v.open { "▴ Less" } else { "☰ More" } }</button>
            { scenario_group(dispatch, View::Store) }
            { playback_group(v.playing, v.speed, dispatch) }
            <div class="group" role="group" aria-label="Faults">
                <button id="heal-all" onclick={send(Gesture::Do(crate::scenario::Action::HealAll))} title="Remove every cut link and partition (h)">{"✚ Heal all"}</button>
            </div>
            <div class="group settings secondary" role="group" aria-label="Store settings (applied on reset)">
                { seed_fields(dispatch, draft) }
                { choose(("nodes", "Nodes", "How many store nodes (applied on reset)"), &nodes, &draft.nodes.to_string(), dispatch, draft,
                    |s, v| s.nodes = v.parse().unwrap_or(s.nodes)) }
                { number(("store-n", "N", "Replicas per key"), p.n.to_string(), dispatch, draft, |s, t| store(s).n = t.parse().unwrap_or(0)) }
                { number(("store-r", "R", "Replies a read waits for"), p.r.to_string(), dispatch, draft, |s, t| store(s).r = t.parse().unwrap_or(0)) }
                { number(("store-w", "W", "Acknowledgements a write waits for"), p.w.to_string(), dispatch, draft, |s, t| store(s).w = t.parse().unwrap_or(0)) }
                { choose(("quorum", "Quorum", "Strict: only the N home replicas count. Sloppy: the first N reachable nodes count, with hints for the home nodes"), &[("strict", "strict"), ("sloppy", "sloppy")],
                    if p.quorum == QuorumKind::Sloppy { "sloppy" } else { "strict" }, dispatch, draft,
                    |s, v| store(s).quorum = if v == "sloppy" { QuorumKind::Sloppy } else { QuorumKind::Strict }) }
                { choose(("resolution", "Conflicts", "Siblings: keep concurrent writes for the client to merge. Last writer wins: keep the one with the latest timestamp, on the writer's own clock. Counter and set: each key is a CRDT that the store merges by itself"),
                    &RESOLUTIONS.map(|(_, id, text)| (id, text)),
                    RESOLUTIONS.iter().find(|(r, ..)| *r == p.resolution).map_or("siblings", |(_, id, _)| id), dispatch, draft,
                    |s, v| store(s).resolution = RESOLUTIONS.iter().find(|(_, id, _)| *id == v).map_or(Resolution::Siblings, |(r, ..)| *r)) }
                { number(("clients", "Clients", "Clients, each attached to one node"), w.clients.to_string(), dispatch, draft, |s, t| workload(s).clients = t.parse().unwrap_or(0)) }
                { number(("keys", "Keys", "Keys the clients use"), w.keys.to_string(), dispatch, draft, |s, t| workload(s).keys = t.parse().unwrap_or(0)) }
                <button id="reset" class={classes!(v.pending.then_some("pending"))} onclick={send(Gesture::Reset)}
                    title={if v.pending { "Apply the changed settings and restart (r)" } else { "Restart with these settings (r)" }}>{"↺ Reset"}</button>
            </div>
            <button id="help-button" class="help-button" onclick={send(Gesture::ToggleHelp)} title="Keyboard shortcuts and how to use the playground (?)" aria-label="Help">{"?"}</button>
        </header>
    }
}

const NODE_CHOICES: [&str; 18] =
    ["3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20"];

/// The whole store page, drawn on every frame (the toolbar only when what
/// it shows changes).
pub fn store_page(
    pg: &Rc<RefCell<Playground<StoreNode>>>,
    dispatch: &Callback<Gesture>,
    on_protocol: &Callback<Choose>,
    seek_ms: f64,
    renders: String,
) -> Html {
    let pg = pg.borrow();
    let d = dispatch;
    let bar = StoreBar {
        playing: pg.playing,
        speed: pg.speed,
        open: pg.toolbar_open,
        draft: pg.draft.clone(),
        pending: *pg.draft != *pg.base(),
    };
    html! {
        <div class="app store-app">
            <StoreToolbar view={bar} dispatch={d.clone()} on_protocol={on_protocol.clone()} />
            { error_banner(pg.error.as_ref(), d) }
            { panels::violation(&pg) }
            { share_panel(&pg, d) }
            <main class="layout">
                <section class="stage" data-renders={renders}>
                    { cluster::cluster_view(&pg, d) }
                    { panels::scrubber(&pg, d, seek_ms) }
                    { panels::status_bar(&pg) }
                </section>
                { super::diagram::of_playground(&pg, d) }
                <aside class="side">
                    { panels::alerts_panel(&pg.scenario().alerts, pg.alerts(), &d.reform(Gesture::Seek)) }
                    { about(&pg) }
                    { store_panels::inspector(&pg, d) }
                    { super::timeline::of_playground(&pg, d) }
                    { store_panels::replicas(&pg) }
                    { store_panels::invariants(&pg) }
                </aside>
                <section class="log-panel">
                    { store_panels::operations(&pg) }
                    { store_panels::metrics(&pg) }
                    { panels::event_log(&pg, d) }
                </section>
            </main>
            { if pg.help_open { panels::help(View::Store, super::send(d, Gesture::ToggleHelp)) } else { html! {} } }
        </div>
    }
}
