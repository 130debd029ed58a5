//! The Experiments panel's pictures of a run: its distribution as a CDF
//! and as a histogram, with what it should be compared with drawn over it.
//!
//! - Failover: the Raft paper's numbers (§9.3 text; Ongaro and Ousterhout,
//!   2014) where its text gives them for the same timeouts.
//! - Gossip: for anti-entropy without loss, the recurrences of Demers et
//!   al. (1987) §1.3 for the uninformed fraction p_i: pull p_{i+1} =
//!   p_i^(f+1); push p_{i+1} = p_i (1 − 1/n)^(f·n·(1 − p_i)); push-pull
//!   both. For push rumor mongering with feedback and counters at n = 1000,
//!   Table 1's residue.
//! - SWIM: with random targets and no loss, the paper's expected time to
//!   first detection, e/(e − 1) periods (Das, Gupta and Motivala, 2002, §3.1).

use super::cap::CapRow;
use super::failover::{FailoverParams, Trial};
use super::gossip::{GossipParams, DEMERS_TABLE_1};
use super::lab::{Data, Params, Run};
use super::plot::{cdf, histogram, Mark, Plot, Series, Style};
use super::quorum::{QuorumParams, QuorumReport};
use super::swim::{SwimParams, SwimSums};
use crate::protocols::gossip::{Exchange, Mode};
use crate::protocols::swim::TargetSelection;

/// The two pictures of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Pictures {
    pub cdf: Plot,
    pub histogram: Plot,
}

/// What the Raft paper's §9.3 text reports, by timeout range in ms.
fn raft_paper_marks(timeout_ms: (f64, f64)) -> Vec<Mark> {
    let mark = |label: &str, x: f64, y: Option<f64>| Mark { label: label.into(), x, y };
    match timeout_ms {
        (a, b) if a == 150.0 && b == 155.0 => vec![mark("the paper: median 287 ms (§9.3)", 287.0, Some(0.5))],
        (a, b) if a == 150.0 && b == 200.0 => {
            vec![mark("the paper: worst of 1,000 trials, 513 ms (§9.3)", 513.0, Some(1.0))]
        }
        (a, b) if a == 12.0 && b == 24.0 => vec![
            mark("the paper: mean 35 ms (§9.3)", 35.0, None),
            mark("the paper: longest trial 152 ms (§9.3)", 152.0, Some(1.0)),
        ],
        _ => Vec::new(),
    }
}

/// The uninformed fraction after each cycle, by Demers et al.'s §1.3.
pub fn anti_entropy_theory(n: u32, fanout: u32, exchange: Exchange, cycles: usize) -> Vec<(f64, f64)> {
    let (n, f) = (f64::from(n), f64::from(fanout));
    let mut p = 1.0 - 1.0 / n;
    let mut out = vec![(0.0, 1.0 - p)];
    for c in 1..=cycles {
        let pushed = (1.0 - 1.0 / n).powf(f * n * (1.0 - p));
        p = match exchange {
            Exchange::Pull => p.powf(f + 1.0),
            Exchange::Push => p * pushed,
            Exchange::PushPull => p.powf(f + 1.0) * pushed,
        };
        out.push((c as f64, 1.0 - p));
    }
    out
}

impl Run {
    pub fn pictures(&self) -> Pictures {
        let n = self.done();
        match (&self.params, &self.data) {
            (Params::Failover(p), Data::Failover(trials)) => failover_pictures(p, trials, n),
            (Params::Gossip(p), Data::Gossip { informed, t_last, .. }) => gossip_pictures(p, informed, t_last, n),
            (Params::Swim(p), Data::Swim { sums, .. }) => swim_pictures(p, sums, n),
            (Params::Quorum(p), Data::Quorum { sums, .. }) => quorum_pictures(p, &sums.report(p), n),
            (_, Data::Cap(rows)) => cap_pictures(rows),
            _ => unreachable!("a run's data matches its parameters"),
        }
    }
}

