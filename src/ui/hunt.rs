//! The Find a bug panel: the CLI's `search` and `explore` on the scenario
//! that is showing, run in the worker ([`super::lab_worker`]) so that the
//! page keeps drawing, with progress and a stop button; and the bug zoo,
//! whose variants load as mysteries to break by hand. A bug found loads as
//! a scenario through a link of its own: the timeline holds the shrunk
//! faults, and the scrubber sits at the violation.

use super::lab_worker::{FromLab, ToLab};
use crate::scenario::Scenario;
use crate::search::hunt::{How, HuntProgress, HuntRequest, Hunted, ZooEntry};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Starting,
    Hunting { progress: HuntProgress, ms: f64 },
    Stopping,
    Refused(String),
    Done { hunted: Rc<Hunted>, ms: f64, cancelled: bool },
}

#[derive(Clone, Debug, PartialEq)]
struct HuntState {
    explore: bool,
    schedules: String,
    seed: String,
    depth: String,
    states: String,
    status: Status,
    /// The bug zoo, as the worker sends it.
    zoo: Rc<Vec<ZooEntry>>,
}

enum HuntAction {
    Explore(bool),
    Field(&'static str, String),
    Started,
    StopSent,
    From(FromLab),
}

impl Default for HuntState {
    fn default() -> Self {
        HuntState {
            explore: false,
            schedules: "10000".into(),
            seed: "1".into(),
            depth: "30".into(),
            states: "200000".into(),
            status: Status::Idle,
            zoo: Rc::default(),
        }
    }
}

impl HuntState {
    fn running(&self) -> bool {
        matches!(self.status, Status::Starting | Status::Hunting { .. } | Status::Stopping)
    }

    /// The request for `scenario`, or what is wrong with a field.
    fn request(&self, scenario: String) -> Result<HuntRequest, String> {
        fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
            v.trim().replace([',', '_'], "").parse().map_err(|_| format!("{name}: '{v}' is not a whole number"))
        }
        let seed = number("seed", &self.seed)?;
        let how = if self.explore {
            How::Explore { depth: number("depth", &self.depth)?, states: number("states", &self.states)?, seed }
        } else {
            How::Search { schedules: number("schedules", &self.schedules)?, seed }
        };
        Ok(HuntRequest { scenario, how })
    }
}

impl Reducible for HuntState {
    type Action = HuntAction;
    fn reduce(self: Rc<Self>, action: HuntAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            HuntAction::Explore(e) => s.explore = e,
            HuntAction::Field(name, v) => match name {
                "schedules" => s.schedules = v,
                "seed" => s.seed = v,
                "depth" => s.depth = v,
                _ => s.states = v,
            },
            HuntAction::Started => s.status = Status::Starting,
            HuntAction::StopSent => s.status = Status::Stopping,
            HuntAction::From(FromLab::Hunting { progress, ms }) => {
                if s.status != Status::Stopping {
                    s.status = Status::Hunting { progress, ms };
                }
            }
            HuntAction::From(FromLab::Hunted { hunted, ms, cancelled }) => {
                s.status = Status::Done { hunted: Rc::new(*hunted), ms, cancelled }
            }
            HuntAction::From(FromLab::Refused(e)) => s.status = Status::Refused(e),
            HuntAction::From(FromLab::Zoo(zoo)) => s.zoo = Rc::new(zoo),
            HuntAction::From(_) => {}
        }
        Rc::new(s)
    }
}

/// Opens `s` in the page as a link would, at `at_us`: the view of its
/// protocol, its timeline, the scrubber at that instant.
pub(super) fn open_scenario(s: &Scenario, at_us: u64) {
    super::browser::fragment_for(s, at_us, |fragment| {
        if let Some(fragment) = fragment {
            let _ = gloo::utils::window().location().set_hash(&fragment);
        }
    });
}

fn grouped(n: u64) -> String {
    crate::sim::limits::grouped(n)
}

