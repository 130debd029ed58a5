//! What `splitbrain run` and the view count in a federation: for each
//! region, the clients' commands it took, how many got an answer (its
//! availability), and how long they took, decided in the region (local)
//! or by the global group (global); and the quota's units spent from the
//! shares, granted from the pool, denied, and turned away by the fallback
//! rule.

use super::{Federation, Note, Outcome};
use crate::contract::{Counts, Observer};
use crate::sim::trace::EventKind;
use crate::sim::{Sim, Time};
use crate::stats::Summary;
use serde::Serialize;

#[derive(Clone, Debug, Default)]
pub struct FederationObserver {
    /// Each command's call: when, and in which region (by id).
    called: Vec<Option<(Time, u8)>>,
    regions: Vec<RegionTally>,
    spent: u64,
    granted: u64,
    denied: u64,
    cut_off: u64,
}

#[derive(Clone, Debug, Default)]
struct RegionTally {
    issued: u64,
    answered: u64,
    /// Region-local writes issued and answered.
    writes: [u64; 2],
    /// Latencies (µs) of the commands decided in the region, and of those
    /// the global group decided.
    local: Vec<Time>,
    global: Vec<Time>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FederationCounts {
    pub issued: u64,
    pub answered: u64,
    pub spent_from_shares: u64,
    pub granted_from_pool: u64,
    pub denied: u64,
    pub refused_cut_off: u64,
}

impl Counts for FederationCounts {
    fn merge(&mut self, o: &Self) {
        self.issued += o.issued;
        self.answered += o.answered;
        self.spent_from_shares += o.spent_from_shares;
        self.granted_from_pool += o.granted_from_pool;
        self.denied += o.denied;
        self.refused_cut_off += o.refused_cut_off;
    }
}

/// One region's figures in one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionFigures {
    pub region: String,
    pub issued: u64,
    pub answered: u64,
    /// Answered over issued (1 with none issued).
    pub availability: f64,
    /// Of those, region-local writes: issued, and answered.
    pub writes_issued: u64,
    pub writes_answered: u64,
    pub local_ms: Summary,
    pub global_ms: Summary,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FederationFigures {
    pub regions: Vec<RegionFigures>,
    pub counts: FederationCounts,
    /// Over every region: latency of what the regions decided and of what
    /// the global group decided, and the lowest region's availability.
    pub local_ms: Summary,
    pub global_ms: Summary,
    pub lowest_availability: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Samples {
    local: Vec<f64>,
    global: Vec<f64>,
    availability: Vec<f64>,
    runs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    pub runs: u64,
    pub local_ms: Summary,
    pub global_ms: Summary,
    /// Each region's availability, one sample a region a run.
    pub availability: Summary,
}

fn ms(us: &[Time]) -> Vec<f64> {
    us.iter().map(|&t| t as f64 / 1000.0).collect()
}

impl RegionTally {
    /// Answered over issued (1 with none issued).
    fn availability(&self) -> f64 {
        if self.issued == 0 {
            1.0
        } else {
            self.answered as f64 / self.issued as f64
        }
    }
}

impl FederationObserver {
    /// Every answered command's latency (µs) that the global group
    /// decided, region by region.
    pub fn global_latencies_us(&self) -> impl Iterator<Item = Time> + '_ {
        self.regions.iter().flat_map(|t| t.global.iter().copied())
    }

    fn tally(&mut self, region: u8) -> &mut RegionTally {
        let r = usize::from(region);
        if self.regions.len() <= r {
            self.regions.resize(r + 1, RegionTally::default());
        }
        &mut self.regions[r]
    }
}

impl Observer<Federation> for FederationObserver {
    type Counts = FederationCounts;
    type Figures = FederationFigures;
    type Samples = Samples;
    type Pooled = Pooled;

