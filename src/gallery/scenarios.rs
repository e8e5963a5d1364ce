//! Which scenarios make up the gallery: every `gallery_*.toml` in a directory, in
//! path order (so the table's row order never depends on the file system), each
//! loaded and required to carry a `[gallery]` section.

use super::error::GalleryError;
use crate::scenario::{Gallery, Scenario};
use std::path::{Path, PathBuf};

/// The directory `hasim gallery` looks in unless told otherwise.
pub const DIRECTORY: &str = "scenarios";

/// A gallery scenario, loaded.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The scenario (its `path` is the file as found).
    pub scenario: Scenario,
    /// Its `[gallery]` section.
    pub gallery: Gallery,
}

/// The `gallery_*.toml` files in `dir`, sorted by path.
pub fn find(dir: &Path) -> Result<Vec<PathBuf>, GalleryError> {
    let io = |e: std::io::Error| GalleryError::Io {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    let mut paths = Vec::new();
    for item in std::fs::read_dir(dir).map_err(io)? {
        let item = item.map_err(io)?;
        let name = item.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("gallery_") && name.ends_with(".toml") && item.path().is_file() {
            paths.push(dir.join(name.as_ref()));
        }
    }
    paths.sort();
    Ok(paths)
}

/// Loads the gallery scenarios of `dir`.
pub fn load(dir: &Path, models: &dyn crate::models::Lookup) -> Result<Vec<Entry>, GalleryError> {
    find(dir)?
        .into_iter()
        .map(|path| {
            let scenario = Scenario::load(&path, models)?;
            let gallery = scenario
                .gallery
                .clone()
                .ok_or(GalleryError::NotGallery { scenario: path })?;
            Ok(Entry { scenario, gallery })
        })
        .collect()
}
