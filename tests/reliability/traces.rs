//! Trace files (issue 19): `run --trace` writes through a temporary file that is
//! removed on every exit path (an error, a panic unwinding, SIGTERM or Ctrl-C), is
//! synced before the rename, writes through a symlink to its target (the link stays
//! a link), and stops at `--trace-max` with exit 2 instead of filling the disk.

use super::{hasim, quickstart, temp_dir, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The files in `dir` whose names end in `.tmp`.
fn temps(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect()
}

/// The quickstart scenario made to run for hours of simulated time (seconds of wall
/// time), in `dir`.
fn long_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("long.toml");
    let text = quickstart().replace("duration = \"60s\"", "duration = \"20000s\"");
    assert!(
        text.contains("20000s"),
        "quickstart sets duration = \"60s\""
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_trace_over_its_limit_is_not_written_and_the_run_exits_2() {
    let dir = temp_dir("trace_max");
    let trace = dir.join("t.jsonl");
    std::fs::write(&trace, "an older trace\n").unwrap();
    let o = hasim(&[
        "run",
        "scenarios/quickstart.toml",
        "--trace",
        s(&trace),
        "--trace-max",
        "1KiB",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains(&format!(
            "error: {}: the trace passed --trace-max 1KiB after",
            trace.display()
        )) && err.contains("raise --trace-max"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&trace).unwrap(),
        "an older trace\n",
        "the old file is kept"
    );
    assert!(temps(&dir).is_empty(), "left behind: {:?}", temps(&dir));

    let o = hasim(&["run", "scenarios/quickstart.toml", "--trace-max", "lots"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("expected a size such as 512MiB"), "{err}");
}

#[test]
fn a_trace_under_its_limit_is_whole() {
    let dir = temp_dir("trace_under_max");
    let trace = dir.join("t.jsonl");
    let o = hasim(&[
        "run",
        "scenarios/quickstart.toml",
        "--trace",
        s(&trace),
        "--trace-max",
        "100MB",
    ]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let written = std::fs::read_to_string(&trace).unwrap();
    assert!(written.lines().count() > 1000 && written.ends_with('\n'));
    assert!(temps(&dir).is_empty());
}

#[test]
#[cfg(unix)]
fn a_symlinked_trace_writes_its_target_and_stays_a_link() {
    let dir = temp_dir("trace_symlink");
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let target = dir.join("real").join("t.jsonl");
    std::fs::write(&target, "old\n").unwrap();
    let link = dir.join("link.jsonl");
    std::os::unix::fs::symlink("real/t.jsonl", &link).unwrap();
    let o = hasim(&["run", "scenarios/quickstart.toml", "--trace", s(&link)]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.lines().count() > 1000, "{written:.80}");
    assert_ne!(written, "old\n");
    assert!(temps(&dir).is_empty() && temps(&dir.join("real")).is_empty());
}

#[test]
#[cfg(unix)]
#[allow(clippy::disallowed_methods)] // wall time bounds the child process, not a run
fn a_stopped_run_leaves_no_temporary_trace() {
    let dir = temp_dir("trace_sigterm");
    let scenario = long_scenario(&dir);
    for signal in ["-TERM", "-INT"] {
        let trace = dir.join("t.jsonl");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hasim"))
            .args(["run", s(&scenario), "--trace", s(&trace)])
            .args(["--trace-max", "1MiB"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while temps(&dir).is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no temporary file appeared"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run ended too soon"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("interrupted"), "{err}");
        assert!(temps(&dir).is_empty(), "{signal}: left {:?}", temps(&dir));
        assert!(!trace.exists(), "a stopped run wrote its trace");
    }
}

#[test]
fn a_panic_while_writing_removes_the_temporary_file() {
    // No bundled model panics on purpose, so this drives the runner's guard itself:
    // a model's panic unwinds through the same drop.
    let dir = temp_dir("trace_panic");
    let target = dir.join("t.jsonl");
    let caught = std::panic::catch_unwind(|| {
        let (temp, _file) = hasim::atomic::create(&target).unwrap();
        assert!(temp.path().exists());
        panic!("the model panicked");
    });
    assert!(caught.is_err());
    assert!(temps(&dir).is_empty(), "left {:?}", temps(&dir));
    assert!(!target.exists());
}
