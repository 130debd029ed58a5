//! The store's panels: the keys × replicas table, the client operations as
//! they happen, the checked properties, and the charts over time.

use super::panels::format_time;
use super::store_face::value_label;
use crate::sim::NodeStatus;
use crate::sim::{NodeId, Time};
use crate::viewmodel::playground::{Gesture, Playground};
use crate::viewmodel::seen::store::VersionVector;
use crate::viewmodel::seen::store::{crdt_value, StoreConfig, StoreNode};
use crate::viewmodel::seen::store::{Sample, Served, Side};
use yew::prelude::*;

/// Rows the table shows at most (divergent keys first).
const TABLE_KEYS: usize = 12;
/// Operations the stream shows.
const STREAM: usize = 14;

fn vv(v: &VersionVector) -> String {
    let parts: Vec<String> = v.iter().map(|(n, c)| format!("n{n}:{c}")).collect();
    format!("[{}]", parts.join(" "))
}

/// Columns of the full keys × nodes table at most; a bigger cluster shows
/// each key's own N replicas instead (its preference list), so every
/// replica of every key is on screen whatever the cluster's size.
const FULL_TABLE_NODES: u32 = 8;

/// How long a key's replicas have disagreed, as a person reads it: a write
/// still on its way shows as milliseconds, not as "0.0 s".
fn apart(us: Time) -> String {
    if us < 1_000_000 {
        format!("apart {} ms", us / 1000)
    } else {
        format!("apart {:.1} s", us as f64 / 1e6)
    }
}

/// One cell: what node `i` holds for key `k`. `behind`: a home replica
/// that lacks a version another home replica holds.
fn cell(
    pg: &Playground<StoreNode>,
    cfg: &StoreConfig,
    k: u32,
    i: NodeId,
    is_home: bool,
    behind: bool,
    named: bool,
) -> Html {
    let sim = pg.sim();
    let held = sim.node(i).and_then(|s| s.siblings(k));
    let hinted = sim.node(i).is_some_and(|s| s.hints().any(|((_, key), _)| *key == k));
    let (text, title, many) = match held {
        Some(s) if !s.is_empty() => {
            // A CRDT's siblings read as one value: their join.
            let values: Html = match crdt_value(cfg, s.versions()) {
                Some(c) => html! { <span class="v crdt">{c.describe(value_label)}</span> },
                None => s.values().map(|v| html! { <span class="v">{value_label(v.value)}</span> }).collect(),
            };
            let pasts: Vec<String> = s
                .versions()
                .iter()
                .map(|v| format!("({},{}) after {}", v.dot.node, v.dot.counter, vv(&v.past)))
                .collect();
            (values, format!("n{i} holds k{k}: {}", pasts.join("; ")), s.len() > 1)
        }
        _ if sim.node(i).is_none() => (html! {"down"}, format!("n{i} is down"), false),
        _ => (html! {"–"}, format!("n{i} holds nothing for k{k}"), false),
    };
    let title =
        if behind { format!("{title} (behind: another replica holds a version this one lacks)") } else { title };
    html! {
        <td class={classes!((!is_home).then_some("away"), many.then_some("sib"), hinted.then_some("hinted"), behind.then_some("behind"))}
            title={title} data-node={i.to_string()}>
            { if named { html!{ <span class="who">{format!("n{i}")}</span> } } else { html!{} } }
            { text }
            { if many { html!{ <span class="sib-badge">{format!("{}×", held.map_or(0, |s| s.len()))}</span> } } else { html!{} } }
            { if hinted { html!{ <span class="hint-mark" title="held here as a hint">{"h"}</span> } } else { html!{} } }
        </td>
    }
}

