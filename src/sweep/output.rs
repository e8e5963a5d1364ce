//! The results file of a sweep (`--out FILE.jsonl`): a header line naming the sweep,
//! then one `RunResult` per line, sorted by seed.
//!
//! The header carries what `hasim merge` needs to know the shards belong together
//! (scenario, its file hash, the hasim version, the whole seed range) and which part
//! this file is (shard, how many runs, whether it is complete). It holds nothing that
//! depends on the machine or on `--jobs` (no timestamps, no durations), so the same
//! sweep writes the same bytes anywhere, and shards merged write exactly what the
//! unsharded sweep writes. The file is written to a temporary name in the same
//! directory and renamed, so a reader never sees half a file.

use super::seeds::{SeedRange, Shard};
use crate::runner::RunResult;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// The `format` value of the header line; bumped if the layout changes.
pub const FORMAT: &str = "hasim-sweep/1";

/// The first line of a results file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// The model the scenario runs (for figure units in reports).
    pub model: String,
    /// Hash of the scenario file's bytes.
    pub scenario_hash: String,
    /// The hasim version that ran the sweep.
    pub hasim_version: String,
    /// The whole seed range of the sweep (all shards together).
    pub seeds: SeedRange,
    /// Which shard of the range this file holds; absent for a whole (or merged) sweep.
    pub shard: Option<Shard>,
    /// How many results follow.
    pub runs: u64,
    /// Whether every seed of this file's part ran (false after Ctrl-C).
    pub complete: bool,
}

/// A results file read back.
#[derive(Clone, Debug)]
pub struct ResultsFile {
    /// Its header.
    pub header: Header,
    /// Its results, sorted by seed.
    pub results: Vec<RunResult>,
}

/// Writes `header` and `results` to `path` atomically.
pub fn write(path: &Path, header: &Header, results: &[RunResult]) -> std::io::Result<()> {
    let (temp, file) = crate::atomic::create(path)?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, header)?;
    out.write_all(b"\n")?;
    for result in results {
        serde_json::to_writer(&mut out, result)?;
        out.write_all(b"\n")?;
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    temp.commit(&file)
}

/// Reads a results file, checking its header, that every line parses, and that the
/// results are for the header's scenario, sorted by seed and within its range.
/// Errors name the file and line.
pub fn read(path: &Path) -> Result<ResultsFile, String> {
    let at = |line: usize, what: String| format!("{}:{line}: {what}", path.display());
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = BufReader::new(file).lines();
    let first = match lines.next() {
        Some(line) => line.map_err(|e| at(1, e.to_string()))?,
        None => return Err(at(1, "empty file, not a hasim sweep results file".into())),
    };
    let header: Header = serde_json::from_str(&first).map_err(|e| {
        at(
            1,
            format!("not a hasim sweep results file (the header line is wrong: {e})"),
        )
    })?;
    if header.format != FORMAT {
        return Err(at(
            1,
            format!(
                "results format `{}`, this hasim reads `{FORMAT}`",
                header.format
            ),
        ));
    }
    let mut results: Vec<RunResult> = Vec::new();
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let line = line.map_err(|e| at(n, e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let result: RunResult =
            serde_json::from_str(&line).map_err(|e| at(n, format!("not a run result: {e}")))?;
        if result.scenario_hash != header.scenario_hash {
            return Err(at(
                n,
                format!(
                    "seed {} is of scenario hash {}, the header says {}",
                    result.seed, result.scenario_hash, header.scenario_hash
                ),
            ));
        }
        if !header.seeds.contains(result.seed) {
            return Err(at(
                n,
                format!(
                    "seed {} is outside the sweep's range {}",
                    result.seed, header.seeds
                ),
            ));
        }
        if let Some(last) = results.last() {
            if result.seed <= last.seed {
                return Err(at(
                    n,
                    format!(
                        "seed {} follows seed {}: results must be sorted by seed, each once",
                        result.seed, last.seed
                    ),
                ));
            }
        }
        results.push(result);
    }
    if results.len() as u64 != header.runs {
        return Err(at(
            1,
            format!(
                "the header announces {} runs but the file holds {} (truncated?)",
                header.runs,
                results.len()
            ),
        ));
    }
    Ok(ResultsFile { header, results })
}
