//! Side panels: status, inspector, invariants, event log, help and banners.

use super::face::Face;
use crate::protocols::registry::View;
use crate::sim::{NodeId, NodeStatus, Time};
use crate::viewmodel::playground::{Board, Gesture, Playground};
use crate::viewmodel::seen::raft::Payload;
use crate::viewmodel::seen::raft::Property;
use crate::viewmodel::seen::raft::{Raft, Role};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A colour per term, so log cells of one term match.
fn term_colour(term: u64) -> String {
    let hue = (term * 47 + 200) % 360;
    format!("hsl({hue} 65% 55%)")
}

/// A message that something could not be done, with a Dismiss button.
pub fn error_banner(error: Option<&String>, id: &'static str, dismiss: Callback<MouseEvent>) -> Html {
    let Some(e) = error else { return html! {} };
    html! {
        <div {id} class="banner error" role="alert">
            <span>{e}</span>
            <button onclick={dismiss} title="Dismiss this message">{"Dismiss"}</button>
        </div>
    }
}

pub fn format_time(us: u64) -> String {
    format!("{}.{:03} ms", us / 1000, us % 1000)
}

pub fn status_bar<P: Face>(pg: &Playground<P>) -> Html {
    let hash = format!("{:016x}", pg.sim().trace().hash());
    html! {
        <div class="status" aria-live="polite">
            <span id="sim-time" data-us={pg.now().to_string()} title="Simulated time since the start">{format!("t = {}", format_time(pg.now()))}</span>
            <span id="trace-hash" class="hash" data-hash={hash.clone()} title="Hash of every event so far: equal hashes mean identical runs">{format!("trace {}", &hash[..8])}</span>
            <span id="summary" title="The run at a glance">{pg.summary()}</span>
            { P::legend() }
        </div>
    }
}

/// The first violation of the run, if any.
pub fn violation<P: Board>(pg: &Playground<P>) -> Html {
    let Some(v) = pg.violations().first() else { return html! {} };
    html! {
        <div id="violation-banner" class="banner violation" role="alert">
            <strong>{format!("{} violated ({})", v.property, v.reference)}</strong>
            <span>{format!(" at t = {}: {}. The run is paused; press space to go on.", format_time(v.time_us), v.detail)}</span>
        </div>
    }
}

