//! `splitbrain elect`: the classic elections against their textbook
//! counts. Chang and Roberts' ring takes n·H(n) messages on average (CACM
//! 1979), checked with a confidence interval narrow enough that a 2× error
//! fails; the bully algorithm with the highest node crashed and the lowest
//! noticing takes exactly (n − 1)²; Raft's election, won at the first try,
//! takes 2(n − 1) (a vote asked of and given by each other server).

use splitbrain::experiments::elect::{harmonic, trial, Algorithm, ElectParams};
use std::process::Command;

fn params(algorithm: Algorithm, nodes: u32, trials: u32) -> ElectParams {
    ElectParams { algorithm, nodes, trials, seed: 1 }
}

#[test]
fn the_ring_takes_n_h_n_messages_on_average_and_at_most_n_n_plus_1_over_2() {
    for n in [4, 8, 15] {
        let p = params(Algorithm::Ring, n, 3000);
        let runs: Vec<_> = (0..p.trials).map(|i| trial(&p, i)).collect();
        let v: Vec<f64> = runs.iter().map(|t| t.messages as f64).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        let half = 3.0 * sd / (v.len() as f64).sqrt();
        let theory = f64::from(n) * harmonic(n);
        assert!(half < 0.03 * theory, "n = {n}: the interval ±{half:.2} is too wide to tell");
        assert!((mean - theory).abs() <= half, "n = {n}: mean {mean:.3}, theory n·H(n) = {theory:.3} ± {half:.3}");
        // The worst order (ids falling along the ring) costs n(n+1)/2.
        assert!(v.iter().all(|m| *m >= f64::from(2 * n - 1) && *m <= f64::from(n * (n + 1) / 2)));
        assert!(runs.iter().all(|t| t.announce == u64::from(n)), "the result goes round once");
    }
}

#[test]
fn the_bully_takes_n_minus_1_squared_messages_every_time() {
    for n in 3..=15 {
        let p = params(Algorithm::Bully, n, 5);
        for i in 0..p.trials {
            let t = trial(&p, i);
            assert_eq!(t.messages, u64::from((n - 1) * (n - 1)), "n = {n}");
            assert_eq!(t.announce, u64::from(n - 2), "the new coordinator tells every lower live node");
        }
    }
}

#[test]
fn raft_usually_elects_at_the_first_try_with_two_messages_per_other_server() {
    let n = 5;
    let p = params(Algorithm::Raft, n, 200);
    let runs: Vec<_> = (0..p.trials).map(|i| trial(&p, i)).collect();
    assert!(runs.iter().all(|t| t.messages >= u64::from(2 * (n - 1)) && t.announce == u64::from(n - 1)));
    let first_try = runs.iter().filter(|t| t.messages == u64::from(2 * (n - 1))).count();
    assert!(first_try >= 100, "{first_try} of 200 elections won at the first try");
    // Raft waits out an election timeout (150 to 300 ms) before it asks.
    assert!(runs.iter().all(|t| t.elect_us >= 150_000));
}

#[test]
fn the_command_line_reports_json_and_refuses_bad_input() {
    let out = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(["elect", "--algorithm", "bully", "--nodes", "6", "--trials", "3", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["messages"]["mean"], 25.0);
    assert_eq!(v["messages"]["max"], 25.0);
    assert_eq!(v["announce_messages"]["p50"], 4.0);
    assert_eq!(v["n_minus_1_squared"], 25);
    assert!(v["elect_ms"]["p50"].as_f64().unwrap() > 0.0);
    let bad = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(["elect", "--algorithm", "bully", "--nodes", "2"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--nodes must be 3 to 15 for bully, not 2"));
}
