//! The network: per directed link state, latency, loss, duplication and
//! partitions. Reordering follows from latency: each message draws its own.

use super::rng::Rng;
use super::vecmap::VecMap;
use super::{NodeId, Time};
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};

/// How long a message takes on a link, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Latency {
    /// Uniform on `min_us..=max_us`.
    Uniform { min_us: u64, max_us: u64 },
    /// Uniform on `min_us..=max_us`, except that with probability `tail`
    /// the draw is multiplied by a Pareto(`alpha`) factor (capped at 100x):
    /// the occasional very slow message that real networks have.
    HeavyTail { min_us: u64, max_us: u64, tail: f64, alpha: f64 },
    /// Exponential with this mean (capped at 100 means), as the WARS model
    /// of Bailis et al. (PBS, VLDB 2012) assumes for each message.
    Exponential { mean_us: u64 },
}

impl Latency {
    pub fn uniform_ms(min_ms: u64, max_ms: u64) -> Self {
        Latency::Uniform { min_us: min_ms * 1000, max_us: max_ms * 1000 }
    }

    pub fn bounds_us(&self) -> (u64, u64) {
        match *self {
            Latency::Uniform { min_us, max_us } | Latency::HeavyTail { min_us, max_us, .. } => (min_us, max_us),
            Latency::Exponential { mean_us } => (0, mean_us.saturating_mul(100)),
        }
    }

    #[inline]
    fn sample(&self, rng: &mut Rng) -> u64 {
        match *self {
            Latency::Uniform { min_us, max_us } => rng.range_inclusive(min_us, max_us),
            Latency::HeavyTail { min_us, max_us, tail, alpha } => {
                let base = rng.range_inclusive(min_us, max_us);
                if rng.chance(tail) {
                    // Pareto(1, alpha) by inversion; libm keeps it bit-identical on wasm.
                    let u = 1.0 - rng.unit();
                    let factor = libm::pow(u, -1.0 / alpha.max(0.1)).min(100.0);
                    (base as f64 * factor) as u64
                } else {
                    base
                }
            }
            Latency::Exponential { mean_us } => {
                // By inversion; libm keeps it bit-identical on wasm.
                let draw = -(mean_us as f64) * libm::log(1.0 - rng.unit());
                (draw.min(mean_us as f64 * 100.0)) as u64
            }
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        let (lo, hi) = self.bounds_us();
        if lo > hi {
            return Err(format!("latency minimum {lo}us is above its maximum {hi}us"));
        }
        if let Latency::HeavyTail { tail, alpha, .. } = *self {
            if !(0.0..=1.0).contains(&tail) {
                return Err(format!("heavy-tail probability {tail} is outside [0, 1]"));
            }
            if alpha.is_nan() || alpha <= 0.0 || !alpha.is_finite() {
                return Err(format!("heavy-tail alpha {alpha} must be a positive number"));
            }
        }
        Ok(())
    }
}

impl Hash for Latency {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match *self {
            Latency::Uniform { min_us, max_us } => (0u8, min_us, max_us).hash(h),
            Latency::HeavyTail { min_us, max_us, tail, alpha } => {
                (1u8, min_us, max_us, tail.to_bits(), alpha.to_bits()).hash(h)
            }
            Latency::Exponential { mean_us } => (2u8, mean_us).hash(h),
        }
    }
}

/// The behaviour of one directed link.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    pub latency: Latency,
    /// Probability that a message is lost.
    #[serde(default)]
    pub loss: f64,
    /// Probability that a delivered message arrives twice.
    #[serde(default)]
    pub dup: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig { latency: Latency::uniform_ms(5, 10), loss: 0.0, dup: 0.0 }
    }
}

impl LinkConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.latency.validate()?;
        for (name, p) in [("loss", self.loss), ("dup", self.dup)] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("{name} probability {p} is outside [0, 1]"));
            }
        }
        Ok(())
    }
}

impl Hash for LinkConfig {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.latency.hash(h);
        self.loss.to_bits().hash(h);
        self.dup.to_bits().hash(h);
    }
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The link lost it (its loss probability).
    Loss,
    /// The directed link was cut.
    LinkDown,
    /// Sender and receiver were in different partitions.
    Partitioned,
    /// The receiver was crashed.
    NodeDown,
}

impl DropReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            DropReason::Loss => "loss",
            DropReason::LinkDown => "link down",
            DropReason::Partitioned => "partitioned",
            DropReason::NodeDown => "node down",
        }
    }
}

/// The state of the whole network.
#[derive(Clone, Debug)]
pub struct Network {
    default: LinkConfig,
    overrides: VecMap<(NodeId, NodeId), LinkConfig>,
    cut: VecMap<(NodeId, NodeId), ()>,
    /// Partition group of each node; nodes talk only within a group.
    group: Vec<u32>,
    /// Whether any partition was made since the last `heal_all`: if not,
    /// a delivery need not read the group of each end (at a million sites,
    /// two cache misses).
    split: bool,
    next_group: u32,
}