    fn observe(&mut self, sim: &Sim<Federation>) {
        for e in sim.trace().last_step() {
            match &e.kind {
                EventKind::Command { node, cmd, .. } => {
                    let region = sim.config().region_of(*node) as u8;
                    let i = cmd.id() as usize;
                    if self.called.len() <= i {
                        self.called.resize(i + 1, None);
                    }
                    self.called[i] = Some((e.time, region));
                    let t = self.tally(region);
                    t.issued += 1;
                    t.writes[0] += u64::from(matches!(cmd, super::Cmd::Write(_)));
                }
                EventKind::Note { note: Note::Done { op, outcome, .. }, .. } => {
                    let Some((call, region)) = self.called.get_mut(op.id() as usize).and_then(Option::take) else {
                        continue;
                    };
                    match outcome {
                        Outcome::Spent { .. } => self.spent += 1,
                        Outcome::Granted => self.granted += 1,
                        Outcome::Denied => self.denied += 1,
                        Outcome::Refused { cut_off: true } => self.cut_off += 1,
                        _ => {}
                    }
                    let global = outcome.global();
                    let answered = outcome.answered();
                    let t = self.tally(region);
                    if answered {
                        t.answered += 1;
                        t.writes[1] += u64::from(matches!(op, super::Cmd::Write(_)));
                        if global { &mut t.global } else { &mut t.local }.push(e.time - call);
                    }
                }
                _ => {}
            }
        }
    }

    fn counts(&self, _: &Sim<Federation>) -> FederationCounts {
        FederationCounts {
            issued: self.regions.iter().map(|t| t.issued).sum(),
            answered: self.regions.iter().map(|t| t.answered).sum(),
            spent_from_shares: self.spent,
            granted_from_pool: self.granted,
            denied: self.denied,
            refused_cut_off: self.cut_off,
        }
    }

    fn figures(&self, sim: &Sim<Federation>) -> FederationFigures {
        let names = &sim.config().names;
        let regions: Vec<RegionFigures> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let t = self.regions.get(i).cloned().unwrap_or_default();
                RegionFigures {
                    region: name.clone(),
                    issued: t.issued,
                    answered: t.answered,
                    availability: t.availability(),
                    writes_issued: t.writes[0],
                    writes_answered: t.writes[1],
                    local_ms: Summary::of(&ms(&t.local)),
                    global_ms: Summary::of(&ms(&t.global)),
                }
            })
            .collect();
        let all = |global: bool| {
            let v: Vec<Time> =
                self.regions.iter().flat_map(|t| if global { &t.global } else { &t.local }).copied().collect();
            Summary::of(&ms(&v))
        };
        let lowest_availability = regions.iter().map(|r: &RegionFigures| r.availability).fold(1.0, f64::min);
        FederationFigures {
            regions,
            counts: self.counts(sim),
            local_ms: all(false),
            global_ms: all(true),
            lowest_availability,
        }
    }

    fn sample(&self, sim: &Sim<Federation>, into: &mut Samples) {
        into.runs += 1;
        for t in &self.regions {
            into.local.extend(ms(&t.local));
            into.global.extend(ms(&t.global));
        }
        // Every region's, without the figures' sorted latencies (the
        // board's figures panel samples on every redraw).
        let none = RegionTally::default();
        into.availability
            .extend((0..sim.config().names.len()).map(|i| self.regions.get(i).unwrap_or(&none).availability()));
    }

    fn pool(s: &Samples) -> Pooled {
        Pooled {
            runs: s.runs,
            local_ms: Summary::of(&s.local),
            global_ms: Summary::of(&s.global),
            availability: Summary::of(&s.availability),
        }
    }

    fn describe(c: &FederationCounts, p: &Pooled, one: Option<&FederationFigures>) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "commands".to_string(),
                format!(
                    "{} answered of {} in {} runs; availability by region p50 {}",
                    c.answered, c.issued, p.runs, p.availability.p50
                ),
            ),
            (
                "latency".into(),
                format!(
                    "local p50 {} ms, p99 {} ms; global p50 {} ms, p99 {} ms",
                    p.local_ms.p50, p.local_ms.p99, p.global_ms.p50, p.global_ms.p99
                ),
            ),
            (
                "quota".into(),
                format!(
                    "{} units spent from the shares, {} granted from the pool, {} denied, {} turned away while cut off",
                    c.spent_from_shares, c.granted_from_pool, c.denied, c.refused_cut_off
                ),
            ),
        ];
        if let Some(f) = one {
            for r in &f.regions {
                out.push((
                    format!("region {}", r.region),
                    format!(
                        "{}/{} answered ({:.0}%), writes {}/{}; local p50 {} ms; global p50 {} ms",
                        r.answered,
                        r.issued,
                        100.0 * r.availability,
                        r.writes_answered,
                        r.writes_issued,
                        r.local_ms.p50,
                        r.global_ms.p50
                    ),
                ));
            }
        }
        out
    }
}
