//! The gossip and SWIM view: thousands of nodes on a canvas, live charts,
//! an inspector, and the same kinds of faults as for Raft.

use super::field::Field;
use crate::protocols::registry::View;
use crate::sim::NodeId;
use crate::viewmodel::drawing::Drawing;
use crate::viewmodel::seen::gossip::{Exchange, Mode};
use crate::viewmodel::swarm::{swarm_presets, Look, Swarm, SwarmGesture, SwarmKind};
use wasm_bindgen::JsCast;
use yew::prelude::*;

const SIZE: f64 = 600.0;

/// Where node `i` of `n` sits: a sunflower spiral fills a disc evenly.
pub fn spot(i: NodeId, n: u32) -> (f64, f64) {
    let r = (SIZE / 2.0 - 12.0) * (f64::from(i) + 0.5).sqrt() / f64::from(n).sqrt();
    let a = f64::from(i) * 2.399_963_229_728_653;
    (SIZE / 2.0 + r * a.cos(), SIZE / 2.0 + r * a.sin())
}

fn colour(l: Look) -> &'static str {
    match l {
        Look::Susceptible => "#94a3b8",
        Look::Infective => "#f97316",
        Look::Removed => "#2563eb",
        Look::Alive => "#16a34a",
        Look::Suspect => "#f59e0b",
        Look::Failed => "#dc2626",
        // Visible on a light and a dark page alike.
        Look::Crashed => "#a855f7",
        Look::Paused => "#60a5fa",
    }
}

/// Draws the group on the canvas (and keeps the drawing for the Picture
/// menu's SVG).
pub fn draw(canvas: &web_sys::HtmlCanvasElement, s: &Swarm) {
    let mut pen = Drawing::new(SIZE, SIZE);
    let n = s.nodes();
    let dot = (220.0 / f64::from(n).sqrt()).clamp(1.5, 9.0);
    if s.flashes {
        pen.colour("rgba(249, 115, 22, 0.35)");
        pen.width(1.0);
        for (from, to, p) in s.flights(if n > 1000 { 300 } else { 800 }) {
            let (x1, y1) = spot(from, n);
            let (x2, y2) = spot(to, n);
            let p = p.clamp(0.0, 1.0);
            pen.move_to(x1, y1);
            pen.line_to(x1 + (x2 - x1) * p, y1 + (y2 - y1) * p);
        }
        pen.stroke();
    }
    let mut by_colour: Vec<(Look, Vec<(f64, f64)>)> = Vec::new();
    for i in 0..n {
        let l = s.look(i);
        let p = spot(i, n);
        match by_colour.iter_mut().find(|(k, _)| *k == l) {
            Some((_, v)) => v.push(p),
            None => by_colour.push((l, vec![p])),
        }
    }
    for (l, points) in by_colour {
        pen.colour(colour(l));
        for (x, y) in points {
            pen.circle(x, y, dot);
        }
        pen.fill();
    }
    // Crashed SWIM members keep the colour of the group's belief, ringed.
    if matches!(s.kind, SwarmKind::Swim(_)) {
        pen.colour(colour(Look::Crashed));
        pen.width(2.0);
        for i in (0..n).filter(|i| s.crashed(*i)) {
            let (x, y) = spot(i, n);
            pen.circle(x, y, dot + 3.0);
        }
        pen.stroke();
    }
    if let Some(sel) = s.selected.filter(|i| *i < n) {
        let (x, y) = spot(sel, n);
        pen.colour("#2563eb");
        pen.width(2.5);
        pen.circle(x, y, dot + 5.0);
        pen.stroke();
    }
    super::pen::show(canvas, pen, false);
}