/// `1,234 schedules · 560/s · 7,890 distinct states · 2.1 s`
fn progress_line(explore: bool, p: &HuntProgress, ms: f64) -> String {
    let per_s = |n: u64| if ms > 0.0 { grouped((n as f64 / ms * 1000.0).round() as u64) } else { "–".into() };
    let secs = ms / 1000.0;
    if explore {
        let at = if p.depth > 0 { format!("depth {}", p.depth) } else { format!("{} walks", grouped(p.walks)) };
        format!("{} states · {}/s · {at} · {secs:.1} s", grouped(p.states), per_s(p.states))
    } else {
        format!(
            "{} schedule{} · {}/s · {} distinct states · {secs:.1} s{}",
            grouped(p.schedules),
            if p.schedules == 1 { "" } else { "s" },
            per_s(p.schedules),
            grouped(p.states),
            if p.shrinking { " · shrinking the violation…" } else { "" }
        )
    }
}

#[derive(Properties, PartialEq)]
pub struct HuntProps {
    pub open: bool,
    /// Opens (true) or closes (false) the panel.
    pub on_toggle: Callback<bool>,
    /// The scenario that is showing, with what was done to it.
    pub current: Callback<(), Scenario>,
}

#[function_component]
pub fn HuntPanel(props: &HuntProps) -> Html {
    let state = use_reducer(HuntState::default);
    let dispatch = {
        let d = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |a: HuntAction| d.dispatch(a)))).clone()
    };
    let bridge = super::lab::use_worker(props.open, dispatch.reform(HuntAction::From));
    // The zoo's list comes from the worker, asked once.
    let asked = use_mut_ref(|| false);
    if props.open && !*asked.borrow() {
        if let Some(b) = bridge.borrow().as_ref() {
            b.send(ToLab::Zoo);
            *asked.borrow_mut() = true;
        }
    }
    // A bug found opens at once, the panel closed (b shows it again): the
    // page shows the run paused at the violation.
    {
        let found = match &state.status {
            Status::Done { hunted, .. } => hunted.found.clone(),
            _ => None,
        };
        let toggle = props.on_toggle.clone();
        use_effect_with(found, move |found| {
            if let Some(bug) = found {
                if let Ok(s) = Scenario::from_json(&bug.scenario) {
                    toggle.emit(false);
                    open_scenario(&s, bug.at_us);
                }
            }
        });
    }
    super::lab::use_panel_keys("b", props.on_toggle.clone());
    // The scenario's name and what it checks, read when the panel opens,
    // not on each of the 20 redraws a second that progress makes.
    let shown = {
        let current = props.current.clone();
        use_memo(props.open, move |_| {
            let scenario = current.emit(());
            let checks = crate::search::searchable(&scenario);
            (scenario, checks)
        })
    };
    if !props.open {
        return html! {};
    }
    let s = &*state;
    let (current, checks) = &*shown;
    let start = {
        let (bridge, d, s, read) = (bridge.clone(), dispatch.clone(), s.clone(), props.current.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // What is showing now, with anything done since the panel opened.
            match s.request(read.emit(()).to_json()) {
                Ok(request) => {
                    if let Some(b) = bridge.borrow().as_ref() {
                        b.send(ToLab::Hunt(request));
                        d.emit(HuntAction::Started);
                    }
                }
                Err(e) => d.emit(HuntAction::From(FromLab::Refused(e))),
            }
        })
    };
    let stop = {
        let (bridge, d) = (bridge.clone(), dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(b) = bridge.borrow().as_ref() {
                b.send(ToLab::Cancel);
                d.emit(HuntAction::StopSent);
            }
        })
    };
    let close = {
        let c = props.on_toggle.clone();
        Callback::from(move |_: MouseEvent| c.emit(false))
    };
    let busy = s.running();
    let mode = |explore: bool| {
        let d = dispatch.clone();
        Callback::from(move |_: Event| d.emit(HuntAction::Explore(explore)))
    };
    let field = |name: &'static str, value: &str, about: &str| {
        let d = dispatch.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                d.emit(HuntAction::Field(name, i.value()));
            }
        });
        let id = format!("hunt-{name}");
        html! {
            <div class="lab-field" title={about.to_string()}>
                <label for={id.clone()}>{name}</label>
                <input type="text" inputmode="numeric" id={id} value={value.to_string()} {oninput} disabled={busy} spellcheck="false" autocomplete="off" />
            </div>
        }
    };
    let fields = if s.explore {
        html! { <>
            { field("depth", &s.depth, "Steps from the start, at most (the CLI's --depth)") }
            { field("states", &s.states, "Breadth first stops at this many states; Go-Explore walks go on from there until Stop (the CLI's --states)") }
            { field("seed", &s.seed, "Seeds the walks (the CLI's --seed)") }
        </> }
    } else {
        html! { <>
            { field("schedules", &s.schedules, "Fault schedules to try at most (the CLI's --schedules)") }
            { field("seed", &s.seed, "Seeds the schedules: the same seed tries the same schedules (the CLI's --seed)") }
        </> }
    };
    let checks = match checks {
        Ok(names) => {
            html! { <p class="hunt-checks muted">{format!("Checked after every step: {}.", names.join(", "))}</p> }
        }
        Err(e) => html! { <p class="hunt-checks banner error" role="alert">{e}</p> },
    };
    html! {
        <div class="overlay lab-overlay" onclick={close.clone()}>
            <section id="hunt" class="lab-card" role="dialog" aria-label="Find a bug" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <header class="lab-head">
                    <h2>{"Find a bug"}</h2>
                    <button onclick={close.clone()} title="Close (Esc)" aria-label="Close">{"×"}</button>
                </header>
                <p class="muted hunt-base">{"In "}<strong id="hunt-scenario">{if current.name.is_empty() { "this scenario".to_string() } else { current.name.clone() }}</strong></p>
                { checks }
                <form onsubmit={start}>
                    <div class="lab-tabs" role="radiogroup" aria-label="How">
                        <label class={classes!((!s.explore).then_some("on"))} title="Fault schedules around the scenario: crashes, pauses, partitions and lossy links, guided by the states they reach (splitbrain search)">
                            <input type="radio" name="hunt-how" id="hunt-search" checked={!s.explore} onchange={mode(false)} disabled={busy} />{"Search faults"}</label>
                        <label class={classes!(s.explore.then_some("on"))} title="Every interleaving of deliveries, crashes and timers of a small Raft cluster, breadth first (splitbrain explore)">
                            <input type="radio" name="hunt-how" id="hunt-explore" checked={s.explore} onchange={mode(true)} disabled={busy} />{"Explore every interleaving"}</label>
                    </div>
                    <div class="lab-fields">{fields}</div>
                    <div class="lab-actions">
                        <button id="hunt-start" type="submit" class="primary" disabled={busy} title="Hunt in a worker (Enter)">{"Start"}</button>
                        <button id="hunt-stop" type="button" onclick={stop} disabled={!busy} title="Stop; the scenario showing is kept">{"Stop"}</button>
                    </div>
                </form>
                { status(s) }
                { result(s, &close) }
                { zoo(&s.zoo, &props.on_toggle) }
            </section>
        </div>
    }
}

