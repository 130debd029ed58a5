//! The browser's edges, through gloo: the frame loop, keyboard shortcuts,
//! links pasted into an open tab, local storage, and the panic banner.

use super::{ActiveView, ADVANCE_US};
use crate::protocols::registry::View;
use crate::viewmodel::compare::CompareGesture;
use crate::viewmodel::fragment::{self, Open};
use crate::viewmodel::playground::{Edit, Gesture};
use crate::viewmodel::swarm::SwarmGesture;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::storage::{LocalStorage, Storage};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn window() -> web_sys::Window {
    gloo::utils::window()
}

/// The page's clock (performance.now(), ms).
pub fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

pub fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
export function deflate_raw(bytes, done) {
  const root = document.documentElement;
  root.dataset.deflating = String(Number(root.dataset.deflating || 0) + 1);
  const settle = (out) => {
    done(out);
    const left = Number(root.dataset.deflating) - 1;
    if (left > 0) root.dataset.deflating = String(left); else delete root.dataset.deflating;
  };
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  new Response(stream).arrayBuffer().then((b) => settle(new Uint8Array(b)), () => settle(null));
}")]
extern "C" {
    #[wasm_bindgen(js_name = deflate_raw)]
    fn deflate_raw_js(bytes: &[u8], done: wasm_bindgen::JsValue);
}

// Declared in every build, after `deflate_raw`, so that the page's and
// the worker's builds number their JS snippets alike (they share a folder).
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
export function fetch_texts(urls, done) {
  Promise.all(urls.map((u) => fetch(u).then((r) => {
    if (!r.ok) throw new Error(`${u}: HTTP ${r.status}`);
    return r.text();
  }))).then((texts) => done(texts, ''), (e) => done([], String(e && e.message || e)));
}")]
extern "C" {
    #[wasm_bindgen(js_name = fetch_texts)]
    fn fetch_texts_js(urls: js_sys::Array, done: wasm_bindgen::JsValue);
}

/// Fetches the preset scenarios (`scenarios/<id>.json`, beside the page)
/// and the example comparisons (`comparisons/<id>.json`), hands them over,
/// then runs `then`.
/// If they cannot be fetched, the page says so instead of starting.
#[cfg(feature = "fetch-presets")]
pub fn fetch_presets(then: impl FnOnce() + 'static) {
    use crate::scenario::presets::PRESETS;
    use crate::viewmodel::compare::EXAMPLES;
    let urls: js_sys::Array = PRESETS
        .iter()
        .map(|p| format!("scenarios/{}.json", p.id))
        .chain(EXAMPLES.iter().map(|e| format!("comparisons/{}.json", e.0)))
        .map(wasm_bindgen::JsValue::from)
        .collect();
    let done = wasm_bindgen::closure::Closure::once_into_js(move |texts: js_sys::Array, err: String| {
        if err.is_empty() {
            let mut all: Vec<String> = texts.iter().map(|t| t.as_string().unwrap_or_default()).collect();
            crate::viewmodel::compare::FETCHED.provide(all.split_off(PRESETS.len()));
            crate::scenario::presets::FETCHED.provide(all);
            then();
        } else if let Some(body) = window().document().and_then(|d| d.body()) {
            body.set_text_content(Some(&format!(
                "splitbrain could not load its preset scenarios ({err}). Reload the page to try again."
            )));
        }
    });
    fetch_texts_js(urls, done);
}

/// A link's fragment for `s` seen at `at_us`, made once the browser has
/// deflated it (`None` if it could not).
pub fn fragment_for(
    s: &crate::scenario::Scenario,
    at_us: crate::sim::Time,
    done: impl FnOnce(Option<String>) + 'static,
) {
    let json = crate::scenario::codec::link_json(s);
    deflate_raw(&json, move |out| done(out.map(|bytes| crate::scenario::codec::fragment_of(&bytes, at_us))));
}

