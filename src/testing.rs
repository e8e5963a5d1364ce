//! Snapshot testing of a protocol: run a scenario for a seed and get its summary and
//! trace as stable text, for `insta::assert_snapshot!` in a user's `cargo test`, the
//! way hasim pins its own models.
//!
//! The text is the trace contract (time, sequence, node, verb, detail), with node
//! names from the scenario ("primary-1") in place of ids, and the summary's figures
//! written exactly (shortest round-trip decimals), so any change in what the protocol
//! does changes the snapshot. Nothing in it depends on the machine, the path the
//! scenario was read from, or the hasim version.
//!
//! ```
//! use hasim::testing::Snapshot;
//! let models = hasim::Registry::builtin();
//! let toml = r#"
//! [scenario]
//! name = "two_pings"
//! duration = "30ms"
//! [[group]]
//! role = "client"
//! protocol = "ping"
//! params = { interval = "10ms" }
//! [[group]]
//! role = "server"
//! protocol = "ping"
//! [[check]]
//! invariant = "ok_within_timeout"
//! "#;
//! let snap = Snapshot::of_toml(&models, toml, 1).expect("runs");
//! assert!(snap.passed());
//! assert!(snap.trace().contains("client-1"));
//! // In a test: insta::assert_snapshot!(snap.trace());
//! ```

use crate::registry::Registry;
use crate::runner::{self, RunError, RunOptions, RunResult};
use crate::scenario::{Scenario, ScenarioError};
use std::fmt::Write;
use std::path::Path;

/// Why a snapshot could not be taken.
#[derive(Debug)]
pub enum SnapshotError {
    /// The scenario is not valid.
    Scenario(ScenarioError),
    /// The run could not be carried out.
    Run(RunError),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::Scenario(e) => write!(f, "{e}"),
            SnapshotError::Run(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// One seed of a scenario, as text fit for a snapshot.
#[derive(Clone, Debug)]
pub struct Snapshot {
    result: RunResult,
    summary: String,
    trace: String,
}

impl Snapshot {
    /// Runs the scenario file at `path` for `seed`, its model found in `models`.
    pub fn of_file(models: &Registry, path: &Path, seed: u64) -> Result<Self, SnapshotError> {
        let scenario = models.load(path).map_err(SnapshotError::Scenario)?;
        Snapshot::of(&scenario, seed)
    }

    /// Runs scenario text for `seed` (a `[scenario]`, groups, faults, checks, as in
    /// a file), its model found in `models`.
    pub fn of_toml(models: &Registry, toml: &str, seed: u64) -> Result<Self, SnapshotError> {
        let scenario = models
            .parse(toml, Path::new("snapshot.toml"))
            .map_err(SnapshotError::Scenario)?;
        Snapshot::of(&scenario, seed)
    }

    /// Runs a loaded scenario for `seed`.
    pub fn of(scenario: &Scenario, seed: u64) -> Result<Self, SnapshotError> {
        let opts = RunOptions {
            seed,
            ..RunOptions::default()
        };
        let result = runner::run(scenario, &opts).map_err(SnapshotError::Run)?;
        let records = runner::trace_records(scenario, &opts).map_err(SnapshotError::Run)?;
        let names: Vec<&str> = scenario.nodes.iter().map(|n| n.name.as_str()).collect();
        let mut trace = String::new();
        for r in &records {
            let node = r
                .node
                .and_then(|n| names.get(n.index()).copied())
                .unwrap_or("-");
            let _ = writeln!(
                trace,
                "{} #{} {node} {} {}",
                r.time,
                r.seq,
                r.verb.name(),
                named(&r.detail, &names)
            );
        }
        let summary = summary(scenario, &result);
        Ok(Snapshot {
            result,
            summary,
            trace,
        })
    }

    /// Whether every check held.
    pub fn passed(&self) -> bool {
        self.result.passed()
    }

    /// The run's result (figures, check verdicts, outcome, trace hash).
    pub fn result(&self) -> &RunResult {
        &self.result
    }

    /// The summary: seed, outcome, events, trace hash, every figure exactly, and each
    /// check with its verdict and measured value.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The whole trace, one record a line: `TIME #SEQ NODE VERB DETAIL`.
    pub fn trace(&self) -> &str {
        &self.trace
    }

    /// The first `lines` lines of the trace (a long run's snapshot need not hold
    /// every record: the summary's trace hash covers them all).
    pub fn trace_head(&self, lines: usize) -> String {
        self.trace
            .lines()
            .take(lines)
            .fold(String::new(), |mut out, l| {
                out.push_str(l);
                out.push('\n');
                out
            })
    }
}

/// `detail` with each node id (`n3`: a field `to=n3`, a fault's `crash n3`, a
/// partition's `[n1, n2]`) replaced by its node's name; other words stay.
fn named(detail: &str, names: &[&str]) -> String {
    let bytes = detail.as_bytes();
    let mut out = String::with_capacity(detail.len());
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || matches!(bytes[i - 1], b' ' | b'=' | b'[' | b',');
        if starts_word && bytes[i] == b'n' {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let end = i + 1 + digits;
            let ends_word = end == bytes.len() || matches!(bytes[end], b' ' | b']' | b',');
            let name = detail[i + 1..end]
                .parse::<usize>()
                .ok()
                .and_then(|n| names.get(n));
            if let (true, true, Some(name)) = (digits > 0, ends_word, name) {
                out.push_str(name);
                i = end;
                continue;
            }
        }
        // Copy up to the next possible word start, whole characters at a time.
        let ch = detail[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn summary(scenario: &Scenario, r: &RunResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario {} (model {})", scenario.name, scenario.model);
    let _ = writeln!(out, "seed {}", r.seed);
    let _ = writeln!(out, "outcome {}", r.outcome);
    let _ = writeln!(out, "events {}", r.events);
    let _ = writeln!(out, "trace_hash {}", r.trace_hash);
    if let Some(v) = &r.violation {
        let _ = writeln!(out, "violation {v}");
    }
    out.push_str("figures\n");
    for (name, value) in &r.figures {
        let _ = writeln!(out, "  {name} = {value}");
    }
    out.push_str("checks\n");
    for c in &r.checks {
        let measured = c
            .measured
            .map_or(String::new(), |m| format!(" (measured {m})"));
        let _ = writeln!(out, "  {}: {}{measured}", c.name, c.verdict.word());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::named;

    #[test]
    fn node_fields_take_their_names_and_other_fields_stay() {
        let names = ["client-1", "server-1"];
        assert_eq!(
            named("request id=3 to=n1 from=n0 x=n7 y=n1a", &names),
            "request id=3 to=server-1 from=client-1 x=n7 y=n1a"
        );
        assert_eq!(named("crash n1", &names), "crash server-1");
        assert_eq!(
            named("partition [n0, n1] name=nx", &names),
            "partition [client-1, server-1] name=nx"
        );
    }
}
