//! A scenario run over one or more seeds, for any protocol: what
//! `splitbrain run` prints, as JSON and as text, and whether the runs show
//! what the scenario declares (`expect`).

use super::model::{Model, Observer, Visit};
use super::{visit, Metrics, RunReport, Runner, Scenario, ScenarioError};
use crate::sim::invariant::Violation;
use serde::Serialize;

/// The outcome of a batch.
pub struct Batch {
    /// The whole result, as `--json` prints it.
    pub json: serde_json::Value,
    /// The same, for people: one `label  text` line each.
    pub text: Vec<String>,
    /// Violations found, over all seeds.
    pub violations: usize,
    /// Where the runs differ from the scenario's `expect` (empty when they
    /// match, or when it declares nothing).
    pub misses: Vec<String>,
}

impl Batch {
    /// The exit code: 1 when a run violates a property it does not expect,
    /// or does not show what it declares; 0 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(!self.misses.is_empty())
    }
}

#[derive(Serialize)]
struct SeededViolation<'a> {
    seed: u64,
    #[serde(flatten)]
    violation: &'a Violation,
}

#[derive(Serialize)]
#[serde(bound = "")]
struct Output<'a, P: Model> {
    scenario: &'a str,
    protocol: &'static str,
    seeds: u64,
    violations: Vec<SeededViolation<'a>>,
    /// Summed over seeds.
    metrics: &'a Metrics<<P::Observer as Observer<P>>::Counts>,
    /// Pooled over seeds.
    pooled: &'a <P::Observer as Observer<P>>::Pooled,
    runs: &'a [RunReport<P>],
    /// What the scenario declares and what differs (`null` if it declares nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<ExpectOutcome<'a>>,
}

#[derive(Serialize)]
struct ExpectOutcome<'a> {
    declared: &'a super::Expect,
    misses: &'a [String],
}

struct Run<F: FnMut(u64)> {
    seeds: u64,
    label: String,
    progress: F,
}

impl<F: FnMut(u64)> Visit for Run<F> {
    type Output = Result<Batch, ScenarioError>;

    fn visit<P: Model>(mut self, scenario: Scenario) -> Self::Output {
        let mut metrics = Metrics::default();
        let mut samples = Default::default();
        let mut runs: Vec<RunReport<P>> = Vec::new();
        let mut misses = Vec::new();
        for i in 0..self.seeds {
            let mut s = scenario.clone();
            s.seed = scenario.seed.wrapping_add(i);
            let mut runner = Runner::<P>::build(s)?;
            runner.run_to_end();
            let report = runner.report();
            runner.observed().sample(runner.sim(), &mut samples);
            metrics.merge(&report.metrics);
            if let Some(e) = &scenario.expect {
                let json = serde_json::to_value(&report).expect("a report serialises");
                let violated: Vec<&str> = report.violations.iter().map(|v| v.property).collect();
                for m in e.misses(&json, &violated) {
                    misses.push(format!("seed {}: {m}", report.seed));
                }
            } else {
                for v in &report.violations {
                    misses.push(format!("seed {}: {} was violated", report.seed, v.property));
                }
            }
            runs.push(report);
            (self.progress)(i + 1);
        }
        let pooled = <P::Observer as Observer<P>>::pool(&samples);
        let violations: Vec<SeededViolation> = runs
            .iter()
            .flat_map(|r| r.violations.iter().map(move |v| SeededViolation { seed: r.seed, violation: v }))
            .collect();
        let out = Output::<P> {
            scenario: &self.label,
            protocol: P::NAME,
            seeds: self.seeds,
            violations,
            metrics: &metrics,
            pooled: &pooled,
            runs: &runs,
            expect: scenario.expect.as_ref().map(|declared| ExpectOutcome { declared, misses: &misses }),
        };
        let json = serde_json::to_value(&out).expect("the output serialises");

        let mut text = Vec::new();
        let mut line = |label: &str, t: String| text.push(format!("{label:<18}{t}"));
        line("scenario", printable(&self.label));
        line("protocol", P::NAME.to_string());
        line("seeds", format!("{} (from {})", self.seeds, scenario.seed));
        if self.seeds == 1 {
            line("trace hash", runs[0].trace_hash.clone());
        }
        let per = if self.seeds > 1 { " (summed over seeds)" } else { "" };
        line("events", format!("{}{per}", metrics.events));
        line(
            "messages",
            format!(
                "{} sent, {} delivered, {} dropped",
                metrics.messages_sent, metrics.messages_delivered, metrics.messages_dropped
            ),
        );
        line(
            "drops",
            format!(
                "{} loss, {} link down, {} partitioned, {} node down",
                metrics.dropped_loss, metrics.dropped_link_down, metrics.dropped_partitioned, metrics.dropped_node_down
            ),
        );
        let one = (self.seeds == 1).then(|| &runs[0].figures);
        for (label, t) in <P::Observer as Observer<P>>::describe(&metrics.protocol, &pooled, one) {
            line(&label, t);
        }
        let violations = out.violations.len();
        if violations == 0 {
            line("violations", "none".into());
        } else {
            line("violations", violations.to_string());
            for v in &out.violations {
                text.push(format!("  seed {}: {}", v.seed, v.violation));
            }
        }
        if let Some(e) = &scenario.expect {
            let declared = if e.violations.is_empty() { "no violation".to_string() } else { e.violations.join(", ") };
            let bounds = e.bounds.len();
            let what = if bounds > 0 { format!("{declared} and {bounds} bound(s)") } else { declared };
            if misses.is_empty() {
                text.push(format!("{:<18}shown: {what}", "expect"));
            } else {
                text.push(format!("{:<18}NOT shown ({what}):", "expect"));
                text.extend(misses.iter().map(|m| format!("  {m}")));
            }
        }
        Ok(Batch { json, text, violations, misses })
    }
}

/// Runs `scenario` for `seeds` seeds (its own, then the next ones), calling
/// `progress` with the number done after each.
pub fn run(scenario: Scenario, seeds: u64, label: String, progress: impl FnMut(u64)) -> Result<Batch, ScenarioError> {
    let simulated_s = scenario.duration_ms.0 as f64 / 1e6 * seeds as f64;
    if simulated_s > MAX_BATCH_SIMULATED_S {
        return Err(ScenarioError::Invalid(format!(
            "{seeds} seeds of {} s each is {simulated_s:.0} s of simulated time; one batch runs at most {MAX_BATCH_SIMULATED_S:.0} s (fewer seeds, or a shorter duration_ms)",
            scenario.duration_ms.0 as f64 / 1e6
        )));
    }
    visit(scenario, Run { seeds, label, progress })
}

/// The most simulated time one batch runs, over all its seeds (about 11.6
/// days): it bounds the work, and the reports the batch holds until it
/// prints them.
pub const MAX_BATCH_SIMULATED_S: f64 = 1_000_000.0;

/// Text from a file, safe to print to a terminal: control characters
/// (escape sequences, NUL) and bidirectional overrides are shown escaped.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
            if c.is_control() || bidi {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}
