//! Compositions (`[[part]]`): the glue is transparent.
//!
//! - Every family's bundled scenarios, rewritten as a composition of one part over all
//!   nodes (groups keep their names, the part maps each role to itself, checks and
//!   figures take the part's prefix), run with the very trace hash, event count,
//!   figures and check verdicts of the model alone. A wrong node mapping, a lost
//!   message, a timer or observation handed to the wrong part, or a projection that
//!   misreads a view changes the hash or a figure.

use crate::support::run;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const PART: &str = "solo";
/// Figures and properties every run has, which keep their names in a composition.
const GENERIC_FIGURES: [&str; 5] = [
    "events",
    "messages_dropped",
    "faults",
    "uptime_mean",
    "uptime_min",
];
const GENERIC_PROPERTIES: [&str; 2] = ["all_up", "majority_up"];

fn prefixed(name: &str) -> String {
    format!("{PART}.{name}")
}

fn generic_figure(name: &str) -> bool {
    GENERIC_FIGURES.contains(&name) || name.starts_with("uptime.")
}

/// The scenario `text` as a composition of one part: `[params.ROLE]` become the
/// part's role tables, a group's own params its table for the part.
fn as_one_part(text: &str) -> String {
    let mut file: toml::Table = toml::from_str(text).unwrap();
    let role_tables = file.remove("params");
    let groups = file.get_mut("group").unwrap().as_array_mut().unwrap();
    let mut model = None;
    let mut params: BTreeMap<String, toml::Table> = BTreeMap::new();
    for g in groups.iter_mut() {
        let g = g.as_table_mut().unwrap();
        model = g.remove("protocol");
        let role = g["role"].as_str().unwrap().to_string();
        let table = role_tables
            .as_ref()
            .and_then(|t| t.get(&role))
            .and_then(|t| t.as_table())
            .cloned()
            .unwrap_or_default();
        if let Some(own) = g.remove("params") {
            let mut mine = toml::Table::new();
            mine.insert(PART.into(), own);
            g.insert("params".into(), mine.into());
        }
        params.insert(role, table);
    }
    let roles: toml::Table = params
        .keys()
        .map(|r| (r.clone(), toml::Value::String(r.clone())))
        .collect();
    let mut part = toml::Table::new();
    part.insert("name".into(), PART.into());
    part.insert("model".into(), model.unwrap());
    part.insert("roles".into(), roles.into());
    part.insert(
        "params".into(),
        params
            .into_iter()
            .map(|(r, t)| (r, toml::Value::Table(t)))
            .collect::<toml::Table>()
            .into(),
    );
    file.insert("part".into(), vec![toml::Value::Table(part)].into());
    file.remove("gallery");
    if let Some(checks) = file.get_mut("check").and_then(|c| c.as_array_mut()) {
        for c in checks {
            let c = c.as_table_mut().unwrap();
            for key in ["invariant", "eventually", "sometimes", "at_end"] {
                if let Some(toml::Value::String(name)) = c.get_mut(key) {
                    if !GENERIC_PROPERTIES.contains(&name.as_str()) {
                        *name = prefixed(name);
                    }
                }
            }
            let objectives: Vec<String> = c
                .keys()
                .filter(|k| {
                    !["invariant", "eventually", "sometimes", "at_end", "within"]
                        .contains(&k.as_str())
                })
                .filter(|k| !generic_figure(k))
                .cloned()
                .collect();
            for k in objectives {
                let v = c.remove(&k).unwrap();
                c.insert(prefixed(&k), v);
            }
        }
    }
    toml::to_string(&file).unwrap()
}

