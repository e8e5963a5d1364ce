//! `[[part]]`: a system composed in the scenario file. Each part is one family's model
//! on the groups that play its roles, with its parameters per role (`[part.params.ROLE]`,
//! under which a group's own `params = { PART = { ... } }` is laid key by key, as a
//! group's params over `[params.ROLE]` when a model runs alone); seams wire parts
//! together. This resolves the tables into a [`Composed`] the engine can run, or a
//! located error naming the part and what it can connect to.
//!
//! Seams: `store = { part = "P", timeout = "1s", keys = 64 }` on a balancing part (its
//! backends' replies wait for the Raft, quorum or primary-backup part P; P's clients on those backends are
//! driven by the seam, so P maps only its replicas), and `detector = "D"` on a part
//! that takes a `detector` parameter (primary-backup, quorum, ISR): detector part D
//! (a heartbeat, phi_accrual, swim or prometheus part with no roles of its own) is
//! the failure detector it runs, with D's `member` parameters.

use super::schema::{self, PartSpec};
use super::seams::{inject_detector, seams, StoreRef};
use super::validate::Bad;
use super::Group;
use crate::models::{composed, GroupParams};
use hasim_protocols::compose::{Composed, Kind, Part, StoreSeam};
use hasim_sim::{SimDuration, Span};
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// A part's groups: (model role, nodes, the group's index), in node order.
type PartGroups = Vec<(String, std::ops::Range<u32>, usize)>;

/// Resolves the parts of `file` over `groups` (`nodes` nodes in all).
pub(super) fn resolve(file: &schema::File, groups: &[Group], nodes: u32) -> Result<Composed, Bad> {
    let specs: Vec<&PartSpec> = file.parts.iter().map(Spanned::get_ref).collect();
    let names = names(file)?;
    let seams = seams(file, &names)?;
    group_tables(file, &names)?;
    let group_roles: BTreeSet<&str> = groups.iter().map(|g| g.role.as_str()).collect();
    let mut parts = Vec::new();
    let mut stores = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        if seams.detector.contains(&Some(i)) {
            // A detector run by its consumers: no part of its own.
            continue;
        }
        let mut roles = mapped_roles(i, spec, &group_roles)?;
        // A store part's clients are the front's backends, driven by the seam.
        let fronts: Vec<usize> = (0..specs.len())
            .filter(|&f| seams.store[f].is_some_and(|s| s.part == i))
            .collect();
        for &f in &fronts {
            let backend = specs[f]
                .roles
                .as_ref()
                .and_then(|r| r.get_ref().get("backend"))
                .map(|g| g.get_ref().clone());
            let Some(backend) = backend else {
                return Err(Bad::at(&file.parts[f], format!("part[{f}].roles"), "a part with a store seam maps its backend role to the groups that store (roles = { backend = \"app\", ... })"));
            };
            if roles.iter().any(|(r, _)| r == "client") {
                return Err(Bad::at(&file.parts[i], format!("part[{i}].roles.client"), format!("part {:?} is the store of {:?}, whose backends are its clients: remove its client role", spec.name.get_ref(), specs[f].name.get_ref())));
            }
            roles.push(("client".to_string(), backend));
        }
        let mut params = role_tables(i, spec)?;
        if let Some(d) = seams.detector[i] {
            inject_detector(file, i, d, &mut params)?;
        }
        let (span, part_groups) = span_of(file, i, &roles, groups)?;
        // A group's own table for this part is laid over the part's role table, key
        // by key, as a group's params over [params.ROLE] when a model runs alone.
        let name = spec.name.get_ref().as_str();
        let tables: Vec<toml::Table> = part_groups
            .iter()
            .map(|(role, _, k)| {
                let mut t = params.get(role.as_str()).cloned().unwrap_or_default();
                if let Some(toml::Value::Table(own)) = groups[*k].params.get(name) {
                    t.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                t
            })
            .collect();
        let gp: Vec<GroupParams<'_>> = part_groups
            .iter()
            .zip(&tables)
            .map(|((role, nodes, _), t)| GroupParams {
                role,
                nodes: nodes.start - span.base..nodes.end - span.base,
                params: t,
            })
            .collect();
        let model = spec.model.get_ref();
        let built = composed::build_part(model, span.nodes, &gp).expect("a composable model");
        let mut kind = built.map_err(|e| {
            let Some((role, _, k)) = part_groups.get(e.group) else {
                return Bad::at(&file.parts[i], format!("part[{i}]"), e.message.clone());
            };
            let own = file.groups[*k]
                .params
                .as_ref()
                .filter(|p| p.get_ref().contains_key(name));
            match (
                own,
                spec.params.as_ref().and_then(|p| p.get_ref().get(role)),
            ) {
                _ if e.role => Bad::at(&file.parts[i], format!("part[{i}].roles"), e.message),
                (Some(p), _) => Bad::at(p, format!("group[{k}].params.{name}"), e.message),
                (None, Some(t)) => Bad::at(t, format!("part[{i}].params.{role}"), e.message),
                (None, None) => Bad::at(&file.parts[i], format!("part[{i}]"), e.message),
            }
        })?;
        for &f in &fronts {
            let timeout = seams.store[f].expect("a front").timeout;
            let apps = groups_of(specs[f], "backend", groups);
            let timeout = timeout.unwrap_or(SimDuration::from_secs(1));
            let local = apps.start - span.base..apps.end - span.base;
            let driven = match &mut kind {
                Kind::Raft(raft) => raft.drive(local, timeout),
                Kind::Quorum(quorum) => quorum.drive(local, timeout),
                Kind::PrimaryBackup(pb) => pb.drive(local, timeout),
                _ => unreachable!("a store seam ends at a store part (checked)"),
            };
            driven
                .map_err(|e| Bad::at(&file.parts[f], format!("part[{f}].store"), e.to_string()))?;
        }
        parts.push((
            i,
            Part {
                name: spec.name.get_ref().clone(),
                span,
                kind,
            },
        ));
    }
    // Part indices in the system skip detector parts: map the file's to the system's.
    let index: BTreeMap<usize, u8> = parts
        .iter()
        .enumerate()
        .map(|(k, (i, _))| (*i, k as u8))
        .collect();
    for (f, s) in seams.store.iter().enumerate() {
        let Some(StoreRef {
            part: store, keys, ..
        }) = s
        else {
            continue;
        };
        let front = &parts[usize::from(index[&f])].1;
        let apps = StoreSeam::apps_of(front).expect("a balancing front (checked)");
        stores.push(StoreSeam {
            front: index[&f],
            store: index[store],
            apps,
            keys: keys.unwrap_or(64),
        });
    }
    let parts: Vec<Part> = parts.into_iter().map(|(_, p)| p).collect();
    Composed::new(nodes, parts, stores).map_err(|e| Bad {
        span: None,
        field: "part".into(),
        message: e.to_string(),
    })
}

