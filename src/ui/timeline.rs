//! The timeline panel: every recorded action, with its time to edit, its
//! JSON to replace, a button to delete it and one to travel there; Undo and
//! Redo (also Ctrl+Z and Ctrl+Shift+Z). An edit replays the run to the
//! instant showing.

use super::field::Field;
use crate::scenario::TimedAction;
use crate::sim::Time;
use crate::viewmodel::playground::{action_json, action_summary, Board, Edit, Gesture, History, Playground};
use yew::prelude::*;

/// What the panel asks of its view.
#[derive(Clone, Debug, PartialEq)]
pub enum Ask {
    Edit(Edit),
    GoTo(Time),
    Error(String),
}

impl From<Ask> for Gesture {
    fn from(a: Ask) -> Self {
        match a {
            Ask::Edit(e) => Gesture::Edit(e),
            Ask::GoTo(t) => Gesture::GoTo(t),
            Ask::Error(e) => Gesture::ShowError(e),
        }
    }
}

fn row(i: usize, t: &TimedAction, d: &Callback<Ask>) -> Html {
    let ms = t.at.us() as f64 / 1000.0;
    let json = action_json(t);
    let on_time = d.reform(move |v: String| match v.trim().parse::<f64>() {
        Ok(ms) => Ask::Edit(Edit::Move(i, ms)),
        Err(_) => Ask::Error(format!("'{v}' is not a time in ms; the timeline is unchanged.")),
    });
    let on_json = d.reform(move |v: String| Ask::Edit(Edit::Replace(i, v)));
    let go = d.reform(move |_: MouseEvent| Ask::GoTo((ms * 1000.0).round() as u64));
    let delete = d.reform(move |_: MouseEvent| Ask::Edit(Edit::Delete(i)));
    html! {
        <li class="ta" data-i={i.to_string()}>
            <Field id={format!("ta-at-{i}")} class="ta-at" min="0" step="1" value={ms.to_string()} onchange={on_time}
                label={format!("When action {} happens, in ms (change it to move the action)", i + 1)} />
            <details class="ta-what">
                <summary title="Show the action as the scenario file writes it, to edit">{action_summary(t)}</summary>
                <Field id={format!("ta-json-{i}")} class="ta-json" kind="text" value={json} onchange={on_json}
                    label={format!("Action {}, as the scenario file writes it (edit it and press Enter to replace it)", i + 1)} />
            </details>
            <button class="icon" onclick={go} title="Travel to this action" aria-label={format!("Travel to action {}", i + 1)}>{"⇥"}</button>
            <button class="icon" onclick={delete} title="Delete this action; the run replays without it" aria-label={format!("Delete action {}", i + 1)}>{"✕"}</button>
        </li>
    }
}

thread_local! {
    /// The panel as last drawn, and what it was drawn from: a frame reuses
    /// it unless the timeline or the undo stack changed (each row writes
    /// its action as JSON, too much work for every frame).
    static DRAWN: std::cell::RefCell<Option<(Key, Html)>> = const { std::cell::RefCell::new(None) };
}

/// (view, timeline revision, can undo, can redo).
type Key = (&'static str, u64, bool, bool);

/// The panel, for a Raft or store view.
pub fn of_playground<P: Board>(pg: &Playground<P>, d: &Callback<Gesture>) -> Html {
    panel((P::KIND.name(), pg.timeline_rev()), &pg.scenario().timeline, pg.history(), &d.reform(Gesture::from))
}

/// The panel for a timeline; `rev` names the view and moves whenever the
/// timeline does.
pub fn panel(rev: (&'static str, u64), timeline: &[TimedAction], h: &History, d: &Callback<Ask>) -> Html {
    let key = (rev.0, rev.1, h.can_undo(), h.can_redo());
    if let Some(html) = DRAWN.with(|c| c.borrow().as_ref().filter(|(k, _)| *k == key).map(|(_, h)| h.clone())) {
        return html;
    }
    let html = draw(timeline, h, d);
    DRAWN.with(|c| *c.borrow_mut() = Some((key, html.clone())));
    html
}

fn draw(timeline: &[TimedAction], h: &History, d: &Callback<Ask>) -> Html {
    html! {
        <section id="timeline" class="panel timeline" aria-label="Timeline">
            <h2 title="Every recorded action: move, edit or delete one, and the run replays to now">
                {"Timeline"}<span class="count">{format!("{} action{}", timeline.len(), if timeline.len() == 1 { "" } else { "s" })}</span>
                <button id="undo" class="icon" onclick={super::send(d, Ask::Edit(Edit::Undo))} disabled={!h.can_undo()} title="Undo the last edit (Ctrl+Z)">{"↶"}</button>
                <button id="redo" class="icon" onclick={super::send(d, Ask::Edit(Edit::Redo))} disabled={!h.can_redo()} title="Redo (Ctrl+Shift+Z)">{"↷"}</button>
            </h2>
            if timeline.is_empty() {
                <p class="hint">{"Nothing recorded yet: crash a node, cut a link or send a request, and it is listed here."}</p>
            } else {
                <ol class="ta-list" aria-label="Recorded actions">{ for timeline.iter().enumerate().map(|(i, t)| row(i, t, d)) }</ol>
            }
        </section>
    }
}

/// Each recorded action, as a short tick on a scrubber's track (0..1000).
pub fn ticks(timeline: &[TimedAction], end: Time) -> Html {
    timeline
        .iter()
        .filter(|t| t.at.us() <= end)
        .map(|t| {
            let x = format!("{:.1}", t.at.us() as f64 / end.max(1) as f64 * 1000.0);
            html! { <line class="mk action" x1={x.clone()} x2={x} y1="6" y2="10" /> }
        })
        .collect()
}
