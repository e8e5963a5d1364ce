//! The shrunk run as a scenario file: the original scenario with its fault sections
//! (`[[fault]]`, `[faults.*]`, `[[schedule]]`) replaced by the minimal concrete
//! `[[schedule]]`, its duration cut and its seed set, so that `hasim run` and
//! `hasim replay` take it as it is.

use crate::scenario::{concrete, Scenario};
use hasim_sim::{ScheduledFault, SimDuration};
use toml::Value;

/// The text of the shrunk scenario. `original` is the scenario file's text; `header`
/// lines become comments at the top.
pub fn scenario_text(
    scenario: &Scenario,
    original: &str,
    seed: u64,
    schedule: &[ScheduledFault],
    duration: SimDuration,
    header: &[String],
) -> Result<String, String> {
    let mut table: toml::Table = original.parse().map_err(|e: toml::de::Error| {
        format!(
            "cannot re-read {}: {}",
            scenario.path.display(),
            e.message()
        )
    })?;
    table.remove("fault");
    table.remove("faults");
    table.remove("schedule");
    if let Some(Value::Table(h)) = table.get_mut("scenario") {
        h.insert("duration".into(), Value::String(duration.to_string()));
        h.insert("seed".into(), Value::Integer(seed as i64));
    }
    let entries: Vec<Value> = schedule
        .iter()
        .map(|f| Value::Table(concrete::named(f, &scenario.nodes)))
        .collect();
    if !entries.is_empty() {
        table.insert("schedule".into(), Value::Array(entries));
    }
    // A scenario reads top-down: header, network, groups, faults, checks. TOML tables
    // are sorted by key, so write the sections one by one in that order.
    let mut body = String::new();
    let order = [
        "scenario", "network", "topology", "group", "schedule", "check",
    ];
    let rest: Vec<String> = table
        .keys()
        .filter(|k| !order.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in order.iter().map(|k| k.to_string()).chain(rest) {
        if let Some(v) = table.remove(&key) {
            let mut one = toml::Table::new();
            one.insert(key, v);
            let text = toml::to_string(&one).map_err(|e| format!("cannot write TOML: {e}"))?;
            body.push_str(&text);
            body.push('\n');
        }
    }
    let mut out = String::new();
    for line in header {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&body);
    Ok(out)
}
