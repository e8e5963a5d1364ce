//! From the file as written to a [`Scenario`] that can always run: node names and
//! placement, the model and its parameters, the network, selectors, faults,
//! generators and checks are each checked here (faults in `fault_specs`), with the
//! span of what is wrong.

use super::checks::{Check, ObjectiveBound};
use super::error::{Location, ScenarioError};
use super::known::Known;
use super::network::{Network, ZONES_MAX};
use super::schema;
use super::selector::{NodeLabels, Selector};
use super::{file_hash, Group, Scenario, NODES_MAX};
use crate::models::{self, GroupParams, Lookup, ModelEntry};
use hasim_protocols::compose::Composed;
use hasim_sim::{Path, SimDuration};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

/// A semantic error before it is placed in the file.
pub(super) struct Bad {
    pub(super) span: Option<Range<usize>>,
    pub(super) field: String,
    pub(super) message: String,
}

impl Bad {
    pub(super) fn at<T>(
        spanned: &Spanned<T>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Bad {
        Bad {
            span: Some(spanned.span()),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(super) fn into_error(self, path: &std::path::Path, text: &str) -> ScenarioError {
        ScenarioError::Invalid {
            at: Location::of(path, text, self.span),
            field: self.field,
            message: self.message,
        }
    }
}

/// The default event budget: far above any sensible run of the bundled models.
const EVENT_BUDGET: u64 = 50_000_000;

/// The default memory limit of one run: more than any bundled scenario needs by
/// two orders of magnitude, less than a sweep's machine has.
const MEMORY_MAX: u64 = 4 << 30;

pub(super) fn resolve(
    file: schema::File,
    text: &str,
    path: &std::path::Path,
    lookup: &dyn Lookup,
) -> Result<Scenario, Bad> {
    let h = &file.scenario;
    if h.name.get_ref().trim().is_empty() {
        return Err(Bad::at(
            &h.name,
            "scenario.name",
            "expected a non-empty name",
        ));
    }
    if h.duration.get_ref().is_zero() {
        return Err(Bad::at(
            &h.duration,
            "scenario.duration",
            "expected a duration above zero, such as \"60s\"",
        ));
    }
    let event_budget = match &h.event_budget {
        Some(b) if *b.get_ref() == 0 => {
            return Err(Bad::at(
                b,
                "scenario.event_budget",
                "expected at least 1 event",
            ))
        }
        Some(b) => *b.get_ref(),
        None => EVENT_BUDGET,
    };
    let memory_max = match &h.memory_max {
        Some(m) => match crate::size::parse_size(m.get_ref()) {
            Ok(0) => {
                return Err(Bad::at(
                    m,
                    "scenario.memory_max",
                    "expected a size above zero, such as \"4GiB\"",
                ))
            }
            Ok(bytes) => bytes,
            Err(why) => return Err(Bad::at(m, "scenario.memory_max", why)),
        },
        None => MEMORY_MAX,
    };
    // With a [topology] its placement gives every node's region, zone and rack;
    // without one, [network] zones and the groups' labels do.
    let topology = file
        .topology
        .as_ref()
        .map(|t| super::topology::Table::new(t, text));
    let spec = topology.as_ref().map(|t| t.spec()).transpose()?;
    let (mut nodes, groups, known, composition, entry) = layout(&file, spec.is_some(), lookup)?;
    let network = match (&topology, &spec) {
        (Some(table), Some(spec)) => super::topology::network(table, spec, &file, &mut nodes)?,
        _ => network(&file.network, &nodes)?,
    };
    let checks = checks(&file.checks, &known)?;
    let gallery = super::gallery_spec::resolve(file.gallery.as_ref(), &known)?;
    let liveness_bound = checks
        .iter()
        .filter_map(|c| match c {
            Check::Eventually { within, .. } => Some(*within),
            _ => None,
        })
        .max()
        .unwrap_or(SimDuration::ZERO);
    let mut faults = super::fault_specs::faults(
        &file,
        &nodes,
        *h.duration.get_ref(),
        liveness_bound,
        network.topology.as_ref(),
    )?;
    faults.concrete = super::concrete::entries(&file.schedule, &nodes, *h.duration.get_ref())?;
    let warnings = super::fault_warnings::warnings(&file, &faults, &nodes)
        .into_iter()
        .map(|(span, why)| {
            let at = super::Location::of(path, text, Some(span));
            format!("{}:{}: {why}", path.display(), at.line)
        })
        .collect();
    Ok(Scenario {
        name: h.name.get_ref().clone(),
        description: h.description.clone(),
        path: path.to_path_buf(),
        hash: file_hash(text.as_bytes()),
        seed: h.seed,
        duration: *h.duration.get_ref(),
        event_budget,
        memory_max,
        model: known.model.clone(),
        composition,
        entry,
        nodes,
        groups,
        network,
        faults,
        warnings,
        checks,
        gallery,
    })
}

/// The nodes, the groups, the names the checks may use, and the composed system.
type Layout = (
    Vec<NodeLabels>,
    Vec<Group>,
    Known,
    Option<Composed>,
    ModelEntry,
);

/// Names the nodes and checks the groups. With a topology (`placed_later`), zones
/// and racks are left for `topology::network` to fill in from its placement.
fn layout(file: &schema::File, placed_later: bool, lookup: &dyn Lookup) -> Result<Layout, Bad> {
    let Some(first) = file.groups.first() else {
        return Err(Bad {
            span: None,
            field: "group".into(),
            message: "expected at least one [[group]] of nodes".into(),
        });
    };
    // A composition's groups only name nodes: its parts name the models.
    let model = if file.parts.is_empty() {
        Some(model_of(first, lookup)?)
    } else {
        None
    };
    if let Some(z) = file.network.zones.get(ZONES_MAX) {
        return Err(Bad::at(
            z,
            "network.zones",
            format!(
                "at most {ZONES_MAX} zones (this declares {}); zones are a zone-by-zone matrix, so group nodes into fewer zones",
                file.network.zones.len()
            ),
        ));
    }
    let declared: Vec<String> = file
        .network
        .zones
        .iter()
        .map(|z| z.get_ref().clone())
        .collect();
    // Sets for membership, so validation stays linear in zones and nodes.
    let declared_set: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    let role_params = super::role_params::RoleParams::of(file)?;
    let mut per_role: BTreeMap<String, u32> = BTreeMap::new();
    let mut named: BTreeSet<&str> = declared_set.clone();
    let mut nodes: Vec<NodeLabels> = Vec::new();
    let mut groups = Vec::new();
    let mut total: u32 = 0;
    for (i, g) in file.groups.iter().enumerate() {
        let field = |f: &str| format!("group[{i}].{f}");
        match (&model, &g.protocol) {
            (Some(m), Some(p)) if p.get_ref() != m.name => {
                return Err(Bad::at(p, field("protocol"), format!(
                    "every group must run the same model (group[0] runs {:?}); to run families together, compose them with [[part]] tables",
                    m.name
                )));
            }
            (Some(_), None) => {
                return Err(Bad::at(&g.role, field("protocol"), "expected protocol = \"MODEL\" on every group (or [[part]] tables that compose models)"));
            }
            (None, Some(p)) => {
                return Err(Bad::at(p, field("protocol"), "with [[part]] tables the groups only name nodes: each part names its model (remove protocol here)"));
            }
            _ => {}
        }
        let role = g.role.get_ref().trim();
        if role.is_empty() || !role.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Bad::at(
                &g.role,
                field("role"),
                "expected a role name of letters, digits and _",
            ));
        }
        let count = *g.count.get_ref();
        if count == 0 {
            return Err(Bad::at(
                &g.count,
                field("count"),
                "expected at least 1 node",
            ));
        }
        total = total.saturating_add(count);
        if total > NODES_MAX {
            return Err(Bad::at(
                &g.count,
                field("count"),
                format!("at most {NODES_MAX} nodes in all"),
            ));
        }
        let zone_of = |k: u32| -> Result<Option<String>, Bad> {
            match &g.zone {
                _ if placed_later => Ok(None),
                None => Ok(None),
                Some(z) if z.get_ref() == "spread" => {
                    if declared.is_empty() {
                        return Err(Bad::at(
                            z,
                            field("zone"),
                            "\"spread\" places nodes over [network] zones, but none are declared",
                        ));
                    }
                    Ok(Some(declared[k as usize % declared.len()].clone()))
                }
                Some(z) if !declared.is_empty() && !declared_set.contains(z.get_ref().as_str()) => {
                    Err(Bad::at(
                        z,
                        field("zone"),
                        format!(
                            "unknown zone {:?}; [network] zones declares: {}",
                            z.get_ref(),
                            declared.join(", ")
                        ),
                    ))
                }
                Some(z) => Ok(Some(z.get_ref().clone())),
            }
        };
        if let Some(z) = g.zone.as_ref().filter(|_| !placed_later) {
            if z.get_ref() != "spread"
                && named.insert(z.get_ref().as_str())
                && named.len() > ZONES_MAX
            {
                return Err(Bad::at(
                    z,
                    field("zone"),
                    format!("at most {ZONES_MAX} zones in all; the groups name more (zone {:?} is one too many)", z.get_ref()),
                ));
            }
        }
        let first_id = nodes.len() as u32;
        let already = per_role.get(role).copied().unwrap_or(0);
        per_role.insert(role.to_string(), already + count);
        for k in 0..count {
            nodes.push(NodeLabels {
                name: format!("{role}-{}", already + k + 1),
                role: role.to_string(),
                region: None,
                zone: zone_of(k)?,
                rack: g
                    .rack
                    .as_ref()
                    .filter(|_| !placed_later)
                    .map(|r| r.get_ref().clone()),
            });
        }
        groups.push(Group {
            role: role.to_string(),
            nodes: first_id..first_id + count,
            params: role_params.merged(role, g.params.as_ref().map(Spanned::get_ref)),
        });
    }
    let Some(model) = model else {
        if let Some(p) = &file.params {
            return Err(Bad::at(
                p,
                "params",
                "with [[part]] tables, parameters belong to the parts: write [part.params.ROLE]",
            ));
        }
        let composed = super::compose::resolve(file, &groups, total)?;
        let known = Known::of_composed(&composed);
        let entry = models::composed::entry(&composed);
        return Ok((nodes, groups, known, Some(composed), entry));
    };
    let params: Vec<GroupParams<'_>> = groups
        .iter()
        .map(|g| GroupParams {
            role: &g.role,
            nodes: g.nodes.clone(),
            params: &g.params,
        })
        .collect();
    if let Err(e) = (model.validate)(total, &params) {
        let g = &file.groups[e.group];
        let role = g.role.get_ref().trim();
        let bad = match (&g.params, role_params.table(role), e.role) {
            (Some(p), _, false) => Bad::at(p, format!("group[{}].params", e.group), e.message),
            (None, Some(t), false) => Bad::at(t, format!("params.{role}"), e.message),
            _ => Bad::at(&g.role, format!("group[{}].role", e.group), e.message),
        };
        return Err(bad);
    }
    Ok((nodes, groups, Known::of_model(&model), None, model))
}

/// The model the first group names.
fn model_of(first: &schema::GroupSpec, lookup: &dyn Lookup) -> Result<ModelEntry, Bad> {
    let Some(protocol) = &first.protocol else {
        return Err(Bad::at(
            &first.role,
            "group[0].protocol",
            "expected protocol = \"MODEL\" on the groups, or [[part]] tables that compose models",
        ));
    };
    let name = protocol.get_ref();
    lookup.find(name).cloned().ok_or_else(|| {
        let known: Vec<&str> = lookup.entries().iter().map(|m| m.name).collect();
        Bad::at(
            protocol,
            "group[0].protocol",
            format!(
                "unknown model {name:?}; expected one of: {}",
                known.join(", ")
            ),
        )
    })
}

fn network(spec: &schema::NetworkSpec, nodes: &[NodeLabels]) -> Result<Network, Bad> {
    let mut net = Network::uniform(nodes.len());
    if let Some(l) = &spec.latency {
        net.default.latency = l.get_ref().0;
    }
    net.default.loss = spec.loss.as_ref().map_or(0.0, |p| p.get_ref().0);
    net.duplicate = spec.duplicate.map_or(0.0, |p| p.0);
    // Zone name -> index: one lookup per node and per override, never a scan of the
    // zone list (100,000 zones used to take seconds).
    let mut index_of: BTreeMap<String, u16> = BTreeMap::new();
    for z in &spec.zones {
        if index_of.contains_key(z.get_ref()) {
            return Err(Bad::at(
                z,
                "network.zones",
                format!("zone {:?} is declared twice", z.get_ref()),
            ));
        }
        index_of.insert(z.get_ref().clone(), net.zones.len() as u16);
        net.zones.push(z.get_ref().clone());
    }
    let mut zone_of = Vec::with_capacity(nodes.len());
    for n in nodes {
        let Some(z) = &n.zone else {
            zone_of.push(None);
            continue;
        };
        if !index_of.contains_key(z) {
            // `layout` capped the zones the groups name at ZONES_MAX.
            index_of.insert(z.clone(), net.zones.len() as u16);
            net.zones.push(z.clone());
        }
        zone_of.push(Some(index_of[z]));
    }
    let no_zone = net.zones.len() as u16;
    net.zone_of = zone_of.into_iter().map(|z| z.unwrap_or(no_zone)).collect();
    let index = |z: &Spanned<String>, field: &str| -> Result<u16, Bad> {
        index_of.get(z.get_ref()).copied().ok_or_else(|| {
            Bad::at(
                z,
                field,
                format!(
                    "unknown zone {:?}; known zones: {}",
                    z.get_ref(),
                    if net.zones.is_empty() {
                        "none (declare [network] zones or give groups a zone)".to_string()
                    } else {
                        net.zones.join(", ")
                    }
                ),
            )
        })
    };
    let path = |latency: Option<crate::scenario::units::ValidDist>,
                loss: Option<crate::scenario::units::Probability>| Path {
        latency: latency.map_or(net.default.latency, |d| d.0),
        loss: loss.map_or(net.default.loss, |p| p.0),
    };
    let mut overrides = Vec::new();
    for (i, o) in spec.zone_overrides.iter().enumerate() {
        let z = index(&o.zone, &format!("network.zone[{i}].zone"))?;
        overrides.push(((z, z), path(o.latency, o.loss)));
    }
    for (i, o) in spec.between.iter().enumerate() {
        let [a, b] = o.zones.get_ref();
        let field = format!("network.between[{i}].zones");
        let (za, zb) = (index(a, &field)?, index(b, &field)?);
        if za == zb {
            return Err(Bad::at(
                &o.zones,
                field,
                "expected two different zones (use [[network.zone]] for traffic inside one zone)",
            ));
        }
        overrides.push(((za, zb), path(o.latency, o.loss)));
    }
    net.overrides = overrides;
    Ok(net)
}

fn checks(specs: &[Spanned<toml::Table>], known: &Known) -> Result<Vec<Check>, Bad> {
    let mut out = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let check = Check::parse(spec.get_ref()).map_err(|(key, message)| {
            let field = key.map_or(format!("check[{i}]"), |k| format!("check[{i}].{k}"));
            Bad::at(spec, field, message)
        })?;
        match &check {
            Check::Objective {
                figure,
                unit,
                comparison,
                bound,
                written,
            } => {
                let Some(doc) = known.figure(figure) else {
                    return Err(Bad::at(
                        spec,
                        format!("check[{i}].{figure}"),
                        format!(
                            "{} reports no figure {figure:?}; expected one of: {}",
                            known.what,
                            known.figure_names()
                        ),
                    ));
                };
                let bound = ObjectiveBound {
                    comparison: *comparison,
                    unit: *unit,
                    value: *bound,
                    written,
                };
                if let Some(message) = bound.refusal(figure, doc.unit) {
                    return Err(Bad::at(spec, format!("check[{i}].{figure}"), message));
                }
            }
            Check::AtEnd { name } => {
                if !known.end_checks.iter().any(|p| p == name) {
                    return Err(Bad::at(
                        spec,
                        format!("check[{i}].at_end"),
                        format!(
                            "{} has no end check {name:?}; expected one of: {}",
                            known.what,
                            if known.end_checks.is_empty() {
                                "(none)".to_string()
                            } else {
                                known.end_checks.join(", ")
                            }
                        ),
                    ));
                }
            }
            other => {
                let name = other.property().unwrap_or_default();
                if !known.properties.iter().any(|p| p == name) {
                    return Err(Bad::at(
                        spec,
                        format!("check[{i}]"),
                        format!(
                            "{} has no property {name:?}; expected one of: {}",
                            known.what,
                            known.properties.join(", ")
                        ),
                    ));
                }
            }
        }
        out.push(check);
    }
    Ok(out)
}

pub(super) fn selector(
    s: &Spanned<String>,
    field: String,
    nodes: &[NodeLabels],
    random_ok: bool,
) -> Result<Selector, Bad> {
    let sel = Selector::parse(s.get_ref()).map_err(|m| Bad::at(s, field.clone(), m))?;
    if sel.is_random() && !random_ok {
        return Err(Bad::at(s, field, format!("\"{sel}\" draws at random; here a fixed selector is expected (a node name, role:, zone:, rack: or all)")));
    }
    sel.check(nodes).map_err(|m| Bad::at(s, field, m))?;
    Ok(sel)
}
