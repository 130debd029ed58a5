//! The Experiments panel's engine: the CLI's failover, gossip and SWIM
//! experiments, run one trial at a time so that the browser's worker can
//! report progress and stop when asked. A run gives the CLI's report (the
//! same JSON, digit for digit, as `splitbrain <experiment> --json` with the
//! same flags), every trial as CSV, and its plots ([`super::lab_plots`]).
//!
//! The panel's fields are the CLI's flags, by name and by syntax
//! (`timeout-ms` = `150-300`); a field left out takes the CLI's default.

use super::failover::{self, FailoverParams, Trial};
use super::gossip::{self, GossipParams, GossipSums};
use super::swim::{SwimParams, SwimSums};
use super::{parse_ms, parse_range, us};
use crate::protocols::gossip::{Exchange, LossOfInterest, Mode};
use crate::protocols::swim::TargetSelection;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Failover,
    Gossip,
    Swim,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Failover, Kind::Gossip, Kind::Swim];

    /// The CLI's subcommand.
    pub fn command(self) -> &'static str {
        match self {
            Kind::Failover => "failover",
            Kind::Gossip => "gossip",
            Kind::Swim => "swim",
        }
    }

    /// The panel's fields: (CLI flag, default, what it is). A default of
    /// `false` or `true` makes a checkbox; a `|`-separated default, a menu
    /// whose first entry is the default.
    pub fn fields(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Kind::Failover => &[
                (
                    "testbed",
                    "none|raft-paper",
                    "raft-paper: the Raft paper's §9.3 testbed as modelled here (its wire, disk and worst case)",
                ),
                ("nodes", "5", "cluster size, 3 to 15"),
                ("timeout-ms", "150-300", "election timeout range in ms, A-B"),
                ("latency-ms", "7-8", "one-way network latency range in ms"),
                ("fsync-ms", "0-0", "stable storage's write latency range in ms"),
                ("heartbeat-ms", "", "heartbeat interval in ms (empty: half the minimum timeout)"),
                (
                    "unequal-logs",
                    "false",
                    "the paper's worst case: logs of different lengths, a synchronized heartbeat before the crash",
                ),
                ("prevote", "false", "campaign with PreVote (dissertation §9.6)"),
                ("check-quorum", "false", "leaders step down without a majority (dissertation §6.2)"),
                ("trials", "1000", "failovers to measure"),
                ("seed", "1", "the experiment's seed; each trial derives its own"),
            ],
            Kind::Gossip => &[
                ("mode", "rumor|anti-entropy", "rumor mongering or anti-entropy"),
                ("exchange", "push|pull|push-pull", "who sends the update in a contact"),
                ("nodes", "1000", "number of sites, 2 to 100,000 here (the CLI runs up to 1,000,000)"),
                (
                    "interest",
                    "feedback|blind",
                    "rumor: lose interest only after contacts with sites that knew (feedback), or after any",
                ),
                (
                    "rule",
                    "counter|coin",
                    "rumor: lose interest after k contacts (counter) or with probability 1/k each (coin)",
                ),
                ("k", "1", "rumor: the counter or coin's k"),
                ("fanout", "1", "partners contacted per cycle"),
                ("loss", "0", "probability that a message is lost, 0 to 1"),
                ("trials", "100", "updates to spread"),
                ("seed", "1", "the experiment's seed; each trial derives its own"),
            ],
            Kind::Swim => &[
                ("target", "round-robin|random", "how a member picks whom to ping"),
                ("nodes", "100", "group size"),
                ("period-ms", "1000", "protocol period in ms"),
                ("indirect", "3", "members asked to probe indirectly (k)"),
                ("loss", "0", "probability that a message is lost, 0 to 1"),
                ("suspicion-ms", "5000", "suspicion timeout in ms"),
                ("no-suspicion", "false", "declare silent members failed at once (the basic protocol, §3)"),
                ("trials", "20", "crashes to detect"),
                ("seed", "1", "the experiment's seed; each trial derives its own"),
            ],
        }
    }
}