fn chart(s: &Swarm) -> Html {
    let (w, h) = (320.0, 120.0);
    match &s.kind {
        SwarmKind::Gossip(_) => {
            let cycles = s.informed.len().max(2) as f64 - 1.0;
            let span = cycles.max(20.0);
            let x = |c: f64| c / span * w;
            let y = |f: f64| h - f * h;
            let sim: String =
                s.informed.iter().enumerate().map(|(c, f)| format!("{:.1},{:.1} ", x(c as f64), y(*f))).collect();
            let theory: String = (0..=(span as usize * 4))
                .filter_map(|q| {
                    let t = q as f64 / 4.0;
                    s.logistic(t).map(|f| format!("{:.1},{:.1} ", x(t), y(f)))
                })
                .collect();
            let max_msgs = s.messages.iter().copied().max().unwrap_or(1).max(1) as f64;
            let bars: Html = s
                .messages
                .iter()
                .enumerate()
                .map(|(c, m)| {
                    let bh = *m as f64 / max_msgs * 50.0;
                    html! { <rect class="bar" x={format!("{:.1}", x(c as f64 + 0.5) - 3.0)} y={format!("{:.1}", 180.0 - bh)} width="6" height={format!("{bh:.1}")}><title>{format!("cycle {}: {m} update messages", c + 1)}</title></rect> }
                })
                .collect();
            let last = s.informed.last().copied().unwrap_or(0.0);
            html! {
                <div class="chart">
                    <svg data-figure="informed-per-cycle" viewBox={format!("0 -4 {w} 190")} role="img" aria-label="Fraction informed per cycle, with the logistic curve">
                        <line class="axis" x1="0" y1={h.to_string()} x2={w.to_string()} y2={h.to_string()} />
                        // The axes' values: the fraction informed (left), cycles (below).
                        <text class="tick" x="2" y="8">{"100%"}</text>
                        <text class="tick" x="2" y={format!("{:.0}", y(0.5) + 3.0)}>{"50%"}</text>
                        <text class="tick" x="2" y={format!("{:.0}", h - 3.0)}>{"0"}</text>
                        <text class="tick end" x={w.to_string()} y={format!("{:.0}", h - 3.0)}>{format!("cycle {span:.0}")}</text>
                        <text class="tick end" x={format!("{:.0}", x(span / 2.0))} y={format!("{:.0}", h - 3.0)}>{format!("{:.0}", span / 2.0)}</text>
                        <text class="tick" x="2" y="140">{format!("{max_msgs:.0} msgs")}</text>
                        <polyline class="theory" points={theory} />
                        <polyline id="informed-line" class="simulated" points={sim} />
                        {bars}
                        <line class="axis" x1="0" y1="180" x2={w.to_string()} y2="180" />
                    </svg>
                    <ul class="legend">
                        <li><span class="sw simulated"></span>{"fraction informed, simulated"}</li>
                        <li><span class="sw theory"></span>{"logistic curve for the same n, fanout and loss"}</li>
                        <li><span class="sw bar"></span>{"update messages per cycle"}</li>
                    </ul>
                    <p id="informed-now">{format!("cycle {}: {:.1}% informed", s.informed.len().saturating_sub(1), last * 100.0)}</p>
                    <p id="traffic" title="Update messages sent so far, per site">{format!("traffic so far: {:.2} update messages per site", s.traffic as f64 / f64::from(s.nodes()))}</p>
                </div>
            }
        }
        SwarmKind::Swim(c) => {
            let period = c.period_us as f64;
            let rows: Html = s
                .detections
                .iter()
                .map(|(m, at, first, all)| {
                    let p = |t: &Option<u64>| {
                        t.map_or("—".to_string(), |t| format!("{:.2} periods", (t - at) as f64 / period))
                    };
                    html! { <tr><td>{format!("n{m}")}</td><td>{format!("{:.2} s", *at as f64 / 1e6)}</td><td>{p(first)}</td><td>{p(all)}</td></tr> }
                })
                .collect();
            html! {
                <div class="chart">
                    <table class="detections">
                        <thead><tr><th>{"crashed"}</th><th>{"at"}</th><th title="Protocol periods from the crash until some member suspected it">{"first detection"}</th><th title="Protocol periods from the crash until every live member had it failed">{"everyone knows"}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <p id="false-positives" title="Live members that at least one member declared failed">{format!("live members wrongly declared failed: {} of {}", s.false_positives, s.nodes())}</p>
                </div>
            }
        }
    }
}

