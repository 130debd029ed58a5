//! Alerts: budgets a scenario declares over its run, checked after every
//! step like the properties, so that a design review can put its budgets
//! in the file. `splitbrain run` reports each alert that fired, with when
//! and why, and exits 1; the page marks them on the scrubber and the
//! space-time diagram and lists them.
//!
//! ```json
//! "alerts": [
//!   { "no_leader_ms": 500 },
//!   { "loss_percent": 5, "window_ms": 1000 },
//!   { "latency_p99_ms": 50, "window_ms": 1000 },
//!   { "divergence_ms": 2000 },
//!   { "property": "Lease Exclusivity", "name": "two leases at once" }
//! ]
//! ```

use super::Registered;
use crate::contract::Observer;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use serde::{Deserialize, Serialize};

/// The most rules a scenario declares.
pub const MAX_RULES: usize = 20;
/// The longest name a rule may have (characters).
pub const MAX_NAME: usize = 80;
/// A loss rule judges a window only once this many messages were sent in it.
const MIN_SENT: u64 = 20;

/// One budget. Exactly one of `no_leader_ms`, `loss_percent`,
/// `latency_p99_ms`, `divergence_ms` and `property` is set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    /// What the alert is called (else it is named after its rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// No leader for longer than this (ms): protocols with a leader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_leader_ms: Option<f64>,
    /// More than this share (%) of the messages sent in a window were
    /// dropped, for any reason (loss, a cut, a partition, a crash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_percent: Option<f64>,
    /// The window of `loss_percent` and `latency_p99_ms` (ms; 1000 if not
    /// given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ms: Option<f64>,
    /// The 99th percentile of client latency in a window above this (ms):
    /// protocols that report latencies (Raft's commit latency, the store's
    /// request latency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_ms: Option<f64>,
    /// Replicas disagreeing for longer than this (ms): protocols that keep
    /// replicas (the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divergence_ms: Option<f64>,
    /// A property the protocol checks, by name, broke ("Lease Exclusivity").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

impl AlertRule {
    /// What the rule says, as its alerts are named: its name, if it has one.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => self.budget(),
        }
    }

    /// The rule itself, in words, and its name if it has one.
    pub fn describe(&self) -> String {
        match &self.name {
            Some(n) => format!("{n}: {}", self.budget()),
            None => self.budget(),
        }
    }

    fn budget(&self) -> String {
        let window = self.window_ms.unwrap_or(1000.0);
        match (self.no_leader_ms, self.loss_percent, self.latency_p99_ms, self.divergence_ms, &self.property) {
            (Some(ms), ..) => format!("no leader for more than {ms} ms"),
            (_, Some(p), ..) => format!("more than {p}% of messages lost over {window} ms"),
            (_, _, Some(ms), ..) => format!("latency p99 above {ms} ms over {window} ms"),
            (_, _, _, Some(ms), _) => format!("replicas apart for more than {ms} ms"),
            (.., Some(p)) => format!("{p} broken"),
            _ => "an empty rule".into(),
        }
    }
}

/// Fires an alert that stays open until its condition clears: its index.
fn open_alert(fired: &mut Vec<Fired>, alert: &str, from_us: Time, why: String, now: Time) -> Option<usize> {
    fired.push(Fired { alert: alert.to_string(), from_us, until_us: None, why, noticed_us: now });
    Some(fired.len() - 1)
}

/// An alert that fired: its rule, when, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fired {
    pub alert: String,
    /// When the budget broke: the instant a leaderless stretch passed its
    /// budget, the start of a lossy window, the step that broke a property.
    pub from_us: Time,
    /// When its condition cleared (`null` while it holds).
    pub until_us: Option<Time>,
    pub why: String,
    /// When the run noticed it (a step at or after `from_us`): where the
    /// page travels to show it, since before that instant it has not fired.
    #[serde(skip)]
    pub noticed_us: Time,
}

