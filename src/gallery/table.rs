//! The gallery as a markdown table: a header line stating the seed range it was made
//! from (which `--check` reads back), then one row per scenario: its title linking
//! the file, model, nodes, how its checks fared, and its chosen figures as
//! `name = mean ±half-width` in the units `hasim sweep` prints them in.
//!
//! Everything here is a pure function of the measured rows, formatted with fixed
//! rules, so the same sweep gives the same bytes on every machine and every `--jobs`.

use super::measure::Row;
use crate::report::unit_of;
use crate::sweep::report::{half_width, value};
use crate::sweep::seeds::SeedRange;
use std::fmt::Write;
use std::path::{Component, Path};

/// How the header line starts; the seed range follows it.
pub const HEADER_PREFIX: &str = "Measured over seeds ";

/// The seed range as the README writes it: `A..=B`, or `N` for one seed.
pub fn inclusive(seeds: SeedRange) -> String {
    if seeds.len() == 1 {
        seeds.start.to_string()
    } else {
        format!("{}..={}", seeds.start, seeds.last)
    }
}

/// The header line for a table made from `seeds`.
pub fn header(seeds: SeedRange) -> String {
    let n = seeds.len();
    format!(
        "{HEADER_PREFIX}{} ({n} seed{} per scenario) by `hasim gallery`: each figure is \
         its mean ± the half-width of its 95 % confidence interval.",
        inclusive(seeds),
        if n == 1 { "" } else { "s" }
    )
}

/// The seed range a table's header line states: `None` when the text has no header
/// line, `Err` (with the line) when the range cannot be read.
pub fn stated_seeds(text: &str) -> Option<Result<SeedRange, String>> {
    let line = text.lines().find(|l| l.starts_with(HEADER_PREFIX))?;
    let token = line[HEADER_PREFIX.len()..]
        .split_whitespace()
        .next()
        .unwrap_or("");
    Some(
        token
            .parse::<SeedRange>()
            .map_err(|e| format!("the table's header line states no seed range ({e}): {line}")),
    )
}

/// The table of `rows`, made from `seeds`. Links to the scenario files are relative to
/// `base` (the README's directory) when the files lie under it.
pub fn render(rows: &[Row], seeds: SeedRange, base: Option<&Path>) -> String {
    let mut out = header(seeds);
    out.push_str("\n\n");
    if rows.is_empty() {
        out.push_str(
            "No gallery scenarios yet: each `scenarios/gallery_*.toml` with a `[gallery]` \
             section becomes a row here.\n",
        );
        return out;
    }
    out.push_str("| Scenario | Model | Nodes | Checks | Figures (mean ± 95 % CI) |\n");
    out.push_str("|---|---|---:|---|---|\n");
    for row in rows {
        let figures: Vec<String> = row
            .figures
            .iter()
            .map(|(name, s)| {
                let unit = unit_of(&row.model, name);
                let mut cell = format!("`{name}` = {}", value(unit, s.mean));
                if let Some(h) = s.ci95_half_width() {
                    let _ = write!(cell, " ±{}", half_width(unit, s.mean, h));
                }
                if s.n < row.aggregate.runs {
                    let _ = write!(cell, " (on {} of {} seeds)", s.n, row.aggregate.runs);
                }
                cell
            })
            .collect();
        let _ = writeln!(
            out,
            "| [{}]({}) | `{}` | {} | {} | {} |",
            escape(&row.title).replace('[', "\\[").replace(']', "\\]"),
            link(&row.path, base),
            row.model_name,
            row.nodes,
            checks(row),
            figures.join("<br>")
        );
    }
    out
}

/// How the checks fared: all held, or which were violated on how many seeds.
fn checks(row: &Row) -> String {
    let runs = row.aggregate.runs;
    if row.held() {
        return match row.checks {
            0 => format!("no checks (ran {runs} seeds)"),
            1 => format!("the 1 check held on all {runs} seeds"),
            n => format!("all {n} held on all {runs} seeds"),
        };
    }
    let mut parts: Vec<String> = row
        .violated_checks()
        .iter()
        .map(|c| format!("`{}` on {} of {runs} seeds", escape(&c.name), c.violated))
        .collect();
    let others = row.other_failures();
    if !others.is_empty() {
        let seeds: Vec<String> = others.iter().map(|f| f.seed.to_string()).collect();
        parts.push(format!(
            "seed{} {} failed ({})",
            if seeds.len() == 1 { "" } else { "s" },
            seeds.join(", "),
            escape(&others[0].outcome)
        ));
    }
    format!("**VIOLATED**: {}", parts.join("; "))
}

/// Cell text with the table's separator escaped.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `path` relative to `base` if under it, with `/` separators whatever the platform.
fn link(path: &Path, base: Option<&Path>) -> String {
    let relative = base
        .filter(|b| !b.as_os_str().is_empty())
        .and_then(|b| path.strip_prefix(b).ok())
        .unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/").replace(' ', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_states_the_range_it_reads_back() {
        for text in ["1..=20", "0..=0", "5..=6"] {
            let seeds: SeedRange = text.parse().unwrap();
            let stated = stated_seeds(&format!("\n{}\n\n| x |\n", header(seeds)));
            assert_eq!(stated, Some(Ok(seeds)), "{text}");
        }
        assert_eq!(inclusive("1..=20".parse().unwrap()), "1..=20");
        assert_eq!(inclusive("7".parse().unwrap()), "7");
        assert_eq!(stated_seeds("no header here\n"), None);
        assert!(matches!(
            stated_seeds("Measured over seeds lots of them\n"),
            Some(Err(_))
        ));
    }

    #[test]
    fn links_are_relative_to_the_readme_with_slashes() {
        let p = Path::new("scenarios/gallery_a.toml");
        assert_eq!(link(p, None), "scenarios/gallery_a.toml");
        assert_eq!(link(p, Some(Path::new(""))), "scenarios/gallery_a.toml");
        assert_eq!(link(p, Some(Path::new("scenarios"))), "gallery_a.toml");
        assert_eq!(
            link(Path::new("./x/gallery b.toml"), Some(Path::new("/else"))),
            "x/gallery%20b.toml"
        );
    }
}