pub fn controls(s: &Swarm, dispatch: &Callback<SwarmGesture>) -> Html {
    let on_preset = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                if let Some(p) = swarm_presets().find(|p| p.id == sel.value()) {
                    d.emit(SwarmGesture::Preset(p.id));
                }
            }
        })
    };
    let on_loss = {
        let d = dispatch.clone();
        Callback::from(move |text: String| d.emit(SwarmGesture::SetLoss(text.trim().parse().unwrap_or(f64::NAN))))
    };
    let b = |label: &str, tip: &str, a: SwarmGesture, id: &str| {
        html! { <button id={id.to_string()} title={tip.to_string()} onclick={super::send(dispatch, a)}>{label}</button> }
    };
    let selected = s.selected;
    html! {
        <div class="swarm-controls">
            <label class="field secondary" title="A prepared experiment; each explains what to watch">
                <span>{"Preset"}</span>
                <select id="swarm-preset" onchange={on_preset} aria-label="Gossip preset">
                    { for swarm_presets().filter(|p| !p.is_tour()).map(|p| html!{ <option value={p.id} selected={p.id == s.preset}>{p.name()}</option> }) }
                </select>
            </label>
            { super::toolbar::playback(super::toolbar::Playback {
                prefix: "swarm-",
                playing: s.playing,
                speed: s.speed,
                play: super::send(dispatch, SwarmGesture::TogglePlay),
                step: Some(super::send(dispatch, SwarmGesture::Step)),
                set_speed: { let d = dispatch.clone(); Callback::from(move |x| d.emit(SwarmGesture::SetSpeed(x))) },
            }) }
            <div class="group secondary" role="group" aria-label="Scenario">
                { b("↺ Reset", "Start this preset again (r)", SwarmGesture::Reset, "swarm-reset") }
                { b("Share", "Make a link that replays this run, with what you did, to now", SwarmGesture::Share, "swarm-share") }
                { export_import(dispatch) }
            </div>
            { match selected { Some(n) => b(&format!("☠ Kill n{n}"), "Crash the selected node", SwarmGesture::Kill(n), "swarm-kill"), None => html!{} } }
            { match selected {
                Some(n) if s.look(n) == Look::Paused => b(&format!("Resume n{n}"), "Unfreeze the selected node: what waited runs now", SwarmGesture::Resume(n), "swarm-pause"),
                Some(n) => b(&format!("❚❚ Pause n{n}"), "Freeze the selected node: its timers and messages wait", SwarmGesture::Pause(n), "swarm-pause"),
                None => html!{},
            } }
            <div class="group secondary" role="group" aria-label="View and network">
            { b("Split in two", "Partition the group into two halves", SwarmGesture::Split, "swarm-split") }
            { b("✚ Heal", "Remove the partition", SwarmGesture::HealAll, "swarm-heal") }
            { b(if s.flashes { "Hide messages" } else { "Show messages" }, "Draw messages in flight (off is faster at large N)", SwarmGesture::ToggleFlashes, "swarm-flashes") }
            <label class="field" title="Probability that any message is lost">
                <span>{"loss"}</span>
                <Field id="swarm-loss" class="short" min="0" max="1" step="0.05" value={s.loss.to_string()} onchange={on_loss} />
            </label>
            { if matches!(s.kind, SwarmKind::Swim(_)) {
                let d = dispatch.clone();
                let on_obs = Callback::from(move |e: Event| {
                    if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                        d.emit(SwarmGesture::Observer(if sel.value() == "selected" { selected } else { None }));
                    }
                });
                html! {
                    <label class="field" title="Colour members by the majority view, or by what the selected member believes">
                        <span>{"view"}</span>
                        <select id="swarm-observer" onchange={on_obs}>
                            <option value="majority" selected={s.observer.is_none()}>{"majority"}</option>
                            <option value="selected" selected={s.observer.is_some()} disabled={selected.is_none()}>{"selected member"}</option>
                        </select>
                    </label>
                }
            } else { html!{} } }
            </div>
        </div>
    }
}

