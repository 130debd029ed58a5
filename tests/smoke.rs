use splitbrain::protocols::raft::{cluster, Raft, RaftConfig};
use splitbrain::sim::network::LinkConfig;
use splitbrain::sim::{Sim, SEC};

#[test]
fn smoke() {
    let mut sim: Sim<Raft> = Sim::new(RaftConfig::default(), 5, 1, LinkConfig::default());
    sim.run_until(2 * SEC);
    let l = cluster::leader(&sim);
    println!("leader {:?} term {} events {}", l, cluster::max_term(&sim), sim.trace().len());
    assert!(l.is_some());
}
