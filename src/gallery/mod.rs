//! The gallery: whole HA architectures as scenarios (`scenarios/gallery_*.toml`, each
//! with a `[gallery]` section), and the README's figures table made from a sweep of
//! each over one fixed seed range, so every number in it comes from a run anyone can
//! repeat exactly. `hasim gallery` prints the table, writes it between the README's
//! markers (`--write`) or fails if the README differs (`--check`); a test does the
//! same check in-process.
//!
//! Gallery scenarios promise their checks hold: a check violated on any seed of the
//! sweep is reported loudly and fails the command (after writing).
//!
//! ## Map of the modules
//! - [`scenarios`]: finding and loading the gallery scenarios.
//! - [`measure`]: the sweep of each through `crate::sweep`, and its aggregate.
//! - [`table`]: the markdown table and the header line that states its seeds.
//! - [`readme`]: the markers, replacing the block, the diff.
//! - [`error`]: what can go wrong, typed.
//! - [`checks_table`]: the README's other generated table, the end checks per model,
//!   rendered from the registry.

pub mod checks_table;
pub mod error;
pub mod measure;
pub mod readme;
pub mod scenarios;
pub mod table;

pub use error::GalleryError;
pub use measure::{Row, Sweep};

use crate::sweep::seeds::SeedRange;
use std::path::{Path, PathBuf};

/// The seeds the README's table is made from unless `--seeds` says otherwise: 1..=10.
/// Ten seeds of about five scenarios (some of 500 nodes) is what the tests can afford
/// in the debug profile on two cores; the header line of the table says so.
pub const SEEDS: SeedRange = SeedRange::until(1, 11);

/// What to do with the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Print it.
    Print,
    /// Replace the marked block of this README with it.
    Write(PathBuf),
    /// Compare it with the marked block of this README.
    Check(PathBuf),
}

/// A gallery made.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Each scenario, measured.
    pub rows: Vec<Row>,
    /// The seeds they ran.
    pub seeds: SeedRange,
    /// The table.
    pub table: String,
    /// In `Mode::Check`: how the README's block differs from the table (a line diff),
    /// `None` when it is the same.
    pub differs: Option<String>,
}

impl Outcome {
    /// The scenarios whose checks did not all hold, with what went wrong.
    pub fn violations(&self) -> Vec<(&Row, Vec<String>)> {
        self.rows
            .iter()
            .filter(|r| !r.held())
            .map(|r| (r, r.violations()))
            .collect()
    }
}

/// Makes the gallery of the scenarios in `dir` (models found in `models`) and does
/// what `mode` says with it.
/// The seeds are `seeds`, else (for `Mode::Check`) those the README's table states,
/// else [`SEEDS`]. `Ok(None)` when interrupted (nothing written).
pub fn run(
    models: &dyn crate::models::Lookup,
    mode: &Mode,
    dir: &Path,
    seeds: Option<SeedRange>,
    jobs: usize,
    quiet: bool,
) -> Result<Option<Outcome>, GalleryError> {
    let readme = match mode {
        Mode::Print => None,
        Mode::Write(path) | Mode::Check(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| GalleryError::Io {
                path: path.clone(),
                message: e.to_string(),
            })?;
            // Bad markers are found before any seed runs, not after.
            let block = readme::block_range(&text, path)?;
            Some((path, text, block))
        }
    };
    let seeds = match (seeds, mode, &readme) {
        (Some(s), _, _) => s,
        (None, Mode::Check(_), Some((path, text, block))) => {
            match table::stated_seeds(&text[block.clone()]) {
                Some(stated) => stated.map_err(|message| GalleryError::StatedSeeds {
                    file: path.to_path_buf(),
                    message,
                })?,
                None => SEEDS,
            }
        }
        _ => SEEDS,
    };
    let entries = scenarios::load(dir, models)?;
    let Some(rows) = measure::measure(entries.as_slice(), Sweep { seeds, jobs, quiet })? else {
        return Ok(None);
    };
    let base = readme
        .as_ref()
        .map(|(path, _, _)| path.parent().unwrap_or(Path::new("")));
    let table = table::render(&rows, seeds, base);
    let mut differs = None;
    if let Some((path, text, block)) = &readme {
        match mode {
            Mode::Write(_) => {
                let new = readme::replace(text, path, &table)?;
                if new != *text {
                    crate::atomic::write(path, new.as_bytes()).map_err(|e| GalleryError::Io {
                        path: path.to_path_buf(),
                        message: e.to_string(),
                    })?;
                }
            }
            Mode::Check(_) => {
                let old = &text[block.clone()];
                let new = readme::block_of(&table);
                if old != new {
                    differs = Some(readme::diff(old, &new));
                }
            }
            Mode::Print => {}
        }
    }
    Ok(Some(Outcome {
        rows,
        seeds,
        table,
        differs,
    }))
}