/// The epidemic's parameters, editable; impossible ones are refused.
fn parameters(s: &Swarm, dispatch: &Callback<SwarmGesture>) -> Html {
    let SwarmKind::Gossip(c) = &s.kind else { return html! {} };
    let field = |key: &'static str, value: String, label: &str, tip: &str| {
        html! {
            <label class="field" title={tip.to_string()}>
                <span>{label}</span>
                <Field id={format!("swarm-{key}")} class="short" {value} />
            </label>
        }
    };
    let d = dispatch.clone();
    let apply = Callback::from(move |_| {
        let read = super::cluster::read_input;
        let num = |id: &str| read(id).trim().parse::<u32>().ok();
        let (Some(nodes), Some(k), Some(fanout)) = (num("swarm-nodes"), num("swarm-k"), num("swarm-fanout")) else {
            d.emit(SwarmGesture::Configure { nodes: 0, mode: Mode::Rumor, exchange: Exchange::Push, k: 0, fanout: 0 });
            return;
        };
        let mode = if read("swarm-mode") == "anti-entropy" { Mode::AntiEntropy } else { Mode::Rumor };
        let exchange = match read("swarm-exchange").as_str() {
            "pull" => Exchange::Pull,
            "push-pull" => Exchange::PushPull,
            _ => Exchange::Push,
        };
        d.emit(SwarmGesture::Configure { nodes, mode, exchange, k, fanout });
    });
    html! {
        <section class="panel params" aria-label="Epidemic parameters">
            <h2>{"Parameters"}</h2>
            <div class="swarm-controls">
                { field("nodes", c.nodes.to_string(), "N", "Number of sites (2 to 20000)") }
                <label class="field" title="Anti-entropy never stops; rumors lose interest">
                    <span>{"mode"}</span>
                    <select id="swarm-mode">
                        <option value="rumor" selected={c.mode == Mode::Rumor}>{"rumor"}</option>
                        <option value="anti-entropy" selected={c.mode == Mode::AntiEntropy}>{"anti-entropy"}</option>
                    </select>
                </label>
                <label class="field" title="Who sends the update in an exchange">
                    <span>{"exchange"}</span>
                    <select id="swarm-exchange">
                        <option value="push" selected={c.exchange == Exchange::Push}>{"push"}</option>
                        <option value="pull" selected={c.exchange == Exchange::Pull}>{"pull"}</option>
                        <option value="push-pull" selected={c.exchange == Exchange::PushPull}>{"push-pull"}</option>
                    </select>
                </label>
                { field("k", c.interest.k.to_string(), "k", "Rumors: lose interest after k unnecessary contacts in a row (feedback + counter: a contact that informs resets the count)") }
                { field("fanout", c.fanout.to_string(), "fanout", "Partners contacted per cycle (1 to N-1)") }
                <button id="swarm-apply" onclick={apply} title="Restart with these parameters">{"Apply"}</button>
            </div>
        </section>
    }
}