/// What the panel asks the worker to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub kind: Kind,
    /// (CLI flag without its dashes, value as typed); checkboxes are
    /// `true` or `false`.
    pub fields: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Params {
    Failover(FailoverParams),
    Gossip(GossipParams),
    Swim(SwimParams),
}

/// Reads the request's fields as the CLI reads its flags.
struct Fields<'a> {
    kind: Kind,
    given: &'a [(String, String)],
}

impl Fields<'_> {
    /// The field as typed, or `None` when left empty or out.
    fn text(&self, name: &str) -> Option<&str> {
        self.given.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    fn default(&self, name: &str) -> &'static str {
        let d = self.kind.fields().iter().find(|f| f.0 == name).map_or("", |f| f.1);
        d.split('|').next().unwrap_or("")
    }

    fn value(&self, name: &str) -> &str {
        self.text(name).unwrap_or_else(|| self.default(name))
    }

    fn number<T>(&self, name: &str, lo: T, hi: T) -> Result<T, String>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let v = self.value(name);
        let n: T = v.parse().map_err(|_| format!("{name}: '{v}' is not a whole number"))?;
        if n < lo || n > hi {
            return Err(format!("{name}: {v} is out of range ({lo} to {hi})"));
        }
        Ok(n)
    }

    fn fraction(&self, name: &str) -> Result<f64, String> {
        let v = self.value(name);
        v.parse::<f64>()
            .ok()
            .filter(|x| (0.0..=1.0).contains(x))
            .ok_or_else(|| format!("{name}: '{v}' is not a probability between 0 and 1"))
    }

    fn range_us(&self, name: &str) -> Result<(u64, u64), String> {
        let (a, b) = parse_range(self.value(name)).map_err(|e| format!("{name}: {e}"))?;
        Ok((us(a), us(b)))
    }

    fn ms_us(&self, name: &str) -> Result<u64, String> {
        parse_ms(self.value(name)).map(us).map_err(|e| format!("{name}: {e}"))
    }

    fn flag(&self, name: &str) -> Result<bool, String> {
        match self.value(name) {
            "true" => Ok(true),
            "false" => Ok(false),
            v => Err(format!("{name}: '{v}' is neither true nor false")),
        }
    }

    fn choice(&self, name: &str) -> Result<&str, String> {
        let v = self.value(name);
        let menu = self.kind.fields().iter().find(|f| f.0 == name).map_or("", |f| f.1);
        if menu.split('|').any(|c| c == v) {
            Ok(v)
        } else {
            Err(format!("{name}: '{v}' is not one of {}", menu.replace('|', ", ")))
        }
    }
}

