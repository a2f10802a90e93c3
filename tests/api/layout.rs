//! The crate documentation's "Layout" in `src/lib.rs` is the one list of
//! modules: every module under `src/` must be named in it, and the README
//! must point to it rather than keep a second list.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/drafts/graphql/types.rs` is `drafts::graphql::types`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

#[test]
fn the_crate_layout_names_every_module_and_the_readme_points_to_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layout: String = lib
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .skip_while(|l| !l.contains("# Layout"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!layout.is_empty(), "src/lib.rs has no # Layout section");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut missing = Vec::new();
    for file in &files {
        let path = module_path(&src, file);
        let named = match path.as_slice() {
            [] => true,
            [only] if only == "lib" || only == "main" => true,
            [top] => layout.contains(&format!("`{top}`")),
            [top, second] => layout.contains(&format!("`{top}::{second}`")),
            [top, second, .., leaf] => {
                layout.contains(&format!("`{top}::{second}`"))
                    && layout.contains(&format!("`{leaf}`"))
            }
        };
        if !named {
            missing.push(path.join("::"));
        }
    }
    assert!(
        missing.is_empty(),
        "modules missing from src/lib.rs's # Layout: {missing:?}"
    );
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Layout")
        .nth(1)
        .expect("the README has a Layout section");
    assert!(
        section.contains("src/lib.rs"),
        "the README's Layout must point to src/lib.rs"
    );
}
