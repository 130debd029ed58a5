//! The toolbar: protocol, play/step/speed, seed and reset, cluster settings.

use super::field::Field;
use super::Choose;
use crate::protocols::registry::{ProtocolKind, View};
use crate::scenario::{ProtocolSpec, Scenario};
use crate::viewmodel::playground::{settings, Gesture, Playground, MAX_SPEED, MIN_SPEED};
use crate::viewmodel::seen::raft::MAX_NODES;
use crate::viewmodel::seen::raft::{Raft, RaftParams};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

pub(super) fn target_input(e: &Event) -> Option<web_sys::HtmlInputElement> {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
}

/// A change to the draft from a field's committed text.
pub(super) fn edit(
    dispatch: &Callback<Gesture>,
    draft: &Rc<Scenario>,
    f: impl Fn(&mut Scenario, &str) + 'static,
) -> Callback<String> {
    let d = dispatch.clone();
    let draft = draft.clone();
    Callback::from(move |text: String| {
        let mut s = (*draft).clone();
        f(&mut s, text.trim());
        d.emit(Gesture::EditDraft(Box::new(s)));
    })
}

/// A change to the draft from a checkbox.
pub(super) fn check(
    dispatch: &Callback<Gesture>,
    draft: &Rc<Scenario>,
    f: impl Fn(&mut Scenario, bool) + 'static,
) -> Callback<Event> {
    let d = dispatch.clone();
    let draft = draft.clone();
    Callback::from(move |e: Event| {
        if let Some(input) = target_input(&e) {
            let mut s = (*draft).clone();
            f(&mut s, input.checked());
            d.emit(Gesture::EditDraft(Box::new(s)));
        }
    })
}

pub(super) fn num(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// An optional positive number: empty means off.
pub(super) fn optional<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.parse().ok()
}

/// The draft's Raft parameters, for reading.
fn params(draft: &Scenario) -> RaftParams {
    match &draft.protocol {
        ProtocolSpec::Raft(r) => r.clone(),
        _ => RaftParams::default(),
    }
}

/// What the toolbar shows: it redraws only when one of these changes, not
/// on every frame.
#[derive(Clone, PartialEq)]
pub struct ToolbarView {
    pub playing: bool,
    pub speed: f64,
    pub open: bool,
    /// The settings form's scenario, and whether it differs from the run's.
    pub draft: Rc<Scenario>,
    pub pending: bool,
    /// The lowest-numbered server outside the configuration.
    pub spare: Option<crate::sim::NodeId>,
}

