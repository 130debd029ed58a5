//! Comparisons: each file in `static/comparisons/` runs, and its table
//! shows what its description says; a shared seed and timeline apply to
//! every variant; bad comparisons are refused with what is wrong; and
//! `splitbrain run` prints the table (or its JSON).

use splitbrain::scenario::compare::{self, Comparison, Row};
use std::process::Command;

fn file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/static/comparisons/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The comparison's table, and the value of `figure` in each variant.
fn table(name: &str) -> impl Fn(&str) -> Vec<Option<f64>> {
    let (c, scenarios) = Comparison::from_json(&file(name)).unwrap();
    let labels: Vec<String> = c.variants.iter().map(|v| v.label.clone()).collect();
    let (rows, code) = compare::run(&scenarios, &labels, 1).unwrap();
    assert_eq!(code, 0, "{name}: every variant shows what it declares");
    move |figure: &str| rows.iter().find(|r: &&Row| r.figure == figure).map(|r| r.values.clone()).unwrap_or_default()
}

#[test]
fn each_comparison_shows_what_it_says() {
    let files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/static/comparisons"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_string())
        .collect();
    assert_eq!(files.len(), 7, "{files:?}");
    // PreVote: no term inflation, one election instead of many.
    let t = table("prevote");
    let (terms, elections) = (t("metrics.max_term"), t("metrics.elections"));
    assert!(terms[1] < terms[0] && elections[1] < elections[0], "{terms:?} {elections:?}");
    // CheckQuorum: the isolated leader steps down, so the minority campaigns.
    let t = table("checkquorum");
    assert!(t("metrics.elections")[1] > t("metrics.elections")[0]);
    // k = 4 reaches more sites than k = 1, for more messages.
    let t = table("rumor-k");
    let (informed, sent) = (t("metrics.informed"), t("metrics.messages_sent"));
    assert!(informed[1] > informed[0] && sent[1] > sent[0], "{informed:?} {sent:?}");
    // Last writer wins loses acknowledged writes; siblings lose none.
    let t = table("lww-vs-siblings");
    let lost = t("metrics.lost_writes");
    assert!(lost[0] > Some(0.0) && lost[1] == Some(0.0), "{lost:?}");
    // Raft against the store: R = W = 1 reads stale, R = W = 2 does not,
    // and Raft's report has no such figure (its reads are linearizable).
    let t = table("raft-vs-store");
    assert_eq!(t("metrics.stale_reads")[0], None);
    assert_eq!(t("metrics.stale_reads")[1], Some(0.0));
    assert!(t("metrics.stale_reads")[2] > Some(0.0));
    // The witness comparison runs too (both elect a new leader).
    let t = table("witness");
    assert!(t("metrics.leader_changes").iter().all(|v| *v >= Some(2.0)), "{:?}", t("metrics.leader_changes"));
    // Paxos: the fixed retry duels for more ballots than random back-off.
    let t = table("paxos-backoff");
    let ballots = t("metrics.ballots");
    assert_eq!(ballots, [Some(10.0), Some(3.0)], "{ballots:?}");
}

#[test]
fn a_shared_seed_and_timeline_apply_to_every_variant() {
    let text = r#"{"version":1,"seed":7,"variants":[{"label":"a","preset":"leader-crash"},{"label":"b","preset":"witness-3-full"}],
        "timeline":[{"at_ms":500,"action":"crash","node":1}]}"#;
    let (_, s) = Comparison::from_json(text).unwrap();
    assert!(s.iter().all(|s| s.seed == 7 && s.timeline.len() == 1 && s.timeline[0].action.name() == "crash"));
}

#[test]
fn bad_comparisons_are_refused_with_what_is_wrong() {
    let v = |x: &str| format!(r#"{{"version":1,"variants":[{x}]}}"#);
    for (text, says) in [
        (v(r#"{"label":"a","preset":"leader-crash"}"#), "2 or 3"),
        (v(&[r#"{"label":"a","preset":"leader-crash"}"#; 4].join(",")), "a comparison has 2 or 3"),
        (
            v(r#"{"label":"a","preset":"nope"},{"label":"b","preset":"leader-crash"}"#),
            "variants[0]: there is no preset 'nope'",
        ),
        (v(r#"{"label":"a"},{"label":"b","preset":"leader-crash"}"#), "set exactly one of preset and scenario"),
        (v(r#"{"label":"a","preset":"leader-crash"},{"label":"a","preset":"leader-crash"}"#), "used twice"),
        (v(r#"{"label":"","preset":"leader-crash"},{"label":"b","preset":"leader-crash"}"#), "a label of 1 to 40"),
        (
            v(r#"{"label":"a","preset":"leader-crash","seed":3},{"label":"b","preset":"leader-crash"}"#),
            "unknown field `seed`",
        ),
        (
            format!(
                r#"{{"version":1,"timeline":[{{"at_ms":1,"action":"crash","node":9}}],"variants":[{}]}}"#,
                r#"{"label":"a","preset":"leader-crash"},{"label":"b","preset":"leader-crash"}"#
            ),
            "variants[0]: timeline[0]: node 9 does not exist",
        ),
        (r#"{"version":2,"variants":[]}"#.to_string(), "unsupported comparison version 2"),
    ] {
        let e = Comparison::from_json(&text).expect_err(says).to_string();
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn splitbrain_run_prints_the_table_and_its_json() {
    let path = format!("{}/static/comparisons/prevote.json", env!("CARGO_MANIFEST_DIR"));
    let run = |json: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_splitbrain"));
        c.arg("run").arg(&path);
        if json {
            c.arg("--json");
        }
        c.output().unwrap()
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("PreVote on and off"));
    let head = lines.next().unwrap();
    assert!(head.contains("without PreVote") && head.contains("with PreVote − without PreVote"), "{head}");
    let max_term = text.lines().find(|l| l.starts_with("metrics.max_term")).unwrap();
    assert_eq!(max_term.split_whitespace().collect::<Vec<_>>(), ["metrics.max_term", "24", "1", "-23"]);
    let out = run(true);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["labels"][1], "with PreVote");
    assert!(v["rows"].as_array().unwrap().iter().any(|r| r["figure"] == "metrics.elections"));
    // A bad comparison: exit 1 and a message, nothing on stdout.
    let bad = std::env::temp_dir().join("splitbrain-bad-comparison.json");
    std::fs::write(&bad, r#"{"version":1,"variants":[{"label":"a","preset":"x"},{"label":"b","preset":"x"}]}"#)
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_splitbrain")).arg("run").arg(&bad).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no preset 'x'"));
    assert!(out.stdout.is_empty());
}

/// A comparison file is written compact and then indented: the same bytes
/// as serde_json's own pretty form, for every example.
#[test]
fn every_example_comparison_is_written_as_serde_json_would_indent_it() {
    for (id, _) in splitbrain::viewmodel::compare::EXAMPLES {
        let (c, _) = Comparison::from_json(&file(id)).unwrap();
        let compact = serde_json::to_string(&c).unwrap();
        assert_eq!(splitbrain::scenario::pretty::indent(&compact), serde_json::to_string_pretty(&c).unwrap(), "{id}");
    }
}
