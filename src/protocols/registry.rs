//! The registry: the one list of protocols.
//!
//! Everything that differs by protocol comes from the lines at the foot of
//! this file through typed enums: a scenario's `protocol` object
//! ([`ProtocolSpec`]), the kinds and their names ([`ProtocolKind`]), the
//! selector's entries and the view that draws each ([`View`]), where a link
//! or a preset opens, the autosave keys, and the dispatch from a file to
//! generic code ([`ProtocolKind::dispatch`]). Adding a protocol is its
//! folder, its view, its presets and one line here; every `match` on these
//! enums is exhaustive, so the compiler points to anything else.

use super::{bully, federation, fencing, gossip, multipaxos, paxos, raft, ring, store, swim};
use crate::contract::Runnable;
use serde::{Deserialize, Serialize};

/// Which of the app's views draws a protocol's runs. The UI matches on it
/// exhaustively, so a protocol with a new view is drawn or does not build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    /// A Raft cluster: roles, terms, logs, leases, time travel.
    Raft,
    /// Thousands of sites on a canvas: gossip and SWIM.
    Swarm,
    /// The availability-first store: the ring, replicas, siblings.
    Store,
    /// Any protocol with a board: the cluster, its nodes and messages as
    /// the protocol draws them, with the playground's faults, time travel,
    /// log, diagram, checkers and a settings form made from its spec. The
    /// selector lists each of its protocols by name.
    Board,
}

impl View {
    /// Every view, in the selector's order.
    pub const ALL: [View; 4] = [View::Raft, View::Swarm, View::Store, View::Board];

    /// The name stored to remember which view was showing.
    pub fn key(self) -> &'static str {
        match self {
            View::Raft => "raft",
            View::Swarm => "gossip",
            View::Store => "store",
            View::Board => "board",
        }
    }

    /// The view with this stored name.
    pub fn from_key(key: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }

    /// Its entry in the protocol selector.
    pub fn label(self) -> &'static str {
        match self {
            View::Raft => "Raft",
            View::Swarm => "Gossip & SWIM",
            View::Store => "Store",
            View::Board => "More ways to agree",
        }
    }

    /// What it shows, for the selector's tooltip.
    pub fn summary(self) -> &'static str {
        match self {
            View::Raft => "majority quorums and a leader",
            View::Swarm => "epidemic gossip and SWIM membership",
            View::Store => "the availability-first store: Dynamo-style quorums, version vectors and repair",
            View::Board => "Paxos and other protocols, each drawn by its own board",
        }
    }

    /// Its help card: keys, mouse gestures and symbols.
    pub fn help(self) -> super::help::Help {
        super::help::of(self)
    }

    /// Where the view's run is autosaved in the browser's local storage
    /// (these keys predate the registry; keeping them keeps people's runs).
    pub fn autosave_key(self) -> &'static str {
        match self {
            View::Raft => "splitbrain.autosave.v2",
            View::Swarm => "splitbrain.gossip.v2",
            View::Store => "splitbrain.store.v1",
            View::Board => "splitbrain.board.v1",
        }
    }

    /// The protocols this view draws.
    pub fn protocols(self) -> impl Iterator<Item = ProtocolKind> {
        ProtocolKind::ALL.iter().copied().filter(move |k| k.view() == self)
    }
}

/// A protocol as the registry lists it: its kind, and how its spec sits in
/// a scenario's [`ProtocolSpec`]. Implemented by the registry's lines only.
pub trait Registered: Runnable {
    const KIND: ProtocolKind;
    /// This protocol's spec, if `p` is one.
    fn spec(p: &ProtocolSpec) -> Option<&Self::Spec>;
    /// A scenario's protocol object holding `spec`.
    fn wrap(spec: Self::Spec) -> ProtocolSpec;
}

/// Code that is generic over the protocol, run for a kind chosen at run
/// time ([`ProtocolKind::dispatch`]).
pub trait ForEach {
    type Output;
    fn call<P: Registered>(self) -> Self::Output;
}