/// The whole gossip stage: canvas, charts, inspector, explanation.
pub fn stage(s: &Swarm, dispatch: &Callback<SwarmGesture>, canvas: &NodeRef, seek_ms: f64) -> Html {
    let n = s.nodes();
    let onclick = {
        let d = dispatch.clone();
        let canvas = canvas.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() else { return };
            let r = c.get_bounding_client_rect();
            let x = (f64::from(e.client_x()) - r.left()) / r.width() * SIZE;
            let y = (f64::from(e.client_y()) - r.top()) / r.height() * SIZE;
            let best = (0..n)
                .map(|i| {
                    let (px, py) = spot(i, n);
                    (i, (px - x).powi(2) + (py - y).powi(2))
                })
                .min_by(|a, b| a.1.total_cmp(&b.1));
            d.emit(SwarmGesture::Select(best.filter(|b| b.1 < 400.0).map(|b| b.0)));
        })
    };
    let (name, explain) = s.explanation();
    let legend = match s.kind {
        SwarmKind::Gossip(_) => vec![
            (Look::Susceptible, "susceptible"),
            (Look::Infective, "infective"),
            (Look::Removed, "removed"),
            (Look::Paused, "paused"),
            (Look::Crashed, "crashed"),
        ],
        SwarmKind::Swim(_) => {
            vec![(Look::Alive, "alive"), (Look::Suspect, "suspect"), (Look::Failed, "failed"), (Look::Paused, "paused")]
        }
    };
    let crashed_key = match s.kind {
        SwarmKind::Gossip(_) => {
            html! { <><i class="dot" style={format!("background:{}", colour(Look::Crashed))}></i>{"crashed"}</> }
        }
        SwarmKind::Swim(_) => html! {
            <span title="A crashed member is ringed, and coloured by what the group believes of it">
                <i class="dot ring" style={format!("border-color:{}", colour(Look::Crashed))}></i>{"crashed (as the group sees it)"}
            </span>
        },
    };
    let inspector = s.selected.filter(|i| *i < n).map(|i| {
        html! {
            <section class="panel" id="swarm-inspector">
                <h2>{format!("n{i}")}</h2>
                <dl>{ for s.describe(i).into_iter().map(|(k, v)| html!{ <><dt>{k}</dt><dd>{v}</dd></> }) }</dl>
            </section>
        }
    });
    html! {
        <main class="layout swarm">
            <section class="stage">
                <canvas ref={canvas.clone()} id="swarm-canvas" data-figure="gossip-stage" width={SIZE.to_string()} height={SIZE.to_string()} {onclick}
                    role="img" aria-label={format!("{n} nodes")} title="Click a node to inspect it" data-nodes={n.to_string()} data-us={s.now().to_string()}
                    data-hash={format!("{:016x}", s.trace_hash())}></canvas>
                { scrubber(s, dispatch, seek_ms) }
                <div class="status">
                    <span id="swarm-time">{format!("t = {:.1} s", s.now() as f64 / 1e6)}</span>
                    <span>{format!("{n} nodes")}</span>
                    <span class="legend">{ for legend.into_iter().map(|(l, name)| html!{ <><i class="dot" style={format!("background:{}", colour(l))}></i>{name}</> }) }{crashed_key}</span>
                </div>
            </section>
            { super::diagram::space_time(&scene(s), &super::diagram::Hooks {
                on_gesture: dispatch.reform(SwarmGesture::Diagram),
                on_seek: dispatch.reform(SwarmGesture::Seek),
                on_select: dispatch.reform(SwarmGesture::Select),
                on_export: {
                    let (scenario, now, error) = (s.scenario().clone(), s.now(), dispatch.reform(SwarmGesture::ShowError));
                    Callback::from(move |f| super::diagram::export_trace(&scenario, now, f, error.clone()))
                },
            }) }
            <aside class="side">
                { super::panels::alerts_panel(&s.scenario().alerts, s.alerts(), &dispatch.reform(SwarmGesture::Seek)) }
                { if name.is_empty() && explain.is_empty() { html!{} } else { html!{ <section class="panel about"><h2>{"Experiment"}</h2><h3 class="about-name">{name}</h3><p>{explain}</p></section> } } }
                <section class="panel"><h2>{"Charts"}</h2>{chart(s)}</section>
                { parameters(s, dispatch) }
                { for inspector }
                { super::timeline::panel(("swarm", s.timeline_rev()), &s.scenario().timeline, s.history(), &dispatch.reform(|a| match a {
                    super::timeline::Ask::Edit(e) => SwarmGesture::Edit(e),
                    super::timeline::Ask::GoTo(t) => SwarmGesture::GoTo(t),
                    super::timeline::Ask::Error(e) => SwarmGesture::ShowError(e),
                })) }
            </aside>
        </main>
    }
}

/// The share box for a gossip run.
pub fn share(s: &Swarm, dispatch: &Callback<SwarmGesture>) -> Html {
    let Some(fragment) = &s.share else { return html! {} };
    let caption = format!("A link to this run at t = {:.3} s", s.now() as f64 / 1e6);
    super::panels::share_box(fragment, caption, super::send(dispatch, SwarmGesture::CloseShare))
}

fn export_import(dispatch: &Callback<SwarmGesture>) -> Html {
    let export = super::send(dispatch, SwarmGesture::Export);
    let d = dispatch.clone();
    let import = Callback::from(move |e: Event| {
        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                let (ok, bad) = (d.clone(), d.clone());
                super::files::read(
                    file,
                    Callback::from(move |text: String| {
                        if !super::compare::import(&text) {
                            ok.emit(SwarmGesture::Import(text))
                        }
                    }),
                    Callback::from(move |e| bad.emit(SwarmGesture::ShowError(e))),
                );
            }
            input.set_value("");
        }
    });
    html! {
        <>
            <button id="swarm-export" onclick={export} title="Download this run, with what you did, as a JSON file">{"Export"}</button>
            { super::pictures::menu(dispatch.reform(SwarmGesture::ShowError)) }
            <label class="button" tabindex="0" role="button" onkeydown={super::files::open_picker("swarm-import")} title="Load a gossip run exported as JSON">
                {"Import"}<input id="swarm-import" type="file" accept=".json,application/json" onchange={import} hidden=true />
            </label>
        </>
    }
}

