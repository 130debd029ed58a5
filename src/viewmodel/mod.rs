//! The UI's models, without Yew: the state each view draws, changed only
//! through named actions, and tested natively. `ui/` holds the components
//! that draw them.
//!
//! - [`playground`]: the Raft view (a cluster, time travel, menus, settings).
//! - [`swarm`]: the gossip and SWIM view (thousands of sites on a canvas).
//! - [`boards`]: the board view (any protocol with a board: Paxos, ...).
//! - [`diagram`]: the space-time diagram, for every view.
//! - [`fragment`]: what a link's `#fragment` asks for, for either view.

pub mod boards;
pub mod compare;
pub mod diagram;
pub mod drawing;
pub mod fragment;
pub mod playground;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static WALL_CLOCK: OnceLock<fn() -> f64> = OnceLock::new();

/// The page's clock in ms (`performance.now()`), which the UI sets once: a
/// frame then stops simulating once its share of wall time is spent.
/// Natively there is none, and a frame is bounded by its event budget
/// alone (tests never depend on the machine's speed).
pub fn set_wall_clock(clock: fn() -> f64) {
    let _ = WALL_CLOCK.set(clock);
}

/// The wall clock, if the UI set one.
pub(crate) fn wall_clock() -> Option<fn() -> f64> {
    WALL_CLOCK.get().copied()
}

static STILL: AtomicBool = AtomicBool::new(false);

/// The person asked for less motion (`prefers-reduced-motion`): a run
/// that opens does not start playing by itself, and the gossip view does
/// not flash its messages unless asked to. The UI sets it once.
pub fn set_reduced_motion(still: bool) {
    STILL.store(still, Ordering::Relaxed);
}

/// Whether a run may start moving by itself.
pub(crate) fn autoplay() -> bool {
    !STILL.load(Ordering::Relaxed)
}
pub mod seen;
pub mod swarm;
pub mod tour;
