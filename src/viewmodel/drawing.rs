//! Drawings for the page's canvases (the space-time diagram, the gossip
//! stage), recorded so that one drawing goes two ways: onto the canvas each
//! frame, and into an SVG file when the Picture menu saves it.
//!
//! A view draws into a [`Drawing`] with the canvas's own vocabulary (a
//! colour, a line width, a path of moves, lines and circles, then stroke or
//! fill; filled rectangles). The page replays it on the canvas and keeps it;
//! [`Drawing::svg`] writes it as vector SVG. Labels are drawn only into the
//! SVG: on the page they are HTML beside the canvas.

use std::fmt::Write;

/// One step of a drawing.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// The colour for strokes, fills and labels from here on.
    Colour(String),
    Width(f64),
    /// Dashed strokes (4 on, 3 off) or solid.
    Dash(bool),
    Alpha(f64),
    Rect(f64, f64, f64, f64),
    Move(f64, f64),
    Line(f64, f64),
    Circle(f64, f64, f64),
    /// Ends the path so far, stroked or filled.
    Stroke,
    Fill,
    /// Text at (x, y), in the SVG only.
    Label(f64, f64, String),
}

/// One frame's drawing, in CSS pixels of a `w` × `h` canvas. `margin` is
/// room the SVG adds on the left and below for labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drawing {
    pub w: f64,
    pub h: f64,
    margin: (f64, f64),
    pub ops: Vec<Op>,
}

impl Drawing {
    pub fn new(w: f64, h: f64) -> Self {
        Drawing { w, h, ..Drawing::default() }
    }

    pub fn margin(&mut self, left: f64, below: f64) {
        self.margin = (left, below);
    }

    pub fn colour(&mut self, c: &str) {
        self.ops.push(Op::Colour(c.to_string()));
    }

    pub fn width(&mut self, w: f64) {
        self.ops.push(Op::Width(w));
    }

    pub fn dash(&mut self, on: bool) {
        self.ops.push(Op::Dash(on));
    }

    pub fn alpha(&mut self, a: f64) {
        self.ops.push(Op::Alpha(a));
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.ops.push(Op::Rect(x, y, w, h));
    }

    pub fn move_to(&mut self, x: f64, y: f64) {
        self.ops.push(Op::Move(x, y));
    }

    pub fn line_to(&mut self, x: f64, y: f64) {
        self.ops.push(Op::Line(x, y));
    }

    pub fn circle(&mut self, x: f64, y: f64, r: f64) {
        self.ops.push(Op::Circle(x, y, r));
    }

    pub fn stroke(&mut self) {
        self.ops.push(Op::Stroke);
    }

    pub fn fill(&mut self) {
        self.ops.push(Op::Fill);
    }

    pub fn label(&mut self, x: f64, y: f64, text: &str) {
        self.ops.push(Op::Label(x, y, text.to_string()));
    }

    /// The drawing as a standalone SVG file on `background`, labels in `ink`.
    pub fn svg(&self, background: &str) -> String {
        let (left, below) = self.margin;
        let (w, h) = (self.w + left, self.h + below);
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"{:.0} 0 {w:.0} {h:.0}\" font-family=\"system-ui, sans-serif\" font-size=\"11\">\n<rect x=\"{:.0}\" y=\"0\" width=\"{w:.0}\" height=\"{h:.0}\" fill=\"{}\"/>\n",
            -left,
            -left,
            attr(background)
        );
        let (mut colour, mut width, mut dash, mut alpha) = (String::from("#000"), 1.0, false, 1.0);
        let mut path = String::new();
        for op in &self.ops {
            let opacity = if alpha < 1.0 { format!(" opacity=\"{alpha}\"") } else { String::new() };
            match op {
                Op::Colour(c) => colour = attr(c),
                Op::Width(x) => width = *x,
                Op::Dash(on) => dash = *on,
                Op::Alpha(a) => alpha = *a,
                Op::Rect(x, y, rw, rh) => {
                    let _ = writeln!(
                        out,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{rw:.1}\" height=\"{rh:.1}\" fill=\"{colour}\"{opacity}/>"
                    );
                }
                Op::Move(x, y) => {
                    let _ = write!(path, "M{x:.1} {y:.1}");
                }
                Op::Line(x, y) => {
                    let _ = write!(path, "L{x:.1} {y:.1}");
                }
                Op::Circle(x, y, r) => {
                    let _ = write!(
                        path,
                        "M{:.1} {y:.1}a{r:.1} {r:.1} 0 1 0 {:.1} 0a{r:.1} {r:.1} 0 1 0 {:.1} 0",
                        x + r,
                        -2.0 * r,
                        2.0 * r
                    );
                }
                Op::Stroke if !path.is_empty() => {
                    let dashes = if dash { " stroke-dasharray=\"4 3\"" } else { "" };
                    let _ = writeln!(
                        out,
                        "<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"{dashes}{opacity}/>"
                    );
                    path.clear();
                }
                Op::Fill if !path.is_empty() => {
                    let _ = writeln!(out, "<path d=\"{path}\" fill=\"{colour}\"{opacity}/>");
                    path.clear();
                }
                Op::Stroke | Op::Fill => {}
                Op::Label(x, y, text) => {
                    let _ = writeln!(
                        out,
                        "<text x=\"{x:.1}\" y=\"{y:.1}\" fill=\"{colour}\"{opacity}>{}</text>",
                        attr(text)
                    );
                }
            }
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Text made safe inside an XML attribute or element.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::Drawing;

    #[test]
    fn a_drawing_is_written_as_paths_rects_and_labels() {
        let mut d = Drawing::new(100.0, 50.0);
        d.margin(30.0, 14.0);
        d.colour("#f97316");
        d.width(2.0);
        d.dash(true);
        d.move_to(0.0, 10.0);
        d.line_to(100.0, 10.0);
        d.stroke();
        d.stroke(); // an empty path draws nothing
        d.dash(false);
        d.alpha(0.5);
        d.rect(1.0, 2.0, 3.0, 4.0);
        d.alpha(1.0);
        d.circle(50.0, 25.0, 2.0);
        d.fill();
        d.colour("a<b & \"c\"");
        d.label(-28.0, 30.0, "n1 <leader>");
        let svg = d.svg("#fff");
        assert!(svg.contains("width=\"130\" height=\"64\" viewBox=\"-30 0 130 64\""), "{svg}");
        assert!(svg.contains(
            "<path d=\"M0.0 10.0L100.0 10.0\" fill=\"none\" stroke=\"#f97316\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
        ));
        assert_eq!(svg.matches("<path").count(), 2, "{svg}");
        assert!(
            svg.contains("<rect x=\"1.0\" y=\"2.0\" width=\"3.0\" height=\"4.0\" fill=\"#f97316\" opacity=\"0.5\"/>")
        );
        assert!(svg.contains("<path d=\"M52.0 25.0a2.0 2.0 0 1 0 -4.0 0a2.0 2.0 0 1 0 4.0 0\" fill=\"#f97316\"/>"));
        assert!(svg.contains("<text x=\"-28.0\" y=\"30.0\" fill=\"a&lt;b &amp; &quot;c&quot;\">n1 &lt;leader></text>"));
        assert!(svg.ends_with("</svg>\n"));
    }
}
