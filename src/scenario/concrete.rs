//! `[[schedule]]`: a concrete fault schedule written in the engine's own vocabulary
//! (`hasim_sim::Fault`: `kind`, `node`, `groups`, `source`, ...) with node *names*
//! where the engine has ids. It is what `hasim shrink` writes, so that a shrunk run is
//! a scenario file like any other; users may write it by hand too. Unlike `[[fault]]`
//! it has no selectors and no `lasts`: every entry is one instantaneous change.

use super::selector::NodeLabels;
use super::validate::Bad;
use hasim_sim::{Fault, ScheduledFault, SimDuration, SimTime};
use serde::Deserialize;
use toml::{Spanned, Value};

/// The keys of `Fault` that hold one node id, and those that hold lists of them.
const NODE_KEYS: [&str; 5] = ["node", "source", "target", "a", "b"];
const LIST_KEYS: [&str; 1] = ["nodes"];
const GROUPS_KEY: &str = "groups";

/// Reads every `[[schedule]]` entry: names become ids, then the engine checks the fault.
pub(super) fn entries(
    specs: &[Spanned<toml::Table>],
    nodes: &[NodeLabels],
    duration: SimDuration,
) -> Result<Vec<ScheduledFault>, Bad> {
    let horizon = SimTime::ZERO.saturating_add(duration);
    let mut out = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let field = |k: &str| format!("schedule[{i}].{k}");
        let mut table = spec.get_ref().clone();
        let at = match table.remove("at") {
            Some(Value::String(s)) => SimTime::deserialize(Value::String(s))
                .map_err(|e| Bad::at(spec, field("at"), e.message().to_string()))?,
            Some(other) => {
                return Err(Bad::at(
                    spec,
                    field("at"),
                    format!(
                        "expected a time such as \"12.5s\", found {}",
                        other.type_str()
                    ),
                ))
            }
            None => return Err(Bad::at(spec, field("at"), "every entry needs `at`")),
        };
        if at >= horizon {
            return Err(Bad::at(
                spec,
                field("at"),
                format!("the fault is at or after the end of the run ({duration})"),
            ));
        }
        number(&mut table, nodes).map_err(|(k, m)| Bad::at(spec, field(&k), m))?;
        let fault = Fault::deserialize(Value::Table(table))
            .map_err(|e| Bad::at(spec, format!("schedule[{i}]"), e.message().to_string()))?;
        fault
            .validate(nodes.len() as u32)
            .map_err(|m| Bad::at(spec, format!("schedule[{i}]"), m.to_string()))?;
        out.push(ScheduledFault { at, fault });
    }
    Ok(out)
}

/// Replaces node names by ids in a fault's table. The error names the key.
fn number(table: &mut toml::Table, nodes: &[NodeLabels]) -> Result<(), (String, String)> {
    let id = |key: &str, v: &Value| -> Result<Value, (String, String)> {
        let Value::String(name) = v else {
            return Err((
                key.to_string(),
                format!("expected a node name, found {}", v.type_str()),
            ));
        };
        match nodes.iter().position(|n| &n.name == name) {
            Some(i) => Ok(Value::Integer(i as i64)),
            None => Err((key.to_string(), format!("no node is named {name:?}"))),
        }
    };
    let list = |key: &str, v: &Value| -> Result<Value, (String, String)> {
        let Value::Array(items) = v else {
            return Err((
                key.to_string(),
                format!("expected a list of node names, found {}", v.type_str()),
            ));
        };
        items
            .iter()
            .map(|x| id(key, x))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array)
    };
    for (key, value) in table.iter_mut() {
        let k = key.as_str();
        if NODE_KEYS.contains(&k) {
            *value = id(k, value)?;
        } else if LIST_KEYS.contains(&k) {
            *value = list(k, value)?;
        } else if k == GROUPS_KEY {
            let Value::Array(groups) = value else {
                return Err((
                    k.to_string(),
                    "expected a list of lists of node names".to_string(),
                ));
            };
            for g in groups.iter_mut() {
                *g = list(k, g)?;
            }
        }
    }
    Ok(())
}

/// Writes one fault as a `[[schedule]]` entry's table: the engine's fields with node
/// names. The inverse of what [`entries`] reads.
pub fn named(fault: &ScheduledFault, nodes: &[NodeLabels]) -> toml::Table {
    let name = |v: &Value| -> Value {
        match v {
            Value::Integer(i) => nodes
                .get(*i as usize)
                .map_or(v.clone(), |n| Value::String(n.name.clone())),
            other => other.clone(),
        }
    };
    let mut table = toml::Table::new();
    table.insert("at".into(), Value::String(fault.at.to_string()));
    // Serialising the engine's own enum cannot fail; an empty table would be rejected
    // on reading, loudly, rather than silently dropping a fault.
    let Ok(Value::Table(fields)) = Value::try_from(&fault.fault) else {
        return table;
    };
    for (key, value) in fields {
        let k = key.as_str();
        let value = if NODE_KEYS.contains(&k) {
            name(&value)
        } else if LIST_KEYS.contains(&k) {
            match value {
                Value::Array(items) => Value::Array(items.iter().map(name).collect()),
                other => other,
            }
        } else if k == GROUPS_KEY {
            match value {
                Value::Array(groups) => Value::Array(
                    groups
                        .into_iter()
                        .map(|g| match g {
                            Value::Array(items) => Value::Array(items.iter().map(name).collect()),
                            other => other,
                        })
                        .collect(),
                ),
                other => other,
            }
        } else {
            value
        };
        table.insert(key, value);
    }
    table
}
