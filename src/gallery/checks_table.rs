//! The guide's table of end checks per model (`docs/src/checks.md`), rendered from
//! the registry, so the guide and `hasim list` cannot disagree on which model checks
//! what (a test compares the chapter's block with this).

use crate::models::Lookup;
use std::fmt::Write;

/// The line before the Checks chapter's generated table of end checks.
pub const BEGIN: &str = "<!-- end-checks:begin -->";
/// The line after it.
pub const END: &str = "<!-- end-checks:end -->";

/// One row per model that offers end checks: the model and its checks' names, in
/// the order `hasim list` shows them, of the models `models` knows.
pub fn end_checks_markdown(models: &dyn Lookup) -> String {
    let mut out = String::from("| model | end checks (`[[check]] at_end = ...`) |\n|---|---|\n");
    for m in models.entries() {
        let checks = (m.end_checks)();
        if checks.is_empty() {
            continue;
        }
        let names: Vec<String> = checks.iter().map(|c| format!("`{}`", c.name)).collect();
        let _ = writeln!(out, "| `{}` | {} |", m.name, names.join(", "));
    }
    out
}
