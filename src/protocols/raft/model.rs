//! Raft on the spine: how a scenario configures it, its checker and
//! observer, and which timeline actions are Raft commands.

use super::invariants::RaftChecker;
use super::observe::Observed;
use super::{cluster, Cmd, Note, Raft, RaftConfig, Role};
use crate::scenario::model::{Model, Route};
use crate::scenario::{Action, ProtocolSpec, Scenario, ScenarioError};
use crate::sim::trace::{Event, EventKind};
use crate::sim::{NodeId, Sim};

impl Model for Raft {
    const NAME: &'static str = "raft";
    const HAS_LEADER: bool = true;
    type Checker = RaftChecker;
    type Observer = Observed;

    fn config(s: &Scenario) -> Result<RaftConfig, ScenarioError> {
        match &s.protocol {
            ProtocolSpec::Raft(p) => p.to_config(s.nodes).map_err(ScenarioError::Invalid),
            other => Err(ScenarioError::WrongProtocol { found: other.name(), expected: "Raft" }),
        }
    }

    fn checker(_: &Scenario) -> RaftChecker {
        RaftChecker::default()
    }

    fn leader(sim: &Sim<Raft>) -> Option<NodeId> {
        cluster::leader(sim)
    }

    fn request(id: u64) -> Option<Cmd> {
        Some(Cmd::Request(id))
    }

    fn read(id: u64) -> Option<Cmd> {
        Some(Cmd::Read(id))
    }

    fn command(action: &Action) -> Option<(Route, Cmd)> {
        use crate::scenario::Target;
        Some(match *action {
            Action::Transfer { to } => (Route::Leader, Cmd::TransferLeadership(to)),
            Action::Campaign { node } => (Route::To(Target::Node(node)), Cmd::Campaign),
            Action::AddServer { node } => (Route::Leader, Cmd::AddServer(node)),
            Action::RemoveServer { node } => (Route::Leader, Cmd::RemoveServer(node)),
            _ => return None,
        })
    }

    fn marks_leader(e: &Event<Raft>) -> bool {
        matches!(e.kind, EventKind::Note { note: Note::Role { role: Role::Leader, .. }, .. })
    }
}
