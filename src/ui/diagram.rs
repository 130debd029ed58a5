//! The space-time diagram: one lane per node, time to the right ending
//! now, messages as arrows. The page lays out its frame (the head, the lane
//! labels, the words on the lanes, the axis) as elements, and [`paint`]
//! draws the plot on a canvas after each render: hundreds of arrows redrawn
//! sixty times a second cost a canvas far less than as many elements. The
//! geometry, and which arrow the pointer is over, come from the view-model
//! ([`Diagram::segments`], [`Diagram::hit`]). Paused, a hidden table lists
//! the newest messages for screen readers.

use crate::sim::{NodeId, NodeStatus, Time};
use crate::viewmodel::diagram::{span_text, Diagram, DiagramGesture, Fate, Lanes, ROW, SPANS_US};
use crate::viewmodel::drawing::Drawing;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The id of the plot's canvas, which [`paint`] finds.
const CANVAS: &str = "sd-canvas";
/// Room for the lane names left of the plot in its SVG.
const LABELS: f64 = 44.0;
/// Messages the hidden table lists, newest last.
const TABLE_ROWS: usize = 40;

/// What the diagram shows of a run besides its model: the clock, the
/// group, the selection, each node's status now (a node down since before
/// the diagram's first event is still drawn down), and the violations.
pub struct Scene<'a> {
    pub diagram: &'a Diagram,
    pub now: Time,
    pub nodes: u32,
    pub selected: Option<NodeId>,
    pub playing: bool,
    pub status: Box<dyn Fn(NodeId) -> NodeStatus + 'a>,
    pub violations: Vec<(Time, &'a str)>,
    /// Alerts that fired: from, until (`None` while one holds).
    pub alerts: Vec<(Time, Option<Time>)>,
}

/// Where the diagram's gestures go.
pub struct Hooks {
    pub on_gesture: Callback<DiagramGesture>,
    pub on_seek: Callback<Time>,
    pub on_select: Callback<Option<NodeId>>,
    /// Export the run's trace to now in this format ("json", "shiviz",
    /// "perfetto").
    pub on_export: Callback<&'static str>,
}

thread_local! {
    /// The worker exporting a trace, while it does.
    static EXPORTER: std::cell::RefCell<Option<gloo::worker::WorkerBridge<super::lab_worker::Lab>>> = const { std::cell::RefCell::new(None) };
}

/// Exports the trace of `scenario` to `until` in the Experiments worker
/// (which runs it again from the start: the page keeps only the recent
/// past) and downloads it; says what went wrong through `error`.
pub fn export_trace(scenario: &crate::scenario::Scenario, until: Time, format: &'static str, error: Callback<String>) {
    use super::lab_worker::{FromLab, Json, Lab, ToLab};
    use gloo::worker::Spawnable;
    let done = Callback::from(move |out: FromLab| {
        match out {
            FromLab::Traced { text, file } => {
                let mime = if file.ends_with(".log") { "text/plain" } else { "application/json" };
                if super::files::download_text(&text, mime, &file).is_err() {
                    error.emit("The browser refused the download.".into());
                }
            }
            FromLab::Refused(e) => error.emit(e),
            _ => return,
        }
        // Let the worker go once this message is handled.
        gloo::timers::callback::Timeout::new(0, || EXPORTER.with(|e| drop(e.borrow_mut().take()))).forget();
    });
    let bridge =
        Lab::spawner().encoding::<Json>().callback(move |out| done.emit(out)).spawn_with_loader(super::lab::WORKER);
    bridge.send(ToLab::Trace { scenario: scenario.to_json(), until_us: until, format: format.to_string() });
    EXPORTER.with(|e| *e.borrow_mut() = Some(bridge));
}

impl Scene<'_> {
    fn lanes(&self) -> Lanes {
        Lanes::of(self.nodes, self.selected)
    }
}

