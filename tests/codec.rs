//! Scenario links: encode -> decode is the identity, and no input panics.

use proptest::prelude::*;
use splitbrain::experiments::chaos::{self, ChaosParams};
use splitbrain::scenario::codec;
use splitbrain::scenario::{LinkSpec, Millis, Scenario};

fn scenario() -> impl Strategy<Value = Scenario> {
    (3u32..=9, any::<u64>(), 1u64..4_000_000, 0.0f64..0.5, "[ -~]{0,40}", any::<bool>(), any::<u8>()).prop_map(
        |(nodes, seed, dur, loss, name, prevote, patterns)| {
            let mut p =
                ChaosParams { nodes, duration_us: dur, membership: patterns & 1 != 0, ..ChaosParams::default() };
            p.raft.prevote = prevote;
            // The leader patterns, each on or off, with awkward values.
            if patterns & 2 != 0 {
                p.raft.witnesses = vec![nodes - 1];
                p.raft.witness_log = splitbrain::protocols::raft::WitnessLog::Full;
            }
            if patterns & 4 != 0 {
                p.raft.rotate_every_ms = Some(0.001 * f64::from(patterns) + 333.333);
            }
            if patterns & 8 != 0 {
                p.raft.rotate_every_commits = Some(u64::from(patterns));
            }
            if patterns & 16 != 0 {
                p.raft.snapshot_every = Some(1 + u64::from(patterns));
            }
            if patterns & 32 != 0 {
                p.raft.members = Some((0..nodes - 1).collect());
            }
            if patterns & 64 != 0 {
                p.raft.lease_drift_bound_ppm = Some(u32::from(patterns) * 100);
            }
            p.network = LinkSpec { latency_ms: [0.5, 12.25], loss, ..LinkSpec::default() };
            let mut s = chaos::schedule(&p, seed);
            s.name = name;
            s.duration_ms = Millis(dur);
            s
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_gives_back_the_same_scenario(s in scenario()) {
        let payload = codec::encode(&s);
        prop_assert!(payload.len() <= codec::MAX_LINK_BYTES);
        prop_assert_eq!(codec::decode(&payload).unwrap(), s.clone());
        let link = codec::parse_fragment(&codec::fragment(&s, 77)).unwrap().unwrap();
        prop_assert_eq!(link.scenario, s);
        prop_assert_eq!(link.at_us, Some(77));
    }

    #[test]
    fn any_string_decodes_to_a_scenario_or_an_error_without_panicking(text in ".{0,300}") {
        let _ = codec::decode(&text);
        let _ = codec::parse_fragment(&text);
    }

    #[test]
    fn damaged_payloads_are_refused_or_decode_to_a_valid_scenario(s in scenario(), cut in 0usize..400, flip in any::<u8>()) {
        let payload = codec::encode(&s);
        let mut bytes = payload.into_bytes();
        let i = cut % bytes.len();
        bytes[i] = b"ABCxyz019-_"[flip as usize % 11];
        let damaged = String::from_utf8(bytes).unwrap();
        if let Ok(d) = codec::decode(&damaged) {
            prop_assert!(d.validate().is_ok());
        }
        let truncated = &damaged[..i];
        if let Ok(d) = codec::decode(truncated) {
            prop_assert!(d.validate().is_ok());
        }
    }
}

/// docs/scenario.schema.json names exactly the fields and actions the code
/// reads and writes, so the schema cannot drift from the format.
#[test]
fn the_json_schema_matches_the_scenario_model() {
    use splitbrain::protocols::raft::RaftParams;
    use splitbrain::scenario::{Action, ClientLoad, LinkOverride, Target, TimedAction};
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/scenario.schema.json")).expect("the schema is JSON");
    let link = LinkSpec {
        heavy_tail: Some(splitbrain::scenario::HeavyTail { probability: 0.1, alpha: 1.5 }),
        ..LinkSpec::default()
    };
    let every_action = vec![
        Action::Crash { node: Target::Leader },
        Action::Restart { node: 0 },
        Action::Pause { node: Target::Node(1) },
        Action::Resume { node: 1 },
        Action::Cut { from: 0, to: 1, both: true },
        Action::Heal { a: 0, b: 1 },
        Action::Partition { groups: vec![vec![0]] },
        Action::Isolate { node: Target::Node(2) },
        Action::HealAll,
        Action::SetLink { from: 0, to: 1, link: link.clone() },
        Action::SetNetwork { link: link.clone() },
        Action::Skew { node: 0, offset_ms: 1.5, drift_ppm: 100 },
        Action::Request { node: Target::Leader, key: None },
        Action::Read { node: Target::Leader, key: None },
        Action::Transfer { to: 1 },
        Action::Campaign { node: 2 },
        Action::AddServer { node: 2 },
        Action::RemoveServer { node: 1 },
        Action::RegionDown { region: "a".into() },
        Action::RegionUp { region: "a".into() },
        Action::SplitRegions { groups: vec![vec!["a".into()]] },
    ];
    let s = Scenario {
        name: "n".into(),
        description: "d".into(),
        protocol: splitbrain::scenario::ProtocolSpec::Raft(RaftParams {
            bug: Some(splitbrain::protocols::raft::Bug::VoteTwice),
            lease_drift_bound_ppm: Some(10_000),
            witnesses: vec![2],
            witness_log: splitbrain::protocols::raft::WitnessLog::Full,
            rotate_every_ms: Some(1000.0),
            rotate_every_commits: Some(10),
            snapshot_every: Some(100),
            members: Some(vec![0, 1, 2]),
            ..RaftParams::default()
        }),
        network: link.clone(),
        links: vec![LinkOverride { from: 0, to: 1, link: link.clone() }],
        regions: vec![splitbrain::scenario::Region { name: "a".into(), nodes: 3 }],
        inter_region: Some(link.clone()),
        client: Some(ClientLoad { interval_ms: 5.0, reads: true }),
        fsync_ms: Some([1.0, 2.0]),
        scripted: false,
        timeline: every_action.iter().map(|a| TimedAction { at: Millis(1), action: a.clone() }).collect(),
        expect: Some(splitbrain::scenario::Expect {
            violations: vec!["Election Safety".into()],
            bounds: vec![splitbrain::scenario::Bound {
                metric: "metrics.events".into(),
                min: Some(1.0),
                max: Some(2.0),
            }],
        }),
        alerts: vec![splitbrain::scenario::alerts::AlertRule {
            name: Some("n".into()),
            no_leader_ms: Some(1.0),
            loss_percent: Some(1.0),
            window_ms: Some(1.0),
            latency_p99_ms: Some(1.0),
            divergence_ms: Some(1.0),
            property: Some("p".into()),
        }],
        marks: vec![splitbrain::scenario::tour::Bookmark { at_ms: 1.0, label: "m".into() }],
        tour: vec![splitbrain::scenario::tour::TourStep {
            at_ms: 1.0,
            caption: "c".into(),
            highlight: vec![0],
            pause: true,
            preset: Some("leader-crash".into()),
        }],
        ..Scenario::raft(3, 1)
    };
    let json = serde_json::to_value(&s).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&json), keys(&schema["properties"]));
    assert_eq!(keys(&json["protocol"]["raft"]), keys(&schema["$defs"]["raft"]["properties"]));
    assert_eq!(keys(&json["alerts"][0]), keys(&schema["properties"]["alerts"]["items"]["properties"]));
    assert_eq!(keys(&json["marks"][0]), keys(&schema["properties"]["marks"]["items"]["properties"]));
    assert_eq!(keys(&json["tour"][0]), keys(&schema["properties"]["tour"]["items"]["properties"]));
    assert_eq!(keys(&json["regions"][0]), keys(&schema["properties"]["regions"]["items"]["properties"]));
    // The store's parameters and workload, every field set.
    use splitbrain::protocols::store::inventory::Compensation;
    use splitbrain::protocols::store::spec::{InventorySpec, StoreSpec, WorkloadSpec};
    let store = StoreSpec {
        workload: Some(WorkloadSpec {
            stop_ms: Some(1.0),
            inventory: Some(InventorySpec { stock: 3, compensation: Compensation::BackOrder }),
            ..WorkloadSpec::default()
        }),
        bug: Some(splitbrain::protocols::store::node::StoreBug::SyncWithoutRepair),
        ..StoreSpec::default()
    };
    let store = serde_json::to_value(&store).unwrap();
    let def = &schema["$defs"]["store"]["properties"];
    assert_eq!(keys(&store), keys(def));
    assert_eq!(keys(&store["workload"]), keys(&def["workload"]["properties"]));
    let inventory = &def["workload"]["properties"]["inventory"]["properties"];
    assert_eq!(keys(&store["workload"]["inventory"]), keys(inventory));
    assert_eq!(keys(&json["network"]), keys(&schema["$defs"]["link"]["properties"]));
    let variants = schema["$defs"]["timed_action"]["oneOf"].as_array().unwrap();
    assert_eq!(variants.len(), every_action.len());
    for (entry, variant) in json["timeline"].as_array().unwrap().iter().zip(variants) {
        assert_eq!(entry["action"], variant["properties"]["action"]["const"]);
        let mut allowed = keys(&variant["properties"]);
        allowed.sort();
        for k in keys(entry) {
            assert!(allowed.contains(&k), "{k} of {} is not in the schema", entry["action"]);
        }
    }
    let bugs = &schema["$defs"]["raft"]["properties"]["bug"]["oneOf"][1]["enum"];
    for bug in splitbrain::protocols::raft::Bug::ALL {
        assert!(bugs.as_array().unwrap().contains(&serde_json::to_value(bug).unwrap()), "{bug:?}");
    }
    // What a scenario declares it shows.
    assert_eq!(keys(&json["expect"]), keys(&schema["properties"]["expect"]["properties"]));
    assert_eq!(
        keys(&json["expect"]["bounds"][0]),
        keys(&schema["properties"]["expect"]["properties"]["bounds"]["items"]["properties"])
    );
    // Every protocol's parameters, and their broken variants.
    use splitbrain::protocols::{gossip, swim};
    let protocols = [
        (
            "gossip",
            splitbrain::scenario::ProtocolSpec::Gossip(gossip::GossipSpec {
                bug: Some(gossip::Bug::ReplaceOnPull),
                ..Default::default()
            }),
        ),
        (
            "swim",
            splitbrain::scenario::ProtocolSpec::Swim(swim::SwimSpec {
                bug: Some(swim::Bug::SuspectForever),
                ..Default::default()
            }),
        ),
    ];
    // The board view's protocols, every optional field set.
    use splitbrain::protocols::{bully, federation, fencing, multipaxos, paxos, ring};
    let boards = [
        (
            "federation",
            splitbrain::scenario::ProtocolSpec::Federation(federation::FederationSpec {
                global_leader: Some("a".into()),
                clients: Some("a".into()),
                bug: Some(federation::Bug::AckEarly),
                ..Default::default()
            }),
        ),
        (
            "paxos",
            splitbrain::scenario::ProtocolSpec::Paxos(paxos::PaxosSpec {
                q1: Some(3),
                q2: Some(3),
                bug: Some(paxos::Bug::ForgetPromise),
                ..Default::default()
            }),
        ),
        (
            "multipaxos",
            splitbrain::scenario::ProtocolSpec::MultiPaxos(multipaxos::MultiPaxosSpec {
                q1: Some(4),
                q2: Some(3),
                bug: Some(multipaxos::Bug::LocalReads),
                ..Default::default()
            }),
        ),
        (
            "fencing",
            splitbrain::scenario::ProtocolSpec::Fencing(fencing::FencingSpec {
                bug: Some(fencing::Bug::NoTokenCheck),
                ..Default::default()
            }),
        ),
        (
            "bully",
            splitbrain::scenario::ProtocolSpec::Bully(bully::BullySpec {
                bug: Some(bully::Bug::NoOk),
                ..Default::default()
            }),
        ),
        (
            "ring",
            splitbrain::scenario::ProtocolSpec::Ring(ring::RingSpec {
                ids: vec![2, 1],
                bug: Some(ring::Bug::ForwardSmaller),
            }),
        ),
    ];
    // The schema names every protocol the registry lists, and no other.
    let mut registered: Vec<&str> = splitbrain::scenario::ProtocolKind::ALL.iter().map(|k| k.name()).collect();
    registered.sort();
    assert_eq!(keys(&schema["properties"]["protocol"]["properties"]), registered);
    for (name, spec) in protocols.into_iter().chain(boards) {
        let json = serde_json::to_value(&spec).unwrap();
        assert_eq!(keys(&json[name]), keys(&schema["$defs"][name]["properties"]), "{name}");
    }
    let enum_of =
        |name: &str| schema["$defs"][name]["properties"]["bug"]["oneOf"][1]["enum"].as_array().unwrap().clone();
    for bug in gossip::Bug::ALL {
        assert!(enum_of("gossip").contains(&serde_json::to_value(bug).unwrap()), "{bug:?}");
    }
    for bug in swim::Bug::ALL {
        assert!(enum_of("swim").contains(&serde_json::to_value(bug).unwrap()), "{bug:?}");
    }
    assert_eq!(enum_of("paxos"), paxos::Bug::ALL.iter().map(|b| serde_json::to_value(b).unwrap()).collect::<Vec<_>>());
    assert_eq!(
        enum_of("fencing"),
        [fencing::Bug::NoTokenCheck, fencing::Bug::NoIdempotency].map(|b| serde_json::to_value(b).unwrap())
    );
    assert_eq!(
        enum_of("multipaxos"),
        multipaxos::Bug::ALL.iter().map(|b| serde_json::to_value(b).unwrap()).collect::<Vec<_>>()
    );
    assert_eq!(
        enum_of("federation"),
        federation::Bug::ALL.iter().map(|b| serde_json::to_value(b).unwrap()).collect::<Vec<_>>()
    );
    assert_eq!(enum_of("bully"), [serde_json::to_value(bully::Bug::NoOk).unwrap()]);
    assert_eq!(enum_of("ring"), [serde_json::to_value(ring::Bug::ForwardSmaller).unwrap()]);
    use splitbrain::protocols::store::node::StoreBug;
    let store_bugs: Vec<serde_json::Value> =
        [StoreBug::ServerContext, StoreBug::KeepOneSibling, StoreBug::SyncWithoutRepair, StoreBug::SlowSync]
            .iter()
            .map(|b| serde_json::to_value(b).unwrap())
            .collect();
    assert_eq!(enum_of("store"), store_bugs);
}