impl Network {
    pub fn new(nodes: u32, default: LinkConfig) -> Self {
        let group = vec![0; nodes as usize];
        Network { default, overrides: VecMap::new(), cut: VecMap::new(), group, split: false, next_group: 1 }
    }

    pub fn add_node(&mut self) {
        self.group.push(0);
    }

    pub fn set_default(&mut self, cfg: LinkConfig) {
        self.default = cfg;
    }

    pub fn default_link(&self) -> &LinkConfig {
        &self.default
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> &LinkConfig {
        self.overrides.get(&(from, to)).unwrap_or(&self.default)
    }

    pub fn overrides(&self) -> impl Iterator<Item = (&(NodeId, NodeId), &LinkConfig)> {
        self.overrides.iter()
    }

    /// Why `from -> to` cannot carry a message now, if it cannot.
    pub fn blocked(&self, from: NodeId, to: NodeId) -> Option<DropReason> {
        if self.cut.contains_key(&(from, to)) {
            Some(DropReason::LinkDown)
        } else if self.split && self.group[from as usize] != self.group[to as usize] {
            Some(DropReason::Partitioned)
        } else {
            None
        }
    }

    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cut.contains_key(&(from, to))
    }

    pub fn cuts(&self) -> impl Iterator<Item = &(NodeId, NodeId)> {
        self.cut.keys()
    }

    /// The partition group of each node (all equal when there is none).
    pub fn groups(&self) -> &[u32] {
        &self.group
    }

    pub fn is_partitioned(&self) -> bool {
        self.group.windows(2).any(|w| w[0] != w[1])
    }

    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        self.cut.insert((from, to), ());
    }

    /// Heals both directions between `a` and `b`.
    pub fn heal(&mut self, a: NodeId, b: NodeId) {
        self.cut.remove(&(a, b));
        self.cut.remove(&(b, a));
    }

    /// Splits the nodes into the given groups. Nodes named in no group form
    /// one more group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        self.split = true;
        let rest = self.next_group;
        self.next_group += 1;
        for g in self.group.iter_mut() {
            *g = rest;
        }
        for members in groups {
            let id = self.next_group;
            self.next_group += 1;
            for &n in members {
                if let Some(g) = self.group.get_mut(n as usize) {
                    *g = id;
                }
            }
        }
    }

    /// Puts `node` alone in a partition, leaving the others as they were.
    pub fn isolate(&mut self, node: NodeId) {
        self.split = true;
        let id = self.next_group;
        self.next_group += 1;
        if let Some(g) = self.group.get_mut(node as usize) {
            *g = id;
        }
    }

    /// Removes every cut and partition. Link latency/loss settings stay.
    pub fn heal_all(&mut self) {
        self.cut.clear();
        self.split = false;
        for g in self.group.iter_mut() {
            *g = 0;
        }
    }

    pub fn set_link(&mut self, from: NodeId, to: NodeId, cfg: LinkConfig) {
        if cfg == self.default {
            self.overrides.remove(&(from, to));
        } else {
            self.overrides.insert((from, to), cfg);
        }
    }

    /// Decides one transmission on `from -> to`: whether it is lost, its
    /// delivery time, and the delivery time of a duplicate if there is one.
    #[inline]
    pub fn transmit(&self, from: NodeId, to: NodeId, now: Time, rng: &mut Rng) -> Transmission {
        let link = self.link(from, to);
        let lost = rng.chance(link.loss);
        let deliver_at = now + link.latency.sample(rng);
        let duplicate_at = if rng.chance(link.dup) { Some(now + link.latency.sample(rng)) } else { None };
        Transmission { lost, deliver_at, duplicate_at }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Transmission {
    pub lost: bool,
    pub deliver_at: Time,
    pub duplicate_at: Option<Time>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups are read only while a partition is in force; each way of
    /// making or ending one still decides what is blocked.
    #[test]
    fn partitions_block_until_healed() {
        let mut net = Network::new(4, LinkConfig::default());
        assert_eq!(net.blocked(0, 3), None);
        net.partition(&[vec![0, 1]]);
        assert_eq!(net.blocked(0, 1), None);
        assert_eq!(net.blocked(0, 3), Some(DropReason::Partitioned));
        assert_eq!(net.blocked(2, 3), None, "the nodes named in no group form one");
        net.heal_all();
        assert_eq!(net.blocked(0, 3), None);
        net.isolate(2);
        assert_eq!(net.blocked(2, 1), Some(DropReason::Partitioned));
        assert_eq!(net.blocked(0, 1), None);
        net.add_node();
        assert_eq!(net.blocked(4, 0), None, "a new node joins the others' group");
        net.cut(0, 1);
        net.heal_all();
        assert_eq!((net.blocked(2, 1), net.blocked(0, 1)), (None, None));
    }
}
