//! The UI's models, without Yew: the state each view draws, changed only
//! through named actions, and tested natively. `ui/` holds the components
//! that draw them.
//!
//! - [`playground`]: the Raft view (a cluster, time travel, menus, settings).
//! - [`swarm`]: the gossip and SWIM view (thousands of sites on a canvas).
//! - [`fragment`]: what a link's `#fragment` asks for, for either view.

pub mod fragment;
pub mod playground;
pub mod seen;
pub mod swarm;
