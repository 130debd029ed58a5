//! A scenario run over one or more seeds, for any protocol: what
//! `splitbrain run` prints, as JSON and as text, and whether the runs show
//! what the scenario declares (`expect`).

use super::{visit, Metrics, RunReport, Runner, Scenario, ScenarioError};
use super::{Registered, Visit};
use crate::contract::Observer;
use crate::sim::invariant::Violation;
use serde::Serialize;

/// The outcome of a batch. What it printed went out as it ran (see
/// [`stream`]); this keeps only the counts and the first few misses.
pub struct Batch {
    /// Violations found, over all seeds.
    pub violations: usize,
    /// Where the runs differ from the scenario's `expect` (empty when they
    /// match, or when it declares nothing); at most [`MAX_LISTED`].
    pub misses: Vec<String>,
    /// Runs that stopped at one of the simulator's caps.
    pub stopped: u64,
}

impl Batch {
    /// The exit code: 2 when a run stopped at a cap (the scenario asks for
    /// more than the simulator gives one run); 1 when a run violates a
    /// property it does not expect, or does not show what it declares; 0
    /// otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.stopped > 0 {
            2
        } else {
            i32::from(!self.misses.is_empty())
        }
    }
}

/// The most violations and misses a batch lists (it counts them all): a
/// million seeds that each find one would otherwise all be held.
pub const MAX_LISTED: usize = 1_000;

#[derive(Serialize)]
struct SeededViolation {
    seed: u64,
    #[serde(flatten)]
    violation: Violation,
}

#[derive(Serialize)]
struct ExpectOutcome<'a> {
    declared: &'a super::Expect,
    misses: &'a [String],
    misses_total: usize,
}

struct Run<'o, F: FnMut(u64)> {
    seeds: u64,
    label: String,
    json: bool,
    out: &'o mut dyn FnMut(&str),
    progress: F,
}

fn json_of<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("a report serialises")
}

