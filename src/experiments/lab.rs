//! The Experiments panel's engine: the CLI's failover, gossip and SWIM
//! experiments, run one trial at a time so that the browser's worker can
//! report progress and stop when asked. A run gives the CLI's report (the
//! same JSON, digit for digit, as `splitbrain <experiment> --json` with the
//! same flags), every trial as CSV, and its plots ([`super::lab_plots`]).
//!
//! The panel's fields are the CLI's flags, by name and by syntax
//! (`timeout-ms` = `150-300`); a field left out takes the CLI's default.

pub use super::lab_request::{Kind, Params, Request};

use super::cap::{self, CapRow};
use super::failover::{self, FailoverParams, Trial};
use super::gossip::{self, GossipSums};
use super::quorum::QuorumSums;
use super::swim::SwimSums;

/// What a run collects, trial by trial.
#[derive(Clone, Debug)]
pub(super) enum Data {
    Failover(Vec<Trial>),
    Gossip {
        sums: GossipSums,
        /// Σ over trials of the fraction informed at the end of each cycle
        /// (a trial that ended counts at its last value).
        informed: Vec<f64>,
        finished: f64,
        /// Each trial's last cycle in which a site learned the update.
        t_last: Vec<f64>,
        rows: Vec<String>,
    },
    Swim {
        sums: SwimSums,
        rows: Vec<String>,
    },
    Quorum {
        sums: QuorumSums,
        rows: Vec<String>,
    },
    /// The table's rows so far, or why the comparison cannot run.
    Cap(Vec<CapRow>),
}

/// A run in progress.
#[derive(Clone, Debug)]
pub struct Run {
    pub(super) request: Request,
    pub(super) params: Params,
    pub(super) done: u32,
    pub(super) data: Data,
}

impl Run {
    pub fn new(request: Request) -> Result<Run, String> {
        let params = request.params()?;
        let data = match &params {
            Params::Failover(_) => Data::Failover(Vec::new()),
            Params::Gossip(_) => Data::Gossip {
                sums: GossipSums::default(),
                informed: Vec::new(),
                finished: 0.0,
                t_last: Vec::new(),
                rows: Vec::new(),
            },
            Params::Swim(_) => Data::Swim { sums: SwimSums::default(), rows: Vec::new() },
            Params::Quorum(_) => Data::Quorum { sums: QuorumSums::default(), rows: Vec::new() },
            Params::Cap(_) => Data::Cap(Vec::new()),
        };
        Ok(Run { request, params, done: 0, data })
    }

    pub fn total(&self) -> u32 {
        match &self.params {
            Params::Failover(p) => p.trials,
            Params::Gossip(p) => p.trials,
            Params::Swim(p) => p.trials,
            Params::Quorum(p) => p.trials,
            Params::Cap(_) => cap::ROWS as u32,
        }
    }

    pub fn done(&self) -> u32 {
        self.done
    }

    /// The same run as a CLI command line.
    pub fn command(&self) -> String {
        self.request.command()
    }

    pub fn finished(&self) -> bool {
        self.done >= self.total()
    }

