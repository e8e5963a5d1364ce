//! `hasim compare`: designs side by side on the same seeds. Each scenario file (and,
//! with `--set`, each point of a parameter grid over them) is one design; every design
//! runs the same seeds through the sweep machinery (parallel, progress bar), so the
//! comparison uses common random numbers. The table shows each figure's mean and 95 %
//! confidence interval per design, and for each design against the first whether it
//! is better, worse or the same with 95 % confidence on the paired differences.
//! `--chart` draws figures against the first `--set` parameter as an SVG.
//!
//! ## Map of the modules
//! - [`grid`]: `--set path=v1,v2`: editing a scenario, the grid's points.
//! - [`verdict`]: paired confidence intervals and which direction is better.
//! - [`chart`]: one figure (or a few) against a parameter, as SVG.

pub mod chart;
pub mod grid;
pub mod verdict;

use crate::models::{Lookup, ModelEntry};
use crate::report::{no_value_reason, unit_of, NO_VALUE};
use crate::runner::RunResult;
use crate::scenario::checks::Comparison;
use crate::scenario::{Check, Scenario};
use crate::sweep::ratios;
use crate::sweep::report::{half_width, table, value};
use crate::sweep::seeds::{SeedPlan, SeedRange};
use crate::sweep::stats::summarize;
use crate::sweep::{interrupt, progress, run_sweep, ScenarioRuns, Settings};
use grid::Setting;
use serde::Serialize;
use std::path::PathBuf;
use verdict::{Direction, Paired};

/// `hasim compare`.
#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// The scenario files: each one a design (the first is the baseline).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// The seeds every design runs: `A..B` (B excluded), `A..=B`, or `N`.
    #[arg(long, value_name = "A..B")]
    pub seeds: SeedRange,
    /// A parameter grid: `path.to.param=v1,v2,v3` (repeatable; every combination).
    #[arg(long = "set", value_name = "PATH=V1,V2")]
    pub settings: Vec<Setting>,
    /// Only these figures (repeatable) [default: all but per-node ones].
    #[arg(long = "figure", value_name = "NAME")]
    pub figures: Vec<String>,
    /// Chart this figure against the first `--set` parameter (repeatable).
    #[arg(long = "chart", value_name = "FIGURE")]
    pub charts: Vec<String>,
    /// Where to write the chart (`--chart-out` is the older spelling).
    #[arg(
        short = 'o',
        long = "out",
        visible_alias = "chart-out",
        value_name = "FILE.svg",
        default_value = "compare.svg"
    )]
    pub chart_out: PathBuf,
    /// Worker threads [default: all cores].
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the comparison as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One design and its runs.
pub struct Design {
    /// Its name in the table.
    pub name: String,
    /// The scenario it runs.
    pub scenario: Scenario,
    /// Its grid point, if any.
    pub point: Option<grid::Point>,
    /// Its results, by seed.
    pub results: Vec<RunResult>,
}

/// A figure across designs.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// The figure.
    pub name: String,
    /// "higher", "lower" or "neutral": which way is better.
    pub better: &'static str,
    /// Per design: (seeds, mean, CI half-width).
    pub designs: Vec<Option<(u64, f64, Option<f64>)>>,
    /// Per design after the first: the paired difference against the first and the
    /// verdict.
    pub versus_first: Vec<Option<(f64, f64, &'static str)>>,
}

/// The whole comparison.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Compared {
    /// The seeds.
    pub seeds: String,
    /// The designs' names.
    pub designs: Vec<String>,
    /// Per design: seeds on which every check held.
    pub checks_held: Vec<u64>,
    /// The figures.
    pub figures: Vec<FigureRow>,
}

