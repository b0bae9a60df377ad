//! The crate's import structure: each area is a folder, and imports point one
//! way — core → models and solvers (mdp, game, conflict) → analyses built on
//! them (retarget, then multiagent) → presentation (plot). A module may use
//! its own area and areas of a strictly lower layer, nothing else.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules and their layers.
const LAYERS: &[(&str, u32)] = &[
    ("error", 0),
    ("exact", 0),
    ("progress", 0),
    ("stats", 0),
    ("resources", 0),
    ("input", 1),
    ("mdp", 2),
    ("game", 2),
    ("conflict", 2),
    ("retarget", 3),
    ("stochastic", 3),
    ("multiagent", 4),
    ("plot", 5),
];

/// The areas that must be folders (`src/<area>/mod.rs`).
const FOLDERS: &[&str] = &[
    "mdp",
    "game",
    "conflict",
    "retarget",
    "stochastic",
    "multiagent",
    "plot",
];

fn layer(module: &str) -> Option<u32> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules named as `crate::<name>` in `text`.
fn crate_imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let tail = &rest[i + "crate::".len()..];
        let name: String = tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            found.insert(name);
        }
        rest = tail;
    }
    found
}

#[test]
fn imports_point_down_and_areas_are_folders() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for area in FOLDERS {
        assert!(src.join(area).join("mod.rs").is_file(), "area {area} is not a folder");
    }
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy();
        let own = top.trim_end_matches(".rs").to_string();
        if own == "lib" {
            continue;
        }
        let own_layer = layer(&own).unwrap_or_else(|| panic!("{} is not in the layer table", rel.display()));
        for used in crate_imports(&fs::read_to_string(&file).unwrap()) {
            if used == own {
                continue;
            }
            // Crate-root re-exports of the error type are core.
            let used_layer = match used.as_str() {
                "Error" | "Result" => 0,
                m => match layer(m) {
                    Some(l) => l,
                    None => continue, // a crate-root item re-exported from somewhere
                },
            };
            if used_layer >= own_layer {
                violations.push(format!(
                    "{} (layer {own_layer}) uses crate::{used} (layer {used_layer})",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that do not point down:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_imports() {
    let text = "use crate::mdp::Mdp;\nlet x = crate::game::power::bayesian_power(g, s);";
    let found = crate_imports(text);
    assert!(found.contains("mdp") && found.contains("game"));
    assert_eq!(found.len(), 2);
}