pub fn inspector(pg: &Playground<Raft>, dispatch: &Callback<Gesture>) -> Html {
    let Some(n) = pg.selected.filter(|n| *n < pg.sim().len()) else {
        return empty_inspector();
    };
    let sim = pg.sim();
    let status = sim.status(n);
    let clock = sim.clock(n);
    let close = super::send(dispatch, Gesture::Select(None));
    let (role, term, voted, commit, applied, log, leader_view) = match sim.node(n) {
        Some(r) => (
            r.role().to_string(),
            r.term(),
            r.voted_for(),
            Some(r.commit_index()),
            Some(r.last_applied()),
            r.log().clone(),
            (r.role() == Role::Leader).then(|| (r.next_index().to_vec(), r.match_index().to_vec())),
        ),
        None => {
            let p = sim.persisted(n);
            (
                "crashed".to_string(),
                p.map_or(0, |p| p.current_term),
                p.and_then(|p| p.voted_for),
                None,
                None,
                p.map(|p| p.log.clone()).unwrap_or_default(),
                None,
            )
        }
    };
    let base = log.snapshot_index();
    let leader_table = leader_view.map(|(next, matched)| peers(sim.len(), n, &next, &matched));
    let witness = sim.config().is_witness(n);
    let members = match sim.node(n) {
        Some(r) => crate::viewmodel::seen::raft::members_text(r.members()),
        None => "—".to_string(),
    };
    let members = if witness { format!("{members} · this server is a witness") } else { members };
    let lease_row = sim.node(n).filter(|r| r.config().lease_us().is_some() && r.role() == Role::Leader).map(|r| {
        let local = sim.local_time(n);
        let text = if r.lease_valid(local) {
            let end = sim.clock(n).true_at(r.lease_until(), sim.now());
            format!("valid to {} local ({} true)", format_time(r.lease_until().max(0) as u64), format_time(end))
        } else {
            "not held".to_string()
        };
        html! { <><dt title="Leader lease, measured on this server's own clock (§6.4.1)">{"lease"}</dt><dd id="inspect-lease">{text}</dd></> }
    });
    let status_text = match status {
        NodeStatus::Up => "up",
        NodeStatus::Paused => "paused",
        NodeStatus::Crashed => "crashed (showing what it persisted)",
    };
    html! {
        <section class="panel inspector" aria-label="Inspector">
            <h2>{format!("n{n}")}<button class="close" onclick={close} title="Close the inspector">{"✕"}</button></h2>
            <dl>
                <dt>{"status"}</dt><dd id="inspect-status">{status_text}</dd>
                <dt>{"role"}</dt><dd id="inspect-role">{role}</dd>
                <dt title="currentTerm (persistent)">{"term"}</dt><dd id="inspect-term">{term}</dd>
                <dt title="votedFor in the current term (persistent)">{"votedFor"}</dt><dd>{voted.map_or("—".to_string(), |v| format!("n{v}"))}</dd>
                <dt title="Highest log index known committed (volatile)">{"commitIndex"}</dt><dd>{commit.map_or("—".to_string(), |c| c.to_string())}</dd>
                <dt title="Highest log index applied to the state machine (volatile)">{"lastApplied"}</dt><dd>{applied.map_or("—".to_string(), |c| c.to_string())}</dd>
                <dt title="This node's clock next to true time: its reading, its offset and its drift">{"clock"}</dt>
                <dd id="inspect-clock">{format!("{} local · {} true", format_time(sim.local_time(n).max(0) as u64), format_time(sim.now()))}<br/>{format!("{:+.3} ms, drift {:+} ppm", (sim.local_time(n) - sim.now() as i64) as f64 / 1000.0, clock.drift_ppm())}</dd>
                { lease_row }
                <dt title="The configuration this server uses: the latest in its log (§4.1)">{"members"}</dt><dd id="inspect-members">{members}</dd>
                <dt title="Entries up to here are compacted into a snapshot">{"snapshot"}</dt><dd id="inspect-snapshot">{if base > 0 { format!("up to index {base} (term {})", log.term_at(base).unwrap_or(0)) } else { "none".to_string() }}</dd>
            </dl>
            <h3 title="Each cell is an entry, labelled and coloured by term; committed entries are outlined; S marks the snapshot">{format!("log ({} entries, {} held)", log.last_index(), log.last_index() - base)}</h3>
            { log_cells(&log, commit.unwrap_or(0)) }
            { for leader_table }
        </section>
    }
}

/// The inspector before a node is chosen (every playground's).
pub fn empty_inspector() -> Html {
    html! {
        <section class="panel inspector" aria-label="Inspector">
            <h2>{"Inspector"}</h2>
            <p class="hint">{"Click a node to inspect it and act on it. Click a link to cut or slow it. Drag a rectangle around nodes to partition them off."}</p>
        </section>
    }
}

/// A server's log as cells, coloured by term, committed ones outlined,
/// the snapshot as one cell.
fn log_cells(log: &crate::viewmodel::seen::raft::Log, commit_at: u64) -> Html {
    // The newest entries only: a long log would swamp the panel.
    const SHOWN: u64 = 240;
    let first_shown = log.last_index().saturating_sub(SHOWN).max(log.first_index());
    let base = log.snapshot_index();
    let snapshot_cell = (base > 0).then(|| {
        html! {
            <span class="cell snapshot" title={format!("snapshot: entries 1 to {base} were compacted (last term {})", log.term_at(base).unwrap_or(0))}>{format!("S≤{base}")}</span>
        }
    });
    let hidden = (first_shown > log.first_index()).then(|| {
        html! { <span class="cell elided" title={format!("entries {} to {} are not drawn", log.first_index(), first_shown - 1)}>{"…"}</span> }
    });
    let cells: Html = log
        .entries()
        .filter(|(i, _)| *i >= first_shown)
        .map(|(i, e)| {
            let committed = i <= commit_at;
            let what = match e.payload {
                Payload::Noop => "no-op".to_string(),
                Payload::Client(id) => format!("client request c{id}"),
                Payload::Config(m) => format!("configuration {}", crate::viewmodel::seen::raft::members_text(m)),
                Payload::Elided => "client request (payload not kept by this witness)".to_string(),
            };
            html! {
                <span class={classes!("cell", committed.then_some("committed"), matches!(e.payload, Payload::Config(_)).then_some("config"))} style={format!("background:{}", term_colour(e.term))}
                    title={format!("index {i}, term {}: {what}{}", e.term, if committed { " (committed)" } else { "" })}>{e.term}</span>
            }
        })
        .collect();
    html! { <div class="log-cells">{ for snapshot_cell }{ for hidden }{cells}</div> }
}

