//! Strong Completeness (Das, Gupta and Motivala, SWIM, DSN 2002, §2; the
//! bound from round-robin probing, §4.3).
//!
//! "Crash-failure of any group member is detected by all non-faulty
//! members." With round-robin target selection every member probes every
//! other within 2(n−1)−1 protocol periods, so the bound is deterministic:
//! a member that stays up, unpaused, with its clock running at true speed
//! or faster, declares a crashed member failed within
//!
//!   B = (2n + 1)·T + T_suspicion
//!
//! of the crash: at most 2(n−1) periods until its probe of the crashed
//! member, one period for the probe (direct, then indirect) to go
//! unanswered, one period of phase, then the suspicion timeout. Gossip
//! usually brings the news far sooner; the bound does not rely on it, so it
//! holds under any loss or partition. A slow clock stretches B by its drift.
//! With random target selection there is no deterministic bound (the wait
//! is geometric), and the property is not checked.

use super::{Status, Swim, TargetSelection};
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::{EventKind, Fault};
use crate::sim::{NodeId, NodeStatus, Sim, Time};

pub const PROPERTY: &str = "Strong Completeness";
pub const REFERENCE: &str = "SWIM §2, §4.3";

#[derive(Clone, Debug, Default)]
pub struct StrongCompleteness {
    /// Crashes being watched: (member, crash time, deadline).
    crashes: Vec<(NodeId, Time, Time)>,
    /// The last time each member crashed, restarted, paused or resumed.
    disturbed: Vec<Option<Time>>,
    failed: bool,
}

/// The bound `B` for a group, in true time for a clock of `drift_ppm`.
pub fn bound_us(sim: &Sim<Swim>, drift_ppm: i64) -> Time {
    let c = sim.config();
    let local = (2 * u64::from(c.nodes) + 1) * c.period_us + c.suspicion_us.unwrap_or(0);
    let slow = drift_ppm.min(0);
    // A clock at (1 + d) of true speed needs 1/(1 + d) as much true time.
    (local as u128 * 1_000_000 / (1_000_000 + slow).max(1) as u128) as Time
}

impl Checker<Swim> for StrongCompleteness {
    fn check(&mut self, sim: &Sim<Swim>, out: &mut Vec<Violation>) {
        if self.failed || sim.config().target != TargetSelection::RoundRobin {
            return;
        }
        if self.disturbed.len() < sim.len() as usize {
            self.disturbed.resize(sim.len() as usize, None);
        }
        let events = sim.trace().last_step();
        let Some(last) = events.last() else { return };
        // The slowest clock decides the deadlines: found when a crash is
        // first watched, and again whenever a clock changes.
        let slowest = || (0..sim.len()).map(|j| sim.clock(j).drift_ppm()).min().unwrap_or(0);
        for e in events {
            if let EventKind::Fault(f) = &e.kind {
                match **f {
                    Fault::Crash(m) => {
                        self.disturbed[m as usize] = Some(e.time);
                        if !self.crashes.iter().any(|(c, _, _)| *c == m) {
                            self.crashes.push((m, e.time, e.time + bound_us(sim, slowest())));
                        }
                    }
                    Fault::Restart(m) => {
                        self.disturbed[m as usize] = Some(e.time);
                        self.crashes.retain(|(c, _, _)| *c != m);
                    }
                    Fault::Pause(m) | Fault::Resume(m) => self.disturbed[m as usize] = Some(e.time),
                    Fault::Skew { .. } => {
                        let s = slowest();
                        for c in &mut self.crashes {
                            c.2 = c.2.max(c.1 + bound_us(sim, s));
                        }
                    }
                    _ => {}
                }
            }
        }
        let now = sim.now();
        let mut i = 0;
        while i < self.crashes.len() {
            let (m, at, deadline) = self.crashes[i];
            if now < deadline {
                i += 1;
                continue;
            }
            self.crashes.swap_remove(i);
            for j in 0..sim.len() {
                let steady = self.disturbed[j as usize].is_none_or(|t| t < at);
                let Some(member) = sim.node(j).filter(|_| steady && sim.status(j) == NodeStatus::Up) else {
                    continue;
                };
                let status = member.status_of(m);
                if status != Status::Failed {
                    self.failed = true;
                    out.push(Violation::after(
                        PROPERTY,
                        REFERENCE,
                        last,
                        vec![j, m],
                        format!(
                            "n{m} crashed at {at} us, but n{j} still sees it as {} at {now} us, past the bound (2n+1)·T + T_suspicion = {} us",
                            format!("{status:?}").to_ascii_lowercase(),
                            deadline - at
                        ),
                    ));
                    return;
                }
            }
        }
    }
}
