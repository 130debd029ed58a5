//! splitbrain: a playground for distributed coordination protocols on a
//! deterministic simulator.
//!
//! - [`sim`]: the discrete-event engine (time, queue, rng, network, node
//!   lifecycle, clocks, trace, invariant trait).
//! - [`contract`]: what every protocol implements for the spine, below
//!   the protocols and importing none of them.
//! - [`protocols`]: one module per protocol, each a pure state machine, and
//!   the registry that lists them.
//! - [`scenario`]: the scenario model, its timeline of actions, and its runner.
//! - [`experiments`]: Monte Carlo experiments behind the CLI.
//! - [`history`]: client histories and the linearizability checker.
//! - [`stats`]: deterministic summary statistics, shared by all of the above.
//! - [`viewmodel`]: the UI's models (no Yew), tested natively.
//! - `ui` (wasm only): Yew components that draw the models.

pub mod contract;
pub mod experiments;
pub mod history;
pub mod protocols;
pub mod scenario;
pub mod search;
pub mod sim;
pub mod stats;
pub mod viewmodel;

#[cfg(target_arch = "wasm32")]
pub mod ui;
