//! `hasim gallery`: the README's table is the one a fresh sweep makes (in-process, the
//! way `--check` does it), and, on small fixture galleries under
//! tests/gallery/fixtures/, the table itself (insta), its numbers against an
//! independent sweep, figure names that are not reported, the README's markers,
//! `--check` catching a changed number, and violated checks failing loudly.

use hasim::gallery::{self, GalleryError, Mode, Outcome};
use hasim::scenario::{Scenario, ScenarioError};
use hasim::sweep::aggregate;
use hasim::sweep::output::{Header, FORMAT};
use hasim::sweep::seeds::{SeedPlan, SeedRange};
use hasim::sweep::{run_sweep, SeedRunner, Settings};
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;

const GOOD: &str = "tests/gallery/fixtures/good";
const VIOLATED: &str = "tests/gallery/fixtures/violated";

fn seeds(text: &str) -> SeedRange {
    text.parse().expect("a seed range")
}

fn jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn make(mode: &Mode, dir: &str, range: Option<&str>) -> Result<Outcome, GalleryError> {
    let outcome = gallery::run(
        &hasim::Registry::builtin(),
        mode,
        Path::new(dir),
        range.map(seeds),
        jobs(),
        true,
    )?;
    Ok(outcome.expect("not interrupted"))
}

fn temp_readme(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gallery");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the README");
    path
}

fn with_markers(inside: &str) -> String {
    format!(
        "# A project\n\nSee `{}` below.\n\n{}\n{inside}{}\n\n## After\n",
        gallery::readme::BEGIN,
        gallery::readme::BEGIN,
        gallery::readme::END
    )
}

fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hasim binary runs")
}

#[test]
fn the_readme_table_is_the_one_a_fresh_sweep_makes() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let outcome = gallery::run(
        &hasim::Registry::builtin(),
        &Mode::Check(readme),
        &scenarios,
        None,
        jobs(),
        true,
    )
    .expect("the gallery is made")
    .expect("not interrupted");
    if let Some(diff) = &outcome.differs {
        panic!(
            "README.md's gallery table is out of date; run `cargo run --release -- gallery \
             --write README.md`:\n{diff}"
        );
    }
    // The README says which seeds; the table must state them too.
    let stated = gallery::table::inclusive(outcome.seeds);
    assert!(
        outcome
            .table
            .starts_with(&format!("Measured over seeds {stated} (")),
        "{}",
        outcome.table
    );
    let broken: Vec<String> = outcome
        .violations()
        .iter()
        .map(|(row, lines)| format!("{}: {}", row.path.display(), lines.join("; ")))
        .collect();
    assert!(
        broken.is_empty(),
        "gallery scenarios whose checks failed: {broken:#?}"
    );
}

#[test]
fn a_fixture_gallery_table_is_stable_and_independent_of_jobs() {
    let outcome = make(&Mode::Print, GOOD, Some("1..=4")).expect("the fixture gallery");
    assert!(outcome.violations().is_empty());
    // Rows in path order: heartbeat before ping.
    let titles: Vec<&str> = outcome.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["Heartbeat monitor", "Ping | no failover"]);
    insta::assert_snapshot!(outcome.table);
    let one = gallery::run(
        &hasim::Registry::builtin(),
        &Mode::Print,
        Path::new(GOOD),
        Some(seeds("1..=4")),
        1,
        true,
    )
    .expect("one job")
    .expect("not interrupted");
    assert_eq!(one.table, outcome.table);
}

/// The scenario runner, for an independent sweep of one fixture.
struct Runs(Scenario);

impl SeedRunner for Runs {
    fn run(&self, seed: u64) -> Result<hasim::runner::RunResult, String> {
        let opts = hasim::runner::RunOptions {
            seed,
            ..Default::default()
        };
        hasim::runner::run(&self.0, &opts).map_err(|e| e.to_string())
    }
    fn blank(&self, _seed: u64) -> hasim::runner::RunResult {
        unreachable!("the fixtures do not panic")
    }
}