    /// Runs the next trial, in the CLI's order; false once all have run.
    pub fn step(&mut self) -> bool {
        if self.finished() {
            return false;
        }
        let i = self.done;
        match (&self.params, &mut self.data) {
            (Params::Failover(p), Data::Failover(trials)) => {
                trials.push(failover::trial(p, crate::sim::rng::derive_seed(p.seed, u64::from(i))));
            }
            (Params::Gossip(p), Data::Gossip { sums, informed, finished, t_last, rows }) => {
                let t = gossip::trial(p, gossip::trial_seed(p, i));
                sums.add(&t);
                let n = f64::from(p.nodes);
                let curve: Vec<f64> = t.informed_per_cycle.iter().map(|&k| f64::from(k) / n).collect();
                while informed.len() < curve.len() {
                    informed.push(*finished);
                }
                let last = curve.last().copied().unwrap_or(0.0);
                for (c, sum) in informed.iter_mut().enumerate() {
                    *sum += curve.get(c).copied().unwrap_or(last);
                }
                *finished += last;
                t_last.extend(t.t_last.map(|c| c as f64));
                let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
                rows.push(format!(
                    "{i},{},{},{},{},{}",
                    t.residue,
                    t.traffic,
                    opt(t.t_ave),
                    opt(t.t_last.map(|c| c as f64)),
                    opt(t.rounds_to[2].map(|c| c as f64))
                ));
            }
            (Params::Swim(p), Data::Swim { sums, rows }) => {
                let (first, full, fp) = sums.run_trial(p, i);
                let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
                rows.push(format!("{i},{},{},{fp}", opt(first), opt(full)));
            }
            (Params::Quorum(p), Data::Quorum { sums, rows }) => {
                let fresh = sums.run_trial(p, i);
                rows.push(format!("{i},{}", fresh.map_or("no quorum".to_string(), |f| f.to_string())));
            }
            (Params::Cap(p), Data::Cap(rows)) => {
                // The parameters were validated: a row that cannot run is a
                // bug, shown as an empty row rather than a panic.
                if let Ok(row) = p.row(i as usize) {
                    rows.push(row);
                }
            }
            _ => unreachable!("a run's data matches its parameters"),
        }
        self.done += 1;
        true
    }

    /// The CLI's JSON report of the trials run so far (of them all once
    /// [`Run::finished`]).
    pub fn report_json(&self) -> String {
        let json = match (&self.params, &self.data) {
            (Params::Failover(p), Data::Failover(trials)) => {
                let p = FailoverParams { trials: trials.len() as u32, ..p.clone() };
                serde_json::to_string(&failover::Report::of(&p, trials))
            }
            (_, Data::Gossip { sums, .. }) => serde_json::to_string(&sums.report()),
            (_, Data::Swim { sums, .. }) => serde_json::to_string(&sums.report()),
            (Params::Quorum(p), Data::Quorum { sums, .. }) => serde_json::to_string(&sums.report(p)),
            (_, Data::Cap(rows)) => serde_json::to_string(rows),
            _ => unreachable!("a run's data matches its parameters"),
        };
        json.expect("reports serialise")
    }

    /// Every trial, one per line, with a header.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        match &self.data {
            Data::Failover(trials) => {
                out.push_str("trial,failover_ms,terms,split_vote\n");
                for (i, t) in trials.iter().enumerate() {
                    out.push_str(&format!("{i},{},{},{}\n", t.ms(), t.terms, t.split_vote));
                }
            }
            Data::Gossip { rows, .. } => {
                out.push_str("trial,residue,traffic,t_ave,t_last,rounds_to_all\n");
                rows.iter().for_each(|r| {
                    out.push_str(r);
                    out.push('\n');
                });
            }
            Data::Swim { rows, .. } => {
                out.push_str("trial,first_detection_periods,full_dissemination_periods,false_positives\n");
                rows.iter().for_each(|r| {
                    out.push_str(r);
                    out.push('\n');
                });
            }
            Data::Quorum { rows, .. } => {
                out.push_str("trial,read_right_after_ack_was_fresh\n");
                rows.iter().for_each(|r| {
                    out.push_str(r);
                    out.push('\n');
                });
            }
            Data::Cap(rows) => {
                out.push_str("system,connected,majority_side,minority_side,requests,reads,stale_reads,writes_acked,lost_writes,violations,linearizable\n");
                let f = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
                for r in rows {
                    out.push_str(&format!(
                        "\"{}\",{},{},{},{},{},{},{},{},{},\"{}\"\n",
                        r.system,
                        f(r.connected),
                        f(r.majority_side),
                        f(r.minority_side),
                        r.requests,
                        r.reads,
                        r.stale_reads,
                        r.writes_acked,
                        r.lost_writes,
                        r.violations,
                        r.linearizable
                    ));
                }
            }
        }
        out
    }

    /// What the panel's JSON export holds: the request, the equivalent
    /// command and the CLI's report.
    pub fn export_json(&self) -> String {
        format!(
            "{{\"command\":{},\"request\":{},\"report\":{}}}\n",
            serde_json::to_string(&self.request.command()).expect("strings serialise"),
            serde_json::to_string(&self.request).expect("requests serialise"),
            self.report_json()
        )
    }
}