/// Builds the designs: each file, times each grid point.
pub fn designs(args: &CompareArgs, models: &dyn Lookup) -> Result<Vec<Design>, String> {
    let points = grid::points(&args.settings);
    let mut out = Vec::new();
    for path in &args.scenarios {
        let text = crate::scenario::input::read_bounded(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = path
            .file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
        for point in &points {
            let (scenario, name) = if point.0.is_empty() {
                (
                    Scenario::parse(&text, path, models).map_err(|e| e.to_string())?,
                    stem.clone(),
                )
            } else {
                let edited =
                    grid::apply(&text, point).map_err(|e| format!("{}: {e}", path.display()))?;
                let s = Scenario::parse(&edited, path, models)
                    .map_err(|e| format!("with {point}: {e}"))?;
                let name = if args.scenarios.len() > 1 {
                    format!("{stem} {point}")
                } else {
                    point.to_string()
                };
                (s, name)
            };
            // A fault that can do nothing, said once per design (as `run` says it).
            for w in &scenario.warnings {
                eprintln!("warning: {name}: {w}");
            }
            out.push(Design {
                name,
                scenario,
                point: (!point.0.is_empty()).then(|| point.clone()),
                results: Vec::new(),
            });
        }
    }
    Ok(out)
}

/// Runs every design on the seeds. `Err` on a run that could not be carried out;
/// `Ok(false)` if interrupted.
pub fn run(
    designs: &mut [Design],
    seeds: SeedRange,
    jobs: usize,
    quiet: bool,
) -> Result<bool, String> {
    let settings = Settings {
        plan: SeedPlan {
            range: seeds,
            shard: None,
        },
        jobs,
        check_determinism: false,
    };
    let bar = progress::bar(settings.plan.len() * designs.len() as u64, quiet);
    let stop = interrupt::flag();
    for d in designs.iter_mut() {
        d.results = run_sweep(
            &ScenarioRuns {
                scenario: &d.scenario,
            },
            &settings,
            stop,
            &bar,
        )
        .map_err(|e| format!("{}: {e}", d.name))?;
        if (d.results.len() as u64) < settings.plan.len() {
            bar.finish_and_clear();
            return Ok(false);
        }
    }
    bar.finish_and_clear();
    Ok(true)
}

/// The direction of a figure: a check's bound in any design, else its name.
fn better(designs: &[Design], figure: &str) -> Direction {
    for d in designs {
        for c in &d.scenario.checks {
            if let Check::Objective {
                figure: f,
                comparison,
                ..
            } = c
            {
                if f == figure {
                    let symbol = match comparison {
                        Comparison::AtLeast => ">=",
                        Comparison::Above => ">",
                        Comparison::AtMost => "<=",
                        Comparison::Below => "<",
                        Comparison::Equal => "==",
                    };
                    if let Some(dir) = verdict::from_check(symbol) {
                        return dir;
                    }
                }
            }
        }
    }
    verdict::direction(figure)
}

/// The comparison of finished designs.
pub fn compare(designs: &[Design], seeds: SeedRange, only: &[String]) -> Compared {
    let mut names: Vec<String> = Vec::new();
    for d in designs {
        for r in &d.results {
            for f in r.figures.keys() {
                if !names.contains(f) {
                    names.push(f.clone());
                }
            }
        }
    }
    names.sort();
    // By default, no per-node figures: a model's have a dot in their names; a
    // composition's all do (`front.success_rate`), so its per-node ones are those
    // its docs declare with `.*`.
    let composed = designs.iter().any(|d| d.scenario.composition.is_some());
    let per_node: Vec<String> = designs
        .iter()
        .flat_map(|d| (d.scenario.entry.figures)())
        .filter_map(|f| f.name.strip_suffix('*').map(str::to_string))
        .collect();
    names.retain(|n| {
        if !only.is_empty() {
            only.contains(n)
        } else if composed {
            !per_node.iter().any(|p| n.starts_with(p.as_str()))
        } else {
            !n.contains('.')
        }
    });
    let per_seed = |d: &Design, f: &str| -> Vec<Option<f64>> {
        d.results
            .iter()
            .map(|r| r.figures.get(f).copied().filter(|v| v.is_finite()))
            .collect()
    };
    let figures = names
        .iter()
        .map(|f| {
            let dir = better(designs, f);
            if let Some(ratio) = ratios::ratio_of(f) {
                return ratio_row(designs, ratio, dir);
            }
            let columns: Vec<Vec<Option<f64>>> = designs.iter().map(|d| per_seed(d, f)).collect();
            FigureRow {
                name: f.clone(),
                better: direction_word(dir),
                designs: designs.iter().map(|d| design_stat(&d.results, f)).collect(),
                versus_first: columns[1..]
                    .iter()
                    .map(|c| {
                        Paired::of(&columns[0], c).map(|p| (p.mean, p.half_width, p.verdict(dir)))
                    })
                    .collect(),
            }
        })
        .collect();
    Compared {
        seeds: seeds.to_string(),
        designs: designs.iter().map(|d| d.name.clone()).collect(),
        checks_held: designs
            .iter()
            .map(|d| d.results.iter().filter(|r| r.passed()).count() as u64)
            .collect(),
        figures,
    }
}

fn direction_word(dir: Direction) -> &'static str {
    match dir {
        Direction::Higher => "higher",
        Direction::Lower => "lower",
        Direction::Neutral => "neutral",
    }
}