/// Raw DEFLATE by the browser's own `CompressionStream`, then `done` with
/// the bytes (or `None` if the browser could not). While any is under way
/// the page's root element carries `data-deflating` (how many), so a test
/// can wait for the link instead of for the clock. Share links use it, so
/// the bundle carries no compressor of its own (natively, miniz deflates;
/// both sides read either's links).
pub fn deflate_raw(bytes: &[u8], done: impl FnOnce(Option<Vec<u8>>) + 'static) {
    let done = wasm_bindgen::closure::Closure::once_into_js(move |out: wasm_bindgen::JsValue| {
        done(out.dyn_into::<js_sys::Uint8Array>().ok().map(|a| a.to_vec()))
    });
    deflate_raw_js(bytes, done);
}

/// Whether the page may use local storage (a browser can forbid it, and
/// gloo throws rather than returns an error then).
fn storage_allowed() -> bool {
    matches!(window().local_storage(), Ok(Some(_)))
}

/// A stored string, if there is one.
pub fn load(key: &str) -> Option<String> {
    storage_allowed().then(|| LocalStorage::get::<String>(key).ok()).flatten()
}

/// Stores a string; a full or forbidden storage loses only the autosave.
pub fn save(key: &str, value: &str) {
    if storage_allowed() {
        let _ = LocalStorage::set(key, value);
    }
}

/// Removes the fragment from the address bar once it has been loaded, so a
/// reload restores the autosave (the run as it is now) instead.
pub fn clear_fragment() {
    let w = window();
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}

/// Whether the person asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    window().match_media("(prefers-reduced-motion: reduce)").ok().flatten().is_some_and(|m| m.matches())
}

/// Sets or clears classes on `<body>` (the page's modes, which its CSS
/// reads).
pub fn body_classes(classes: &[(&str, bool)]) {
    let Some(list) = window().document().and_then(|d| d.body()).map(|b| b.class_list()) else { return };
    for (name, on) in classes {
        let _ = list.toggle_with_force(name, *on);
    }
}

/// Sends the showing view a `Tick` every animation frame while mounted.
#[hook]
pub fn use_frames(to: Routes, active: ActiveView) {
    use_effect_with((), move |_| {
        type Slot = Rc<RefCell<Option<AnimationFrame>>>;
        fn schedule(slot: Slot, tick: Callback<f64>) {
            let next = slot.clone();
            let frame = request_animation_frame(move |wall_ms| {
                tick.emit(wall_ms);
                schedule(next, tick);
            });
            *slot.borrow_mut() = Some(frame);
        }
        let tick = Callback::from(move |wall_ms: f64| match active.get() {
            _ if (to.comparing)() => to.compare.emit(CompareGesture::Tick { wall_ms }),
            View::Raft => to.raft.emit(Gesture::Tick { wall_ms }),
            View::Swarm => to.swarm.emit(SwarmGesture::Tick { wall_ms }),
            View::Store => to.store.emit(Gesture::Tick { wall_ms }),
            View::Board => to.board.emit(Gesture::Tick { wall_ms }),
        });
        let slot: Slot = Rc::default();
        schedule(slot.clone(), tick);
        // Dropping the pending frame cancels it.
        move || drop(slot.borrow_mut().take())
    });
}

