//! The Raft view as components. Each takes typed props and redraws only
//! when they change: the parts that show the simulation ([`Live`]) redraw
//! every frame; the toolbar, banners, help and scenario text redraw only
//! when what they show changes.

use super::toolbar::{Toolbar, ToolbarView};
use super::{cluster, metrics, panels};
use crate::model::playground::{Action, Playground};
use crate::sim::Time;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The model and its version: equal while nothing has changed.
#[derive(Clone)]
pub struct Live {
    pub pg: Rc<RefCell<Playground>>,
    pub version: u64,
}

impl PartialEq for Live {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.pg, &other.pg)
    }
}

#[derive(Properties, PartialEq)]
pub struct LiveProps {
    pub live: Live,
    pub dispatch: Callback<Action>,
    /// How long the last seek took (ms of wall time), for benchmarks.
    #[prop_or_default]
    pub seek_ms: f64,
}

/// How many times the calling component has drawn, as `data-renders`
/// shows it (a browser test checks what a frame redraws).
#[hook]
pub fn use_render_count() -> String {
    let count = use_mut_ref(|| 0u64);
    *count.borrow_mut() += 1;
    let n = *count.borrow();
    n.to_string()
}

/// The cluster, the scrubber and the status line.
#[function_component]
pub fn Stage(p: &LiveProps) -> Html {
    let renders = use_render_count();
    let pg = p.live.pg.borrow();
    html! {
        <section class="stage" data-renders={renders}>
            { cluster::cluster_view(&pg, &p.dispatch) }
            { panels::scrubber(&pg, &p.dispatch, p.seek_ms) }
            { panels::status_bar(&pg) }
        </section>
    }
}

/// The inspector and the invariants.
#[function_component]
pub fn Side(p: &LiveProps) -> Html {
    let pg = p.live.pg.borrow();
    html! { <>{ panels::inspector(&pg, &p.dispatch) }{ panels::invariants(&pg) }</> }
}

/// The event log and the metrics.
#[function_component]
pub fn Records(p: &LiveProps) -> Html {
    let pg = p.live.pg.borrow();
    html! {
        <section class="log-panel">
            { panels::event_log(&pg, &p.dispatch) }
            { metrics::metrics_panel(&pg) }
        </section>
    }
}

/// The first violation, once there is one.
#[function_component]
pub fn ViolationBanner(p: &LiveProps) -> Html {
    panels::violation(&p.live.pg.borrow())
}

#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component]
pub fn ErrorBanner(p: &ErrorProps) -> Html {
    let Some(e) = &p.error else { return html! {} };
    let d = p.dispatch.clone();
    let dismiss = Callback::from(move |_| d.emit(Action::DismissError));
    html! {
        <div id="error-banner" class="banner error" role="alert">
            <span>{e}</span>
            <button onclick={dismiss} title="Dismiss this message">{"Dismiss"}</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The link's fragment and the instant it replays to.
    pub share: Option<(String, Time)>,
    pub dispatch: Callback<Action>,
}

#[function_component]
pub fn SharePanel(p: &ShareProps) -> Html {
    let Some((fragment, at)) = &p.share else { return html! {} };
    let d = p.dispatch.clone();
    let caption = format!("A link to this run at t = {}", panels::format_time(*at));
    panels::share_box(fragment, caption, Callback::from(move |_| d.emit(Action::CloseShare)))
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub open: bool,
    pub dispatch: Callback<Action>,
}

#[function_component]
pub fn Help(p: &HelpProps) -> Html {
    if p.open {
        panels::help(&p.dispatch)
    } else {
        html! {}
    }
}

#[derive(Properties, PartialEq)]
pub struct AboutProps {
    pub name: AttrValue,
    pub description: AttrValue,
}

/// The loaded scenario's name and explanation.
#[function_component]
pub fn About(p: &AboutProps) -> Html {
    if p.description.is_empty() {
        return html! {};
    }
    html! {
        <section id="about" class="panel about" aria-label="About this scenario">
            <h2>{"Scenario"}</h2>
            <h3 class="about-name">{p.name.clone()}</h3>
            <p>{p.description.clone()}</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PageProps {
    pub live: Live,
    pub dispatch: Callback<Action>,
    pub on_protocol: Callback<String>,
    pub seek_ms: f64,
}

/// The whole Raft page.
#[function_component]
pub fn RaftPage(p: &PageProps) -> Html {
    let pg = p.live.pg.borrow();
    let d = &p.dispatch;
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
    let live = p.live.clone();
    let base = pg.base();
    html! {
        <div class="app" {ondragover} {ondrop}>
            <Toolbar view={ToolbarView::of(&pg)} dispatch={d.clone()} on_protocol={p.on_protocol.clone()} />
            <ErrorBanner error={pg.error.clone()} dispatch={d.clone()} />
            <ViolationBanner live={live.clone()} dispatch={d.clone()} />
            <SharePanel share={pg.share.clone().map(|s| (s, pg.shared_at))} dispatch={d.clone()} />
            <main class="layout">
                <Stage live={live.clone()} dispatch={d.clone()} seek_ms={p.seek_ms} />
                <aside class="side">
                    <About name={base.name.clone()} description={base.description.clone()} />
                    <Side live={live.clone()} dispatch={d.clone()} />
                </aside>
                <Records {live} dispatch={d.clone()} />
            </main>
            <Help open={pg.help_open} dispatch={d.clone()} />
        </div>
    }
}
