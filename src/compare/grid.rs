//! `--set path.to.param=v1,v2,v3`: a parameter grid over one scenario. Each setting
//! edits the scenario's TOML at a dotted path (array elements by index:
//! `group.0.params.timeout`), and every combination of the settings' values is one
//! design. Values are read as TOML (`0.5`, `true`, `"x"`) or else taken as strings
//! (`250ms`).

use std::fmt;
use toml::Value;

/// One `--set`: a path and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The dotted path as written.
    pub path: String,
    /// Its segments.
    segments: Vec<String>,
    /// The values, as written and as TOML.
    pub values: Vec<(String, Value)>,
}

impl std::str::FromStr for Setting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, values) = s
            .split_once('=')
            .ok_or_else(|| format!("expected path.to.param=v1,v2 in {s:?}"))?;
        let path = path.trim();
        let segments: Vec<String> = path.split('.').map(|p| p.trim().to_string()).collect();
        if segments.iter().any(String::is_empty) {
            return Err(format!("{path:?}: an empty segment in the path"));
        }
        let values: Vec<(String, Value)> = values
            .split(',')
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| (v.to_string(), parse_value(v)))
            .collect();
        if values.is_empty() {
            return Err(format!("{path:?}: no values after '='"));
        }
        Ok(Setting {
            path: path.to_string(),
            segments,
            values,
        })
    }
}

fn parse_value(text: &str) -> Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(text.to_string()))
}

/// One point of the grid: a value for each setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Point(pub Vec<(String, String, Value)>);

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(path, written, _)| {
                let key = path.rsplit('.').next().unwrap_or(path);
                format!("{key}={written}")
            })
            .collect();
        write!(f, "{}", parts.join(" "))
    }
}

/// Every combination of the settings' values, the first setting varying slowest.
pub fn points(settings: &[Setting]) -> Vec<Point> {
    let mut out = vec![Point(Vec::new())];
    for s in settings {
        let mut next = Vec::new();
        for p in &out {
            for (written, value) in &s.values {
                let mut q = p.clone();
                q.0.push((s.path.clone(), written.clone(), value.clone()));
                next.push(q);
            }
        }
        out = next;
    }
    out
}

/// The scenario text with the point's values set. Missing tables on the way are
/// created; a path through a value that is neither a table nor an array is an error.
pub fn apply(text: &str, point: &Point) -> Result<String, String> {
    let mut root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    for (path, _, value) in &point.0 {
        let segments: Vec<&str> = path.split('.').collect();
        set(&mut root, &segments, value.clone()).map_err(|m| format!("--set {path}: {m}"))?;
    }
    toml::to_string(&root).map_err(|e| e.to_string())
}

fn set(table: &mut toml::Table, path: &[&str], value: Value) -> Result<(), String> {
    let (first, rest) = path.split_first().ok_or("an empty path")?;
    if rest.is_empty() {
        table.insert(first.to_string(), value);
        return Ok(());
    }
    let next = table
        .entry(first.to_string())
        .or_insert_with(|| Value::Table(toml::Table::new()));
    descend(next, first, rest, value)
}

fn descend(node: &mut Value, name: &str, rest: &[&str], value: Value) -> Result<(), String> {
    match node {
        Value::Table(t) => set(t, rest, value),
        Value::Array(items) => {
            let (index, more) = rest.split_first().ok_or("an empty path")?;
            let i: usize = index
                .parse()
                .map_err(|_| format!("{name} is a list: expected an index, found {index:?}"))?;
            let len = items.len();
            let item = items
                .get_mut(i)
                .ok_or_else(|| format!("{name} has {len} elements; there is no {name}.{i}"))?;
            if more.is_empty() {
                *item = value;
                Ok(())
            } else {
                descend(item, index, more, value)
            }
        }
        other => Err(format!(
            "{name} is a {}, not a table: cannot set a field inside it",
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_nested_fields_through_arrays_and_creates_missing_tables() {
        let text = "[scenario]\nname = \"x\"\n[[group]]\nrole = \"a\"\n[[group]]\nrole = \"b\"\n";
        let s: Setting = "group.1.params.timeout=100ms,0.5".parse().unwrap();
        let t: Setting = "scenario.seed=3".parse().unwrap();
        let grid = points(&[s, t]);
        assert_eq!(grid.len(), 2);
        assert_eq!(grid[0].to_string(), "timeout=100ms seed=3");
        let out: toml::Table = apply(text, &grid[1]).unwrap().parse().unwrap();
        assert_eq!(out["group"][1]["params"]["timeout"].as_float(), Some(0.5));
        assert_eq!(out["scenario"]["seed"].as_integer(), Some(3));
        assert_eq!(out["group"][0].get("params"), None);
        let bad: Setting = "group.7.role=x".parse().unwrap();
        let e = apply(text, &points(&[bad])[0]).unwrap_err();
        assert!(e.contains("no group.7"), "{e}");
        assert!("nothing".parse::<Setting>().is_err());
        assert!("a..b=1".parse::<Setting>().is_err());
    }
}
