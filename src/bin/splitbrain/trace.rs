//! `splitbrain trace`: a scenario's trace in forms other tools open (JSON,
//! ShiViz's log, Perfetto's trace-event JSON).

use crate::output::{fail, write_raw};
use clap::Args;
use splitbrain::scenario::export::{export_run, TraceFormat};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// One object per event, in trace order.
    Json,
    /// ShiViz's log: the parsing regular expression, then each event and
    /// its host's vector clock (open it at https://bestchai.bitbucket.io/shiviz/).
    Shiviz,
    /// Chrome's trace-event JSON, which https://ui.perfetto.dev opens: a
    /// track per node, messages as flows.
    Perfetto,
}

#[derive(Args)]
pub struct TraceArgs {
    /// Scenario file (see docs/scenario.md), or a playground link.
    scenario: std::path::PathBuf,
    #[arg(long, value_enum, default_value = "json")]
    format: FormatArg,
    /// Run with this seed instead of the file's.
    #[arg(long)]
    seed: Option<u64>,
    /// Stop at this simulated time (ms) instead of the scenario's end.
    #[arg(long, value_name = "MS", value_parser = crate::cli::parse_ms)]
    until_ms: Option<f64>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

pub fn trace_cmd(a: TraceArgs) -> i32 {
    let path = a.scenario.display().to_string();
    let mut scenario = match crate::cli::load(&a.scenario) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if let Some(seed) = a.seed {
        scenario.seed = seed;
    }
    let format = match a.format {
        FormatArg::Json => TraceFormat::Json,
        FormatArg::Shiviz => TraceFormat::Shiviz,
        FormatArg::Perfetto => TraceFormat::Perfetto,
    };
    let until = a.until_ms.map(crate::cli::us);
    let text = match export_run(scenario, until, format) {
        Ok(t) => t,
        Err(e) => return fail(format!("{path}: {e}")),
    };
    match a.out {
        Some(out) => match std::fs::write(&out, text) {
            Ok(()) => 0,
            Err(e) => fail(format!("cannot write '{}': {e}", out.display())),
        },
        None => {
            write_raw(&text);
            0
        }
    }
}
