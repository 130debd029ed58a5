//! A scenario run over one or more seeds, for any protocol: what
//! `splitbrain run` prints, as JSON and as text, and whether the runs show
//! what the scenario declares (`expect`).

use super::{visit, Metrics, RunReport, Runner, Scenario, ScenarioError};
use super::{Registered, Visit};
use crate::contract::Observer;
use crate::sim::invariant::Violation;
use crate::sim::Time;
use serde::Serialize;

/// The outcome of a batch. What it printed went out as it ran (see
/// [`stream`]); this keeps only the counts and the first few misses.
pub struct Batch {
    /// Violations found, over all seeds.
    pub violations: usize,
    /// Where the runs differ from the scenario's `expect` (empty when they
    /// match, or when it declares nothing); at most [`MAX_LISTED`].
    pub misses: Vec<String>,
    /// Alerts that fired, over all seeds: a declared budget was broken.
    pub alerts: usize,
    /// Runs that stopped at one of the simulator's caps.
    pub stopped: u64,
}

impl Batch {
    /// The exit code: 2 when a run stopped at a cap (the scenario asks for
    /// more than the simulator gives one run); 1 when a run violates a
    /// property it does not expect, does not show what it declares, or
    /// breaks a budget it declares (an alert fired); 0
    /// otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.stopped > 0 {
            2
        } else {
            i32::from(!self.misses.is_empty() || self.alerts > 0)
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

/// How far a batch has got: told after every [`PROGRESS_SLICE_US`] of
/// simulated time and after every seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reached {
    /// Seeds finished.
    pub seeds_done: u64,
    /// The simulated instant the current seed has reached (µs).
    pub now_us: Time,
    /// Events the current seed has processed.
    pub events: u64,
}

/// A long run reports its progress this often, in simulated time.
pub const PROGRESS_SLICE_US: Time = 100_000;

struct Run<'o, F: FnMut(Reached)> {
    seeds: u64,
    label: String,
    json: bool,
    /// Print the totals in the OpenMetrics text format instead.
    openmetrics: bool,
    out: &'o mut dyn FnMut(&str),
    progress: F,
}

fn json_of<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("a report serialises")
}

/// What a batch's runs add up to, seed by seed.
struct Tally<P: Registered> {
    metrics: Metrics<<P::Observer as Observer<P>>::Counts>,
    samples: <P::Observer as Observer<P>>::Samples,
    /// The first [`MAX_LISTED`] violations, and how many there were.
    listed: Vec<SeededViolation>,
    violations: usize,
    /// The first [`MAX_LISTED`] misses of the scenario's `expect`, and how many.
    misses: Vec<String>,
    missed: usize,
    /// The first [`MAX_LISTED`] alerts that fired, and how many.
    alerts: Vec<String>,
    alerted: usize,
    stopped: u64,
    first_stop: Option<String>,
    /// The first seed's report (its figures, for a one-seed batch).
    first: Option<RunReport<P>>,
}

impl<P: Registered> Tally<P> {
    fn new() -> Self {
        Tally {
            metrics: Metrics::default(),
            samples: Default::default(),
            listed: Vec::new(),
            violations: 0,
            misses: Vec::new(),
            missed: 0,
            alerts: Vec::new(),
            alerted: 0,
            stopped: 0,
            first_stop: None,
            first: None,
        }
    }

    /// Adds one finished run: its metrics, samples, violations, what it
    /// missed of `expect`, and whether it stopped at a cap.
    fn add(&mut self, runner: &Runner<P>, report: &RunReport<P>, expect: Option<&super::Expect>) {
        runner.observed().sample(runner.sim(), &mut self.samples);
        self.metrics.merge(&report.metrics);
        let found: Vec<String> = match expect {
            Some(e) => {
                let json = serde_json::to_value(report).expect("a report serialises");
                let violated: Vec<&str> = report.violations.iter().map(|v| v.property).collect();
                e.misses(&json, &violated)
            }
            None => report.violations.iter().map(|v| format!("{} was violated", v.property)).collect(),
        };
        for a in &report.alerts {
            self.alerted += 1;
            if self.alerts.len() < MAX_LISTED {
                let until = a.until_us.map_or("the end".to_string(), |u| format!("{:.3} s", u as f64 / 1e6));
                let at = a.from_us as f64 / 1e6;
                self.alerts.push(format!("seed {}: \"{}\" from {at:.3} s to {until}: {}", report.seed, a.alert, a.why));
            }
        }
        for m in found {
            self.missed += 1;
            if self.misses.len() < MAX_LISTED {
                self.misses.push(format!("seed {}: {m}", report.seed));
            }
        }
        self.violations += report.violations.len();
        for v in &report.violations {
            if self.listed.len() < MAX_LISTED {
                self.listed.push(SeededViolation { seed: report.seed, violation: v.clone() });
            }
        }
        if let Some(s) = &report.stopped {
            self.stopped += 1;
            self.first_stop.get_or_insert_with(|| format!("seed {}: {}", report.seed, s.message));
        }
    }

