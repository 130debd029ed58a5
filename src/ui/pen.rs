//! The canvases' drawings on the page: each frame's [`Drawing`] is
//! replayed on its canvas and kept, so that the Picture menu can save the
//! canvas as SVG.

use crate::viewmodel::drawing::{Drawing, Op};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Draws `d` on `ctx`, scaled by `scale` (the device's pixel ratio).
fn replay(d: &Drawing, ctx: &CanvasRenderingContext2d, scale: f64) {
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, d.w, d.h);
    ctx.set_global_alpha(1.0);
    let _ = ctx.set_line_dash(&js_sys::Array::new());
    ctx.begin_path();
    for op in &d.ops {
        match op {
            Op::Colour(c) => {
                ctx.set_stroke_style_str(c);
                ctx.set_fill_style_str(c);
            }
            Op::Width(w) => ctx.set_line_width(*w),
            Op::Dash(on) => {
                let pattern = js_sys::Array::new();
                if *on {
                    pattern.push(&4.into());
                    pattern.push(&3.into());
                }
                let _ = ctx.set_line_dash(&pattern);
            }
            Op::Alpha(a) => ctx.set_global_alpha(*a),
            Op::Rect(x, y, w, h) => ctx.fill_rect(*x, *y, *w, *h),
            Op::Move(x, y) => ctx.move_to(*x, *y),
            Op::Line(x, y) => ctx.line_to(*x, *y),
            Op::Circle(x, y, r) => {
                ctx.move_to(x + r, *y);
                let _ = ctx.arc(*x, *y, *r, 0.0, std::f64::consts::TAU);
            }
            Op::Stroke => {
                ctx.stroke();
                ctx.begin_path();
            }
            Op::Fill => {
                ctx.fill();
                ctx.begin_path();
            }
            Op::Label(..) => {}
        }
    }
}

thread_local! {
    /// Each canvas's last drawing, for the Picture menu.
    static KEPT: RefCell<Vec<(HtmlCanvasElement, Drawing)>> = const { RefCell::new(Vec::new()) };
}

/// Draws `d` on `canvas` (sized to it at the device's pixel ratio when
/// `hidpi`) and keeps it as the canvas's picture.
pub fn show(canvas: &HtmlCanvasElement, d: Drawing, hidpi: bool) {
    let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else { return };
    let scale = if hidpi {
        let dpr = gloo::utils::window().device_pixel_ratio();
        let (pw, ph) = ((d.w * dpr).round() as u32, (d.h * dpr).round() as u32);
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        dpr
    } else {
        1.0
    };
    replay(&d, &ctx, scale);
    KEPT.with(|k| {
        let mut k = k.borrow_mut();
        k.retain(|(c, _)| c != canvas && c.is_connected());
        k.push((canvas.clone(), d));
    });
}

/// The last drawing shown on `canvas`, as SVG on `background`.
pub fn svg_of(canvas: &HtmlCanvasElement, background: &str) -> Option<String> {
    KEPT.with(|k| k.borrow().iter().find(|(c, _)| c == canvas).map(|(_, d)| d.svg(background)))
}