impl ToolbarView {
    pub fn of(pg: &Playground<Raft>) -> Self {
        ToolbarView {
            playing: pg.playing,
            speed: pg.speed,
            open: pg.toolbar_open,
            draft: pg.draft.clone(),
            pending: *pg.draft != *pg.base(),
            spare: pg.spare(),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub view: ToolbarView,
    pub dispatch: Callback<Gesture>,
    pub on_protocol: Callback<Choose>,
}

/// The leader-pattern settings, in a drop-down (applied on reset).
fn patterns(draft: &Rc<Scenario>, dispatch: &Callback<Gesture>) -> Html {
    use crate::viewmodel::seen::raft::WitnessLog;
    use settings::raft;
    let p = &params(draft);
    let show = |x: Option<String>| x.unwrap_or_default();
    let on = settings::patterns_on(draft);
    let on_log = {
        let d = dispatch.clone();
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                let mut s = (*draft).clone();
                raft(&mut s).witness_log = if sel.value() == "full" { WitnessLog::Full } else { WitnessLog::Metadata };
                d.emit(Gesture::EditDraft(Box::new(s)));
            }
        })
    };
    html! {
        <details class="patterns" id="patterns">
            <summary title="Leases, witnesses, rotation, snapshots and spare servers (applied on reset)">{ if on > 0 { format!("Patterns ({on})") } else { "Patterns".to_string() } }</summary>
            <div class="patterns-card">
                <label class="field" title="Leader leases (§6.4.1) sized for this clock-drift bound in ppm; empty turns leases off">
                    <span>{"Lease drift bound ppm"}</span>
                    <Field id="lease-ppm" class="short" min="0" max="199999" placeholder="off" value={show(p.lease_drift_bound_ppm.map(|x| x.to_string()))}
                        onchange={edit(dispatch, draft, |s, t| raft(s).lease_drift_bound_ppm = optional(t))} />
                </label>
                <label class="field" title="Servers that vote and acknowledge but never lead or apply, e.g. 2 or 3,4">
                    <span>{"Witnesses"}</span>
                    <Field id="witnesses" class="short" kind="text" placeholder="none" value={p.witnesses.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",")}
                        onchange={edit(dispatch, draft, |s, t| {
                            raft(s).witnesses = t.split(',').filter_map(|x| x.trim().trim_start_matches('n').parse().ok()).collect()
                        })} />
                </label>
                <label class="field" title="What a witness keeps: terms and indices only, or every entry in full">
                    <span>{"Witness log"}</span>
                    <select id="witness-log" onchange={on_log} aria-label="Witness log">
                        <option value="metadata" selected={p.witness_log == WitnessLog::Metadata}>{"metadata"}</option>
                        <option value="full" selected={p.witness_log == WitnessLog::Full}>{"full"}</option>
                    </select>
                </label>
                <label class="field" title="The leader hands leadership to the next server this often (ms); empty is off">
                    <span>{"Rotate every ms"}</span>
                    <Field id="rotate-ms" class="short" min="1" placeholder="off" value={show(p.rotate_every_ms.map(|x| x.to_string()))}
                        onchange={edit(dispatch, draft, |s, t| raft(s).rotate_every_ms = optional(t))} />
                </label>
                <label class="field" title="The leader hands leadership on after this many commits; empty is off">
                    <span>{"Rotate every commits"}</span>
                    <Field id="rotate-commits" class="short" min="1" placeholder="off" value={show(p.rotate_every_commits.map(|x| x.to_string()))}
                        onchange={edit(dispatch, draft, |s, t| raft(s).rotate_every_commits = optional(t))} />
                </label>
                <label class="field" title="Compact the log into a snapshot after this many applied entries; empty is off">
                    <span>{"Snapshot every"}</span>
                    <Field id="snapshot-every" class="short" min="1" placeholder="off" value={show(p.snapshot_every.map(|x| x.to_string()))}
                        onchange={edit(dispatch, draft, |s, t| raft(s).snapshot_every = optional(t))} />
                </label>
                <label class="field" title="How many of the highest-numbered servers start outside the configuration, for + Server to add">
                    <span>{"Spare servers"}</span>
                    <Field id="spares" class="short" min="0" value={settings::spares(draft).to_string()}
                        onchange={edit(dispatch, draft, |s, t| settings::set_spares(s, optional(t).unwrap_or(0)))} />
                </label>
                <p class="hint">{"Applied on Reset. See the presets for each pattern at work."}</p>
            </div>
        </details>
    }
}

pub fn format_speed(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.0}×")
    } else {
        format!("{s:.2}×")
    }
}

/// The protocol selector, one entry per view in the registry, and the
/// Experiments button beside it.
pub fn protocol_select(active: View, on_change: &Callback<Choose>) -> Html {
    protocol_select_kind(active, None, on_change)
}