impl Request {
    /// The parameters, checked as the CLI checks its flags: the same
    /// messages for the same mistakes.
    pub fn params(&self) -> Result<Params, String> {
        let f = Fields { kind: self.kind, given: &self.fields };
        if let Some((name, _)) = self.fields.iter().find(|(n, _)| !self.kind.fields().iter().any(|d| d.0 == n)) {
            return Err(format!("{name} is not a setting of {}", self.kind.command()));
        }
        let p = match self.kind {
            Kind::Failover => {
                let mut p = FailoverParams {
                    nodes: f.number("nodes", 3, 15)?,
                    timeout_us: f.range_us("timeout-ms")?,
                    latency_us: f.range_us("latency-ms")?,
                    heartbeat_us: f.text("heartbeat-ms").map(|_| f.ms_us("heartbeat-ms")).transpose()?,
                    trials: f.number("trials", 1, 1_000_000)?,
                    seed: f.number("seed", 0, u64::MAX)?,
                    prevote: f.flag("prevote")?,
                    check_quorum: f.flag("check-quorum")?,
                    unequal_logs: f.flag("unequal-logs")?,
                    fsync_us: f.range_us("fsync-ms")?,
                };
                if f.choice("testbed")? == "raft-paper" {
                    if let Some(n) = ["latency-ms", "fsync-ms"].into_iter().find(|n| f.text(n).is_some()) {
                        return Err(format!(
                            "testbed raft-paper sets the wire, the disk and the logs itself: leave {n} empty"
                        ));
                    }
                    p = p.on_raft_paper();
                }
                p.validate()?;
                Params::Failover(p)
            }
            Kind::Gossip => {
                let p = GossipParams {
                    nodes: page_sites(&f)?,
                    mode: if f.choice("mode")? == "rumor" { Mode::Rumor } else { Mode::AntiEntropy },
                    exchange: match f.choice("exchange")? {
                        "push" => Exchange::Push,
                        "pull" => Exchange::Pull,
                        _ => Exchange::PushPull,
                    },
                    interest: LossOfInterest {
                        feedback: f.choice("interest")? == "feedback",
                        counter: f.choice("rule")? == "counter",
                        k: f.number("k", 0, u32::MAX)?,
                    },
                    fanout: f.number("fanout", 0, u32::MAX)?,
                    loss: f.fraction("loss")?,
                    trials: f.number("trials", 1, 1_000_000)?,
                    seed: f.number("seed", 0, u64::MAX)?,
                };
                p.validate()?;
                Params::Gossip(p)
            }
            Kind::Swim => {
                let no_suspicion = f.flag("no-suspicion")?;
                let p = SwimParams {
                    nodes: f.number("nodes", 0, u32::MAX)?,
                    period_us: f.ms_us("period-ms")?,
                    indirect: f.number("indirect", 0, u32::MAX)?,
                    target: if f.choice("target")? == "random" {
                        TargetSelection::Random
                    } else {
                        TargetSelection::RoundRobin
                    },
                    loss: f.fraction("loss")?,
                    suspicion_us: if no_suspicion { None } else { Some(f.ms_us("suspicion-ms")?) },
                    trials: f.number("trials", 1, 100_000)?,
                    seed: f.number("seed", 0, u64::MAX)?,
                };
                p.validate()?;
                Params::Swim(p)
            }
        };
        Ok(p)
    }

    /// The same run as a CLI command line.
    pub fn command(&self) -> String {
        let mut c = format!("splitbrain {}", self.kind.command());
        let f = Fields { kind: self.kind, given: &self.fields };
        for (name, default, _) in self.kind.fields() {
            let Some(v) = f.text(name) else { continue };
            let default = default.split('|').next().unwrap_or("");
            match (*name, v) {
                (_, "false") => {}
                (_, "true") => c.push_str(&format!(" --{name}")),
                // The panel's "none" is the CLI's leaving the flag out.
                ("testbed", "none") => {}
                ("interest", "feedback") => {}
                ("interest", "blind") => c.push_str(" --blind"),
                ("rule", _) | ("k", _) => {}
                _ if v == default && !matches!(*name, "trials" | "seed") => {}
                _ => c.push_str(&format!(" --{name} {v}")),
            }
        }
        if self.kind == Kind::Gossip && f.value("mode") == "rumor" {
            let k = f.value("k");
            match f.value("rule") {
                "coin" => c.push_str(&format!(" --coin {k}")),
                _ if k != "1" => c.push_str(&format!(" --counter {k}")),
                _ => {}
            }
        }
        c
    }
}

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
        };
        Ok(Run { request, params, done: 0, data })
    }

    pub fn total(&self) -> u32 {
        match &self.params {
            Params::Failover(p) => p.trials,
            Params::Gossip(p) => p.trials,
            Params::Swim(p) => p.trials,
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

/// The page runs at most a scenario's gossip sites; the CLI, ten times more.
fn page_sites(f: &Fields) -> Result<u32, String> {
    use crate::protocols::gossip::{MAX_EXPERIMENT_SITES, MAX_SITES};
    f.number("nodes", 2, MAX_SITES).map_err(|e| match f.number("nodes", MAX_SITES, u32::MAX) {
        Ok(n) => format!(
            "nodes: {n} is more than the {MAX_SITES} sites the page runs (splitbrain gossip runs up to {MAX_EXPERIMENT_SITES})"
        ),
        Err(_) => e,
    })
}
