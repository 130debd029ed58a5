//! The Experiments panel: the CLI's failover, gossip and SWIM Monte Carlo
//! in the browser. The simulation runs in a worker ([`super::lab_worker`],
//! a wasm of its own fetched when the panel first opens), so the page keeps
//! drawing; the worker also draws the plots and writes the exports, so
//! this side holds a form, a progress bar and what comes back.

use super::files::{download_text, download_url};
use super::lab_worker::{Finished, FromLab, Json, Lab, ToLab};
use crate::experiments::lab::{Kind, Request};
use crate::protocols::registry::ProtocolKind;
use gloo::worker::{Spawnable, WorkerBridge};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The worker's loader, which trunk writes beside the page.
pub(super) const WORKER: &str = "./splitbrain-lab-loader.js";

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Starting,
    Running { done: u32, total: u32, ms: f64 },
    Cancelling,
    Refused(String),
    Finished(Rc<Finished>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LabState {
    kind: Kind,
    /// Every experiment's fields as typed, so switching back keeps them.
    fields: Vec<(Kind, String, String)>,
    status: Status,
    histogram: bool,
}

pub enum LabAction {
    Kind(Kind),
    Field(String, String),
    Started,
    CancelSent,
    From(FromLab),
    Histogram(bool),
}

impl Default for LabState {
    fn default() -> Self {
        let fields = Kind::ALL
            .iter()
            .flat_map(|&k| {
                k.fields().iter().map(move |(name, default, _)| {
                    (k, name.to_string(), default.split('|').next().unwrap_or("").to_string())
                })
            })
            .collect();
        LabState { kind: Kind::Failover, fields, status: Status::Idle, histogram: false }
    }
}

impl LabState {
    fn value(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, n, _)| *k == self.kind && n == name).map_or("", |f| f.2.as_str())
    }

    /// Whether the testbed decides this field (the form greys it out).
    fn set_by_testbed(&self, name: &str) -> bool {
        self.kind == Kind::Failover
            && self.value("testbed") == "raft-paper"
            && matches!(name, "latency-ms" | "fsync-ms" | "unequal-logs")
    }

    fn request(&self) -> Request {
        let fields = self
            .fields
            .iter()
            .filter(|(k, n, _)| *k == self.kind && !self.set_by_testbed(n))
            .map(|(_, n, v)| (n.clone(), v.clone()))
            .collect();
        Request { kind: self.kind, fields }
    }

    fn running(&self) -> bool {
        matches!(self.status, Status::Starting | Status::Running { .. } | Status::Cancelling)
    }
}

impl Reducible for LabState {
    type Action = LabAction;
    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            LabAction::Kind(k) => s.kind = k,
            LabAction::Field(name, v) => {
                let kind = s.kind;
                if let Some(f) = s.fields.iter_mut().find(|(k, n, _)| *k == kind && *n == name) {
                    f.2 = v;
                }
            }
            LabAction::Started => s.status = Status::Starting,
            LabAction::CancelSent => s.status = Status::Cancelling,
            LabAction::From(FromLab::Progress { done, total, ms }) => {
                if s.status != Status::Cancelling {
                    s.status = Status::Running { done, total, ms };
                }
            }
            LabAction::From(FromLab::Refused(e)) => s.status = Status::Refused(e),
            LabAction::From(FromLab::Finished(f)) => s.status = Status::Finished(Rc::new(*f)),
            // A hunt's messages go to the Find a bug panel's own worker.
            LabAction::From(
                FromLab::Hunting { .. } | FromLab::Hunted { .. } | FromLab::Zoo(_) | FromLab::Traced { .. },
            ) => {}
            LabAction::Histogram(h) => s.histogram = h,
        }
        Rc::new(s)
    }
}

/// `1,234`
fn thousands(n: u32) -> String {
    crate::sim::limits::grouped(u64::from(n))
}

