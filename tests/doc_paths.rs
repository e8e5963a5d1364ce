//! Every bundled file the README's and the guide's code blocks name exists: a command
//! shown in the documentation must run as written, and a renamed scenario must not
//! leave it behind. The README's picture is the one its stated command makes.

use std::path::{Path, PathBuf};

/// The `scenarios/NAME.toml` paths named inside the fenced code blocks of `text`.
fn scenario_paths_in_code_blocks(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let mut rest = line;
        while let Some(mut i) = rest.find("scenarios/") {
            // The whole path: `examples/kv-lease/scenarios/x.toml`, not its tail.
            while i > 0
                && rest[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || "_-./".contains(c))
            {
                i -= 1;
            }
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
                .unwrap_or(tail.len());
            let path = tail[..end]
                .trim_end_matches('.')
                .trim_start_matches("./")
                .trim_start_matches('/');
            if path.ends_with(".toml") {
                paths.push(path.to_string());
            }
            rest = &tail[end.max(1)..];
        }
    }
    paths
}

/// README.md and every chapter of the guide, in name order.
pub fn documentation_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("docs/src"))
        .expect("docs/src")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files.insert(0, root.join("README.md"));
    files
}

#[test]
fn every_scenario_the_documentation_names_is_bundled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for file in documentation_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let named = scenario_paths_in_code_blocks(&text);
        paths.extend(named.into_iter().map(|p| (file.clone(), p)));
    }
    assert!(
        paths.len() > 10,
        "the documentation names too few scenarios to judge: {paths:?}"
    );
    let missing: Vec<String> = paths
        .iter()
        // A path in an example crate's own code is relative to that crate.
        .filter(|(_, p)| {
            !root.join(p).is_file() && !root.join("examples/kv-lease").join(p).is_file()
        })
        .map(|(file, p)| format!("{}: {p}", file.display()))
        .collect();
    assert!(
        missing.is_empty(),
        "the documentation's commands name missing files: {missing:?}"
    );
}

#[test]
fn the_readme_runs_its_commands_on_bundled_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let named = scenario_paths_in_code_blocks(&readme);
    for tour in [
        "scenarios/quickstart.toml",
        "scenarios/replication_primary_backup_lease_no_margin_unsafe.toml",
    ] {
        assert!(named.iter().any(|p| p == tour), "{tour} in {named:?}");
    }
}

#[test]
fn the_extractor_finds_paths_in_code_blocks_only() {
    let text = "scenarios/prose.toml\n```sh\nhasim run scenarios/a.toml --out x\n  /scenarios/b_c.toml;\n```\n";
    assert_eq!(
        scenario_paths_in_code_blocks(text),
        ["scenarios/a.toml", "scenarios/b_c.toml"]
    );
}

/// The README's picture is what `hasim report scenarios/replication_primary_backup_lease_no_margin_unsafe.toml
/// --seed 1 --svg docs/src/images/report-timeline.svg` writes (the README names the
/// command), so a change to the report or the model shows up here.
#[test]
fn the_readme_picture_is_what_its_command_makes() {
    use hasim::runner::{self, RunOptions};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = hasim::Registry::builtin()
        .load(&root.join("scenarios/replication_primary_backup_lease_no_margin_unsafe.toml"))
        .unwrap();
    let options = RunOptions {
        seed: 1,
        ..RunOptions::default()
    };
    let (result, data) = runner::run_with_timeline(&scenario, &options).unwrap();
    let title = format!("{} — seed 1 — {}", result.scenario, result.outcome);
    let fresh = hasim::timeline::svg::render(&data, &title);
    let committed = std::fs::read_to_string(root.join("docs/src/images/report-timeline.svg"))
        .expect("the README's picture");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("--seed 1 --svg docs/src/images/report-timeline.svg"));
    assert!(
        fresh == committed,
        "docs/src/images/report-timeline.svg is out of date: run `hasim report \
         scenarios/replication_primary_backup_lease_no_margin_unsafe.toml --seed 1 -o /tmp/r.html \
         --svg docs/src/images/report-timeline.svg`"
    );
}

/// The README's shown sessions (`$ hasim ...` in a `text` block, run in order, as a
/// reader would, from a directory holding the bundled scenarios): every line shown
/// that is not `...` is a line the command prints, in the order shown. The tour's
/// files (the shrunk scenario, the report) are made along the way.
#[test]
fn the_readme_sessions_print_what_the_readme_shows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme-sessions");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(root.join("scenarios"), dir.join("scenarios")).unwrap();
    let mut sessions = 0;
    for block in readme.split("```text\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let Some(first) = block.lines().next() else {
            continue;
        };
        let Some(command) = first.strip_prefix("$ hasim ") else {
            continue;
        };
        // A command may continue on the next line after a trailing backslash.
        let mut lines = block.lines().skip(1).peekable();
        let mut command = command.to_string();
        while command.ends_with('\\') {
            command.pop();
            command.push(' ');
            command.push_str(lines.next().unwrap().trim());
        }
        let args: Vec<&str> = command.split_whitespace().collect();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hasim"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&o.stdout).into_owned();
        let mut rest = printed.lines();
        for shown in lines.filter(|l| l.trim() != "...") {
            assert!(
                rest.any(|l| l == shown),
                "`hasim {command}` does not print, in the README's order:\n{shown}\n\nit printed:\n{printed}"
            );
        }
        sessions += 1;
    }
    assert!(sessions >= 6, "the README's tour: {sessions} sessions");
}
