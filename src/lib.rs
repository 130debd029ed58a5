//! splitbrain: a playground for distributed coordination protocols on a
//! deterministic simulator.
//!
//! - [`sim`]: the discrete-event engine (time, queue, rng, network, node
//!   lifecycle, clocks, trace, invariant trait).
//! - [`protocols`]: one module per protocol, each a pure state machine.
//! - [`scenario`]: the scenario model, its timeline of actions, and its runner.
//! - [`experiments`]: Monte Carlo experiments behind the CLI.

pub mod experiments;
pub mod playground;
pub mod protocols;
pub mod scenario;
pub mod sim;
pub mod swarm;

#[cfg(target_arch = "wasm32")]
pub mod ui;
