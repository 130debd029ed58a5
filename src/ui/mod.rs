//! The playground UI (wasm only).

use crate::protocols::raft::{cluster, Raft, RaftConfig};
use crate::sim::network::LinkConfig;
use crate::sim::{Sim, SEC};
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let mut sim: Sim<Raft> = Sim::new(RaftConfig::default(), 5, 1, LinkConfig::default());
    sim.run_until(2 * SEC);
    let leader = cluster::leader(&sim);
    html! {
        <main>
            <h1>{"splitbrain"}</h1>
            <p id="status">{ match leader {
                Some(l) => format!("leader n{l}, term {}", cluster::max_term(&sim)),
                None => "no leader".to_string(),
            } }</p>
        </main>
    }
}

pub fn start() {
    console_error_panic_hook::set_once();
    yew::Renderer::<App>::new().render();
}
