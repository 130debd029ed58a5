//! Pictures of the page, to paste into slides and write-ups: every figure
//! on show (the cluster, each chart, the space-time diagram, the gossip
//! stage) as SVG and as PNG.
//!
//! A figure is an element with `data-figure="<name>"`. An SVG figure is
//! copied with its computed styles written onto each element (the page's
//! CSS does not travel with the file), on the panel's background; its PNG
//! is that SVG drawn at twice its size. A canvas figure (the diagram, the
//! gossip stage) is a picture already, and is saved as PNG only.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

/// The styles that decide how an SVG element looks.
const STYLES: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "visibility",
    "display",
];

/// The figures on show: (name, element), in page order.
fn figures() -> Vec<(String, Element)> {
    let Ok(all) = gloo::utils::document().query_selector_all("[data-figure]") else { return Vec::new() };
    (0..all.length())
        .filter_map(|i| all.item(i)?.dyn_into::<Element>().ok())
        .filter(|e| e.get_bounding_client_rect().width() > 0.0)
        .filter_map(|e| Some((e.get_attribute("data-figure")?, e)))
        .collect()
}

/// `el` (an `<svg>`) as a standalone SVG file, with its styles inlined.
pub fn svg_text(el: &Element) -> Option<String> {
    let copy = el.clone_node_with_deep(true).ok()?.dyn_into::<Element>().ok()?;
    let win = gloo::utils::window();
    let (from, to) = (el.query_selector_all("*").ok()?, copy.query_selector_all("*").ok()?);
    let pairs = (0..from.length()).filter_map(|i| {
        let a = from.item(i)?.dyn_into::<Element>().ok()?;
        let b = to.item(i)?.dyn_into::<Element>().ok()?;
        Some((a, b))
    });
    for (a, b) in std::iter::once((el.clone(), copy.clone())).chain(pairs) {
        let Ok(Some(style)) = win.get_computed_style(&a) else { continue };
        let inline: String = STYLES
            .iter()
            .filter_map(|p| style.get_property_value(p).ok().filter(|v| !v.is_empty()).map(|v| format!("{p}:{v};")))
            .collect();
        let _ = b.set_attribute("style", &inline);
        let _ = b.remove_attribute("tabindex");
    }
    let rect = el.get_bounding_client_rect();
    let (w, h) = (rect.width().round(), rect.height().round());
    let _ = copy.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let _ = copy.set_attribute("width", &w.to_string());
    let _ = copy.set_attribute("height", &h.to_string());
    // The panel's background, behind everything.
    let bg = win
        .get_computed_style(&gloo::utils::document().document_element()?)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("--panel").ok())
        .unwrap_or_default();
    let doc = gloo::utils::document();
    if let Ok(back) = doc.create_element_ns(Some("http://www.w3.org/2000/svg"), "rect") {
        let view = copy.get_attribute("viewBox").unwrap_or_else(|| format!("0 0 {w} {h}"));
        let v: Vec<&str> = view.split_whitespace().collect();
        if let [x, y, vw, vh] = v[..] {
            for (k, val) in [("x", x), ("y", y), ("width", vw), ("height", vh)] {
                let _ = back.set_attribute(k, val);
            }
            let _ = back.set_attribute("fill", bg.trim());
            let _ = copy.insert_before(&back, copy.first_child().as_ref());
        }
    }
    Some(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", copy.outer_html()))
}

/// Draws SVG text on a canvas at `scale` and downloads it as PNG.
fn svg_to_png(svg: String, w: f64, h: f64, file: String) {
    let Ok(img) = web_sys::HtmlImageElement::new() else { return };
    let url = format!("data:image/svg+xml;charset=utf-8,{}", js_sys::encode_uri_component(&svg));
    let image = img.clone();
    let onload = Closure::once_into_js(move || {
        let scale = 2.0;
        let doc = gloo::utils::document();
        let Some(canvas) =
            doc.create_element("canvas").ok().and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        canvas.set_width((w * scale) as u32);
        canvas.set_height((h * scale) as u32);
        let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
        let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
        let _ = ctx.scale(scale, scale);
        let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, w, h);
        if let Ok(data) = canvas.to_data_url_with_type("image/png") {
            let _ = super::files::download_url(&data, &file);
        }
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_src(&url);
}

/// Saves figure `name` in `format` ("svg" or "png"); says why not if it
/// cannot.
fn save(name: &str, format: &str) -> Result<(), String> {
    let (_, el) = figures().into_iter().find(|(n, _)| n == name).ok_or("that figure is not on show any more")?;
    let file = format!("splitbrain-{name}.{format}");
    if let Some(canvas) = el.dyn_ref::<web_sys::HtmlCanvasElement>() {
        let data = canvas.to_data_url_with_type("image/png").map_err(|_| "the browser would not draw the canvas")?;
        return super::files::download_url(&data, &file).map_err(|_| "the browser refused the download".into());
    }
    let svg = svg_text(&el).ok_or("the figure could not be copied")?;
    if format == "svg" {
        return super::files::download_text(&svg, "image/svg+xml", &file)
            .map_err(|_| "the browser refused the download".into());
    }
    let rect = el.get_bounding_client_rect();
    svg_to_png(svg, rect.width().round(), rect.height().round(), file);
    Ok(())
}

/// The Picture menu: its options are the figures on show, read when it
/// opens, each as SVG and PNG (canvases as PNG).
pub fn menu(on_error: Callback<String>) -> Html {
    let fill = Callback::from(|e: FocusEvent| {
        let Some(sel) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) else { return };
        let doc = gloo::utils::document();
        while sel.length() > 1 {
            sel.remove_with_index(1);
        }
        for (name, el) in figures() {
            let formats: &[&str] =
                if el.dyn_ref::<web_sys::HtmlCanvasElement>().is_some() { &["png"] } else { &["svg", "png"] };
            for f in formats {
                if let Ok(opt) = doc.create_element("option") {
                    let _ = opt.set_attribute("value", &format!("{name}.{f}"));
                    opt.set_text_content(Some(&format!("{} as {}", name.replace('-', " "), f.to_uppercase())));
                    let _ = sel.append_child(&opt);
                }
            }
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