fn rate(done: u32, ms: f64) -> String {
    if ms <= 0.0 {
        return String::new();
    }
    format!(" · {} trials/s", thousands((f64::from(done) / ms * 1000.0).round() as u32))
}

/// The report's numbers as rows: `failover_ms.p50  172.388`.
fn report_rows(json: &str) -> Html {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&name, v, out);
                }
            }
            serde_json::Value::Null => out.push((prefix.into(), "—".into())),
            v => out.push((prefix.into(), v.to_string())),
        }
    }
    let mut rows = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(json) {
        walk("", &v, &mut rows);
    }
    html! {
        <table class="lab-report">
            { for rows.into_iter().map(|(k, v)| html! { <tr><th scope="row">{k}</th><td>{v}</td></tr> }) }
        </table>
    }
}

/// Draws an SVG into a canvas at twice its size and downloads it as PNG.
fn download_png(svg: &str, file_name: String) {
    let Ok(img) = web_sys::HtmlImageElement::new() else { return };
    let data = format!("data:image/svg+xml;charset=utf-8,{}", String::from(js_sys::encode_uri_component(svg)));
    let image = img.clone();
    let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
        let doc = gloo::utils::document();
        let Some(canvas) =
            doc.create_element("canvas").ok().and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        let (w, h) = (image.natural_width() * 2, image.natural_height() * 2);
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        if let Some(ctx) = ctx {
            let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, f64::from(w), f64::from(h));
            if let Ok(url) = canvas.to_data_url() {
                let _ = download_url(&url, &file_name);
            }
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&data);
}

