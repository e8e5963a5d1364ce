//! The journal of a sweep with `--out FILE`: `FILE.partial`, to which every seed's
//! result is appended the moment it finishes, so a sweep killed outright (SIGKILL, the
//! OOM killer, a preempted machine) loses only the runs in flight, and
//! `hasim sweep … --resume` runs only the seeds the journal lacks.
//!
//! Layout: a first line naming the sweep ([`Identity`]: scenario hash, hasim version,
//! seeds, shard, `--check-determinism`), then one `RunResult` per line in the order
//! the seeds finished, each line written with a single `write` so a killed process
//! leaves at most its last line cut short. The kernel has a record as soon as it is
//! written (a SIGKILL loses nothing written); it is synced to disk at most a second
//! later, so a power cut loses about a second of seeds.
//!
//! The results file is not the journal: when the sweep ends (or is interrupted) the
//! journal's lines are copied into `FILE` in seed order, atomically, and the
//! aggregate is built from them in that order, so a resumed sweep writes and prints
//! exactly what an uninterrupted one does. The journal is removed once `FILE` holds
//! every seed; an interrupted sweep keeps it for `--resume`.
//!
//! In memory the journal keeps only where each seed's line is (16 bytes a seed), not
//! the results.

use super::accumulate::Accumulator;
use super::output::Header;
use super::seeds::{SeedPlan, SeedRange, Shard};
use crate::runner::RunResult;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The `format` value of a journal's first line.
pub const FORMAT: &str = "hasim-sweep-journal/1";

/// How long a written record may wait before it is synced to disk.
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// What a journal belongs to: a resumed sweep must be this same sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// Always [`FORMAT`].
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// Hash of the scenario file's bytes.
    pub scenario_hash: String,
    /// The hasim version that ran the seeds.
    pub hasim_version: String,
    /// The sweep's whole seed range.
    pub seeds: SeedRange,
    /// Its shard, if one.
    pub shard: Option<Shard>,
    /// Whether every seed ran twice (a divergence changes the result).
    pub check_determinism: bool,
}

/// The journal of the results file `out`: `out` with `.partial` added to its name.
pub fn path_for(out: &Path) -> PathBuf {
    let mut name = out
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    plan: SeedPlan,
    file: File,
    /// The file's length: where the next record goes.
    end: u64,
    /// For each of the plan's seeds, its record's offset and length (0: not run yet).
    index: Vec<(u64, u32)>,
    /// Records in the journal.
    count: u64,
    /// Of those, the results that did not pass (for the progress bar).
    failed: u64,
    last_sync: Instant,
}

/// What [`Journal::resume`] found.
#[derive(Debug)]
pub struct Resumed {
    /// The journal, ready to append.
    pub journal: Journal,
    /// Whether a last record cut short by the interruption was dropped.
    pub dropped_torn: bool,
}

impl Journal {
    /// Starts a new journal at `path` (replacing any) for the sweep `identity`.
    pub fn create(path: &Path, identity: &Identity, plan: SeedPlan) -> Result<Journal, String> {
        let at = |e: std::io::Error| format!("{}: {e}", path.display());
        let mut file = File::create(path).map_err(at)?;
        let mut line = serde_json::to_vec(identity).map_err(|e| e.to_string())?;
        line.push(b'\n');
        file.write_all(&line).map_err(at)?;
        file.sync_data().map_err(at)?;
        Ok(Journal {
            path: path.to_path_buf(),
            plan,
            file,
            end: line.len() as u64,
            index: vec![(0, 0); index_len(plan)?],
            count: 0,
            failed: 0,
            last_sync: now(),
        })
    }

    /// Opens the journal at `path` to continue the sweep `identity`: checks that it is
    /// that sweep's and that every record is one of its seeds, once; drops a last
    /// record cut short. A journal with no complete first line (killed while
    /// starting) is started afresh.
    pub fn resume(path: &Path, identity: &Identity, plan: SeedPlan) -> Result<Resumed, String> {
        let at = |line: u64, what: String| format!("{}:{line}: {what}", path.display());
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        let mut reader = BufReader::new(&file);
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line).map_err(io)?;
        if line.last() != Some(&b'\n') {
            drop(reader);
            let journal = Journal::create(path, identity, plan)?;
            return Ok(Resumed {
                journal,
                dropped_torn: false,
            });
        }
        let found: Identity = serde_json::from_slice(&line).map_err(|e| {
            at(1, format!("not the journal of a hasim sweep ({e}); remove it, or run without --resume to replace it"))
        })?;
        if let Some(why) = mismatch(&found, identity) {
            return Err(format!(
                "{} is the journal of another sweep: {why}; remove it, or run without --resume to start afresh",
                path.display()
            ));
        }
        let mut end = line.len() as u64;
        let mut index = vec![(0u64, 0u32); index_len(plan)?];
        let (mut count, mut failed, mut dropped_torn) = (0, 0, false);
        for n in 2.. {
            line.clear();
            reader.read_until(b'\n', &mut line).map_err(io)?;
            if line.is_empty() {
                break;
            }
            if line.last() != Some(&b'\n') {
                // The last write of a killed process: the seed simply runs again.
                dropped_torn = true;
                break;
            }
            let record = &line[..line.len() - 1];
            let result: RunResult = serde_json::from_slice(record)
                .map_err(|e| at(n, format!("not a run result ({e}); the journal is damaged")))?;
            let i = plan.index_of(result.seed).ok_or_else(|| {
                at(
                    n,
                    format!("seed {} is not one of this sweep's seeds", result.seed),
                )
            })?;
            if result.scenario_hash != identity.scenario_hash {
                return Err(at(
                    n,
                    format!(
                        "seed {} is of scenario hash {}",
                        result.seed, result.scenario_hash
                    ),
                ));
            }
            let slot = &mut index[i as usize];
            if slot.1 != 0 {
                return Err(at(
                    n,
                    format!(
                        "seed {} is in the journal twice; it is damaged",
                        result.seed
                    ),
                ));
            }
            *slot = (end, record_len(record.len())?);
            end += line.len() as u64;
            count += 1;
            failed += u64::from(!result.passed());
        }
        drop(reader);
        if dropped_torn {
            file.set_len(end).map_err(io)?;
        }
        Ok(Resumed {
            journal: Journal {
                path: path.to_path_buf(),
                plan,
                file,
                end,
                index,
                count,
                failed,
                last_sync: now(),
            },
            dropped_torn,
        })
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the plan's `i`-th seed has its result here.
    pub fn has(&self, i: u64) -> bool {
        self.index.get(i as usize).is_some_and(|&(_, len)| len > 0)
    }

