//! `hasim sweep --isolate`: every seed runs in a worker process, so a run that kills
//! its process (an abort, a stack overflow, the OOM killer) is one failing seed,
//! recorded as `crashed` with its replay command, and the sweep goes on with a new
//! worker. A panic is caught inside the worker as without `--isolate`; what isolation
//! adds is surviving what `catch_unwind` cannot catch.
//!
//! Each of the J pool threads drives one worker: the same binary run as the hidden
//! `hasim sweep-worker SCENARIO`, reading seeds from its stdin, one per line, and
//! writing each seed's result as one JSON line to its stdout (the exact `RunResult`,
//! so the results file is byte-identical with or without `--isolate`). A worker that
//! ends without answering took its seed down with it. Workers ignore Ctrl-C, which
//! the terminal sends to the whole process group: the sweep decides when to stop,
//! and the runs in flight finish as they do in-process.
//!
//! Test hook: a worker aborts (as a crash would) when it is given the seed named by
//! the environment variable `HASIM_TEST_ABORT_SEED`, so tests can crash a worker
//! deterministically. Nothing else reads it, and `run`/`replay` ignore it.

use super::aggregate::CRASHED;
use super::{determinism, ScenarioRuns, SeedRunner};
use crate::runner::RunResult;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Mutex;

/// The test hook's environment variable: the seed on which a worker aborts.
pub const ABORT_SEED_VAR: &str = "HASIM_TEST_ABORT_SEED";

/// `hasim sweep-worker` (hidden): the worker process of `sweep --isolate`.
#[derive(clap::Args, Debug, Clone)]
pub struct WorkerArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Run each seed twice and compare, as `sweep --check-determinism`.
    #[arg(long)]
    pub check_determinism: bool,
}

/// One answer of a worker.
#[derive(Debug, Serialize, Deserialize)]
enum Reply {
    /// The seed's result (panics caught, as in-process).
    Result(Box<RunResult>),
    /// The run could not be carried out: bad input, which stops the sweep.
    Error(String),
}

/// `hasim sweep-worker`; returns the exit code.
pub fn worker(args: WorkerArgs, models: &crate::registry::Registry) -> u8 {
    // The sweep stops its workers by closing their stdin, not by a signal.
    let _ = ctrlc::set_handler(|| {});
    let scenario = match models.load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let runs = ScenarioRuns {
        scenario: &scenario,
    };
    let abort_seed = std::env::var(ABORT_SEED_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return 0 };
        let Ok(seed) = line.trim().parse::<u64>() else {
            eprintln!("error: sweep-worker: `{line}` is not a seed");
            return 2;
        };
        if abort_seed == Some(seed) {
            std::process::abort();
        }
        let reply = match determinism::seed_result(&runs, seed, args.check_determinism) {
            Ok(result) => Reply::Result(Box::new(result)),
            Err(message) => Reply::Error(message),
        };
        let Ok(mut bytes) = serde_json::to_vec(&reply) else {
            return 2;
        };
        bytes.push(b'\n');
        if out.write_all(&bytes).and_then(|()| out.flush()).is_err() {
            // The sweep is gone; nobody wants the rest.
            return 0;
        }
    }
    0
}

/// A running worker process.
struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    /// Closes its stdin (it exits) and waits for it.
    fn finish(mut self) -> std::io::Result<ExitStatus> {
        self.stdin.take();
        self.child.wait()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.wait();
    }
}

/// Seeds run in worker processes, at most one seed per worker at a time.
pub struct Isolated<'a> {
    runs: ScenarioRuns<'a>,
    scenario_path: PathBuf,
    check_determinism: bool,
    /// Workers between seeds; a pool thread takes one (or starts one) per seed.
    idle: Mutex<Vec<Worker>>,
}

impl<'a> Isolated<'a> {
    /// Workers for `scenario`, loaded from `scenario_path`.
    pub fn new(scenario: &'a Scenario, scenario_path: PathBuf, check_determinism: bool) -> Self {
        Isolated {
            runs: ScenarioRuns { scenario },
            scenario_path,
            check_determinism,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn spawn(&self) -> Result<Worker, String> {
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find the hasim binary for --isolate: {e}"))?;
        let mut command = Command::new(exe);
        command.arg("sweep-worker").arg(&self.scenario_path);
        if self.check_determinism {
            command.arg("--check-determinism");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start a worker process for --isolate: {e}"))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("a worker process has no pipes".to_string());
        };
        Ok(Worker {
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
        })
    }

    fn take(&self) -> Result<Worker, String> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(worker) => Ok(worker),
            None => self.spawn(),
        }
    }

    /// The sweep's result for `seed`, as `determinism::seed_result` gives it
    /// in-process, or `crashed` if the seed killed its worker.
    pub fn seed_result(&self, seed: u64) -> Result<RunResult, String> {
        let mut worker = self.take()?;
        let sent = worker
            .stdin
            .as_mut()
            .map(|stdin| writeln!(stdin, "{seed}").and_then(|()| stdin.flush()));
        if !matches!(sent, Some(Ok(()))) {
            // It died between seeds (killed from outside): not this seed's doing.
            drop(worker);
            worker = self.spawn()?;
            let stdin = worker.stdin.as_mut().expect("a new worker has its stdin");
            writeln!(stdin, "{seed}")
                .and_then(|()| stdin.flush())
                .map_err(|e| format!("cannot hand seed {seed} to a worker process: {e}"))?;
        }
        let mut line = String::new();
        let answered = worker.stdout.read_line(&mut line).is_ok() && line.ends_with('\n');
        if !answered {
            let status = worker.finish();
            return Ok(self.crashed(seed, status));
        }
        let reply: Reply = serde_json::from_str(&line)
            .map_err(|e| format!("a worker process answered seed {seed} with nonsense: {e}"))?;
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(worker);
        match reply {
            Reply::Result(result) if result.scenario_hash != self.runs.scenario.hash => {
                Err(format!(
                    "{} changed during the sweep (a worker read scenario hash {})",
                    self.scenario_path.display(),
                    result.scenario_hash
                ))
            }
            Reply::Result(result) => Ok(*result),
            Reply::Error(message) => Err(message),
        }
    }

    /// The result recorded for a seed whose worker died running it.
    fn crashed(&self, seed: u64, status: std::io::Result<ExitStatus>) -> RunResult {
        RunResult {
            outcome: CRASHED.to_string(),
            violation: Some(format!(
                "the run killed its worker process ({}); replay the seed to see it happen",
                how_it_ended(status)
            )),
            ..self.runs.blank(seed)
        }
    }
}

/// How a worker ended, in words that do not depend on the machine (no "core dumped").
fn how_it_ended(status: std::io::Result<ExitStatus>) -> String {
    let status = match status {
        Ok(status) => status,
        Err(e) => return format!("its end could not be seen: {e}"),
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL)",
                6 => " (SIGABRT: an abort, or a stack overflow)",
                7 => " (SIGBUS)",
                8 => " (SIGFPE)",
                9 => " (SIGKILL: out of memory, or killed from outside)",
                11 => " (SIGSEGV)",
                _ => "",
            };
            return format!("signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code} before answering"),
        None => "ended before answering".to_string(),
    }
}