fn field(state: &LabState, dispatch: &Callback<LabAction>, name: &'static str, default: &str, about: &str) -> Html {
    let value = state.value(name).to_string();
    let id = format!("lab-{name}");
    let by_testbed = state.set_by_testbed(name);
    let disabled = state.running() || by_testbed;
    let d = dispatch.clone();
    let set = move |v: String| d.emit(LabAction::Field(name.to_string(), v));
    let control = if default == "false" || default == "true" {
        let onchange = Callback::from(move |e: Event| {
            if let Some(i) = super::toolbar::target_input(&e) {
                set(i.checked().to_string());
            }
        });
        html! { <input type="checkbox" id={id.clone()} checked={value == "true" || by_testbed} {onchange} {disabled} /> }
    } else if default.contains('|') {
        let onchange = Callback::from(move |e: Event| {
            if let Some(s) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                set(s.value());
            }
        });
        html! {
            <select id={id.clone()} {onchange} {disabled}>
                { for default.split('|').map(|c| html! { <option value={c.to_string()} selected={c == value}>{c}</option> }) }
            </select>
        }
    } else {
        let oninput = Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                set(i.value());
            }
        });
        let placeholder = match (by_testbed, default.is_empty()) {
            (true, _) => "set by the testbed".to_string(),
            (false, true) => "default".to_string(),
            (false, false) => default.to_string(),
        };
        let value = if by_testbed { String::new() } else { value };
        html! { <input type="text" id={id.clone()} {value} {oninput} {disabled} {placeholder} spellcheck="false" autocomplete="off" /> }
    };
    html! {
        <div class="lab-field" title={about.to_string()}>
            <label for={id}>{format!("--{name}")}</label>
            { control }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LabProps {
    pub open: bool,
    /// Opens (true) or closes (false) the panel.
    pub on_toggle: Callback<bool>,
}

#[function_component]
pub fn LabPanel(props: &LabProps) -> Html {
    let state = use_reducer(LabState::default);
    let dispatch = {
        let d = state.dispatcher();
        (*use_memo((), move |_| Callback::from(move |a: LabAction| d.dispatch(a)))).clone()
    };
    let bridge = use_worker(props.open, dispatch.reform(LabAction::From));
    use_panel_keys("x", props.on_toggle.clone());
    if !props.open {
        return html! {};
    }
    let s = &*state;
    let run = {
        let (bridge, d, request) = (bridge.clone(), dispatch.clone(), s.request());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(b) = bridge.borrow().as_ref() {
                b.send(ToLab::Start(request.clone()));
                d.emit(LabAction::Started);
            }
        })
    };
    let cancel = {
        let (bridge, d) = (bridge.clone(), dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(b) = bridge.borrow().as_ref() {
                b.send(ToLab::Cancel);
                d.emit(LabAction::CancelSent);
            }
        })
    };
    let on_kind = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                let k = Kind::ALL.into_iter().find(|k| k.command() == sel.value()).unwrap_or(Kind::Failover);
                d.emit(LabAction::Kind(k));
            }
        })
    };
    let close = {
        let c = props.on_toggle.clone();
        Callback::from(move |_: MouseEvent| c.emit(false))
    };
    let progress = progress(&s.status);
    let result = match &s.status {
        Status::Finished(f) => result(s, f, &dispatch),
        _ => html! {},
    };
    let busy = s.running();
    html! {
        <div class="overlay lab-overlay" onclick={close.clone()}>
            <section id="lab" class="lab-card" role="dialog" aria-label="Experiments" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <header class="lab-head">
                    <h2>{"Experiments"}</h2>
                    <button onclick={close} title="Close (Esc)" aria-label="Close">{"×"}</button>
                </header>
                <form onsubmit={run}>
                    <div class="lab-field" title="Which of the CLI's experiments">
                        <label for="lab-kind">{"experiment"}</label>
                        <select id="lab-kind" onchange={on_kind} disabled={busy}>
                            { for ProtocolKind::ALL.iter().map(|p| {
                                // The registry's protocols, each with its experiments.
                                let kinds: Html = Kind::ALL.into_iter().filter(|k| k.protocol() == *p)
                                    .map(|k| html! { <option value={k.command()} selected={k == s.kind}>{k.command()}</option> }).collect();
                                html! { <optgroup label={p.label()}>{kinds}</optgroup> }
                            }) }
                        </select>
                    </div>
                    <div class="lab-fields">
                        { for s.kind.fields().iter().map(|(n, d, a)| field(s, &dispatch, n, d, a)) }
                    </div>
                    <div class="lab-actions">
                        <button id="lab-run" type="submit" class="primary" disabled={busy} title="Run the trials in a worker (Enter)">{"Run"}</button>
                        <button id="lab-cancel" type="button" onclick={cancel} disabled={!busy} title="Stop; the trials run so far are kept">{"Cancel"}</button>
                    </div>
                </form>
                { progress }
                { result }
            </section>
        </div>
    }
}

/// A panel's bridge to the worker, spawned the first time the panel opens
/// (the worker's wasm is fetched then); what the worker says goes to `to`.
#[hook]
pub(super) fn use_worker(open: bool, to: Callback<FromLab>) -> Rc<std::cell::RefCell<Option<WorkerBridge<Lab>>>> {
    let bridge = use_mut_ref(|| None::<WorkerBridge<Lab>>);
    if open && bridge.borrow().is_none() {
        let spawned = Lab::spawner().encoding::<Json>().callback(move |out| to.emit(out)).spawn_with_loader(WORKER);
        *bridge.borrow_mut() = Some(spawned);
    }
    bridge
}