    fn batch(self) -> Batch {
        Batch { violations: self.violations, misses: self.misses, alerts: self.alerted, stopped: self.stopped }
    }
}

impl<F: FnMut(Reached)> Visit for Run<'_, F> {
    type Output = Result<Batch, ScenarioError>;

    fn visit<P: Registered>(mut self, scenario: Scenario) -> Self::Output {
        let mut tally = Tally::<P>::new();
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
            // In slices, to report progress: the same events as one call.
            let end = runner.scenario.duration_ms.us();
            while runner.sim().now() < end && runner.sim().halted().is_none() {
                runner.run_until(end.min(runner.sim().now() + PROGRESS_SLICE_US));
                let (now_us, events) = (runner.sim().now(), runner.sim().trace().len());
                (self.progress)(Reached { seeds_done: i, now_us, events });
            }
            runner.run_to_end();
            let report = runner.report();
            tally.add(&runner, &report, scenario.expect.as_ref());
            if self.json {
                let sep = if i > 0 { "," } else { "" };
                (self.out)(&format!("{sep}{}", json_of(&report)));
            }
            if i == 0 {
                tally.first = Some(report);
            }
            let (now_us, events) = (runner.sim().now(), runner.sim().trace().len());
            (self.progress)(Reached { seeds_done: i + 1, now_us, events });
        }
        if self.openmetrics {
            let text = openmetrics_text(&tally.metrics, tally.violations, tally.alerted, &self.label, P::KIND.name());
            (self.out)(&text);
        } else if self.json {
            self.json_tail(&tally, &scenario);
        } else {
            self.text(&tally, &scenario);
        }
        Ok(tally.batch())
    }
}

impl<F: FnMut(Reached)> Run<'_, F> {
    /// The end of the JSON report: the totals over every seed.
    fn json_tail<P: Registered>(&mut self, t: &Tally<P>, scenario: &Scenario) {
        let pooled = <P::Observer as Observer<P>>::pool(&t.samples);
        let expect = scenario.expect.as_ref().map(|declared| ExpectOutcome {
            declared,
            misses: &t.misses,
            misses_total: t.missed,
        });
        let tail = format!(
            "],\"violations\":{},\"violations_total\":{},\"alerts\":{},\"alerts_total\":{},\"metrics\":{},\"pooled\":{},\"stopped\":{}{}}}\n",
            json_of(&t.listed),
            t.violations,
            json_of(&t.alerts),
            t.alerted,
            json_of(&t.metrics),
            json_of(&pooled),
            t.stopped,
            expect.map_or(String::new(), |e| format!(",\"expect\":{}", json_of(&e)))
        );
        (self.out)(&tail);
    }

    /// The text report: one labelled line per figure.
    fn text<P: Registered>(&mut self, t: &Tally<P>, scenario: &Scenario) {
        let (metrics, seeds) = (&t.metrics, self.seeds);
        let pooled = <P::Observer as Observer<P>>::pool(&t.samples);
        let mut text = Vec::new();
        let mut line = |label: &str, s: String| text.push(format!("{label:<18}{s}"));
        line("scenario", printable(&self.label));
        line("protocol", P::KIND.name().to_string());
        line("seeds", format!("{seeds} (from {})", scenario.seed));
        let one = t.first.as_ref().filter(|_| seeds == 1);
        if let Some(r) = one {
            line("trace hash", r.trace_hash.clone());
        }
        let per = if seeds > 1 { " (summed over seeds)" } else { "" };
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
        for (label, s) in <P::Observer as Observer<P>>::describe(&metrics.protocol, &pooled, one.map(|r| &r.figures)) {
            line(&label, s);
        }
        if let Some(msg) = &t.first_stop {
            line("stopped", format!("{} of {seeds} run(s) at a cap; first, {msg}", t.stopped));
        }
        if t.violations == 0 {
            line("violations", "none".into());
        } else {
            line("violations", t.violations.to_string());
            for v in &t.listed {
                text.push(format!("  seed {}: {}", v.seed, v.violation));
            }
            if t.violations > t.listed.len() {
                text.push(format!("  ... and {} more", t.violations - t.listed.len()));
            }
        }
        if !scenario.alerts.is_empty() {
            let fired = if t.alerted == 0 {
                format!("none of {} fired", scenario.alerts.len())
            } else {
                format!("{} fired", t.alerted)
            };
            text.push(format!("{:<18}{fired}", "alerts"));
            text.extend(t.alerts.iter().map(|a| format!("  {a}")));
        }
        if let Some(e) = &scenario.expect {
            text.extend(expect_lines(e, &t.misses, t.missed));
        }
        for l in text {
            (self.out)(&l);
            (self.out)("\n");
        }
    }
}

