//! Each view's help: its keys, what the mouse does, and what its symbols
//! mean. The registry hands it out ([`super::registry::View::help`]); the
//! UI only lays it out, so a new view brings its own words.

use super::registry::View;

/// One view's help card.
pub struct Help {
    /// (key, what it does).
    pub keys: &'static [(&'static str, &'static str)],
    /// What a click or a drag does.
    pub mouse: &'static [&'static str],
    /// What the drawing's colours, rings and marks mean.
    pub symbols: &'static str,
}

/// The keys every view has.
const PLAYBACK: [(&str, &str); 4] = [
    ("space", "play / pause"),
    ("Shift →", "run 100 ms of simulated time, then pause"),
    ("[ and ]", "slower / faster"),
    ("r", "reset"),
];

const TOUR: (&str, &str) = ("n / p", "a guided tour's next / previous step (▶ Tours)");
const EDIT: (&str, &str) = ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo an edit of the timeline");

const RAFT_KEYS: [(&str, &str); 16] = [
    PLAYBACK[0],
    ("→", "step to the next event (also on the focused timeline)"),
    PLAYBACK[1],
    ("←", "step back to the previous event"),
    PLAYBACK[2],
    ("k", "kill the leader"),
    ("a", "add a spare server to the cluster"),
    ("h", "heal all links and partitions"),
    ("r", "reset (applies changed settings)"),
    ("x", "Experiments: failover, gossip and SWIM Monte Carlo in a worker"),
    ("b", "Find a bug: search this scenario in a worker; the bug zoo"),
    ("d", "space-time diagram: who sent what to whom, and when"),
    ("Tab, Enter", "reach a node or a link; open its menu (its first action takes the focus)"),
    TOUR,
    EDIT,
    ("? / Esc", "this help / close the help, a panel or the open menu"),
];

const STORE_KEYS: [(&str, &str); 14] = [
    PLAYBACK[0],
    ("→", "step to the next event (also on the focused timeline)"),
    PLAYBACK[1],
    ("←", "step back to the previous event"),
    PLAYBACK[2],
    ("h", "heal all links and partitions"),
    ("r", "reset (applies changed settings)"),
    ("x", "Experiments in a worker"),
    ("b", "Find a bug: search this scenario in a worker; the bug zoo"),
    ("d", "space-time diagram: who sent what to whom, and when"),
    ("Tab, Enter", "reach a node or a link; open its menu (its first action takes the focus)"),
    TOUR,
    EDIT,
    ("? / Esc", "this help / close the help, a panel or the open menu"),
];

const SWARM_KEYS: [(&str, &str); 11] = [
    PLAYBACK[0],
    ("→", "step to the next event"),
    PLAYBACK[1],
    PLAYBACK[2],
    PLAYBACK[3],
    ("x", "Experiments: gossip and SWIM Monte Carlo in a worker"),
    ("b", "Find a bug: search this scenario in a worker; the bug zoo"),
    ("d", "space-time diagram: who sent what to whom, and when"),
    TOUR,
    EDIT,
    ("? / Esc", "this help / close the help, or deselect"),
];

const BOARD_KEYS: [(&str, &str); 13] = [
    PLAYBACK[0],
    ("→", "step to the next event (also on the focused timeline)"),
    PLAYBACK[1],
    ("←", "step back to the previous event"),
    PLAYBACK[2],
    ("h", "heal all links and partitions"),
    ("r", "reset (applies changed settings)"),
    ("b", "Find a bug: search this scenario in a worker; the bug zoo"),
    ("d", "space-time diagram: who sent what to whom, and when"),
    ("Tab, Enter", "reach a node or a link; open its menu (its first action takes the focus)"),
    TOUR,
    EDIT,
    ("? / Esc", "this help / close the help, a panel or the open menu"),
];

