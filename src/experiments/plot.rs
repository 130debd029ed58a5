//! Plots of an experiment's trials as standalone SVG: cumulative
//! distributions, histograms and curves over time, with a published
//! curve, a theory or a paper's reported numbers drawn over them. The
//! Experiments panel shows these and exports them; the worker draws them,
//! so the page's own bundle carries none of this code.

use std::fmt::Write;

const W: f64 = 640.0;
const H: f64 = 380.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 96.0;
/// The colours of our series, then of overlays (colour-blind safe).
const COLOURS: [&str; 4] = ["#1f78b4", "#d95f02", "#7570b3", "#1b9e77"];
const OVERLAY: &str = "#c2185b";

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// A measured distribution or curve: a solid step line.
    Step,
    /// A theory or a published curve: dashed, in the overlay colour.
    Theory,
    /// A histogram: bars of this width in x units.
    Bars(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub style: Style,
}

/// A number a paper reports: a point when `y` is set, else a vertical line.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub label: String,
    pub x: f64,
    pub y: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    /// The y axis's top; `None`: the largest value.
    pub y_max: Option<f64>,
    pub series: Vec<Series>,
    pub marks: Vec<Mark>,
}

/// The points of an empirical CDF's steps, from sorted values.
pub fn cdf(sorted: &[f64]) -> Vec<(f64, f64)> {
    let n = sorted.len() as f64;
    sorted.iter().enumerate().map(|(i, &x)| (x, (i + 1) as f64 / n)).collect()
}

