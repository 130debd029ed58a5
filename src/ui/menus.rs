//! What a menu does beyond its buttons: keys that open one, and keeping an
//! open one on screen (and, opened from the keyboard, in focus).

use crate::viewmodel::playground::{Gesture, Menu};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Enter on a focused node or link opens its menu (its buttons take the
/// focus, see [`place_menu`]), so the keyboard reaches every action.
pub(super) fn enter_opens(dispatch: &Callback<Gesture>, menu: Menu) -> Callback<KeyboardEvent> {
    let d = dispatch.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            e.prevent_default();
            e.stop_propagation();
            d.emit(Gesture::OpenMenu(Some(menu)));
        }
    })
}

/// Fits the open menu into the visible part of the window: below the sticky
/// toolbar and above the bottom edge, flipping to the side of its anchor
/// with more room and shifting sideways to stay on screen. Runs after each
/// render; it reads only sizes, so it gives the same answer every frame.
pub fn place_menu() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(menu) = doc.query_selector(".cluster-wrap > .menu").ok().flatten() else { return };
    let Ok(menu) = menu.dyn_into::<web_sys::HtmlElement>() else { return };
    // A menu opened from the keyboard (its node or link had the focus)
    // takes the focus, once, on its first enabled button.
    let from_keys = doc.active_element().is_some_and(|a| a.matches(".node, .link").unwrap_or(false));
    if from_keys && menu.get_attribute("data-focused").is_none() {
        let _ = menu.set_attribute("data-focused", "");
        if let Some(b) = menu
            .query_selector(":scope > button:not([disabled])")
            .ok()
            .flatten()
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = b.focus();
        }
    }
    let Some(wrap) = menu.parent_element() else { return };
    let (Some(ax), Some(ay)) = (
        menu.get_attribute("data-ax").and_then(|v| v.parse::<f64>().ok()),
        menu.get_attribute("data-ay").and_then(|v| v.parse::<f64>().ok()),
    ) else {
        return;
    };
    let win = web_sys::window().expect("a window");
    let px = |v: wasm_bindgen::JsValue| v.as_f64().unwrap_or(0.0);
    let (vw, vh) = (px(win.inner_width().unwrap_or_default()), px(win.inner_height().unwrap_or_default()));
    const GAP: f64 = 14.0;
    const EDGE: f64 = 6.0;
    // The toolbar covers the top of the window only while it is sticky.
    let top_limit = doc
        .query_selector(".toolbar")
        .ok()
        .flatten()
        .map(|t| t.get_bounding_client_rect().bottom())
        .filter(|b| *b > 0.0)
        .unwrap_or(0.0)
        + EDGE;
    let bottom_limit = vh - EDGE;
    let w = wrap.get_bounding_client_rect();
    let (x, y) = (w.left() + ax * w.width(), w.top() + ay * w.height());
    let (mw, mh) = (f64::from(menu.offset_width()), f64::from(menu.offset_height()));
    let room_below = bottom_limit - (y + GAP);
    let room_above = (y - GAP) - top_limit;
    let top = if mh <= room_below && (ay <= 0.5 || mh > room_above) {
        y + GAP
    } else if mh <= room_above {
        y - GAP - mh
    } else {
        // Taller than either side: as much of it on screen as fits, from the top.
        (bottom_limit - mh).min(if room_below >= room_above { y + GAP } else { y - GAP - mh }).max(top_limit)
    };
    let left = (x - mw / 2.0).min(vw - EDGE - mw).max(EDGE);
    let style = format!("left:{:.1}px;top:{:.1}px;transform:none", left - w.left(), top - w.top());
    if menu.get_attribute("style").as_deref() != Some(style.as_str()) {
        let _ = menu.set_attribute("style", &style);
    }
}