fn status(s: &HuntState) -> Html {
    match &s.status {
        Status::Idle => html! {
            <p class="lab-status muted">{"Searches the scenario that is showing, with what you did to it. A bug found opens in the page, at the violation."}</p>
        },
        Status::Starting => html! { <p class="lab-status" role="status">{"Starting the worker…"}</p> },
        Status::Hunting { progress, ms } => {
            let bar = match s.request(String::new()).map(|r| r.how) {
                Ok(How::Search { schedules, .. }) => {
                    html! { <progress id="hunt-progress" max={schedules.to_string()} value={progress.schedules.to_string()}></progress> }
                }
                _ => html! { <progress id="hunt-progress"></progress> },
            };
            html! {
                <div class="lab-status" role="status">
                    { bar }
                    <span id="hunt-rate">{progress_line(s.explore, progress, *ms)}</span>
                </div>
            }
        }
        Status::Stopping => html! { <p class="lab-status" role="status">{"Stopping…"}</p> },
        Status::Refused(e) => html! { <p id="hunt-error" class="lab-status banner error" role="alert">{e}</p> },
        Status::Done { hunted, ms, cancelled } => {
            let line = progress_line(s.explore, &hunted.progress, *ms);
            let text = match (&hunted.found, cancelled) {
                (Some(_), _) => format!("Found: {line}."),
                (None, true) => format!("Stopped: {line}. The scenario showing is unchanged."),
                (None, false) if s.explore && hunted.complete => {
                    format!("No property broke in any state within the bounds: {line}.")
                }
                (None, false) => format!("No property broke: {line}."),
            };
            html! { <p id="hunt-done" class="lab-status" role="status" data-found={hunted.found.is_some().to_string()}>{text}</p> }
        }
    }
}

