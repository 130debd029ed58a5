//! The registry is the one list of protocols, and every protocol on it has
//! what the spine and the app expect of one (docs/adding-a-protocol.md):
//! presets that declare and show what they show, a broken variant that a
//! checker catches by name, golden trace hashes (which `tests/wasm.rs`
//! reproduces in wasm), a view that its links open in, and a report from
//! `splitbrain run`.

use splitbrain::protocols::registry::{ProtocolKind, View};
use splitbrain::scenario::presets::{Preset, PRESETS};
use splitbrain::scenario::{batch, Scenario};
use splitbrain::viewmodel::fragment::{self, Open};

fn presets_of(kind: ProtocolKind) -> Vec<&'static Preset> {
    PRESETS.iter().filter(|p| p.protocol() == kind).collect()
}

/// Whether a scenario runs a deliberately broken variant: its protocol
/// spec names a bug (every protocol's spec spells it `bug`).
fn has_bug(s: &Scenario) -> bool {
    let spec = serde_json::to_value(&s.protocol).unwrap();
    spec.as_object().and_then(|o| o.values().next()).and_then(|v| v.get("bug")).is_some_and(|b| !b.is_null())
}

/// A run's text and JSON reports, as `splitbrain run` prints them.
fn report(s: Scenario, id: &str, json: bool) -> (batch::Batch, String) {
    let mut out = String::new();
    let b = batch::stream(s, 1, id.into(), json, &mut |line| out.push_str(line), |_| {}).unwrap();
    (b, out)
}

#[test]
fn every_protocol_has_three_explained_presets_that_declare_what_they_show() {
    for &kind in ProtocolKind::ALL {
        let explained = presets_of(kind)
            .into_iter()
            .filter(|p| {
                let s = p.scenario().unwrap();
                s.expect.is_some() && s.description.len() > 100 && !s.name.is_empty()
            })
            .count();
        assert!(explained >= 3, "{}: only {explained} explained presets that declare what they show", kind.name());
    }
}

#[test]
fn every_protocol_has_a_broken_variant_that_its_checker_catches_by_name() {
    for &kind in ProtocolKind::ALL {
        let mut caught = Vec::new();
        for p in presets_of(kind) {
            let s = p.scenario().unwrap();
            let declared = s.expect.as_ref().map(|e| e.violations.clone()).unwrap_or_default();
            if !has_bug(&s) || declared.is_empty() {
                continue;
            }
            let (b, text) = report(s, p.id, false);
            // The run shows exactly the violations it declares, and names them.
            assert!(b.misses.is_empty(), "{}: {:?}", p.id, b.misses);
            assert!(b.violations > 0, "{}: no violation", p.id);
            for property in &declared {
                assert!(text.contains(&format!("{property} (")), "{}: the report does not name {property}", p.id);
            }
            caught.push(p.id);
        }
        assert!(!caught.is_empty(), "{}: no preset runs a broken variant that a checker catches", kind.name());
    }
}

#[test]
fn every_protocol_has_golden_trace_hashes() {
    let golden = include_str!("golden/trace_hashes.txt");
    let recorded: Vec<&str> = golden.lines().filter_map(|l| l.split(' ').next()).collect();
    for &kind in ProtocolKind::ALL {
        let pinned: Vec<_> = presets_of(kind).into_iter().filter(|p| recorded.contains(&p.id)).map(|p| p.id).collect();
        assert!(!pinned.is_empty(), "{}: no preset's trace hash is recorded", kind.name());
    }
}

#[test]
fn every_protocols_links_open_in_its_view() {
    for &kind in ProtocolKind::ALL {
        for p in presets_of(kind) {
            let opened = fragment::parse(&format!("preset={}&t=1000", p.id));
            let view = match opened {
                Open::Raft(_) => View::Raft,
                Open::Swarm(_) => View::Swarm,
                Open::Store(_) => View::Store,
                other => panic!("{}: the link opens {other:?}", p.id),
            };
            assert_eq!(view, kind.view(), "{}", p.id);
        }
    }
}

#[test]
fn every_protocol_gets_a_run_report_naming_it() {
    for &kind in ProtocolKind::ALL {
        let p = presets_of(kind)[0];
        let (b, json) = report(p.scenario().unwrap(), p.id, true);
        assert_eq!(b.exit_code(), 0, "{}", p.id);
        let v: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(v["protocol"], kind.name(), "{}", p.id);
        let run = &v["runs"][0];
        assert!(run["metrics"]["events"].as_u64().unwrap() > 0, "{}: {v}", p.id);
        assert!(run["figures"].as_object().is_some_and(|f| !f.is_empty()), "{}: no figures", p.id);
    }
}
