//! Compare mode's page: the variants' stages side by side under one
//! toolbar and one scrubber, and their figures in one table with each
//! variant's difference from the first. The model is
//! [`crate::viewmodel::compare`]; this file only draws it.

use super::panels::format_time;
use super::Choose;
use crate::scenario::{Action, Target};
use crate::viewmodel::compare::{Compare, CompareGesture as G, Side, EXAMPLES, STEP_US};
use wasm_bindgen::JsCast;
use yew::prelude::*;

thread_local! {
    /// Where an imported comparison file goes (set by the app).
    static ROUTE: std::cell::RefCell<Option<Callback<G>>> = const { std::cell::RefCell::new(None) };
}

pub fn set_route(d: &Callback<G>) {
    ROUTE.with(|r| {
        r.borrow_mut().get_or_insert_with(|| d.clone());
    });
}

/// Opens an imported file in compare mode if it is a comparison (it has
/// `variants`); false if it is not one.
pub fn import(text: &str) -> bool {
    if !text.contains("\"variants\"") {
        return false;
    }
    ROUTE.with(|r| r.borrow().clone()).map(|d| d.emit(G::Open { text: text.to_string(), at_us: None })).is_some()
}

/// A comparison that could not be opened while none is showing: its
/// message, over the view that is.
pub fn closed_error(c: &Compare, d: &Callback<G>) -> Html {
    let error = c.error.as_ref().filter(|_| !c.is_open());
    super::panels::error_banner(error, "compare-error", super::send(d, G::DismissError))
}

/// The Compare menu in every view's toolbar: the examples, and a fork of
/// the run showing.
pub fn menu(on_change: &Callback<Choose>) -> Html {
    let cb = on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            match sel.value().as_str() {
                "fork" => cb.emit(Choose::Fork),
                v => {
                    if let Some(e) = EXAMPLES.iter().find(|e| e.0 == v) {
                        cb.emit(Choose::Compare(e.0));
                    }
                }
            }
            sel.set_value("");
        }
    });
    html! {
        <select id="compare-menu" class="tours" aria-label="Compare variants side by side" title="Compare: two or three variants side by side under one clock, or two forks of this run" {onchange}>
            <option value="" selected=true>{"⇆ Compare"}</option>
            <option value="fork">{"Fork this run here"}</option>
            { for EXAMPLES.iter().map(|(id, title)| html! { <option value={*id}>{*title}</option> }) }
        </select>
    }
}

/// A button that sends `g`: one function for every button here, so the
/// bundle carries its code once.
fn button(d: &Callback<G>, id: &'static str, label: &'static str, title: &'static str, g: G) -> Html {
    // A symbol's button is named by its tooltip.
    let aria = (!label.chars().any(char::is_alphabetic)).then_some(title);
    html! { <button {id} onclick={super::send(d, g)} {title} aria-label={aria}>{label}</button> }
}

/// A fault on the node chosen in `#fault-node`, in every variant.
fn fault(d: &Callback<G>, id: &'static str, label: &'static str, make: fn(u32) -> Action) -> Html {
    let d = d.clone();
    let onclick = Callback::from(move |_: MouseEvent| {
        if let Ok(n) = super::cluster::read_input("fault-node").parse::<u32>() {
            d.emit(G::Fault(make(n)));
        }
    });
    html! { <button {id} {onclick} title="On the chosen node, in every variant, now">{label}</button> }
}

fn toolbar(c: &Compare, d: &Callback<G>) -> Html {
    let nodes = c.sides.iter().map(|s| s.scenario().nodes).max().unwrap_or(0);
    let dd = d.clone();
    let apart = Callback::from(move |e: Event| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            dd.emit(G::Apart(i.checked()));
        }
    });
    let play = if c.playing { "❚❚ Pause" } else { "▶ Play" };
    html! {
        <header class="toolbar compare-bar" role="toolbar" aria-label="Compare">
            <div class="group" role="group" aria-label="Compare mode">
                { button(d, "compare-close", "← Playground", "Leave compare mode; the playground is as you left it", G::Close) }
                <h1 class="compare-name">{&c.name}</h1>
            </div>
            <div class="group" role="group" aria-label="Time, for every variant">
                { button(d, "compare-play", play, "Play or pause every variant (Space)", G::TogglePlay) }
                { button(d, "compare-slower", "−", "Slower ([)", G::Slower) }
                <span id="compare-speed" class="speed" title="Simulated time per second of real time">{super::toolbar::format_speed(c.speed)}</span>
                { button(d, "compare-faster", "+", "Faster (])", G::Faster) }
                { button(d, "compare-reset", "Reset", "Every variant back to its start, without what was done by hand (r)", G::Reset) }
            </div>
            <div class="group" role="group" aria-label="A fault in every variant">
                <select id="fault-node" aria-label="Node" title="The node the buttons beside act on, in every variant">
                    { for (0..nodes).map(|i| html! { <option value={i.to_string()} selected={i == 0}>{format!("n{i}")}</option> }) }
                </select>
                { fault(d, "fault-crash", "Crash", |n| Action::Crash { node: Target::Node(n) }) }
                { fault(d, "fault-restart", "Restart", |n| Action::Restart { node: n }) }
                { fault(d, "fault-isolate", "Isolate", |n| Action::Isolate { node: Target::Node(n) }) }
                { button(d, "fault-heal", "Heal all", "Heal every cut link and partition in every variant (h)", G::Fault(Action::HealAll)) }
                <label class="check" title="Whether a fault made from a node's menu or by a drag stays in its own column (forks start this way) or is made in every variant">
                    <input id="apart" type="checkbox" checked={c.apart} onchange={apart} />{" each on its own"}
                </label>
            </div>
            <div class="group" role="group" aria-label="Share">
                { button(d, "compare-share", "Share", "A link to this comparison at this instant, with what was done by hand", G::Share) }
                { button(d, "compare-export", "Export", "Save the comparison as a file that splitbrain run runs", G::Export) }
                { super::pictures::menu(d.reform(G::ShowError)) }
            </div>
        </header>
    }
}