/// The protocol selector: a view each, except the board view, whose
/// protocols are listed by name (`kind`: the one showing there).
pub fn protocol_select_kind(active: View, kind: Option<ProtocolKind>, on_change: &Callback<Choose>) -> Html {
    let cb = on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            let value = sel.value();
            match (View::from_key(&value), ProtocolKind::from_name(&value)) {
                (Some(v), _) if v != View::Board => cb.emit(Choose::View(v)),
                (_, Some(k)) => cb.emit(Choose::Protocol(k)),
                _ => {}
            }
        }
    });
    let options: Html = View::ALL
        .into_iter()
        .map(|v| match v {
            View::Board => v
                .protocols()
                .map(|k| html! { <option value={k.name()} selected={active == v && kind == Some(k)}>{k.label()}</option> })
                .collect(),
            _ => html! { <option value={v.key()} selected={v == active}>{v.label()}</option> },
        })
        .collect();
    let title = format!(
        "The protocol: {}",
        View::ALL.into_iter().map(|v| format!("{} ({})", v.label(), v.summary())).collect::<Vec<_>>().join(", ")
    );
    let lab = super::send(on_change, Choose::Experiments);
    let hunt = super::send(on_change, Choose::FindABug);
    let diagram = super::send(on_change, Choose::Diagram);
    html! { <>
        <label class="field" {title}>
            <span>{"Protocol"}</span>
            <select id="protocol" aria-label="Protocol" {onchange}>{options}</select>
        </label>
        <button id="lab-open" class="lab-button" onclick={lab}
            title="Experiments: the CLI's failover, gossip and SWIM Monte Carlo, run in a worker, with plots and exports (x)">{"∿ Experiments"}</button>
        <button id="hunt-open" class="lab-button" onclick={hunt}
            title="Find a bug: search this scenario's faults, or explore every interleaving, in a worker; and the bug zoo (b)">{"⚑ Find a bug"}</button>
        <button id="diagram-open" class="lab-button" onclick={diagram}
            title="Space-time diagram: one lane per node, every message from send to delivery (d)">{"⇶ Diagram"}</button>
        { super::tour::menu(on_change) }
        { super::compare::menu(on_change) }
    </> }
}

/// The scenario group every playground toolbar has: the protocol's presets,
/// Share, Export and Import.
pub(super) fn scenario_group(dispatch: &Callback<Gesture>, view: View) -> Html {
    let d = dispatch.clone();
    let on_preset = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            if let Some(p) = crate::scenario::presets::find(&sel.value()) {
                d.emit(Gesture::LoadPreset(p.id));
            }
            sel.set_value("");
        }
    });
    let d = dispatch.clone();
    let import = Callback::from(move |e: Event| {
        if let Some(input) = target_input(&e) {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                super::files::import(file, d.clone());
            }
            input.set_value("");
        }
    });
    let presets: Html = crate::scenario::presets::PRESETS
        .iter()
        .filter(|p| p.protocol().view() == view && !p.is_tour())
        .map(|p| html! { <option value={p.id}>{p.name()}</option> })
        .collect();
    html! {
        <div class="group secondary" role="group" aria-label="Scenario">
            <select id="preset" onchange={on_preset} aria-label="Load a preset scenario" title="Load a preset scenario: each explains what to watch">
                <option value="" selected=true>{"Presets…"}</option>
                {presets}
            </select>
            <button id="share" onclick={super::send(dispatch, Gesture::Share)} title="Make a link that replays this run exactly, up to now">{"Share"}</button>
            <button id="export" onclick={super::send(dispatch, Gesture::Export)} title="Download this scenario, with everything you did, as a JSON file">{"Export"}</button>
            { super::pictures::menu(dispatch.reform(Gesture::ShowError)) }
            <label class="button" tabindex="0" role="button" onkeydown={super::files::open_picker("import")} title="Load a scenario JSON file (or drop one on the page)">
                {"Import"}<input id="import" type="file" accept=".json,application/json" onchange={import} hidden=true />
            </label>
        </div>
    }
}

/// Play, step and speed: the same group in every view. Play keeps its
/// width whatever its label, so nothing around it moves when it toggles.
pub(super) struct Playback {
    /// The element ids' prefix ("" or "swarm-"), which the tests address.
    pub prefix: &'static str,
    pub playing: bool,
    pub speed: f64,
    pub play: Callback<MouseEvent>,
    /// Step to the next event, where the view can.
    pub step: Option<Callback<MouseEvent>>,
    pub set_speed: Callback<f64>,
}

