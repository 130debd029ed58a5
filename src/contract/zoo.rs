//! A broken variant of a protocol, for the bug zoo: a scenario that runs
//! it, what is wrong, and the property whose checker catches it. Each
//! protocol lists its own ([`super::Runnable::zoo`]).

/// One broken variant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Variant {
    pub id: &'static str,
    /// The protocol's name as the page shows it.
    pub protocol: &'static str,
    pub title: &'static str,
    /// What is wrong, and why it matters: shown once the person asks.
    pub explanation: &'static str,
    /// The property whose checker catches it.
    pub property: &'static str,
    /// The scenario, as a file holds it. It has no crash, pause or cut in
    /// it: its bug shows only when faults (or ordinary concurrency)
    /// expose it. Skewed clocks, where a variant needs them, are part of
    /// its world.
    pub json: &'static str,
}
