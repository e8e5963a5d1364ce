//! `hasim compare`: the table (insta snapshot), a design against itself is the same
//! on every figure, a timeout grid moves detection time by the timeout's steps, the
//! chart, --jobs invariance, and bad input.

use std::process::{Command, Output};

fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hasim binary runs")
}

const HEARTBEAT: &str = "scenarios/detection_compare_heartbeat.toml";
const GRID: &str = "group.1.params.timeout=2s,3s,5s";

#[test]
fn a_timeout_grid_table_is_stable() {
    let o = hasim(&[
        "compare",
        HEARTBEAT,
        "--seeds",
        "0..6",
        "--set",
        GRID,
        "--figure",
        "detection_first_mean",
        "--figure",
        "false_suspicions",
        "-q",
        "-j",
        "2",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    insta::assert_snapshot!(String::from_utf8_lossy(&o.stdout));
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["compare", "--json", "-q"];
    all.extend_from_slice(args);
    let o = hasim(&all);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON")
}

#[test]
fn a_design_against_itself_is_the_same_on_every_figure() {
    let c = json(&[
        "scenarios/quickstart.toml",
        "scenarios/quickstart.toml",
        "--seeds",
        "0..4",
    ]);
    let figures = c["figures"].as_array().unwrap();
    assert!(figures.len() > 5);
    for f in figures {
        let v = &f["versus_first"][0];
        assert_eq!(v[0].as_f64(), Some(0.0), "{f}");
        assert_eq!(v[2].as_str(), Some("same"), "{f}");
        assert_eq!(f["designs"][0], f["designs"][1]);
    }
}

#[test]
fn detection_time_follows_the_timeout_and_mistakes_fall_with_it() {
    // A push heartbeat detector suspects `timeout` after the last heartbeat it got, so
    // on the same seeds the first detection moves by exactly the timeout's step: 1 s
    // from 2 s to 3 s and 3 s from 2 s to 5 s, within the paired interval.
    let c = json(&[HEARTBEAT, "--seeds", "0..8", "--set", GRID, "-j", "1"]);
    let row = |name: &str| {
        c["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone()
    };
    let detection = row("detection_first_mean");
    for (i, step) in [(0, 1.0), (1, 3.0)] {
        let (mean, half) = (
            detection["versus_first"][i][0].as_f64().unwrap(),
            detection["versus_first"][i][1].as_f64().unwrap(),
        );
        assert!(
            (mean - step).abs() <= half.max(0.01),
            "{mean} ±{half} vs {step}"
        );
        assert_eq!(detection["versus_first"][i][2], "worse");
    }
    let mistakes = row("false_suspicions");
    assert_eq!(mistakes["versus_first"][0][2], "better");
    assert_eq!(mistakes["versus_first"][1][2], "better");
    // --jobs does not change a thing.
    let again = json(&[HEARTBEAT, "--seeds", "0..8", "--set", GRID, "-j", "2"]);
    assert_eq!(c, again);
}

#[test]
fn the_chart_has_a_panel_per_figure_and_a_line_per_series() {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("compare-chart.svg");
    let o = hasim(&[
        "compare",
        HEARTBEAT,
        "--seeds",
        "0..3",
        "--set",
        GRID,
        "--set",
        "group.1.params.interval=500ms,1s",
        "--chart",
        "detection_first_mean",
        "--chart",
        "false_suspicions",
        "--chart-out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg"));
    // Two figures × two interval series; three timeouts per line.
    assert_eq!(svg.matches("class=\"series\"").count(), 4, "{svg}");
    assert_eq!(svg.matches("class=\"point\"").count(), 12);
    assert!(svg.contains("interval=500ms") && svg.contains("interval=1s"));
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "compare",
                "scenarios/quickstart.toml",
                HEARTBEAT,
                "--seeds",
                "0..2",
            ],
            "same model",
        ),
        (
            &["compare", HEARTBEAT, "--seeds", "0..2", "--chart", "x"],
            "--set",
        ),
        (
            &[
                "compare",
                HEARTBEAT,
                "--seeds",
                "0..2",
                "--set",
                "group.9.role=x",
            ],
            "no group.9",
        ),
        (
            &[
                "compare",
                HEARTBEAT,
                "--seeds",
                "0..2",
                "--set",
                "group.1.params.timeout=banana",
            ],
            "timeout",
        ),
    ];
    for (args, needle) in cases {
        let o = hasim(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