pub(super) fn playback(p: Playback) -> Html {
    let set = p.set_speed.clone();
    let on_speed = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            let x: f64 = i.value().parse().unwrap_or(0.0);
            set.emit(10f64.powf(x));
        }
    });
    let id = |name: &str| format!("{}{name}", p.prefix);
    html! {
        <div class="group" role="group" aria-label="Playback">
            <button id={id("play")} class="play" onclick={p.play} aria-label={if p.playing {"Pause"} else {"Play"}}
                title="Play or pause the simulation (space)">{ if p.playing { "❚❚ Pause" } else { "▶ Play" } }</button>
            { for p.step.map(|step| html! {
                <button id={id("step")} onclick={step} aria-label="Step" title="Advance to the next event and pause (→)">{"▶❘ Step"}</button>
            }) }
            <label class="speed secondary" title="Simulation speed, from 0.01× to 100× real time ([ and ])">
                <span>{"Speed"}</span>
                <input id={id("speed")} type="range" min={MIN_SPEED.log10().to_string()} max={MAX_SPEED.log10().to_string()} step="0.05"
                    value={p.speed.log10().to_string()} oninput={on_speed} aria-label="Speed" />
                <output id={id("speed-label")}>{format_speed(p.speed)}</output>
            </label>
        </div>
    }
}

/// The playground's playback group (Raft's and the store's).
pub(super) fn playback_group(playing: bool, speed: f64, dispatch: &Callback<Gesture>) -> Html {
    let d = dispatch.clone();
    playback(Playback {
        prefix: "",
        playing,
        speed,
        play: super::send(dispatch, Gesture::TogglePlay),
        step: Some(super::send(dispatch, Gesture::Step)),
        set_speed: Callback::from(move |s| d.emit(Gesture::SetSpeed(s))),
    })
}

/// The seed field and the button that draws a new one and resets.
pub(super) fn seed_fields(dispatch: &Callback<Gesture>, draft: &Rc<Scenario>) -> Html {
    let d = dispatch.clone();
    let new_seed = Callback::from(move |_| d.emit(Gesture::NewSeed((js_sys::Math::random() * 1e9) as u64)));
    html! {
        <>
            <label class="field" title="The seed decides every random draw: the same seed replays the same run">
                <span>{"Seed"}</span>
                <Field id="seed" min="0" value={draft.seed.to_string()} label="Seed"
                    onchange={edit(dispatch, draft, |s, t| s.seed = t.parse().unwrap_or(s.seed))} />
            </label>
            <button id="new-seed" onclick={new_seed} title="Pick a random seed and reset">{"⚄"}</button>
        </>
    }
}