pub fn space_time(s: &Scene<'_>, h: &Hooks) -> Html {
    let d = s.diagram;
    if !d.open {
        return html! {};
    }
    let lanes = s.lanes();
    let (lo, hi) = d.window(s.now);
    let height = lanes.height();
    let pct = |t: Time| d.x(t, s.now, 100.0);
    // Words where a lane's state changes, unless one would cover the last.
    let mut words = Vec::new();
    for (i, n) in lanes.shown.iter().enumerate() {
        let mut last = f64::NEG_INFINITY;
        for m in d.notes(s.now).filter(|m| m.node == *n && m.note.state) {
            let left = pct(m.time);
            if left - last > 6.0 {
                last = left;
                // Near the right edge, the word ends where the state begins.
                let shift = if left > 92.0 { ";transform:translateX(-100%)" } else { "" };
                let style = format!("left:{left:.2}%;top:{:.0}px{shift}", i as f64 * ROW);
                words.push(html! { <span class={classes!("sd-word", m.note.class)} {style}>{&m.note.text}</span> });
            }
        }
    }
    let labels: Html = lanes
        .shown
        .iter()
        .map(|n| {
            let n = *n;
            let sel = s.selected == Some(n);
            let state = match (s.status)(n) {
                NodeStatus::Crashed => "down".to_string(),
                NodeStatus::Paused => "paused".to_string(),
                NodeStatus::Up => d.state_at(n, s.now).map(|x| x.text.clone()).unwrap_or_default(),
            };
            let onclick = h.on_select.reform(move |_| if sel { None } else { Some(n) });
            html! {
                <button class={classes!("sd-label", sel.then_some("sel"))} {onclick} aria-pressed={sel.to_string()}
                    title={format!("n{n}: click to {} its lane", if sel { "unselect" } else { "select and highlight" })}>
                    {format!("n{n}")}<small>{state}</small>
                </button>
            }
        })
        .chain(lanes.others.then(|| {
            let rest = s.nodes as usize - lanes.shown.len();
            html! { <span class="sd-label others" title="Every other node">{format!("{rest} others")}</span> }
        }))
        .collect();
    let on_gesture = h.on_gesture.clone();
    let onmousemove = Callback::from(move |e: MouseEvent| {
        let width =
            e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map_or(1.0, |c| f64::from(c.client_width()));
        on_gesture.emit(DiagramGesture::Point { x: f64::from(e.offset_x()), y: f64::from(e.offset_y()), width });
    });
    let onmouseleave = h.on_gesture.reform(|_: MouseEvent| DiagramGesture::Leave);
    let on_seek = h.on_seek.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        let width =
            e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map_or(1.0, |c| f64::from(c.client_width()));
        let frac = (f64::from(e.offset_x()) / width.max(1.0)).clamp(0.0, 1.0);
        on_seek.emit(lo + ((hi - lo) as f64 * frac).round() as Time);
    });
    let (segs, left_out) = d.segments(s.now, &lanes, 1000.0);
    let dropped = segs.iter().filter(|g| matches!(g.fate, Fate::Dropped(..))).count();
    let down: Vec<String> = lanes
        .shown
        .iter()
        .filter(|n| (s.status)(**n) != NodeStatus::Up || d.downs(s.now).any(|w| w.node == **n))
        .map(|n| format!("n{n}"))
        .collect();
    let hovered = d.hovered.and_then(|q| d.arrow(q)).map(|a| a.describe());
    let label = format!("Messages between {} nodes from {} to {}", s.nodes, span_text(lo), span_text(hi));
    html! {
        <section id="diagram" class="panel diagram" aria-label="Space-time diagram"
            data-lo={lo.to_string()} data-hi={hi.to_string()} data-arrows={segs.len().to_string()}
            data-dropped={dropped.to_string()} data-down={down.join(" ")}
            data-alerts={s.alerts.iter().filter(|(f, u)| *f <= hi && u.is_none_or(|u| u >= lo)).count().to_string()}>
            { head(d, h, left_out) }
            <div class="sd-body">
                <div class="sd-labels" style={format!("height:{height:.0}px")}>{labels}</div>
                <div class="sd-plot" title="Click to travel to that instant; point at a message to read it">
                    <canvas id={CANVAS} data-figure="diagram" style={format!("height:{height:.0}px")} role="img" aria-label={label}
                        {onclick} {onmousemove} {onmouseleave}></canvas>
                    <div class="sd-words">{for words}</div>
                </div>
            </div>
            { axis(lo, hi) }
            <p class="sd-hover" aria-live="polite">{hovered.unwrap_or_else(|| "Point at a message to read it; click to travel there.".into())}</p>
            { if s.playing { html! {} } else { table(d, s.now, &lanes) } }
        </section>
    }
}

