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
                Open::Board(_) => View::Board,
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

/// Each protocol's configuration errors are typed (a caller can match on
/// the rule that failed) and read as a person needs them.
#[test]
fn configuration_errors_are_typed_and_name_the_rule() {
    use splitbrain::protocols::gossip::{GossipConfigError, GossipSpec};
    use splitbrain::protocols::raft::{RaftConfigError, RaftParams};
    use splitbrain::protocols::store::node::StoreConfigError;
    use splitbrain::protocols::store::spec::StoreSpec;
    use splitbrain::protocols::swim::{SwimConfigError, SwimSpec};
    let raft = RaftParams { election_timeout_ms: [300.0, 150.0], ..RaftParams::default() }.to_config(5).unwrap_err();
    assert_eq!(raft, RaftConfigError::ElectionTimeoutBackwards { min_ms: 300.0, max_ms: 150.0 });
    assert_eq!(raft.to_string(), "election timeout range 300-150 ms is backwards: the minimum is above the maximum");
    let gossip = GossipSpec { fanout: 9, ..GossipSpec::default() }.to_config(5).unwrap_err();
    assert_eq!(gossip, GossipConfigError::Fanout { most: 4, fanout: 9 });
    assert_eq!(gossip.to_string(), "fanout must be between 1 and N - 1 = 4, not 9");
    let swim = SwimSpec { indirect: 5, ..SwimSpec::default() }.to_config(4).unwrap_err();
    assert_eq!(swim, SwimConfigError::TooManyHelpers { indirect: 5, most: 2 });
    let store = StoreSpec { r: 4, ..StoreSpec::default() }.to_config(5).unwrap_err();
    assert_eq!(store, StoreConfigError::QuorumAboveN { r: 4, w: 2, n: 3 });
    assert_eq!(
        store.to_string(),
        "R = 4 and W = 2 must each be at most N = 3 (a quorum of more replicas than there are)"
    );
    // Through the spine, the scenario says the same words.
    let mut s = splitbrain::scenario::presets::find("store-siblings").unwrap().scenario().unwrap();
    if let splitbrain::scenario::ProtocolSpec::Store(spec) = &mut s.protocol {
        spec.vnodes = 0;
    }
    assert_eq!(s.validate().unwrap_err().to_string(), "vnodes must be 1 to 256, not 0");
}

/// A link naming a protocol this build does not have says which it has
/// (the page then shows it in a banner and keeps the current run).
#[test]
fn a_link_naming_an_unknown_protocol_lists_the_protocols_there_are() {
    let json = splitbrain::scenario::Scenario::raft(3, 1).to_json().replace("\"raft\"", "\"zab\"");
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    let hash = splitbrain::scenario::codec::fragment_of(&packed, 0);
    match fragment::parse(&hash) {
        Open::Error(e) => {
            assert!(e.contains("unknown protocol 'zab'; this build runs raft, gossip, swim, store, paxos"), "{e}")
        }
        other => panic!("the link opened: {other:?}"),
    }
}
