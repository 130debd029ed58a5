//! Leases with fencing tokens on the board view: the lock service (n0),
//! the resource (n1) and the clients, its settings form, status line and
//! inspector.

use crate::contract::Observer;
use crate::protocols::fencing::{exactly_once, fenced_writes, Fencing, FencingSpec, RESOURCE, SERVICE};
use crate::scenario::{LinkSpec, ProtocolSpec, Scenario};
use crate::sim::{NodeId, Sim};
use crate::viewmodel::playground::{Board, Knob, KnobKind, Playground};

/// Fencing as its face draws it.
pub mod seen {
    pub use crate::protocols::fencing::{Fencing, Msg, RESOURCE, SERVICE};
}

const KINDS: [(&str, &str); 7] = super::log_kinds("leases & writes");

const KNOBS: [Knob; 6] = [
    Knob { key: "lease_ms", label: "Lease ms", tip: "How long a lease lasts, by the lock service's clock", kind: KnobKind::Number },
    Knob { key: "work_ms", label: "Work ms", tip: "A client's work between deciding to write (while its lease looks valid) and writing", kind: KnobKind::Number },
    Knob { key: "tasks", label: "Tasks", tip: "Tasks to do, each one write with its own idempotency key (1 to 64)", kind: KnobKind::Number },
    Knob { key: "per_lease", label: "Per lease", tip: "Tasks a client does under one lease before it lets go", kind: KnobKind::Number },
    Knob { key: "retry_ms", label: "Retry ms", tip: "How long a client waits before asking for the lease again", kind: KnobKind::Number },
    Knob { key: "bug", label: "Bug", tip: "A deliberately broken variant: a resource that checks no tokens, or one that does a task again when it is sent again", kind: KnobKind::Choice(&["", "no_token_check", "no_idempotency"]) },
];

/// The tasks in a set, as "0–3, 5".
fn task_list(set: u64) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < 64 {
        if set >> k & 1 == 1 {
            let start = k;
            while k + 1 < 64 && set >> (k + 1) & 1 == 1 {
                k += 1;
            }
            out.push(if k > start { format!("{start}–{k}") } else { start.to_string() });
        }
        k += 1;
    }
    if out.is_empty() {
        "none".into()
    } else {
        out.join(", ")
    }
}

impl Board for Fencing {
    const MAX_VIEW_NODES: u32 = 12;
    const LOG_KINDS: &'static [(&'static str, &'static str)] = &KINDS;
    const KNOBS: &'static [Knob] = &KNOBS;
    const PROPERTIES: &'static [(&'static str, &'static str, &'static str)] = &[
        (
            fenced_writes::PROPERTY,
            fenced_writes::REFERENCE,
            "The resource never accepts a write made under a lease that a newer lease has superseded.",
        ),
        (
            exactly_once::PROPERTY,
            exactly_once::REFERENCE,
            "Across failovers of the lease, the resource does no task twice.",
        ),
    ];

    /// The lock service, the resource and three clients sharing twelve tasks.
    fn default_scenario() -> Scenario {
        Scenario {
            name: "fencing".into(),
            protocol: ProtocolSpec::Fencing(FencingSpec::default()),
            network: LinkSpec { latency_ms: [5.0, 10.0], ..LinkSpec::default() },
            duration_ms: crate::scenario::Millis::from_ms(5_000),
            ..Scenario::raft(5, 1)
        }
    }

    fn summary(sim: &Sim<Fencing>) -> String {
        let holder = <Fencing as crate::contract::Runnable>::leader(sim);
        let done = sim.node(RESOURCE).and_then(Fencing::tasks_done).unwrap_or(0).count_ones();
        let tasks = sim.config().tasks;
        let lease = match holder.and_then(|n| Some((n, sim.node(n)?.lease()?))) {
            Some((n, t)) => format!("n{n} holds #{t}"),
            None => "no lease held".into(),
        };
        format!("{lease} · {done} of {tasks} tasks done")
    }

    fn figures(pg: &Playground<Fencing>) -> Vec<(&'static str, f64)> {
        let f = pg.observed().figures(pg.sim());
        let c = f.counts;
        vec![
            ("leases granted", c.leases as f64),
            ("tasks done", c.tasks_done as f64),
            ("repeats not done again", c.repeats as f64),
            ("late writes refused", c.refused as f64),
            ("all tasks done at (ms)", f.all_done_ms.unwrap_or(f64::NAN)),
        ]
    }

    fn inspect(sim: &Sim<Fencing>, n: NodeId) -> Vec<(&'static str, String)> {
        let Some(node) = sim.node(n) else { return Vec::new() };
        match n {
            SERVICE => vec![
                ("role", "lock service: one lease at a time".into()),
                ("last token", format!("#{}", node.token().unwrap_or(0))),
            ],
            RESOURCE => vec![
                ("role", "the shared resource (storage)".into()),
                ("newest token", format!("#{}", node.token().unwrap_or(0))),
                ("tasks done", task_list(node.tasks_done().unwrap_or(0))),
            ],
            _ => vec![
                ("role", "client".into()),
                ("believes it holds", node.lease().map_or("no lease".into(), |t| format!("lease #{t}"))),
            ],
        }
    }
}

#[cfg(test)]
#[test]
fn task_lists_read_as_ranges() {
    assert_eq!(task_list(0), "none");
    assert_eq!(task_list(0b1011_1101), "0, 2–5, 7");
    assert_eq!(task_list(u64::MAX), "0–63");
}