/// Checks every part's name and model; the index of each name.
fn names(file: &schema::File) -> Result<BTreeMap<String, usize>, Bad> {
    let mut names = BTreeMap::new();
    for (i, p) in file.parts.iter().enumerate() {
        let spec = p.get_ref();
        let name = spec.name.get_ref();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(Bad::at(&spec.name, format!("part[{i}].name"), "expected a part name of lowercase letters, digits and _ (it prefixes the part's figures: NAME.availability)"));
        }
        if names.insert(name.clone(), i).is_some() {
            return Err(Bad::at(
                &spec.name,
                format!("part[{i}].name"),
                format!("two parts are named {name:?}; each part needs its own name"),
            ));
        }
        let model = spec.model.get_ref();
        if !composed::composable().contains(&model.as_str()) {
            return Err(Bad::at(
                &spec.model,
                format!("part[{i}].model"),
                format!(
                    "unknown part model {model:?}; a part is one of: {}",
                    composed::composable().join(", ")
                ),
            ));
        }
    }
    Ok(names)
}

/// Checks the groups' own tables: `params = { PART = { ... } }`, each naming a part
/// that maps the group's role.
fn group_tables(file: &schema::File, names: &BTreeMap<String, usize>) -> Result<(), Bad> {
    for (k, g) in file.groups.iter().enumerate() {
        let Some(params) = &g.params else { continue };
        let role = g.role.get_ref().trim();
        for (part, table) in params.get_ref() {
            let field = format!("group[{k}].params.{part}");
            let Some(&i) = names.get(part) else {
                return Err(Bad::at(params, field, format!(
                    "with [[part]] tables a group's params are per part, params = {{ PART = {{ ... }} }}; no part is named {part:?} (parts: {})",
                    names.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                )));
            };
            let plays = file.parts[i]
                .get_ref()
                .roles
                .as_ref()
                .is_some_and(|r| r.get_ref().values().any(|v| v.get_ref() == role));
            if !plays {
                return Err(Bad::at(params, field, format!("part {part:?} maps no role to the {role:?} groups, so they take no parameters of it")));
            }
            if !table.is_table() {
                return Err(Bad::at(
                    params,
                    field,
                    format!("expected a table of part {part:?}'s parameters for these groups"),
                ));
            }
        }
    }
    Ok(())
}