/// A found bug: which property, how, and (for a mystery) what was broken.
fn result(s: &HuntState, close: &Callback<MouseEvent>) -> Html {
    let Status::Done { hunted, .. } = &s.status else { return html! {} };
    let Some(bug) = &hunted.found else { return html! {} };
    let explained = Scenario::from_json(&bug.scenario).map(|s| s.description).unwrap_or_default();
    let why = explained.split_once("\n\nWhat was broken: ").map(|(_, why)| why.to_string());
    let reopen = {
        let (json, at, close) = (bug.scenario.clone(), bug.at_us, close.clone());
        Callback::from(move |e: MouseEvent| {
            if let Ok(s) = Scenario::from_json(&json) {
                close.emit(e);
                open_scenario(&s, at);
            }
        })
    };
    html! {
        <div id="hunt-found" class="hunt-found">
            <p class="banner violation"><strong>{format!("{} broke", bug.property)}</strong>{format!(" at {:.3} s: {}", bug.at_us as f64 / 1e6, bug.detail)}</p>
            <p class="muted">{format!("Found by {}; {} actions shrunk to {}. It opened in the page: the timeline holds the shrunk faults, the scrubber sits at the violation.", bug.by, bug.actions, bug.shrunk_actions)}</p>
            { for why.map(|w| html! { <details class="hunt-why"><summary>{"What was broken"}</summary><p>{w}</p></details> }) }
            <div class="lab-actions">
                <button id="hunt-show" class="primary" onclick={close.clone()} title="Close the panel (Esc)">{"Close"}</button>
                <button id="hunt-reopen" onclick={reopen} title="Open the found scenario again, at the violation">{"Open it again"}</button>
            </div>
        </div>
    }
}

/// The bug zoo: each variant as a mystery to load, its secret behind a
/// disclosure.
fn zoo(all: &Rc<Vec<ZooEntry>>, toggle: &Callback<bool>) -> Html {
    let load = |json: &str| {
        let (toggle, json) = (toggle.clone(), json.to_string());
        Callback::from(move |_: MouseEvent| {
            if let Ok(s) = Scenario::from_json(&json) {
                open_scenario(&s, 0);
                toggle.emit(false);
            }
        })
    };
    let rows: Html = all
        .iter()
        .enumerate()
        .map(|(i, v)| {
            html! {
                <li class="zoo-row" id={format!("zoo-{}", v.id)}>
                    <span class="zoo-name">{format!("Mystery {}", i + 1)}<span class="muted">{format!(" · {}", v.protocol)}</span></span>
                    <button class="zoo-try" onclick={load(&v.mystery)} title="Load it without saying what is broken; break it with faults until a checker complains, then come back and search">{"Find it yourself"}</button>
                    <details class="zoo-secret">
                        <summary title="Say what is broken">{"Reveal"}</summary>
                        <p><strong>{&v.title}</strong>{format!(" ({}). ", v.property)}{&v.explanation}</p>
                        <button class="zoo-load" onclick={load(&v.scenario)} title="Load it with its explanation">{"Load explained"}</button>
                    </details>
                </li>
            }
        })
        .collect();
    html! {
        <details id="zoo" class="zoo">
            <summary>{if all.is_empty() { "Bug zoo".to_string() } else { format!("Bug zoo: {} broken variants", all.len()) }}</summary>
            <p class="muted">{"Each is a cluster with one rule broken. Load one, cut links, crash and pause nodes, skew clocks until a checker reports a violation; or open this panel and search."}</p>
            <ol class="zoo-list">{rows}</ol>
        </details>
    }
}
