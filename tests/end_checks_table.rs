//! The guide's end-check table (`docs/src/checks.md`) is the registry's: which store models check
//! linearizability (and every other end check) is said in one place.

use hasim::gallery::checks_table::{end_checks_markdown, BEGIN, END};

#[test]
fn the_checks_chapter_lists_the_end_checks_the_registry_offers() {
    let chapter = std::fs::read_to_string("docs/src/checks.md").expect("docs/src/checks.md");
    let begin = chapter
        .find(BEGIN)
        .expect("the Checks chapter has the end-checks begin marker");
    let end = chapter
        .find(END)
        .expect("the Checks chapter has the end-checks end marker");
    let block = chapter[begin + BEGIN.len()..end].trim();
    let table = end_checks_markdown(&hasim::Registry::builtin());
    assert_eq!(
        block,
        table.trim(),
        "docs/src/checks.md's end-check table differs from the registry; put this between the markers:\n{table}"
    );
    // Every store model checks linearizability, as the registry says.
    for model in ["raft", "primary_backup", "quorum", "isr"] {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| `{model}` |")))
            .unwrap_or_else(|| panic!("{model} has no row"));
        assert!(row.contains("`linearizable`"), "{row}");
    }
}
