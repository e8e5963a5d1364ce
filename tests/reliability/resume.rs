//! Durable sweeps (issue 19): results are journaled as seeds finish, so a sweep killed
//! outright keeps what it ran, and `--resume` continues it. The property: for random
//! valid scenarios, `--jobs 1`, `--jobs 2`, `--isolate`, shards merged, and a sweep resumed from a
//! journal cut after k records (at random points, mid-record too), or from a real
//! SIGKILL, write byte-identical results files and print identical aggregates.
//! On the code before the journal a killed sweep left nothing and `--resume` did not
//! exist.

use super::{hasim, temp_dir, text};
use hasim::sweep::journal::{self, Identity};
use hasim::sweep::output;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A random valid ping scenario: servers, clients, a loss rate, perhaps random
/// partitions, perhaps checks that some seeds fail.
fn random_scenario(rng: &mut ChaCha8Rng) -> String {
    let pick = |rng: &mut ChaCha8Rng, n: u64| rng.next_u64() % n;
    let servers = 1 + pick(rng, 3);
    let clients = 1 + pick(rng, 2);
    let duration = ["1s", "2s", "3s"][pick(rng, 3) as usize];
    let loss = ["0.0", "0.01", "0.2"][pick(rng, 3) as usize];
    let mut text = format!(
        "[scenario]\nname = \"resume-{servers}-{clients}\"\nduration = \"{duration}\"\n\n\
         [network]\nloss = {loss}\n\n\
         [[group]]\nrole = \"server\"\ncount = {servers}\nprotocol = \"ping\"\n\n\
         [[group]]\nrole = \"client\"\ncount = {clients}\nprotocol = \"ping\"\nparams = {{ interval = \"20ms\" }}\n"
    );
    if pick(rng, 2) == 0 {
        text.push_str(
            "\n[faults.swarm]\nevery = [\"200ms\", \"2s\"]\nlasts = [\"10ms\", \"500ms\"]\n",
        );
    }
    if pick(rng, 2) == 0 {
        text.push_str("\n[[check]]\navailability = \">= 97%\"\n");
    }
    text
}

/// `hasim sweep` with `args`; its stdout, after checking it ran to an end (0 or 1).
fn sweep(scenario: &Path, seeds: &str, args: &[&str]) -> String {
    sweep_with_stderr(scenario, seeds, args).0
}

/// [`sweep`], with its stderr.
fn sweep_with_stderr(scenario: &Path, seeds: &str, args: &[&str]) -> (String, String) {
    let mut all = vec!["sweep", s(scenario), "--seeds", seeds, "--json", "-q"];
    all.extend_from_slice(args);
    let o = hasim(&all);
    let (out, err) = text(&o);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{all:?}: {:?}\n{out}{err}",
        o.status
    );
    (out, err)
}

/// The journal an interrupted sweep of `scenario` would leave: its identity line,
/// then `records` (result lines) in the given order.
fn journal_of(scenario: &Path, seeds: &str, records: &[&[u8]], torn: Option<&[u8]>) -> Vec<u8> {
    let loaded = hasim::Registry::builtin()
        .load(scenario)
        .expect("scenario loads");
    let identity = Identity {
        format: journal::FORMAT.to_string(),
        scenario: loaded.name.clone(),
        scenario_hash: loaded.hash.clone(),
        hasim_version: hasim::runner::VERSION.to_string(),
        seeds: seeds.parse().unwrap(),
        shard: None,
        check_determinism: false,
    };
    let mut bytes = serde_json::to_vec(&identity).unwrap();
    bytes.push(b'\n');
    for record in records {
        bytes.extend_from_slice(record);
        bytes.push(b'\n');
    }
    if let Some(part) = torn {
        bytes.extend_from_slice(part);
    }
    bytes
}

