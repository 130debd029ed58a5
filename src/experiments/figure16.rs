//! The Raft paper's Figure 16 (§9.3; Ongaro's dissertation, chapter 9):
//! the time to detect and replace a crashed leader, for ten ranges of
//! election timeouts, on one testbed. [`run`] measures every line and
//! [`svg`] draws the cumulative distributions the way the figure does: the
//! top graph varies the randomness (150–150 to 150–300 ms), the bottom one
//! scales the minimum (12–24 to 150–300 ms), on a logarithmic time axis.

use super::failover::{self, FailoverParams, Trial};
use crate::sim::MS;
use serde::Serialize;
use std::fmt::Write;

/// One line of the figure: its timeouts in ms, and which graph draws it.
pub struct Line {
    pub timeout_ms: (u64, u64),
    pub top: bool,
    pub bottom: bool,
    /// What the paper's text says about this line, if anything.
    pub paper: Option<&'static str>,
}

const fn line(a: u64, b: u64, top: bool, bottom: bool, paper: Option<&'static str>) -> Line {
    Line { timeout_ms: (a, b), top, bottom, paper }
}

/// The figure's ten lines, in the order of its legends.
pub const LINES: [Line; 10] = [
    line(150, 150, true, false, Some("over 10 s (\"consistently took longer than 10 seconds\"; 100 trials)")),
    line(150, 151, true, false, None),
    line(150, 155, true, false, Some("median 287 ms")),
    line(150, 175, true, false, None),
    line(150, 200, true, false, Some("worst of 1,000 trials 513 ms")),
    line(150, 300, true, true, None),
    line(12, 24, false, true, Some("mean 35 ms, longest 152 ms")),
    line(25, 50, false, true, None),
    line(50, 100, false, true, None),
    line(100, 200, false, true, None),
];

impl Line {
    /// `base` with this line's timeouts and trial count.
    pub fn params(&self, base: &FailoverParams) -> FailoverParams {
        FailoverParams {
            timeout_us: (self.timeout_ms.0 * MS, self.timeout_ms.1 * MS),
            trials: trials_for(self, base.trials),
            ..base.clone()
        }
    }
}

/// The paper ran 100 trials of 150–150 ms and 1,000 of every other line.
pub fn trials_for(l: &Line, trials: u32) -> u32 {
    if l.timeout_ms.0 == l.timeout_ms.1 {
        trials.div_ceil(10)
    } else {
        trials
    }
}

/// One measured line.
#[derive(Serialize)]
pub struct Row {
    pub timeout_ms: (u64, u64),
    pub report: failover::Report,
    /// Each trial's failover in ms, sorted.
    #[serde(skip)]
    pub sorted_ms: Vec<f64>,
}

/// Measures every line on `base` (its timeouts replaced by each line's).
/// `progress` gets the trials done so far, over all lines.
pub fn run(base: &FailoverParams, mut progress: impl FnMut(u32)) -> Vec<Row> {
    let mut done = 0;
    LINES
        .iter()
        .map(|l| {
            let p = l.params(base);
            let trials: Vec<Trial> = failover::trials(&p, |i| progress(done + i));
            done += p.trials;
            let mut sorted_ms: Vec<f64> = trials.iter().map(Trial::ms).collect();
            sorted_ms.sort_unstable_by(f64::total_cmp);
            Row { timeout_ms: l.timeout_ms, report: failover::Report::of(&p, &trials), sorted_ms }
        })
        .collect()
}

/// Every line's trial count on `base`.
pub fn total_trials(base: &FailoverParams) -> u32 {
    LINES.iter().map(|l| trials_for(l, base.trials)).sum()
}

const W: f64 = 720.0;
const PANEL_H: f64 = 250.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 30.0;
const GAP: f64 = 70.0;
/// The time axis: 10 ms to 100 s, logarithmic.
const DECADES: (f64, f64) = (1.0, 5.0);
/// One colour per line of [`LINES`], so 150–300 ms looks the same in both graphs.
const COLOURS: [&str; 10] =
    ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#e6ab02", "#1f78b4", "#b15928", "#666666"];

fn x_of(ms: f64) -> f64 {
    let d = ms.max(10.0).log10().clamp(DECADES.0, DECADES.1);
    LEFT + (d - DECADES.0) / (DECADES.1 - DECADES.0) * (W - LEFT - RIGHT)
}

/// The figure as an SVG: two graphs of cumulative percent against time
/// without a leader, one line per row, labelled with its timeouts.
pub fn svg(rows: &[Row], caption: &str) -> String {
    let h = TOP + 2.0 * PANEL_H + GAP + 50.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" viewBox="0 0 {W} {h}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#
    );
    let _ = write!(s, r#"<text x="{LEFT}" y="18" font-size="13">{}</text>"#, super::plot::escape(caption));
    for (panel, top) in [(0, true), (1, false)] {
        let y0 = TOP + f64::from(panel) * (PANEL_H + GAP);
        let y_of = |frac: f64| y0 + PANEL_H - frac * PANEL_H;
        // Axes, grid and ticks.
        for pct in [0, 20, 40, 60, 80, 100] {
            let y = y_of(f64::from(pct) / 100.0);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{}" y1="{y}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{pct}%</text>"##,
                W - RIGHT,
                LEFT - 6.0,
                y + 4.0
            );
        }
        for (ms, label) in [(10.0, "10ms"), (100.0, "100ms"), (1e3, "1s"), (1e4, "10s"), (1e5, "100s")] {
            let x = x_of(ms);
            let _ = write!(
                s,
                r##"<line x1="{x}" x2="{x}" y1="{y0}" y2="{}" stroke="#ddd"/><text x="{x}" y="{}" text-anchor="middle">{label}</text>"##,
                y0 + PANEL_H,
                y0 + PANEL_H + 16.0
            );
        }
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="{y0}" width="{}" height="{PANEL_H}" fill="none" stroke="#444"/><text x="{}" y="{}" text-anchor="middle">time without leader</text><text x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">cumulative percent</text>"##,
            W - LEFT - RIGHT,
            (LEFT + W - RIGHT) / 2.0,
            y0 + PANEL_H + 34.0,
            y0 + PANEL_H / 2.0,
            y0 + PANEL_H / 2.0
        );
        let chosen = rows.iter().filter_map(|r| {
            let k = LINES.iter().position(|l| l.timeout_ms == r.timeout_ms && if top { l.top } else { l.bottom })?;
            Some((k, r))
        });
        for (i, (k, r)) in chosen.enumerate() {
            let colour = COLOURS[k];
            let n = r.sorted_ms.len().max(1) as f64;
            let mut d = format!("M{:.1},{:.1}", x_of(10.0), y_of(0.0));
            for (k, ms) in r.sorted_ms.iter().enumerate() {
                let x = x_of(*ms);
                let _ = write!(d, " H{x:.1} V{:.1}", y_of((k + 1) as f64 / n));
            }
            let _ = write!(s, r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.6"/>"#);
            let (a, b) = r.timeout_ms;
            let _ = write!(
                s,
                r#"<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{colour}" stroke-width="2"/><text x="{}" y="{}">{a}-{b}ms</text>"#,
                W - RIGHT + 12.0,
                W - RIGHT + 30.0,
                y0 + 14.0 + 18.0 * i as f64,
                y0 + 14.0 + 18.0 * i as f64,
                W - RIGHT + 36.0,
                y0 + 18.0 + 18.0 * i as f64
            );
        }
    }
    s.push_str("</svg>\n");
    s
}