/// The help card of `view`.
pub fn of(view: View) -> Help {
    match view {
        View::Raft => Help {
            keys: &RAFT_KEYS,
            mouse: &[
                "Click a node: crash, restart, pause, resume, force a timeout, send a client request, make it leader, add it to or remove it from the cluster, skew its clock.",
                "Click a link: cut one direction or both, heal, set latency and loss.",
                "Drag a rectangle around nodes: partition them from the rest.",
                "Click an event in the log: highlight the nodes involved.",
                "In the space-time diagram (d): point at a message to read it, click to travel to that instant, click a lane's name to select its node.",
                "Patterns (next to Reset): leader leases, witnesses, rotating leadership, snapshots and spare servers; applied on reset. The presets show each one at work.",
            ],
            symbols: "Nodes are coloured by role: follower, pre-candidate, candidate, leader, paused, crashed; the number is the term. The ring around a node is its election timer, on its own clock; a gold ring is a leader's lease. W marks a witness; a dimmed node marked spare is outside the configuration; \"clock ±x ms\" under a node shows how far its skewed clock is from true time. Dashed red links are cut; shaded groups are partitions. A red cross marks a dropped message. Every run is decided by its seed: the same seed and the same actions give the same run.",
        },
        View::Store => Help {
            keys: &STORE_KEYS,
            mouse: &[
                "Click a node: crash, restart, pause, resume, skew its clock, or send a client write or read through it (the key drawn from the workload's keys); the inspector shows what it holds.",
                "Click a link: cut one direction or both, heal, set latency and loss.",
                "Drag a rectangle around nodes: partition them from the rest.",
                "Hover a cell of the keys × replicas table: the versions it holds, each with the dot that made it and its causal past.",
                "In the space-time diagram (d): point at a message to read it, click to travel to that instant, click a lane's name to select its node.",
            ],
            symbols: "Inside the circle of nodes, the hash ring: each coloured arc is a node's share of the keys, and each key sits at its point, red while its replicas disagree. The number in a node is how many keys it holds, and the coloured ring around it matches its arcs; an H badge marks a node holding hints for home nodes it could not reach. In the keys × replicas table, grey cells are nodes that are not among a key's N replicas, 2× marks siblings (concurrent versions kept for the client to merge), h a version held as a hint, and a red row a key whose replicas disagree, with how long they have. In the client operations, a read flagged stale missed a write that was acknowledged before it began. Messages: writes (blue), reads (amber), read repair (orange), hints (purple), anti-entropy (teal).",
        },
        View::Board => Help {
            keys: &BOARD_KEYS,
            mouse: &[
                "Protocol (top left): each protocol this view draws is listed by name; each keeps its own run while another shows.",
                "Click a node: crash, restart, pause, resume, skew its clock, and the protocol's own commands; the inspector shows its state.",
                "Click a link: cut one direction or both, heal, set latency and loss.",
                "Drag a rectangle around nodes: partition them from the rest.",
                "Settings (☰ More on a narrow screen): the protocol's parameters, applied on reset; a value it cannot run is refused with the reason, and the run showing is kept.",
                "In the space-time diagram (d): point at a message to read it, click to travel to that instant, click a lane's name to select its node.",
            ],
            symbols: "Dashed red links are cut; shaded groups are partitions; a red cross marks a dropped message. What the nodes' colours and the messages' shapes mean is the protocol's own: see the key under the cluster. Every run is decided by its seed: the same seed and the same actions give the same run.",
        },
        View::Swarm => Help {
            keys: &SWARM_KEYS,
            mouse: &[
                "Click a site: select it, see its state, then kill, pause or resume it with the buttons.",
                "Split in two / Heal: partition the group into halves and join it again.",
                "SWIM's view menu: colour members by the majority's belief, or by what the selected member believes.",
                "In the space-time diagram (d): point at a message to read it, click to travel to that instant, click a lane's name to select its node.",
            ],
            symbols: "Gossip: grey sites have not heard the update (susceptible), orange ones spread it (infective), blue ones have lost interest (removed); the curve beside is the fraction informed, against the logistic that theory predicts. SWIM: green, amber and red are alive, suspect and failed as the group (or the chosen member) believes; a crashed member keeps that colour, ringed in purple, so suspicion and then failure are seen spreading through the group. Lines are messages in flight.",
        },
    }
}