/// Whether a key went to a field that takes text (its keys are its own).
pub(super) fn typing(k: &web_sys::KeyboardEvent) -> bool {
    k.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

/// `key` opens a panel (unless typing), Escape closes it.
#[hook]
pub(super) fn use_panel_keys(key: &'static str, toggle: Callback<bool>) {
    use_effect_with((), move |_| {
        let listener = gloo::events::EventListener::new(&gloo::utils::document(), "keydown", move |e| {
            let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            let typing = typing(k);
            match k.key().as_str() {
                pressed if pressed == key && !typing && !k.ctrl_key() && !k.meta_key() && !k.alt_key() => {
                    toggle.emit(true)
                }
                "Escape" => toggle.emit(false),
                _ => {}
            }
        });
        move || drop(listener)
    });
}

/// Where the run stands: idle, starting, its progress, or how it ended.
fn progress(status: &Status) -> Html {
    match status {
        Status::Idle => {
            html! { <p class="lab-status muted">{"Choose an experiment and its settings (the CLI's flags), then Run."}</p> }
        }
        Status::Starting => html! { <p class="lab-status" role="status">{"Starting the worker…"}</p> },
        Status::Running { done, total, ms } => html! {
            <div class="lab-status" role="status">
                <progress id="lab-progress" max={total.to_string()} value={done.to_string()}></progress>
                <span>{format!("{} of {} trials{}", thousands(*done), thousands(*total), rate(*done, *ms))}</span>
            </div>
        },
        Status::Cancelling => html! { <p class="lab-status" role="status">{"Cancelling…"}</p> },
        Status::Refused(e) => html! { <p id="lab-error" class="lab-status banner error" role="alert">{e}</p> },
        Status::Finished(f) => html! {
            <p class="lab-status" role="status" id="lab-done" data-ms={f.ms.to_string()} data-done={f.done.to_string()}>
                { if f.cancelled {
                    format!("Cancelled after {} of {} trials ({:.2} s); the results below are of those.", thousands(f.done), thousands(f.total), f.ms / 1000.0)
                } else {
                    format!("{} trials in {:.2} s{}.", thousands(f.done), f.ms / 1000.0, rate(f.done, f.ms))
                } }
            </p>
        },
    }
}

/// A finished run: the command line, the plot and its exports.
fn result(s: &LabState, f: &Finished, dispatch: &Callback<LabAction>) -> Html {
    let stem = format!("splitbrain-{}", s.request().kind.command());
    let svg = if s.histogram { f.histogram_svg.clone() } else { f.cdf_svg.clone() };
    let which = if s.histogram { "histogram" } else { "cdf" };
    let save = |text: String, mime: &'static str, ext: &'static str| {
        let name = format!("{stem}-{which}.{ext}");
        let name = if ext == "csv" || ext == "json" { format!("{stem}.{ext}") } else { name };
        Callback::from(move |_: MouseEvent| {
            let _ = download_text(&text, mime, &name);
        })
    };
    let png = {
        let (svg, name) = (svg.clone(), format!("{stem}-{which}.png"));
        Callback::from(move |_: MouseEvent| download_png(&svg, name.clone()))
    };
    let show = |h: bool| {
        let d = dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(LabAction::Histogram(h)))
    };
    html! {
        <div class="lab-result">
            <p class="lab-command">{"The same run from a terminal: "}<code id="lab-command">{&f.command}</code></p>
            <div class="lab-tabs" role="group" aria-label="Plot">
                <button class={classes!((!s.histogram).then_some("on"))} aria-pressed={(!s.histogram).to_string()} onclick={show(false)} title="Cumulative distribution, with the paper or the theory where there is one">{"CDF"}</button>
                <button class={classes!(s.histogram.then_some("on"))} aria-pressed={s.histogram.to_string()} onclick={show(true)} title="Histogram of the trials">{"Histogram"}</button>
            </div>
            <div id="lab-plot" class="lab-plot">{ Html::from_html_unchecked(AttrValue::from(svg.clone())) }</div>
            { report_rows(&f.report) }
            <div class="lab-exports" role="group" aria-label="Export">
                <button id="lab-csv" onclick={save(f.csv.clone(), "text/csv", "csv")} title="Every trial, one per row">{"CSV"}</button>
                <button id="lab-json" onclick={save(f.export_json.clone(), "application/json", "json")} title="The settings, the command line and the CLI's report">{"JSON"}</button>
                <button id="lab-svg" onclick={save(svg, "image/svg+xml", "svg")} title="The plot as SVG">{"SVG"}</button>
                <button id="lab-png" onclick={png} title="The plot as PNG, at twice its size">{"PNG"}</button>
            </div>
        </div>
    }
}
