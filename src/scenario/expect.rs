//! What a scenario declares it shows, so that presets test themselves:
//! `splitbrain run` fails when a run does not show what its file declares.
//!
//! ```json
//! "expect": {
//!   "violations": ["Lease Exclusivity", "Linearizable Reads"],
//!   "bounds": [{"metric": "metrics.leader_changes", "min": 2},
//!              {"metric": "figures.residue", "max": 0.01}]
//! }
//! ```
//!
//! `violations` lists exactly the properties that must fail (an empty list,
//! or none at all, means none may). A bound names a number in the run's
//! JSON report by its dotted path and gives a `min`, a `max` or both.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub violations: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bounds: Vec<Bound>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    /// A dotted path into the run's report, e.g. `metrics.leader_changes`.
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Expect {
    /// What in a run's report (its JSON, and the properties that failed)
    /// differs from what is declared; empty when the run shows it all.
    pub fn misses(&self, report: &serde_json::Value, violated: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.violations {
            if !violated.contains(&p.as_str()) {
                out.push(format!("expected {p} to be violated, and it was not"));
            }
        }
        for p in violated {
            if !self.violations.iter().any(|e| e == p) {
                out.push(format!("{p} was violated, and the scenario does not expect it"));
            }
        }
        for b in &self.bounds {
            let value = b.metric.split('.').try_fold(report, |v, k| v.get(k)).and_then(|v| v.as_f64());
            match value {
                None => out.push(format!("{}: no such number in the report", b.metric)),
                Some(x) => {
                    if b.min.is_some_and(|m| x < m) || b.max.is_some_and(|m| x > m) {
                        let range = match (b.min, b.max) {
                            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                            (Some(lo), None) => format!("at least {lo}"),
                            (None, Some(hi)) => format!("at most {hi}"),
                            (None, None) => unreachable!("a bound with neither min nor max is refused"),
                        };
                        out.push(format!("{} is {x}, expected {range}", b.metric));
                    }
                }
            }
        }
        out
    }

    pub fn validate(&self) -> Result<(), String> {
        for b in &self.bounds {
            if b.min.is_none() && b.max.is_none() {
                return Err(format!("expect.bounds: '{}' needs a min, a max or both", b.metric));
            }
            if b.min.zip(b.max).is_some_and(|(lo, hi)| lo > hi) {
                return Err(format!("expect.bounds: '{}' has min above max", b.metric));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_differs_from_its_declaration_is_named() {
        let e = Expect {
            violations: vec!["Lease Exclusivity".into()],
            bounds: vec![Bound { metric: "metrics.leader_changes".into(), min: Some(2.0), max: None }],
        };
        let report = serde_json::json!({"metrics": {"leader_changes": 1}});
        let misses = e.misses(&report, &["Election Safety"]);
        assert_eq!(misses.len(), 3, "{misses:?}");
        assert!(misses[0].contains("expected Lease Exclusivity"));
        assert!(misses[1].contains("Election Safety was violated"));
        assert!(misses[2].contains("is 1, expected at least 2"));
        let ok = serde_json::json!({"metrics": {"leader_changes": 2}});
        assert!(e.misses(&ok, &["Lease Exclusivity"]).is_empty());
        assert!(e.misses(&serde_json::json!({}), &["Lease Exclusivity"])[0].contains("no such number"));
    }
}
