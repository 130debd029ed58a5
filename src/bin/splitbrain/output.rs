//! The CLI's output: lines to stdout that survive a closed pipe or a full
//! disk, errors to stderr, and a progress counter for long runs.

use std::io::{IsTerminal, Write};

pub(crate) fn fail(msg: impl std::fmt::Display) -> i32 {
    let _ = writeln!(std::io::stderr(), "error: {msg}");
    2
}

/// The first error writing to stdout; after it, nothing more is written.
static OUTPUT_ERROR: std::sync::OnceLock<std::io::Error> = std::sync::OnceLock::new();

/// Writes one line of output. A reader that went away (`| head`) or a
/// full disk must not panic the process, as `println!` would: the error
/// is kept, and `main` ends quietly (closed pipe) or with one line.
pub(crate) fn emit(args: std::fmt::Arguments<'_>) {
    if OUTPUT_ERROR.get().is_some() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        let _ = OUTPUT_ERROR.set(e);
    }
}

/// Writes output text as it is (a streamed report's pieces).
pub(crate) fn write_raw(text: &str) {
    if OUTPUT_ERROR.get().is_some() {
        return;
    }
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        let _ = OUTPUT_ERROR.set(e);
    }
}

/// The exit code once the output is flushed: a closed pipe keeps the
/// command's own code; any other write error is reported, exit 1.
pub(crate) fn finish(code: i32) -> i32 {
    if OUTPUT_ERROR.get().is_none() {
        if let Err(e) = std::io::stdout().lock().flush() {
            let _ = OUTPUT_ERROR.set(e);
        }
    }
    match OUTPUT_ERROR.get() {
        None => code,
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Some(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
            1
        }
    }
}

pub(crate) struct Progress {
    on: bool,
    total: u64,
    label: &'static str,
}

impl Progress {
    pub(crate) fn new(label: &'static str, total: u64) -> Self {
        Progress { on: std::io::stderr().is_terminal() && total > 1, total, label }
    }
    pub(crate) fn tick(&self, done: u64) {
        if self.on && (done.is_multiple_of(25) || done == self.total) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{} {done}/{}", self.label, self.total);
            if done == self.total {
                let _ = write!(err, "\r\x1b[K");
            }
            let _ = err.flush();
        }
    }
    /// Clears the counter of a run that stopped before its total.
    pub(crate) fn clear(&self) {
        if self.on {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }
}

/// A scenario run's progress on a terminal: seeds, the simulated instant
/// reached and events per second, redrawn at most four times a second.
pub(crate) struct RunProgress {
    on: bool,
    seeds: u64,
    duration_s: f64,
    started: std::time::Instant,
    last: std::cell::Cell<f64>,
    /// (events at the last redraw, its wall time in s)
    rate: std::cell::Cell<(u64, f64)>,
}

impl RunProgress {
    pub(crate) fn new(seeds: u64, duration_s: f64) -> Self {
        RunProgress {
            on: std::io::stderr().is_terminal(),
            seeds,
            duration_s,
            started: std::time::Instant::now(),
            last: std::cell::Cell::new(0.0),
            rate: std::cell::Cell::new((0, 0.0)),
        }
    }

    pub(crate) fn tick(&self, r: splitbrain::scenario::batch::Reached) {
        if !self.on {
            return;
        }
        let wall = self.started.elapsed().as_secs_f64();
        let done = r.seeds_done == self.seeds;
        if !done && wall - self.last.get() < 0.25 {
            return;
        }
        let (events_before, wall_before) = self.rate.get();
        let per_s = r.events.saturating_sub(events_before) as f64 / (wall - wall_before).max(1e-3);
        self.rate.set((r.events, wall));
        self.last.set(wall);
        let mut err = std::io::stderr().lock();
        if done {
            let _ = write!(err, "\r\x1b[K");
        } else {
            let t = r.now_us as f64 / 1e6;
            let _ = write!(
                err,
                "\r\x1b[Kseed {}/{}: t = {t:.1} s of {} s simulated ({:.0}%), {:.2} M events/s",
                r.seeds_done + 1,
                self.seeds,
                self.duration_s,
                100.0 * t / self.duration_s.max(1e-9),
                per_s / 1e6
            );
        }
        let _ = err.flush();
    }
}

/// An experiment command's common course: refuse bad parameters (exit 2),
/// run with a progress counter, and print the report as JSON when asked.
/// `Ok(Some(report))` is left for the command's text output; `Ok(None)`
/// means the JSON is out; `Err(code)` is the exit code to return.
pub(crate) fn experiment<R: serde::Serialize>(
    valid: Result<(), String>,
    trials: u32,
    json: bool,
    run: impl FnOnce(&mut dyn FnMut(u32)) -> R,
) -> Result<Option<R>, i32> {
    if let Err(e) = valid {
        return Err(fail(e));
    }
    let progress = Progress::new("trials", u64::from(trials));
    let report = run(&mut |done| progress.tick(u64::from(done)));
    if json {
        emit(format_args!("{}", serde_json::to_string(&report).expect("report serialises")));
        return Ok(None);
    }
    Ok(Some(report))
}