/// Whether the runs showed what the scenario declares, as text.
fn expect_lines(e: &super::Expect, misses: &[String], missed: usize) -> Vec<String> {
    let declared = if e.violations.is_empty() { "no violation".to_string() } else { e.violations.join(", ") };
    let bounds = e.bounds.len();
    let what = if bounds > 0 { format!("{declared} and {bounds} bound(s)") } else { declared };
    if misses.is_empty() {
        return vec![format!("{:<18}shown: {what}", "expect")];
    }
    let mut out = vec![format!("{:<18}NOT shown ({what}):", "expect")];
    out.extend(misses.iter().map(|m| format!("  {m}")));
    if missed > misses.len() {
        out.push(format!("  ... and {} more", missed - misses.len()));
    }
    out
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
    progress: impl FnMut(Reached),
) -> Result<Batch, ScenarioError> {
    let simulated_s = scenario.duration_ms.0 as f64 / 1e6 * seeds as f64;
    if simulated_s > MAX_BATCH_SIMULATED_S {
        return Err(ScenarioError::Invalid(format!(
            "{seeds} seeds of {} s each is {simulated_s:.0} s of simulated time; one batch runs at most {MAX_BATCH_SIMULATED_S:.0} s (fewer seeds, or a shorter duration_ms)",
            scenario.duration_ms.0 as f64 / 1e6
        )));
    }
    visit(scenario, Run { seeds, label, json, openmetrics: false, out, progress })
}

/// As [`stream`], printing only the totals, in the OpenMetrics text
/// format (what Prometheus and the tools around it read).
pub fn stream_openmetrics(
    scenario: Scenario,
    seeds: u64,
    label: String,
    out: &mut dyn FnMut(&str),
) -> Result<Batch, ScenarioError> {
    visit(scenario, Run { seeds, label, json: false, openmetrics: true, out, progress: |_| {} })
}

/// Counts as OpenMetrics: each whole number of `metrics` (the trace's
/// counts and the protocol's, nested names joined by `_`) a counter
/// `splitbrain_<name>_total`, with the violations and alerts, labelled by
/// scenario and protocol; then `# EOF`.
fn openmetrics_text<M: Serialize>(
    metrics: &M,
    violations: usize,
    alerts: usize,
    label: &str,
    protocol: &str,
) -> String {
    fn leaves(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, u64)>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}_{k}") };
                    leaves(&name, x, out);
                }
            }
            serde_json::Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    out.push((prefix.to_string(), u));
                }
            }
            _ => {}
        }
    }
    let mut counts = Vec::new();
    leaves("", &serde_json::to_value(metrics).expect("metrics serialise"), &mut counts);
    counts.push(("violations".into(), violations as u64));
    counts.push(("alerts_fired".into(), alerts as u64));
    let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let labels = format!("scenario=\"{}\",protocol=\"{}\"", escape(label), escape(protocol));
    let mut out = String::new();
    for (name, v) in counts {
        let name: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        out.push_str(&format!("# TYPE splitbrain_{name} counter\nsplitbrain_{name}_total{{{labels}}} {v}\n"));
    }
    out.push_str("# EOF\n");
    out
}

/// [`stream`] without the output: the counts and misses only.
pub fn run(
    scenario: Scenario,
    seeds: u64,
    label: String,
    progress: impl FnMut(Reached),
) -> Result<Batch, ScenarioError> {
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