/// A part's role map: (model role, group role), each checked.
fn mapped_roles(
    i: usize,
    spec: &PartSpec,
    group_roles: &BTreeSet<&str>,
) -> Result<Vec<(String, String)>, Bad> {
    let model = spec.model.get_ref();
    let known: Vec<&'static str> = composed::part_roles(model)
        .map(|roles| roles.iter().map(|r| r.role).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    if let Some(roles) = &spec.roles {
        for (role, group) in roles.get_ref() {
            let field = format!("part[{i}].roles.{role}");
            if !known.contains(&role.as_str()) {
                return Err(Bad::at(
                    group,
                    field,
                    format!(
                        "the {model} model has no role {role:?}; its roles are: {}",
                        known.join(", ")
                    ),
                ));
            }
            let g = group.get_ref().as_str();
            if !group_roles.contains(g) {
                return Err(Bad::at(
                    group,
                    field,
                    format!(
                        "no group has role {g:?}; the groups' roles are: {}",
                        group_roles.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            if let Some(other) = taken.insert(g, role) {
                return Err(Bad::at(group, field, format!("the {g:?} groups already play role {other:?} of this part; a group plays one role of a part (overlapping roles)")));
            }
            out.push((role.clone(), g.to_string()));
        }
    }
    Ok(out)
}

/// A part's `params`, by model role; a table for a role the model lacks is an error.
fn role_tables(i: usize, spec: &PartSpec) -> Result<BTreeMap<String, toml::Table>, Bad> {
    let model = spec.model.get_ref();
    let known: Vec<&'static str> = composed::part_roles(model)
        .map(|roles| roles.iter().map(|r| r.role).collect())
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    if let Some(params) = &spec.params {
        for (role, t) in params.get_ref() {
            if !known.contains(&role.as_str()) {
                return Err(Bad::at(
                    t,
                    format!("part[{i}].params.{role}"),
                    format!(
                        "the {model} model has no role {role:?}; its roles are: {}",
                        known.join(", ")
                    ),
                ));
            }
            out.insert(role.clone(), t.get_ref().clone());
        }
    }
    Ok(out)
}

/// The nodes of the groups playing `role` in a part.
fn groups_of(spec: &PartSpec, role: &str, groups: &[Group]) -> std::ops::Range<u32> {
    let g = spec
        .roles
        .as_ref()
        .and_then(|r| r.get_ref().get(role))
        .map(|g| g.get_ref().as_str())
        .unwrap_or("");
    let ranges: Vec<_> = groups
        .iter()
        .filter(|x| x.role == g)
        .map(|x| x.nodes.clone())
        .collect();
    let start = ranges.iter().map(|r| r.start).min().unwrap_or(0);
    let end = ranges.iter().map(|r| r.end).max().unwrap_or(0);
    start..end
}

/// A part's span and its groups (model role, nodes), in node order: the groups must
/// be contiguous, since a part runs on a span of nodes.
fn span_of(
    file: &schema::File,
    i: usize,
    roles: &[(String, String)],
    groups: &[Group],
) -> Result<(Span, PartGroups), Bad> {
    let at = &file.parts[i];
    let mut mine: PartGroups = groups
        .iter()
        .enumerate()
        .filter_map(|(k, g)| {
            roles
                .iter()
                .find(|(_, gr)| *gr == g.role)
                .map(|(r, _)| (r.clone(), g.nodes.clone(), k))
        })
        .collect();
    if mine.is_empty() {
        return Err(Bad::at(at, format!("part[{i}].roles"), format!(
            "part {:?} runs on no nodes: map its roles to groups, as roles = {{ ROLE = \"GROUP ROLE\" }}",
            at.get_ref().name.get_ref()
        )));
    }
    mine.sort_by_key(|(_, r, _)| r.start);
    for w in mine.windows(2) {
        if w[0].1.end != w[1].1.start {
            let gap = groups
                .iter()
                .find(|g| g.nodes.start == w[0].1.end)
                .map_or("another group".to_string(), |g| {
                    format!("the {:?} group", g.role)
                });
            return Err(Bad::at(at, format!("part[{i}].roles"), format!(
                "part {:?} runs on a span of nodes, but {gap} lies between its groups: order the [[group]] tables so each part's groups are next to each other",
                at.get_ref().name.get_ref()
            )));
        }
    }
    let base = mine[0].1.start;
    let end = mine.last().expect("non-empty").1.end;
    Ok((Span::new(base, end - base), mine))
}
