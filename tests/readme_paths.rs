//! Every bundled file the README's code blocks name exists: a command shown in the
//! README must run as written, and a renamed scenario must not leave it behind.

use std::path::Path;

/// The `scenarios/NAME.toml` paths named inside the README's fenced code blocks.
fn scenario_paths_in_code_blocks(readme: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("scenarios/") {
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
                .unwrap_or(tail.len());
            let path = tail[..end].trim_end_matches('.');
            if path.ends_with(".toml") {
                paths.push(path.to_string());
            }
            rest = &tail[end.max(1)..];
        }
    }
    paths
}

#[test]
fn every_scenario_the_readme_commands_name_is_bundled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let paths = scenario_paths_in_code_blocks(&readme);
    assert!(
        paths.len() > 10,
        "the README names too few scenarios to judge: {paths:?}"
    );
    let missing: Vec<&String> = paths.iter().filter(|p| !root.join(p).is_file()).collect();
    assert!(
        missing.is_empty(),
        "the README's commands name missing files: {missing:?}"
    );
}

#[test]
fn the_extractor_finds_paths_in_code_blocks_only() {
    let text = "scenarios/prose.toml\n```sh\nhasim run scenarios/a.toml --out x\n  /scenarios/b_c.toml;\n```\n";
    assert_eq!(
        scenario_paths_in_code_blocks(text),
        ["scenarios/a.toml", "scenarios/b_c.toml"]
    );
}