/// The shortcut a key press names (ignored while typing in a field).
fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Gesture> {
    let el = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let range = el.as_ref().and_then(|el| el.dyn_ref::<web_sys::HtmlInputElement>()).filter(|i| i.type_() == "range");
    // A slider takes no text, so the shortcuts work on it; but its arrows are
    // its own, except on the timeline, where they step one event (not 1 µs).
    let typing = range.is_none()
        && el.as_ref().is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
    let arrow = matches!(e.key().as_str(), "ArrowLeft" | "ArrowRight");
    let own_arrows = range.is_some_and(|r| r.id() != "scrubber");
    // Ctrl+Z and Ctrl+Shift+Z (⌘ on a Mac): undo and redo a timeline edit.
    if !typing && (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("z") {
        let edit = if e.shift_key() { Edit::Redo } else { Edit::Undo };
        return Some(Gesture::Edit(edit));
    }
    if typing || (arrow && own_arrows) || e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    Some(match e.key().as_str() {
        " " => Gesture::TogglePlay,
        "ArrowRight" if e.shift_key() => Gesture::Advance(ADVANCE_US),
        "ArrowRight" => Gesture::Step,
        "ArrowLeft" => Gesture::StepBack,
        "[" => Gesture::Slower,
        "]" => Gesture::Faster,
        "k" => Gesture::KillLeader,
        "a" => Gesture::AddSpare,
        "h" => Gesture::Do(crate::scenario::Action::HealAll),
        "r" => Gesture::Reset,
        "?" => Gesture::ToggleHelp,
        "d" => Gesture::Diagram(crate::viewmodel::diagram::DiagramGesture::Toggle),
        "Escape" => Gesture::Escape,
        _ => return None,
    })
}

/// What a shortcut does in compare mode, if anything.
fn compare_key(g: Gesture) -> Option<CompareGesture> {
    use crate::viewmodel::compare::STEP_US;
    Some(match g {
        Gesture::TogglePlay => CompareGesture::TogglePlay,
        Gesture::Advance(dt) => CompareGesture::Advance(dt),
        Gesture::Step => CompareGesture::Advance(STEP_US),
        Gesture::StepBack => CompareGesture::Back(STEP_US),
        Gesture::Slower => CompareGesture::Slower,
        Gesture::Faster => CompareGesture::Faster,
        Gesture::Reset => CompareGesture::Reset,
        Gesture::Do(a) => CompareGesture::Fault(a),
        Gesture::Escape => CompareGesture::Escape,
        _ => return None,
    })
}

/// Global keyboard shortcuts, for whichever view is showing.
#[hook]
pub fn use_keys(to: Routes, active: ActiveView) {
    use_effect_with((), move |_| {
        let doc = gloo::utils::document();
        // Not passive: a handled key must not also scroll the page.
        let listener = EventListener::new_with_options(
            &doc,
            "keydown",
            EventListenerOptions::enable_prevent_default(),
            move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                let Some(action) = shortcut(e) else { return };
                if (to.comparing)() {
                    if let Some(c) = compare_key(action) {
                        to.compare.emit(c);
                        e.prevent_default();
                    }
                    return;
                }
                let swarm_action = match &action {
                    Gesture::TogglePlay => Some(SwarmGesture::TogglePlay),
                    Gesture::Step => Some(SwarmGesture::Step),
                    Gesture::Reset => Some(SwarmGesture::Reset),
                    Gesture::Advance(dt) => Some(SwarmGesture::Advance(*dt)),
                    Gesture::Slower => Some(SwarmGesture::Slower),
                    Gesture::Faster => Some(SwarmGesture::Faster),
                    Gesture::ToggleHelp => Some(SwarmGesture::ToggleHelp),
                    Gesture::Escape => Some(SwarmGesture::Escape),
                    Gesture::Diagram(g) => Some(SwarmGesture::Diagram(g.clone())),
                    Gesture::Edit(e) => Some(SwarmGesture::Edit(e.clone())),
                    _ => None,
                };
                match (active.get(), swarm_action) {
                    (View::Swarm, Some(a)) => to.swarm.emit(a),
                    (View::Swarm, None) => return,
                    (View::Raft, _) => to.raft.emit(action),
                    (View::Store, _) => to.store.emit(action),
                    (View::Board, _) => to.board.emit(action),
                }
                e.prevent_default();
            },
        );
        move || drop(listener)
    });
}

/// Each view's dispatch, for links, frames and keys that may go to any.
#[derive(Clone)]
pub struct Routes {
    pub raft: Callback<Gesture>,
    pub swarm: Callback<SwarmGesture>,
    pub store: Callback<Gesture>,
    pub board: Callback<Gesture>,
    pub compare: Callback<CompareGesture>,
    /// Whether compare mode is showing (it takes the frames and keys).
    pub comparing: Rc<dyn Fn() -> bool>,
}

