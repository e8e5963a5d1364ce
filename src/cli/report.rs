//! `hasim report`: one run drawn as a timeline — a self-contained HTML page and,
//! optionally, the same timeline as an SVG for documents.

use super::Failure;
use crate::atomic;
use crate::registry::Registry;
use crate::runner::{self, RunOptions};
use crate::timeline::{html, svg};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `hasim report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The HTML page to write (`--output` is the older spelling).
    #[arg(
        short = 'o',
        long = "out",
        visible_alias = "output",
        value_name = "FILE.html",
        default_value = "report.html"
    )]
    pub output: PathBuf,
    /// Also write the timeline as an SVG here.
    #[arg(long, value_name = "FILE.svg")]
    pub svg: Option<PathBuf>,
}

pub fn report(args: ReportArgs, models: &Registry) -> Result<(), Failure> {
    let scenario = models.load(&args.scenario)?;
    super::warn(&scenario);
    let outputs: Vec<&std::path::Path> = std::iter::once(args.output.as_path())
        .chain(args.svg.as_deref())
        .collect();
    crate::output_paths::check_all(&outputs, &[&args.scenario])?;
    // Ctrl-C or SIGTERM quits with 130, removing a half-written report or SVG.
    crate::sweep::interrupt::quit_on_signal();
    let seed = args.seed.unwrap_or(scenario.seed);
    let (result, data) = runner::run_with_timeline(
        &scenario,
        &RunOptions {
            seed,
            ..RunOptions::default()
        },
    )?;
    let write = |path: &PathBuf, text: &str| {
        atomic::write(path, text.as_bytes())
            .map_err(|e| Failure::Input(format!("error: {}: {e}", path.display())))
    };
    write(&args.output, &html::page(&scenario, &result, &data))?;
    if let Some(path) = &args.svg {
        let title = format!("{} — seed {} — {}", result.scenario, seed, result.outcome);
        write(path, &svg::render(&data, &title))?;
    }
    crate::outln!(
        "wrote {}{}: {} lanes, {} marks, {} bands, {} requests, {} messages; {}",
        args.output.display(),
        args.svg
            .as_ref()
            .map_or(String::new(), |p| format!(" and {}", p.display())),
        data.lanes.len(),
        data.marks.len(),
        data.bands.len(),
        data.requests.len(),
        data.messages_total,
        if result.passed() {
            "every check held".to_string()
        } else {
            "a check FAILED".to_string()
        }
    );
    Ok(())
}
