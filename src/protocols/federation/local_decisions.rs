//! Local Decisions: no region-local decision a client was told of is lost
//! (Lamport, "Paxos Made Simple", 2001, §3, per region: a value chosen in
//! a slot stays chosen). Once a region's leader tells a client that its
//! write is in slot s, every node of that region that learns slot s
//! learns that write, through leader changes, outages of the whole region
//! and partitions.

use super::{Federation, Note, Outcome};
use crate::protocols::multipaxos as mp;
use crate::sim::invariant::{Checker, Violation};
use crate::sim::trace::EventKind;
use crate::sim::{NodeId, Sim};

pub const PROPERTY: &str = "Local Decisions";
pub const REFERENCE: &str = "Paxos Made Simple §3";

#[derive(Clone, Debug, Default)]
pub struct LocalDecisions {
    /// By region and slot: the write a client was told is there, and the
    /// value the region's nodes learned there first.
    told: Vec<Vec<Option<mp::Value>>>,
    learned: Vec<Vec<Option<mp::Value>>>,
    failed: bool,
}

fn at(v: &mut Vec<Vec<Option<mp::Value>>>, region: usize, slot: u64) -> &mut Option<mp::Value> {
    if v.len() <= region {
        v.resize(region + 1, Vec::new());
    }
    let row = &mut v[region];
    if row.len() <= slot as usize {
        row.resize(slot as usize + 1, None);
    }
    &mut row[slot as usize]
}

impl Checker<Federation> for LocalDecisions {
    fn check(&mut self, sim: &Sim<Federation>, out: &mut Vec<Violation>) {
        if self.failed {
            return;
        }
        for e in sim.trace().last_step() {
            let EventKind::Note { node, ref note } = e.kind else { continue };
            // A write told, against what its slot first learned; or a
            // value learned, against the write told in its slot.
            let (id, slot, learned) = match note {
                Note::Done { op, region, outcome: Outcome::Written { slot } } => {
                    *at(&mut self.told, usize::from(*region), *slot) = Some(mp::Value::Write(op.id()));
                    let Some(v) = *at(&mut self.learned, usize::from(*region), *slot) else { continue };
                    (op.id(), *slot, v)
                }
                Note::Region(mp::Note::Learned { slot, value }) => {
                    let region = region_of(sim, node);
                    at(&mut self.learned, region, *slot).get_or_insert(*value);
                    let Some(mp::Value::Write(id)) = *at(&mut self.told, region, *slot) else { continue };
                    (id, *slot, *value)
                }
                _ => continue,
            };
            if super::regional::decode(learned).map(|(c, _)| c.id()) != Some(id) {
                self.failed = true;
                out.push(Violation::after(
                    PROPERTY,
                    REFERENCE,
                    e,
                    vec![node],
                    format!("the client was told write w{id} is in slot {slot} of its region's log, but the region chose {} there: the decision is lost", shown(learned)),
                ));
                return;
            }
        }
    }
}

fn region_of(sim: &Sim<Federation>, node: NodeId) -> usize {
    sim.config().region_of(node)
}

fn shown(v: mp::Value) -> String {
    match super::regional::decode(v) {
        Some((c, _)) => c.to_string(),
        None => v.to_string(),
    }
}
