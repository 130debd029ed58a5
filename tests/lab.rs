//! The Experiments panel's engine against the CLI: the same flags give the
//! same report, digit for digit; bad settings get the CLI's kind of message.
//!
//! `tests/golden/lab_runs.json` holds these runs' CLI reports; the browser
//! test (e2e/lab.test.mjs) runs them in the panel's worker and compares.
//! Regenerate it with `UPDATE_GOLDEN=1 cargo test --test lab`.

use splitbrain::experiments::lab::{Kind, Request, Run};
use std::process::Command;

fn request(kind: Kind, fields: &[(&str, &str)]) -> Request {
    Request { kind, fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
}

/// The runs the browser test repeats: one per experiment, and the paper's testbed.
fn cases() -> Vec<Request> {
    vec![
        request(Kind::Failover, &[("timeout-ms", "150-300"), ("trials", "1000"), ("seed", "1")]),
        request(
            Kind::Failover,
            &[("testbed", "raft-paper"), ("timeout-ms", "150-155"), ("trials", "200"), ("seed", "3")],
        ),
        request(
            Kind::Gossip,
            &[("mode", "anti-entropy"), ("exchange", "push-pull"), ("nodes", "500"), ("trials", "20"), ("seed", "2")],
        ),
        request(Kind::Gossip, &[("rule", "counter"), ("k", "2"), ("trials", "30"), ("seed", "5")]),
        request(Kind::Swim, &[("target", "random"), ("nodes", "40"), ("trials", "8"), ("seed", "4")]),
        request(Kind::Quorum, &[("nodes", "5"), ("propagation", "none"), ("trials", "300"), ("seed", "2")]),
        request(Kind::Cap, &[("duration-ms", "8000"), ("seed", "3")]),
    ]
}

fn cli(command: &str) -> String {
    let args: Vec<&str> = command.split_whitespace().skip(1).chain(["--json"]).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_splitbrain")).args(&args).output().expect("the CLI runs");
    assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8").trim_end().to_string()
}

fn run_all(req: Request) -> Run {
    let mut run = Run::new(req).expect("valid");
    while run.step() {}
    run
}

#[test]
fn the_panel_reports_what_the_cli_prints_for_the_same_flags() {
    let mut golden = Vec::new();
    for req in cases() {
        let command = req.command();
        let run = run_all(req.clone());
        let printed = cli(&command);
        assert_eq!(run.report_json(), printed, "{command}");
        let report: serde_json::Value = serde_json::from_str(&printed).unwrap();
        golden.push(serde_json::json!({ "request": req, "command": command, "report": report }));
    }
    let text = serde_json::to_string_pretty(&golden).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/lab_runs.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(path).unwrap_or_default(), text, "regenerate with UPDATE_GOLDEN=1");
}

#[test]
fn the_command_line_names_only_what_differs_from_the_defaults() {
    let c = |kind, f: &[(&str, &str)]| request(kind, f).command();
    assert_eq!(c(Kind::Failover, &[("timeout-ms", "150-300"), ("prevote", "true")]), "splitbrain failover --prevote");
    assert_eq!(
        c(Kind::Failover, &[("testbed", "raft-paper"), ("timeout-ms", "12-24"), ("unequal-logs", "false")]),
        "splitbrain failover --testbed raft-paper --timeout-ms 12-24"
    );
    assert_eq!(
        c(Kind::Gossip, &[("interest", "blind"), ("rule", "coin"), ("k", "3"), ("seed", "9")]),
        "splitbrain gossip --blind --seed 9 --coin 3"
    );
    assert_eq!(
        c(Kind::Swim, &[("no-suspicion", "true"), ("trials", "20")]),
        "splitbrain swim --no-suspicion --trials 20"
    );
    assert_eq!(
        c(Kind::Quorum, &[("n", "3"), ("r", "2"), ("propagation", "none"), ("sloppy", "false")]),
        "splitbrain quorum --r 2 --propagation none"
    );
    assert_eq!(c(Kind::Cap, &[("minority", "0,1"), ("clients", "20")]), "splitbrain cap --clients 20");
}

#[test]
fn the_store_experiments_draw_the_closed_form_and_every_system() {
    let run = run_all(request(Kind::Quorum, &[("nodes", "5"), ("propagation", "none"), ("trials", "200")]));
    let p = run.pictures();
    // N=3 R=1 W=1 without propagation: 1 - (C(2,1)/C(3,1))^k = 1/3, 5/9, 19/27.
    let closed: Vec<f64> = p.histogram.marks.iter().filter_map(|m| m.y).collect();
    assert_eq!(closed.len(), 3);
    assert!((closed[0] - 1.0 / 3.0).abs() < 1e-3 && (closed[2] - 19.0 / 27.0).abs() < 1e-3, "{closed:?}");
    assert!(p.histogram.svg().contains("PBS closed form, k = 1"));
    assert_eq!(p.cdf.series[0].points.len(), 10, "one point per delay");
    let cap = run_all(request(Kind::Cap, &[("duration-ms", "8000")]));
    assert_eq!((cap.done(), cap.total()), (4, 4));
    let p = cap.pictures();
    let systems: Vec<&str> = p.cdf.series.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(systems.len(), 4);
    assert!(systems[0].starts_with("Raft"), "{systems:?}");
    // Raft answers almost nobody on the minority side (only requests that
    // outlive the heal); the R = W = 1 store answers most.
    let (raft, weak) = (p.cdf.series[0].points[1].1, p.cdf.series[2].points[1].1);
    assert!(raft < 0.2 && weak > 0.5 && weak > 4.0 * raft, "minority side: Raft {raft}, R = W = 1 {weak}");
    assert_eq!(cap.csv().lines().count(), 5, "a header and one row per system");
}

