//! The role colours stay apart for people with the common colour-vision
//! deficiencies. Each colour of `static/style.css` (light and dark) is
//! passed through Machado, Oliveira and Fernandes's simulation of
//! protanopia and deuteranopia (IEEE TVCG 2009, severity 1.0, applied in
//! linear RGB), and the distance between every two roles is measured in
//! CIELAB (ΔE*ab, CIE 1976).
//!
//! Follower, pre-candidate, candidate and leader are told apart by colour
//! alone, so they must differ by ΔE ≥ 20 (clearly different at a glance);
//! a crashed node (dashed outline, "down") and a paused one ("❚❚") also
//! differ in shape and text, so ΔE ≥ 10 is asked of them.

use std::collections::BTreeMap;

const PROTANOPIA: [[f64; 3]; 3] =
    [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]];
const DEUTERANOPIA: [[f64; 3]; 3] =
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]];
const NORMAL: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

const BY_COLOUR: [&str; 4] = ["follower", "precandidate", "candidate", "leader"];
const WITH_SHAPE: [&str; 2] = ["crashed", "paused"];

fn linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn hex(h: &str) -> [u8; 3] {
    let v = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap();
    [v(1), v(3), v(5)]
}

/// CIELAB of `h` as a person with `m` sees it.
fn seen(h: &str, m: &[[f64; 3]; 3]) -> [f64; 3] {
    let rgb = hex(h).map(linear);
    let s: Vec<f64> = m.iter().map(|row| (0..3).map(|j| row[j] * rgb[j]).sum::<f64>().clamp(0.0, 1.0)).collect();
    let x = 0.4124 * s[0] + 0.3576 * s[1] + 0.1805 * s[2];
    let y = 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
    let z = 0.0193 * s[0] + 0.1192 * s[1] + 0.9505 * s[2];
    let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// The `--name: #rrggbb` declarations of a CSS block.
fn vars(block: &str) -> BTreeMap<String, String> {
    block
        .split(';')
        .filter_map(|d| {
            let (k, v) = d.trim().split_once(':')?;
            let (k, v) = (k.trim().strip_prefix("--")?, v.trim());
            (v.len() == 7 && v.starts_with('#')).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// The light palette, and the dark one (the light one with the dark
/// block's overrides).
fn palettes() -> Vec<(&'static str, BTreeMap<String, String>)> {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/style.css")).unwrap();
    let root = &css[css.find(":root {").unwrap()..];
    let light = vars(&root[..root.find('}').unwrap()]);
    let dark_at = css.find("@media (prefers-color-scheme: dark)").unwrap();
    let dark_block = &css[dark_at..];
    let dark_block = &dark_block[dark_block.find(":root {").unwrap()..];
    let mut dark = light.clone();
    dark.extend(vars(&dark_block[..dark_block.find('}').unwrap()]));
    vec![("light", light), ("dark", dark)]
}

#[test]
fn role_colours_stay_apart_under_protanopia_and_deuteranopia() {
    let mut closest = Vec::new();
    for (scheme, pal) in palettes() {
        for (vision, m) in [("normal", &NORMAL), ("protanopia", &PROTANOPIA), ("deuteranopia", &DEUTERANOPIA)] {
            let roles: Vec<&str> = BY_COLOUR.iter().chain(WITH_SHAPE.iter()).copied().collect();
            for (i, a) in roles.iter().enumerate() {
                for b in &roles[i + 1..] {
                    let d = delta_e(seen(&pal[*a], m), seen(&pal[*b], m));
                    let need = if BY_COLOUR.contains(a) && BY_COLOUR.contains(b) { 20.0 } else { 10.0 };
                    assert!(d >= need, "{scheme}, {vision}: {a} and {b} differ by ΔE {d:.1}, below {need}");
                    closest.push((d, scheme, vision, *a, *b));
                }
            }
        }
    }
    closest.sort_by(|x, y| x.0.total_cmp(&y.0));
    println!("closest pairs: {:?}", &closest[..4]);
}

#[test]
fn the_simulation_confuses_what_it_should() {
    // Red and green, far apart for everyone else, come together under both
    // deficiencies (a protanope still sees the red darker): the
    // simulation is not the identity.
    let (red, green) = ("#d62728", "#2ca02c");
    let normal = delta_e(seen(red, &NORMAL), seen(green, &NORMAL));
    assert!(normal > 100.0, "{normal}");
    assert!(delta_e(seen(red, &PROTANOPIA), seen(green, &PROTANOPIA)) < normal / 2.0);
    assert!(delta_e(seen(red, &DEUTERANOPIA), seen(green, &DEUTERANOPIA)) < 10.0);
    // And the old pre-candidate yellow sat within ΔE 20 of the candidate's
    // amber under deuteranopia, which the test above would have caught.
    assert!(delta_e(seen("#fcd34d", &DEUTERANOPIA), seen("#f59e0b", &DEUTERANOPIA)) < 20.0);
}
