//! The guided tour's card and its wiring: the walk ([`Walk`]) is held
//! above the views, since a step may open a preset of another view; each
//! step's cue goes to the view that shows it.
//!
//! A scenario that carries a tour starts it when it shows (from the Tours
//! menu, a preset link, a file); `#preset=<tour>&step=N` opens at step N.

use super::browser::Routes;
use super::Choose;
use crate::protocols::registry::View;
use crate::scenario::{presets, Scenario};
use crate::sim::Time;
use crate::viewmodel::playground::Gesture;
use crate::viewmodel::swarm::SwarmGesture;
use crate::viewmodel::tour::{Cue, Show, Walk};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

thread_local! {
    /// A link's `step=N`, until the tour it names shows.
    static PENDING_STEP: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Notes a link's `step=N`, for the tour the link opens.
pub fn note_step(hash: &str) {
    let step = hash
        .trim_start_matches('#')
        .split('&')
        .find_map(|p| p.strip_prefix("step="))
        .and_then(|v| v.parse::<usize>().ok())
        .map(|n| n.saturating_sub(1));
    if step.is_some() {
        PENDING_STEP.with(|p| p.set(step));
    }
}

/// Calls its argument with the run showing: its scenario, instant, and
/// whether it plays.
pub type Showing = Rc<dyn Fn(&mut dyn FnMut(&Scenario, Time, bool))>;

/// A move on the tour card.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Move {
    Next,
    Back,
    Close,
}

/// The tour being walked, shared by the card, the keys and the frames.
#[derive(Clone, Default)]
pub struct Host {
    walk: Rc<RefCell<Option<Walk>>>,
    /// The tour closed by hand (its title), which does not start again
    /// while its run shows, until chosen from the menu.
    dismissed: Rc<RefCell<Option<String>>>,
}

impl Host {
    /// What the card shows: title, step index, count, caption, link.
    pub fn card(&self) -> Option<(String, usize, usize, String, Option<String>)> {
        let w = self.walk.borrow();
        let w = w.as_ref()?;
        let link = presets::PRESETS
            .iter()
            .find(|p| p.is_tour() && p.name() == w.title())
            .map(|p| format!("#preset={}&step={}", p.id, w.index + 1));
        Some((w.title().to_string(), w.index, w.len(), w.step().caption.clone(), link))
    }

    /// A tour chosen from the menu starts afresh, even one closed before.
    pub fn restart(&self) {
        self.walk.borrow_mut().take();
        self.dismissed.borrow_mut().take();
        PENDING_STEP.with(|p| p.set(None));
    }

    /// After each render: starts the tour of a run that shows one, and
    /// moves a playing run's tour on when it reaches the next step. Returns
    /// the cue to carry out, if any.
    pub fn follow(&self, showing: &Scenario, now: Time, playing: bool) -> Option<Cue> {
        let mut walk = self.walk.borrow_mut();
        let attached = walk.as_ref().is_some_and(|w| w.is_of(showing));
        let mut fresh = false;
        if !attached && !showing.tour.is_empty() && self.dismissed.borrow().as_deref() != Some(&showing.name) {
            *walk = Walk::of(showing);
            fresh = true;
        }
        let w = walk.as_mut()?;
        if w.is_of(showing) {
            if let Some(i) = PENDING_STEP.with(|p| p.take()) {
                return Some(w.go(i, showing));
            }
        }
        if fresh {
            if now == 0 {
                return Some(w.go(0, showing));
            }
            w.resume_at(now);
            return Some(Cue { show: None, highlight: w.step().highlight.clone() });
        }
        if playing {
            return w.reached(showing, now);
        }
        None
    }

    /// Next, Back or Close, from the run showing.
    pub fn step(&self, m: Move, showing: &Scenario) -> Option<Cue> {
        let mut walk = self.walk.borrow_mut();
        match m {
            Move::Next => walk.as_mut()?.next(showing),
            Move::Back => walk.as_mut()?.back(showing),
            Move::Close => {
                let w = walk.take()?;
                *self.dismissed.borrow_mut() = Some(w.title().to_string());
                Some(Cue { show: None, highlight: Vec::new() })
            }
        }
    }
}