#[test]
fn a_composition_of_one_part_runs_exactly_as_its_model_alone() {
    let models = hasim::Registry::builtin();
    let mut families: BTreeSet<String> = BTreeSet::new();
    let mut per_family: BTreeMap<String, u32> = BTreeMap::new();
    let mut dir: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dir.sort();
    for path in dir {
        let text = std::fs::read_to_string(&path).unwrap();
        let alone = models.parse(&text, &path).unwrap();
        if alone.composition.is_some()
            || ["checkout", "data_platform"].contains(&alone.model.as_str())
        {
            continue;
        }
        // Two scenarios per family keep the test quick and still cover every family.
        let seen = per_family.entry(alone.model.clone()).or_default();
        if *seen == 2 {
            continue;
        }
        let composed_text = as_one_part(&text);
        *seen += 1;
        let composed = models
            .parse(&composed_text, Path::new("one_part.toml"))
            .unwrap_or_else(|e| {
                panic!(
                    "{}: the one-part composition is refused: {e}\n{composed_text}",
                    path.display()
                )
            });
        let seed = alone.seed;
        let (a, c) = (run(&alone, seed), run(&composed, seed));
        let what = format!("{} as one part", path.display());
        assert_eq!(
            (a.events, &a.trace_hash, &a.outcome),
            (c.events, &c.trace_hash, &c.outcome),
            "{what}"
        );
        for (name, value) in &a.figures {
            let key = if generic_figure(name) {
                name.clone()
            } else {
                prefixed(name)
            };
            let got = c
                .figures
                .get(&key)
                .unwrap_or_else(|| panic!("{what}: no figure {key}"));
            assert!(
                hasim::run_result::same_value(*value, *got),
                "{what}: {name} {value} but {key} {got}"
            );
        }
        let verdicts = |r: &hasim::runner::RunResult| -> Vec<bool> {
            r.checks.iter().map(|c| c.passed).collect()
        };
        assert_eq!(verdicts(&a), verdicts(&c), "{what}: check verdicts");
        assert_eq!(
            a.violation.is_some(),
            c.violation.is_some(),
            "{what}: violation"
        );
        families.insert(alone.model.clone());
    }
    let composable: BTreeSet<String> = hasim::models::composed::composable()
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(
        families, composable,
        "every family a part can be has a bundled scenario here"
    );
}

#[test]
fn compare_weighs_compositions_that_differ_in_their_store() {
    // The quorum checkout, and the same front end on a Raft and on a primary-backup
    // store of the same replicas.
    let quorum =
        std::fs::read_to_string("scenarios/compose_checkout_quorum_zone_outage.toml").unwrap();
    let raft = quorum.replace(
        "model = \"quorum\"\nroles = { replica = \"replica\" }\nparams.replica = { n = 3, r = 2, w = 2, versioning = \"vector\", read_repair = true, hinted_handoff = true, request_timeout = \"200ms\" }",
        "model = \"raft\"\nroles = { replica = \"replica\" }\nparams.replica = { election_timeout_min = \"150ms\", election_timeout_max = \"300ms\", heartbeat = \"50ms\" }",
    );
    let pb = quorum.replace(
        "model = \"quorum\"\nroles = { replica = \"replica\" }\nparams.replica = { n = 3, r = 2, w = 2, versioning = \"vector\", read_repair = true, hinted_handoff = true, request_timeout = \"200ms\" }",
        "model = \"primary_backup\"\nroles = { replica = \"replica\" }\nparams.replica = { mode = \"sync\", acks = 1 }",
    );
    assert!(
        raft != quorum && pb != quorum,
        "the store part was replaced"
    );
    let dir = crate::support::temp_dir("compare_compositions");
    let (q, r, b) = (
        dir.join("quorum.toml"),
        dir.join("raft.toml"),
        dir.join("pb.toml"),
    );
    std::fs::write(&q, &quorum).unwrap();
    std::fs::write(&r, &raft).unwrap();
    std::fs::write(&b, &pb).unwrap();
    let out = crate::support::hasim(&[
        "compare",
        q.to_str().unwrap(),
        r.to_str().unwrap(),
        b.to_str().unwrap(),
        "--seeds",
        "1..=2",
        "--json",
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["figures"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|f| f["name"] == name);
    // The front end's figures are paired across the two stores, both measured.
    let success = row("front.success_rate").expect("front.success_rate compared");
    assert!(success["designs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| !d.is_null()));
    // A figure only one store reports is shown for that design alone.
    let elections = row("orders.elections").expect("orders.elections shown");
    let d = elections["designs"].as_array().unwrap();
    assert!(
        d[0].is_null() && !d[1].is_null() && d[2].is_null(),
        "{elections}"
    );
    let overlaps = row("orders.two_primary_overlaps").expect("a primary-backup figure shown");
    let d = overlaps["designs"].as_array().unwrap();
    assert!(
        d[0].is_null() && d[1].is_null() && !d[2].is_null(),
        "{overlaps}"
    );
    // Per-node figures are left out by default, as for a single model.
    assert!(row("front.utilisation.backend-1").is_none());
}