/// For screen readers, while paused: the newest messages in the window.
fn table(d: &Diagram, now: Time, lanes: &Lanes) -> Html {
    let (arrows, _) = d.visible(now, &|n| lanes.own(n));
    let skip = arrows.len().saturating_sub(TABLE_ROWS);
    let rows: Html = arrows
        .into_iter()
        .skip(skip)
        .map(|(seq, a)| {
            let end = a.end(now).to_string();
            html! {
                <tr data-seq={seq.to_string()} data-kind={a.kind} data-from={a.from.to_string()} data-to={a.to.to_string()}
                    data-sent={a.sent.to_string()} data-end={end}>
                    <td>{span_text(a.sent)}</td><td>{a.describe()}</td>
                </tr>
            }
        })
        .collect();
    html! {
        <table id="diagram-messages" class="sr-only">
            <caption>{"The newest messages in the diagram's window"}</caption>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The head: the window's width, Close, and the filter by message kind.
fn head(d: &Diagram, h: &Hooks, left_out: usize) -> Html {
    let on = &h.on_gesture;
    let on_export = h.on_export.reform(|e: Event| {
        let sel = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok());
        let v = sel.as_ref().map(|s| s.value()).unwrap_or_default();
        if let Some(s) = &sel {
            s.set_value("");
        }
        match v.as_str() {
            "shiviz" => "shiviz",
            "perfetto" => "perfetto",
            _ => "json",
        }
    });
    let on_span = on.reform(|e: Event| {
        let v = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()).map(|s| s.value());
        DiagramGesture::Span(v.and_then(|v| v.parse().ok()).unwrap_or(crate::viewmodel::diagram::DEFAULT_SPAN_US))
    });
    let spans: Html = SPANS_US
        .iter()
        .map(|s| html! { <option value={s.to_string()} selected={*s == d.span_us}>{span_text(*s)}</option> })
        .collect();
    let kinds: Html = d
        .kinds()
        .iter()
        .map(|k| {
            let k: &'static str = k;
            let shown = !d.hidden.contains(&k);
            html! {
                <label class="check" title={format!("{} {k} messages", if shown { "Hide" } else { "Show" })}>
                    <input type="checkbox" checked={shown} data-kind={k} onchange={on.reform(move |_| DiagramGesture::ToggleKind(k))} />{k}
                </label>
            }
        })
        .collect();
    html! {
        <div class="sd-head">
            <h2 title="Who sent what to whom, and when: one lane per node">{"Space-time"}</h2>
            <label class="field" title="How much simulated time the diagram shows">
                <span>{"window"}</span>
                <select id="diagram-span" aria-label="Window" onchange={on_span}>{spans}</select>
            </label>
            { (left_out > 0).then(|| html! { <span class="sd-note" title="The diagram draws the newest 600 messages; narrow the window or hide a kind">{format!("newest 600 shown, {left_out} older left out")}</span> }) }
            <select id="diagram-export" aria-label="Export the trace" onchange={on_export}
                title="Download this run's trace to now: as JSON, as a ShiViz log (vector clocks), or as Perfetto's trace-event JSON (a track per node, messages as flows). The Experiments worker runs it again to build the file.">
                <option value="" selected=true>{"Export trace…"}</option>
                <option value="json">{"JSON"}</option>
                <option value="shiviz">{"ShiViz log"}</option>
                <option value="perfetto">{"Perfetto"}</option>
            </select>
            <button id="diagram-close" onclick={on.reform(|_| DiagramGesture::Toggle)} title="Close the diagram (d)" aria-label="Close the diagram">{"✕"}</button>
            <div class="kinds" id="diagram-kinds" title="Message kinds to draw">{kinds}</div>
        </div>
    }
}

/// Time labels under the plot, at round steps.
fn axis(lo: Time, hi: Time) -> Html {
    let span = (hi - lo).max(1);
    let step = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000]
        .into_iter()
        .find(|s| span / s <= 6)
        .unwrap_or(5_000_000);
    let first = lo.div_ceil(step) * step;
    let ticks: Html = (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= hi)
        .map(|t| html! { <span style={format!("left:{:.2}%", (t - lo) as f64 / span as f64 * 100.0)}>{span_text(t)}</span> })
        .collect();
    html! { <div class="sd-axis" aria-hidden="true">{ticks}</div> }
}

/// The page's colours, read from its CSS (so the plot follows the theme).
struct Ink(web_sys::CssStyleDeclaration);

impl Ink {
    fn get(&self, var: &str) -> String {
        self.0.get_property_value(var).map(|v| v.trim().to_string()).unwrap_or_default()
    }
}

