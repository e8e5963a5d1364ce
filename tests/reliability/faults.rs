//! Faults that cannot do anything (issue 19): a partition with every node on one
//! side and `[faults.swarm] kinds = []` are errors (exit 2, naming the field); a
//! `restart` of a node that is not crashed, a `resume` of one not paused, a `heal`
//! with no partition in force and a latency spike adding 0s are one-line warnings
//! on stderr from `check`, `run`, `replay`, `sweep`, `shrink`, `report` and
//! `compare`, naming the file, line, fault and time, and
//! change nothing else.

use super::{hasim, quickstart, temp_dir, text};
use std::path::PathBuf;

fn write(name: &str, body: &str) -> PathBuf {
    let path = temp_dir(name).join("s.toml");
    std::fs::write(&path, body).unwrap();
    path
}

/// Quickstart without its two faults.
fn without_faults() -> String {
    let q = quickstart();
    let (head, rest) = q.split_once("[[fault]]").unwrap();
    let checks = rest.split_once("[[check]]").unwrap().1;
    format!("{head}[[check]]{checks}")
}

fn refused(name: &str, body: &str, needles: &[&str]) {
    let path = write(name, body);
    let o = hasim(&["check", path.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{name}: {out}{err}");
    for needle in needles {
        assert!(err.contains(needle), "{name}: expected {needle:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_partition_with_everyone_on_one_side_is_refused() {
    let body = quickstart().replace("target = \"server-3\"", "target = \"all\"");
    refused(
        "partition_one_side",
        &body,
        &[
            "s.toml:35:10: field `fault[1].target`",
            "puts all 5 nodes on one side and none on the other",
        ],
    );
}

#[test]
fn an_empty_swarm_is_refused() {
    let body = format!("{}\n[faults.swarm]\nkinds = []\n", without_faults());
    refused(
        "swarm_no_kinds",
        &body,
        &[
            "field `faults.swarm.kinds`",
            "an empty list draws no faults",
        ],
    );
}

const NO_OPS: &str = r#"
[[fault]]
at = "15s"
kind = "restart"
target = "server-1"

[[fault]]
at = "19s"
kind = "restart"
target = "server-2"

[[fault]]
at = "40s"
kind = "heal"

[[fault]]
at = "41s"
kind = "resume"
target = "client-1"

[[fault]]
at = "42s"
kind = "latency_spike"
extra = "0s"
lasts = "1s"
"#;

#[test]
fn faults_that_do_nothing_are_warned_about_by_every_command() {
    let path = write("no_op_faults", &format!("{}{NO_OPS}", quickstart()));
    let file = path.display().to_string();
    let expected = [
        format!("warning: {file}:51: fault[2] (restart at 15s): server-1 is not crashed then, so the restart does nothing to it"),
        format!("warning: {file}:61: fault[4] (heal at 40s): no partition is in force then, so the heal does nothing"),
        format!("warning: {file}:65: fault[5] (resume at 41s): client-1 is not paused then, so the resume does nothing to it"),
        format!("warning: {file}:70: fault[6] (latency_spike at 42s): `extra` is 0s, so the spike adds no latency"),
    ];
    for command in ["check", "run"] {
        let o = hasim(&[command, &file]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{command}: {out}{err}");
        for line in &expected {
            assert!(
                err.contains(line.as_str()),
                "{command}: expected {line:?} in {err}"
            );
        }
        // fault[3] restarts server-2 while the crash at 10s still holds it.
        assert!(!err.contains("fault[3]"), "{command}: {err}");
        assert_eq!(err.lines().count(), expected.len(), "{command}: {err}");
        assert!(!out.contains("warning"), "{command}: {out}");
    }
    // The other commands that load a scenario say the same (compare per design).
    let dir = path.parent().unwrap();
    let html = dir.join("no_op.html").display().to_string();
    let shrunk = dir.join("no_op_shrunk.toml").display().to_string();
    let trace = dir.join("no_op_trace.jsonl").display().to_string();
    for args in [
        // The trace to a file: on stderr it would fill the pipe the test reads late.
        vec!["replay", &file, "--seed", "1", "--trace", &trace],
        vec!["sweep", &file, "--seeds", "0..2", "-q"],
        vec!["report", &file, "-o", &html],
        vec!["compare", &file, "--seeds", "0..2"],
        // The seed passes, so there is nothing to shrink (exit 2), but it warns first.
        vec!["shrink", &file, "--seed", "1", "-o", &shrunk],
    ] {
        let (out, err) = text(&hasim(&args));
        for line in &expected {
            let message = line.trim_start_matches("warning: ");
            assert!(
                err.contains(message),
                "{args:?}: expected {message:?} in {err}{out}"
            );
        }
    }
}

#[test]
fn bundled_faults_and_generated_ones_give_no_warnings() {
    let o = hasim(&["check", "scenarios/quickstart.toml"]);
    assert_eq!(text(&o).1, "");
    // A generator could crash the node a restart names: nothing is said then.
    let body = format!(
        "{}{NO_OPS}\n[faults.random]\ncrash = {{ mtbf = \"20s\", mttr = \"2s\" }}\n",
        without_faults()
    );
    let path = write("no_op_with_generator", &body);
    let o = hasim(&["check", path.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(!err.contains("restart"), "{err}");
    assert!(err.contains("`extra` is 0s"), "{err}");
}
