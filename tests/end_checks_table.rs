//! The README's end-check table is the registry's: which store models check
//! linearizability (and every other end check) is said in one place.

use hasim::gallery::checks_table::{end_checks_markdown, BEGIN, END};

#[test]
fn the_readme_lists_the_end_checks_the_registry_offers() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let begin = readme
        .find(BEGIN)
        .expect("the README has the end-checks begin marker");
    let end = readme
        .find(END)
        .expect("the README has the end-checks end marker");
    let block = readme[begin + BEGIN.len()..end].trim();
    let table = end_checks_markdown(&hasim::Registry::builtin());
    assert_eq!(
        block,
        table.trim(),
        "README.md's end-check table differs from the registry; put this between the markers:\n{table}"
    );
    // Every store model checks linearizability, as the registry says.
    for model in ["raft", "primary_backup", "quorum", "isr", "checkout"] {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("| `{model}` |")))
            .unwrap_or_else(|| panic!("{model} has no row"));
        assert!(row.contains("`linearizable`"), "{row}");
    }
}