#[function_component]
pub fn Toolbar(props: &ToolbarProps) -> Html {
    let (v, dispatch, on_protocol) = (&props.view, &props.dispatch, &props.on_protocol);
    let renders = super::raft_view::use_render_count();
    let reset = super::send(dispatch, Gesture::Reset);
    let help = super::send(dispatch, Gesture::ToggleHelp);
    let more = super::send(dispatch, Gesture::ToggleToolbar);
    let heal = super::send(dispatch, Gesture::Do(crate::scenario::Action::HealAll));
    let kill = super::send(dispatch, Gesture::KillLeader);
    let add_server = super::send(dispatch, Gesture::AddSpare);
    let spare = v.spare;
    let add_tip = match spare {
        Some(n) => format!("Ask the leader to add spare server n{n} to the configuration (a)"),
        None => "Every server is a member; load the Membership change preset to try this (a)".to_string(),
    };
    let draft = &v.draft;
    let on_nodes = {
        let d = dispatch.clone();
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                let mut s = (*draft).clone();
                settings::set_nodes(&mut s, sel.value().parse().unwrap_or(5));
                d.emit(Gesture::EditDraft(Box::new(s)));
            }
        })
    };
    let pending = v.pending;
    let r = params(draft);
    use settings::raft;
    html! {
        <header class={classes!("toolbar", v.open.then_some("open"))} data-renders={renders}>
            <div class="brand" title="splitbrain: break a cluster, watch it heal">{"splitbrain"}</div>
            { protocol_select(View::Raft, on_protocol) }
            <button id="toolbar-more" class="more" onclick={more} aria-expanded={v.open.to_string()}
                title="Show or hide presets, sharing, speed and the cluster settings">{ if v.open { "▴ Less" } else { "☰ More" } }</button>
            { scenario_group(dispatch, View::Raft) }
            { playback_group(v.playing, v.speed, dispatch) }
            <div class="group" role="group" aria-label="Faults">
                <button id="kill" onclick={kill} title="Crash the current leader (k)">{"☠ Kill leader"}</button>
                <button id="heal-all" onclick={heal} title="Remove every cut link and partition (h)">{"✚ Heal all"}</button>
                <button id="add-server" onclick={add_server} title={add_tip} disabled={spare.is_none()}>{"+ Server"}</button>
            </div>
            <div class="group settings secondary" role="group" aria-label="Cluster settings (applied on reset)">
                { seed_fields(dispatch, draft) }
                <label class="field" title={format!("Cluster size, 3 to {MAX_NODES} (applied on reset)")}>
                    <span>{"Nodes"}</span>
                    <select id="nodes" onchange={on_nodes} aria-label="Nodes">
                        { for (3..=MAX_NODES).map(|k| html!{ <option value={k.to_string()} selected={k == draft.nodes}>{k}</option> }) }
                    </select>
                </label>
                <label class="check" title="PreVote (§9.6): ask for votes before raising the term, so a cut-off node cannot disrupt the cluster">
                    <input id="prevote" type="checkbox" checked={r.prevote} onchange={check(dispatch, draft, |s, on| raft(s).prevote = on)} />{"PreVote"}
                </label>
                <label class="check" title="CheckQuorum (§6.2): a leader steps down when it has not heard from a majority for an election timeout">
                    <input id="check-quorum" type="checkbox" checked={r.check_quorum} onchange={check(dispatch, draft, |s, on| raft(s).check_quorum = on)} />{"CheckQuorum"}
                </label>
                <label class="field" title="Election timeout range in ms: each timer is drawn uniformly from it">
                    <span>{"Timeout ms"}</span>
                    <Field id="timeout-min" class="short" min="1" value={r.election_timeout_ms[0].to_string()} label="Minimum election timeout (ms)"
                        onchange={edit(dispatch, draft, |s, t| raft(s).election_timeout_ms[0] = num(t))} />
                    {"–"}
                    <Field id="timeout-max" class="short" min="1" value={r.election_timeout_ms[1].to_string()} label="Maximum election timeout (ms)"
                        onchange={edit(dispatch, draft, |s, t| raft(s).election_timeout_ms[1] = num(t))} />
                </label>
                <label class="field" title="How often a leader sends heartbeats (ms)">
                    <span>{"Heartbeat ms"}</span>
                    <Field id="heartbeat" class="short" min="1" value={r.heartbeat_ms.to_string()} label="Heartbeat (ms)"
                        onchange={edit(dispatch, draft, |s, t| raft(s).heartbeat_ms = num(t))} />
                </label>
                { patterns(draft, dispatch) }
                <button id="reset" class={classes!(pending.then_some("pending"))} onclick={reset}
                    title={if pending { "Apply the changed settings and restart (r)" } else { "Restart with these settings (r)" }}>{"↺ Reset"}</button>
            </div>
            <button id="help-button" class="help-button" onclick={help} title="Keyboard shortcuts and how to use the playground (?)" aria-label="Help">{"?"}</button>
        </header>
    }
}
