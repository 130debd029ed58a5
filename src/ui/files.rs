//! Export, import and copying: the browser-facing edges of sharing.

use crate::scenario::{Scenario, MAX_JSON_BYTES};
use crate::viewmodel::playground::Gesture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::Callback;

/// Reads a dropped or picked file and loads it as a scenario.
pub fn import(file: web_sys::File, dispatch: Callback<Gesture>) {
    let d = dispatch.clone();
    read(
        file,
        Callback::from(move |text: String| {
            if !super::compare::import(&text) {
                d.emit(Gesture::Import(text))
            }
        }),
        Callback::from(move |e| dispatch.emit(Gesture::ShowError(e))),
    );
}

thread_local! {
    /// The read in progress: gloo cancels a read whose reader is dropped.
    static READING: std::cell::RefCell<Option<gloo::file::callbacks::FileReader>> = const { std::cell::RefCell::new(None) };
}

/// Reads a file's text (at most 1 MB), then calls `done`, or `fail` with a message.
pub fn read(file: web_sys::File, done: Callback<String>, fail: Callback<String>) {
    let file = gloo::file::File::from(file);
    let size = file.size();
    if size > MAX_JSON_BYTES as u64 {
        fail.emit(format!(
            "'{}' is {:.0} KB; scenario files are limited to 1 MB. The current scenario is unchanged.",
            file.name(),
            size as f64 / 1024.0
        ));
        return;
    }
    let name = file.name();
    let reader = gloo::file::callbacks::read_as_text(&file, move |text| {
        match text {
            Ok(text) => done.emit(text),
            Err(_) => fail.emit(format!("'{name}' could not be read.")),
        }
        // Not dropped here: this closure is the reader's own.
    });
    READING.with(|r| *r.borrow_mut() = Some(reader));
}

/// Downloads the scenario as a JSON file.
pub fn export(scenario: &Scenario) -> Result<(), JsValue> {
    download(&scenario.to_json(), &scenario.name, scenario.seed)
}

/// Downloads JSON text as `splitbrain-<name>-seed<seed>.json`.
pub fn download(json: &str, name: &str, seed: u64) -> Result<(), JsValue> {
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = if stem.is_empty() { "scenario".to_string() } else { stem };
    download_text(json, "application/json", &format!("splitbrain-{stem}-seed{seed}.json"))
}

/// Downloads text as a file of this type and name.
pub fn download_text(text: &str, mime: &str, file_name: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &props)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let done = download_url(&url, file_name);
    web_sys::Url::revoke_object_url(&url)?;
    done
}

/// Downloads what `url` holds (a blob's or a data URL) as `file_name`.
pub fn download_url(url: &str, file_name: &str) -> Result<(), JsValue> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(url);
    a.set_download(file_name);
    a.click();
    Ok(())
}

/// Copies text to the clipboard, if the page may. A browser that refuses
/// (no permission, an insecure page) rejects the promise; that is caught,
/// and the link stays in the share box to copy by hand.
pub fn copy(text: &str) {
    thread_local! {
        static IGNORE: wasm_bindgen::closure::Closure<dyn FnMut(wasm_bindgen::JsValue)> =
            wasm_bindgen::closure::Closure::new(|_| {});
    }
    if let Some(w) = web_sys::window() {
        let promise = w.navigator().clipboard().write_text(text);
        IGNORE.with(|ignore| {
            let _ = promise.catch(ignore);
        });
    }
}

/// Enter or Space on a file button (a label around a hidden input) opens
/// the file picker, as a click does: such a label is focusable, but the
/// browser gives it no keys of its own.
pub fn open_picker(input: &'static str) -> yew::Callback<web_sys::KeyboardEvent> {
    yew::Callback::from(move |e: web_sys::KeyboardEvent| {
        if matches!(e.key().as_str(), "Enter" | " ") {
            e.prevent_default();
            e.stop_propagation();
            if let Some(i) =
                gloo::utils::document().get_element_by_id(input).and_then(|i| i.dyn_into::<web_sys::HtmlElement>().ok())
            {
                i.click();
            }
        }
    })
}
