//! The seams of a composition as written (`store = {...}`, `detector = "..."` on a
//! `[[part]]`): each resolved to the part it names, and refused with what it could
//! connect to when that part is missing, of the wrong family, or the part itself.

use super::schema;
use super::validate::Bad;
use crate::models::composed;
use hasim_sim::SimDuration;
use std::collections::BTreeMap;
use toml::Spanned;

/// The detector models a `detector` seam can name.
const DETECTORS: [&str; 4] = ["heartbeat", "phi_accrual", "swim", "prometheus"];
/// The models a store seam can end at: stores whose clients the seam can drive.
const STORES: [&str; 3] = ["raft", "quorum", "primary_backup"];
/// The role whose parameters a detector part's `params` give.
const DETECTOR_ROLE: &str = "member";

/// A store seam as written: the store part and the seam's settings.
#[derive(Clone, Copy)]
pub(super) struct StoreRef {
    pub(super) part: usize,
    pub(super) timeout: Option<SimDuration>,
    pub(super) keys: Option<u32>,
}

/// A part's seams, resolved to part indices.
pub(super) struct Seams {
    /// Part i's store seam.
    pub(super) store: Vec<Option<StoreRef>>,
    /// Part i's detector part.
    pub(super) detector: Vec<Option<usize>>,
}

/// Resolves the seams and refuses a seam to a missing, incompatible or own part.
pub(super) fn seams(file: &schema::File, names: &BTreeMap<String, usize>) -> Result<Seams, Bad> {
    let n = file.parts.len();
    let mut seams = Seams {
        store: vec![None; n],
        detector: vec![None; n],
    };
    let parts_of = |models: &[&str]| -> String {
        let fit: Vec<String> = file
            .parts
            .iter()
            .map(Spanned::get_ref)
            .filter(|p| models.contains(&p.model.get_ref().as_str()))
            .map(|p| format!("{:?}", p.name.get_ref()))
            .collect();
        if fit.is_empty() {
            "none in this file".into()
        } else {
            fit.join(", ")
        }
    };
    for (i, p) in file.parts.iter().enumerate() {
        let spec = p.get_ref();
        let model = spec.model.get_ref().as_str();
        if let Some(store) = &spec.store {
            let s = store.get_ref();
            let field = format!("part[{i}].store.part");
            if model != "balancing" {
                return Err(Bad::at(store, format!("part[{i}].store"), format!("a {model} part has no store seam; a store seam starts at a balancing part (its backends hold their replies)")));
            }
            let target = s.part.get_ref();
            let Some(&j) = names.get(target) else {
                return Err(Bad::at(
                    &s.part,
                    field,
                    format!(
                        "no part is named {target:?}; a store seam connects to a raft, quorum or primary_backup part: {}",
                        parts_of(&STORES)
                    ),
                ));
            };
            if j == i {
                return Err(Bad::at(
                    &s.part,
                    field,
                    "a part cannot be its own store (a seam cycle); name a raft, quorum or primary_backup part",
                ));
            }
            let to = file.parts[j].get_ref().model.get_ref();
            if !STORES.contains(&to.as_str()) {
                return Err(Bad::at(
                    &s.part,
                    field,
                    format!(
                        "part {target:?} is a {to} part; a store seam connects to a raft, quorum or primary_backup part: {}",
                        parts_of(&STORES)
                    ),
                ));
            }
            if let Some(k) = &s.keys {
                if *k.get_ref() == 0 {
                    return Err(Bad::at(
                        k,
                        format!("part[{i}].store.keys"),
                        "expected at least 1 key",
                    ));
                }
            }
            if let Some(t) = &s.timeout {
                if t.get_ref().is_zero() {
                    return Err(Bad::at(
                        t,
                        format!("part[{i}].store.timeout"),
                        "expected a timeout above zero, such as \"1s\"",
                    ));
                }
            }
            seams.store[i] = Some(StoreRef {
                part: j,
                timeout: s.timeout.as_ref().map(|t| *t.get_ref()),
                keys: s.keys.as_ref().map(|k| *k.get_ref()),
            });
        }
        if let Some(d) = &spec.detector {
            let field = format!("part[{i}].detector");
            let takes = composed::part_roles(model).is_some_and(|roles| {
                roles
                    .iter()
                    .any(|r| r.params.iter().any(|p| p.name == "detector"))
            });
            if !takes {
                return Err(Bad::at(
                    d,
                    field,
                    format!(
                        "a {model} part takes no detector; primary_backup, quorum and isr parts do"
                    ),
                ));
            }
            let Some(&j) = names.get(d.get_ref()) else {
                return Err(Bad::at(
                    d,
                    field,
                    format!(
                        "no part is named {:?}; a detector seam connects to a detector part: {}",
                        d.get_ref(),
                        parts_of(&DETECTORS)
                    ),
                ));
            };
            let to = file.parts[j].get_ref();
            if !DETECTORS.contains(&to.model.get_ref().as_str()) {
                return Err(Bad::at(
                    d,
                    field,
                    format!(
                        "part {:?} is a {} part; a detector seam connects to a detector part: {}",
                        d.get_ref(),
                        to.model.get_ref(),
                        parts_of(&DETECTORS)
                    ),
                ));
            }
            if let Some(r) = &to.roles {
                return Err(Bad::at(r, format!("part[{j}].roles"), format!("part {:?} is the detector of {:?}: it runs on that part's nodes, so it maps no roles of its own", to.name.get_ref(), spec.name.get_ref())));
            }
            seams.detector[i] = Some(j);
        }
    }
    Ok(seams)
}

/// Puts detector part `d`'s parameters into part `i`'s `detector` parameter.
pub(super) fn inject_detector(
    file: &schema::File,
    i: usize,
    d: usize,
    params: &mut BTreeMap<String, toml::Table>,
) -> Result<(), Bad> {
    let spec = file.parts[i].get_ref();
    let model = spec.model.get_ref();
    let role = composed::part_roles(model)
        .and_then(|roles| {
            roles
                .into_iter()
                .find(|r| r.params.iter().any(|p| p.name == "detector"))
        })
        .map(|r| r.role)
        .expect("a part that takes a detector (checked)");
    let det = file.parts[d].get_ref();
    let mut table = det
        .params
        .as_ref()
        .and_then(|p| p.get_ref().get(DETECTOR_ROLE))
        .map(|t| t.get_ref().clone())
        .unwrap_or_default();
    table.insert(
        "kind".into(),
        toml::Value::String(det.model.get_ref().clone()),
    );
    let own = params.entry(role.to_string()).or_default();
    if own.contains_key("detector") {
        let at = spec.detector.as_ref().expect("a detector seam");
        return Err(Bad::at(at, format!("part[{i}].detector"), format!("params.{role}.detector is set too; give the detector either as a part (detector = \"PART\") or as params.{role}.detector, not both")));
    }
    own.insert("detector".into(), toml::Value::Table(table));
    Ok(())
}