/// A leader's view of its peers: nextIndex and matchIndex.
fn peers(nodes: u32, n: NodeId, next: &[u64], matched: &[u64]) -> Html {
    html! {
        <table class="peers">
            <thead><tr><th>{"peer"}</th><th title="Next log index to send">{"nextIndex"}</th><th title="Highest index known replicated">{"matchIndex"}</th></tr></thead>
            <tbody>{ for (0..nodes).filter(|p| *p != n).map(|p| html!{
                <tr><td>{format!("n{p}")}</td><td>{next.get(p as usize).copied().unwrap_or(0)}</td><td>{matched.get(p as usize).copied().unwrap_or(0)}</td></tr>
            }) }</tbody>
        </table>
    }
}

/// One checked property: green while it holds, red with the violation, grey
/// with why it is not checked here.
pub fn property_row(
    name: &str,
    reference: &str,
    statement: &str,
    failed: Option<&str>,
    unchecked: Option<String>,
) -> Html {
    let state = match (failed, &unchecked) {
        (Some(_), _) => "bad",
        (None, Some(_)) => "off",
        _ => "good",
    };
    html! {
        <li class={classes!("inv", state)} data-property={name.to_string()} title={format!("{statement} {reference}")}>
            <span class="dot"></span>
            <span class="name">{name}</span>
            <span class="ref">{reference}</span>
            { for failed.map(|d| html!{ <div class="why">{d}</div> }) }
            { for unchecked.map(|u| html!{ <div class="why">{u}</div> }) }
        </li>
    }
}

/// The safety panel around property rows.
pub fn safety_panel(rows: Html) -> Html {
    html! {
        <section class="panel invariants" aria-label="Safety properties">
            <h2 title="Checked after every simulated event">{"Safety"}</h2>
            <ul>{rows}</ul>
        </section>
    }
}

pub fn invariants(pg: &Playground<Raft>) -> Html {
    let rows: Html = Property::ALL
        .iter()
        .map(|p| {
            let failed = pg.failed(*p).map(|v| v.detail.as_str());
            property_row(p.name(), p.reference(), p.statement(), failed, None)
        })
        .collect();
    safety_panel(rows)
}

/// Lines the event log draws while the run plays, and while it is paused.
const LIVE_LOG_ROWS: usize = 20;
const PAUSED_LOG_ROWS: usize = 300;

pub fn event_log<P: Board>(pg: &Playground<P>, dispatch: &Callback<Gesture>) -> Html {
    let n = pg.sim().len();
    let d = dispatch.clone();
    let on_node = Callback::from(move |e: Event| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            d.emit(Gesture::FilterNode(sel.value().parse().ok()));
        }
    });
    let kinds: Html = P::LOG_KINDS
        .iter()
        .map(|(k, label)| {
            let d = dispatch.clone();
            let k: &'static str = k;
            let on = Callback::from(move |_| d.emit(Gesture::ToggleKind(k)));
            html! {
                <label class="check" title={format!("Show {label}")}>
                    <input type="checkbox" checked={!pg.hidden_kinds.contains(&k)} onchange={on} data-kind={k} />{*label}
                </label>
            }
        })
        .collect();
    // While it plays, the newest lines move on every frame: draw a little
    // more than the list shows (about 14 lines), not the whole tail; paused,
    // draw it all, to scroll back through. Keyed, so a frame adds the new
    // lines and drops the oldest instead of rewriting every line.
    let rows: Html = pg
        .visible_log(if pg.playing { LIVE_LOG_ROWS } else { PAUSED_LOG_ROWS })
        .into_iter()
        .map(|l| {
            let onclick = super::send(dispatch, Gesture::Highlight(l.nodes().to_vec()));
            html! {
                <li key={l.index} class={classes!("ev", l.kind)} {onclick} title="Click to highlight the nodes involved">
                    <span class="t">{format_time(l.time)}</span>
                    <span class="k">{l.kind}</span>
                    <span class="x">{l.text()}</span>
                </li>
            }
        })
        .collect();
    html! {
        <section class="panel events" aria-label="Event log">
            <div class="events-head">
                <h2 title="The trace, newest first">{"Events"}</h2>
                <label class="field" title="Show only events that involve this node">
                    <span>{"node"}</span>
                    <select id="log-node" onchange={on_node} aria-label="Filter events by node">
                        <option value="all" selected={pg.log_node.is_none()}>{"all"}</option>
                        { for (0..n).map(|i| html!{ <option value={i.to_string()} selected={pg.log_node == Some(i)}>{format!("n{i}")}</option> }) }
                    </select>
                </label>
                <div class="kinds">{kinds}</div>
            </div>
            <ol id="event-log" class="event-list" tabindex="0" aria-label="Event log">{rows}</ol>
        </section>
    }
}

