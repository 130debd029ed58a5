//! The layers import only downward (docs/architecture.md): the engine
//! knows no protocol, the contract sits below the protocols and imports
//! none of them, the protocols never reach the scenario layer, the
//! view-models or the UI, and only the UI and the binaries sit on top.

use std::path::Path;

/// Each top-level module of `src/` and its rank: a file may name a module
/// of its own rank or below, never above.
const RANKS: [(&str, u8); 12] = [
    ("sim", 0),
    ("stats", 0),
    ("contract", 1),
    ("history", 1),
    ("protocols", 2),
    ("scenario", 3),
    ("experiments", 3),
    ("search", 3),
    ("viewmodel", 4),
    ("ui", 5),
    ("bin", 5),
    ("main", 5),
];

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The top-level module a source file belongs to (`src/ui/cluster.rs` is
/// in `ui`; `src/lab_main.rs` and `src/main.rs` are entry points).
fn module_of(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    match first.strip_suffix(".rs") {
        Some("lib") => "lib",
        Some(m) if m.ends_with("main") => "main",
        Some(m) => m,
        None => first,
    }
}

/// Every `crate::<module>` a file's code (not its comments) names.
fn imports(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.push((i + 1, name));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut upward = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let module = module_of(&rel);
        if module == "lib" {
            continue;
        }
        let own = rank(module).unwrap_or_else(|| panic!("{rel}: module '{module}' has no layer in RANKS"));
        if module == "bin" {
            // The CLI is a crate of its own on top: its `crate::` is itself.
            continue;
        }
        let code = std::fs::read_to_string(f).unwrap();
        for (line, name) in imports(&code) {
            checked += 1;
            let theirs = rank(&name).unwrap_or_else(|| panic!("{rel}:{line}: crate::{name} has no layer in RANKS"));
            if theirs > own {
                upward.push(format!("{rel}:{line}: {module} (layer {own}) imports crate::{name} (layer {theirs})"));
            }
        }
    }
    assert!(checked > 100, "only {checked} imports found: is the walk reading the sources?");
    assert!(upward.is_empty(), "imports that point upward:\n{}", upward.join("\n"));
}

#[test]
fn the_check_catches_an_upward_import() {
    // A protocol that reached up into the scenario layer would be caught.
    let code = "use crate::sim::Sim;\n// crate::ui in a comment is fine\nuse crate::scenario::Scenario;\n";
    let found = imports(code);
    assert_eq!(found, vec![(1, "sim".to_string()), (3, "scenario".to_string())]);
    assert!(rank("scenario").unwrap() > rank(module_of("protocols/raft/spec.rs")).unwrap());
}

#[test]
fn the_ui_reaches_protocols_only_through_the_view_models_and_the_registry() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut files = Vec::new();
    walk(&ui, &mut files);
    assert!(files.len() > 10, "the UI's files are read");
    let mut reaching = Vec::new();
    for f in &files {
        let code = std::fs::read_to_string(f).unwrap();
        for (i, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            for (at, _) in line.match_indices("crate::protocols::") {
                if !line[at..].starts_with("crate::protocols::registry") {
                    reaching.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        reaching.is_empty(),
        "the UI names protocol internals (use crate::viewmodel::seen):\n{}",
        reaching.join("\n")
    );
}