macro_rules! registry {
    (
        $d:tt
        $( $(#[doc = $doc:literal])* $kind:ident { name: $name:literal, label: $label:literal, node: $node:ty, view: $view:ident } )*
        ;
        $( $(#[doc = $bdoc:literal])* $bkind:ident { name: $bname:literal, label: $blabel:literal, node: $bnode:ty, view: Board } )*
    ) => {
        registry!(@all $( $(#[doc = $doc])* $kind { name: $name, label: $label, node: $node, view: $view } )*
            $( $(#[doc = $bdoc])* $bkind { name: $bname, label: $blabel, node: $bnode, view: Board } )*);

        /// Calls `$then!` with every protocol the board view draws, as
        /// `Kind: node_type,` lines: the view-model's and the UI's lists of
        /// boards are made from it, so a line here is all they need.
        macro_rules! each_board {
            ($d then:ident) => { $d then! { $( $bkind: $d crate::protocols::registry::boards::$bkind, )* } };
        }
        pub(crate) use each_board;

        /// The board view's node types, by kind, for [`each_board`]'s
        /// callers (the lines' paths are relative to this file).
        pub mod boards {
            use super::*;
            $( pub type $bkind = $bnode; )*
        }
    };
    (@all $( $(#[doc = $doc:literal])* $kind:ident { name: $name:literal, label: $label:literal, node: $node:ty, view: $view:ident } )*) => {
        /// A protocol, by kind.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ProtocolKind {
            $( $(#[doc = $doc])* $kind, )*
        }

        impl ProtocolKind {
            /// Every protocol, in the order menus and docs list them.
            pub const ALL: &'static [ProtocolKind] = &[$(ProtocolKind::$kind),*];

            /// Its key in a scenario's `protocol` object.
            pub fn name(self) -> &'static str {
                match self { $(ProtocolKind::$kind => $name,)* }
            }

            /// Its name as a person reads it.
            pub fn label(self) -> &'static str {
                match self { $(ProtocolKind::$kind => $label,)* }
            }

            /// The view that draws it.
            pub fn view(self) -> View {
                match self { $(ProtocolKind::$kind => View::$view,)* }
            }

            /// Runs `f` with this protocol's node type.
            pub fn dispatch<F: ForEach>(self, f: F) -> F::Output {
                match self { $(ProtocolKind::$kind => f.call::<$node>(),)* }
            }
        }

        /// The protocol and its parameters, as a scenario file writes them:
        /// `{"raft": {...}}`, `{"gossip": {...}}`, and so on.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub enum ProtocolSpec {
            $( #[serde(rename = $name)] $kind(<$node as Runnable>::Spec), )*
        }

        impl ProtocolSpec {
            pub fn kind(&self) -> ProtocolKind {
                match self { $(ProtocolSpec::$kind(_) => ProtocolKind::$kind,)* }
            }
        }

        $(
            impl Registered for $node {
                const KIND: ProtocolKind = ProtocolKind::$kind;
                fn spec(p: &ProtocolSpec) -> Option<&Self::Spec> {
                    match p {
                        ProtocolSpec::$kind(s) => Some(s),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
                fn wrap(spec: Self::Spec) -> ProtocolSpec {
                    ProtocolSpec::$kind(spec)
                }
            }
        )*
    };
}

impl ProtocolKind {
    /// The protocol with this key, as a scenario file writes it.
    pub fn from_name(name: &str) -> Option<ProtocolKind> {
        ProtocolKind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Every key, for messages that list them ("raft, gossip, ...").
    pub fn names() -> String {
        ProtocolKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
    }
}

impl ProtocolSpec {
    /// Its key in a scenario file.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

registry! {
    $
    /// Raft: leader election, log replication, leases, witnesses, rotation,
    /// snapshots and membership changes (Ongaro & Ousterhout 2014).
    Raft { name: "raft", label: "Raft", node: raft::Raft, view: Raft }
    /// Epidemic dissemination: anti-entropy and rumor mongering (Demers et
    /// al. 1987).
    Gossip { name: "gossip", label: "Gossip", node: gossip::Gossip, view: Swarm }
    /// SWIM membership: probes, indirect probes, suspicion (Das et al. 2002).
    Swim { name: "swim", label: "SWIM", node: swim::Swim, view: Swarm }
    /// An availability-first Dynamo-style store (DeCandia et al. 2007).
    Store { name: "store", label: "Store", node: store::node::StoreNode, view: Store }
    ;
    // The board view's protocols, each drawn by its own board and face.
    /// Single-decree Paxos with flexible quorums (Lamport 2001; Howard et
    /// al. 2016).
    Paxos { name: "paxos", label: "Paxos", node: paxos::Paxos, view: Board }
    /// Multi-Paxos: a distinguished leader, a replicated log and flexible
    /// quorums (Lamport 2001 §3; Howard et al. 2016).
    MultiPaxos { name: "multipaxos", label: "Multi-Paxos", node: multipaxos::MultiPaxos, view: Board }
    /// A lock service's leases with fencing tokens, and tasks with
    /// idempotency keys (Kleppmann 2016; Chubby §2.4).
    Fencing { name: "fencing", label: "Leases & fencing", node: fencing::Fencing, view: Board }
    /// The bully election (Garcia-Molina 1982).
    Bully { name: "bully", label: "Bully election", node: bully::Bully, view: Board }
    /// Chang and Roberts' ring election (1979).
    Ring { name: "ring", label: "Ring election", node: ring::Ring, view: Board }
    /// Federated regions: a Multi-Paxos group per region and a global
    /// group under a quota (Spanner §2; the Demarcation Protocol).
    Federation { name: "federation", label: "Federated regions", node: federation::Federation, view: Board }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name_and_spec() {
        for &k in ProtocolKind::ALL {
            assert_eq!(ProtocolKind::from_name(k.name()), Some(k));
            struct Default;
            impl ForEach for Default {
                type Output = ProtocolSpec;
                fn call<P: Registered>(self) -> ProtocolSpec {
                    P::wrap(P::Spec::default())
                }
            }
            let spec = k.dispatch(Default);
            assert_eq!(spec.kind(), k);
            // The file key is the registry's name.
            let json = serde_json::to_value(&spec).unwrap();
            assert_eq!(json.as_object().unwrap().keys().next().map(String::as_str), Some(k.name()));
            assert!(k.view().protocols().any(|p| p == k));
        }
        assert_eq!(ProtocolKind::from_name("zab"), None);
    }

    #[test]
    fn every_view_draws_a_protocol_and_has_its_own_keys() {
        for v in View::ALL {
            assert!(v.protocols().next().is_some(), "{v:?} draws no protocol");
            assert_eq!(View::from_key(v.key()), Some(v));
            assert_eq!(View::ALL.iter().filter(|w| w.autosave_key() == v.autosave_key()).count(), 1);
        }
    }
}
