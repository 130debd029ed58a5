//! The playground UI (wasm only): a thin view over [`Playground`].
//!
//! One reducer holds the model; `requestAnimationFrame` sends it a `Tick`
//! each frame, and every other gesture is a named [`Action`]. The functions
//! in `cluster`, `panels` and `toolbar` only draw.

mod cluster;
mod panels;
mod toolbar;

use crate::playground::{Action, Playground, Settings};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The reducer: the model behind an `Rc<RefCell>`, and a version so that
/// every action re-renders without cloning the simulation.
pub struct State {
    pg: Rc<RefCell<Playground>>,
    version: u64,
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let settings_may_change = matches!(action, Action::Reset | Action::Configure(_) | Action::NewSeed(_));
        self.pg.borrow_mut().apply(action);
        if settings_may_change {
            remember_settings(&self.pg.borrow().settings);
        }
        Rc::new(State { pg: self.pg.clone(), version: self.version + 1 })
    }
}

/// Writes the settings into the URL fragment, so a reload keeps them.
fn remember_settings(s: &Settings) {
    let hash = format!(
        "#seed={}&nodes={}&prevote={}&check_quorum={}&timeout={}-{}&heartbeat={}",
        s.seed,
        s.nodes,
        u8::from(s.prevote),
        u8::from(s.check_quorum),
        s.timeout_ms.0,
        s.timeout_ms.1,
        s.heartbeat_ms
    );
    let Some(w) = web_sys::window() else { return };
    if w.location().hash().ok().as_deref() != Some(hash.as_str()) {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&hash));
        }
    }
}

/// Reads settings (and a speed) from the URL fragment; a malformed one is
/// reported, and the defaults are used.
fn settings_from_url() -> (Settings, Option<f64>, Option<String>) {
    let mut s = Settings::default();
    let mut speed = None;
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let hash = hash.trim_start_matches('#');
    if hash.is_empty() {
        return (s, None, None);
    }
    let parse = |s: &mut Settings, speed: &mut Option<f64>| -> Result<(), String> {
        for pair in hash.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| format!("'{pair}' is not key=value"))?;
            let num = |v: &str| v.parse::<f64>().map_err(|_| format!("{k}: '{v}' is not a number"));
            match k {
                "seed" => s.seed = v.parse().map_err(|_| format!("seed: '{v}' is not a whole number"))?,
                "nodes" => s.nodes = v.parse().map_err(|_| format!("nodes: '{v}' is not a whole number"))?,
                "prevote" => s.prevote = v == "1",
                "check_quorum" => s.check_quorum = v == "1",
                "heartbeat" => s.heartbeat_ms = num(v)?,
                "timeout" => {
                    let (a, b) = v.split_once('-').ok_or_else(|| format!("timeout: '{v}' is not A-B"))?;
                    s.timeout_ms = (num(a)?, num(b)?);
                }
                "speed" => *speed = Some(num(v)?),
                _ => return Err(format!("unknown setting '{k}'")),
            }
        }
        if !(3..=crate::protocols::raft::MAX_NODES).contains(&s.nodes) {
            return Err(format!("nodes must be 3 to 15, not {}", s.nodes));
        }
        crate::scenario::Runner::new(s.scenario()).map(|_| ()).map_err(|e| e.0)
    };
    match parse(&mut s, &mut speed) {
        Ok(()) => (s, speed, None),
        Err(e) => (Settings::default(), None, Some(format!("The link's settings were not used: {e}."))),
    }
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// The frame callback, kept alive while the loop runs.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Drives `Tick` from requestAnimationFrame; stops when the component goes.
#[hook]
fn use_frames(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let frame: FrameSlot = Rc::new(RefCell::new(None));
        let id = Rc::new(Cell::new(0));
        let (f2, id2) = (frame.clone(), id.clone());
        *frame.borrow_mut() = Some(Closure::new(move |ts: f64| {
            dispatch.emit(Action::Tick { wall_ms: ts });
            if let Some(cb) = f2.borrow().as_ref() {
                id2.set(window().request_animation_frame(cb.as_ref().unchecked_ref()).unwrap_or(0));
            }
        }));
        if let Some(cb) = frame.borrow().as_ref() {
            id.set(window().request_animation_frame(cb.as_ref().unchecked_ref()).unwrap_or(0));
        }
        move || {
            let _ = window().cancel_animation_frame(id.get());
            frame.borrow_mut().take();
        }
    });
}

/// Global keyboard shortcuts (ignored while typing in a field).
#[hook]
fn use_keys(dispatch: Callback<Action>) {
    use_effect_with((), move |_| {
        let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let action = match e.key().as_str() {
                " " => Action::TogglePlay,
                "ArrowRight" => Action::Step,
                "[" => Action::Slower,
                "]" => Action::Faster,
                "k" => Action::KillLeader,
                "h" => Action::Do(crate::scenario::Action::HealAll),
                "r" => Action::Reset,
                "?" => Action::ToggleHelp,
                "Escape" => Action::OpenMenu(None),
                _ => return,
            };
            e.prevent_default();
            dispatch.emit(action);
        });
        let doc = window().document().expect("a document");
        let _ = doc.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        move || {
            let _ = doc.remove_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            drop(on_key);
        }
    });
}

#[function_component]
fn App() -> Html {
    let state = use_reducer(|| {
        let (settings, speed, error) = settings_from_url();
        let mut pg = Playground::new(settings);
        if let Some(s) = speed {
            pg.apply(Action::SetSpeed(s));
        }
        if let Some(e) = error {
            pg.apply(Action::ShowError(e));
        }
        State { pg: Rc::new(RefCell::new(pg)), version: 0 }
    });
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    use_frames(dispatch.clone());
    use_keys(dispatch.clone());
    let pg = state.pg.borrow();
    html! {
        <div class="app">
            { toolbar::toolbar(&pg, &dispatch) }
            { panels::banners(&pg, &dispatch) }
            <main class="layout">
                <section class="stage">
                    { cluster::cluster_view(&pg, &dispatch) }
                    { panels::status_bar(&pg) }
                </section>
                <aside class="side">
                    { panels::inspector(&pg, &dispatch) }
                    { panels::invariants(&pg) }
                </aside>
                <section class="log-panel">
                    { panels::event_log(&pg, &dispatch) }
                </section>
            </main>
            { panels::help(&pg, &dispatch) }
        </div>
    }
}

/// Shows a banner over the page when Rust panics: the wasm instance is gone
/// after a panic, so the banner is plain DOM, and "Reset" reloads the page
/// with the same settings (they live in the URL).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(div) = doc.create_element("div") else { return };
        div.set_id("panic-banner");
        div.set_attribute("role", "alert").ok();
        let msg = info.to_string().replace('&', "&amp;").replace('<', "&lt;");
        div.set_inner_html(&format!(
            "<strong>splitbrain crashed.</strong> <span class=\"msg\">{msg}</span> \
             <button onclick=\"location.reload()\">Reset</button> \
             <span class=\"hint\">Your settings are kept in the link.</span>"
        ));
        if let Some(body) = doc.body() {
            let _ = body.append_child(&div);
        }
    }));
}

pub fn start() {
    install_panic_hook();
    yew::Renderer::<App>::new().render();
}
