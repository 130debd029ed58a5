//! A bound on the work a run's periods cause.
//!
//! Every period has a floor of its own (1 ms for timers; a rotation no
//! faster than an election), but a floor alone does not bound a run: a
//! day of 1 ms cycles on 100,000 gossip sites is 8.6 trillion of them. So
//! each periodic timer is also counted over the whole run: the nodes it
//! runs on times the run's duration over its period. A run may schedule at
//! most [`MAX_PERIODS`] firings of any one period; past that it is refused
//! before it starts, naming the period and what to change, as the floors
//! are. The client load has its own bound (`MAX_CLIENT_OPS`).

use super::Cluster;
use crate::sim::Time;

/// The most firings of one periodic timer in a run, over all its nodes:
/// about four minutes of this project's machine for the cheapest period
/// (a gossip cycle), longer for a Raft heartbeat round.
pub const MAX_PERIODS: u64 = 1_000_000_000;

/// The most client operations a run can start: the scenario's steady
/// client load and a workload's clients alike.
pub const MAX_CLIENT_OPS: u64 = 1_000_000;

/// A period that would fire too often over the run.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{what} of {period_ms} ms on {nodes} {on} for {secs} s fires {count} times; a run allows at most {limit} (lengthen {what}, shorten duration_ms, or use fewer {on})")]
pub struct TooMuchWork {
    pub what: &'static str,
    pub period_ms: f64,
    pub nodes: u32,
    /// What runs the timer: "node(s)" or "client(s)".
    pub on: &'static str,
    pub secs: f64,
    pub count: u64,
    pub limit: u64,
}

impl Cluster {
    /// Refuses `what`, a timer every `period_us` on each of `nodes` of
    /// `on` (nodes, clients), if it would fire more than `limit` times
    /// over the run.
    pub fn bound(
        &self,
        what: &'static str,
        period_us: Time,
        (nodes, on): (u32, &'static str),
        limit: u64,
    ) -> Result<(), TooMuchWork> {
        let count = (self.duration_us / period_us.max(1)).saturating_mul(u64::from(nodes));
        if count > limit {
            return Err(TooMuchWork {
                what,
                period_ms: period_us as f64 / 1000.0,
                nodes,
                on,
                secs: self.duration_us as f64 / 1e6,
                count,
                limit,
            });
        }
        Ok(())
    }

    /// [`Cluster::bound`] for a period every node runs, at [`MAX_PERIODS`].
    pub fn periods(&self, what: &'static str, period_us: Time) -> Result<(), TooMuchWork> {
        self.bound(what, period_us, (self.nodes, "node(s)"), MAX_PERIODS)
    }
}