/// A view's help card (the registry supplies its words); `close` closes it.
pub fn help(view: View, close: Callback<MouseEvent>) -> Html {
    let h = view.help();
    html! {
        <div id="help" class="overlay" role="dialog" aria-label="Help" onclick={close.clone()}>
            <div class="help-card" onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2>{format!("{}: keyboard shortcuts", view.label())}</h2>
                <table>{ for h.keys.iter().map(|(k, what)| html!{ <tr><td><kbd>{*k}</kbd></td><td>{*what}</td></tr> }) }</table>
                <h2>{"With the mouse"}</h2>
                <ul>{ for h.mouse.iter().map(|m| html!{ <li>{*m}</li> }) }</ul>
                <h2>{"What you see"}</h2>
                <p>{h.symbols}</p>
                <button onclick={close} title="Close help (? or Esc)">{"Close"}</button>
            </div>
        </div>
    }
}

/// The timeline scrubber: drag to any instant; marks show faults (amber),
/// new leaders (green), violations (red) and alerts (purple).
pub fn scrubber<P: Board>(pg: &Playground<P>, dispatch: &Callback<Gesture>, seek_ms: f64) -> Html {
    let end = pg.end().max(1);
    let now = pg.now();
    let d = dispatch.clone();
    let on_input = Callback::from(move |e: InputEvent| {
        if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            if let Ok(t) = i.value().parse::<f64>() {
                d.emit(Gesture::Seek(t as u64));
            }
        }
    });
    let back = super::send(dispatch, Gesture::StepBack);
    let fwd = super::send(dispatch, Gesture::Step);
    let marks: Html = pg
        .marks()
        .iter()
        .map(|m| {
            let x = m.time as f64 / end as f64 * 1000.0;
            let class = match m.kind {
                crate::scenario::travel::MarkKind::Fault => "mk fault",
                crate::scenario::travel::MarkKind::Leader => "mk leader",
                crate::scenario::travel::MarkKind::Violation => "mk violation",
                crate::scenario::travel::MarkKind::Alert => "mk alert",
            };
            html! { <line class={class} x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="0" y2="10" /> }
        })
        .collect();
    let (ticks, chips) = bookmarks(&pg.scenario().marks, end, &dispatch.reform(Gesture::GoTo));
    // Each recorded action, as a short tick under the others.
    let actions = super::timeline::ticks(&pg.scenario().timeline, end);
    html! { <>
        <div class="scrubber" data-seek-ms={format!("{seek_ms:.3}")} data-end={end.to_string()}>
            <button id="embed-play" class="embed-only" onclick={super::send(dispatch, Gesture::TogglePlay)}
                aria-label={if pg.playing { "Pause" } else { "Play" }} title="Play or pause (Space)">{if pg.playing { "❚❚" } else { "▶" }}</button>
            <button id="step-back" onclick={back} title="Back to the previous event (←)" aria-label="Step back">{"◀"}</button>
            <div class="track">
                <svg class="marks" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">{marks}{ticks}{actions}</svg>
                <input id="scrubber" type="range" min="0" max={end.to_string()} step="1" value={now.to_string()}
                    oninput={on_input} aria-label="Simulated time" title="Drag to travel to any instant of this run; acting in the past forks it" />
            </div>
            <button id="step-forward" onclick={fwd} title="Forward to the next event (→)" aria-label="Step forward">{"▶"}</button>
            <span class="range-label">{format!("{} / {}", format_time(now), format_time(pg.end()))}</span>
        </div>
        {chips}
    </> }
}

