//! What gossip observes over a run (Demers et al. 1987, §1.4, Table 1's
//! columns): who learned in which cycle, the update messages, and the
//! residue, traffic, t_ave and t_last that `splitbrain run` reports.

use super::{Gossip, Note};
use crate::contract::{Counts, Observer};
use crate::sim::cow::CowVec;
use crate::sim::trace::EventKind;
use crate::sim::Sim;
use crate::stats::round3;
use serde::Serialize;

/// Gossip's counts over a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GossipCounts {
    pub sites: u64,
    /// Sites that learned the update.
    pub informed: u64,
    /// Messages that carried the update (the paper's traffic).
    pub update_messages: u64,
}

impl Counts for GossipCounts {
    fn merge(&mut self, o: &Self) {
        self.sites += o.sites;
        self.informed += o.informed;
        self.update_messages += o.update_messages;
    }
}

/// The series: sites informed by the end of each cycle, and update
/// messages sent in each cycle.
#[derive(Clone, Debug, Default)]
pub struct GossipObserver {
    /// Sites that learned the update in each cycle.
    pub learned: CowVec<u32>,
    pub sent: CowVec<u64>,
    counts: GossipCounts,
    /// Sum over informed sites of the cycle they learned in.
    cycle_sum: u64,
    /// The origin (which knows from the start, without a note) is counted.
    started: bool,
}

impl GossipObserver {
    fn bump<T: Clone + Default + std::ops::AddAssign>(v: &mut CowVec<T>, i: u64, by: T) {
        while (v.len() as u64) <= i {
            v.push(T::default());
        }
        *v.get_mut(i as usize).expect("just grown") += by;
    }

    /// The fraction of sites informed by the end of each cycle.
    pub fn informed_by_cycle(&self) -> Vec<f64> {
        let n = self.counts.sites.max(1) as f64;
        let mut total = 0u64;
        self.learned
            .iter()
            .map(|k| {
                total += u64::from(*k);
                total as f64 / n
            })
            .collect()
    }
}

/// What `splitbrain run` reports of a gossip run (Demers et al., Table 1's
/// columns).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GossipFigures {
    /// Fraction of sites that never learned the update.
    pub residue: f64,
    /// Update messages per site.
    pub traffic: f64,
    /// Mean cycle in which sites learned it, and the last such cycle.
    pub t_ave: Option<f64>,
    pub t_last: Option<u64>,
}

#[derive(Default)]
pub struct GossipSamples {
    residue: Vec<f64>,
    traffic: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GossipPooled {
    pub runs: usize,
    pub residue_mean: Option<f64>,
    pub traffic_mean: Option<f64>,
}

/// Six decimals: residues are small fractions.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| round6(v.iter().sum::<f64>() / v.len() as f64))
}

impl Observer<Gossip> for GossipObserver {
    type Counts = GossipCounts;
    type Figures = GossipFigures;
    type Samples = GossipSamples;
    type Pooled = GossipPooled;

    fn observe(&mut self, sim: &Sim<Gossip>) {
        self.counts.sites = u64::from(sim.len());
        let period = sim.config().period_us;
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Note { note: Note::Infected { cycle }, .. } => {
                    self.counts.informed += 1;
                    self.cycle_sum += cycle;
                    Self::bump(&mut self.learned, *cycle, 1);
                }
                EventKind::Send { msg, .. } if msg.carries_update() => {
                    self.counts.update_messages += 1;
                    Self::bump(&mut self.sent, e.time / period, 1);
                }
                _ => {}
            }
        }
        if !std::mem::replace(&mut self.started, true) && sim.node(sim.config().origin).is_some_and(Gossip::knows) {
            self.counts.informed += 1;
            Self::bump(&mut self.learned, 0, 1);
        }
    }

    fn counts(&self, _: &Sim<Gossip>) -> GossipCounts {
        self.counts.clone()
    }

    fn figures(&self, _: &Sim<Gossip>) -> GossipFigures {
        let c = &self.counts;
        let n = c.sites.max(1) as f64;
        GossipFigures {
            residue: round6((c.sites - c.informed.min(c.sites)) as f64 / n),
            traffic: round3(c.update_messages as f64 / n),
            t_ave: (c.informed > 0).then(|| round3(self.cycle_sum as f64 / c.informed as f64)),
            t_last: self.learned.iter().enumerate().filter(|(_, k)| **k > 0).last().map(|(i, _)| i as u64),
        }
    }

    fn sample(&self, sim: &Sim<Gossip>, into: &mut GossipSamples) {
        let f = self.figures(sim);
        into.residue.push(f.residue);
        into.traffic.push(f.traffic);
    }

    fn pool(s: &GossipSamples) -> GossipPooled {
        GossipPooled { runs: s.residue.len(), residue_mean: mean(&s.residue), traffic_mean: mean(&s.traffic) }
    }

    fn describe(c: &GossipCounts, p: &GossipPooled, one: Option<&GossipFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            ("sites informed".to_string(), format!("{} of {}", c.informed, c.sites)),
            ("update messages".into(), c.update_messages.to_string()),
        ];
        if let (Some(r), Some(t)) = (p.residue_mean, p.traffic_mean) {
            out.push(("residue".into(), format!("{r} (mean over {} runs); traffic {t} messages per site", p.runs)));
        }
        if let Some(f) = one {
            match (f.t_ave, f.t_last) {
                (Some(a), Some(l)) => out.push(("cycles".into(), format!("t_ave {a}, t_last {l}"))),
                _ => out.push(("cycles".into(), "nobody learned the update".into())),
            }
        }
        out
    }
}
