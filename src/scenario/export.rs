//! A run's trace in forms other tools open:
//!
//! - **JSON**: one object per event, in trace order, with its time, kind,
//!   nodes and text, and for a message its route, id and kind.
//! - **ShiViz** (Beschastnikh et al.): a log file whose first line is the
//!   parsing regular expression (ShiViz's default, [`SHIVIZ_REGEX`]) and
//!   whose second (the delimiter of several executions) is empty; then
//!   each event on two lines, its text, and its host with its vector
//!   clock. A send ticks its sender's clock and travels with the message;
//!   a delivery merges it into the receiver's; every other event of a node
//!   ticks its own. Faults that name no single node (a partition, healing
//!   everything) belong to no host and are left out; a drop is a moment of
//!   its sender's.
//! - **Perfetto** (Chrome's trace-event JSON): one track per node, each
//!   event a slice of 1 µs on its node's track, each delivered message a
//!   flow from its send to its delivery, drops and faults as instants.

use super::{visit, Logged, Registered, Runner, Scenario, ScenarioError, Visit};
use crate::scenario::Hop;
use crate::sim::Time;
use std::collections::BTreeMap;
use std::fmt::Write;

/// ShiViz's default parser: the event's text, then its host and clock.
pub const SHIVIZ_REGEX: &str = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})";
/// The most events an export holds: a longer run is refused with a message
/// that says to end it earlier.
pub const MAX_EXPORT_EVENTS: usize = 1_000_000;

/// The forms a trace exports to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    Json,
    Shiviz,
    Perfetto,
}

impl TraceFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(TraceFormat::Json),
            "shiviz" => Some(TraceFormat::Shiviz),
            "perfetto" => Some(TraceFormat::Perfetto),
            _ => None,
        }
    }

    /// A file name's extension for it.
    pub fn extension(self) -> &'static str {
        match self {
            TraceFormat::Json => "trace.json",
            TraceFormat::Shiviz => "shiviz.log",
            TraceFormat::Perfetto => "perfetto.json",
        }
    }
}

/// Runs `scenario` to `until` (its end if `None`) and exports its trace.
pub fn export_run(scenario: Scenario, until: Option<Time>, format: TraceFormat) -> Result<String, ScenarioError> {
    struct Export(Option<Time>, TraceFormat);
    impl Visit for Export {
        type Output = Result<String, ScenarioError>;
        fn visit<P: Registered>(self, scenario: Scenario) -> Self::Output {
            let nodes = scenario.nodes;
            let end = self.0.unwrap_or(scenario.duration_ms.us()).min(scenario.duration_ms.us());
            let mut r: Runner<P> = Runner::build(scenario)?;
            r.record(true);
            let mut events = Vec::new();
            // In slices, so that a run too long to export is refused
            // before it fills the memory.
            while r.sim().now() < end && r.sim().halted().is_none() {
                r.run_until(end.min(r.sim().now() + 1_000_000));
                events.extend(r.take_log());
                if events.len() > MAX_EXPORT_EVENTS {
                    return Err(ScenarioError::Invalid(format!(
                        "the trace to {} ms has more than {MAX_EXPORT_EVENTS} events; export a shorter stretch (--until-ms)",
                        r.sim().now() / 1000
                    )));
                }
            }
            events.extend(r.take_log());
            Ok(export(&events, nodes, self.1))
        }
    }
    visit(scenario, Export(until, format))
}

/// The events (in trace order) of a run of `nodes` nodes, exported.
pub fn export(events: &[Logged], nodes: u32, format: TraceFormat) -> String {
    match format {
        TraceFormat::Json => json_rows(events),
        TraceFormat::Shiviz => shiviz(events, nodes),
        TraceFormat::Perfetto => perfetto(events, nodes),
    }
}

