//! Hardening: what happens to bad or hostile input after it is parsed, tried as a
//! demanding user would (issue 19). Every test here failed (or hung) on the code
//! before its fix.

mod checks;
mod faults;
mod generators;
mod inputs;
mod isolate;
mod limits;
mod outputs;
mod replay;
mod resume;
mod seeds;
mod trace_filters;
mod traces;
mod zones;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the built `hasim` binary with `args`, killing it after `limit` so a hang is a
/// failed test instead of a stuck suite. `None` means it had to be killed.
#[allow(clippy::disallowed_methods)] // wall time bounds the child process, not a run
pub fn hasim_within(args: &[&str], limit: Duration) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hasim binary starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait on hasim").is_some() {
            return Some(child.wait_with_output().expect("hasim output"));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `hasim` with a generous limit and fails the test if it had to be killed.
pub fn hasim(args: &[&str]) -> Output {
    hasim_within(args, Duration::from_secs(60))
        .unwrap_or_else(|| panic!("hasim {args:?} did not finish within 60 s"))
}

/// stdout and stderr as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A fresh, empty directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("reliability")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The quickstart scenario's text, for tests that change one thing in it.
pub fn quickstart() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.toml"
    ))
    .expect("quickstart scenario")
}
