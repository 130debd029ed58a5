//! The playground UI (wasm only): components over the models in
//! [`crate::viewmodel`].
//!
//! One app draws every protocol: one reducer per view (the registry's
//! [`View`]) holds its model; every gesture is a named action,
//! and `requestAnimationFrame` (see [`browser`]) sends a `Tick` each frame.
//! The components take typed props, so a frame redraws what shows the
//! simulation and leaves the toolbar, banners and help alone.

mod board_view;
mod browser;
mod cluster;
mod compare;
mod diagram;
mod face;
mod faces;
mod field;
mod files;
mod hunt;
mod lab;
pub mod lab_worker;
mod menus;
mod metrics;
mod panels;
mod pen;
mod pictures;
mod raft_view;
mod store_face;
mod store_panels;
mod store_view;
mod swarm_view;
mod timeline;
mod toolbar;
mod tour;

use crate::protocols::registry::View;
use crate::viewmodel::boards::Boards;
use crate::viewmodel::compare::{Compare, CompareGesture};
use crate::viewmodel::fragment;
use crate::viewmodel::playground::{Board, Gesture, Playground};
use crate::viewmodel::seen::raft::Raft;
use crate::viewmodel::seen::store::StoreNode;
use crate::viewmodel::swarm::{Swarm, SwarmGesture};
use browser::{load, now_ms, save};
use raft_view::{raft_page, use_render_count};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// A click handler that sends `action`: one closure type for every such
/// button, so the bundle carries its code once.
pub(crate) fn send<A: Clone + 'static>(dispatch: &Callback<A>, action: A) -> Callback<MouseEvent> {
    let d = dispatch.clone();
    Callback::from(move |_: MouseEvent| d.emit(action.clone()))
}

/// Which view was showing, in local storage.
const VIEW_KEY: &str = "splitbrain.view";

/// How far Shift+→ runs simulated time.
pub(crate) const ADVANCE_US: crate::sim::Time = 100_000;

/// Which view is showing; the frame loop and the keys read it.
pub(crate) type ActiveView = Rc<Cell<View>>;