/// The row of a pooled ratio figure (MTTSF, MTTR): each design's Σx/Σy with its
/// delta-method interval, as a sweep gives it, and the paired difference of the
/// pooled ratios.
fn ratio_row(designs: &[Design], ratio: &ratios::Ratio, dir: Direction) -> FigureRow {
    let columns: Vec<Vec<Option<(f64, f64)>>> = designs
        .iter()
        .map(|d| d.results.iter().map(|r| ratios::pair(ratio, r)).collect())
        .collect();
    FigureRow {
        name: ratio.figure.to_string(),
        better: direction_word(dir),
        designs: designs
            .iter()
            .map(|d| design_stat(&d.results, ratio.figure))
            .collect(),
        versus_first: columns[1..]
            .iter()
            .map(|c| {
                Paired::of_ratio(&columns[0], c).map(|p| (p.mean, p.half_width, p.verdict(dir)))
            })
            .collect(),
    }
}

/// One design's (seeds, mean, CI half-width) of `figure`: pooled for a ratio figure,
/// the mean over the seeds that reported it otherwise.
pub(crate) fn design_stat(results: &[RunResult], figure: &str) -> Option<(u64, f64, Option<f64>)> {
    if let Some(ratio) = ratios::ratio_of(figure) {
        let pairs: Vec<(f64, f64)> = results
            .iter()
            .filter_map(|r| ratios::pair(ratio, r))
            .collect();
        return ratios::estimate(&pairs).map(|e| (e.n, e.ratio, e.half_width));
    }
    let v: Vec<f64> = results
        .iter()
        .filter_map(|r| r.figures.get(figure).copied().filter(|v| v.is_finite()))
        .collect();
    summarize(&v).map(|s| (s.n, s.mean, s.ci95_half_width()))
}

