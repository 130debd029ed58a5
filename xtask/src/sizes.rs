//! `cargo xtask sizes`: where the app wasm's code goes, by protocol and
//! layer, read from the name section of the wasm that cargo builds (before
//! wasm-bindgen and wasm-opt, which strip the names). Each protocol added
//! may cost the app at most 30 KB gzipped; this shows where to look.
//!
//! Generic code instantiated once per protocol (`Runner<P>`, `Sim<P>`)
//! keeps only its generic name, so it counts under the engine and spine.

use std::collections::BTreeMap;

/// (bucket, substring of the demangled name), first match wins.
const RULES: [(&str, &[&str]); 12] = [
    ("store: view", &["ui::store_"]),
    (
        "store: protocol and experiments",
        &["protocols::store", "StoreNode", "experiments::cap", "experiments::quorum", "experiments::pbs", "history::"],
    ),
    ("gossip & SWIM: view", &["ui::swarm_view", "viewmodel::swarm"]),
    ("gossip: protocol", &["protocols::gossip"]),
    ("SWIM: protocol", &["protocols::swim"]),
    ("Raft: view", &["ui::face", "ui::panels", "ui::metrics", "ui::raft_view", "ui::toolbar"]),
    ("Raft: protocol", &["protocols::raft"]),
    ("shared UI and view-models", &["splitbrain::ui", "splitbrain::viewmodel"]),
    ("engine, spine, registry (generic)", &["splitbrain"]),
    ("Yew, gloo, web-sys, wasm-bindgen", &["yew", "gloo", "web_sys", "js_sys", "wasm_bindgen"]),
    ("serde, serde_json", &["serde"]),
    (
        "core, alloc, std",
        &["core::", "alloc::", "std::", "dlmalloc", "compiler_builtins", "memcpy", "memset", "memmove"],
    ),
];

fn leb(b: &[u8], i: &mut usize) -> Result<u64, String> {
    let (mut r, mut shift) = (0u64, 0);
    loop {
        let x = *b.get(*i).ok_or("the wasm ends inside a number")?;
        *i += 1;
        r |= u64::from(x & 0x7f) << shift;
        shift += 7;
        if x < 0x80 {
            return Ok(r);
        }
    }
}

/// A legacy-mangled Rust name (`_ZN10splitbrain2ui4view17h…E`) as a path.
fn demangle(n: &str) -> String {
    let Some(mut rest) = n.strip_prefix("_ZN") else { return n.to_string() };
    let mut parts = Vec::new();
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(len) = rest[..digits].parse::<usize>() else { break };
        let Some(part) = rest.get(digits..digits + len) else { break };
        if !(part.len() == 17 && part.starts_with('h')) {
            parts.push(part);
        }
        rest = &rest[digits + len..];
    }
    parts.join("::").replace("$LT$", "<").replace("$GT$", ">").replace("$u20$", " ").replace("..", "::")
}

/// What the breakdown reads of a wasm: each defined function's body size,
/// the names by function index, and how many functions are imported (the
/// defined ones are numbered after them).
struct Code {
    bodies: Vec<u64>,
    names: BTreeMap<u64, String>,
    imported: u64,
}

