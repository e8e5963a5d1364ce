//! Input files: one bounded reader refuses devices, FIFOs and oversized files with a
//! clear error (exit 2) naming the file, instead of reading forever or blocking.

use super::{hasim_within, quickstart, temp_dir, text};
use std::time::Duration;

fn refused_quickly(path: &str, needle: &str) {
    let o = hasim_within(&["check", path], Duration::from_secs(20))
        .unwrap_or_else(|| panic!("hasim check {path} did not finish within 20 s"));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains(path), "the error names the file: {err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

#[test]
#[cfg(unix)]
fn a_device_is_refused_not_read_forever() {
    refused_quickly("/dev/zero", "not a regular file (a device)");
}

#[test]
#[cfg(unix)]
fn a_fifo_with_no_writer_is_refused_not_waited_on() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("scenario.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    refused_quickly(fifo.to_str().unwrap(), "not a regular file (a FIFO)");
    // The library refuses it too (every command loads through Scenario::load).
    let e = hasim::Registry::builtin()
        .load(&fifo)
        .expect_err("a FIFO is not a scenario");
    assert!(e.to_string().contains("FIFO"), "{e}");
}

#[test]
fn a_directory_is_refused() {
    // `check` takes directories of scenarios; every other command and the library
    // refuse a directory as the scenario.
    let dir = temp_dir("dir_as_scenario");
    let path = dir.to_str().unwrap();
    let o = hasim_within(&["run", path], Duration::from_secs(20)).expect("run finishes");
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains(path) && err.contains("not a regular file (a directory)"),
        "{err}"
    );
    let e = hasim::Registry::builtin()
        .load(&dir)
        .expect_err("a directory is not a scenario");
    assert!(e.to_string().contains("a directory"), "{e}");
}

#[test]
fn a_valid_scenario_over_4_mib_is_refused() {
    // Valid TOML (a long comment block then the quickstart), so only the size limit
    // can refuse it.
    let dir = temp_dir("big_scenario");
    let path = dir.join("big.toml");
    let mut source = "# padding to make the file large\n".repeat(140_000);
    assert!(source.len() > 4 * 1024 * 1024);
    source.push_str(&quickstart());
    std::fs::write(&path, source).unwrap();
    refused_quickly(path.to_str().unwrap(), "larger than the 4 MiB");
}

#[test]
fn a_schedule_file_goes_through_the_same_reader() {
    let scenario = hasim::Registry::builtin()
        .parse(&quickstart(), "quickstart.toml".as_ref())
        .unwrap();
    let dir = temp_dir("schedule_dir");
    let e = hasim::schedule::load(&dir, &scenario).expect_err("a directory is no schedule");
    assert!(e.to_string().contains("not a regular file"), "{e}");
}