/// The gossip scrubber: drag to any instant of the run (replayed).
pub fn scrubber(s: &Swarm, dispatch: &Callback<SwarmGesture>, seek_ms: f64) -> Html {
    let d = dispatch.clone();
    let on_input = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            if let Ok(t) = i.value().parse::<f64>() {
                d.emit(SwarmGesture::Seek(t as u64));
            }
        }
    });
    let end = s.end.max(1);
    let (ticks, chips) = super::panels::bookmarks(&s.scenario().marks, end, &dispatch.reform(SwarmGesture::GoTo));
    let actions = super::timeline::ticks(&s.scenario().timeline, end);
    html! { <>
        <div class="scrubber" data-seek-ms={format!("{seek_ms:.3}")}>
            <button id="embed-play" class="embed-only" onclick={super::send(dispatch, SwarmGesture::TogglePlay)}
                aria-label={if s.playing { "Pause" } else { "Play" }} title="Play or pause (Space)">{if s.playing { "❚❚" } else { "▶" }}</button>
            <div class="track">
                <svg class="marks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">{ticks}{actions}</svg>
                <input id="swarm-scrubber" type="range" min="0" max={s.end.max(1).to_string()} step="1" value={s.now().to_string()}
                    oninput={on_input} aria-label="Simulated time" title="Drag to go back to any instant of this run; acting there forks it" />
            </div>
            <span class="range-label">{format!("{:.1} s / {:.1} s", s.now() as f64 / 1e6, s.end as f64 / 1e6)}</span>
        </div>
        {chips}
    </> }
}

/// The gossip and SWIM view: its toolbar, banner, share box, stage and help.
pub fn swarm_page(
    sw: &Swarm,
    swarm_dispatch: &Callback<SwarmGesture>,
    on_protocol: &Callback<super::Choose>,
    canvas: &NodeRef,
    seek_ms: f64,
) -> Html {
    html! {
        <div class="app">
            <header class={classes!("toolbar", sw.more_open.then_some("open"))}>
                <div class="brand" title="splitbrain: break a cluster, watch it heal">{"splitbrain"}</div>
                { super::toolbar::protocol_select(View::Swarm, on_protocol) }
                <button id="toolbar-more" class="more" onclick={super::send(swarm_dispatch, SwarmGesture::ToggleMore)} aria-expanded={sw.more_open.to_string()}
                    title="Show or hide sharing, speed and the network settings">{ if sw.more_open { "▴ Less" } else { "☰ More" } }</button>
                { controls(sw, swarm_dispatch) }
                <button id="help-button" class="help-button" onclick={super::send(swarm_dispatch, SwarmGesture::ToggleHelp)}
                    title="Keyboard shortcuts and how to use this view (?)" aria-label="Help">{"?"}</button>
            </header>
            { for sw.error.as_ref().map(|e| html!{ <div id="error-banner" class="banner error" role="alert"><span>{e}</span></div> }) }
            { share(sw, swarm_dispatch) }
            { stage(sw, swarm_dispatch, canvas, seek_ms) }
            { if sw.help_open { super::panels::help(View::Swarm, super::send(swarm_dispatch, SwarmGesture::ToggleHelp)) } else { html! {} } }
        </div>
    }
}

/// The group's space-time diagram.
pub fn scene(s: &Swarm) -> super::diagram::Scene<'_> {
    super::diagram::Scene {
        diagram: &s.diagram,
        now: s.now(),
        nodes: s.nodes(),
        selected: s.selected,
        playing: s.playing,
        status: Box::new(|i| s.status(i)),
        violations: s.violations().iter().map(|v| (v.time_us, v.property)).collect(),
        alerts: s.alerts().iter().map(|a| (a.from_us, a.until_us)).collect(),
    }
}