/// Draws the plot on its canvas, if the diagram is open. The drawing is
/// kept for the Picture menu's SVG, with the lane names, state words and
/// window's ends (HTML on the page) as labels.
pub fn paint(s: &Scene<'_>) {
    let Some(canvas) = gloo::utils::document().get_element_by_id(CANVAS) else { return };
    let Ok(canvas) = canvas.dyn_into::<web_sys::HtmlCanvasElement>() else { return };
    let Ok(Some(style)) = gloo::utils::window().get_computed_style(&canvas) else { return };
    let ink = Ink(style);
    let d = s.diagram;
    let lanes = s.lanes();
    let (w, h) = (f64::from(canvas.client_width()).max(1.0), lanes.height());
    let mut pen = Drawing::new(w, h);
    pen.margin(LABELS, 16.0);
    let (lo, hi) = d.window(s.now);
    let x = |t: Time| d.x(t, s.now, w);
    let fill = |pen: &mut Drawing, colour: &str, alpha: f64, rect: (f64, f64, f64, f64)| {
        pen.alpha(alpha);
        pen.colour(colour);
        pen.rect(rect.0, rect.1, rect.2, rect.3);
        pen.alpha(1.0);
    };
    if let Some(i) = s.selected.and_then(|n| lanes.own(n)) {
        fill(&mut pen, &ink.get("--accent"), 0.1, (0.0, i as f64 * ROW, w, ROW));
    }
    // Each lane: the node's states across the window, its moments, and
    // where it was down.
    for (i, n) in lanes.shown.iter().enumerate() {
        let top = i as f64 * ROW;
        let (mut from, mut state) = (lo, d.state_at(*n, lo).cloned());
        let notes: Vec<_> = d.notes(s.now).filter(|m| m.node == *n).collect();
        for m in notes.iter().filter(|m| m.note.state).map(Some).chain([None]) {
            let until = m.map_or(hi, |m| m.time);
            if let Some(st) = &state {
                let alpha = if st.class == "follower" { 0.08 } else { 0.22 };
                fill(
                    &mut pen,
                    &ink.get(&lane_var(st.class)),
                    alpha,
                    (x(from), top + 3.0, x(until) - x(from), ROW - 6.0),
                );
                if x(until) - x(from) > 30.0 {
                    pen.colour(&ink.get("--muted"));
                    pen.label(x(from) + 2.0, top + ROW - 6.0, &st.text);
                }
            }
            if let Some(m) = m {
                (state, from) = (Some(m.note.clone()), m.time);
            }
        }
        for m in notes.iter().filter(|m| !m.note.state) {
            pen.colour(&ink.get(&lane_var(m.note.class)));
            pen.width(2.0);
            pen.move_to(x(m.time), top + 2.0);
            pen.line_to(x(m.time), top + ROW - 2.0);
            pen.stroke();
        }
        let status = (s.status)(*n);
        let mut open = false;
        for down in d.downs(s.now).filter(|w| w.node == *n) {
            open |= down.until.is_none();
            let (a, b) = (x(down.from.max(lo)), x(down.until.unwrap_or(hi).min(hi)));
            let var = if down.paused { "--paused" } else { "--crashed" };
            fill(&mut pen, &ink.get(var), 0.45, (a, top + 1.0, (b - a).max(1.0), ROW - 2.0));
        }
        if status != NodeStatus::Up && !open {
            let var = if status == NodeStatus::Paused { "--paused" } else { "--crashed" };
            fill(&mut pen, &ink.get(var), 0.45, (0.0, top + 1.0, w, ROW - 2.0));
        }
        pen.colour(&ink.get("--ink"));
        pen.label(2.0 - LABELS, top + ROW / 2.0 + 4.0, &format!("n{n}"));
    }
    if lanes.others {
        pen.label(2.0 - LABELS, lanes.shown.len() as f64 * ROW + ROW / 2.0 + 4.0, "others");
    }
    pen.label(0.0, h + 12.0, &span_text(lo));
    pen.label(w - 40.0, h + 12.0, &span_text(hi));
    pen.colour(&ink.get("--line"));
    pen.width(1.0);
    for i in 0..lanes.rows() {
        pen.move_to(0.0, Lanes::y(i));
        pen.line_to(w, Lanes::y(i));
    }
    pen.stroke();
    if d.since() > lo {
        fill(&mut pen, &ink.get("--muted"), 0.12, (0.0, 0.0, x(d.since()), h));
    }
    pen.colour(&ink.get("--candidate"));
    pen.width(2.0);
    pen.dash(true);
    for f in d.faults(s.now) {
        pen.move_to(x(f.time), 0.0);
        pen.line_to(x(f.time), h);
    }
    pen.stroke();
    pen.dash(false);
    for (from, until) in s.alerts.iter().filter(|(f, u)| *f <= hi && u.is_none_or(|u| u >= lo)) {
        let (a, b) = (x((*from).max(lo)), x(until.unwrap_or(hi).min(hi)));
        fill(&mut pen, &ink.get("--msg-tn"), 0.12, (a, 0.0, (b - a).max(2.0), h));
    }
    for (t, _) in s.violations.iter().filter(|(t, _)| (lo..=hi).contains(t)) {
        fill(&mut pen, &ink.get("--bad"), 0.6, (x(*t) - 3.0, 0.0, 6.0, h));
    }
    // The arrows, one path per look.
    let (segs, _) = d.segments(s.now, &lanes, w);
    let looks =
        [("--wire", false), ("--msg-vote", false), ("--msg-tn", false), ("--msg-append", false), ("--bad", true)];
    let look = |g: &crate::viewmodel::diagram::Seg| match (g.fate, g.kind) {
        (Fate::Dropped(..), _) => 4,
        (_, "Heartbeat" | "AppendReply") => 0,
        (_, k) if k.contains("Vote") || k == "Ping" => 1,
        (_, "TimeoutNow") => 2,
        _ => 3,
    };
    // One pass sorts the arrows by how they are drawn: look, in flight,
    // and whether they touch the selected node.
    let mut groups: Vec<Vec<&crate::viewmodel::diagram::Seg>> = vec![Vec::new(); looks.len() * 4];
    for g in &segs {
        let wide = s.selected.is_some_and(|n| n == g.from || n == g.to);
        groups[look(g) * 4 + usize::from(g.fate == Fate::Flying) + 2 * usize::from(wide)].push(g);
    }
    for (k, (var, dashed)) in looks.iter().enumerate() {
        for (flying, wide) in [(false, false), (true, false), (false, true), (true, true)] {
            let mine = &groups[k * 4 + usize::from(flying) + 2 * usize::from(wide)];
            if mine.is_empty() {
                continue;
            }
            pen.colour(&ink.get(var));
            pen.width(if wide { 2.2 } else { 1.2 });
            pen.dash(*dashed || flying);
            for g in mine {
                pen.move_to(g.x0, g.y0);
                pen.line_to(g.x1, g.y1);
                if k == 4 {
                    // The cross where it was dropped.
                    pen.move_to(g.x1 - 4.0, g.y1 - 4.0);
                    pen.line_to(g.x1 + 4.0, g.y1 + 4.0);
                    pen.move_to(g.x1 + 4.0, g.y1 - 4.0);
                    pen.line_to(g.x1 - 4.0, g.y1 + 4.0);
                }
            }
            pen.stroke();
        }
    }
    pen.dash(false);
    pen.colour(&ink.get("--muted"));
    for g in &segs {
        pen.circle(g.x0, g.y0, 2.0);
    }
    pen.fill();
    if let Some(g) = d.hovered.and_then(|q| segs.iter().find(|g| g.seq == q)) {
        pen.colour(&ink.get("--ink"));
        pen.width(3.0);
        pen.move_to(g.x0, g.y0);
        pen.line_to(g.x1, g.y1);
        pen.stroke();
    }
    super::pen::show(&canvas, pen, true);
}

