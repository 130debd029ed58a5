//! The playground UI (wasm only): a thin view over [`Playground`].
//!
//! One reducer holds the model; `requestAnimationFrame` sends it a `Tick`
//! each frame, and every other gesture is a named [`Action`]. The functions
//! in `cluster`, `panels` and `toolbar` only draw.

mod cluster;
mod files;
mod metrics;
mod panels;
mod swarm_view;
mod toolbar;

use crate::model::fragment::{self, Open};
use crate::model::playground::{Action, Playground};
use crate::model::swarm::{Swarm, SwarmAction};
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
    /// How long the last seek took (ms of wall time), shown for benchmarks.
    seek_ms: Rc<Cell<f64>>,
    /// Wall time of the last autosave.
    saved_at: Rc<Cell<f64>>,
}

/// The gossip view's reducer, built the same way.
pub struct SwarmState {
    s: Rc<RefCell<Swarm>>,
    version: u64,
    saved_at: Rc<Cell<f64>>,
    /// How long the last seek took (ms of wall time), shown for benchmarks.
    seek_ms: Rc<Cell<f64>>,
}

impl Reducible for SwarmState {
    type Action = SwarmAction;
    fn reduce(self: Rc<Self>, action: SwarmAction) -> Rc<Self> {
        if action == SwarmAction::Export {
            let s = self.s.borrow();
            let failed = files::download(&s.to_json(), &format!("gossip {}", s.preset), s.seed).is_err();
            drop(s);
            if failed {
                self.s.borrow_mut().apply(SwarmAction::ShowError("The browser refused the download.".into()));
            }
        }
        let tick = matches!(action, SwarmAction::Tick { .. });
        let seek = matches!(action, SwarmAction::Seek(_));
        let started = now_ms();
        self.s.borrow_mut().apply(action);
        if seek {
            self.seek_ms.set(now_ms() - started);
        }
        // Autosave after every gesture, and about once a second while running.
        let wall = now_ms();
        if !tick || wall - self.saved_at.get() > 1000.0 {
            self.saved_at.set(wall);
            if let Some(st) = storage() {
                let _ = st.set_item(GOSSIP_AUTOSAVE_KEY, &self.s.borrow().fragment());
            }
        }
        Rc::new(SwarmState {
            s: self.s.clone(),
            version: self.version + 1,
            saved_at: self.saved_at.clone(),
            seek_ms: self.seek_ms.clone(),
        })
    }
}

/// Where the gossip run is autosaved (as a link fragment), and which view
/// was showing.
const GOSSIP_AUTOSAVE_KEY: &str = "splitbrain.gossip.v1";
const VIEW_KEY: &str = "splitbrain.view";

/// Which view is showing: Raft (0) or gossip and SWIM (1).
type ActiveView = Rc<Cell<u8>>;

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Where the run is autosaved.
const AUTOSAVE_KEY: &str = "splitbrain.autosave.v1";

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

impl Reducible for State {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if action == Action::Export {
            // Serialised at click time, not on every frame's render.
            if files::export(self.pg.borrow().scenario()).is_err() {
                self.pg.borrow_mut().apply(Action::ShowError("The browser refused the download.".into()));
            }
        }
        let tick = matches!(action, Action::Tick { .. });
        let seek = matches!(action, Action::Seek(_) | Action::StepBack);
        let started = now_ms();
        self.pg.borrow_mut().apply(action);
        if seek {
            self.seek_ms.set(now_ms() - started);
        }
        // Autosave after every gesture, and once a second while running.
        let wall = now_ms();
        if !tick || wall - self.saved_at.get() > 1000.0 {
            self.saved_at.set(wall);
            if let Some(s) = storage() {
                let _ = s.set_item(AUTOSAVE_KEY, &self.pg.borrow().autosave());
            }
        }
        Rc::new(State {
            pg: self.pg.clone(),
            version: self.version + 1,
            seek_ms: self.seek_ms.clone(),
            saved_at: self.saved_at.clone(),
        })
    }
}

