//! `hasim list`: the models with their roles, parameters and defaults, properties
//! and figures; the network and topology kinds; the fault kinds.

use crate::models::{self, Lookup};
use crate::registry::Registry;
use std::fmt::Write;

/// The width of a column that lines up its entries: the longest, at least `min`;
/// an entry longer than `max` overflows rather than widening every row.
fn column(lengths: impl Iterator<Item = usize>, min: usize, max: usize) -> usize {
    lengths.filter(|&l| l <= max).max().unwrap_or(0).max(min)
}

/// `hasim list [MODEL] [--json]`: every model and the scenario vocabulary, or one
/// model; as text or JSON. An unknown model is an error naming the known ones.
pub fn list(registry: &Registry, model: Option<&str>, json: bool) -> Result<String, String> {
    let all = registry.entries();
    let chosen: Vec<&models::ModelEntry> = match model {
        None => all.iter().collect(),
        Some(name) => {
            let m = all.iter().find(|m| m.name == name).ok_or_else(|| {
                let known: Vec<&str> = all.iter().map(|m| m.name).collect();
                format!(
                    "error: no model named {name:?}; expected one of: {}",
                    known.join(", ")
                )
            })?;
            vec![m]
        }
    };
    if json {
        let models: Vec<serde_json::Value> = chosen.iter().map(|m| model_json(m)).collect();
        let text = serde_json::to_string_pretty(&serde_json::json!({ "models": models }))
            .expect("JSON of plain values");
        return Ok(text + "\n");
    }
    let mut out = String::from("MODELS\n");
    for m in &chosen {
        model_text(&mut out, m);
    }
    if model.is_none() {
        vocabulary(&mut out);
    }
    Ok(out)
}

/// One model as JSON: its roles with parameters and defaults, properties, end checks
/// and figures with units.
fn model_json(m: &models::ModelEntry) -> serde_json::Value {
    use serde_json::json;
    let docs = |d: Vec<models::PropertyDoc>| -> Vec<serde_json::Value> {
        d.iter()
            .map(|p| json!({ "name": p.name, "doc": p.doc }))
            .collect()
    };
    json!({
        "name": m.name,
        "summary": m.summary,
        "roles": (m.roles)().iter().map(|r| json!({
            "role": r.role,
            "doc": r.doc,
            "params": r.params.iter().map(|p| json!({
                "name": p.name, "default": p.default, "doc": p.doc,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "properties": docs((m.properties)()),
        "end_checks": docs((m.end_checks)()),
        "figures": (m.figures)().iter().map(|f| json!({
            "name": &*f.name,
            "unit": format!("{:?}", f.unit).to_lowercase(),
            "doc": f.doc,
        })).collect::<Vec<_>>(),
    })
}

/// One model as text.
fn model_text(out: &mut String, m: &models::ModelEntry) {
    {
        let _ = writeln!(out, "\n  {}: {}", m.name, m.summary);
        for r in (m.roles)() {
            let _ = writeln!(out, "    role {}: {}", r.role, r.doc);
            let name = column(r.params.iter().map(|p| p.name.len()), 14, 28);
            let default = column(r.params.iter().map(|p| p.default.len()), 8, 40);
            for p in r.params {
                let _ = writeln!(
                    out,
                    "      {:<name$} = {:<default$} {}",
                    p.name, p.default, p.doc
                );
            }
        }
        let _ = writeln!(out, "    properties (invariant / eventually / sometimes):");
        let properties = (m.properties)();
        let end = (m.end_checks)();
        let w = column(properties.iter().chain(&end).map(|p| p.name.len()), 20, 32);
        for p in properties {
            let _ = writeln!(out, "      {:<w$} {}", p.name, p.doc);
        }
        if !end.is_empty() {
            let _ = writeln!(out, "    end checks (at_end):");
            for p in end {
                let _ = writeln!(out, "      {:<w$} {}", p.name, p.doc);
            }
        }
        let _ = writeln!(out, "    figures:");
        let figures = (m.figures)();
        let w = column(figures.iter().map(|f| f.name.len()), 20, 36);
        for f in figures {
            let _ = writeln!(out, "      {:<w$} {}", f.name, f.doc);
        }
    }
}

/// What every scenario can say beyond its model: networks, topologies, latency
/// distributions, fault kinds and generators.
fn vocabulary(out: &mut String) {
    out.push_str(
        "\nPARAMETERS\n  [[group]] params = {...}: a group's own; [params.ROLE]: every group of the role\n    (a group's keys win, key by key); where a role's groups share one set, write it once\n\nNETWORKS\n  uniform (default): [network] latency and loss between every pair\n  zones: [network] zones with [[network.zone]] and [[network.between]] overrides\n  [topology] kind = ...: a graph of links; latency and loss come from its links\n    ([network] keeps only duplicate); groups place nodes with zone = \"spread\",\n    \"a\", \"region:eu\" or rack = \"a/r1\"\n\nTOPOLOGIES ([topology] kind = ...)\n",
    );
    for kind in hasim_topologies::catalog::KINDS {
        let _ = writeln!(out, "\n  {}: {}", kind.name, kind.summary);
        for p in kind.parameters {
            let _ = writeln!(
                out,
                "      {:<20} = {:<40} {}",
                p.name, p.default, p.meaning
            );
        }
    }
    out.push_str("\nLATENCY DISTRIBUTIONS\n  constant {value}, uniform {min, max}, exponential {mean}, normal {mean, sd},\n  lognormal {median, sigma}, pareto {scale, shape}, weibull {scale, shape}\n");
    out.push_str(
        "\nFAULT KINDS ([[fault]] kind = ...)\n  crash (restart_after), restart, pause (lasts), resume, partition (lasts), heal,\n  isolate (lasts), rejoin, cut (source, lasts), uncut, link_down (source, lasts), link_up,\n  loss_spike (loss, lasts), latency_spike (extra, lasts), spike_end, clock_jump (by),\n  clock_drift (ppm, lasts), disk_fault (lose_unsynced, write_delay, lasts), disk_heal\n  partition: target (one side, the rest the other) or shape = regions | zones | racks (each its own side)\n  link_down / link_up from a node to itself: its access links, on a [topology] with switches\n  targets: a node name, role:R, region:R, zone:Z, rack:K, all, random, minority (among = selector)\n\nGENERATORS\n  [faults.random]: crash {mtbf, mttr}, pause / partition {every, lasts, shape},\n    loss_spike {every, lasts, loss}, latency_spike {every, lasts, extra}, clock_jump {every, max},\n    isolate / cut / link_down {every, lasts}, clock_drift {every, lasts, max_ppm},\n    disk_fault {every, lasts, lose_unsynced, write_delay}; partition shape also regions | zones | racks\n  [faults.swarm]: kinds, every = [min, max], lasts = [min, max]; the mix is drawn per seed\n    (opt-in kinds: isolate, cut, link_down, clock_drift, disk_fault, zone_partition)\n",
    );
}
