//! The Raft view. The page is drawn on every frame; the [`Toolbar`] is a
//! component of its own with typed props, so a frame leaves it (and the
//! settings form in it) alone unless something it shows changed. The rest
//! are plain functions: cheap to redraw, and each extra component costs the
//! web bundle its own copy of Yew's lifecycle.

use super::toolbar::{Toolbar, ToolbarView};
use super::{cluster, metrics, panels};
use crate::viewmodel::playground::{Board, Gesture, Playground};
use crate::viewmodel::seen::raft::Raft;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// How many times the calling component has drawn, as `data-renders`
/// shows it (a browser test checks what a frame redraws).
#[hook]
pub fn use_render_count() -> String {
    let count = use_mut_ref(|| 0u64);
    *count.borrow_mut() += 1;
    let n = *count.borrow();
    n.to_string()
}

pub(super) fn error_banner(error: Option<&String>, dispatch: &Callback<Gesture>) -> Html {
    panels::error_banner(error, "error-banner", super::send(dispatch, Gesture::DismissError))
}

pub(super) fn share_panel<P: Board>(pg: &Playground<P>, dispatch: &Callback<Gesture>) -> Html {
    let Some(fragment) = &pg.share else { return html! {} };
    let caption = format!("A link to this run at t = {}", panels::format_time(pg.shared_at));
    panels::share_box(fragment, caption, super::send(dispatch, Gesture::CloseShare))
}

/// The loaded scenario's name and explanation.
pub(super) fn about<P: Board>(pg: &Playground<P>) -> Html {
    let s = pg.base();
    if s.description.is_empty() {
        return html! {};
    }
    html! {
        <section id="about" class="panel about" aria-label="About this scenario">
            <h2>{"Scenario"}</h2>
            <h3 class="about-name">{&s.name}</h3>
            <p>{&s.description}</p>
        </section>
    }
}

/// The whole Raft page: drawn by the app on every frame; the toolbar,
/// a component, is redrawn only when what it shows changes.
pub fn raft_page(
    pg: &Rc<RefCell<Playground<Raft>>>,
    dispatch: &Callback<Gesture>,
    on_protocol: &Callback<super::Choose>,
    seek_ms: f64,
    renders: String,
) -> Html {
    let pg = pg.borrow();
    let d = dispatch;
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let d = d.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e.data_transfer().and_then(|t| t.files()).and_then(|f| f.get(0)) {
                super::files::import(file, d.clone());
            }
        })
    };
    html! {
        <div class="app" {ondragover} {ondrop}>
            <Toolbar view={ToolbarView::of(&pg)} dispatch={d.clone()} on_protocol={on_protocol.clone()} />
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
                    { panels::inspector(&pg, d) }
                    { super::timeline::of_playground(&pg, d) }
                    { panels::invariants(&pg) }
                </aside>
                <section class="log-panel">
                    { panels::event_log(&pg, d) }
                    { metrics::metrics_panel(&pg) }
                </section>
            </main>
            { if pg.help_open { panels::help(crate::protocols::registry::View::Raft, super::send(d, Gesture::ToggleHelp)) } else { html! {} } }
        </div>
    }
}