/// What the protocol selector asks for: a view, or the Experiments panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Choose {
    View(View),
    Experiments,
    FindABug,
    /// Open or close the space-time diagram of the view showing.
    Diagram,
    /// Start a guided tour (a preset that has one).
    Tour(&'static str),
    /// Open compare mode on an example comparison.
    Compare(&'static str),
    /// Open compare mode on two forks of the run showing, at its instant.
    Fork,
    /// Show a protocol of the board view.
    Protocol(crate::protocols::registry::ProtocolKind),
}

/// A view's reducer: the model behind an `Rc<RefCell>`; each action returns
/// a new `Rc` (so Yew redraws) without cloning the simulation.
pub struct Reduced<M, A> {
    model: Rc<RefCell<M>>,
    /// The view's own dispatch, for what finishes later (a share link the
    /// browser deflates asynchronously).
    sender: Rc<RefCell<Option<Callback<A>>>>,
    /// How long the last seek took (ms of wall time), shown for benchmarks.
    seek_ms: Rc<Cell<f64>>,
    /// Wall time of the last autosave.
    saved_at: Rc<Cell<f64>>,
}

impl<M, A> Reduced<M, A> {
    fn new(model: M) -> Self {
        Reduced {
            model: Rc::new(RefCell::new(model)),
            sender: Rc::default(),
            seek_ms: Rc::new(Cell::new(0.0)),
            saved_at: Rc::new(Cell::new(0.0)),
        }
    }

    /// Applies one action: times seeks, and autosaves after every gesture
    /// and about once a second while running.
    fn step(self: Rc<Self>, tick: bool, seek: bool, apply: impl FnOnce(&mut M), autosave: impl Fn(&M)) -> Rc<Self> {
        let started = now_ms();
        apply(&mut self.model.borrow_mut());
        if seek {
            self.seek_ms.set(now_ms() - started);
        }
        let wall = now_ms();
        if !tick || wall - self.saved_at.get() > 1000.0 {
            self.saved_at.set(wall);
            autosave(&self.model.borrow());
        }
        Rc::new(Reduced {
            model: self.model.clone(),
            sender: self.sender.clone(),
            seek_ms: self.seek_ms.clone(),
            saved_at: self.saved_at.clone(),
        })
    }

    /// Makes a share link: the browser deflates the scenario, then `done`
    /// turns the link into the view's action.
    fn share(
        &self,
        scenario: &crate::scenario::Scenario,
        at: crate::sim::Time,
        done: fn(String, crate::sim::Time) -> A,
        fail: fn(String) -> A,
    ) where
        A: 'static,
    {
        let Some(send) = self.sender.borrow().clone() else { return };
        browser::fragment_for(scenario, at, move |out| match out {
            Some(fragment) => send.emit(done(fragment, at)),
            None => send.emit(fail(
                "This browser could not compress the share link; Export saves the scenario as a file instead.".into(),
            )),
        });
    }
}

impl<P: Board> Reducible for Reduced<Playground<P>, Gesture> {
    type Action = Gesture;
    fn reduce(self: Rc<Self>, action: Gesture) -> Rc<Self> {
        if action == Gesture::Share {
            let pg = self.model.borrow();
            self.share(pg.scenario(), pg.now(), Gesture::Shared, Gesture::ShowError);
        }
        if action == Gesture::Export {
            // Serialised at click time, not on every frame's render.
            if files::export(self.model.borrow().scenario()).is_err() {
                self.model.borrow_mut().apply(Gesture::ShowError("The browser refused the download.".into()));
            }
        }
        let tick = matches!(action, Gesture::Tick { .. });
        let seek = matches!(action, Gesture::Seek(_) | Gesture::StepBack);
        let key = P::KIND.view().autosave_key();
        self.step(tick, seek, |pg| pg.apply(action), |pg| save(key, &pg.autosave()))
    }
}

impl Reducible for Reduced<Boards, Gesture> {
    type Action = Gesture;
    fn reduce(self: Rc<Self>, action: Gesture) -> Rc<Self> {
        if action == Gesture::Share {
            let b = self.model.borrow();
            self.share(b.run().scenario(), b.run().now(), Gesture::Shared, Gesture::ShowError);
        }
        if action == Gesture::Export && files::export(self.model.borrow().run().scenario()).is_err() {
            self.model.borrow_mut().apply(Gesture::ShowError("The browser refused the download.".into()));
        }
        let tick = matches!(action, Gesture::Tick { .. });
        let seek = matches!(action, Gesture::Seek(_) | Gesture::StepBack);
        self.step(tick, seek, |b| b.apply(action), |b| save(View::Board.autosave_key(), &b.run().autosave()))
    }
}

impl Reducible for Reduced<Swarm, SwarmGesture> {
    type Action = SwarmGesture;
    fn reduce(self: Rc<Self>, action: SwarmGesture) -> Rc<Self> {
        if action == SwarmGesture::Share {
            let s = self.model.borrow();
            self.share(s.scenario(), s.now(), |fragment, _| SwarmGesture::Shared(fragment), SwarmGesture::ShowError);
        }
        if action == SwarmGesture::Export {
            let s = self.model.borrow();
            let failed = files::download(&s.to_json(), &format!("gossip {}", s.preset), s.seed).is_err();
            drop(s);
            if failed {
                self.model.borrow_mut().apply(SwarmGesture::ShowError("The browser refused the download.".into()));
            }
        }
        let tick = matches!(action, SwarmGesture::Tick { .. });
        let seek = matches!(action, SwarmGesture::Seek(_));
        self.step(tick, seek, |s| s.apply(action), |s| save(View::Swarm.autosave_key(), &s.autosave()))
    }
}

impl Reducible for Reduced<Compare, CompareGesture> {
    type Action = CompareGesture;
    fn reduce(self: Rc<Self>, action: CompareGesture) -> Rc<Self> {
        if action == CompareGesture::Share {
            let c = self.model.borrow();
            let (json, at) = (serde_json::to_vec(&c.comparison()).unwrap_or_default(), c.now());
            if let Some(send) = self.sender.borrow().clone() {
                browser::deflate_raw(&json, move |out| {
                    send.emit(match out {
                        Some(b) => CompareGesture::Shared(crate::scenario::codec::compare_fragment_of(&b, at)),
                        None => CompareGesture::ShowError("This browser could not compress the share link; Export saves the comparison as a file instead.".into()),
                    })
                });
            }
        }
        if action == CompareGesture::Export {
            let c = self.model.borrow();
            let failed = files::download(&c.to_json(), &c.name, 0).is_err();
            drop(c);
            if failed {
                self.model.borrow_mut().apply(CompareGesture::ShowError("The browser refused the download.".into()));
            }
        }
        let tick = matches!(action, CompareGesture::Tick { .. });
        self.step(tick, matches!(action, CompareGesture::Seek(_)), |c| c.apply(action), |_| {})
    }
}

/// A callback into a reducer that stays the same object across renders,
/// so that components given it are not redrawn for it.
#[hook]
fn use_dispatch<M: 'static, A: 'static>(handle: &UseReducerHandle<Reduced<M, A>>) -> Callback<A>
where
    Reduced<M, A>: Reducible<Action = A>,
{
    let dispatcher = handle.dispatcher();
    let cb = (*use_memo((), move |_| Callback::from(move |a| dispatcher.dispatch(a)))).clone();
    handle.sender.borrow_mut().get_or_insert_with(|| cb.clone());
    cb
}

/// Shows a view: restores its autosaved run the first time it shows (a
/// link's actions then go on top of it), and remembers it for next time.
#[hook]
fn use_show(routes: browser::Routes, active: ActiveView, set_view: UseStateSetter<View>) -> Callback<View> {
    let restored = Rc::new(RefCell::new(Vec::<View>::new()));
    (*use_memo((), move |_| {
        Callback::from(move |which: View| {
            if !restored.borrow().contains(&which) {
                restored.borrow_mut().push(which);
                if let Some(saved) = load(which.autosave_key()) {
                    routes.restore(which, saved);
                }
            }
            active.set(which);
            set_view.set(which);
            save(VIEW_KEY, which.key());
        })
    }))
    .clone()
}

/// Opens or closes the Experiments panel. The playground behind the open
/// panel pauses, so that the worker has the CPU and the page's frames stay
/// short; it plays again on close, unless it was paused by hand.
#[hook]
fn use_lab_toggle(
    set: UseStateSetter<bool>,
    active: ActiveView,
    playing: Rc<dyn Fn(View) -> bool>,
    routes: browser::Routes,
) -> Callback<bool> {
    let (resume, shown) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    (*use_memo((), move |_| {
        Callback::from(move |open: bool| {
            if shown.replace(open) == open {
                return;
            }
            let view = active.get();
            let now_playing = playing(view);
            let toggle = if open {
                resume.set(now_playing);
                now_playing
            } else {
                resume.replace(false) && !now_playing
            };
            if toggle {
                routes.toggle_play(view);
            }
            set.set(open);
        })
    }))
    .clone()
}

#[function_component]
fn App() -> Html {
    let renders = use_render_count();
    // What the link asks for, read once; the fragment is cleared after.
    let opened = (*use_memo((), |_| {
        tour::note_step(&browser::current_hash());
        fragment::parse(&browser::current_hash())
    }))
    .clone();
    let panic_test = *use_memo((), |_| browser::current_hash().contains("panic-test"));
    // `embed=1`: only the stage, the scrubber and a tour's card, for an iframe.
    let embed = *use_memo((), |_| browser::current_hash().trim_start_matches('#').split('&').any(|p| p == "embed=1"));
    // Every view's model is made at once (at t = 0, cheap); a view's last
    // run is restored from its autosave when the view first shows.
    let raft = use_reducer(|| Reduced::new(Playground::<Raft>::open()));
    let dispatch = use_dispatch(&raft);
    let swarm = use_reducer(|| Reduced::new(Swarm::new("", 1)));
    let swarm_dispatch = use_dispatch(&swarm);
    let store = use_reducer(|| Reduced::new(Playground::<StoreNode>::open()));
    let store_dispatch = use_dispatch(&store);
    let board = use_reducer(|| Reduced::new(Boards::new()));
    let board_dispatch = use_dispatch(&board);
    let compare = use_reducer(|| Reduced::new(Compare::default()));
    let compare_dispatch = use_dispatch(&compare);
    let comparing = {
        let model = compare.model.clone();
        (*use_memo((), move |_| Rc::new(move || model.borrow().is_open()) as Rc<dyn Fn() -> bool>)).clone()
    };
    compare::set_route(&compare_dispatch);
    let routes = browser::Routes {
        raft: dispatch.clone(),
        swarm: swarm_dispatch.clone(),
        store: store_dispatch.clone(),
        board: board_dispatch.clone(),
        compare: compare_dispatch.clone(),
        comparing,
    };
    // The view that was showing last time, unless a link decides.
    let first = *use_memo((), |_| load(VIEW_KEY).as_deref().and_then(View::from_key).unwrap_or(View::Raft));
    let active: ActiveView = (*use_memo((), move |_| Rc::new(Cell::new(first)))).clone();
    let view = use_state(|| first);
    let show = use_show(routes.clone(), active.clone(), view.setter());
    {
        let (routes, show) = (routes.clone(), show.clone());
        use_effect_with((), move |_| {
            show.emit(first);
            browser::open_fragment(opened, &routes, &show, first);
        });
    }
    browser::use_frames(routes.clone(), active.clone());
    browser::use_keys(routes.clone(), active.clone());
    browser::use_hash_links(routes.clone(), show.clone(), active.clone());
    let lab_open = use_state(|| false);
    let playing = {
        let (raft, swarm, store, board) = (raft.clone(), swarm.clone(), store.clone(), board.clone());
        (*use_memo((), move |_| {
            Rc::new(move |view: View| match view {
                View::Raft => raft.model.borrow().playing,
                View::Swarm => swarm.model.borrow().playing,
                View::Store => store.model.borrow().playing,
                View::Board => board.model.borrow().run().playing(),
            }) as Rc<dyn Fn(View) -> bool>
        }))
        .clone()
    };
    let on_lab = use_lab_toggle(lab_open.setter(), active.clone(), playing.clone(), routes.clone());
    let hunt_open = use_state(|| false);
    let on_hunt = use_lab_toggle(hunt_open.setter(), active.clone(), playing, routes.clone());
    let host = (*use_memo((), |_| tour::Host::default())).clone();
    // The run showing, as a tour sees it: its scenario, instant, and
    // whether it plays.
    let showing = {
        let (raft, swarm, store, board, active) =
            (raft.clone(), swarm.clone(), store.clone(), board.clone(), active.clone());
        (*use_memo((), move |_| {
            Rc::new(move |f: &mut dyn FnMut(&crate::scenario::Scenario, crate::sim::Time, bool)| match active.get() {
                View::Board => {
                    let m = board.model.borrow();
                    let r = m.run();
                    f(r.scenario(), r.now(), r.playing())
                }
                View::Raft => {
                    let m = raft.model.borrow();
                    f(m.scenario(), m.now(), m.playing)
                }
                View::Swarm => {
                    let m = swarm.model.borrow();
                    f(m.scenario(), m.now(), m.playing)
                }
                View::Store => {
                    let m = store.model.borrow();
                    f(m.scenario(), m.now(), m.playing)
                }
            }) as tour::Showing
        }))
        .clone()
    };
    let on_protocol = {
        let (show, on_lab, on_hunt) = (show.clone(), on_lab.clone(), on_hunt.clone());
        let (routes, active, host, showing) = (routes.clone(), active.clone(), host.clone(), showing.clone());
        (*use_memo((), move |_| {
            Callback::from(move |c: Choose| match c {
                Choose::View(v) => show.emit(v),
                Choose::Protocol(k) => {
                    show.emit(View::Board);
                    routes.board.emit(Gesture::Protocol(k));
                }
                Choose::Experiments => on_lab.emit(true),
                Choose::FindABug => on_hunt.emit(true),
                Choose::Diagram => routes.toggle_diagram(active.get()),
                Choose::Compare(id) => {
                    let text = crate::viewmodel::compare::example(id).map(str::to_string);
                    routes.compare.emit(CompareGesture::Open { text: text.unwrap_or_default(), at_us: None });
                }
                Choose::Fork => {
                    let mut fork = None;
                    showing(&mut |s, now, _| {
                        fork = Some(CompareGesture::Fork { scenario: Box::new(s.clone()), at_us: now })
                    });
                    routes.compare.emit(fork.expect("a view is showing"));
                }
                Choose::Tour(id) => {
                    host.restart();
                    let view = crate::scenario::presets::find(id).map_or(View::Raft, |p| p.protocol().view());
                    show.emit(view);
                    match view {
                        View::Raft => routes.raft.emit(Gesture::LoadPreset(id)),
                        View::Store => routes.store.emit(Gesture::LoadPreset(id)),
                        View::Board => routes.board.emit(Gesture::LoadPreset(id)),
                        View::Swarm => routes.swarm.emit(SwarmGesture::Preset(id)),
                    }
                }
            })
        }))
        .clone()
    };
    let on_tour = {
        let (host, showing, routes, show, active) =
            (host.clone(), showing.clone(), routes.clone(), show.clone(), active.clone());
        (*use_memo((), move |_| {
            Callback::from(move |m: tour::Move| {
                let mut cue = None;
                showing(&mut |s, _, _| cue = host.step(m, s));
                if let Some(cue) = cue {
                    tour::perform(cue, &routes, &show, active.get());
                }
            })
        }))
        .clone()
    };
    tour::use_tour_keys(on_tour.clone());
    // After every render: start the tour of a run that carries one, and
    // move it on as the run plays.
    {
        let (host, showing, routes, show, active) =
            (host.clone(), showing.clone(), routes.clone(), show.clone(), active.clone());
        use_effect(move || {
            let mut cue = None;
            showing(&mut |s, now, playing| cue = host.follow(s, now, playing));
            if let Some(cue) = cue {
                tour::perform(cue, &routes, &show, active.get());
            }
        });
    }
    // The scenario showing, for the Find a bug panel to search.
    let current = {
        let (raft, swarm, store, board, active) =
            (raft.clone(), swarm.clone(), store.clone(), board.clone(), active.clone());
        (*use_memo((), move |_| {
            Callback::from(move |()| match active.get() {
                View::Board => board.model.borrow().run().scenario().clone(),
                View::Raft => raft.model.borrow().scenario().clone(),
                View::Swarm => swarm.model.borrow().scenario().clone(),
                View::Store => store.model.borrow().scenario().clone(),
            })
        }))
        .clone()
    };
    // A deliberate panic, for the test that the error banner appears.
    use_effect_with((), move |_| {
        if panic_test {
            panic!("a deliberate panic (#panic-test), to show the banner");
        }
    });
    // After every render: keep an open menu inside the visible area.
    use_effect(menus::place_menu);
    // After every render: paint the open space-time diagram.
    {
        let (raft, store, swarm, board, view) = (raft.clone(), store.clone(), swarm.clone(), board.clone(), *view);
        use_effect(move || match view {
            View::Board => board_view::paint_diagram(&board.model.borrow()),
            View::Raft => diagram::paint(&diagram::scene_of(&raft.model.borrow())),
            View::Store => diagram::paint(&diagram::scene_of(&store.model.borrow())),
            View::Swarm => diagram::paint(&swarm_view::scene(&swarm.model.borrow())),
        });
    }
    let canvas = use_node_ref();
    {
        let (canvas, swarm) = (canvas.clone(), swarm.clone());
        use_effect(move || {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                swarm_view::draw(&c, &swarm.model.borrow());
            }
        });
    }
    let lab = html! { <>
        <lab::LabPanel open={*lab_open} on_toggle={on_lab} />
        <hunt::HuntPanel open={*hunt_open} on_toggle={on_hunt} {current} />
    </> };
    let canvases = (*use_memo((), |_| Rc::new([NodeRef::default(), NodeRef::default(), NodeRef::default()]))).clone();
    {
        let (canvases, compare) = (canvases.clone(), compare.clone());
        use_effect(move || {
            for (side, canvas) in compare.model.borrow().sides.iter().zip(canvases.iter()) {
                if let (crate::viewmodel::compare::Side::Swarm(s), Some(c)) =
                    (side, canvas.cast::<web_sys::HtmlCanvasElement>())
                {
                    swarm_view::draw(&c, s);
                }
            }
        });
    }
    let page = match *view {
        _ if compare.model.borrow().is_open() => compare::page(&compare.model.borrow(), &compare_dispatch, &canvases),
        View::Raft => raft_page(&raft.model, &dispatch, &on_protocol, raft.seek_ms.get(), renders),
        View::Store => {
            store_view::store_page(&store.model, &store_dispatch, &on_protocol, store.seek_ms.get(), renders)
        }
        View::Board => {
            board_view::page(&board.model.borrow(), &board_dispatch, &on_protocol, board.seek_ms.get(), renders)
        }
        View::Swarm => {
            swarm_view::swarm_page(&swarm.model.borrow(), &swarm_dispatch, &on_protocol, &canvas, swarm.seek_ms.get())
        }
    };
    let card = tour::card(&host, &on_tour);
    {
        let touring = host.card().is_some();
        use_effect(move || browser::body_classes(&[("embed", embed), ("touring", touring)]));
    }
    let compare_error = compare::closed_error(&compare.model.borrow(), &compare_dispatch);
    html! { <>{lab}{compare_error}{page}{card}</> }
}

/// Fetches the preset scenarios, then starts the app.
#[cfg(feature = "fetch-presets")]
pub fn start_with_presets() {
    browser::install_panic_hook();
    browser::fetch_presets(start);
}

pub fn start() {
    browser::install_panic_hook();
    crate::viewmodel::set_wall_clock(browser::now_ms);
    crate::viewmodel::set_reduced_motion(browser::prefers_reduced_motion());
    yew::Renderer::<App>::new().render();
}