/// A scenario's bookmarks: a tick on the scrubber's track for each one
/// the run has reached, and a button for each that goes there.
pub fn bookmarks(marks: &[crate::scenario::tour::Bookmark], end: Time, go: &Callback<Time>) -> (Html, Html) {
    if marks.is_empty() {
        return (html! {}, html! {});
    }
    let ticks: Html = marks
        .iter()
        .filter(|m| m.at_us() <= end)
        .map(|m| {
            let x = format!("{:.1}", m.at_us() as f64 / end.max(1) as f64 * 1000.0);
            html! { <line class="mk bookmark" x1={x.clone()} x2={x} y1="0" y2="10" /> }
        })
        .collect();
    let chips: Html = marks
        .iter()
        .map(|m| {
            let t = m.at_us();
            let onclick = go.reform(move |_: MouseEvent| t);
            html! {
                <button class="bookmark" {onclick} data-at={t.to_string()} title={format!("Go to {}", format_time(t))}>
                    <span class="at">{format_time(t)}</span>{" "}{&m.label}
                </button>
            }
        })
        .collect();
    (
        ticks,
        html! { <nav class="bookmarks" aria-label="Bookmarks"><span class="star" aria-hidden="true">{"★"}</span>{chips}</nav> },
    )
}

/// A banner with a link to copy: this page with `#fragment`.
pub fn share_box(fragment: &str, caption: String, close: Callback<MouseEvent>) -> Html {
    let loc = web_sys::window().map(|w| w.location());
    let base = loc
        .map(|l| format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default()))
        .unwrap_or_default();
    let url = format!("{base}#{fragment}");
    let u = url.clone();
    let copy = Callback::from(move |_| super::files::copy(&u));
    html! {
        <div id="share-box" class="banner share" role="dialog" aria-label="Share link">
            <span>{format!("{caption} ({} KB):", url.len().div_ceil(1024))}</span>
            <input id="share-url" type="text" readonly=true value={url} aria-label="Share link"
                onfocus={Callback::from(|e: FocusEvent| { if let Some(i) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); } })} />
            <button onclick={copy} title="Copy the link to the clipboard">{"Copy"}</button>
            <button onclick={close} title="Close">{"Close"}</button>
        </div>
    }
}

/// The scenario's declared budgets, and each alert that fired: when and
/// why; a click travels to where the run noticed it. Shown only when the scenario
/// declares alerts.
pub fn alerts_panel(
    rules: &[crate::scenario::alerts::AlertRule],
    fired: &[crate::scenario::alerts::Fired],
    seek: &Callback<crate::sim::Time>,
) -> Html {
    if rules.is_empty() {
        return html! {};
    }
    let rows: Html = fired
        .iter()
        .map(|a| {
            let until = a.until_us.map_or("now".to_string(), format_time);
            let onclick = seek.reform({
                let t = a.noticed_us;
                move |_| t
            });
            html! {
                <li class="alert-row">
                    <button class="linkish" {onclick} title="Travel to the instant the run noticed it (it began at the time shown)">{format!("{} – {until}", format_time(a.from_us))}</button>
                    <b>{&a.alert}</b>{": "}{&a.why}
                </li>
            }
        })
        .collect();
    let summary = match fired.len() {
        0 => format!("none of {} fired", rules.len()),
        n => format!("{n} fired"),
    };
    html! {
        <section id="alerts" class="panel alerts" aria-label="Alerts">
            <h2 title="Budgets the scenario declares; splitbrain run exits 1 when one fires">{"Alerts"}<span class="alerts-count">{summary}</span></h2>
            <ul class="alert-rules">{ for rules.iter().map(|r| html! { <li>{r.describe()}</li> }) }</ul>
            <ol id="alert-list">{rows}</ol>
        </section>
    }
}