/// The comparison as a table.
pub fn render(c: &Compared, model: &ModelEntry, seeds: u64) -> String {
    let mut out = format!(
        "compare over seeds {} ({seeds} seeds, the same for every design)\n",
        c.seeds
    );
    for (i, d) in c.designs.iter().enumerate() {
        let tag = if i == 0 { " (baseline)" } else { "" };
        out.push_str(&format!(
            "  {}: {d}{tag}: every check held on {}/{seeds} seeds\n",
            letter(i),
            c.checks_held[i]
        ));
    }
    out.push('\n');
    let mut head: Vec<String> = vec!["figure".into()];
    head.extend((0..c.designs.len()).map(|i| letter(i).to_string()));
    head.extend((1..c.designs.len()).map(|i| format!("{} vs A", letter(i))));
    let rows: Vec<Vec<String>> = c
        .figures
        .iter()
        .map(|f| {
            let unit = unit_of(model, &f.name);
            let mut row = vec![f.name.clone()];
            for d in &f.designs {
                row.push(match d {
                    Some((_, mean, Some(h))) => {
                        format!("{} ±{}", value(unit, *mean), half_width(unit, *mean, *h))
                    }
                    Some((_, mean, None)) => value(unit, *mean),
                    // No seed gave this figure a value (no crash to detect).
                    None => format!("{NO_VALUE} ({})", no_value_reason(&f.name)),
                });
            }
            for v in &f.versus_first {
                row.push(match v {
                    Some((_, _, verdict)) => verdict.to_string(),
                    None => "-".into(),
                });
            }
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    out.push_str(&table(&head, &rows));
    out.push_str(
        "\nbetter / worse: the 95 % confidence interval of the paired per-seed difference\nexcludes zero (direction from the scenario's checks, else the figure's name);\nsame: it does not; differs: a difference in a figure with no better direction.\n",
    );
    let pooled: Vec<&str> = c
        .figures
        .iter()
        .filter(|f| ratios::ratio_of(&f.name).is_some())
        .map(|f| f.name.as_str())
        .collect();
    if !pooled.is_empty() {
        out.push_str(&format!(
            "pooled (total over total across seeds, as in a sweep; compared as the difference\nof the pooled ratios): {}\n",
            pooled.join(", ")
        ));
    }
    out
}

fn letter(i: usize) -> String {
    let base = (b'A' + (i % 26) as u8) as char;
    if i < 26 {
        base.to_string()
    } else {
        format!("{base}{}", i / 26)
    }
}

/// `hasim compare`; returns the exit code: 0 done, 2 bad input, 130 interrupted.
pub fn main(args: CompareArgs, models: &crate::registry::Registry) -> u8 {
    match compare_or_error(&args, models) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            2
        }
    }
}

fn compare_or_error(args: &CompareArgs, models: &dyn Lookup) -> Result<u8, String> {
    let jobs = crate::sweep::pool::workers(args.jobs, args.seeds.len())?;
    if !args.charts.is_empty() && args.settings.is_empty() {
        return Err("--chart draws a figure against a --set parameter: give one with --set".into());
    }
    if !args.charts.is_empty() {
        let inputs: Vec<&std::path::Path> = args.scenarios.iter().map(|p| p.as_path()).collect();
        crate::output_paths::check(&args.chart_out, &inputs).map_err(|e| e.to_string())?;
    }
    let mut designs = designs(args, models)?;
    let model = designs[0].scenario.entry.clone();
    // Compositions compare with each other whatever their parts (a Raft store against
    // a quorum store under one front end): figures of the same name are compared.
    let composed = |d: &Design| d.scenario.composition.is_some();
    let first = &designs[0];
    if let Some(d) = designs.iter().find(|d| {
        if composed(first) {
            !composed(d)
        } else {
            d.scenario.model != first.scenario.model
        }
    }) {
        return Err(format!(
            "every design must run the same model (or all be compositions) to compare figures: {} runs {}, {} runs {}",
            d.name, d.scenario.model, first.name, first.scenario.model
        ));
    }
    if !run(&mut designs, args.seeds, jobs, args.quiet)? {
        eprintln!("interrupted: the comparison needs every design on every seed");
        return Ok(130);
    }
    let c = compare(&designs, args.seeds, &args.figures);
    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?
        );
    } else {
        crate::out!("{}", render(&c, &model, args.seeds.len()));
    }
    if !args.charts.is_empty() {
        let svg = chart::render(&designs, &args.settings[0], &args.charts, &model)?;
        crate::atomic::write(&args.chart_out, svg.as_bytes())
            .map_err(|e| format!("{}: {e}", args.chart_out.display()))?;
        eprintln!("wrote {}", args.chart_out.display());
    }
    Ok(0)
}
