//! `hasim check`: validates scenario files (and every `*.toml` of a directory)
//! without running them, reporting each; `--json` gives one object per file, for
//! editors and CI annotations.

use super::Failure;
use crate::registry::Registry;
use std::path::{Path, PathBuf};

/// Arguments of `hasim check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The scenario files, or directories whose `*.toml` files are checked.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Print `{"scenarios": [{file, ok, ...}]}` instead of a line per file.
    #[arg(long)]
    pub json: bool,
}

/// Checks every file named, and every `*.toml` in each directory named (in name
/// order), reporting each; bad input on any (exit 2) after all are checked.
pub fn check_all(args: &CheckArgs, models: &Registry) -> Result<(), Failure> {
    let mut files = Vec::new();
    for path in &args.scenarios {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| Failure::Input(format!("error: {}: {e}", path.display())))?;
            let mut tomls: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect();
            if tomls.is_empty() {
                return Err(Failure::Input(format!(
                    "error: {}: a directory with no .toml scenario files",
                    path.display()
                )));
            }
            tomls.sort();
            files.extend(tomls);
        } else {
            files.push(path.clone());
        }
    }
    let mut bad = 0;
    let mut reports = Vec::new();
    for file in &files {
        let report = check(file, args.json, models);
        if !report["ok"].as_bool().unwrap_or(false) {
            bad += 1;
        }
        reports.push(report);
    }
    if args.json {
        let text = serde_json::to_string_pretty(&serde_json::json!({ "scenarios": reports }))
            .map_err(|e| Failure::Input(format!("error: {e}")))?;
        crate::outln!("{text}");
    } else if files.len() > 1 {
        crate::outln!("{} of {} scenarios ok", files.len() - bad, files.len());
    }
    if bad > 0 {
        return Err(Failure::Input(format!(
            "error: {bad} of {} scenarios are not valid",
            files.len()
        )));
    }
    Ok(())
}

/// One file's report as JSON; printed as a line (stdout, or the error on stderr)
/// unless `json`.
fn check(path: &Path, json: bool, models: &Registry) -> serde_json::Value {
    match models.load(path) {
        Ok(s) => {
            if !json {
                super::warn(&s);
                crate::outln!(
                    "{}: ok — scenario {:?}, {} nodes, model {}, {} checks, hash {}",
                    path.display(),
                    s.name,
                    s.nodes.len(),
                    s.model,
                    s.checks.len(),
                    s.hash
                );
            }
            serde_json::json!({
                "file": path.display().to_string(),
                "ok": true,
                "scenario": s.name,
                "nodes": s.nodes.len(),
                "model": s.model,
                "checks": s.checks.len(),
                "hash": s.hash,
                "warnings": s.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        }
        Err(e) => {
            if !json {
                eprintln!("error: {e}");
            }
            serde_json::json!({
                "file": path.display().to_string(),
                "ok": false,
                "error": e.to_string(),
            })
        }
    }
}
