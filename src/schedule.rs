//! The schedule file: a concrete fault schedule as TOML, printed by `hasim replay` and
//! accepted back by `hasim replay --schedule FILE` after editing. Each `[[fault]]` has
//! `at` and the fields of `hasim_sim::Fault` (`kind`, `node`, `groups`, ...), with
//! nodes as numeric ids; comments name the nodes.

use crate::scenario::{Location, Scenario, ScenarioError};
use hasim_sim::{Fault, ScheduledFault, SimTime};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct Entry {
    at: SimTime,
    #[serde(flatten)]
    fault: Fault,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    fault: Vec<Entry>,
}

/// Prints a schedule as a schedule file, with a header naming the run.
pub fn to_toml(scenario: &Scenario, seed: u64, schedule: &[ScheduledFault]) -> String {
    let mut out = format!(
        "# hasim schedule: scenario {} (hash {}), seed {seed}, hasim {}\n# Edit and replay with: hasim replay {} --seed {seed} --schedule FILE\n",
        scenario.name,
        scenario.hash,
        crate::runner::VERSION,
        scenario.path.display()
    );
    let names: Vec<String> = (0..scenario.nodes.len())
        .map(|i| format!("n{i}={}", scenario.nodes[i].name))
        .collect();
    out.push_str(&format!("# nodes: {}\n", names.join(" ")));
    for f in schedule {
        let entry = File {
            fault: vec![Entry {
                at: f.at,
                fault: f.fault.clone(),
            }],
        };
        out.push('\n');
        out.push_str(&format!("# {f}\n", f = f.fault));
        // Serialising our own types cannot fail; fall back to a comment if it ever does.
        match toml::to_string(&entry) {
            Ok(text) => out.push_str(&text),
            Err(e) => out.push_str(&format!("# (could not print: {e})\n")),
        }
    }
    out
}

/// Reads a schedule file, validating node ids against the scenario.
pub fn load(path: &Path, scenario: &Scenario) -> Result<Vec<ScheduledFault>, ScenarioError> {
    let text = crate::scenario::input::read_bounded(path).map_err(|message| ScenarioError::Io {
        file: path.to_path_buf(),
        message,
    })?;
    let file: File = toml::from_str(&text).map_err(|e| {
        let at = Location::of(path, &text, e.span());
        ScenarioError::Syntax {
            field: at.key_on_line(),
            at,
            message: e.message().trim().to_string(),
        }
    })?;
    let nodes = scenario.nodes.len() as u32;
    let mut out = Vec::new();
    for (i, e) in file.fault.into_iter().enumerate() {
        if let Err(message) = e.fault.validate(nodes) {
            return Err(ScenarioError::Invalid {
                at: Location::of(path, &text, None),
                field: format!("fault[{i}]"),
                message: message.to_string(),
            });
        }
        out.push(ScheduledFault {
            at: e.at,
            fault: e.fault,
        });
    }
    hasim_sim::fault::sort_schedule(&mut out);
    Ok(out)
}