#[test]
fn stepping_a_run_gives_the_report_of_the_trials_so_far() {
    let mut run = Run::new(request(Kind::Failover, &[("trials", "50")])).unwrap();
    for _ in 0..20 {
        run.step();
    }
    assert_eq!((run.done(), run.total(), run.finished()), (20, 50, false));
    let part: serde_json::Value = serde_json::from_str(&run.report_json()).unwrap();
    assert_eq!(part["trials"], 20);
    let first_20 = run_all(request(Kind::Failover, &[("trials", "20")]));
    assert_eq!(run.report_json(), first_20.report_json(), "the first 20 trials do not depend on the total");
    assert_eq!(run.csv().lines().count(), 21, "a header and one row per trial");
}

#[test]
fn bad_settings_are_refused_with_a_message_that_names_the_field() {
    let refused = |kind, f: &[(&str, &str)]| Run::new(request(kind, f)).expect_err("refused");
    let cases: Vec<(String, &str)> = vec![
        (refused(Kind::Failover, &[("timeout-ms", "300-150")]), "timeout-ms: the range 300-150 is backwards"),
        (refused(Kind::Failover, &[("fsync-ms", "-1-2")]), "fsync-ms"),
        (refused(Kind::Failover, &[("nodes", "2")]), "nodes: 2 is out of range (3 to 15)"),
        (refused(Kind::Failover, &[("nodes", "five")]), "nodes: 'five' is not a whole number"),
        (refused(Kind::Failover, &[("timeout-ms", "12-15"), ("latency-ms", "7-8")]), "below the broadcast time"),
        (refused(Kind::Failover, &[("testbed", "raft-paper"), ("latency-ms", "1-2")]), "leave latency-ms empty"),
        (refused(Kind::Failover, &[("testbed", "moon")]), "testbed: 'moon' is not one of none, raft-paper"),
        (refused(Kind::Failover, &[("trials", "0")]), "trials: 0 is out of range"),
        (refused(Kind::Gossip, &[("loss", "1.5")]), "loss: '1.5' is not a probability"),
        (refused(Kind::Gossip, &[("nodes", "1")]), "nodes: 1 is out of range"),
        // The CLI runs a million sites; the page, a scenario's 100,000.
        (
            refused(Kind::Gossip, &[("nodes", "1000000")]),
            "nodes: 1000000 is more than the 100000 sites the page runs (splitbrain gossip runs up to 1000000)",
        ),
        (refused(Kind::Swim, &[("period-ms", "soon")]), "period-ms: 'soon' is not a number of milliseconds"),
        (refused(Kind::Swim, &[("colour", "red")]), "colour is not a setting of swim"),
        (refused(Kind::Quorum, &[("r", "4")]), "--r 4 is impossible: R must be 1 to N (3)"),
        (refused(Kind::Quorum, &[("propagation", "some")]), "propagation: 'some' is not one of all, none"),
        (refused(Kind::Cap, &[("minority", "0,x")]), "minority: 'x' is not a node number"),
        (refused(Kind::Cap, &[("split-ms", "7000-2000")]), "split-ms"),
    ];
    for (message, expected) in cases {
        assert!(message.contains(expected), "{message:?} should contain {expected:?}");
    }
}

#[test]
fn the_pictures_carry_the_data_and_what_it_is_compared_with() {
    let run =
        run_all(request(Kind::Failover, &[("testbed", "raft-paper"), ("timeout-ms", "150-155"), ("trials", "100")]));
    let p = run.pictures();
    assert_eq!(p.cdf.series[0].points.len(), 100);
    assert_eq!(p.cdf.marks.len(), 1, "the paper's median for 150-155 ms");
    assert!(p.cdf.svg().contains("the paper: median 287 ms"));
    let bars: f64 = p.histogram.series[0].points.iter().map(|b| b.1).sum();
    assert_eq!(bars, 100.0, "every trial in one bar");

    let run = run_all(request(Kind::Gossip, &[("mode", "anti-entropy"), ("exchange", "pull"), ("trials", "10")]));
    let p = run.pictures();
    let ours = &p.cdf.series[0].points;
    let theory = &p.cdf.series[1].points;
    assert_eq!(ours.last().unwrap().1, 1.0, "anti-entropy informs every site");
    // Pull anti-entropy from one site: the recurrence and the simulation
    // cross half the sites within a cycle of each other.
    let half = |pts: &[(f64, f64)]| pts.iter().find(|p| p.1 >= 0.5).unwrap().0;
    assert!((half(ours) - half(theory)).abs() <= 1.0, "ours {} theory {}", half(ours), half(theory));

    let run = run_all(request(Kind::Gossip, &[("k", "3"), ("trials", "5")]));
    assert!(run.pictures().cdf.svg().contains("Demers Table 1, k = 3"));
    // The paper's figure reads as printed, not as floating point leaves it.
    let run = run_all(request(Kind::Gossip, &[("k", "1"), ("trials", "2")]));
    let svg = run.pictures().cdf.svg();
    assert!(svg.contains("k = 1: 1 − s = 0.82<") || svg.contains("k = 1: 1 − s = 0.82 "), "{svg}");
    assert!(!svg.contains("0.8200000000000001"));
    let run = run_all(request(Kind::Swim, &[("nodes", "20"), ("trials", "3"), ("target", "random")]));
    assert_eq!(run.pictures().cdf.series.len(), 2);
    assert_eq!(run.pictures().cdf.marks.len(), 1, "SWIM's e/(e-1)");
}
