//! The Experiments panel's worker: trunk builds this binary as a wasm of
//! its own (opt-level 3, without Yew) that the page fetches only when the
//! panel first opens. See `ui::lab_worker`.

#[cfg(target_arch = "wasm32")]
fn main() {
    splitbrain::ui::lab_worker::register();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("splitbrain-lab is the Experiments panel's web worker; run `cargo xtask serve` and open Experiments.");
    std::process::exit(2);
}
