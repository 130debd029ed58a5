//! The worker (gloo-worker) of the Experiments and Find a bug panels:
//! runs an experiment ([`Run`]) or a hunt for a bug ([`Hunt`]) off the
//! page's thread in slices of about [`SLICE_MS`], posting progress after
//! each, and yields between slices (a timer, not a microtask) so that a
//! Cancel sent meanwhile is read before the next slice.
//!
//! Trunk builds it as its own wasm (`splitbrain-lab`, at opt-level 3),
//! which the page fetches only when a panel first opens.

use crate::experiments::lab::{Request, Run};
use crate::search::hunt::{Hunt, HuntProgress, HuntRequest, Hunted, ZooEntry};
use gloo::worker::{Codec, HandlerId, Worker, WorkerScope};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// How long one slice of trials runs before the worker reports and yields.
pub const SLICE_MS: f64 = 50.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToLab {
    Start(Request),
    Hunt(HuntRequest),
    /// The bug zoo's list, which the worker keeps.
    Zoo,
    /// A run's trace to `until_us`, exported ("json", "shiviz", "perfetto").
    Trace {
        scenario: String,
        until_us: u64,
        format: String,
    },
    Cancel,
}

/// A finished (or cancelled) run: everything the panel shows and exports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finished {
    pub done: u32,
    pub total: u32,
    /// Wall time in the worker, ms.
    pub ms: f64,
    pub cancelled: bool,
    pub command: String,
    pub report: String,
    pub export_json: String,
    pub csv: String,
    pub cdf_svg: String,
    pub histogram_svg: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromLab {
    Progress {
        done: u32,
        total: u32,
        ms: f64,
    },
    Finished(Box<Finished>),
    Refused(String),
    /// A hunt's progress, and wall time in the worker (ms).
    Hunting {
        progress: HuntProgress,
        ms: f64,
    },
    Hunted {
        hunted: Box<Hunted>,
        ms: f64,
        cancelled: bool,
    },
    Zoo(Vec<ZooEntry>),
    /// An exported trace and its file name.
    Traced {
        text: String,
        file: String,
    },
}

/// Messages as JSON text: the same serde the rest of the app uses, so the
/// page's bundle carries no second format.
pub struct Json;

impl Codec for Json {
    fn encode<I: Serialize>(input: I) -> JsValue {
        JsValue::from_str(&serde_json::to_string(&input).expect("lab messages serialise"))
    }

    fn decode<O: for<'de> Deserialize<'de>>(input: JsValue) -> O {
        // Through a JSON value, as scenarios are read: the page then carries
        // one kind of typed reader, the value's, rather than two.
        serde_json::from_str::<serde_json::Value>(&input.as_string().unwrap_or_default())
            .and_then(serde_json::from_value)
            .expect("lab messages are our own JSON")
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// What the worker is doing.
enum Task {
    Experiment(Box<Run>),
    Hunt(Hunt),
}

pub struct Lab {
    run: Option<(Task, HandlerId, f64)>,
}

pub enum Slice {
    Next,
}

impl Lab {
    fn finish(&mut self, scope: &WorkerScope<Self>, cancelled: bool) {
        let Some((task, who, started)) = self.run.take() else { return };
        let ms = now_ms() - started;
        let run = match task {
            Task::Experiment(run) => run,
            Task::Hunt(hunt) => {
                let hunted = Box::new(hunt.finish());
                return scope.respond(who, FromLab::Hunted { hunted, ms, cancelled });
            }
        };
        let pictures = run.pictures();
        scope.respond(
            who,
            FromLab::Finished(Box::new(Finished {
                done: run.done(),
                total: run.total(),
                ms,
                cancelled,
                command: run.command(),
                report: run.report_json(),
                export_json: run.export_json(),
                csv: run.csv(),
                cdf_svg: pictures.cdf.svg(),
                histogram_svg: pictures.histogram.svg(),
            })),
        );
    }

    fn schedule(scope: &WorkerScope<Self>) {
        let scope = scope.clone();
        gloo::timers::callback::Timeout::new(0, move || scope.send_message(Slice::Next)).forget();
    }
}

impl Worker for Lab {
    type Message = Slice;
    type Input = ToLab;
    type Output = FromLab;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        Lab { run: None }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, _msg: Slice) {
        let Some((task, who, started)) = self.run.as_mut() else { return };
        let until = now_ms() + SLICE_MS;
        let (who, ms) = (*who, now_ms() - *started);
        let going = match task {
            Task::Experiment(run) => {
                while run.step() && now_ms() < until {}
                let going = !run.finished();
                if going {
                    scope.respond(who, FromLab::Progress { done: run.done(), total: run.total(), ms });
                }
                going
            }
            Task::Hunt(hunt) => {
                let mut going = true;
                while going && now_ms() < until {
                    going = hunt.step();
                }
                if going {
                    scope.respond(who, FromLab::Hunting { progress: hunt.progress(), ms });
                }
                going
            }
        };
        if going {
            Self::schedule(scope);
        } else {
            self.finish(scope, false);
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, msg: ToLab, who: HandlerId) {
        let task = match msg {
            ToLab::Start(request) => Run::new(request).map(|r| Task::Experiment(Box::new(r))),
            ToLab::Hunt(request) => Hunt::new(&request).map(Task::Hunt),
            ToLab::Zoo => return scope.respond(who, FromLab::Zoo(crate::search::hunt::zoo())),
            ToLab::Trace { scenario, until_us, format } => {
                return scope.respond(who, trace(&scenario, until_us, &format));
            }
            ToLab::Cancel => return self.finish(scope, true),
        };
        match task {
            Ok(Task::Experiment(run)) => {
                let total = run.total();
                self.run = Some((Task::Experiment(run), who, now_ms()));
                scope.respond(who, FromLab::Progress { done: 0, total, ms: 0.0 });
                Self::schedule(scope);
            }
            Ok(Task::Hunt(hunt)) => {
                scope.respond(who, FromLab::Hunting { progress: hunt.progress(), ms: 0.0 });
                self.run = Some((Task::Hunt(hunt), who, now_ms()));
                Self::schedule(scope);
            }
            Err(e) => scope.respond(who, FromLab::Refused(e)),
        }
    }
}

/// A run's trace, exported: what `splitbrain trace` writes.
fn trace(scenario: &str, until_us: u64, format: &str) -> FromLab {
    use crate::scenario::export::{export_run, TraceFormat};
    let Some(f) = TraceFormat::parse(format) else { return FromLab::Refused(format!("no trace format '{format}'")) };
    let s = match crate::scenario::Scenario::from_json(scenario) {
        Ok(s) => s,
        Err(e) => return FromLab::Refused(e.to_string()),
    };
    let stem = if s.name.is_empty() {
        "run".to_string()
    } else {
        s.name.to_lowercase().replace(|c: char| !c.is_alphanumeric(), "-")
    };
    let file = format!("{stem}-seed{}-{}ms.{}", s.seed, until_us / 1000, f.extension());
    match export_run(s, Some(until_us), f) {
        Ok(text) => FromLab::Traced { text, file },
        Err(e) => FromLab::Refused(format!("The trace was not exported: {e}.")),
    }
}

/// The worker's entry point.
pub fn register() {
    use gloo::worker::Registrable;
    console_error_panic_hook::set_once();
    Lab::registrar().encoding::<Json>().register();
}
