//! The availability-first store (issue 12), being built: a replicated
//! key-value store with dotted version vectors ([`dvv`]), self-merging
//! values ([`crdt`]) and a consistent
//! hash ring ([`ring`]). The protocol on the simulator, its repair
//! mechanisms, checkers and view come next.

pub mod crdt;
pub mod dvv;
pub mod ring;
