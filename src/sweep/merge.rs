//! Combining shard files into one sweep: the results of shards 1/N … N/N of a range,
//! run on different machines, merge into exactly what the unsharded sweep would have
//! written (same header, same lines), hence the same aggregate.
//!
//! Files belong together when they name the same scenario hash, hasim version and seed
//! range; anything else is refused, because an aggregate over two versions of a
//! scenario measures neither. Seeds may not appear twice. Seeds of the range that no
//! file holds (a shard not run, or stopped by Ctrl-C) are gaps, reported as spans.

use super::output::{Header, ResultsFile};
use super::seeds::spans;
use crate::runner::RunResult;
use std::path::PathBuf;

/// Shards combined.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The header of the whole sweep (no shard; complete when there are no gaps).
    pub header: Header,
    /// All results, sorted by seed.
    pub results: Vec<RunResult>,
    /// Seeds of the range that no file holds, sorted.
    pub missing: Vec<u64>,
}

impl Merged {
    /// The gaps as spans (`3, 7..=9`), for messages.
    pub fn gaps(&self) -> String {
        spans(&self.missing)
    }
}

/// Merges `files` (with the paths they were read from, for messages). Errors are bad
/// input: files from different sweeps, or a seed in two files.
pub fn merge(files: Vec<(PathBuf, ResultsFile)>) -> Result<Merged, String> {
    let Some((first_path, first)) = files.first() else {
        return Err("merge needs at least one results file".to_string());
    };
    let reference = first.header.clone();
    for (path, file) in &files[1..] {
        let h = &file.header;
        let mismatch = |what: &str, a: &str, b: &str| {
            format!(
                "{} and {} are not shards of one sweep: {what} {a} vs {b}",
                first_path.display(),
                path.display()
            )
        };
        if h.scenario_hash != reference.scenario_hash {
            return Err(mismatch(
                "scenario hash",
                &reference.scenario_hash,
                &h.scenario_hash,
            ));
        }
        if h.hasim_version != reference.hasim_version {
            return Err(mismatch(
                "hasim version",
                &reference.hasim_version,
                &h.hasim_version,
            ));
        }
        if h.seeds != reference.seeds {
            return Err(mismatch(
                "seed range",
                &reference.seeds.to_string(),
                &h.seeds.to_string(),
            ));
        }
    }

    // Tag each result with its file so a duplicate can name both.
    let mut all: Vec<(usize, RunResult)> = files
        .iter()
        .enumerate()
        .flat_map(|(i, (_, f))| f.results.iter().cloned().map(move |r| (i, r)))
        .collect();
    all.sort_by_key(|(_, r)| r.seed);
    let mut duplicates = Vec::new();
    for pair in all.windows(2) {
        if pair[0].1.seed == pair[1].1.seed {
            duplicates.push(format!(
                "seed {} is in {} and {}",
                pair[0].1.seed,
                files[pair[0].0].0.display(),
                files[pair[1].0].0.display()
            ));
        }
    }
    if !duplicates.is_empty() {
        let more = match duplicates.len() {
            n if n > 5 => format!(" (and {} more)", n - 5),
            _ => String::new(),
        };
        duplicates.truncate(5);
        return Err(format!(
            "the same seed appears twice (a shard given twice, or overlapping sweeps): {}{more}",
            duplicates.join("; ")
        ));
    }
    let results: Vec<RunResult> = all.into_iter().map(|(_, r)| r).collect();

    let mut missing = Vec::new();
    let mut have = results.iter().map(|r| r.seed).peekable();
    for seed in reference.seeds.start..=reference.seeds.last {
        if have.peek() == Some(&seed) {
            have.next();
        } else {
            missing.push(seed);
        }
    }

    let header = Header {
        shard: None,
        runs: results.len() as u64,
        complete: missing.is_empty(),
        ..reference
    };
    Ok(Merged {
        header,
        results,
        missing,
    })
}