impl<F: FnMut(u64)> Visit for Run<'_, F> {
    type Output = Result<Batch, ScenarioError>;

    fn visit<P: Registered>(mut self, scenario: Scenario) -> Self::Output {
        let mut metrics = Metrics::default();
        let mut samples = Default::default();
        let mut listed: Vec<SeededViolation> = Vec::new();
        let (mut violations, mut misses, mut missed, mut stopped) = (0, Vec::new(), 0, 0u64);
        let mut first: Option<RunReport<P>> = None;
        let mut first_stop = None;
        let mut runner = Some(Runner::<P>::build(scenario.clone())?);
        if self.json {
            let head = format!(
                "{{\"scenario\":{},\"protocol\":{},\"seeds\":{},\"runs\":[",
                json_of(&self.label),
                json_of(P::KIND.name()),
                self.seeds
            );
            (self.out)(&head);
        }
        for i in 0..self.seeds {
            let mut runner = match runner.take() {
                Some(r) => r,
                None => {
                    let mut s = scenario.clone();
                    s.seed = scenario.seed.wrapping_add(i);
                    Runner::<P>::build(s)?
                }
            };
            runner.run_to_end();
            let report = runner.report();
            runner.observed().sample(runner.sim(), &mut samples);
            metrics.merge(&report.metrics);
            let mut miss = |m: String| {
                missed += 1;
                if misses.len() < MAX_LISTED {
                    misses.push(format!("seed {}: {m}", report.seed));
                }
            };
            if let Some(e) = &scenario.expect {
                let json = serde_json::to_value(&report).expect("a report serialises");
                let violated: Vec<&str> = report.violations.iter().map(|v| v.property).collect();
                for m in e.misses(&json, &violated) {
                    miss(m);
                }
            } else {
                for v in &report.violations {
                    miss(format!("{} was violated", v.property));
                }
            }
            violations += report.violations.len();
            for v in &report.violations {
                if listed.len() < MAX_LISTED {
                    listed.push(SeededViolation { seed: report.seed, violation: v.clone() });
                }
            }
            if let Some(s) = &report.stopped {
                stopped += 1;
                first_stop.get_or_insert_with(|| format!("seed {}: {}", report.seed, s.message));
            }
            if self.json {
                let sep = if i > 0 { "," } else { "" };
                (self.out)(&format!("{sep}{}", json_of(&report)));
            }
            if i == 0 {
                first = Some(report);
            }
            (self.progress)(i + 1);
        }
        let pooled = <P::Observer as Observer<P>>::pool(&samples);
        if self.json {
            let expect = scenario.expect.as_ref().map(|declared| ExpectOutcome {
                declared,
                misses: &misses,
                misses_total: missed,
            });
            let tail = format!(
                "],\"violations\":{},\"violations_total\":{violations},\"metrics\":{},\"pooled\":{},\"stopped\":{stopped}{}}}\n",
                json_of(&listed),
                json_of(&metrics),
                json_of(&pooled),
                expect.map_or(String::new(), |e| format!(",\"expect\":{}", json_of(&e)))
            );
            (self.out)(&tail);
            return Ok(Batch { violations, misses, stopped });
        }

        let mut text = Vec::new();
        let mut line = |label: &str, t: String| text.push(format!("{label:<18}{t}"));
        line("scenario", printable(&self.label));
        line("protocol", P::KIND.name().to_string());
        line("seeds", format!("{} (from {})", self.seeds, scenario.seed));
        let one = first.as_ref().filter(|_| self.seeds == 1);
        if let Some(r) = one {
            line("trace hash", r.trace_hash.clone());
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
        for (label, t) in <P::Observer as Observer<P>>::describe(&metrics.protocol, &pooled, one.map(|r| &r.figures)) {
            line(&label, t);
        }
        if let Some(msg) = &first_stop {
            line("stopped", format!("{stopped} of {} run(s) at a cap; first, {msg}", self.seeds));
        }
        if violations == 0 {
            line("violations", "none".into());
        } else {
            line("violations", violations.to_string());
            for v in &listed {
                text.push(format!("  seed {}: {}", v.seed, v.violation));
            }
            if violations > listed.len() {
                text.push(format!("  ... and {} more", violations - listed.len()));
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
                if missed > misses.len() {
                    text.push(format!("  ... and {} more", missed - misses.len()));
                }
            }
        }
        for l in text {
            (self.out)(&l);
            (self.out)("\n");
        }
        Ok(Batch { violations, misses, stopped })
    }
}

/// Runs `scenario` for `seeds` seeds (its own, then the next ones), writing
/// what `splitbrain run` prints to `out` as it goes: with `json`, each
/// run's report as soon as it ends, so a long batch holds only its totals;
/// as text, the summary at the end. `progress` hears the number done
/// after each seed.
pub fn stream(
    scenario: Scenario,
    seeds: u64,
    label: String,
    json: bool,
    out: &mut dyn FnMut(&str),
    progress: impl FnMut(u64),
) -> Result<Batch, ScenarioError> {
    let simulated_s = scenario.duration_ms.0 as f64 / 1e6 * seeds as f64;
    if simulated_s > MAX_BATCH_SIMULATED_S {
        return Err(ScenarioError::Invalid(format!(
            "{seeds} seeds of {} s each is {simulated_s:.0} s of simulated time; one batch runs at most {MAX_BATCH_SIMULATED_S:.0} s (fewer seeds, or a shorter duration_ms)",
            scenario.duration_ms.0 as f64 / 1e6
        )));
    }
    visit(scenario, Run { seeds, label, json, out, progress })
}

/// [`stream`] without the output: the counts and misses only.
pub fn run(scenario: Scenario, seeds: u64, label: String, progress: impl FnMut(u64)) -> Result<Batch, ScenarioError> {
    stream(scenario, seeds, label, false, &mut |_| {}, progress)
}

/// The most simulated time one batch runs, over all its seeds (about 11.6
/// days): it bounds the work.
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