    /// Results in the journal.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Of those, the ones that did not pass.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Appends the result of the plan's `i`-th seed, syncing if the last sync is more
    /// than [`SYNC_EVERY`] ago.
    pub fn append(&mut self, i: u64, result: &RunResult) -> Result<(), String> {
        let io = |e: std::io::Error| format!("{}: {e}", self.path.display());
        let mut line = serde_json::to_vec(result).map_err(|e| e.to_string())?;
        let len = record_len(line.len())?;
        line.push(b'\n');
        // One write for the whole line: a kill leaves whole lines and at most one torn.
        self.file.write_all(&line).map_err(io)?;
        self.index[i as usize] = (self.end, len);
        self.end += line.len() as u64;
        self.count += 1;
        self.failed += u64::from(!result.passed());
        if elapsed(self.last_sync) >= SYNC_EVERY {
            self.file.sync_data().map_err(io)?;
            self.last_sync = now();
        }
        Ok(())
    }

    /// Syncs every record written to disk.
    pub fn sync(&mut self) -> Result<(), String> {
        self.file
            .sync_data()
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// Writes the results file `out` (atomically): `header`, then every record in
    /// seed order, each also added to `acc` in that order.
    pub fn write_results(
        &self,
        out: &Path,
        header: &Header,
        acc: &mut Accumulator,
    ) -> Result<(), String> {
        let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
        let mut reader = BufReader::new(File::open(&self.path).map_err(|e| io(&self.path, e))?);
        let (temp, file) = crate::atomic::create(out).map_err(|e| io(out, e))?;
        let mut writer = BufWriter::new(file);
        let mut line = serde_json::to_vec(header).map_err(|e| e.to_string())?;
        line.push(b'\n');
        writer.write_all(&line).map_err(|e| io(out, e))?;
        let mut at = u64::MAX;
        for i in 0..self.plan.len() {
            let (offset, len) = self.index[i as usize];
            if len == 0 {
                continue;
            }
            // Records are mostly in seed order already: seek only when they are not.
            if offset != at {
                reader
                    .seek(SeekFrom::Start(offset))
                    .map_err(|e| io(&self.path, e))?;
            }
            line.resize(len as usize + 1, 0);
            reader
                .read_exact(&mut line)
                .map_err(|e| io(&self.path, e))?;
            at = offset + line.len() as u64;
            let result: RunResult = serde_json::from_slice(&line[..len as usize]).map_err(|e| {
                format!(
                    "{}: a record changed under the sweep: {e}",
                    self.path.display()
                )
            })?;
            acc.add(&result);
            writer.write_all(&line).map_err(|e| io(out, e))?;
        }
        let file = writer.into_inner().map_err(|e| io(out, e.into_error()))?;
        temp.commit(&file).map_err(|e| io(out, e))
    }

    /// Removes the journal (the results file holds every seed).
    pub fn remove(self) -> Result<(), String> {
        std::fs::remove_file(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// The first field in which `found` is not the sweep `wanted`, in words.
fn mismatch(found: &Identity, wanted: &Identity) -> Option<String> {
    let differ = |what: &str, a: String, b: String| {
        (a != b).then(|| format!("its {what} is {a}, this sweep's is {b}"))
    };
    let shard = |s: Option<Shard>| s.map_or_else(|| "none".to_string(), |s| s.to_string());
    differ("format", found.format.clone(), wanted.format.clone())
        .or_else(|| {
            differ(
                "scenario hash",
                found.scenario_hash.clone(),
                wanted.scenario_hash.clone(),
            )
        })
        .or_else(|| {
            differ(
                "hasim version",
                found.hasim_version.clone(),
                wanted.hasim_version.clone(),
            )
        })
        .or_else(|| {
            differ(
                "seed range",
                found.seeds.to_string(),
                wanted.seeds.to_string(),
            )
        })
        .or_else(|| differ("shard", shard(found.shard), shard(wanted.shard)))
        .or_else(|| {
            differ(
                "--check-determinism",
                found.check_determinism.to_string(),
                wanted.check_determinism.to_string(),
            )
        })
}

fn index_len(plan: SeedPlan) -> Result<usize, String> {
    usize::try_from(plan.len())
        .map_err(|_| format!("{} seeds are more than this machine can index", plan.len()))
}

fn record_len(len: usize) -> Result<u32, String> {
    u32::try_from(len)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("a run result of {len} bytes cannot be journaled"))
}

/// Wall time decides only when the journal is synced, never anything a run computes.
#[allow(clippy::disallowed_methods)]
fn now() -> Instant {
    Instant::now()
}

fn elapsed(since: Instant) -> Duration {
    now().saturating_duration_since(since)
}
