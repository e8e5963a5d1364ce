//! One seed of a sweep, run once — or, under `--check-determinism`, twice and
//! compared. A divergence is a failing seed whose reason names the first diverging
//! trace record, and the sweep goes on so that every nondeterministic seed is listed.
//!
//! Results are compared as their JSON text rather than with `==`: a figure may be NaN
//! (undefined on that seed), and NaN ≠ NaN would make every such seed "diverge".

use super::aggregate::{NONDETERMINISTIC, PANICKED};
use super::catch::catch;
use super::SeedRunner;
use crate::runner::RunResult;

/// One run of `seed`, panics caught: `Ok(Ok(result))`, `Ok(Err(panic message))`, or
/// `Err` when the run could not be carried out (bad input, stops the sweep).
fn once(runner: &impl SeedRunner, seed: u64) -> Result<Result<RunResult, String>, String> {
    match catch(|| runner.run(seed)) {
        Ok(Ok(result)) => Ok(Ok(result)),
        Ok(Err(error)) => Err(error),
        Err(panic) => Ok(Err(panic)),
    }
}

/// The result recorded for a run that panicked.
fn panicked(runner: &impl SeedRunner, seed: u64, message: &str) -> RunResult {
    RunResult {
        outcome: PANICKED.to_string(),
        violation: Some(format!("the model panicked: {message}")),
        ..runner.blank(seed)
    }
}

/// The result of `seed` for the sweep, checked for determinism if asked.
pub fn seed_result(
    runner: &impl SeedRunner,
    seed: u64,
    check_determinism: bool,
) -> Result<RunResult, String> {
    let first = once(runner, seed)?;
    if !check_determinism {
        return Ok(first.unwrap_or_else(|message| panicked(runner, seed, &message)));
    }
    let second = once(runner, seed)?;
    let differences = differences(&first, &second);
    let mut result = first.unwrap_or_else(|message| panicked(runner, seed, &message));
    if differences.is_empty() {
        return Ok(result);
    }
    let location = runner.locate_divergence(seed).unwrap_or_else(|| {
        "the trace records agreed when the seed was run again: the difference is \
         outside the trace (in figures or checks) or comes and goes"
            .to_string()
    });
    result.outcome = NONDETERMINISTIC.to_string();
    result.violation = Some(format!(
        "two runs of the seed differ in {}; {location}",
        differences.join(", ")
    ));
    Ok(result)
}

/// The top-level fields in which two outcomes of one seed differ (empty: identical).
fn differences(a: &Result<RunResult, String>, b: &Result<RunResult, String>) -> Vec<String> {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (fields(a), fields(b));
            a.iter()
                .filter(|(key, value)| b.get(*key) != Some(value))
                .map(|(key, _)| key.clone())
                .collect()
        }
        (Err(a), Err(b)) if a == b => Vec::new(),
        (Err(_), Err(_)) => vec!["the panic message".to_string()],
        (Ok(_), Err(_)) => vec!["whether it panics (the second run did)".to_string()],
        (Err(_), Ok(_)) => vec!["whether it panics (the first run did)".to_string()],
    }
}

fn fields(r: &RunResult) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(r) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}
