//! Regions: a scenario's nodes grouped into named regions, with a latency
//! within a region (the scenario's `network`) and another between regions
//! (`inter_region`). A region is a run of consecutive node ids: the first
//! region's `nodes` come first. Region-wide faults name regions by name
//! (`region_down`, `region_up`, `split_regions`); each becomes the faults
//! of its nodes when it runs.

use crate::sim::NodeId;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The most regions a scenario may define.
pub const MAX_REGIONS: usize = 8;

/// One region: its name, and how many nodes it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: String,
    pub nodes: u32,
}

/// A scenario's regions, in order; empty when it defines none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Regions(pub Vec<Region>);

impl Regions {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Checks that the regions hold every one of `nodes` once: at most
    /// [`MAX_REGIONS`], each named once and holding a node or more.
    pub fn validate(&self, nodes: u32) -> Result<(), String> {
        if self.0.len() > MAX_REGIONS {
            return Err(format!("{} regions; a scenario defines at most {MAX_REGIONS}", self.0.len()));
        }
        for (i, r) in self.0.iter().enumerate() {
            if r.name.trim().is_empty() || r.name.len() > 24 {
                return Err(format!("regions[{i}]: a region needs a name of 1 to 24 characters"));
            }
            if self.0[..i].iter().any(|o| o.name == r.name) {
                return Err(format!("regions[{i}]: there are two regions named '{}'", r.name));
            }
            if r.nodes == 0 {
                return Err(format!("regions[{i}]: region '{}' has no nodes; give it 1 or more", r.name));
            }
        }
        let total: u64 = self.0.iter().map(|r| u64::from(r.nodes)).sum();
        if !self.0.is_empty() && total != u64::from(nodes) {
            return Err(format!(
                "the regions hold {total} nodes but the scenario has {nodes}; each node belongs to one region, so make them add up"
            ));
        }
        Ok(())
    }

    /// The index of the region named `name`, or an error that lists them.
    pub fn index(&self, name: &str) -> Result<usize, String> {
        self.0.iter().position(|r| r.name == name).ok_or_else(|| {
            if self.0.is_empty() {
                format!("unknown region '{name}': the scenario defines no regions (add \"regions\")")
            } else {
                let names: Vec<&str> = self.0.iter().map(|r| r.name.as_str()).collect();
                format!("unknown region '{name}'; the regions are {}", names.join(", "))
            }
        })
    }

    /// The node ids of region `i`.
    pub fn members(&self, i: usize) -> Range<NodeId> {
        let start: u32 = self.0[..i].iter().map(|r| r.nodes).sum();
        start..start + self.0[i].nodes
    }

    /// The region that holds `node` (0 when there are none).
    pub fn of(&self, node: NodeId) -> usize {
        let mut end = 0;
        for (i, r) in self.0.iter().enumerate() {
            end += r.nodes;
            if node < end {
                return i;
            }
        }
        0
    }

    /// The nodes of the named regions, for a partition's group.
    pub fn nodes_of(&self, names: &[String]) -> Result<Vec<NodeId>, String> {
        let mut out = Vec::new();
        for n in names {
            out.extend(self.members(self.index(n)?));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Regions {
        Regions(vec![
            Region { name: "us".into(), nodes: 3 },
            Region { name: "eu".into(), nodes: 2 },
            Region { name: "ap".into(), nodes: 3 },
        ])
    }

    #[test]
    fn regions_hold_consecutive_nodes() {
        let r = three();
        assert_eq!(r.validate(8), Ok(()));
        assert_eq!(r.members(1), 3..5);
        assert_eq!((0..8).map(|n| r.of(n)).collect::<Vec<_>>(), [0, 0, 0, 1, 1, 2, 2, 2]);
        assert_eq!(r.nodes_of(&["ap".into(), "us".into()]), Ok(vec![5, 6, 7, 0, 1, 2]));
    }

    #[test]
    fn bad_regions_are_named() {
        let r = three();
        assert!(r.validate(9).unwrap_err().contains("hold 8 nodes but the scenario has 9"));
        assert!(r.index("mars").unwrap_err().contains("the regions are us, eu, ap"));
        let mut empty = three();
        empty.0[1].nodes = 0;
        assert!(empty.validate(6).unwrap_err().contains("region 'eu' has no nodes"));
        let mut twice = three();
        twice.0[2].name = "us".into();
        assert!(twice.validate(8).unwrap_err().contains("two regions named 'us'"));
        assert!(Regions::default().index("us").unwrap_err().contains("defines no regions"));
    }
}
