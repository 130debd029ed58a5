//! The simulator's resource caps: what one run may hold and do, so that no
//! scenario, however it was written, can exhaust the machine or hang the
//! page. A run that reaches a cap stops there, deterministically (the same
//! event on every machine), and says which cap and when.

use super::Time;
use std::fmt;

/// Messages on the wire (sent, not yet delivered or dropped, including
/// those waiting for a paused node) that any run may hold, plus
/// [`IN_FLIGHT_PER_NODE`] for each node.
pub const IN_FLIGHT_BASE: u64 = 200_000;
pub const IN_FLIGHT_PER_NODE: u64 = 40;
/// Events that any run may process within one simulated millisecond, plus
/// [`EVENTS_PER_MS_PER_NODE`] for each node.
pub const EVENTS_PER_MS_BASE: u64 = 200_000;
pub const EVENTS_PER_MS_PER_NODE: u64 = 40;

/// The caps of one run (they grow with the cluster: a large gossip run
/// legitimately has more on the wire than five Raft servers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub in_flight: u64,
    pub events_per_ms: u64,
}

impl Limits {
    pub fn for_nodes(nodes: u32) -> Self {
        let n = u64::from(nodes);
        Limits {
            in_flight: IN_FLIGHT_BASE + IN_FLIGHT_PER_NODE * n,
            events_per_ms: EVENTS_PER_MS_BASE + EVENTS_PER_MS_PER_NODE * n,
        }
    }
}

/// Which cap a run reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    InFlight,
    EventsPerMs,
}

/// Why and when a run stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Halt {
    pub cap: Cap,
    pub limit: u64,
    /// The simulated instant of the event that would have gone past it.
    pub at: Time,
}

impl Halt {
    /// The cap's short name, as JSON reports it.
    pub fn name(&self) -> &'static str {
        match self.cap {
            Cap::InFlight => "messages_in_flight",
            Cap::EventsPerMs => "events_per_ms",
        }
    }
}

/// Thousands separated, for messages people read.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Halt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.cap {
            Cap::InFlight => "messages in flight",
            Cap::EventsPerMs => "events in one simulated millisecond",
        };
        write!(
            f,
            "the run stopped at {:.3} s: more than {} {what}, the simulator's cap for this cluster (docs/limits.md); the protocol or the network multiplies messages (a storm)",
            self.at as f64 / 1e6,
            grouped(self.limit)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(200_100), "200,100");
        assert_eq!(grouped(12_345_678), "12,345,678");
    }
}