impl Routes {
    /// Opens or closes a view's space-time diagram.
    pub fn toggle_diagram(&self, view: View) {
        let g = crate::viewmodel::diagram::DiagramGesture::Toggle;
        match view {
            View::Raft => self.raft.emit(Gesture::Diagram(g)),
            View::Swarm => self.swarm.emit(SwarmGesture::Diagram(g)),
            View::Store => self.store.emit(Gesture::Diagram(g)),
            View::Board => self.board.emit(Gesture::Diagram(g)),
        }
    }

    /// Plays or pauses a view's run.
    pub fn toggle_play(&self, view: View) {
        match view {
            View::Raft => self.raft.emit(Gesture::TogglePlay),
            View::Swarm => self.swarm.emit(SwarmGesture::TogglePlay),
            View::Store => self.store.emit(Gesture::TogglePlay),
            View::Board => self.board.emit(Gesture::TogglePlay),
        }
    }

    /// Restores a view's autosaved run.
    pub fn restore(&self, view: View, saved: String) {
        match view {
            View::Raft => self.raft.emit(Gesture::Restore(saved)),
            View::Swarm => self.swarm.emit(SwarmGesture::Restore(saved)),
            View::Store => self.store.emit(Gesture::Restore(saved)),
            View::Board => self.board.emit(Gesture::Restore(saved)),
        }
    }
}

/// Shows the view a fragment asks for and hands it the fragment's actions;
/// a link that cannot open says why in the view that is showing.
pub fn open_fragment(open: Open, to: &Routes, show: &Callback<View>, active: View) {
    // A link to a view leaves compare mode; a bad link while comparing is
    // reported there.
    if matches!(open, Open::Raft(_) | Open::Swarm(_) | Open::Store(_) | Open::Board(_)) {
        to.compare.emit(CompareGesture::Close);
    }
    match open {
        Open::Nothing => return,
        Open::Error(e) if (to.comparing)() => to.compare.emit(CompareGesture::ShowError(e)),
        Open::Raft(actions) => {
            show.emit(View::Raft);
            actions.into_iter().for_each(|a| to.raft.emit(a));
        }
        Open::Swarm(actions) => {
            show.emit(View::Swarm);
            actions.into_iter().for_each(|a| to.swarm.emit(a));
        }
        Open::Store(actions) => {
            show.emit(View::Store);
            actions.into_iter().for_each(|a| to.store.emit(a));
        }
        Open::Board(actions) => {
            show.emit(View::Board);
            actions.into_iter().for_each(|a| to.board.emit(a));
        }
        Open::Compare { text, at_us } => to.compare.emit(CompareGesture::Open { text, at_us }),
        Open::Error(e) => match active {
            View::Raft => to.raft.emit(Gesture::ShowError(e)),
            View::Swarm => to.swarm.emit(SwarmGesture::ShowError(e)),
            View::Store => to.store.emit(Gesture::ShowError(e)),
            View::Board => to.board.emit(Gesture::ShowError(e)),
        },
    }
    clear_fragment();
}

/// A link pasted into a tab that is already open (any form: `#s=`, `#g=`,
/// `#gossip=`, `#preset=`, settings) opens just as it does on a fresh load.
#[hook]
pub fn use_hash_links(to: Routes, show: Callback<View>, active: ActiveView) {
    use_effect_with((), move |_| {
        let listener = EventListener::new(&window(), "hashchange", move |_| {
            super::tour::note_step(&current_hash());
            open_fragment(fragment::parse(&current_hash()), &to, &show, active.get());
        });
        move || drop(listener)
    });
}

/// Shows a banner over the page when Rust panics: the wasm instance is gone
/// after a panic, so the banner is plain DOM, and "Reset" reloads the page
/// with the same settings (they live in the URL).
pub fn install_panic_hook() {
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