fn scrubber(c: &Compare, d: &Callback<G>) -> Html {
    let (now, end) = (c.now(), c.end().max(1));
    let dd = d.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            if let Ok(t) = i.value().parse::<f64>() {
                dd.emit(G::Seek(t as u64));
            }
        }
    });
    html! {
        <div class="scrubber compare-scrubber" data-end={end.to_string()}>
            { button(d, "step-back", "◀", "Every variant 10 ms back (←)", G::Back(STEP_US)) }
            <div class="track">
                <input id="scrubber" type="range" min="0" max={end.to_string()} step="1" value={now.to_string()}
                    {oninput} aria-label="Simulated time, for every variant" title="Drag: every variant travels to this instant" />
            </div>
            { button(d, "step-forward", "▶", "Every variant 10 ms on (→)", G::Advance(STEP_US)) }
            <span id="compare-time" class="range-label" data-us={now.to_string()}>{format!("{} / {}", format_time(now), format_time(end))}</span>
        </div>
    }
}

/// One variant's column: its label, its stage, and what stopped it.
fn column(i: usize, label: &str, side: &Side, d: &Callback<G>, canvas: &NodeRef) -> Html {
    let d = d.reform(move |g| G::On(i, g));
    let stage = match side {
        Side::Raft(p) => super::cluster::cluster_view(p, &d),
        Side::Store(p) => super::cluster::cluster_view(p, &d),
        Side::Board(b) => super::board_view::cluster_of(b, &d),
        Side::Swarm(s) => html! {
            <canvas ref={canvas.clone()} class="swarm-canvas" width="600" height="600" data-figure="gossip-stage"
                role="img" aria-label={format!("{} sites; {:.0}% informed", s.nodes(), s.fraction_informed() * 100.0)} />
        },
    };
    let error = side.error().map(|e| html! { <p class="variant-error" role="alert">{e}</p> });
    html! {
        <section class="variant" aria-label={label.to_string()} data-now={side.now().to_string()}>
            <h2>{label}</h2>
            { for error }
            { stage }
            <p class="variant-about">{&side.scenario().name}</p>
        </section>
    }
}

/// The figures side by side, and each variant's difference from the first.
fn figures(c: &Compare) -> Html {
    let per: Vec<Vec<(&'static str, f64)>> = c.sides.iter().map(Side::figures).collect();
    let mut names: Vec<&'static str> = Vec::new();
    for f in per.iter().flatten() {
        if !names.contains(&f.0) {
            names.push(f.0);
        }
    }
    let value = |v: usize, name: &str| per[v].iter().find(|f| f.0 == name).map(|f| f.1).filter(|x| x.is_finite());
    let num = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{}", (x * 1000.0).round() / 1000.0));
    let rows: Html = names
        .iter()
        .map(|name| {
            let cells = (0..per.len()).map(|v| html! { <td>{num(value(v, name))}</td> });
            let diffs = (1..per.len()).map(|v| {
                let text = match (value(0, name), value(v, name)) {
                    (Some(a), Some(b)) if a == b => "0".to_string(),
                    (Some(a), Some(b)) => {
                        format!("{}{}", if b > a { "+" } else { "" }, ((b - a) * 1000.0).round() / 1000.0)
                    }
                    _ => "—".to_string(),
                };
                let class = if text == "0" || text == "—" { "diff" } else { "diff differs" };
                html! { <td {class}>{text}</td> }
            });
            html! { <tr><th scope="row">{*name}</th>{ for cells }{ for diffs }</tr> }
        })
        .collect();
    html! {
        <section id="compare-figures" class="panel" aria-label="Figures side by side">
            <table class="figures-table">
                <caption>{format!("At {}: each variant's figures so far, and its difference from the first", format_time(c.now()))}</caption>
                <thead><tr>
                    <th scope="col">{"figure"}</th>
                    { for c.labels.iter().map(|l| html! { <th scope="col">{l}</th> }) }
                    { for c.labels.iter().skip(1).map(|l| html! { <th scope="col">{format!("{l} − {}", c.labels[0])}</th> }) }
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// The whole page in compare mode.
pub fn page(c: &Compare, d: &Callback<G>, canvases: &[NodeRef; 3]) -> Html {
    let share = c.share.as_ref().map(|f| {
        super::panels::share_box(
            f,
            format!("A link to this comparison at t = {}", format_time(c.now())),
            super::send(d, G::CloseShare),
        )
    });
    let error = super::panels::error_banner(c.error.as_ref(), "error-banner", super::send(d, G::DismissError));
    let cols: Html =
        c.labels.iter().zip(&c.sides).enumerate().map(|(i, (l, s))| column(i, l, s, d, &canvases[i.min(2)])).collect();
    html! {
        <div class="app compare-mode">
            { toolbar(c, d) }
            { error }
            { for share }
            if !c.description.is_empty() { <p class="compare-about">{&c.description}</p> }
            { scrubber(c, d) }
            <main class={format!("compare-grid cols-{}", c.sides.len())}>{cols}</main>
            { figures(c) }
        </div>
    }
}
