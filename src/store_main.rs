//! The store page's entry point: trunk builds this binary as a second
//! wasm that `store.html` loads, so the playground's main bundle does not
//! carry the store's view.

#[cfg(target_arch = "wasm32")]
fn main() {
    splitbrain::ui::start_store();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "splitbrain-store is the store page's browser entry point; run `cargo xtask serve` and open /store.html."
    );
    std::process::exit(2);
}
