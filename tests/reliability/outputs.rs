//! Outputs (issue 19): an output path that is one of the inputs is refused (`sweep
//! s.toml --out s.toml` replaced the scenario); an output whose directory is missing,
//! or that is a directory, is refused before any seed runs, for `sweep --out`,
//! `shrink -o`, `report -o` and `run --trace`; and a reader that closes stdout early
//! (`| head -1`) ends every command quietly with exit 141 instead of a panic (101).

use super::{hasim, quickstart, temp_dir, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A directory holding a copy of the quickstart scenario, `s.toml`.
fn scenario_in(name: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, quickstart()).unwrap();
    (dir, scenario)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `args`, expects exit 2 with `needle` on stderr and nothing on stdout (no run
/// was made, no summary or aggregate printed).
fn refused(args: &[&str], needle: &str) {
    let o = hasim(args);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {out}{err}");
    assert!(
        err.contains(needle),
        "{args:?}: expected {needle:?} in {err}"
    );
    assert!(out.is_empty(), "{args:?}: something ran: {out}");
}

#[test]
fn an_output_that_is_the_scenario_is_refused_and_the_scenario_kept() {
    let (dir, scenario) = scenario_in("out_is_input");
    let same = dir.join("sub").join("..").join("s.toml");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let cases: [Vec<&str>; 4] = [
        vec![
            "sweep",
            s(&scenario),
            "--seeds",
            "1..3",
            "--out",
            s(&scenario),
        ],
        vec!["sweep", s(&scenario), "--seeds", "1..3", "--out", s(&same)],
        vec!["run", s(&scenario), "--trace", s(&scenario)],
        vec!["report", s(&scenario), "-o", s(&same)],
    ];
    for args in cases {
        let output = args[args.len() - 1];
        refused(
            &args,
            &format!(
                "error: {output}: this output is the input {}; writing it would replace that file, so choose another output path",
                scenario.display()
            ),
        );
        assert_eq!(std::fs::read_to_string(&scenario).unwrap(), quickstart());
    }
}

#[test]
fn two_outputs_of_one_command_may_not_name_one_file() {
    let (dir, scenario) = scenario_in("outputs_twice");
    let page = dir.join("x.html");
    let again = dir.join(".").join("x.html");
    let out = dir.join("r.jsonl");
    let cases: [Vec<&str>; 2] = [
        vec!["report", s(&scenario), "-o", s(&page), "--svg", s(&again)],
        vec![
            "sweep",
            s(&scenario),
            "--seeds",
            "1..3",
            "--out",
            s(&out),
            "--report",
            s(&out),
        ],
    ];
    for args in cases {
        refused(
            &args,
            "one would replace the other, so give them different paths",
        );
    }
    assert!(!page.exists() && !out.exists(), "nothing was written");
}

#[test]
fn merge_refuses_to_write_over_one_of_its_shards() {
    let (dir, scenario) = scenario_in("merge_over_shard");
    let shard = dir.join("shard.jsonl");
    let o = hasim(&["sweep", s(&scenario), "--seeds", "1..3", "--out", s(&shard)]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let before = std::fs::read(&shard).unwrap();
    refused(
        &["merge", s(&shard), "--out", s(&shard)],
        "this output is the input",
    );
    assert_eq!(std::fs::read(&shard).unwrap(), before);
}

#[test]
fn an_output_in_a_missing_directory_is_refused_before_any_run() {
    let (dir, scenario) = scenario_in("out_missing_dir");
    let missing = dir.join("no_such_dir");
    let out = |name: &str| missing.join(name).to_str().unwrap().to_string();
    let (results, shrunk, page, trace) = (
        out("r.jsonl"),
        out("shrunk.toml"),
        out("r.html"),
        out("t.jsonl"),
    );
    let cases: [Vec<&str>; 4] = [
        vec!["sweep", s(&scenario), "--seeds", "1..3", "--out", &results],
        vec!["shrink", s(&scenario), "--seed", "1", "-o", &shrunk],
        vec!["report", s(&scenario), "-o", &page],
        vec!["run", s(&scenario), "--trace", &trace],
    ];
    for args in cases {
        let output = args[args.len() - 1];
        refused(
            &args,
            &format!(
                "error: {output}: the directory {} does not exist",
                missing.display()
            ),
        );
    }
}

#[test]
fn an_output_that_is_a_directory_is_refused_before_any_run() {
    let (dir, scenario) = scenario_in("out_is_dir");
    let target = dir.join("taken");
    std::fs::create_dir_all(&target).unwrap();
    let t = s(&target);
    let cases: [Vec<&str>; 4] = [
        vec!["sweep", s(&scenario), "--seeds", "1..3", "--out", t],
        vec!["shrink", s(&scenario), "--seed", "1", "-o", t],
        vec!["report", s(&scenario), "-o", t],
        vec!["run", s(&scenario), "--trace", t],
    ];
    for args in cases {
        refused(
            &args,
            &format!("error: {t}: is a directory; expected the path of a file to write"),
        );
    }
    assert!(target.is_dir());
}

/// Runs `args` with stdout a pipe that has no reader any more, so hasim's first write
/// meets a broken pipe whatever the timing. A FIFO gives such a pipe with std alone:
/// both ends are opened (each open waits for the other), then the reading end closed.
#[cfg(unix)]
fn with_stdout_closed(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let fifo = dir.join(format!("stdout-{}.fifo", args[0]));
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let reading = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::File::open(fifo).expect("open the FIFO to read"))
    };
    let writing = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open the FIFO to write");
    drop(reading.join().expect("the reader opened"));
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(writing))
        .stderr(Stdio::piped())
        .output()
        .expect("hasim runs");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
#[cfg(unix)]
fn a_closed_stdout_ends_every_command_quietly() {
    let dir = temp_dir("closed_stdout");
    let trace = dir.join("t.jsonl");
    let cases: [Vec<&str>; 5] = [
        vec![
            "replay",
            "scenarios/quickstart.toml",
            "--seed",
            "1",
            "--trace",
            s(&trace),
        ],
        vec!["run", "scenarios/quickstart.toml"],
        vec!["list"],
        vec!["check", "scenarios/quickstart.toml"],
        vec![
            "sweep",
            "scenarios/quickstart.toml",
            "--seeds",
            "1..3",
            "--quiet",
        ],
    ];
    for args in cases {
        let (code, err) = with_stdout_closed(&args, &dir);
        assert_eq!(code, Some(141), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: said {err}");
    }
}

/// SIGTERM during a long `shrink -o` ends it with exit 130 and nothing left behind
/// (it was killed by the signal, its temporary file left if it was writing).
#[cfg(unix)]
#[test]
fn a_signal_during_shrink_quits_with_130_and_leaves_nothing() {
    let dir = temp_dir("shrink_sigterm");
    let scenario = dir.join("long.toml");
    let failing = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/shrink/ping_strict_availability.toml"
    ))
    .unwrap();
    // Twenty minutes a run: the search takes half a minute, so the signal finds it busy.
    std::fs::write(
        &scenario,
        failing.replace("duration = \"120s\"", "duration = \"20m\""),
    )
    .unwrap();
    let out = dir.join("shrunk.toml");
    let child = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["shrink", s(&scenario), "--seed", "5", "-o", s(&out)])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hasim binary starts");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(130), "{stdout}{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "long.toml")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