#[test]
fn interrupted_and_resumed_sweeps_write_what_uninterrupted_ones_do() {
    let dir = temp_dir("resume_property");
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let seeds = "3..=26";
    for case in 0..4 {
        let scenario = dir.join(format!("s{case}.toml"));
        std::fs::write(&scenario, random_scenario(&mut rng)).unwrap();
        let reference = dir.join(format!("ref{case}.jsonl"));
        let expected = sweep(&scenario, seeds, &["--jobs", "1", "--out", s(&reference)]);
        let want = std::fs::read(&reference).unwrap();
        assert!(
            !journal::path_for(&reference).exists(),
            "a finished sweep leaves no journal"
        );
        let same = |path: &Path, printed: &str, how: &str| {
            assert!(
                std::fs::read(path).unwrap() == want,
                "case {case}: {how}: results differ"
            );
            assert_eq!(printed, expected, "case {case}: {how}: aggregates differ");
        };

        let two = dir.join(format!("j2-{case}.jsonl"));
        same(
            &two,
            &sweep(&scenario, seeds, &["--jobs", "2", "--out", s(&two)]),
            "--jobs 2",
        );
        let isolated = dir.join(format!("isolated-{case}.jsonl"));
        let printed = sweep(
            &scenario,
            seeds,
            &["--isolate", "--jobs", "2", "--out", s(&isolated)],
        );
        same(&isolated, &printed, "--isolate");

        let mut shards = Vec::new();
        for k in 1..=3 {
            let shard = dir.join(format!("shard{case}-{k}.jsonl"));
            sweep(
                &scenario,
                seeds,
                &["--shard", &format!("{k}/3"), "--out", s(&shard)],
            );
            shards.push(shard);
        }
        let merged = dir.join(format!("merged{case}.jsonl"));
        let o = hasim(&[
            "merge",
            s(&shards[1]),
            s(&shards[2]),
            s(&shards[0]),
            "--json",
            "--out",
            s(&merged),
        ]);
        same(&merged, &text(&o).0, "shards merged");

        // The journal of a sweep cut after k records, finished in a shuffled order
        // (as J workers finish them), sometimes with the next record half written.
        let lines: Vec<&[u8]> = want
            .split(|&b| b == b'\n')
            .skip(1)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), 24);
        for round in 0..3 {
            let mut order: Vec<&[u8]> = lines.clone();
            for i in (1..order.len()).rev() {
                order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
            }
            let k = match round {
                0 => 0,
                1 => lines.len(),
                _ => 1 + (rng.next_u64() % (lines.len() as u64 - 1)) as usize,
            };
            let torn = (k < lines.len() && rng.next_u64() % 2 == 0).then(|| {
                let next = order[k];
                &next[..1 + (rng.next_u64() % (next.len() as u64 - 1)) as usize]
            });
            let out = dir.join(format!("resumed{case}-{round}.jsonl"));
            std::fs::write(
                journal::path_for(&out),
                journal_of(&scenario, seeds, &order[..k], torn),
            )
            .unwrap();
            let jobs = ["1", "2"][round % 2];
            let (printed, err) = sweep_with_stderr(
                &scenario,
                seeds,
                &["--jobs", jobs, "--resume", "--out", s(&out)],
            );
            // The journal's seeds were not run again.
            let (ran, left) = (
                format!(": {k} of 24 seeds already ran"),
                format!("; running the other {}\n", 24 - k),
            );
            assert!(
                err.contains(&ran) && err.contains(&left),
                "case {case}: {err}"
            );
            assert_eq!(err.contains("cut short"), torn.is_some(), "{err}");
            same(
                &out,
                &printed,
                &format!("resumed after {k} records (torn: {})", torn.is_some()),
            );
            assert!(
                !journal::path_for(&out).exists(),
                "the journal is removed when done"
            );
        }
    }
}

