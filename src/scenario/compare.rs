//! Comparisons: two or three variants of a design run side by side, each
//! a preset or a scenario, under the same seed or their own, optionally
//! under one shared timeline. `splitbrain run` takes a comparison file and
//! prints each variant's figures in a column, with each variant's
//! difference from the first.
//!
//! ```json
//! { "version": 1, "name": "PreVote on and off",
//!   "variants": [ { "label": "without", "preset": "flapping-link" },
//!                 { "label": "with", "preset": "flapping-link-prevote" } ] }
//! ```

use super::{batch, presets, Scenario, ScenarioError, TimedAction, VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest label (characters).
pub const MAX_LABEL: usize = 40;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Box<Scenario>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    pub version: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub variants: Vec<Variant>,
    /// Every variant runs with this seed (else each with its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Every variant runs this timeline instead of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimedAction>>,
}

/// Whether a JSON text is a comparison rather than a scenario.
pub fn is_comparison(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.get("variants").is_some())
}

impl Comparison {
    /// Parses a comparison and checks each variant's scenario as a file.
    pub fn from_json(text: &str) -> Result<(Self, Vec<Scenario>), ScenarioError> {
        // Through a JSON value, as a scenario file is read: the page then
        // carries one copy of the scenario's reader, not two.
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ScenarioError::Json(e.to_string()))?;
        let c: Comparison = serde_json::from_value(value).map_err(|e| ScenarioError::Shape(e.to_string()))?;
        if c.version != VERSION {
            return Err(ScenarioError::Version {
                what: "comparison",
                found: c.version.to_string(),
                supported: VERSION,
            });
        }
        let scenarios = c.scenarios()?;
        Ok((c, scenarios))
    }

    /// Each variant's scenario, as it runs: checked, with the shared seed
    /// and timeline.
    pub fn scenarios(&self) -> Result<Vec<Scenario>, ScenarioError> {
        let bad = |m: String| ScenarioError::Invalid(m);
        if !(2..=3).contains(&self.variants.len()) {
            return Err(bad(format!("variants: {} of them; a comparison has 2 or 3", self.variants.len())));
        }
        let mut out: Vec<Scenario> = Vec::new();
        for (i, v) in self.variants.iter().enumerate() {
            let at = |m: String| bad(format!("variants[{i}]: {m}"));
            let n = v.label.chars().count();
            if v.label.trim().is_empty() || n > MAX_LABEL {
                return Err(at(format!("a label of 1 to {MAX_LABEL} characters, not {n}")));
            }
            if self.variants[..i].iter().any(|w| w.label == v.label) {
                return Err(at(format!("the label '{}' is used twice", v.label)));
            }
            let mut s = match (&v.preset, &v.scenario) {
                (Some(id), None) => match presets::find(id) {
                    Some(p) => p.scenario()?,
                    None => {
                        let known: Vec<&str> = presets::PRESETS.iter().map(|p| p.id).collect();
                        return Err(at(format!("there is no preset '{id}'; the presets are {}", known.join(", "))));
                    }
                },
                (None, Some(s)) => (**s).clone(),
                _ => return Err(at("set exactly one of preset and scenario".into())),
            };
            if let Some(seed) = self.seed {
                s.seed = seed;
            }
            if let Some(t) = &self.timeline {
                s.timeline = t.clone();
            }
            s.validate().map_err(|e| at(e.to_string()))?;
            out.push(s);
        }
        Ok(out)
    }
}

/// One row of the table: a figure, and its value in each variant (absent
/// where that variant's protocol has no such figure).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub figure: String,
    pub values: Vec<Option<f64>>,
}

/// The numbers of a report, by their dotted path (what `expect.bounds`
/// names), leaving out the per-run lists and the expectation.
fn figures(v: &serde_json::Value, path: &str, out: &mut BTreeMap<String, f64>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if matches!(k.as_str(), "runs" | "expect") {
                    continue;
                }
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                figures(x, &p, out);
            }
        }
        serde_json::Value::Number(n) => {
            if let Some(x) = n.as_f64() {
                out.insert(path.to_string(), x);
            }
        }
        _ => {}
    }
}

/// Runs every variant for `seeds` seeds: the table's rows (figures in the
/// order the first variant reports them, then the others'), and the worst
/// exit code of the variants' own runs.
pub fn run(scenarios: &[Scenario], labels: &[String], seeds: u64) -> Result<(Vec<Row>, i32), ScenarioError> {
    let mut all: Vec<BTreeMap<String, f64>> = Vec::new();
    let mut code = 0;
    for (s, label) in scenarios.iter().zip(labels) {
        let mut text = String::new();
        let b = batch::stream(s.clone(), seeds, label.clone(), true, &mut |t| text.push_str(t), |_| {})?;
        code = code.max(b.exit_code());
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ScenarioError::Json(e.to_string()))?;
        let mut f = BTreeMap::new();
        figures(&v, "", &mut f);
        all.push(f);
    }
    let mut names: Vec<String> = Vec::new();
    for f in &all {
        names.extend(f.keys().filter(|k| !names.contains(k)).cloned().collect::<Vec<_>>());
    }
    let rows = names
        .into_iter()
        .map(|n| Row { values: all.iter().map(|f| f.get(&n).copied()).collect(), figure: n })
        .collect();
    Ok((rows, code))
}

/// The table as text: a column a variant, then each one's difference from
/// the first; rows where every variant agrees are left out unless `all`.
pub fn table(labels: &[String], rows: &[Row], all: bool) -> String {
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{}", (v * 1000.0).round() / 1000.0));
    let mut head = vec!["figure".to_string()];
    head.extend(labels.iter().cloned());
    head.extend(labels.iter().skip(1).map(|l| format!("{l} − {}", labels[0])));
    let mut lines = vec![head];
    for r in rows {
        let same = r.values.windows(2).all(|w| w[0] == w[1]);
        if same && !all {
            continue;
        }
        let mut line = vec![r.figure.clone()];
        line.extend(r.values.iter().map(|v| num(*v)));
        line.extend(r.values.iter().skip(1).map(|v| match (r.values[0], v) {
            (Some(a), Some(b)) => {
                let d = (b - a) * 1000.0;
                format!("{}{}", if d > 0.0 { "+" } else { "" }, d.round() / 1000.0)
            }
            _ => "-".to_string(),
        }));
        lines.push(line);
    }
    let widths: Vec<usize> =
        (0..lines[0].len()).map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).collect();
    lines
        .iter()
        .map(|l| {
            let cells: Vec<String> = l
                .iter()
                .enumerate()
                .map(
                    |(c, s)| if c == 0 { format!("{s:<w$}", w = widths[c]) } else { format!("{s:>w$}", w = widths[c]) },
                )
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
