//! The space-time diagram: one lane per node, time to the right ending
//! now, messages as arrows. Drawn from [`Diagram`] on every frame it is
//! open; the plot is an SVG stretched to the panel's width (strokes keep
//! their width), and its words are HTML placed over it, so text never
//! stretches. One listener each on the plot reads which arrow is under the
//! pointer and where a click falls, instead of a callback per arrow.

use crate::sim::{NodeId, NodeStatus, Time};
use crate::viewmodel::diagram::{span_text, Diagram, DiagramGesture, Down, Fate, SPANS_US};
use std::fmt::Write;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Height of one lane, px.
const ROW: f64 = 26.0;
/// The plot's width in SVG units.
const WIDTH: f64 = 1000.0;
/// The most lanes drawn; a larger group shows the selected node and the
/// lowest ids, and one lane for all the others.
pub const MAX_LANES: usize = 12;

/// What the diagram draws besides the model: the clock, the group, the
/// selection, the violations (instant and property), and where gestures go.
pub struct SpaceTime<'a> {
    pub diagram: &'a Diagram,
    pub now: Time,
    pub nodes: u32,
    pub selected: Option<NodeId>,
    /// Each node's status now (a node down since before the diagram's
    /// first event is still drawn down).
    pub status: &'a dyn Fn(NodeId) -> NodeStatus,
    pub violations: Vec<(Time, &'a str)>,
    pub on_gesture: Callback<DiagramGesture>,
    pub on_seek: Callback<Time>,
    pub on_select: Callback<Option<NodeId>>,
}

/// The nodes with a lane of their own: all of a small group; of a large
/// one, the selected node and the lowest ids.
pub fn lanes(nodes: u32, selected: Option<NodeId>) -> Vec<NodeId> {
    if nodes as usize <= MAX_LANES {
        return (0..nodes).collect();
    }
    let mut v: Vec<NodeId> = (0..MAX_LANES as u32 - 1).collect();
    match selected {
        Some(s) if !v.contains(&s) => v.push(s),
        _ => v.push(MAX_LANES as u32 - 1),
    }
    v
}

fn x_of(t: Time, lo: Time, hi: Time) -> f64 {
    (t.saturating_sub(lo)) as f64 / (hi - lo).max(1) as f64 * WIDTH
}

