// Starts the Experiments panel's worker (src/ui/lab_worker.rs): a classic
// worker script, as gloo-worker spawns it, that loads the wasm trunk built.
importScripts('./splitbrain-lab.js');
wasm_bindgen({ module_or_path: './splitbrain-lab_bg.wasm' });
