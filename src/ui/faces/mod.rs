//! How the board view's protocols look: a [`super::face::Face`] each, one
//! file per protocol.

mod bully;
mod federation;
mod fencing;
mod multipaxos;
mod paxos;
mod ring;