#[test]
fn the_rows_hold_the_sweep_aggregate_of_each_scenario() {
    let range = seeds("3..=5");
    let outcome = make(&Mode::Print, GOOD, Some("3..=5")).expect("the fixture gallery");
    for row in &outcome.rows {
        let scenario = hasim::Registry::builtin()
            .load(&row.path)
            .expect("the fixture loads");
        let settings = Settings {
            plan: SeedPlan { range, shard: None },
            jobs: 1,
            check_determinism: false,
        };
        let results = run_sweep(
            &Runs(scenario.clone()),
            &settings,
            &AtomicBool::new(false),
            &ProgressBar::hidden(),
        )
        .expect("the sweep");
        let header = Header {
            format: FORMAT.to_string(),
            scenario: scenario.name.clone(),
            model: scenario.model.clone(),
            scenario_hash: scenario.hash.clone(),
            hasim_version: hasim::runner::VERSION.to_string(),
            seeds: range,
            shard: None,
            runs: results.len() as u64,
            complete: true,
        };
        let a = aggregate::aggregate(&scenario.entry, &header, &results);
        assert_eq!(row.aggregate, a, "{}", row.path.display());
        let wanted = &scenario.gallery.as_ref().expect("[gallery]").figures;
        let shown: Vec<&String> = row.figures.iter().map(|(name, _)| name).collect();
        assert_eq!(shown.len(), wanted.len());
        for ((name, summary), want) in row.figures.iter().zip(wanted) {
            assert_eq!(name, want);
            assert_eq!(Some(summary), a.figures.get(name), "{name}");
            // The mean is the mean of the seeds' own values.
            let values: Vec<f64> = results.iter().map(|r| r.figures[name]).collect();
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            assert_eq!(summary.mean, mean, "{name}");
        }
    }
}

#[test]
fn a_figure_the_model_lacks_is_an_error_naming_the_file_and_the_figures() {
    let e = make(
        &Mode::Print,
        "tests/gallery/fixtures/unknown_figure",
        Some("1"),
    )
    .expect_err("an unknown figure");
    let GalleryError::Scenario(ScenarioError::Invalid { at, field, message }) = &e else {
        panic!("expected a located scenario error, got {e:?}");
    };
    assert_eq!(
        at.file,
        Path::new("tests/gallery/fixtures/unknown_figure/gallery_typo.toml")
    );
    assert_eq!(field, "gallery.figures[1]");
    assert!(
        message.starts_with(
            "the ping model reports no figure \"latency_p99.9\"; expected one of: events,"
        ) && message.contains("latency_p999"),
        "{message}"
    );
    // A declared pattern (uptime.*) for a node that does not exist: no seed reports it.
    let e = make(
        &Mode::Print,
        "tests/gallery/fixtures/unreported",
        Some("1..=2"),
    )
    .expect_err("a figure no seed reported");
    let GalleryError::FigureNotReported {
        scenario,
        figure,
        reported,
    } = &e
    else {
        panic!("expected FigureNotReported, got {e:?}");
    };
    assert_eq!(
        scenario,
        Path::new("tests/gallery/fixtures/unreported/gallery_no_such_node.toml")
    );
    assert_eq!(figure, "uptime.server-9");
    assert!(
        reported.iter().any(|r| r == "uptime.server-3"),
        "{reported:?}"
    );
    assert!(e.to_string().contains("field `gallery.figures`"), "{e}");
    // A gallery_*.toml without a [gallery] section.
    let e = make(
        &Mode::Print,
        "tests/gallery/fixtures/not_gallery",
        Some("1"),
    )
    .expect_err("no [gallery]");
    assert!(matches!(e, GalleryError::NotGallery { .. }), "{e:?}");
}

