//! Pictures of the page, to paste into slides and write-ups: every figure
//! on show (the cluster, each chart, the space-time diagram, the gossip
//! stage) as SVG and as PNG.
//!
//! A figure is an element with `data-figure="<name>"`. An SVG figure is
//! copied with its computed styles written onto each element (the page's
//! CSS does not travel with the file), on the panel's background; its PNG
//! is that SVG drawn at twice its size. A canvas figure (the diagram, the
//! gossip stage) is saved as PNG from its pixels, and as SVG from the
//! drawing it was last painted with (`pen`), so the SVG is vector too.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

// The DOM walks are JavaScript: a copy of an SVG with each element's
// computed style written onto it, an SVG drawn on a canvas as PNG, and the
// menu's options. Written with web-sys they cost the page's wasm 10 KB of
// glue; here they are 30 lines.
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
const STYLES = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'visibility', 'display'];
// The figures on show, in page order, each with a name of its own (a second
// `cluster`, in compare mode, is `cluster-2`).
function named() {
  const seen = {};
  return [...document.querySelectorAll('[data-figure]')].filter((e) => e.getBoundingClientRect().width > 0).map((e) => {
    const base = e.dataset.figure.replace(/\\s+/g, '-');
    seen[base] = (seen[base] || 0) + 1;
    return [seen[base] > 1 ? `${base}-${seen[base]}` : base, e];
  });
}
export function figure_named(name) {
  const found = named().find(([n]) => n === name);
  return found ? found[1] : null;
}
export function fill_options(sel) {
  while (sel.length > 1) sel.remove(1);
  for (const [name] of named()) {
    for (const f of ['svg', 'png']) sel.add(new Option(`${name.replace(/-/g, ' ')} as ${f.toUpperCase()}`, `${name}.${f}`));
  }
}
export function svg_copy(el, bg) {
  const copy = el.cloneNode(true);
  const to = [copy, ...copy.querySelectorAll('*')];
  [el, ...el.querySelectorAll('*')].forEach((a, i) => {
    const s = getComputedStyle(a);
    to[i].setAttribute('style', STYLES.map((p) => s.getPropertyValue(p) ? `${p}:${s.getPropertyValue(p)};` : '').join(''));
    to[i].removeAttribute('tabindex');
  });
  const r = el.getBoundingClientRect(), w = Math.round(r.width), h = Math.round(r.height);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', w);
  copy.setAttribute('height', h);
  const [x, y, width, height] = (copy.getAttribute('viewBox') || `0 0 ${w} ${h}`).split(/\\s+/);
  const back = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  Object.entries({ x, y, width, height, fill: bg }).forEach(([k, v]) => back.setAttribute(k, v));
  copy.insertBefore(back, copy.firstChild);
  return `<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n${copy.outerHTML}`;
}
export function svg_png(svg, w, h, done) {
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = w * 2;
    c.height = h * 2;
    const ctx = c.getContext('2d');
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0, w, h);
    done(c.toDataURL('image/png'));
  };
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
}")]
extern "C" {
    /// The figure on show with this name, if there is one.
    fn figure_named(name: &str) -> Option<Element>;
    fn fill_options(sel: &web_sys::HtmlSelectElement);
    /// `el` (an `<svg>`) as a standalone SVG file on `bg`, its styles inlined.
    fn svg_copy(el: &Element, bg: &str) -> String;
    /// Draws SVG text `w` × `h` at twice its size and hands over a PNG data URL.
    fn svg_png(svg: &str, w: f64, h: f64, done: wasm_bindgen::JsValue);
}

/// The panel's background, behind everything in a picture.
fn background() -> String {
    gloo::utils::document()
        .document_element()
        .and_then(|root| gloo::utils::window().get_computed_style(&root).ok().flatten())
        .and_then(|s| s.get_property_value("--panel").ok())
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// Saves figure `name` in `format` ("svg" or "png"); says why not if it
/// cannot.
fn save(name: &str, format: &str) -> Result<(), String> {
    let el = figure_named(name).ok_or("that figure is not on show any more")?;
    let file = format!("splitbrain-{name}.{format}");
    let refused = |_| "the browser refused the download".to_string();
    let canvas = el.dyn_ref::<web_sys::HtmlCanvasElement>();
    if let (Some(canvas), "png") = (canvas, format) {
        let data = canvas.to_data_url_with_type("image/png").map_err(|_| "the browser would not draw the canvas")?;
        return super::files::download_url(&data, &file).map_err(refused);
    }
    let svg = match canvas {
        Some(canvas) => super::pen::svg_of(canvas, &background()).ok_or("the figure could not be copied")?,
        None => svg_copy(&el, &background()),
    };
    if format == "svg" {
        return super::files::download_text(&svg, "image/svg+xml", &file).map_err(refused);
    }
    let rect = el.get_bounding_client_rect();
    let done = Closure::once_into_js(move |url: String| {
        let _ = super::files::download_url(&url, &file);
    });
    svg_png(&svg, rect.width().round(), rect.height().round(), done);
    Ok(())
}

/// The Picture menu: its options are the figures on show, read when it
/// opens, each as SVG and PNG.
pub fn menu(on_error: Callback<String>) -> Html {
    let fill = Callback::from(|e: FocusEvent| {
        if let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
            fill_options(&sel);
        }
    });
    let onchange = Callback::from(move |e: Event| {
        let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else { return };
        if let Some((name, format)) = sel.value().rsplit_once('.') {
            if let Err(why) = save(name, format) {
                on_error.emit(format!("The picture was not saved: {why}."));
            }
        }
        sel.set_value("");
    });
    html! {
        <select id="picture" class="picture" aria-label="Save a picture" title="Save a picture of the cluster, a chart or the diagram, as SVG or PNG, for slides and write-ups"
            onfocus={fill} {onchange}>
            <option value="" selected=true>{"⤓ Picture…"}</option>
        </select>
    }
}