/// A real SIGKILL: the journal keeps what finished, and `--resume` completes the
/// sweep to the uninterrupted sweep's bytes.
#[cfg(unix)]
#[test]
fn a_sweep_killed_outright_resumes_to_the_same_bytes() {
    let dir = temp_dir("resume_sigkill");
    let scenario = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.toml"
    ));
    let seeds = "0..400";
    let out = dir.join("killed.jsonl");
    let journal_path = journal::path_for(&out);
    let mut child = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args([
            "sweep",
            s(&scenario),
            "--seeds",
            seeds,
            "-j",
            "2",
            "-q",
            "--out",
            s(&out),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hasim binary starts");
    // Until the journal holds a few dozen results, then kill -9 (no handler runs).
    let mut waited = 0;
    loop {
        let lines = std::fs::read(&journal_path)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        if lines > 30 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it was killed"
        );
        assert!(waited < 60_000, "no journal after 60 s");
        std::thread::sleep(Duration::from_millis(5));
        waited += 5;
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        None,
        "killed by a signal, not finished: {status:?}"
    );
    assert!(!out.exists(), "a killed sweep writes no results file");
    let kept = std::fs::read(&journal_path).unwrap();
    assert!(kept.iter().filter(|&&c| c == b'\n').count() > 30);

    let o = hasim(&[
        "sweep",
        s(&scenario),
        "--seeds",
        seeds,
        "-j",
        "2",
        "--json",
        "-q",
        "--resume",
        "--out",
        s(&out),
    ]);
    let (resumed, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("resuming from") && err.contains("seeds already ran"),
        "{err}"
    );
    let whole = dir.join("whole.jsonl");
    let expected = sweep(&scenario, seeds, &["-j", "2", "--out", s(&whole)]);
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(&whole).unwrap(),
        "results differ"
    );
    assert_eq!(resumed, expected);
    assert_eq!(output::read(&out).unwrap().results.len(), 400);
}

#[test]
fn a_journal_of_another_sweep_is_refused() {
    let dir = temp_dir("resume_mismatch");
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, super::quickstart()).unwrap();
    let out = dir.join("r.jsonl");
    let path = journal::path_for(&out);
    let refused = |journal: Vec<u8>, seeds: &str, needle: &str| {
        std::fs::write(&path, &journal).unwrap();
        let o = hasim(&[
            "sweep",
            s(&scenario),
            "--seeds",
            seeds,
            "-q",
            "--resume",
            "--out",
            s(&out),
        ]);
        let (stdout, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{stdout}{err}");
        assert!(err.contains(needle), "expected {needle:?} in {err}");
        assert!(stdout.is_empty() && !out.exists(), "nothing ran");
        assert!(
            std::fs::read(&path).unwrap() == journal,
            "the journal is left as it was"
        );
    };
    // Another seed range.
    refused(
        journal_of(&scenario, "0..5", &[], None),
        "0..6",
        "its seed range is 0..5, this sweep's is 0..6",
    );
    // The scenario edited since.
    let before = journal_of(&scenario, "0..5", &[], None);
    std::fs::write(
        &scenario,
        super::quickstart().replace("[scenario]", "# edited\n[scenario]"),
    )
    .unwrap();
    refused(before, "0..5", "its scenario hash is");
    // Not a journal at all, and a damaged record in the middle.
    refused(
        b"{\"format\": 1}\n".to_vec(),
        "0..5",
        "not the journal of a hasim sweep",
    );
    let mut damaged = journal_of(&scenario, "0..5", &[], None);
    damaged.extend_from_slice(b"{\"seed\": 1\n{}\n");
    refused(damaged, "0..5", ":2: not a run result");
    // --resume needs --out, where the journal is.
    let o = hasim(&["sweep", s(&scenario), "--seeds", "0..5", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--out"), "{}", text(&o).1);
}

#[test]
fn a_stale_journal_without_resume_is_replaced_with_a_warning() {
    let dir = temp_dir("resume_stale");
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, super::quickstart()).unwrap();
    let out = dir.join("r.jsonl");
    std::fs::write(journal::path_for(&out), b"left over\n").unwrap();
    let o = hasim(&[
        "sweep",
        s(&scenario),
        "--seeds",
        "0..4",
        "-q",
        "--out",
        s(&out),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: replacing") && err.contains("--resume"),
        "{err}"
    );
    assert_eq!(output::read(&out).unwrap().results.len(), 4);
    assert!(!journal::path_for(&out).exists());
}