/// Hostile links: of 35,406 single-character changes to a link, 2,180
/// used to open a different scenario without a word. With the checksum,
/// every change to a link is refused or opens exactly the same run; a link
/// made before the checksum (no `c=`) still opens.
#[test]
fn a_changed_link_is_refused_or_opens_the_same_run() {
    assert_eq!(codec::crc32(b"123456789"), 0xCBF4_3926, "CRC-32/IEEE check value");
    let s = splitbrain::scenario::presets::find("leader-crash").unwrap().scenario().unwrap();
    let link = codec::fragment(&s, 1_234_567);
    assert!(link.contains("&c="), "{link}");
    let original = codec::parse_fragment(&link).unwrap().unwrap();
    // Every single-character change: (tried, refused, opened another run).
    let mutate = |link: &str| {
        let (mut tried, mut refused, mut different) = (0, 0, Vec::new());
        for (i, old) in link.char_indices() {
            for new in ['A', 'Q', 'g', 'z', '0', '7', '-', '_', '&', '='] {
                if new == old {
                    continue;
                }
                let mut changed = link.to_string();
                changed.replace_range(i..i + 1, &new.to_string());
                tried += 1;
                match codec::parse_fragment(&changed) {
                    Ok(Some(l)) if l == original => {}
                    Ok(Some(_)) => different.push(changed),
                    Ok(None) | Err(_) => refused += 1,
                }
            }
        }
        (tried, refused, different)
    };
    let (tried, refused, different) = mutate(&link);
    assert!(different.is_empty(), "{} of {tried} changes opened another run, e.g. {}", different.len(), different[0]);
    assert!(refused > tried * 9 / 10, "{refused} of {tried} refused");
    // The same link without its checksum: it still opens, and changes to it
    // do open other runs (what the checksum is for).
    let old_style = link.split("&c=").next().unwrap();
    assert_eq!(codec::parse_fragment(old_style).unwrap().unwrap(), original);
    let (tried, _, different) = mutate(old_style);
    assert!(!different.is_empty(), "without a checksum, none of {tried} changes opened another run");
}
