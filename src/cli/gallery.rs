//! `hasim gallery`: the README's gallery table from a sweep of every gallery scenario
//! over a fixed seed range (see `crate::gallery`). Prints it, writes it between the
//! README's markers (`--write`), or checks the README against it (`--check`).
//!
//! Exit codes: 0 done and every gallery check held; 1 a gallery scenario's check was
//! violated on some seed (reported loudly, after writing) or `--check` found the
//! README out of date; 2 bad input; 130 interrupted (nothing written).

use crate::gallery::{self, Mode, Outcome};
use crate::sweep::seeds::SeedRange;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `hasim gallery`.
#[derive(Args, Debug)]
pub struct GalleryArgs {
    /// Where the gallery scenarios are: every `gallery_*.toml` in it, by path.
    #[arg(long, value_name = "DIR", default_value = gallery::scenarios::DIRECTORY)]
    pub scenarios: PathBuf,
    /// The seeds each scenario runs: `A..B` (B excluded), `A..=B` or `N` [default:
    /// 1..=10; with --check, the range the README's table states].
    #[arg(long, value_name = "A..=B")]
    pub seeds: Option<SeedRange>,
    /// Replace the text between the README's `<!-- gallery-figures:begin -->` and
    /// `<!-- gallery-figures:end -->` markers with the table (atomically).
    #[arg(long, value_name = "README.md", conflicts_with = "check")]
    pub write: Option<PathBuf>,
    /// Fail, with a short diff, if the README's marked table differs from a fresh one.
    #[arg(long, value_name = "README.md")]
    pub check: Option<PathBuf>,
    /// Worker threads [default: all cores].
    #[arg(long, short, value_name = "J")]
    pub jobs: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `hasim gallery`; returns the exit code.
pub fn gallery(args: GalleryArgs, models: &crate::registry::Registry) -> u8 {
    let mode = match (&args.write, &args.check) {
        (Some(path), _) => Mode::Write(path.clone()),
        (None, Some(path)) => Mode::Check(path.clone()),
        (None, None) => Mode::Print,
    };
    // The seeds are known only once the README is read; cap by the cores here.
    let jobs = match crate::sweep::pool::workers(args.jobs, u64::MAX) {
        Ok(jobs) => jobs,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let outcome = match gallery::run(models, &mode, &args.scenarios, args.seeds, jobs, args.quiet) {
        Ok(Some(outcome)) => outcome,
        Ok(None) => {
            eprintln!(
                "interrupted: the gallery needs every scenario on every seed; nothing written"
            );
            return 130;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut code = 0;
    match &mode {
        Mode::Print => crate::out!("{}", outcome.table),
        Mode::Write(path) => eprintln!(
            "wrote the gallery table ({} scenarios, seeds {}) to {}",
            outcome.rows.len(),
            gallery::table::inclusive(outcome.seeds),
            path.display()
        ),
        Mode::Check(path) => match &outcome.differs {
            None => eprintln!(
                "{}: the gallery table is up to date ({} scenarios, seeds {})",
                path.display(),
                outcome.rows.len(),
                gallery::table::inclusive(outcome.seeds)
            ),
            Some(diff) => {
                eprintln!(
                    "{}: the gallery table differs from a fresh sweep over seeds {} \
                     (regenerate it with `hasim gallery --write {}`):\n{diff}",
                    path.display(),
                    gallery::table::inclusive(outcome.seeds),
                    path.display()
                );
                code = 1;
            }
        },
    }
    if report_violations(&outcome) {
        code = 1;
    }
    code
}

/// Gallery scenarios promise their checks hold: say so where it cannot be missed.
/// Returns whether any was violated.
fn report_violations(outcome: &Outcome) -> bool {
    let violations = outcome.violations();
    for (row, lines) in &violations {
        eprintln!(
            "GALLERY CHECK VIOLATED: {} ({}), seeds {}:",
            row.path.display(),
            row.title,
            gallery::table::inclusive(outcome.seeds)
        );
        for line in lines {
            eprintln!("  {line}");
        }
    }
    if !violations.is_empty() {
        eprintln!(
            "{} of {} gallery scenarios broke a promised check: fix the scenario or the model",
            violations.len(),
            outcome.rows.len()
        );
    }
    !violations.is_empty()
}
