//! The splitbrain command-line interface: the same simulator as the
//! playground, run headless over many seeds.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/output.rs"]
mod output;

#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/quorum.rs"]
mod quorum;

#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/cap.rs"]
mod cap;

#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/failover.rs"]
mod failover;

#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/elect.rs"]
mod elect;
#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/explore.rs"]
mod explore;
#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/search.rs"]
mod search;
#[cfg(not(target_arch = "wasm32"))]
#[path = "splitbrain/trace.rs"]
mod trace;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    pub(crate) use crate::output::{emit, experiment, fail, finish, write_raw, Progress, RunProgress};
    use crate::{cap, elect, explore, failover, quorum, search, trace};
    use clap::{Args, Parser, Subcommand};
    use splitbrain::scenario::Scenario;
    use std::io::Write;

    #[derive(Parser)]
    #[command(name = "splitbrain", version, about = "Deterministic experiments on distributed coordination protocols")]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Leader failover time, as in the Raft paper §9.3 (Figure 16).
        #[command(
            after_help = "Limits: 3 to 15 servers; timeouts and heartbeat at least 1 ms; at most 1,000,000 trials. A trial that elects no leader within 600 s of simulated time is counted as capped, not timed. Every limit: docs/limits.md."
        )]
        Failover(failover::FailoverArgs),
        /// The Raft paper's Figure 16: all ten lines on one testbed, as a
        /// Markdown table next to the paper's numbers and an SVG of the CDFs.
        Figure16(failover::Figure16Args),
        /// Run a scenario file and check every safety property.
        #[command(
            after_help = "Limits: files and links of at most 1 MiB; durations of at most one simulated day; at most 1,000,000 client requests per run and 1,000,000 s of simulated time per batch. A run stops at a cap on messages in flight (200,000 + 40 per node) or on events in one simulated millisecond (200,000 + 40 per node), and exits 2. Every limit: docs/limits.md."
        )]
        Run(RunArgs),
        /// Print a playground link that carries a scenario file.
        Link(LinkArgs),
        /// Epidemic dissemination (Demers et al. 1987): anti-entropy or rumor mongering.
        #[command(
            after_help = "Limits: 2 to 1,000,000 sites; sites x fanout at most 1,000,000 contacts per cycle; at most 1,000,000 trials. Every limit: docs/limits.md."
        )]
        Gossip(GossipArgs),
        /// SWIM failure detection (Das, Gupta and Motivala 2002).
        #[command(
            after_help = "Limits: 2 to 2,000 members (each keeps a view of every other, so memory grows as N^2); at most 100,000 trials. A member not detected within 1,000 periods is counted as undetected, not timed. Every limit: docs/limits.md."
        )]
        Swim(SwimArgs),
        /// Partial-quorum staleness on the store (Bailis et al., PBS, VLDB 2012).
        #[command(
            after_help = "Limits: 1 to 100 nodes; 1 <= R, W <= N <= nodes; at most 100,000 trials. --propagation none is the paper's k-staleness model (a write reaches only W replicas, a read asks R, nothing spreads); its closed form is printed next to the measured numbers. Every limit: docs/limits.md."
        )]
        Quorum(quorum::QuorumArgs),
        /// One partition script against the Raft cluster and the store:
        /// availability by side against stale reads and lost writes.
        #[command(
            after_help = "Limits: 3 to 15 nodes; a minority of fewer than half of them; 1 to 1,000 clients. Raft clients redirect once to a leader they can reach and give up after 400 ms; store clients time out after 200 ms and retry once."
        )]
        Cap(cap::CapArgs),
        /// Search fault schedules around a scenario for a property that
        /// breaks, and shrink the first violation to a small scenario.
        #[command(
            after_help = "Exit status: 1 when a property broke (the shrunk scenario is written to --out and printed as a link), 0 when none did, 2 on bad input. Schedule i of seed S is the same on every machine; --budget stops early by wall time, so its count depends on the machine."
        )]
        Search(search::SearchArgs),
        /// Put the reports of a search's shards (search --shard i/n
        /// --json) together into the report of the single run.
        #[command(
            after_help = "Exit status: 1 when a property broke, 0 when none did, 2 when the files are not the reports of one search's shards (every shard once, the same scenario, seed, --schedules and shard count)."
        )]
        Merge(search::MergeArgs),
        /// Explore every interleaving of a small cluster's deliveries,
        /// crashes, restarts, timers and requests for a property that breaks.
        #[command(
            after_help = "Breadth first (time stands still; states are hashed, and servers that are interchangeable are explored once), then Go-Explore walks past the states that breadth first can hold. Raft only, without options that act on elapsed time. Exit status: 1 when a property broke (the path is written to --out as a scripted scenario and printed as a link), 0 when none did, 2 on bad input."
        )]
        Explore(explore::ExploreArgs),
        /// A scenario's trace as JSON, as ShiViz's log (vector clocks), or as
        /// Perfetto's trace-event JSON (a track per node, messages as flows).
        #[command(
            after_help = "Exit status: 0 when written, 2 on bad input. A trace of more than 1,000,000 events is refused: end it earlier with --until-ms."
        )]
        Trace(trace::TraceArgs),
        /// Classic elections next to Raft's: the bully algorithm
        /// (Garcia-Molina 1982) and Chang and Roberts' ring (1979), in
        /// messages and time.
        #[command(
            after_help = "Set-ups (the textbook ones): ring: every node starts at once and the ids are a random permutation round the ring (n·H(n) messages on average, n² at worst); bully: the highest node has crashed and the lowest notices ((n − 1)² messages); raft: a cluster that has just booted, default timeouts. `messages` counts the election's own messages; the winner's announcement (the ring's Elected round, bully's Coordinator, Raft's first heartbeats) is `announce_messages`. The time to elect runs from the start to the moment the winner knows it won. Latency 5 to 10 ms a message. Limits: 2 to 15 nodes (3 for bully); at most 100,000 trials."
        )]
        Elect(elect::ElectArgs),
    }

    #[derive(Clone, Copy, clap::ValueEnum)]
    enum TargetArg {
        Random,
        RoundRobin,
    }

    #[derive(Args)]
    struct SwimArgs {
        /// Group size (at least 2).
        #[arg(long, default_value_t = 100)]
        nodes: u32,
        /// Protocol period in ms.
        #[arg(long, value_name = "T", default_value = "1000", value_parser = parse_ms)]
        period_ms: f64,
        /// Members asked to probe indirectly (k).
        #[arg(long, value_name = "K", default_value_t = 3)]
        indirect: u32,
        #[arg(long, value_enum, default_value = "round-robin")]
        target: TargetArg,
        /// Probability that a message is lost (0 to 1).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        loss: f64,
        /// Suspicion timeout in ms.
        #[arg(long, value_name = "S", default_value = "5000", value_parser = parse_ms, conflicts_with = "no_suspicion")]
        suspicion_ms: f64,
        /// Declare silent members failed at once (the basic protocol, §3).
        #[arg(long)]
        no_suspicion: bool,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        trials: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    }

    #[derive(Clone, Copy, clap::ValueEnum)]
    enum ModeArg {
        AntiEntropy,
        Rumor,
    }

    #[derive(Clone, Copy, clap::ValueEnum)]
    enum ExchangeArg {
        Push,
        Pull,
        PushPull,
    }

    #[derive(Args)]
    struct GossipArgs {
        /// Number of sites (at least 2).
        #[arg(long, default_value_t = 1000)]
        nodes: u32,
        #[arg(long, value_enum, default_value = "rumor")]
        mode: ModeArg,
        #[arg(long, value_enum, default_value = "push")]
        exchange: ExchangeArg,
        /// Lose interest only after contacts with sites that already knew (default).
        #[arg(long, conflicts_with = "blind")]
        feedback: bool,
        /// Lose interest after any contact.
        #[arg(long)]
        blind: bool,
        /// Lose interest after K (unnecessary) contacts in a row (default, K = 1).
        #[arg(long, value_name = "K", conflicts_with = "coin")]
        counter: Option<u32>,
        /// Lose interest with probability 1/K after each (unnecessary) contact.
        #[arg(long, value_name = "K")]
        coin: Option<u32>,
        /// Partners contacted per cycle.
        #[arg(long, default_value_t = 1)]
        fanout: u32,
        /// Probability that a message is lost (0 to 1).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        loss: f64,
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        trials: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        json: bool,
    }

    #[derive(Args)]
    struct LinkArgs {
        /// Scenario file (see docs/scenario.md).
        scenario: std::path::PathBuf,
        /// Open the link at this simulated time, in ms.
        #[arg(long, default_value_t = 0.0, value_parser = parse_ms)]
        at_ms: f64,
        /// The playground's address.
        #[arg(long, default_value = "http://127.0.0.1:8080/")]
        base: String,
        /// Print only the fragment's payload (for fuzz corpora).
        #[arg(long)]
        payload_only: bool,
    }

    #[derive(Args)]
    struct RunArgs {
        /// Scenario file (see docs/scenario.md), or a playground link
        /// ('http://…/#s=…', '#g=…' or just 's=…'), which runs the scenario
        /// the link carries.
        scenario: std::path::PathBuf,
        /// Run this many seeds: the file's seed, then seed+1, ...
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        seeds: u64,
        /// Print JSON.
        #[arg(long, conflicts_with = "openmetrics")]
        json: bool,
        /// Print the totals in the OpenMetrics text format (counters that
        /// Prometheus and the tools around it read).
        #[arg(long)]
        openmetrics: bool,
    }

    pub(crate) use splitbrain::experiments::{parse_ms, parse_range, us};

    macro_rules! outln {
        ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
    }

    pub fn main() -> i32 {
        // A panic is a bug in splitbrain, never the input's fault: say so in
        // one line, and keep to the documented exit codes (not Rust's 101).
        std::panic::set_hook(Box::new(|info| {
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let _ = writeln!(
                std::io::stderr(),
                "internal error{at}: {msg}\nThis is a bug in splitbrain; please report it with the command and input that caused it."
            );
            let _ = std::io::stderr().flush();
            std::process::exit(1);
        }));
        let cli = match Cli::try_parse() {
            Ok(c) => c,
            Err(e) => {
                let _ = e.print();
                return if e.use_stderr() { 2 } else { 0 };
            }
        };
        let code = match cli.command {
            Command::Failover(a) => failover::failover_cmd(a),
            Command::Figure16(a) => failover::figure16_cmd(a),
            Command::Run(a) => run_cmd(a),
            Command::Link(a) => link_cmd(a),
            Command::Gossip(a) => gossip_cmd(a),
            Command::Swim(a) => swim_cmd(a),
            Command::Quorum(a) => quorum::quorum_cmd(a),
            Command::Cap(a) => cap::cap_cmd(a),
            Command::Search(a) => search::search_cmd(a),
            Command::Merge(a) => search::merge_cmd(a),
            Command::Explore(a) => explore::explore_cmd(a),
            Command::Trace(a) => trace::trace_cmd(a),
            Command::Elect(a) => elect::elect_cmd(a),
        };
        finish(code)
    }

    /// A scenario from a file or a playground link.
    pub(crate) fn load(arg: &std::path::Path) -> Result<Scenario, String> {
        match from_link(&arg.display().to_string()) {
            Some(link) => link,
            None => read_scenario(arg),
        }
    }

    fn read_scenario(path: &std::path::Path) -> Result<Scenario, String> {
        let text = read_text(path)?;
        Scenario::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// A scenario (or comparison) file's text, within the size cap.
    fn read_text(path: &std::path::Path) -> Result<String, String> {
        use std::io::Read;
        let shown = path.display().to_string();
        let cap = splitbrain::scenario::MAX_JSON_BYTES;
        // At most one byte past the cap, from any source: a file's stated
        // length means nothing for /dev/zero or a pipe.
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(cap as u64 + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read scenario '{shown}': {e}"))?;
        if bytes.len() > cap {
            return Err(format!("scenario '{shown}' is larger than the limit of {cap} bytes (1 MiB)"));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            format!("scenario '{shown}' is not UTF-8 text (byte {} is not valid)", e.utf8_error().valid_up_to())
        })?;
        Ok(text)
    }

    /// `splitbrain run` on a comparison: each variant's figures side by
    /// side, and each one's difference from the first.
    fn compare_cmd(a: &RunArgs, text: &str) -> i32 {
        use splitbrain::scenario::compare::{self, Comparison};
        let path = a.scenario.display().to_string();
        let (c, scenarios) = match Comparison::from_json(text) {
            Ok(x) => x,
            Err(e) => return fail(format!("{path}: {e}")),
        };
        let labels: Vec<String> = c.variants.iter().map(|v| v.label.clone()).collect();
        let (rows, code) = match compare::run(&scenarios, &labels, a.seeds) {
            Ok(x) => x,
            Err(e) => return fail(format!("{path}: {e}")),
        };
        if a.json {
            let out = serde_json::json!({ "name": c.name, "labels": labels, "rows": rows });
            let _ = writeln!(std::io::stdout(), "{out}");
        } else {
            let name = if c.name.is_empty() { path.clone() } else { c.name.clone() };
            let _ = writeln!(
                std::io::stdout(),
                "{}\n{}",
                splitbrain::scenario::batch::printable(&name),
                compare::table(&labels, &rows, false)
            );
        }
        code
    }

    fn gossip_cmd(a: GossipArgs) -> i32 {
        use splitbrain::experiments::gossip::{self, GossipParams};
        use splitbrain::protocols::gossip::{Exchange, LossOfInterest, Mode};
        let (counter, k) = match (a.counter, a.coin) {
            (_, Some(k)) => (false, k),
            (Some(k), None) => (true, k),
            (None, None) => (true, 1),
        };
        let p = GossipParams {
            nodes: a.nodes,
            mode: match a.mode {
                ModeArg::AntiEntropy => Mode::AntiEntropy,
                ModeArg::Rumor => Mode::Rumor,
            },
            exchange: match a.exchange {
                ExchangeArg::Push => Exchange::Push,
                ExchangeArg::Pull => Exchange::Pull,
                ExchangeArg::PushPull => Exchange::PushPull,
            },
            interest: LossOfInterest { feedback: !a.blind, counter, k },
            fanout: a.fanout,
            loss: a.loss,
            trials: a.trials,
            seed: a.seed,
        };
        let r = match experiment(p.validate(), p.trials, a.json, |tick| gossip::run(&p, tick)) {
            Ok(Some(r)) => r,
            Ok(None) => return 0,
            Err(code) => return code,
        };
        let how = match p.mode {
            Mode::AntiEntropy => "anti-entropy".to_string(),
            Mode::Rumor => format!(
                "rumor mongering, {} + {} k={}",
                if p.interest.feedback { "feedback" } else { "blind" },
                if p.interest.counter { "counter" } else { "coin" },
                p.interest.k
            ),
        };
        let ex = match p.exchange {
            Exchange::Push => "push",
            Exchange::Pull => "pull",
            Exchange::PushPull => "push-pull",
        };
        outln!(
            "{} sites, {how}, {ex}, fanout {}, loss {}; {} trials (seed {})",
            p.nodes,
            p.fanout,
            p.loss,
            r.trials,
            p.seed
        );
        outln!("residue   {}   (fraction of sites never informed)", r.residue);
        outln!("traffic   {}   (update messages per site)", r.traffic);
        let or_none = |x: Option<f64>| x.map_or_else(|| "none".to_string(), |v| v.to_string());
        outln!("t_ave     {}   (mean cycle a site first heard)", or_none(r.t_ave));
        outln!("t_last    {}   (cycle the last informed site heard)", or_none(r.t_last));
        if r.silent_trials > 0 {
            outln!(
                "note      in {} of {} trials no site besides the origin heard the update; t_ave and t_last are over the others",
                r.silent_trials,
                r.trials
            );
        }
        let show = |x: Option<f64>| x.map_or("never".to_string(), |v| v.to_string());
        outln!(
            "rounds to 50% {}, 99% {}, 100% {}",
            show(r.rounds_to.p50),
            show(r.rounds_to.p99),
            show(r.rounds_to.p100)
        );
        0
    }

    fn swim_cmd(a: SwimArgs) -> i32 {
        use splitbrain::experiments::swim::{self, SwimParams};
        use splitbrain::protocols::swim::TargetSelection;
        let p = SwimParams {
            nodes: a.nodes,
            period_us: us(a.period_ms),
            indirect: a.indirect,
            target: match a.target {
                TargetArg::Random => TargetSelection::Random,
                TargetArg::RoundRobin => TargetSelection::RoundRobin,
            },
            loss: a.loss,
            suspicion_us: (!a.no_suspicion).then(|| us(a.suspicion_ms)),
            trials: a.trials,
            seed: a.seed,
        };
        let r = match experiment(p.validate(), p.trials, a.json, |tick| swim::run(&p, tick)) {
            Ok(Some(r)) => r,
            Ok(None) => return 0,
            Err(code) => return code,
        };
        outln!(
            "SWIM: {} members, period {} ms, k = {}, {} targets, loss {}, {}; {} trials (seed {})",
            p.nodes,
            a.period_ms,
            p.indirect,
            match p.target {
                TargetSelection::Random => "random",
                TargetSelection::RoundRobin => "round-robin",
            },
            p.loss,
            match p.suspicion_us {
                Some(s) => format!("suspicion {} ms", s as f64 / 1000.0),
                None => "no suspicion".into(),
            },
            r.trials,
            p.seed
        );
        let show = |label: &str, f: &Option<swim::Periods>| match f {
            Some(f) => outln!("{label}  mean {:.2}  p50 {:.2}  p99 {:.2} periods", f.mean, f.p50, f.p99),
            None => outln!("{label}  never, in any trial, within {} periods", swim::GIVE_UP_PERIODS),
        };
        show("first detection   ", &r.first_detection_periods);
        show("full dissemination", &r.full_dissemination_periods);
        if r.undetected > 0 || r.not_spread > 0 {
            outln!(
                "note                of {} trials, {} never detected and {} never known by all within {} periods; the figures are over the others",
                r.trials,
                r.undetected,
                r.not_spread,
                swim::GIVE_UP_PERIODS
            );
        }
        outln!(
            "false positives     {} per member per period (no crash, {} periods)",
            r.false_positive_rate,
            swim::FALSE_POSITIVE_PERIODS
        );
        0
    }

    fn link_cmd(a: LinkArgs) -> i32 {
        let scenario = match read_scenario(&a.scenario) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let payload = splitbrain::scenario::codec::encode(&scenario);
        if payload.len() > splitbrain::scenario::codec::MAX_LINK_BYTES {
            return fail(format!("the scenario packs to {} KB, over the 64 KB link limit", payload.len() / 1024));
        }
        if a.payload_only {
            outln!("{payload}");
        } else {
            outln!("{}#{}", a.base, splitbrain::scenario::codec::fragment(&scenario, us(a.at_ms)));
        }
        0
    }

    /// The scenario a playground link carries, if the argument is one.
    fn from_link(arg: &str) -> Option<Result<Scenario, String>> {
        let fragment = match arg.split_once('#') {
            Some((_, f)) => f,
            None if arg.starts_with("s=") || arg.starts_with("g=") => arg,
            None => return None,
        };
        Some(match splitbrain::scenario::codec::parse_fragment(fragment) {
            Ok(Some(link)) => Ok(link.scenario),
            Ok(None) => Err("the link carries no scenario (it has no s= or g=)".to_string()),
            Err(e) => Err(format!("the link could not be opened: {e}")),
        })
    }

    fn run_cmd(a: RunArgs) -> i32 {
        let path = a.scenario.display().to_string();
        let read = match from_link(&path) {
            Some(link) => link,
            None => match read_text(&a.scenario) {
                Ok(text) if splitbrain::scenario::compare::is_comparison(&text) => return compare_cmd(&a, &text),
                Ok(text) => Scenario::from_json(&text).map_err(|e| format!("{path}: {e}")),
                Err(e) => Err(e),
            },
        };
        let scenario = match read {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        for w in scenario.warnings() {
            let _ = writeln!(std::io::stderr(), "warning: {path}: {w}");
        }
        let progress = RunProgress::new(a.seeds, scenario.duration_ms.0 as f64 / 1e6);
        let label = if scenario.name.is_empty() { path.clone() } else { scenario.name.clone() };
        let batch = if a.openmetrics {
            splitbrain::scenario::batch::stream_openmetrics(scenario, a.seeds, label, &mut write_raw)
        } else {
            splitbrain::scenario::batch::stream(scenario, a.seeds, label, a.json, &mut write_raw, |r| progress.tick(r))
        };
        match batch {
            Ok(b) => {
                if b.stopped > 0 {
                    let _ = writeln!(std::io::stderr(), "error: {path}: a run stopped at a cap (see \"stopped\")");
                }
                b.exit_code()
            }
            Err(e) => fail(format!("{path}: {e}")),
        }
    }
}
