//! What the Experiments panel asks for: the experiment, and its fields as
//! the CLI's flags (by name and by syntax: `timeout-ms` = `150-300`),
//! checked as the CLI checks them, with the same messages. A field left
//! out takes the CLI's default.

use super::cap::CapParams;
use super::failover::FailoverParams;
use super::gossip::GossipParams;
use super::quorum::QuorumParams;
use super::swim::SwimParams;
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
    Quorum,
    Cap,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Failover, Kind::Gossip, Kind::Swim, Kind::Quorum, Kind::Cap];

    /// The CLI's subcommand.
    pub fn command(self) -> &'static str {
        match self {
            Kind::Failover => "failover",
            Kind::Gossip => "gossip",
            Kind::Swim => "swim",
            Kind::Quorum => "quorum",
            Kind::Cap => "cap",
        }
    }

    /// The protocol the experiment is about, for the panel's menu.
    pub fn protocol(self) -> crate::protocols::registry::ProtocolKind {
        use crate::protocols::registry::ProtocolKind;
        match self {
            Kind::Failover => ProtocolKind::Raft,
            Kind::Gossip => ProtocolKind::Gossip,
            Kind::Swim => ProtocolKind::Swim,
            Kind::Quorum | Kind::Cap => ProtocolKind::Store,
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
            Kind::Quorum => &[
                ("n", "3", "replicas per key"),
                ("r", "1", "read quorum"),
                ("w", "1", "write quorum"),
                ("nodes", "", "nodes in the cluster (empty: N)"),
                (
                    "propagation",
                    "all|none",
                    "none: a write reaches only W replicas and nothing spreads (Bailis et al.'s k-staleness model)",
                ),
                ("sloppy", "false", "sloppy quorums: ask stand-ins after half the timeout (needs nodes above N)"),
                ("latency-ms", "5-10", "one-way network latency range in ms"),
                ("exp-latency-ms", "", "exponential latency of this mean in ms instead (the WARS model's), empty: off"),
                ("loss", "0", "probability that a message is lost, 0 to below 1"),
                ("trials", "1000", "writes and reads to measure"),
                ("seed", "1", "the experiment's seed; each trial derives its own"),
            ],
            Kind::Cap => &[
                ("nodes", "5", "cluster size, the same for Raft and the store"),
                ("minority", "0,1", "nodes cut off from the rest, comma-separated"),
                ("split-ms", "2000-7000", "when the partition starts and heals, in ms"),
                ("duration-ms", "10000", "how long each system runs, in ms"),
                ("clients", "10", "clients, each beside one node"),
                ("think-ms", "100", "a client's mean think time between operations, in ms"),
                ("read-fraction", "0.5", "the share of operations that are reads"),
                ("keys", "8", "keys the store's clients use"),
                ("seed", "1", "the experiment's seed"),
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
    Quorum(QuorumParams),
    Cap(CapParams),
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
        match self.kind {
            Kind::Failover => failover_params(&f),
            Kind::Gossip => gossip_params(&f),
            Kind::Swim => swim_params(&f),
            Kind::Quorum => quorum_params(&f),
            Kind::Cap => cap_params(&f),
        }
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
                // The CLI's default is the same list, written the same way.
                ("minority", "0,1") => {}
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

/// Failover's fields, as `splitbrain failover` reads its flags.
fn failover_params(f: &Fields) -> Result<Params, String> {
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
            return Err(format!("testbed raft-paper sets the wire, the disk and the logs itself: leave {n} empty"));
        }
        p = p.on_raft_paper();
    }
    p.validate()?;
    Ok(Params::Failover(p))
}

/// Gossip's fields, as `splitbrain gossip` reads its flags.
fn gossip_params(f: &Fields) -> Result<Params, String> {
    let p = GossipParams {
        nodes: page_sites(f)?,
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
    Ok(Params::Gossip(p))
}

/// Swim's fields, as `splitbrain swim` reads its flags.
fn swim_params(f: &Fields) -> Result<Params, String> {
    let no_suspicion = f.flag("no-suspicion")?;
    let p = SwimParams {
        nodes: f.number("nodes", 0, u32::MAX)?,
        period_us: f.ms_us("period-ms")?,
        indirect: f.number("indirect", 0, u32::MAX)?,
        target: if f.choice("target")? == "random" { TargetSelection::Random } else { TargetSelection::RoundRobin },
        loss: f.fraction("loss")?,
        suspicion_us: if no_suspicion { None } else { Some(f.ms_us("suspicion-ms")?) },
        trials: f.number("trials", 1, 100_000)?,
        seed: f.number("seed", 0, u64::MAX)?,
    };
    p.validate()?;
    Ok(Params::Swim(p))
}

/// Quorum's fields, as `splitbrain quorum` reads its flags.
fn quorum_params(f: &Fields) -> Result<Params, String> {
    let n = f.number("n", 0, u32::MAX)?;
    let (lo, hi) = parse_range(f.value("latency-ms")).map_err(|e| format!("latency-ms: {e}"))?;
    let p = QuorumParams {
        nodes: f.text("nodes").map(|_| f.number("nodes", 0, u32::MAX)).transpose()?.unwrap_or(n),
        n,
        r: f.number("r", 0, u32::MAX)?,
        w: f.number("w", 0, u32::MAX)?,
        propagate: f.choice("propagation")? == "all",
        sloppy: f.flag("sloppy")?,
        latency_ms: (lo.round() as u64, hi.round() as u64),
        exp_latency_ms: f
            .text("exp-latency-ms")
            .map(|v| parse_ms(v).map_err(|e| format!("exp-latency-ms: {e}")))
            .transpose()?,
        loss: f.value("loss").parse().map_err(|_| format!("loss: '{}' is not a number", f.value("loss")))?,
        trials: f.number("trials", 1, 100_000)?,
        seed: f.number("seed", 0, u64::MAX)?,
    };
    p.validate()?;
    Ok(Params::Quorum(p))
}

/// Cap's fields, as `splitbrain cap` reads its flags.
fn cap_params(f: &Fields) -> Result<Params, String> {
    let (from, to) = parse_range(f.value("split-ms")).map_err(|e| format!("split-ms: {e}"))?;
    let minority = f
        .value("minority")
        .split(',')
        .map(|n| n.trim().parse::<u32>().map_err(|_| format!("minority: '{n}' is not a node number")))
        .collect::<Result<Vec<_>, _>>()?;
    let p = CapParams {
        nodes: f.number("nodes", 0, u32::MAX)?,
        clients: f.number("clients", 0, u32::MAX)?,
        think_ms: f.number("think-ms", 0, u64::MAX)?,
        read_fraction: f
            .value("read-fraction")
            .parse()
            .map_err(|_| format!("read-fraction: '{}' is not a number", f.value("read-fraction")))?,
        keys: f.number("keys", 0, u32::MAX)?,
        minority,
        split_ms: (from.round() as u64, to.round() as u64),
        duration_ms: f.number("duration-ms", 0, u64::MAX)?,
        seed: f.number("seed", 0, u64::MAX)?,
    };
    p.validate()?;
    Ok(Params::Cap(p))
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