/// Carries out a cue: shows the view its step needs, then opens or moves
/// the run there, and rings its nodes.
pub fn perform(cue: Cue, routes: &Routes, show: &Callback<View>, active: View) {
    let view = match &cue.show {
        Some(Show::Load { scenario, .. }) => scenario.protocol.kind().view(),
        _ => active,
    };
    if view != active {
        show.emit(view);
    }
    let playground = |to: &Callback<Gesture>| {
        match cue.show.clone() {
            Some(Show::Load { scenario, at_us, playing, .. }) => {
                to.emit(Gesture::Load { scenario, at_us: Some(at_us), playing })
            }
            Some(Show::Jump { at_us, playing }) => {
                to.emit(Gesture::GoTo(at_us));
                if playing {
                    to.emit(Gesture::TogglePlay);
                }
            }
            None => {}
        }
        to.emit(Gesture::Highlight(cue.highlight.clone()));
    };
    match view {
        View::Raft => playground(&routes.raft),
        View::Store => playground(&routes.store),
        View::Board => playground(&routes.board),
        View::Swarm => {
            let to = &routes.swarm;
            match cue.show.clone() {
                Some(Show::Load { scenario, preset, at_us, playing }) => {
                    to.emit(SwarmGesture::Load { scenario, preset, at_us, playing })
                }
                Some(Show::Jump { at_us, playing }) => {
                    to.emit(SwarmGesture::GoTo(at_us));
                    if playing {
                        to.emit(SwarmGesture::TogglePlay);
                    }
                }
                None => {}
            }
            to.emit(SwarmGesture::Select(cue.highlight.first().copied()));
        }
    }
}

/// `n` and `p` move the tour on and back (not while typing).
#[hook]
pub fn use_tour_keys(on_move: Callback<Move>) {
    use_effect_with((), move |_| {
        let listener = gloo::events::EventListener::new(&gloo::utils::document(), "keydown", move |e| {
            let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            if super::lab::typing(k) || k.ctrl_key() || k.meta_key() || k.alt_key() {
                return;
            }
            match k.key().as_str() {
                "n" => on_move.emit(Move::Next),
                "p" => on_move.emit(Move::Back),
                _ => {}
            }
        });
        move || drop(listener)
    });
}

/// The tour's card: its title, where it is, the caption, Back and Next.
pub fn card(host: &Host, on_move: &Callback<Move>) -> Html {
    let Some((title, i, n, caption, link)) = host.card() else { return html! {} };
    let go = |m: Move| on_move.reform(move |_: MouseEvent| m);
    let pct = (i + 1) as f64 / n as f64 * 100.0;
    html! {
        <aside id="tour" class="tour" role="region" aria-label="Guided tour" data-step={(i + 1).to_string()}>
            <div class="tour-head">
                <span class="tour-title">{title}</span>
                <span id="tour-progress" class="tour-progress">{format!("Step {} of {n}", i + 1)}</span>
                <button id="tour-close" class="icon" onclick={go(Move::Close)} aria-label="Close the tour" title="Close the tour; the run stays where it is">{"✕"}</button>
            </div>
            <div class="tour-bar" role="progressbar" aria-label="Tour progress" aria-valuemin="1" aria-valuemax={n.to_string()} aria-valuenow={(i + 1).to_string()}>
                <span style={format!("width:{pct:.1}%")}></span>
            </div>
            <p id="tour-caption" aria-live="polite">{caption}</p>
            <div class="tour-nav">
                <button id="tour-back" onclick={go(Move::Back)} disabled={i == 0} title="The step before (p)">{"← Back"}</button>
                if let Some(href) = link {
                    <a id="tour-link" {href} title="A link to this step of the tour">{"Link to this step"}</a>
                }
                <button id="tour-next" class="primary" onclick={go(Move::Next)} disabled={i + 1 == n} title="The next step (n)">{"Next →"}</button>
            </div>
        </aside>
    }
}

/// The Tours menu: every tour preset.
pub fn menu(on_change: &Callback<Choose>) -> Html {
    let cb = on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            if let Some(p) = presets::find(&sel.value()) {
                cb.emit(Choose::Tour(p.id));
            }
            sel.set_value("");
        }
    });
    html! {
        <select id="tours" class="tours" aria-label="Take a guided tour" title="Guided tours: a run with captions at its key moments, and Next and Back (n, p)" {onchange}>
            <option value="" selected=true>{"▶ Tours"}</option>
            { for presets::PRESETS.iter().filter(|p| p.is_tour()).map(|p| html! {
                <option value={p.id}>{p.name().trim_start_matches("Tour: ")}</option>
            }) }
        </select>
    }
}