/// A JSON string.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn json_rows(events: &[Logged]) -> String {
    // An array with one event a line: easy to read, and to grep.
    let mut out = String::from("[\n");
    for (i, e) in events.iter().enumerate() {
        let _ = write!(
            out,
            r#"{{"index":{},"time_us":{},"kind":{},"nodes":{:?},"text":{}"#,
            e.index,
            e.time,
            q(e.kind),
            e.nodes(),
            q(e.text())
        );
        if let Some(w) = e.wire {
            let _ = write!(out, r#","from":{},"to":{},"id":{}"#, w.from, w.to, w.id);
            if !w.kind.is_empty() {
                let _ = write!(out, r#","message":{}"#, q(w.kind));
            }
            match w.hop {
                Hop::Send | Hop::Dup => {
                    let _ = write!(out, r#","due_us":{}"#, w.due);
                }
                Hop::Drop(why) => {
                    let _ = write!(out, r#","reason":{}"#, q(why));
                }
                Hop::Deliver => {}
            }
        }
        out.push_str(if i + 1 < events.len() { "},\n" } else { "}\n" });
    }
    out.push_str("]\n");
    out
}

/// The node an event happens at, for the ShiViz log: a message's sender
/// for its send and drop, its receiver for its delivery; a node's own
/// events; the first node a fault names (a cut link's sender); none for a
/// duplicate (the network's) or a fault that names no single node.
fn host(e: &Logged) -> Option<u32> {
    match e.wire.map(|w| (w.hop, w)) {
        Some((Hop::Dup, _)) => None,
        Some((Hop::Deliver, w)) => Some(w.to),
        Some((_, w)) => Some(w.from),
        None => match e.nodes() {
            [n] => Some(*n),
            [a, _] if e.kind == "fault" => Some(*a),
            _ => None,
        },
    }
}

fn shiviz(events: &[Logged], nodes: u32) -> String {
    let mut out = format!("{SHIVIZ_REGEX}\n\n");
    let mut clocks: Vec<Vec<u64>> = vec![vec![0; nodes as usize]; nodes as usize];
    // The clock each message carries, from its send.
    let mut carried: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for e in events {
        let Some(h) = host(e).filter(|h| *h < nodes) else { continue };
        let h = h as usize;
        if let Some(sent) = e.wire.filter(|w| w.hop == Hop::Deliver).and_then(|w| carried.get(&w.id)) {
            for (mine, theirs) in clocks[h].iter_mut().zip(sent) {
                *mine = (*mine).max(*theirs);
            }
        }
        clocks[h][h] += 1;
        if let Some(w) = e.wire.filter(|w| w.hop == Hop::Send) {
            carried.insert(w.id, clocks[h].clone());
        }
        let clock: Vec<String> =
            clocks[h].iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, c)| format!(r#""n{i}":{c}"#)).collect();
        let _ = writeln!(
            out,
            "{}.{:06} s: {}\nn{h} {{{}}}",
            e.time / 1_000_000,
            e.time % 1_000_000,
            e.text(),
            clock.join(",")
        );
    }
    out
}

fn perfetto(events: &[Logged], nodes: u32) -> String {
    let mut out = String::from(r#"{"displayTimeUnit":"ms","traceEvents":["#);
    out.push_str(r#"{"ph":"M","pid":1,"name":"process_name","args":{"name":"splitbrain"}}"#);
    for n in 0..nodes {
        let t = n + 1;
        let _ = write!(out, r#",{{"ph":"M","pid":1,"tid":{t},"name":"thread_name","args":{{"name":"n{n}"}}}}"#);
        let _ =
            write!(out, r#",{{"ph":"M","pid":1,"tid":{t},"name":"thread_sort_index","args":{{"sort_index":{n}}}}}"#);
    }
    // Which sends were delivered, so that only those start a flow.
    let delivered: std::collections::BTreeSet<u64> =
        events.iter().filter_map(|e| e.wire.filter(|w| w.hop == Hop::Deliver).map(|w| w.id)).collect();
    for e in events {
        let args = format!(r#"{{"text":{},"index":{}}}"#, q(e.text()), e.index);
        let ts = e.time;
        let mut slice = |tid: u32, name: String, cat: &str| {
            let _ = write!(
                out,
                r#",{{"ph":"X","pid":1,"tid":{tid},"ts":{ts},"dur":1,"name":{},"cat":"{cat}","args":{args}}}"#,
                q(&name)
            );
        };
        match e.wire {
            Some(w) if w.hop == Hop::Send => {
                slice(w.from + 1, format!("send {}", w.kind), "message");
                if delivered.contains(&w.id) {
                    let _ = write!(
                        out,
                        r#",{{"ph":"s","pid":1,"tid":{},"ts":{ts},"id":{},"name":{},"cat":"message"}}"#,
                        w.from + 1,
                        w.id,
                        q(w.kind)
                    );
                }
            }
            Some(w) if w.hop == Hop::Deliver => {
                slice(w.to + 1, format!("deliver {}", w.kind), "message");
                let _ = write!(
                    out,
                    r#",{{"ph":"f","bp":"e","pid":1,"tid":{},"ts":{ts},"id":{},"name":{},"cat":"message"}}"#,
                    w.to + 1,
                    w.id,
                    q(w.kind)
                );
            }
            Some(w) if matches!(w.hop, Hop::Drop(_)) => {
                let name = q(&format!("dropped {}", w.kind));
                let _ = write!(
                    out,
                    r#",{{"ph":"i","s":"t","pid":1,"tid":{},"ts":{ts},"name":{name},"cat":"drop","args":{args}}}"#,
                    w.to + 1
                );
            }
            Some(_) => {}
            None => match host(e) {
                Some(n) if n < nodes => {
                    let _ = write!(
                        out,
                        r#",{{"ph":"i","s":"t","pid":1,"tid":{},"ts":{ts},"name":{},"cat":{},"args":{args}}}"#,
                        n + 1,
                        q(e.kind),
                        q(e.kind)
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        r#",{{"ph":"i","s":"g","pid":1,"tid":0,"ts":{ts},"name":{},"cat":{},"args":{args}}}"#,
                        q(e.text()),
                        q(e.kind)
                    );
                }
            },
        }
    }
    out.push_str("]}\n");
    out
}