pub fn space_time(p: SpaceTime<'_>) -> Html {
    let d = p.diagram;
    if !d.open {
        return html! {};
    }
    let shown = lanes(p.nodes, p.selected);
    let others = p.nodes as usize > shown.len();
    let rows = shown.len() + usize::from(others);
    let lane_of = |n: NodeId| shown.iter().position(|s| *s == n).or(others.then_some(shown.len()));
    let (lo, hi) = d.window(p.now);
    let x = |t: Time| x_of(t, lo, hi);
    let y = |i: usize| (i as f64 + 0.5) * ROW;
    let height = rows as f64 * ROW;

    // The plot is one string of SVG: it is redrawn on every frame, and a
    // string costs the page's wasm far less than an element each, and the
    // browser parses it faster than a diff of hundreds of elements.
    let mut svg = String::new();
    let mut words = Vec::new();
    if let Some(i) = p.selected.and_then(|s| shown.iter().position(|n| *n == s)) {
        let _ = write!(svg, r#"<rect class="sd-sel" x="0" y="{:.1}" width="{WIDTH}" height="{ROW}"/>"#, i as f64 * ROW);
    }
    // Each lane: the node's states across the window, then its moments.
    for (i, n) in shown.iter().enumerate() {
        let top = i as f64 * ROW;
        let mut from = lo;
        let mut state = d.state_at(*n, lo).cloned();
        let mut last_word = f64::NEG_INFINITY;
        let notes: Vec<_> = d.notes(p.now).filter(|m| m.node == *n).collect();
        for m in notes.iter().filter(|m| m.note.state).map(Some).chain([None]) {
            let until = m.map_or(hi, |m| m.time);
            if let Some(s) = &state {
                let (a, w) = (x(from), x(until) - x(from));
                let _ = write!(
                    svg,
                    r#"<rect class="sd-state {}" x="{a:.1}" y="{:.1}" width="{w:.1}" height="{}"/>"#,
                    s.class,
                    top + 3.0,
                    ROW - 6.0
                );
            }
            if let Some(m) = m {
                // A word where the state changes, unless it would cover the last.
                let left = x(m.time) / WIDTH * 100.0;
                if left - last_word > 6.0 {
                    last_word = left;
                    words.push(html! { <span class={classes!("sd-word", m.note.class)} style={format!("left:{left:.2}%;top:{top:.0}px")}>{&m.note.text}</span> });
                }
                state = Some(m.note.clone());
                from = m.time;
            }
        }
        for m in notes.iter().filter(|m| !m.note.state) {
            let _ = write!(
                svg,
                r#"<line class="sd-tick {}" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"><title>n{n} {} at {}</title></line>"#,
                m.note.class,
                top + 2.0,
                top + ROW - 2.0,
                esc(&m.note.text),
                span_text(m.time),
                x = x(m.time)
            );
        }
    }
    // Down stretches: those recorded, and for a node down now with none
    // open, one across the window (it went down before the diagram's events).
    let mut downs: Vec<Down> = d.downs(p.now).copied().collect();
    for n in &shown {
        let status = (p.status)(*n);
        if status != NodeStatus::Up && !downs.iter().any(|w| w.node == *n && w.until.is_none()) {
            downs.push(Down { node: *n, from: lo, until: None, paused: status == NodeStatus::Paused });
        }
    }
    for down in &downs {
        let Some(i) = shown.iter().position(|s| *s == down.node) else { continue };
        let (a, b) = (x(down.from.max(lo)), x(down.until.unwrap_or(hi).min(hi)));
        let (class, what) = if down.paused { ("sd-down paused", "paused") } else { ("sd-down", "crashed") };
        let _ = write!(
            svg,
            r#"<rect class="{class}" x="{a:.1}" y="{:.1}" width="{:.1}" height="{}"><title>n{} {what}</title></rect>"#,
            i as f64 * ROW + 1.0,
            (b - a).max(1.0),
            ROW - 2.0,
            down.node
        );
    }
    for i in 0..rows {
        let _ = write!(svg, r#"<line class="sd-lane" x1="0" x2="{WIDTH}" y1="{y:.1}" y2="{y:.1}"/>"#, y = y(i));
    }
    // The unknown stretch: before the diagram's first message.
    if d.since() > lo {
        let _ = write!(
            svg,
            r#"<rect class="sd-unknown" x="0" y="0" width="{:.1}" height="{height}"><title>Messages before this were not kept: a seek replays the last 5 s, and a storm keeps the newest</title></rect>"#,
            x(d.since())
        );
    }
    for l in d.faults(p.now) {
        let _ = write!(
            svg,
            r#"<line class="sd-fault" x1="{x:.1}" x2="{x:.1}" y1="0" y2="{height}"><title>{} at {}</title></line>"#,
            esc(l.text()),
            span_text(l.time),
            x = x(l.time)
        );
    }
    for (t, name) in p.violations.iter().filter(|(t, _)| (lo..=hi).contains(t)) {
        let _ = write!(
            svg,
            r#"<rect class="sd-violation" x="{:.1}" y="0" width="6" height="{height}"><title>{} broken at {}</title></rect>"#,
            x(*t) - 3.0,
            esc(name),
            span_text(*t)
        );
    }
    // Messages with a lane of their own at one end at least.
    let (arrows, left_out) = d.visible(p.now, &|n| shown.iter().position(|s| *s == n));
    let drawn = arrows.len();
    for (seq, a) in arrows {
        let (fy, ty) = (lane_of(a.from).map_or(-ROW, y), lane_of(a.to).map_or(height + ROW, y));
        let (x0, x1) = (x(a.sent), x(a.end(p.now).min(hi)));
        let (ex, ey) = match a.fate {
            // A dropped message stops short of its lane, at a cross.
            Fate::Dropped(..) => (x0 + (x1 - x0) * 0.85, fy + (ty - fy) * 0.85),
            Fate::Flying => (x1, fy + (ty - fy) * frac(a.sent, a.due, p.now)),
            Fate::Delivered(_) => (x1, ty),
        };
        let _ = write!(svg, r#"<g class="sd-msg"#);
        for (on, c) in [
            (matches!(a.fate, Fate::Dropped(..)), " dropped"),
            (a.fate == Fate::Flying, " flying"),
            (d.hovered == Some(seq), " hover"),
            (p.selected.is_some_and(|s| s == a.from || s == a.to), " sel"),
        ] {
            if on {
                svg.push_str(c);
            }
        }
        let _ = write!(
            svg,
            r#"" data-seq="{seq}" data-kind="{}"><title>{}</title><line x1="{x0:.1}" y1="{fy:.1}" x2="{ex:.1}" y2="{ey:.1}"/><circle class="sd-dot" cx="{x0:.1}" cy="{fy:.1}" r="2"/>"#,
            a.kind,
            esc(&a.describe())
        );
        if matches!(a.fate, Fate::Dropped(..)) {
            let _ = write!(svg, r#"<path class="sd-cross" d="M{:.1} {:.1}l8 8m0 -8l-8 8"/>"#, ex - 4.0, ey - 4.0);
        }
        svg.push_str("</g>");
    }
    let on_gesture = p.on_gesture.clone();
    let onmouseover = Callback::from(move |e: MouseEvent| {
        let seq = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-seq]").ok().flatten())
            .and_then(|el| el.get_attribute("data-seq"))
            .and_then(|s| s.parse().ok());
        on_gesture.emit(DiagramGesture::Hover(seq));
    });
    let leave = p.on_gesture.reform(|_: MouseEvent| DiagramGesture::Hover(None));
    let on_seek = p.on_seek.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        // Yew delegates events, so the plot is found from the target.
        let plot = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest(".sd-plot").ok().flatten());
        let Some(el) = plot else { return };
        let r = el.get_bounding_client_rect();
        let frac = ((f64::from(e.client_x()) - r.left()) / r.width().max(1.0)).clamp(0.0, 1.0);
        on_seek.emit(lo + ((hi - lo) as f64 * frac) as Time);
    });
    let labels: Html = shown
        .iter()
        .map(|n| {
            let n = *n;
            let sel = p.selected == Some(n);
            let state = match (p.status)(n) {
                NodeStatus::Crashed => "down".to_string(),
                NodeStatus::Paused => "paused".to_string(),
                NodeStatus::Up => d.state_at(n, p.now).map(|s| s.text.clone()).unwrap_or_default(),
            };
            let onclick = p.on_select.reform(move |_| if sel { None } else { Some(n) });
            html! {
                <button class={classes!("sd-label", sel.then_some("sel"))} {onclick} aria-pressed={sel.to_string()}
                    title={format!("n{n}: click to {} its lane", if sel { "unselect" } else { "select and highlight" })}>
                    {format!("n{n}")}<small>{state}</small>
                </button>
            }
        })
        .chain(others.then(|| html! { <span class="sd-label others" title="Every other node">{format!("{} others", p.nodes as usize - shown.len())}</span> }))
        .collect();
    let hovered = d.hovered.and_then(|s| d.arrow(s)).map(|a| a.describe());
    html! {
        <section id="diagram" class="panel diagram" aria-label="Space-time diagram"
            data-lo={lo.to_string()} data-hi={hi.to_string()} data-arrows={drawn.to_string()}>
            { head(d, &p.on_gesture, left_out) }
            <div class="sd-body">
                <div class="sd-labels" style={format!("height:{height:.0}px")}>{labels}</div>
                <div class="sd-plot" {onclick} title="Click to travel to that instant; hover a message to read it">
                    <svg viewBox={format!("0 0 {WIDTH} {height:.0}")} preserveAspectRatio="none" style={format!("height:{height:.0}px")}
                        onmouseover={onmouseover} onmouseleave={leave} role="img"
                        aria-label={format!("Messages between {} nodes from {} to {}", p.nodes, span_text(lo), span_text(hi))}>
                        {Html::from_html_unchecked(svg.into())}
                    </svg>
                    <div class="sd-words">{for words}</div>
                </div>
            </div>
            { axis(lo, hi) }
            <p class="sd-hover" aria-live="polite">{hovered.unwrap_or_else(|| "Hover a message to read it; click to travel there.".into())}</p>
        </section>
    }
}

