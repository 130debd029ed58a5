//! The metrics panel: charts over sim time, drawn from the runner's
//! observed series (the same ones `splitbrain run --json` summarises).

use crate::sim::Time;
use crate::stats::percentile;
use crate::stats::MsSummary;
use crate::viewmodel::playground::Playground;
use crate::viewmodel::seen::raft::Raft;
use crate::viewmodel::seen::raft::{Observed, BUCKET_US};
use yew::prelude::*;

/// Chart width in view units (the panel scales it).
const W: f64 = 320.0;
/// Columns that series are binned into.
const COLUMNS: usize = 80;

/// A colour per server, shared by every chart.
pub fn node_colour(n: u32) -> String {
    format!("hsl({} 62% 48%)", (n * 137 + 20) % 360)
}

fn ms(us: Time) -> String {
    let ms = us as f64 / 1000.0;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

struct Axis {
    end: Time,
}

impl Axis {
    fn x(&self, t: Time) -> f64 {
        (t.min(self.end) as f64 / self.end.max(1) as f64) * W
    }
}

fn leaders_chart(o: &Observed, ax: &Axis) -> Html {
    let spans: Html = o
        .leaders
        .iter()
        .map(|s| {
            let (x0, x1) = (ax.x(s.from), ax.x(s.to.unwrap_or(ax.end)));
            let w = (x1 - x0).max(1.0);
            let title = format!(
                "n{} led term {} from {}{}",
                s.node,
                s.term,
                ms(s.from),
                s.to.map_or(" (still leading)".to_string(), |t| format!(" to {}", ms(t)))
            );
            let label = (w > 26.0).then(|| {
                html! { <text x={format!("{:.1}", x0 + 3.0)} y="13" class="chart-label-in">{format!("n{} t{}", s.node, s.term)}</text> }
            });
            html! { <g><rect x={format!("{x0:.1}")} y="2" width={format!("{w:.1}")} height="16" fill={node_colour(s.node)}><title>{title}</title></rect>{ for label }</g> }
        })
        .collect();
    html! {
        <figure class="chart" id="chart-leaders">
            <figcaption title="Who led, by term, over sim time; gaps had no leader">{"Leader by term"}</figcaption>
            <svg data-figure="leaders" viewBox={format!("0 0 {W} 20")} preserveAspectRatio="none"><rect class="track" x="0" y="2" width={W.to_string()} height="16" />{spans}</svg>
        </figure>
    }
}

fn elections_chart(o: &Observed, ax: &Axis) -> Html {
    let s = MsSummary::of_us(o.election_us());
    let top = s.summary.max.max(1.0);
    let bars: Html = o
        .elections
        .iter()
        .map(|e| {
            let d = (e.end - e.start) as f64 / 1000.0;
            let h = (d / top * 36.0).max(2.0);
            let x = ax.x(e.start);
            html! { <rect class="bar-election" x={format!("{:.1}", x - 1.5)} y={format!("{:.1}", 40.0 - h)} width="3" height={format!("{h:.1}")}><title>{format!("term {}: n{} won after {d:.1} ms (from {})", e.term, e.leader, ms(e.start))}</title></rect> }
        })
        .collect();
    html! {
        <figure class="chart" id="chart-elections">
            <figcaption title="Each won election, from the first server to stand in its term to its leader">
                {format!("Elections: {} · mean {:.1} ms · max {:.1} ms", s.count, s.summary.mean, s.summary.max)}
            </figcaption>
            <svg data-figure="elections" viewBox={format!("0 0 {W} 40")} preserveAspectRatio="none"><line class="base" x1="0" y1="40" x2={W.to_string()} y2="40" />{bars}</svg>
        </figure>
    }
}

fn messages_chart(o: &Observed, ax: &Axis) -> Html {
    let per = (ax.end / BUCKET_US) as usize / COLUMNS + 1;
    let mut cols = vec![(0u64, 0u64); COLUMNS + 1];
    for (i, b) in o.buckets.iter().enumerate() {
        if let Some(c) = cols.get_mut(i / per) {
            c.0 += b.delivered;
            c.1 += b.dropped;
        }
    }
    let used = (o.buckets.len().div_ceil(per)).clamp(1, COLUMNS + 1);
    let top = cols.iter().map(|c| c.0 + c.1).max().unwrap_or(1).max(1) as f64;
    let w = W / (ax.end as f64 / (per as f64 * BUCKET_US as f64)).max(1.0);
    let bars: Html = cols[..used]
        .iter()
        .enumerate()
        .map(|(i, &(ok, bad))| {
            let x = i as f64 * w;
            let w = w.min(W - x).max(0.0);
            let h_ok = ok as f64 / top * 40.0;
            let h_bad = bad as f64 / top * 40.0;
            let title = format!(
                "{} to {}: {ok} delivered, {bad} dropped",
                ms((i * per) as Time * BUCKET_US),
                ms(((i + 1) * per) as Time * BUCKET_US)
            );
            html! { <g><title>{title}</title>
                <rect class="bar-ok" x={format!("{x:.1}")} y={format!("{:.1}", 42.0 - h_ok)} width={format!("{:.1}", (w - 0.5).max(0.5))} height={format!("{h_ok:.1}")} />
                <rect class="bar-bad" x={format!("{x:.1}")} y={format!("{:.1}", 42.0 - h_ok - h_bad)} width={format!("{:.1}", (w - 0.5).max(0.5))} height={format!("{h_bad:.1}")} />
            </g> }
        })
        .collect();
    let (ok, bad) = o.links().fold((0, 0), |(a, b), (_, c)| (a + c.delivered, b + c.dropped));
    html! {
        <figure class="chart" id="chart-messages">
            <figcaption title="Messages delivered (blue) and dropped (red) over sim time">{format!("Messages: {ok} delivered · {bad} dropped")}</figcaption>
            <svg data-figure="messages" viewBox={format!("0 0 {W} 42")} preserveAspectRatio="none">{bars}</svg>
        </figure>
    }
}

fn links_grid(o: &Observed, n: u32) -> Html {
    let top = o.links().map(|(_, c)| c.delivered + c.dropped).max().unwrap_or(1).max(1) as f64;
    let cell = (W / f64::from(n + 1)).min(22.0);
    let size = cell * f64::from(n + 1);
    let mut cells = Vec::new();
    for i in 0..n {
        cells.push(html! { <text class="grid-label" x={format!("{:.1}", cell * (f64::from(i) + 1.5))} y={format!("{:.1}", cell * 0.7)}>{format!("n{i}")}</text> });
        cells.push(html! { <text class="grid-label" x={format!("{:.1}", cell * 0.5)} y={format!("{:.1}", cell * (f64::from(i) + 1.7))}>{format!("n{i}")}</text> });
    }
    for ((from, to), c) in o.links() {
        if from >= n || to >= n {
            continue;
        }
        let total = c.delivered + c.dropped;
        let shade = (total as f64 / top).sqrt();
        let dropped = if total == 0 { 0.0 } else { c.dropped as f64 / total as f64 };
        let fill = if dropped > 0.0 {
            format!("hsl(0 {:.0}% {:.0}%)", 40.0 + 50.0 * dropped, 80.0 - 30.0 * shade)
        } else {
            format!("hsl(220 70% {:.0}%)", 88.0 - 40.0 * shade)
        };
        cells.push(html! {
            <rect x={format!("{:.1}", cell * (f64::from(to) + 1.0))} y={format!("{:.1}", cell * (f64::from(from) + 1.0))} width={format!("{:.1}", cell - 1.0)} height={format!("{:.1}", cell - 1.0)} fill={fill}>
                <title>{format!("n{from} → n{to}: {} delivered, {} dropped", c.delivered, c.dropped)}</title>
            </rect>
        });
    }
    html! {
        <figure class="chart" id="chart-links">
            <figcaption title="Rows send, columns receive; darker is busier, red means drops">{"Messages per link (row → column)"}</figcaption>
            <svg class="grid" data-figure="links" viewBox={format!("0 0 {size:.1} {size:.1}")} style={format!("max-width:{:.0}px", size * 1.2)}>{ for cells }</svg>
        </figure>
    }
}

fn latency_chart(o: &Observed, ax: &Axis) -> Html {
    let all = MsSummary::of_us(o.commit_latency_us());
    let (p50, p99) = (all.summary.p50, all.summary.p99);
    let top = (p99 * 1.5).max(1.0);
    // Per column: p50 and p99 of the commits in it.
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); COLUMNS];
    for &(t, l) in o.commits.iter() {
        let i = ((ax.x(t) / W) * COLUMNS as f64) as usize;
        cols[i.min(COLUMNS - 1)].push(l as f64 / 1000.0);
    }
    for c in cols.iter_mut() {
        crate::stats::sort_f64(c);
    }
    let line = |p: f64| -> String {
        cols.iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| {
                let v = percentile(c, p).min(top);
                format!("{:.1},{:.1}", (i as f64 + 0.5) * W / COLUMNS as f64, 40.0 - v / top * 38.0)
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (l50, l99) = (line(50.0), line(99.0));
    html! {
        <figure class="chart" id="chart-latency">
            <figcaption title="From a leader accepting a client request to its commit; lines are p50 (green) and p99 (amber) per time slice">
                {format!("Commit latency: p50 {p50:.1} ms · p99 {p99:.1} ms ({} commits)", all.count)}
            </figcaption>
            <svg data-figure="commit-latency" viewBox={format!("0 0 {W} 40")} preserveAspectRatio="none">
                <line class="base" x1="0" y1="40" x2={W.to_string()} y2="40" />
                <polyline class="p99" points={l99} />
                <polyline class="p50" points={l50} />
            </svg>
        </figure>
    }
}

/// A drift, short: ppm when small, per cent when large.
fn drift_text(ppm: i64) -> String {
    if ppm.abs() >= 10_000 {
        format!("{:+}%", ppm as f64 / 10_000.0)
    } else {
        format!("{ppm:+}ppm")
    }
}

/// Lease intervals of every would-be leaseholder on one true-time axis,
/// each row labelled with the server's clock against true time.
fn leases_chart(pg: &Playground<Raft>, o: &Observed, ax: &Axis) -> Html {
    let sim = pg.sim();
    let n = sim.len();
    let Some(coverage) = o.lease_coverage(ax.end) else {
        return html! {
            <figure class="chart" id="chart-leases"><figcaption>{"Leases: off in this scenario (turn them on in Patterns, or set lease_drift_bound_ppm)"}</figcaption></figure>
        };
    };
    let row = 14.0;
    let label_w = 104.0;
    let scale = (W - label_w) / W;
    let height = row * f64::from(n) + 2.0;
    let rows: Html = (0..n)
        .map(|i| {
            let c = sim.clock(i);
            let y = row * f64::from(i) + 1.0;
            let ahead = (sim.local_time(i) - sim.now() as i64) as f64 / 1000.0;
            html! { <g>
                <text class="grid-label left" x="0" y={format!("{:.1}", y + 10.0)}>
                    {format!("n{i} {ahead:+.1}ms {}", drift_text(c.drift_ppm()))}
                    <title>{format!("n{i}'s clock reads {ahead:+.3} ms from true time, drifting {:+} ppm", c.drift_ppm())}</title>
                </text>
                <rect class="track" x={label_w.to_string()} y={format!("{y:.1}")} width={(W - label_w).to_string()} height={(row - 3.0).to_string()} />
            </g> }
        })
        .collect();
    let spans: Html = o
        .leases
        .iter()
        .filter(|s| s.node < n && s.from <= ax.end)
        .map(|s| {
            let x0 = label_w + ax.x(s.from) * scale;
            let x1 = label_w + ax.x(s.to) * scale;
            let y = row * f64::from(s.node) + 1.0;
            html! { <rect class="lease-span" x={format!("{x0:.1}")} y={format!("{y:.1}")} width={format!("{:.1}", (x1 - x0).max(1.0))} height={(row - 3.0).to_string()} fill={node_colour(s.node)}>
                <title>{format!("n{} believed it held the lease of term {} from {} to {} (true time)", s.node, s.term, ms(s.from), ms(s.to))}</title>
            </rect> }
        })
        .collect();
    // Overlaps between different servers' spans: what Lease Exclusivity forbids.
    let mut overlaps = Vec::new();
    let list: Vec<_> = o.leases.iter().copied().take(400).collect();
    for (k, a) in list.iter().enumerate() {
        for b in &list[k + 1..] {
            if a.node != b.node && a.from < b.to && b.from < a.to {
                let (x0, x1) = (label_w + ax.x(a.from.max(b.from)) * scale, label_w + ax.x(a.to.min(b.to)) * scale);
                overlaps.push(html! { <rect class="lease-overlap" x={format!("{x0:.1}")} y="0" width={format!("{:.1}", (x1 - x0).max(2.0))} height={format!("{height:.1}")}>
                    <title>{format!("n{} and n{} both believed they held a lease here", a.node, b.node)}</title></rect> });
            }
        }
    }
    let now_x = label_w + ax.x(ax.end) * scale;
    html! {
        <figure class="chart" id="chart-leases">
            <figcaption title="Each server's lease as it believed in it, placed on true time; red bands are overlaps">
                {format!("Leases on true time: some server held one {:.1}% of the time", coverage * 100.0)}
            </figcaption>
            <svg data-figure="leases" viewBox={format!("0 0 {W} {height:.1}")}>{rows}{spans}{ for overlaps }<line class="now" x1={format!("{now_x:.1}")} x2={format!("{now_x:.1}")} y1="0" y2={format!("{height:.1}")} /></svg>
        </figure>
    }
}

fn handovers(o: &Observed) -> Html {
    if o.handovers.is_empty() {
        return html! {};
    }
    let gaps = MsSummary::of_us(o.rotation_gap_us());
    let summary = if gaps.count == 0 {
        String::new()
    } else {
        format!(" · rotation gap mean {:.1} ms, max {:.1} ms", gaps.summary.mean, gaps.summary.max)
    };
    let len = o.handovers.len();
    let rows: Html = (len.saturating_sub(6)..len)
        .rev()
        .filter_map(|i| o.handovers.get(i))
        .map(|h| {
            html! { <li>{format!(
                "{} n{} → n{}{}: {}",
                ms(h.start),
                h.from,
                h.to,
                if h.rotation { " (rotation)" } else { "" },
                match (h.unavailable_us(), h.completed) {
                    (Some(u), true) => format!("{} without a leader taking writes", ms(u)),
                    (Some(u), false) => format!("failed; writes resumed after {}", ms(u)),
                    (None, _) => "in progress".to_string(),
                }
            )}</li> }
        })
        .collect();
    html! {
        <figure class="chart" id="chart-handovers">
            <figcaption title="Leadership hand-overs: the window from the leader refusing writes to a leader accepting them">{format!("Hand-overs: {len}{summary}")}</figcaption>
            <ul class="handovers">{rows}</ul>
        </figure>
    }
}

pub fn metrics_panel(pg: &Playground<Raft>) -> Html {
    let o = pg.observed();
    let ax = Axis { end: pg.now().max(1) };
    html! {
        <section class="panel metrics" aria-label="Metrics">
            <details open=true>
                <summary><h2 title="Charts over sim time, from 0 to now; `splitbrain run --json` prints the same figures">{"Metrics"}</h2></summary>
                <div class="metrics-grid">
                { leaders_chart(o, &ax) }
                { elections_chart(o, &ax) }
                { latency_chart(o, &ax) }
                { leases_chart(pg, o, &ax) }
                { handovers(o) }
                { messages_chart(o, &ax) }
                { links_grid(o, pg.sim().len()) }
                </div>
            </details>
        </section>
    }
}
