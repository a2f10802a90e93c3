//! Role content, the bottom floor of the features: the TOML format, its
//! validation, the import into the database, money amounts, and the public
//! GraphQL objects ([`graphql`]). It imports no feature.

pub mod graphql;
mod import;
mod model;
pub mod money;
mod validate;

pub use import::{ImportError, ImportReport, Progress, import, import_with_progress};
pub use model::RoleContent;
pub use validate::{ContentLimits, validate};

/// The content files compiled into the binary, imported when the database holds no role.
pub const BUNDLED: &[(&str, &str)] = &[(
    "content/backend-developer.toml",
    include_str!("../../content/backend-developer.toml"),
)];

/// Reads `paths` (files, or directories whose `*.toml` files are taken in name order).
pub fn read_files(paths: &[std::path::PathBuf]) -> std::io::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            entries.sort();
            for entry in entries {
                files.push((
                    entry.display().to_string(),
                    std::fs::read_to_string(&entry)?,
                ));
            }
        } else {
            files.push((path.display().to_string(), std::fs::read_to_string(path)?));
        }
    }
    Ok(files)
}