/// The head: the window's width, the filter by message kind, and Close.
fn head(d: &Diagram, on: &Callback<DiagramGesture>, left_out: usize) -> Html {
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
        .map(|t| html! { <span style={format!("left:{:.2}%", x_of(t, lo, hi) / WIDTH * 100.0)}>{span_text(t)}</span> })
        .collect();
    html! { <div class="sd-axis" aria-hidden="true">{ticks}</div> }
}

/// How far along its flight a message is at `now`.
fn frac(sent: Time, due: Time, now: Time) -> f64 {
    if due <= sent {
        return 1.0;
    }
    ((now.saturating_sub(sent)) as f64 / (due - sent) as f64).clamp(0.0, 1.0)
}

/// Text for SVG markup: `&`, `<` and `>` escaped.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A playground's diagram (Raft's, the store's).
pub fn of_playground<P: crate::viewmodel::playground::Board>(
    pg: &crate::viewmodel::playground::Playground<P>,
    dispatch: &Callback<crate::viewmodel::playground::Gesture>,
) -> Html {
    use crate::viewmodel::playground::Gesture;
    space_time(SpaceTime {
        diagram: &pg.diagram,
        now: pg.now(),
        nodes: pg.sim().len(),
        selected: pg.selected,
        status: &|n| pg.sim().status(n),
        violations: pg.violations().iter().map(|v| (v.time_us, v.property)).collect(),
        on_gesture: dispatch.reform(Gesture::Diagram),
        on_seek: dispatch.reform(Gesture::Seek),
        on_select: dispatch.reform(Gesture::Select),
    })
}