fn read(wasm: &[u8]) -> Result<Code, String> {
    let (mut i, mut imported, mut bodies, mut names) = (8usize, 0u64, Vec::new(), BTreeMap::new());
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let size = leb(wasm, &mut i)? as usize;
        let end = i + size;
        let mut j = i;
        match id {
            2 => {
                for _ in 0..leb(wasm, &mut j)? {
                    for _ in 0..2 {
                        let l = leb(wasm, &mut j)? as usize;
                        j += l;
                    }
                    let kind = wasm[j];
                    j += 1;
                    match kind {
                        0 => {
                            leb(wasm, &mut j)?;
                            imported += 1;
                        }
                        1 => {
                            j += 1;
                            let flags = leb(wasm, &mut j)?;
                            leb(wasm, &mut j)?;
                            if flags & 1 == 1 {
                                leb(wasm, &mut j)?;
                            }
                        }
                        2 => {
                            let flags = leb(wasm, &mut j)?;
                            leb(wasm, &mut j)?;
                            if flags & 1 == 1 {
                                leb(wasm, &mut j)?;
                            }
                        }
                        _ => j += 2,
                    }
                }
            }
            10 => {
                for _ in 0..leb(wasm, &mut j)? {
                    let l = leb(wasm, &mut j)?;
                    bodies.push(l);
                    j += l as usize;
                }
            }
            0 => {
                let l = leb(wasm, &mut j)? as usize;
                let custom = &wasm[j..j + l];
                j += l;
                while custom == b"name" && j < end {
                    let sub = wasm[j];
                    j += 1;
                    let len = leb(wasm, &mut j)? as usize;
                    let next = j + len;
                    if sub == 1 {
                        let mut k = j;
                        for _ in 0..leb(wasm, &mut k)? {
                            let idx = leb(wasm, &mut k)?;
                            let l = leb(wasm, &mut k)? as usize;
                            names.insert(idx, String::from_utf8_lossy(&wasm[k..k + l]).into_owned());
                            k += l;
                        }
                    }
                    j = next;
                }
            }
            _ => {}
        }
        i = end;
    }
    Ok(Code { bodies, names, imported })
}

/// The breakdown, as a Markdown table for BENCHMARKS.md.
pub fn breakdown(wasm: &[u8]) -> Result<String, String> {
    let Code { bodies, names, imported } = read(wasm)?;
    if names.is_empty() {
        return Err("the wasm has no name section: build it with cargo, not trunk".into());
    }
    let mut buckets: BTreeMap<&str, u64> = BTreeMap::new();
    for (k, size) in bodies.iter().enumerate() {
        let name = demangle(names.get(&(imported + k as u64)).map_or("", String::as_str));
        let bucket = RULES.iter().find(|(_, pats)| pats.iter().any(|p| name.contains(p))).map_or("other", |r| r.0);
        *buckets.entry(bucket).or_default() += size;
    }
    let total: u64 = bodies.iter().sum();
    let mut rows: Vec<_> = buckets.into_iter().collect();
    rows.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
    let mut out = String::from("| part | code before wasm-opt | share |\n|---|---|---|\n");
    for (name, size) in rows {
        out.push_str(&format!("| {name} | {size} B | {:.1}% |\n", 100.0 * size as f64 / total as f64));
    }
    out.push_str(&format!("| total | {total} B | {} named functions |\n", names.len()));
    // SIZES_GREP=text lists the functions whose name holds it, largest
    // first (the first SIZES_TOP of them, 40 unless set).
    if let Ok(grep) = std::env::var("SIZES_GREP") {
        let mut hits: Vec<(u64, String)> = bodies
            .iter()
            .enumerate()
            .map(|(k, size)| (*size, demangle(names.get(&(imported + k as u64)).map_or("", String::as_str))))
            .filter(|(_, name)| name.contains(&grep))
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        let sum: u64 = hits.iter().map(|h| h.0).sum();
        out.push_str(&format!("\n{} functions with {grep:?} in their name, {sum} B:\n", hits.len()));
        let top = std::env::var("SIZES_TOP").ok().and_then(|t| t.parse().ok()).unwrap_or(40);
        for (size, name) in hits.iter().take(top) {
            out.push_str(&format!("{size:>8} {name}\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mangled_rust_name_reads_as_its_path() {
        assert_eq!(
            demangle("_ZN10splitbrain2ui10store_view10store_page17h84558480d3c854a7E"),
            "splitbrain::ui::store_view::store_page"
        );
        assert_eq!(demangle("memcpy"), "memcpy");
    }

    #[test]
    fn a_wasm_without_names_is_refused() {
        // The 8-byte header of an empty module: no sections, no names.
        let empty = [0, b'a', b's', b'm', 1, 0, 0, 0];
        assert!(breakdown(&empty).unwrap_err().contains("no name section"));
    }
}