/// A histogram of `values` in `bins` equal bins (equal in log x when
/// `log`): each bar as (left edge, count), and the bar width (in log10
/// units when `log`).
pub fn histogram(values: &[f64], bins: usize, log: bool) -> (Vec<(f64, f64)>, f64) {
    let f = |x: f64| if log { x.max(1e-9).log10() } else { x };
    let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(f(x)), b.max(f(x))));
    if values.is_empty() || !lo.is_finite() {
        return (Vec::new(), 1.0);
    }
    let width = ((hi - lo) / bins as f64).max(1e-9);
    let mut counts = vec![0u64; bins];
    for &x in values {
        let b = (((f(x) - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let unlog = |x: f64| if log { 10f64.powf(x) } else { x };
    (counts.iter().enumerate().map(|(i, &c)| (unlog(lo + i as f64 * width), c as f64)).collect(), width)
}

/// Round tick values covering `lo..=hi`: steps of 1, 2 or 5 times a power of ten.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / 5.0;
    let pow = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * pow).find(|s| *s >= raw).unwrap_or(10.0 * pow);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// `1.5`, `20`, `1k`, `2.5k`: short tick labels.
fn label(v: f64) -> String {
    if v.abs() >= 1e3 {
        format!("{}k", label(v / 1e3))
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

pub(crate) fn escape(t: &str) -> String {
    t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Plot {
    fn x_range(&self) -> (f64, f64) {
        let xs = self.series.iter().flat_map(|s| {
            let w = if let Style::Bars(w) = s.style { w } else { 0.0 };
            s.points.iter().map(move |p| (p.0, w))
        });
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (x, w) in xs {
            lo = lo.min(x);
            hi = hi.max(if self.log_x { x * 10f64.powf(w) } else { x + w });
        }
        for m in &self.marks {
            lo = lo.min(m.x);
            hi = hi.max(m.x);
        }
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        if self.log_x {
            let (a, b) = (lo.max(1e-3).log10().floor(), hi.max(1e-3).log10().ceil());
            (10f64.powf(a), 10f64.powf(b.max(a + 1.0)))
        } else {
            let lo = if lo >= 0.0 { 0.0 } else { lo };
            (lo, if hi > lo { hi } else { lo + 1.0 })
        }
    }

    fn y_top(&self) -> f64 {
        self.y_max.unwrap_or_else(|| {
            let m = self.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max);
            if m > 0.0 {
                m * 1.05
            } else {
                1.0
            }
        })
    }

    /// The plot as a standalone SVG document (white background, so it
    /// reads the same exported, in a dark page or printed).
    pub fn svg(&self) -> String {
        let f = Frame {
            x: self.x_range(),
            ytop: self.y_top(),
            log_x: self.log_x,
            pw: W - LEFT - RIGHT,
            ph: H - TOP - BOTTOM,
        };
        let mut s = String::new();
        let _ = write!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12" role="img"><title>{t}</title><rect width="100%" height="100%" fill="white"/><text x="{LEFT}" y="20" font-size="13" fill="#222">{t}</text>"##,
            t = escape(&self.title)
        );
        self.axes(&f, &mut s);
        // The data, then what it is compared with on top.
        let mut legend = self.data(&f, &mut s);
        legend.extend(self.overlay(&f, &mut s));
        // The legend, under the axis: two columns.
        for (i, (text, colour, overlay)) in legend.iter().enumerate() {
            let (col, row) = (i % 2, i / 2);
            let x = LEFT + col as f64 * (f.pw / 2.0);
            let y = TOP + f.ph + 54.0 + row as f64 * 16.0;
            let dash = if *overlay { r#" stroke-dasharray="4 3""# } else { "" };
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="2.5"{dash}/><text x="{:.1}" y="{y:.1}" fill="#222">{}</text>"##,
                x + 18.0,
                y - 4.0,
                y - 4.0,
                x + 24.0,
                escape(text)
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// The grid, the ticks with their values, the frame and the labels.
    fn axes(&self, f: &Frame, s: &mut String) {
        let (x0, x1) = f.x;
        let xt: Vec<f64> = if self.log_x {
            let (a, b) = (x0.log10().round() as i32, x1.log10().round() as i32);
            (a..=b).map(|e| 10f64.powi(e)).collect()
        } else {
            ticks(x0, x1)
        };
        let (pw, ph) = (f.pw, f.ph);
        for x in xt {
            let px = f.tx(x);
            let _ = write!(
                s,
                r##"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{:.1}" stroke="#e3e3e3"/><text x="{px:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
                TOP + ph,
                TOP + ph + 16.0,
                label(x)
            );
        }
        for y in ticks(0.0, f.ytop) {
            let py = f.ty(y);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}" stroke="#e3e3e3"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">{}</text>"##,
                LEFT + pw,
                LEFT - 6.0,
                py + 4.0,
                label(y)
            );
        }
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#555"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#222">{}</text><text x="14" y="{:.1}" transform="rotate(-90 14 {:.1})" text-anchor="middle" fill="#222">{}</text>"##,
            LEFT + pw / 2.0,
            TOP + ph + 34.0,
            escape(&self.x_label),
            TOP + ph / 2.0,
            TOP + ph / 2.0,
            escape(&self.y_label)
        );
    }

    /// Every series (bars, steps, theory curves); their legend entries.
    fn data(&self, f: &Frame, s: &mut String) -> Vec<(String, String, bool)> {
        let mut legend = Vec::new();
        let mut ours = 0;
        for series in &self.series {
            let colour = match series.style {
                Style::Theory => OVERLAY.to_string(),
                _ => {
                    ours += 1;
                    COLOURS[(ours - 1) % COLOURS.len()].to_string()
                }
            };
            match series.style {
                Style::Bars(w) => {
                    for &(x, c) in &series.points {
                        let right = if self.log_x { x * 10f64.powf(w) } else { x + w };
                        let (a, b) = (f.tx(x), f.tx(right));
                        let _ = write!(
                            s,
                            r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="0.75"/>"#,
                            f.ty(c),
                            (b - a - 0.5).max(0.5),
                            TOP + f.ph - f.ty(c)
                        );
                    }
                }
                Style::Step | Style::Theory => {
                    let d = f.path(series);
                    let dash = if series.style == Style::Theory { r#" stroke-dasharray="6 4""# } else { "" };
                    let _ = write!(s, r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.8"{dash}/>"#);
                }
            }
            legend.push((series.label.clone(), colour, series.style == Style::Theory));
        }
        legend
    }

    /// What the data is compared with: the paper's points and lines.
    fn overlay(&self, f: &Frame, s: &mut String) -> Vec<(String, String, bool)> {
        let mut legend = Vec::new();
        for m in &self.marks {
            let px = f.tx(m.x);
            match m.y {
                Some(y) => {
                    let py = f.ty(y);
                    let _ = write!(
                        s,
                        r#"<path d="M{:.1},{py:.1} l6,-6 l6,6 l-6,6 z" fill="{OVERLAY}" stroke="white"/>"#,
                        px - 6.0
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r#"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{:.1}" stroke="{OVERLAY}" stroke-width="1.5" stroke-dasharray="2 3"/>"#,
                        TOP + f.ph
                    );
                }
            }
            legend.push((m.label.clone(), OVERLAY.to_string(), true));
        }
        legend
    }
}

/// The plotting area: the data's ranges and where they land on the page.
struct Frame {
    x: (f64, f64),
    ytop: f64,
    log_x: bool,
    pw: f64,
    ph: f64,
}

impl Frame {
    fn tx(&self, x: f64) -> f64 {
        let (x0, x1) = self.x;
        let f = if self.log_x {
            (x.max(x0).log10() - x0.log10()) / (x1.log10() - x0.log10())
        } else {
            (x - x0) / (x1 - x0)
        };
        LEFT + f.clamp(0.0, 1.0) * self.pw
    }

    fn ty(&self, y: f64) -> f64 {
        TOP + self.ph - (y / self.ytop).clamp(0.0, 1.0) * self.ph
    }

    /// A step (CDF) or a line (theory) through a series' points.
    fn path(&self, series: &Series) -> String {
        let step = series.style == Style::Step;
        let mut d = String::new();
        let mut last_y = 0.0;
        for (i, &(x, y)) in series.points.iter().enumerate() {
            if i == 0 {
                let _ = write!(d, "M{:.1},{:.1}", self.tx(x), self.ty(if step { 0.0 } else { y }));
            }
            if step {
                let _ = write!(d, " H{:.1} V{:.1}", self.tx(x), self.ty(y));
            } else {
                let _ = write!(d, " L{:.1},{:.1}", self.tx(x), self.ty(y));
            }
            last_y = y;
        }
        if step && !series.points.is_empty() {
            let _ = write!(d, " H{:.1} V{:.1}", LEFT + self.pw, self.ty(last_y));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let shown = |lo, hi| ticks(lo, hi).into_iter().map(label).collect::<Vec<_>>().join(" ");
        assert_eq!(shown(0.0, 1.0), "0 0.2 0.4 0.6 0.8 1");
        assert_eq!(shown(0.0, 430.0), "0 100 200 300 400");
        assert_eq!(shown(0.0, 25_000.0), "0 5k 10k 15k 20k 25k");
    }

    #[test]
    fn a_histogram_counts_every_value_once() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let (bars, width) = histogram(&v, 10, false);
        assert_eq!(bars.len(), 10);
        assert!((width - 9.9).abs() < 1e-9);
        assert_eq!(bars.iter().map(|b| b.1).sum::<f64>(), 100.0);
        let (log_bars, _) = histogram(&v, 4, true);
        assert_eq!(log_bars.iter().map(|b| b.1).sum::<f64>(), 100.0);
        // Equal in log x: a quarter of two decades each.
        assert_eq!(log_bars[0].1, 3.0, "1, 2, 3 are below 10^0.5");
    }

    #[test]
    fn a_cdf_ends_at_one() {
        assert_eq!(cdf(&[1.0, 2.0, 4.0, 8.0]).last(), Some(&(8.0, 1.0)));
    }
}
