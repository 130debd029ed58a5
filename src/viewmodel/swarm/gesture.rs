//! What a person can do in the gossip and SWIM view: each gesture is a
//! named action on the [`super::Swarm`] model.

use crate::protocols::gossip::{Exchange, Mode};
use crate::sim::{NodeId, Time};

/// One gesture in the gossip and SWIM view.
#[derive(Clone, Debug, PartialEq)]
pub enum SwarmGesture {
    Tick {
        wall_ms: f64,
    },
    TogglePlay,
    /// Run to the next event and pause (→), as in every view.
    Step,
    SetSpeed(f64),
    /// The next speed step down or up (`[` and `]`), as in every view.
    Slower,
    Faster,
    ToggleHelp,
    /// On a phone: show or hide the secondary controls.
    ToggleMore,
    /// Close the help, or deselect.
    Escape,
    Preset(&'static str),
    Reset,
    Kill(NodeId),
    /// Freeze a node (its timers and messages wait), or unfreeze it.
    Pause(NodeId),
    Resume(NodeId),
    /// Cut the group in two halves (by id).
    Split,
    HealAll,
    SetLoss(f64),
    Select(Option<NodeId>),
    ToggleFlashes,
    /// Open, close, filter or hover the space-time diagram.
    Diagram(crate::viewmodel::diagram::DiagramGesture),
    /// SWIM: whose view colours the nodes (None: the majority view).
    Observer(Option<NodeId>),
    /// Run the epidemic with these parameters (from the form).
    Configure {
        nodes: u32,
        mode: Mode,
        exchange: Exchange,
        k: u32,
        fanout: u32,
    },
    /// Download the run as JSON: carried out by the view, at click time.
    Export,
    /// Make a link that replays this run to now.
    Share,
    /// A share link made (by the view, which deflates it in the browser).
    Shared(String),
    CloseShare,
    /// Time travel: go to a simulated instant of this run.
    Seek(Time),
    /// Go to an instant, back in the run or on past its end (a bookmark,
    /// a tour's step), and pause there.
    GoTo(Time),
    /// Open a scenario (a tour's step), at an instant, paused or playing;
    /// `preset` names the preset it is, for the menu.
    Load {
        scenario: Box<crate::scenario::Scenario>,
        preset: Option<&'static str>,
        at_us: Time,
        playing: bool,
    },
    /// Load a scenario file (JSON); errors keep the current run.
    Import(String),
    /// Restore an autosave (JSON from `autosave`); ignored if bad.
    Restore(String),
    /// Open a shared run (`s=<payload>&t=<µs>`, or an old `g=` link); a bad
    /// link is reported and the current run kept.
    OpenLink(String),
    /// Run this much simulated time (µs) and pause.
    Advance(Time),
    ShowError(String),
    /// Move, replace or delete a recorded action, or undo or redo that.
    Edit(crate::viewmodel::playground::Edit),
}