/// The failover experiment: the time without a leader, with the Raft paper's figures.
fn failover_pictures(p: &FailoverParams, trials: &[Trial], n: u32) -> Pictures {
    let mut ms: Vec<f64> = trials.iter().map(|t| t.ms()).collect();
    ms.sort_by(f64::total_cmp);
    let (a, b) = (p.timeout_us.0 as f64 / 1000.0, p.timeout_us.1 as f64 / 1000.0);
    let label = format!("{a}-{b} ms timeouts, {n} trials");
    let title = format!("Time without a leader after the leader crashes ({} servers)", p.nodes);
    let (bars, width) = histogram(&ms, 40, true);
    Pictures {
        cdf: Plot {
            title: title.clone(),
            x_label: "time without a leader (ms, log scale)".into(),
            y_label: "fraction of trials".into(),
            log_x: true,
            y_max: Some(1.0),
            series: vec![Series { label: label.clone(), points: cdf(&ms), style: Style::Step }],
            marks: raft_paper_marks((a, b)),
        },
        histogram: Plot {
            title,
            x_label: "time without a leader (ms, log scale)".into(),
            y_label: "trials".into(),
            log_x: true,
            y_max: None,
            series: vec![Series { label, points: bars, style: Style::Bars(width) }],
            marks: Vec::new(),
        },
    }
}

/// One update spreading: the fraction informed per cycle, with theory and Demers' tables.
fn gossip_pictures(p: &GossipParams, informed: &[f64], t_last: &[f64], n: u32) -> Pictures {
    let curve: Vec<(f64, f64)> =
        informed.iter().enumerate().map(|(c, s)| (c as f64, s / f64::from(n.max(1)))).collect();
    let mode = match p.mode {
        Mode::Rumor => "rumor mongering",
        Mode::AntiEntropy => "anti-entropy",
    };
    let exchange = match p.exchange {
        Exchange::Push => "push",
        Exchange::Pull => "pull",
        Exchange::PushPull => "push-pull",
    };
    let title = format!("One update spreading: {mode}, {exchange}, {} sites", p.nodes);
    let mut series = vec![Series { label: format!("mean of {n} trials"), points: curve.clone(), style: Style::Step }];
    let mut marks = Vec::new();
    if p.mode == Mode::AntiEntropy && p.loss == 0.0 {
        series.push(Series {
            label: "Demers et al. §1.3 recurrence".into(),
            points: anti_entropy_theory(p.nodes, p.fanout, p.exchange, curve.len().max(2) - 1),
            style: Style::Theory,
        });
    }
    let table_1 = p.mode == Mode::Rumor
        && p.exchange == Exchange::Push
        && p.interest.feedback
        && p.interest.counter
        && p.nodes == 1000
        && p.fanout == 1
        && p.loss == 0.0;
    if let Some(row) = DEMERS_TABLE_1.iter().find(|r| table_1 && r.0 == p.interest.k) {
        let x = curve.len().saturating_sub(1) as f64;
        marks.push(Mark {
            // The paper prints s to at most 4 decimals, and so is
            // 1 − s (in floating point it would read 0.8200000000000001).
            label: format!("Demers Table 1, k = {}: 1 − s = {}", row.0, ((1.0 - row.1) * 1e4).round() / 1e4),
            x,
            y: Some(1.0 - row.1),
        });
    }
    // One bar per cycle.
    let mut bars: Vec<(f64, f64)> = Vec::new();
    for &c in t_last {
        match bars.iter_mut().find(|b| b.0 == c) {
            Some(b) => b.1 += 1.0,
            None => bars.push((c, 1.0)),
        }
    }
    bars.sort_by(|a, b| a.0.total_cmp(&b.0));
    let width = 1.0;
    Pictures {
        cdf: Plot {
            title: title.clone(),
            x_label: "cycle".into(),
            y_label: "fraction of sites informed".into(),
            log_x: false,
            y_max: Some(1.0),
            series,
            marks,
        },
        histogram: Plot {
            title,
            x_label: "the last cycle in which a site learned it".into(),
            y_label: "trials".into(),
            log_x: false,
            y_max: None,
            series: vec![Series { label: format!("{n} trials"), points: bars, style: Style::Bars(width) }],
            marks: Vec::new(),
        },
    }
}