/// The CSS colour of a lane note's class.
fn lane_var(class: &str) -> String {
    match class {
        "infective" | "failed" | "suspect" => "--bad".into(),
        "removed" => "--follower".into(),
        "done" | "alive" => "--good".into(),
        "op" => "--accent".into(),
        c => format!("--{c}"),
    }
}

/// A playground's diagram (Raft's, the store's).
pub fn scene_of<P: crate::viewmodel::playground::Board>(pg: &crate::viewmodel::playground::Playground<P>) -> Scene<'_> {
    Scene {
        diagram: &pg.diagram,
        now: pg.now(),
        nodes: pg.sim().len(),
        selected: pg.selected,
        playing: pg.playing,
        status: Box::new(|n| pg.sim().status(n)),
        violations: pg.violations().iter().map(|v| (v.time_us, v.property)).collect(),
        alerts: pg.alerts().iter().map(|a| (a.from_us, a.until_us)).collect(),
    }
}

/// A playground's diagram, drawn into its page.
pub fn of_playground<P: crate::viewmodel::playground::Board>(
    pg: &crate::viewmodel::playground::Playground<P>,
    dispatch: &Callback<crate::viewmodel::playground::Gesture>,
) -> Html {
    use crate::viewmodel::playground::Gesture;
    let (scenario, now, error) = (pg.scenario().clone(), pg.now(), dispatch.reform(Gesture::ShowError));
    let hooks = Hooks {
        on_gesture: dispatch.reform(Gesture::Diagram),
        on_seek: dispatch.reform(Gesture::Seek),
        on_select: dispatch.reform(Gesture::Select),
        on_export: Callback::from(move |f| export_trace(&scenario, now, f, error.clone())),
    };
    space_time(&scene_of(pg), &hooks)
}
