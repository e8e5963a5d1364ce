//! The command line's conventions (issue 20): every subcommand's help ends with
//! examples, completions and the man page come from the same definition, `--color`
//! and `NO_COLOR` decide colour, old flag spellings still work, a sweep ends with
//! its rate.

use super::{hasim, temp_dir, text};
use std::process::Command;

/// Every subcommand a user may type (not the hidden sweep worker).
const SUBCOMMANDS: [&str; 13] = [
    "run",
    "replay",
    "check",
    "list",
    "sweep",
    "merge",
    "report",
    "compare",
    "shrink",
    "capacity",
    "gallery",
    "completions",
    "man",
];

#[test]
fn every_subcommand_help_ends_with_two_to_four_examples() {
    let (top, _) = text(&hasim(&["--help"]));
    for sub in SUBCOMMANDS {
        assert!(
            top.contains(&format!("\n  {sub} ")),
            "{sub} in hasim --help:\n{top}"
        );
        let o = hasim(&[sub, "--help"]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{sub}: {err}");
        let examples = out
            .rsplit_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{sub} --help has no Examples section:\n{out}"))
            .1;
        let lines: Vec<&str> = examples.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(
            (2..=4).contains(&lines.len()),
            "{sub}: {} examples:\n{examples}",
            lines.len()
        );
        for line in lines {
            assert!(
                line.starts_with(&format!("  hasim {sub}")),
                "{sub}: an example of another command: {line:?}"
            );
            // Examples run from a checkout as written: the scenarios they name exist.
            for word in line.split_whitespace() {
                if word.starts_with("scenarios/") && word.ends_with(".toml") {
                    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(word);
                    assert!(path.is_file(), "{sub}: {word} is not bundled");
                }
            }
        }
    }
}

#[test]
fn completions_name_every_subcommand_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = hasim(&["completions", shell]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{shell}: {err}");
        for sub in SUBCOMMANDS {
            assert!(out.contains(sub), "{shell} completions lack {sub}");
        }
        assert!(out.contains("seeds-max"), "{shell}: sweep's flags");
    }
    let o = hasim(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is bad input");
}

#[test]
fn the_man_page_has_every_subcommand_with_its_options_and_examples() {
    let o = hasim(&["man"]);
    let (page, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        page.contains(".TH hasim 1"),
        "{}",
        &page[..page.len().min(300)]
    );
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!(".SH \"HASIM {}\"", sub.to_uppercase())),
            "no section for {sub}"
        );
    }
    assert!(
        page.contains("\\-\\-expect\\-trace\\-hash"),
        "replay's options"
    );
    assert!(page.contains("hasim sweep scenarios/quickstart.toml \\-\\-seeds 0..100"));
    let dir = temp_dir("man");
    let file = dir.join("hasim.1");
    let o = hasim(&["man", "-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), page);
}

/// `RUST_LOG` output of a short run under the given colour settings.
fn log(color: &[&str], no_color: Option<&str>) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hasim"));
    command
        .args(color)
        .args(["run", "scenarios/quickstart.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "hasim::trace=debug")
        .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        command.env("NO_COLOR", v);
    }
    let o = command.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn color_is_chosen_by_the_flag_and_no_color() {
    let always = log(&["--color", "always"], Some("1"));
    let never = log(&["--color=never"], None);
    let auto = log(&[], None); // stderr is a pipe here: no colour
    assert!(never.contains("node=server-2") && auto.contains("node=server-2"));
    assert!(!never.contains('\u{1b}') && !auto.contains('\u{1b}'));
    assert!(always.contains('\u{1b}'), "--color always beats NO_COLOR");
    let o = hasim(&["--color", "sometimes", "list"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hasim(&["list", "raft", "--color", "never"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "--color is global: after the command too"
    );
}

#[test]
fn old_output_flag_spellings_still_work() {
    let dir = temp_dir("old-flags");
    for (flag, name) in [
        ("--output", "a.html"),
        ("--out", "b.html"),
        ("-o", "c.html"),
    ] {
        let path = dir.join(name);
        let o = hasim(&[
            "report",
            "scenarios/quickstart.toml",
            flag,
            path.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "report {flag}: {o:?}");
        assert!(path.is_file(), "report {flag}");
    }
    let o = hasim(&["compare", "--help"]);
    let (out, _) = text(&o);
    assert!(out.contains("--out") && out.contains("chart-out"), "{out}");
}

#[test]
fn a_sweep_ends_with_its_rate_on_stderr_unless_quiet_or_json() {
    let args = ["sweep", "scenarios/quickstart.toml", "--seeds", "0..2"];
    let (out, err) = text(&hasim(&args));
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("ran 2 seeds in ") && last.contains(" seeds/s, "),
        "{err}"
    );
    assert!(
        !out.contains("seeds/s"),
        "stdout stays the same bytes everywhere"
    );
    for extra in ["-q", "--json"] {
        let mut with = args.to_vec();
        with.push(extra);
        let (_, err) = text(&hasim(&with));
        assert!(!err.contains("seeds/s"), "{extra}: {err}");
    }
}

#[test]
fn check_json_reports_each_file() {
    let dir = temp_dir("check-json");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[scenario]\nname = \"x\"\n").unwrap();
    let o = hasim(&[
        "check",
        "scenarios/quickstart.toml",
        bad.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(2), "one bad file: bad input");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let list = v["scenarios"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["ok"], true);
    assert_eq!(list[0]["scenario"], "quickstart");
    assert_eq!(list[0]["model"], "ping");
    assert_eq!(list[1]["ok"], false);
    assert!(
        list[1]["error"].as_str().unwrap().contains("bad.toml"),
        "{v}"
    );
}

#[test]
fn capacity_json_gives_the_answer_and_every_trial() {
    let args = [
        "capacity",
        "scenarios/balancing_vip_failover.toml",
        "--rate",
        "10..300",
        "--precision",
        "0.25",
    ];
    let (table, _) = text(&hasim(&args));
    let mut with = args.to_vec();
    with.push("--json");
    let o = hasim(&with);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let rate = v["capacity"].as_f64().expect("a capacity");
    assert!(
        table.contains(&format!("highest rate meeting every check: {rate:.3}")),
        "the JSON answer is the table's: {rate} vs\n{table}"
    );
    let trials = v["trials"].as_array().unwrap();
    assert!(trials.len() >= 2, "{v}");
    assert!(trials
        .iter()
        .any(|t| t["rate"] == rate && t["meets"] == true));
    assert!(trials
        .windows(2)
        .all(|w| w[0]["rate"].as_f64() < w[1]["rate"].as_f64()));
}

#[test]
fn shrink_json_gives_the_phases_and_the_file() {
    let dir = temp_dir("shrink-json");
    let out = dir.join("shrunk.toml");
    let o = hasim(&[
        "shrink",
        "scenarios/replication_primary_backup_lease_no_margin_unsafe.toml",
        "--seed",
        "1",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["check"], "always one_primary");
    assert_eq!(v["faults"], 3);
    let phases: Vec<&str> = v["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phase"].as_str().unwrap())
        .collect();
    assert_eq!(
        phases,
        ["start", "drop faults", "shorten episodes", "cut the run"]
    );
    assert_eq!(v["out"], out.to_str().unwrap());
    assert!(out.is_file());
}
