//! What a client's update does to a CRDT value, and the inventory's
//! compensating action: the apology of Helland and Campbell, "Building on
//! Quicksand" (CIDR 2009, §5 "Apologies"): an available store accepts
//! orders on both sides of a partition, sells more than it has, and,
//! once the orders meet again, a rule the business chose makes amends.
//!
//! The orders are an observed-remove set ([`super::crdt`]); an order's
//! element is its request id. A client buying the item reads the set:
//! - fewer orders than the stock: it orders (adds its id);
//! - exactly the stock: sold out, it writes the set back unchanged;
//! - more than the stock (oversold, seen once both sides' orders meet):
//!   it compensates. The orders kept are the `stock` smallest ids, a rule
//!   every node computes alike, so that two nodes compensating at once
//!   pick the same orders and the compensation is applied once (removing
//!   an element twice is removing it once). The others are refunded
//!   (removed) or back-ordered (moved to the back-order list, the same
//!   set with [`BACK_ORDERED`] set in the element).

use super::crdt::{Crdt, Op};
use super::dvv::Dot;
use super::node::{Key, Note, StoreNode, Value};
use crate::sim::protocol::Ctx;

/// Marks a back-ordered order's element.
pub const BACK_ORDERED: u64 = 1 << 63;

/// What an inventory does with orders beyond its stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compensation {
    /// Cancel the order and give the money back.
    Refund,
    /// Keep the order, to ship when stock comes in.
    BackOrder,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inventory {
    /// Units on hand: the orders that can be filled.
    pub stock: u32,
    pub compensation: Compensation,
}

/// Set elements a workload keeps before it starts removing them.
const SET_SIZE: usize = 4;

impl StoreNode {
    /// The update a client makes to `state` (the join of what it read),
    /// writing request `id`.
    pub(super) fn crdt_op(&self, id: u64, key: Key, state: &Crdt, ctx: &mut Ctx<'_, Self>) -> Op {
        let tag = |e: u64| Dot { node: self.id, counter: e };
        let inventory = self.cfg.workload.as_ref().and_then(|w| w.inventory);
        match (state, inventory) {
            (Crdt::Set(set), Some(inv)) => {
                let orders: Vec<u64> = set.elements().copied().filter(|e| e & BACK_ORDERED == 0).collect();
                let stock = inv.stock as usize;
                if orders.len() < stock {
                    return Op::Insert(id, tag(id));
                }
                if orders.len() == stock {
                    return Op::Keep;
                }
                // Elements iterate in order: the first `stock` are kept.
                let over: Vec<Value> = orders[stock..].to_vec();
                ctx.note(Note::Compensated { id, key, orders: over.clone(), kind: inv.compensation });
                match inv.compensation {
                    Compensation::Refund => Op::Remove(over),
                    Compensation::BackOrder => {
                        Op::Move(over.iter().map(|&e| (e, e | BACK_ORDERED, tag(e | BACK_ORDERED))).collect())
                    }
                }
            }
            (Crdt::Set(set), None) => match set.elements().next() {
                Some(&first) if set.elements().count() >= SET_SIZE => Op::Remove(vec![first]),
                _ => Op::Insert(id, tag(id)),
            },
            // One update in four subtracts: a PN-Counter goes both ways.
            (Crdt::Counter(_), _) => Op::Add(if id % 4 == 3 { -1 } else { 1 }),
        }
    }
}
