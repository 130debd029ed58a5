//! The web entry point; trunk builds this binary for wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {
    // The page's build fetches its preset scenarios first (see
    // `scenario::presets`); other builds have them built in.
    #[cfg(feature = "fetch-presets")]
    splitbrain::ui::start_with_presets();
    #[cfg(not(feature = "fetch-presets"))]
    splitbrain::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("splitbrain-web is the browser entry point; run `cargo xtask serve` to open the playground.");
    std::process::exit(2);
}