/// Keys × replicas: each cell the versions a node holds (siblings marked),
/// grey where the node is not one of the key's replicas, a row in red
/// while its replicas disagree, and the replicas that are behind outlined.
/// Up to [`FULL_TABLE_NODES`] nodes, a column per node; past that, a
/// column per replica of the key (first, second, ...), each cell naming
/// its node.
pub fn replicas(pg: &Playground<StoreNode>) -> Html {
    let sim = pg.sim();
    let n = sim.len();
    let Some(first) = (0..n).find_map(|i| sim.node(i)) else { return html! {} };
    let cfg = first.config();
    let full = n <= FULL_TABLE_NODES;
    let key_count = cfg.workload.as_ref().map_or(8, |w| w.keys);
    let divergent_since = |k| pg.observed().divergent_since(k);
    let mut keys: Vec<u32> = (0..key_count.min(2_000)).collect();
    keys.sort_by_key(|k| (divergent_since(*k).is_none(), *k));
    keys.truncate(TABLE_KEYS);
    let now = sim.now();
    let rows: Html = keys
        .iter()
        .map(|&k| {
            let home = first.ring().preference_list(k, cfg.n);
            let since = divergent_since(k);
            // What the home replicas hold together: a replica without all
            // of it is behind (a write or a repair has not reached it).
            // Each home replica's holdings, read once (only while apart).
            let held: Vec<(NodeId, VersionVector)> = match since {
                Some(_) => home
                    .iter()
                    .filter_map(|&h| sim.node(h).map(|s| (h, s.siblings(k).map(|v| v.context()).unwrap_or_default())))
                    .collect(),
                None => Vec::new(),
            };
            let mut union = VersionVector::default();
            held.iter().for_each(|(_, vv)| union.join(vv));
            let behind = |i: NodeId| held.iter().any(|(h, vv)| *h == i && *vv != union);
            let cells: Html = if full {
                (0..n).map(|i| cell(pg, cfg, k, i, home.contains(&i), behind(i), false)).collect()
            } else {
                home.iter().map(|&i| cell(pg, cfg, k, i, true, behind(i), true)).collect()
            };
            html! {
                <tr class={classes!(since.is_some().then_some("diverged"))} data-key={k.to_string()}>
                    <th title={format!("replicas {}", home.iter().map(|h| format!("n{h}")).collect::<Vec<_>>().join(", "))}>
                        {format!("k{k}")}{ for since.map(|s| html!{ <small>{apart(now - s)}</small> }) }
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect();
    let head: Html = if full {
        (0..n).map(|i| html! { <th>{format!("n{i}")}</th> }).collect()
    } else {
        (1..=cfg.n)
            .map(|r| html! { <th title="The key's replicas in preference order">{format!("replica {r}")}</th> })
            .collect()
    };
    html! {
        <section class="panel replicas" aria-label="Keys and replicas">
            <h2 title="What each node holds for each key. Grey: not one of the key's N replicas. Red rows: the replicas disagree; an outlined cell is a replica that is behind. 2×: siblings. h: held as a hint">{"Keys × replicas"}</h2>
            <div class="table-wrap">
                <table id="replica-table" class={classes!((!full).then_some("by-replica"))}>
                    <thead><tr><th></th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The selected node: its state, the keys it holds (siblings first), the
/// hints it keeps for others, and its requests in progress.
pub fn inspector(pg: &Playground<StoreNode>, dispatch: &Callback<Gesture>) -> Html {
    let sim = pg.sim();
    let Some(n) = pg.selected.filter(|n| *n < sim.len()) else {
        return super::panels::empty_inspector();
    };
    let close = super::send(dispatch, Gesture::Select(None));
    let status = match sim.status(n) {
        NodeStatus::Up => "up",
        NodeStatus::Paused => "paused",
        NodeStatus::Crashed => "crashed (its disk keeps its data and hints)",
    };
    let local = sim.local_time(n);
    let clock = format!(
        "{:+.3} ms from true time, drift {:+} ppm",
        (local - sim.now() as i64) as f64 / 1000.0,
        sim.clock(n).drift_ppm()
    );
    let body = match sim.node(n) {
        None => html! {},
        Some(s) => {
            let mut keys: Vec<(u32, usize)> = s.keys().map(|(k, v)| (*k, v.len())).collect();
            keys.sort_by_key(|(k, sib)| (std::cmp::Reverse(*sib), *k));
            let siblings = keys.iter().filter(|(_, sib)| *sib > 1).count();
            let shown: Html = keys
                .iter()
                .take(24)
                .map(|(k, sib)| html! { <span class={classes!("cell", (*sib > 1).then_some("sib"))} title={format!("k{k}: {sib} version(s)")}>{format!("k{k}")}{ if *sib > 1 { format!(" {sib}×") } else { String::new() } }</span> })
                .collect();
            let hints: Vec<String> = s.hints().map(|((home, k), _)| format!("k{k} for n{home}")).collect();
            html! {
                <>
                    <dt title="Keys this node stores as one of their replicas">{"keys held"}</dt>
                    <dd id="inspect-keys">{format!("{} ({} with siblings)", keys.len(), siblings)}</dd>
                    <dt title="Writes held for home nodes this node could not reach (hinted handoff)">{"hints"}</dt>
                    <dd id="inspect-hints">{ if hints.is_empty() { "none".to_string() } else { hints.join(", ") } }</dd>
                    <dt title="Requests this node coordinates that have not finished">{"in progress"}</dt>
                    <dd id="inspect-pending">{s.pending_requests()}</dd>
                    <dt>{"held"}</dt><dd class="log-cells">{shown}{ if keys.len() > 24 { html!{ <span class="cell elided">{"…"}</span> } } else { html!{} } }</dd>
                </>
            }
        }
    };
    html! {
        <section class="panel inspector" aria-label="Inspector">
            <h2>{format!("n{n}")}<button class="close" onclick={close} title="Close the inspector">{"✕"}</button></h2>
            <dl>
                <dt>{"status"}</dt><dd id="inspect-status">{status}</dd>
                <dt title="This node's clock next to true time">{"clock"}</dt><dd id="inspect-clock">{clock}</dd>
                {body}
            </dl>
        </section>
    }
}

/// The client operations, newest first, stale reads flagged.
pub fn operations(pg: &Playground<StoreNode>) -> Html {
    let o = pg.observed();
    let crdt = (0..pg.sim().len()).find_map(|n| pg.sim().node(n)).is_some_and(|s| s.config().resolution.is_crdt());
    let len = o.ops.len();
    let rows: Html = (len.saturating_sub(STREAM)..len)
        .rev()
        .filter_map(|i| o.ops.get(i))
        .map(|op| {
            let who = match op.client {
                Some(c) => format!("c{c}@n{}", op.node),
                None => format!("you@n{}", op.node),
            };
            let what = match op.write {
                Some(_) if crdt => format!("update k{}", op.key),
                Some(v) => format!("write k{} = {}", op.key, value_label(v)),
                None if op.counter.is_some() => format!("read k{} → {}", op.key, op.counter.unwrap_or(0)),
                None if op.ret.is_some() && op.values.len() > 4 => {
                    format!("read k{} → {} values", op.key, op.values.len())
                }
                None if op.ret.is_some() => {
                    let vals: Vec<String> = op.values.iter().map(|v| value_label(*v)).collect();
                    format!("read k{} → {}", op.key, if vals.is_empty() { "nothing".into() } else { vals.join(" | ") })
                }
                None => format!("read k{}", op.key),
            };
            let (status, class) = match (op.ret, op.failed) {
                (Some(r), _) => (format!("✓ {}", format_time(r - op.call)), "ok"),
                (None, true) => ("✗ failed".to_string(), "failed"),
                (None, false) => ("…".to_string(), "open"),
            };
            let side = match op.side {
                Side::Connected => "",
                Side::Majority => "majority side",
                Side::Minority => "minority side",
            };
            html! {
                <li key={op.id} class={classes!("op", class, op.stale.then_some("stale"))}>
                    <span class="t">{format_time(op.call)}</span>
                    <span class="who">{who}</span>
                    <span class="x">{what}
                        { if op.compensated > 0 { html!{ <span class="comp-badge" title="This buyer found the item oversold and made good the orders beyond the stock">{format!("compensated {}", op.compensated)}</span> } } else { html!{} } }
                        { if op.stale { html!{ <span class="stale-badge" title="A write was acknowledged before this read began, and the read returned neither it nor any version written over it">{"stale"}</span> } } else { html!{} } }
                    </span>
                    <span class="side">{side}</span>
                    <span class="st">{status}</span>
                </li>
            }
        })
        .collect();
    html! {
        <section class="panel ops" aria-label="Client operations">
            <h2 title="Every client operation as the client saw it; the linearizability checker reads the same history">{"Client operations"}</h2>
            <ol id="op-stream" class="event-list" tabindex="0" aria-label="Client operations">{rows}</ol>
        </section>
    }
}

const PROPERTIES: [(&str, &str, &str); 3] = [
    ("No Lost Write", "Dynamo §4.4; DVV §5", "A replica drops a version only when a version it holds has it in its past (not checked under last-writer-wins, where lost writes are counted instead)."),
    ("Causality", "DVV §3", "A new version's past is exactly what its client read: it never dominates a write its client had not seen."),
    ("Convergence", "Dynamo §4.7; Vogels 2009", "Once faults heal and writes stop, every replica of every key holds the same versions within the stated bound (needs anti-entropy)."),
];

pub fn invariants(pg: &Playground<StoreNode>) -> Html {
    let cfg = (0..pg.sim().len()).find_map(|n| pg.sim().node(n)).map(|s| s.config().clone());
    let lww = cfg.as_ref().is_some_and(|c| c.resolution == crate::viewmodel::seen::store::Resolution::Lww);
    let no_repair = cfg.as_ref().is_some_and(|c| c.anti_entropy_us.is_none());
    let lost = pg.observed().counts.lost_writes;
    let rows: Html = PROPERTIES
        .iter()
        .map(|(name, reference, statement)| {
            let failed = pg.failed_named(name).map(|v| v.detail.as_str());
            let unchecked = match *name {
                "No Lost Write" if lww => {
                    Some(format!("not checked under last-writer-wins: {lost} acknowledged writes lost so far"))
                }
                "Convergence" if no_repair => {
                    Some("not checked: anti-entropy is off, so there is no bound".to_string())
                }
                _ => None,
            };
            super::panels::property_row(name, reference, statement, failed, unchecked)
        })
        .collect();
    super::panels::safety_panel(rows)
}

const W: f64 = 320.0;
const H: f64 = 44.0;

/// A number as an axis shows it: whole below 10,000, then 12k, 1.5M.
fn axis_number(x: f64) -> String {
    match x {
        x if x >= 1e6 => format!("{:.1}M", x / 1e6),
        x if x >= 1e4 => format!("{:.0}k", x / 1e3),
        x if x.fract() == 0.0 => format!("{x:.0}"),
        x => format!("{x:.1}"),
    }
}

/// A line over the series (`f` of each sample), with its axes' values: the
/// top of the scale, and the time span.
fn spark(series: &[Sample], end: Time, f: impl Fn(&Sample) -> f64, class: &str, title: String) -> Html {
    let max = series.iter().map(&f).fold(0.0, f64::max).max(1.0);
    let pts: Vec<String> = series
        .iter()
        .map(|s| format!("{:.1},{:.1}", s.t as f64 / end.max(1) as f64 * W, H - 2.0 - f(s) / max * (H - 6.0)))
        .collect();
    html! {
        <div class="spark-box">
            <span class="y-top" title="the top of the scale">{axis_number(max)}</span>
            <svg class={classes!("spark", class.to_string())} data-figure={match class { "ok" => "answered", "bad" => "failed", "warn" => "stale-reads", _ => "siblings" }} viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none">
                <polyline points={pts.join(" ")} />
                <title>{title}</title>
            </svg>
            <span class="x-span"><span>{"0 s"}</span><span>{format!("{:.1} s", end as f64 / 1e6)}</span></span>
        </div>
    }
}

fn served(s: &Served) -> String {
    match s.fraction() {
        Some(f) => format!("{:.0}% of {}", f * 100.0, s.invoked),
        None => "–".into(),
    }
}

/// Availability, staleness, siblings, divergence and repair, over time.
pub fn metrics(pg: &Playground<StoreNode>) -> Html {
    let o = pg.observed();
    let c = &o.counts;
    let series: Vec<Sample> = o.series.iter().copied().collect();
    let end = pg.now().max(1);
    let (oldest, divergent) = o.divergence(pg.now());
    // Per-interval rates from the cumulative counters.
    let delta = |f: fn(&Sample) -> u64| -> Vec<Sample> {
        let mut prev = 0;
        series
            .iter()
            .map(|s| {
                let v = f(s);
                let d = v - prev.min(v);
                prev = v;
                Sample { answered: d, ..*s }
            })
            .collect()
    };
    let answered = delta(|s| s.answered);
    let failed = delta(|s| s.failed);
    html! {
        <section class="panel metrics store-metrics" aria-label="Store metrics">
            <h2 title="Measured from the trace: the same numbers splitbrain run prints">{"Metrics"}</h2>
            <dl class="figures">
                <dt title="Requests answered, by where their coordinator stood">{"answered"}</dt>
                <dd id="m-availability">{format!("connected {} · majority side {} · minority side {}", served(&c.connected), served(&c.majority_side), served(&c.minority_side))}</dd>
                <dt title="Reads that missed the newest write acknowledged before they began">{"stale reads"}</dt>
                <dd id="m-stale">{format!("{} of {}", c.stale_reads, c.reads)}</dd>
                <dt title="Acknowledged writes that last-writer-wins later dropped">{"lost writes"}</dt>
                <dd id="m-lost">{format!("{} of {}", c.lost_writes, c.writes_acked)}</dd>
                if c.compensations > 0 {
                    <dt title="Inventory orders beyond the stock, refunded or back-ordered once both sides' orders met (each counted once)">{"compensations"}</dt>
                    <dd id="m-compensations">{format!("{} oversold orders made good", c.compensations)}</dd>
                }
                <dt title="Keys whose replicas disagree now, and for how long the oldest has">{"divergence"}</dt>
                <dd id="m-divergence">{format!("{divergent} keys; oldest {}", format_time(oldest))}</dd>
                <dt title="Bytes sent to repair replicas: read repair, hinted handoff, Merkle anti-entropy">{"repair"}</dt>
                <dd id="m-repair">{format!("{} B in {} messages; anti-entropy {} B against {} B for full exchanges", c.repair_bytes(), c.repair_messages(), c.sync_bytes, c.sync_full_bytes)}</dd>
            </dl>
            <h3>{"requests answered per 20 ms"}</h3>
            { spark(&answered, end, |s| s.answered as f64, "ok", "requests answered per 20 ms".into()) }
            <h3>{"requests failed per 20 ms"}</h3>
            { spark(&failed, end, |s| s.answered as f64, "bad", "requests failed per 20 ms".into()) }
            <h3>{"stale reads (cumulative)"}</h3>
            { spark(&series, end, |s| s.stale_reads as f64, "warn", format!("{} stale reads", c.stale_reads)) }
            <h3>{"replica-keys with siblings"}</h3>
            { spark(&series, end, |s| f64::from(s.sibling_keys), "sib", format!("at most {}", c.max_sibling_keys)) }
            <h3>{"oldest divergence (ms)"}</h3>
            { spark(&series, end, |s| s.oldest_divergence_us as f64 / 1000.0, "warn", "age of the oldest disagreement between replicas".into()) }
            <h3>{"repair bytes (cumulative)"}</h3>
            { spark(&series, end, |s| s.repair_bytes as f64, "repair", format!("{} B", c.repair_bytes())) }
        </section>
    }
}