#[test]
fn a_missing_marker_is_an_error_and_the_readme_is_left_alone() {
    let text = format!("# A project\n\n{}\nno end\n", gallery::readme::BEGIN);
    let path = temp_readme("missing_end.md", &text);
    for mode in [Mode::Write(path.clone()), Mode::Check(path.clone())] {
        let e = make(&mode, GOOD, Some("1")).expect_err("no end marker");
        assert!(matches!(e, GalleryError::Marker { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!(
                "{}: no `<!-- gallery-figures:end -->` marker: the gallery table goes between \
                 a line `<!-- gallery-figures:begin -->` and a line `<!-- gallery-figures:end -->`",
                path.display()
            )
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn check_uses_the_stated_seeds_and_catches_a_changed_number() {
    let path = temp_readme("changed.md", &with_markers("stale\n"));
    let written = make(&Mode::Write(path.clone()), GOOD, Some("2..=4")).expect("--write");
    let text = std::fs::read_to_string(&path).unwrap();
    // Only the marked block changed.
    assert_eq!(
        text,
        with_markers(&gallery::readme::block_of(&written.table)[1..])
    );
    // --check with no --seeds sweeps the seeds the table states (2..=4), not 1..=10.
    let checked = make(&Mode::Check(path.clone()), GOOD, None).expect("--check");
    assert_eq!(checked.seeds, seeds("2..=4"));
    assert_eq!(checked.differs, None);
    // One number changed by hand is caught, with the line in the diff.
    let row = text
        .lines()
        .find(|l| l.contains("gallery_ping.toml"))
        .expect("the ping row");
    let edited_row = row.replacen("`requests` = ", "`requests` = 1", 1);
    assert_ne!(row, edited_row);
    std::fs::write(&path, text.replace(row, &edited_row)).unwrap();
    let checked = make(&Mode::Check(path.clone()), GOOD, None).expect("--check");
    assert_eq!(
        checked.differs.as_deref(),
        Some(format!("- {edited_row}\n+ {row}\n").as_str())
    );
    // The binary: exit 1 and the diff on stderr; --write then makes it pass again.
    let p = path.to_str().expect("utf-8 path");
    let o = hasim(&["gallery", "--scenarios", GOOD, "--check", p, "-q"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("differs from a fresh sweep over seeds 2..=4") && stderr.contains(row),
        "{stderr}"
    );
    let o = hasim(&[
        "gallery",
        "--scenarios",
        GOOD,
        "--seeds",
        "2..=4",
        "--write",
        p,
        "-q",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = hasim(&["gallery", "--scenarios", GOOD, "--check", p, "-q"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_violated_check_is_reported_loudly_after_writing() {
    let outcome = make(&Mode::Print, VIOLATED, Some("1..=3")).expect("the gallery is made");
    let violations = outcome.violations();
    assert_eq!(violations.len(), 1);
    let (row, lines) = &violations[0];
    assert_eq!(row.title, "Ping, promised too much");
    assert_eq!(
        lines[0],
        "check `availability >= 99.9%` violated on 3 of 3 seeds"
    );
    assert!(
        lines[1].starts_with("first failing seed 1: hasim replay "),
        "{lines:?}"
    );
    assert!(
        outcome
            .table
            .contains("| **VIOLATED**: `availability >= 99.9%` on 3 of 3 seeds |"),
        "{}",
        outcome.table
    );
    // The binary writes the table, then fails loudly.
    let path = temp_readme("violated.md", &with_markers(""));
    let p = path.to_str().expect("utf-8 path");
    let o = hasim(&[
        "gallery",
        "--scenarios",
        VIOLATED,
        "--seeds",
        "1..=3",
        "--write",
        p,
        "-q",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "GALLERY CHECK VIOLATED: tests/gallery/fixtures/violated/gallery_ping_strict.toml"
        ) && stderr.contains("check `availability >= 99.9%` violated on 3 of 3 seeds"),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("**VIOLATED**"));
    // A missing README marker is bad input: exit 2.
    let bare = temp_readme("bare.md", "# nothing\n");
    let o = hasim(&[
        "gallery",
        "--scenarios",
        GOOD,
        "--write",
        bare.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