/// Detecting a crash: periods to first detection and to everyone knowing.
fn swim_pictures(p: &SwimParams, sums: &SwimSums, n: u32) -> Pictures {
    let sorted = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let (first, full) = (sorted(&sums.first), sorted(&sums.full));
    let title = format!("Detecting a crashed member: SWIM, {} members", p.nodes);
    let mut marks = Vec::new();
    if p.target == TargetSelection::Random && p.loss == 0.0 {
        let e = std::f64::consts::E;
        marks.push(Mark {
            label: "SWIM §3.1: expected first detection e/(e−1) ≈ 1.58 periods".into(),
            x: e / (e - 1.0),
            y: None,
        });
    }
    let (bars, width) = histogram(&first, 30, false);
    Pictures {
        cdf: Plot {
            title: title.clone(),
            x_label: "protocol periods after the crash".into(),
            y_label: "fraction of trials".into(),
            log_x: false,
            y_max: Some(1.0),
            series: vec![
                Series { label: "first detection".into(), points: cdf(&first), style: Style::Step },
                Series { label: "known by every member".into(), points: cdf(&full), style: Style::Step },
            ],
            marks,
        },
        histogram: Plot {
            title,
            x_label: "protocol periods from the crash to its first detection".into(),
            y_label: "trials".into(),
            log_x: false,
            y_max: None,
            series: vec![Series { label: format!("{n} trials"), points: bars, style: Style::Bars(width) }],
            marks: Vec::new(),
        },
    }
}

/// Partial quorums: how often a read sees the write, against the delay
/// after its acknowledgement, and k-staleness against the PBS closed form.
fn quorum_pictures(p: &QuorumParams, r: &QuorumReport, n: u32) -> Pictures {
    let title = format!("Reads after a write: N={} R={} W={} on {} nodes", p.n, p.r, p.w, p.nodes);
    let at: Vec<(f64, f64)> = r.p_consistent_read_at.iter().map(|a| (a.delay_ms as f64, a.p)).collect();
    let k: Vec<(f64, f64)> = (1..=3).map(|k| (f64::from(k), r.k_staleness[&k.to_string()])).collect();
    let closed: Vec<Mark> = (1..=3)
        .map(|k| Mark {
            label: format!("PBS closed form, k = {k}: {}", r.k_staleness_closed_form[&k.to_string()]),
            x: f64::from(k),
            y: Some(r.k_staleness_closed_form[&k.to_string()]),
        })
        .collect();
    Pictures {
        cdf: Plot {
            title: title.clone(),
            x_label: "delay after the write's acknowledgement (ms)".into(),
            y_label: "fraction of reads that see the write".into(),
            log_x: false,
            y_max: Some(1.0),
            series: vec![Series { label: format!("{n} trials"), points: at, style: Style::Step }],
            marks: Vec::new(),
        },
        histogram: Plot {
            title,
            x_label: "k: the read returns one of the k newest writes".into(),
            y_label: "fraction of reads".into(),
            log_x: false,
            y_max: Some(1.0),
            series: vec![Series { label: format!("measured, {n} trials"), points: k, style: Style::Bars(0.4) }],
            // The closed form is of the model without propagation.
            marks: if p.propagate { Vec::new() } else { closed },
        },
    }
}

/// Raft against the store under one partition: the share of requests
/// answered on each side, and what consistency cost, one bar per system.
fn cap_pictures(rows: &[CapRow]) -> Pictures {
    let share = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let offset = |i: usize| 1.0 + (i as f64 - 1.5) * 0.18;
    let answered: Vec<Series> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            label: r.system.clone(),
            points: vec![
                (offset(i), r.majority_side.unwrap_or(0.0)),
                (offset(i) + 1.0, r.minority_side.unwrap_or(0.0)),
            ],
            style: Style::Bars(0.16),
        })
        .collect();
    let cost: Vec<Series> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            label: r.system.clone(),
            points: vec![
                (offset(i), share(r.stale_reads, r.reads)),
                (offset(i) + 1.0, share(r.lost_writes, r.writes_acked)),
            ],
            style: Style::Bars(0.16),
        })
        .collect();
    Pictures {
        cdf: Plot {
            title: "Requests answered during the partition".into(),
            x_label: "1: majority side · 2: minority side".into(),
            y_label: "fraction of requests answered".into(),
            log_x: false,
            y_max: Some(1.0),
            series: answered,
            marks: Vec::new(),
        },
        histogram: Plot {
            title: "What availability cost".into(),
            x_label: "1: stale reads (of reads) · 2: lost writes (of acknowledged writes)".into(),
            y_label: "fraction".into(),
            log_x: false,
            y_max: None,
            series: cost,
            marks: Vec::new(),
        },
    }
}