/// Checks `rules` for a protocol: each rule sets one budget, with a value
/// in range, on something the protocol has.
pub fn validate<P: Registered>(rules: &[AlertRule], checker: &P::Checker) -> Result<(), String> {
    if rules.len() > MAX_RULES {
        return Err(format!("alerts: {} rules; a scenario declares at most {MAX_RULES}", rules.len()));
    }
    for (i, r) in rules.iter().enumerate() {
        let at = |m: String| format!("alerts[{i}]: {m}");
        if r.name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME) {
            return Err(at(format!("a name of at most {MAX_NAME} characters")));
        }
        let set = usize::from(r.no_leader_ms.is_some())
            + usize::from(r.loss_percent.is_some())
            + usize::from(r.latency_p99_ms.is_some())
            + usize::from(r.divergence_ms.is_some())
            + usize::from(r.property.is_some());
        if set != 1 {
            return Err(at(
                "set exactly one of no_leader_ms, loss_percent, latency_p99_ms, divergence_ms and property".into(),
            ));
        }
        if r.window_ms.is_some() && r.loss_percent.is_none() && r.latency_p99_ms.is_none() {
            return Err(at("window_ms belongs to a loss_percent or latency_p99_ms rule".into()));
        }
        if let Some(ms) = r.latency_p99_ms {
            if !<P::Observer as Observer<P>>::LATENCY {
                return Err(at(format!("latency_p99_ms: a {} run reports no client latency", P::KIND.label())));
            }
            if !(ms.is_finite() && ms > 0.0) {
                return Err(at(format!("latency_p99_ms must be above 0, not {ms}")));
            }
        }
        if let Some(ms) = r.divergence_ms {
            if !<P::Observer as Observer<P>>::DIVERGENCE {
                return Err(at(format!("divergence_ms: a {} run keeps no replicas apart", P::KIND.label())));
            }
            if !(ms.is_finite() && ms > 0.0) {
                return Err(at(format!("divergence_ms must be above 0, not {ms}")));
            }
        }
        if let Some(ms) = r.no_leader_ms {
            if !P::HAS_LEADER {
                return Err(at(format!("no_leader_ms: a {} run has no leader", P::KIND.label())));
            }
            if !(ms.is_finite() && ms > 0.0) {
                return Err(at(format!("no_leader_ms must be above 0, not {ms}")));
            }
        }
        if let Some(p) = r.loss_percent {
            if !(p.is_finite() && (0.0..100.0).contains(&p)) {
                return Err(at(format!("loss_percent must be from 0 to below 100, not {p}")));
            }
        }
        if r.window_ms.is_some() {
            let w = r.window_ms.unwrap_or(1000.0);
            if !(w.is_finite() && w >= 1.0) {
                return Err(at(format!("window_ms must be at least 1, not {w}")));
            }
        }
        if let Some(p) = &r.property {
            let known = checker.properties();
            if !known.contains(&p.as_str()) {
                return Err(at(format!(
                    "{} checks no property '{p}'; it checks {}",
                    P::KIND.label(),
                    known.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// Each rule's state over a run.
#[derive(Clone, Debug)]
enum Watch {
    /// Since when no leader (true time), and whether that fired.
    NoLeader { limit: Time, since: Option<Time>, open: Option<usize> },
    /// The current window's start and counts, and the open alert.
    Loss { percent: f64, window: Time, start: Time, sent: u64, dropped: u64, open: Option<usize> },
    /// Violations of this property already seen.
    Property { name: String, seen: usize },
    /// The current window's start, the latencies finished in it, how many
    /// the observer has reported, and the open alert.
    Latency { budget: Time, window: Time, start: Time, samples: Vec<Time>, read: usize, open: Option<usize> },
    /// Replicas apart longer than the limit; the open alert.
    Divergence { limit: Time, open: Option<usize> },
}

/// The alerts of one run.
#[derive(Clone, Debug, Default)]
pub struct Alerts {
    watches: Vec<(String, Watch)>,
    fired: Vec<Fired>,
}

impl Alerts {
    pub fn new(rules: &[AlertRule]) -> Self {
        let us = |ms: f64| (ms * 1000.0).round() as Time;
        let watches = rules
            .iter()
            .map(|r| {
                let window = us(r.window_ms.unwrap_or(1000.0));
                let w = match (r.no_leader_ms, r.loss_percent, &r.property) {
                    _ if r.latency_p99_ms.is_some() => Watch::Latency {
                        budget: us(r.latency_p99_ms.unwrap_or_default()),
                        window,
                        start: 0,
                        samples: Vec::new(),
                        read: 0,
                        open: None,
                    },
                    _ if r.divergence_ms.is_some() => {
                        Watch::Divergence { limit: us(r.divergence_ms.unwrap_or_default()), open: None }
                    }
                    (Some(ms), _, _) => Watch::NoLeader { limit: us(ms), since: Some(0), open: None },
                    (_, Some(p), _) => Watch::Loss { percent: p, window, start: 0, sent: 0, dropped: 0, open: None },
                    (_, _, Some(p)) => Watch::Property { name: p.clone(), seen: 0 },
                    _ => Watch::Property { name: String::new(), seen: 0 },
                };
                (r.label(), w)
            })
            .collect();
        Alerts { watches, fired: Vec::new() }
    }

    pub fn fired(&self) -> &[Fired] {
        &self.fired
    }

    pub fn is_empty(&self) -> bool {
        self.watches.is_empty()
    }

    /// After a step: the leader now, the step's events, the violations so
    /// far, and what the protocol's observer reports.
    pub fn observe<P: Registered>(&mut self, sim: &Sim<P>, violations: &[Violation], observed: &P::Observer) {
        let now = sim.now();
        for (label, w) in &mut self.watches {
            match w {
                // It fires at the instant the budget ran out, whichever
                // step notices it: a stretch that ends before any step
                // past its budget is caught as it ends.
                Watch::NoLeader { limit, since, open } => match (P::leader(sim), *since) {
                    (Some(_), from) => {
                        match (open.take(), from) {
                            (Some(i), _) => self.fired[i].until_us = Some(now),
                            (None, Some(from)) if now - from > *limit => self.fired.push(Fired {
                                alert: label.clone(),
                                from_us: from + *limit,
                                until_us: Some(now),
                                why: format!("no leader since {} ms", from / 1000),
                                noticed_us: now,
                            }),
                            _ => {}
                        }
                        *since = None;
                    }
                    (None, from) => {
                        let from = from.unwrap_or(now);
                        *since = Some(from);
                        if open.is_none() && now - from > *limit {
                            let why = format!("no leader since {} ms", from / 1000);
                            *open = open_alert(&mut self.fired, label, from + *limit, why, now);
                        }
                    }
                },
                Watch::Loss { percent, window, start, sent, dropped, open } => {
                    // Judge each whole window as the run passes its end.
                    while now >= *start + *window {
                        let lost = if *sent >= MIN_SENT { 100.0 * *dropped as f64 / *sent as f64 } else { 0.0 };
                        match (lost > *percent, open.is_some()) {
                            (true, false) => {
                                let why = format!("{dropped} of {sent} messages dropped ({lost:.1}%)");
                                *open = open_alert(&mut self.fired, label, *start, why, now);
                            }
                            (false, true) => self.fired[open.take().expect("open")].until_us = Some(*start),
                            _ => {}
                        }
                        (*start, *sent, *dropped) = (*start + *window, 0, 0);
                    }
                    for e in sim.trace().last_step() {
                        match e.kind {
                            EventKind::Send { .. } | EventKind::Duplicate { .. } => *sent += 1,
                            EventKind::Drop { .. } => *dropped += 1,
                            _ => {}
                        }
                    }
                }
                Watch::Latency { budget, window, start, samples, read, open } => {
                    // Judge each whole window as the run passes its end: its
                    // p99 (nearest rank) over the operations finished in it.
                    while now >= *start + *window {
                        samples.sort_unstable();
                        let p99 = (!samples.is_empty()).then(|| samples[(samples.len() * 99).div_ceil(100) - 1]);
                        match (p99.is_some_and(|p| p > *budget), open.is_some()) {
                            (true, false) => {
                                let p = p99.unwrap_or_default();
                                let why = format!("p99 {:.1} ms over {} operations", p as f64 / 1000.0, samples.len());
                                *open = open_alert(&mut self.fired, label, *start, why, now);
                            }
                            (false, true) if p99.is_some() => {
                                self.fired[open.take().expect("open")].until_us = Some(*start)
                            }
                            _ => {}
                        }
                        *start += *window;
                        samples.clear();
                    }
                    while let Some((_, took)) = observed.latency(*read) {
                        samples.push(took);
                        *read += 1;
                    }
                }
                Watch::Divergence { limit, open } => {
                    let age = observed.divergence_age(now);
                    match (age > *limit, *open) {
                        (true, None) => {
                            let why = format!("replicas apart since {} ms", (now - age) / 1000);
                            *open = open_alert(&mut self.fired, label, now, why, now);
                        }
                        (false, Some(i)) => {
                            self.fired[i].until_us = Some(now);
                            *open = None;
                        }
                        _ => {}
                    }
                }
                Watch::Property { name, seen } => {
                    for v in violations.iter().skip(*seen).filter(|v| v.property == name.as_str()) {
                        let why = v.detail.clone();
                        self.fired.push(Fired {
                            alert: label.clone(),
                            from_us: v.time_us,
                            until_us: Some(v.time_us),
                            why,
                            noticed_us: v.time_us,
                        });
                    }
                    *seen = violations.len();
                }
            }
        }
    }
}