/// Removes the fragment from the address bar once it has been loaded, so a
/// reload restores the autosave (the run as it is now) instead.
fn clear_fragment() {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&path));
    }
}

fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

/// The frame callback, kept alive while the loop runs.
type FrameSlot = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Drives `Tick` from requestAnimationFrame; stops when the component goes.
#[hook]
fn use_frames(raft: Callback<Action>, swarm: Callback<SwarmAction>, active: ActiveView) {
    let dispatch = Callback::from(move |a: Action| match (a, active.get()) {
        (Action::Tick { wall_ms }, 1) => swarm.emit(SwarmAction::Tick { wall_ms }),
        (a, _) => raft.emit(a),
    });
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

/// How far Shift+→ runs simulated time.
const ADVANCE_US: crate::sim::Time = 100_000;

/// Global keyboard shortcuts (ignored while typing in a field).
#[hook]
fn use_keys(raft: Callback<Action>, swarm: Callback<SwarmAction>, active: ActiveView) {
    let dispatch = Callback::from(move |a: Action| match (a, active.get()) {
        (Action::TogglePlay, 1) => swarm.emit(SwarmAction::TogglePlay),
        (Action::Reset, 1) => swarm.emit(SwarmAction::Reset),
        (Action::Advance(dt), 1) => swarm.emit(SwarmAction::Advance(dt)),
        (a, 0) => raft.emit(a),
        _ => {}
    });
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
                "ArrowRight" if e.shift_key() => Action::Advance(ADVANCE_US),
                "ArrowRight" => Action::Step,
                "ArrowLeft" => Action::StepBack,
                "[" => Action::Slower,
                "]" => Action::Faster,
                "k" => Action::KillLeader,
                "a" => Action::AddSpare,
                "h" => Action::Do(crate::scenario::Action::HealAll),
                "r" => Action::Reset,
                "?" => Action::ToggleHelp,
                "Escape" => Action::Escape,
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

/// Shows the view a fragment asks for and hands it the fragment's actions.
fn open_fragment(open: Open, raft: &Callback<Action>, swarm: &Callback<SwarmAction>, show: &Callback<u8>) {
    match open {
        Open::Nothing => return,
        Open::Raft(actions) => {
            show.emit(0);
            actions.into_iter().for_each(|a| raft.emit(a));
        }
        Open::Swarm(actions) => {
            show.emit(1);
            actions.into_iter().for_each(|a| swarm.emit(a));
        }
    }
    clear_fragment();
}

/// A link pasted into a tab that is already open (any form: `#s=`, `#g=`,
/// `#gossip=`, `#preset=`, settings) opens just as it does on a fresh load.
#[hook]
fn use_hash_links(raft: Callback<Action>, swarm: Callback<SwarmAction>, show: Callback<u8>) {
    use_effect_with((), move |_| {
        let listener = gloo::events::EventListener::new(&window(), "hashchange", move |_| {
            open_fragment(fragment::parse(&current_hash()), &raft, &swarm, &show);
        });
        move || drop(listener)
    });
}

#[function_component]
fn App() -> Html {
    // What the link asks for, read once; the fragment is cleared after.
    let opened = (*use_memo((), |_| fragment::parse(&current_hash()))).clone();
    let panic_test = *use_memo((), |_| current_hash().contains("panic-test"));
    let state = use_reducer(|| {
        let mut pg = Playground::new();
        // The last run first; a link's actions go on top of it.
        if let Some(saved) = storage().and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten()) {
            pg.apply(Action::Restore(saved));
        }
        State {
            pg: Rc::new(RefCell::new(pg)),
            version: 0,
            seek_ms: Rc::new(Cell::new(0.0)),
            saved_at: Rc::new(Cell::new(0.0)),
        }
    });
    let dispatch = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    let swarm = use_reducer(move || {
        let mut s = Swarm::new("", 1);
        if let Some(saved) = storage().and_then(|st| st.get_item(GOSSIP_AUTOSAVE_KEY).ok().flatten()) {
            s.apply(SwarmAction::Restore(saved));
        }
        SwarmState {
            s: Rc::new(RefCell::new(s)),
            version: 0,
            saved_at: Rc::new(Cell::new(0.0)),
            seek_ms: Rc::new(Cell::new(0.0)),
        }
    });
    let swarm_dispatch = {
        let swarm = swarm.clone();
        Callback::from(move |a: SwarmAction| swarm.dispatch(a))
    };
    // The view that was showing last time, unless a link decides.
    let initially =
        u8::from(storage().and_then(|st| st.get_item(VIEW_KEY).ok().flatten()).as_deref() == Some("gossip"));
    let active: ActiveView = (*use_mut_ref(move || Rc::new(Cell::new(initially)))).borrow().clone();
    let view = use_state(|| active.get());
    let show = {
        let (active, view) = (active.clone(), view.clone());
        Callback::from(move |which: u8| {
            active.set(which);
            view.set(which);
            if let Some(st) = storage() {
                let _ = st.set_item(VIEW_KEY, if which == 1 { "gossip" } else { "raft" });
            }
        })
    };
    {
        let (d, sd, show) = (dispatch.clone(), swarm_dispatch.clone(), show.clone());
        use_effect_with((), move |_| open_fragment(opened, &d, &sd, &show));
    }
    use_frames(dispatch.clone(), swarm_dispatch.clone(), active.clone());
    use_keys(dispatch.clone(), swarm_dispatch.clone(), active.clone());
    use_hash_links(dispatch.clone(), swarm_dispatch.clone(), show.clone());
    let on_protocol = {
        let show = show.clone();
        Callback::from(move |v: String| show.emit(u8::from(v != "raft")))
    };
    // A deliberate panic, for the test that the error banner appears.
    use_effect_with((), move |_| {
        if panic_test {
            panic!("a deliberate panic (#panic-test), to show the banner");
        }
    });
    // After every render: keep an open menu inside the visible area.
    use_effect(cluster::place_menu);
    let canvas = use_node_ref();
    {
        let (canvas, swarm) = (canvas.clone(), swarm.clone());
        use_effect(move || {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                swarm_view::draw(&c, &swarm.s.borrow());
            }
        });
    }
    if *view == 1 {
        let sw = swarm.s.borrow();
        return html! {
            <div class="app">
                <header class="toolbar">
                    <div class="brand">{"splitbrain"}</div>
                    { toolbar::protocol_select(1, &on_protocol) }
                    { swarm_view::controls(&sw, &swarm_dispatch) }
                </header>
                { for sw.error.as_ref().map(|e| html!{ <div id="error-banner" class="banner error" role="alert"><span>{e}</span></div> }) }
                { swarm_view::share(&sw, &swarm_dispatch) }
                { swarm_view::stage(&sw, &swarm_dispatch, &canvas, swarm.seek_ms.get()) }
            </div>
        };
    }
    let pg = state.pg.borrow();
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let d = dispatch.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e.data_transfer().and_then(|t| t.files()).and_then(|f| f.get(0)) {
                files::import(file, d.clone());
            }
        })
    };
    html! {
        <div class="app" {ondragover} {ondrop}>
            { toolbar::toolbar(&pg, &dispatch, &on_protocol) }
            { panels::banners(&pg, &dispatch) }
            { panels::share(&pg, &dispatch) }
            <main class="layout">
                <section class="stage">
                    { cluster::cluster_view(&pg, &dispatch) }
                    { panels::scrubber(&pg, &dispatch, state.seek_ms.get()) }
                    { panels::status_bar(&pg) }
                </section>
                <aside class="side">
                    { panels::about(&pg) }
                    { panels::inspector(&pg, &dispatch) }
                    { panels::invariants(&pg) }
                </aside>
                <section class="log-panel">
                    { panels::event_log(&pg, &dispatch) }
                    { metrics::metrics_panel(&pg) }
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
    // Through Yew, or Yew replaces the hook with its own when it renders.
    yew::set_custom_panic_hook(Box::new(|info| {
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
