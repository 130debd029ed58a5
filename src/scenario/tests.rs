//! The scenario model: what bad files are told.

use super::*;

/// Bad files are refused with an error that names what was found, as a
/// value a caller can match on, not only as text.
#[test]
fn bad_files_get_typed_errors_that_name_what_was_found() {
    let e = |json: &str| Scenario::from_json(json).unwrap_err();
    assert_eq!(e("{"), ScenarioError::Json("EOF while parsing an object at line 1 column 1".into()));
    assert_eq!(e(r#"{"nodes": 3}"#), ScenarioError::MissingVersion);
    assert_eq!(
        e(r#"{"version": 2, "protocol": {"zab": {}}}"#),
        ScenarioError::Version { what: "scenario", found: "2".into(), supported: VERSION }
    );
    let unknown = e(r#"{"version": 1, "protocol": {"zab": {}}}"#);
    assert_eq!(unknown, ScenarioError::UnknownProtocol { found: "zab".into() });
    assert_eq!(
        unknown.to_string(),
        "unknown protocol 'zab'; this build runs raft, gossip, swim, store, paxos, multipaxos, fencing, bully, ring, federation"
    );
    assert!(matches!(e(r#"{"version": 1, "nodes": "five"}"#), ScenarioError::Shape(_)));
    assert!(matches!(
        e(r#"{"version": 1, "protocol": {"raft": {}}, "nodes": 99, "seed": 1}"#),
        ScenarioError::Invalid(_)
    ));
    let gossip = Scenario { protocol: ProtocolSpec::Gossip(Default::default()), ..Scenario::raft(5, 1) };
    assert_eq!(gossip.raft_config().unwrap_err(), ScenarioError::WrongProtocol { found: "gossip", expected: "Raft" });
}
