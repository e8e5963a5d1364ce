//! How a scenario's `[[group]]`s become the balancing model's parameters.
//!
//! The model lays nodes out as clients, then balancers, then backends, and the runner
//! numbers nodes in group order, so the groups must come in that order; a role may
//! span several consecutive groups (to place balancers in two zones, say). Group counts
//! set `clients`, `balancers` and `backends`. Each role's `params` set its part:
//!
//! - client: `workload` and `keys`, and the client fields (`timeout`, `retries_max`, …);
//! - balancer: the balancer fields (`policy`, `health`, `outlier`, `frontend`, …);
//! - backend: the backend fields (`workers`, `service`, `slow`, `flap`, …), and
//!   `autoscale`. With autoscaling the backend groups' count is `replicas_max` (every
//!   backend node exists from the start) and `serving` sets how many serve at first.
//!
//! A role's params are written once: in `[params.ROLE]`, on one of its groups, or
//! identically on each.
//! Brownout and flapping schedules name their backend by node name (`"backend-2"`) or
//! by 0-based index.

use crate::models::groups::Groups;
use crate::models::{params, GroupParams, ParamError};
use hasim_protocols::balancing::params::{AutoscaleParams, Params};
use hasim_protocols::balancing::Balancing;

const ROLES: [&str; 3] = ["client", "balancer", "backend"];

fn error(group: usize, role: bool, message: impl Into<String>) -> ParamError {
    ParamError {
        group,
        role,
        message: message.into(),
    }
}

/// One role's groups: node count, and the params table with the group it came from.
struct RoleGroups {
    count: u32,
    table: toml::Table,
    at: usize,
}

/// Builds the model from the groups.
pub fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Balancing, ParamError> {
    let groups = Groups::new("balancing", &ROLES, groups)?;
    let mut last_rank = 0;
    let mut seen = [false; 3];
    for (i, g) in groups.all() {
        let rank = ROLES
            .iter()
            .position(|r| *r == g.role)
            .expect("a known role");
        if rank < last_rank || (rank > last_rank && seen[rank]) {
            return Err(error(
                i,
                true,
                "the balancing model lays nodes out as clients, then balancers, then backends: put the groups in that order (a role's groups next to each other)",
            ));
        }
        last_rank = rank;
        seen[rank] = true;
    }
    let missing: Vec<&str> = ROLES
        .iter()
        .zip(seen)
        .filter(|(_, s)| !s)
        .map(|(r, _)| *r)
        .collect();
    if !missing.is_empty() {
        return Err(error(
            groups.all().count().saturating_sub(1),
            true,
            format!(
                "the balancing model needs a client, a balancer and a backend group (in that order); missing: {}",
                missing.join(", ")
            ),
        ));
    }
    let role = |name: &str| -> Result<RoleGroups, ParamError> {
        let (at, table) = groups.shared::<toml::Table>(Some(name))?;
        let count = groups
            .of(name)
            .map(|(_, g)| g.nodes.end - g.nodes.start)
            .sum();
        Ok(RoleGroups { count, table, at })
    };
    let (client, balancer, backend) = (role("client")?, role("balancer")?, role("backend")?);
    let mut p = Params {
        clients: client.count,
        balancers: balancer.count,
        backends: backend.count,
        ..Params::default()
    };
    // Where a role's params came from, for errors: the group that wrote them.
    let at = |r: &RoleGroups| r.at;
    let table = |r: &RoleGroups| r.table.clone();

    let mut t = table(&client);
    if let Some(w) = t.remove("workload") {
        p.workload = value(at(&client), "workload", w)?;
    }
    if let Some(k) = t.remove("keys") {
        p.keys = value(at(&client), "keys", k)?;
    }
    p.client = params(at(&client), &t)?;
    p.balancer = params(at(&balancer), &table(&balancer))?;

    let mut t = table(&backend);
    let autoscale = t.remove("autoscale");
    let serving = t.remove("serving");
    for schedule in ["slow", "flap"] {
        if let Some(toml::Value::Array(items)) = t.get_mut(schedule) {
            for item in items {
                backend_by_name(item, backend.count)
                    .map_err(|m| error(at(&backend), false, format!("{schedule}: {m}")))?;
            }
        }
    }
    p.backend = params(at(&backend), &t)?;
    match (autoscale, serving) {
        (None, Some(_)) => {
            return Err(error(
                at(&backend),
                false,
                "serving is only for autoscaling: without autoscale every backend serves",
            ))
        }
        (None, None) => {}
        (Some(a), serving) => {
            let mut a = match a {
                toml::Value::Table(a) => a,
                other => {
                    return Err(error(
                        at(&backend),
                        false,
                        format!("autoscale: expected a table, found {}", other.type_str()),
                    ))
                }
            };
            if a.contains_key("replicas_max") {
                return Err(error(
                    at(&backend),
                    false,
                    "autoscale.replicas_max is the backend groups' count: set count instead",
                ));
            }
            a.insert(
                "replicas_max".into(),
                toml::Value::Integer(backend.count.into()),
            );
            let a: AutoscaleParams = value(at(&backend), "autoscale", toml::Value::Table(a))?;
            p.backends = match serving {
                None => a.replicas_min,
                Some(s) => value(at(&backend), "serving", s)?,
            };
            p.autoscale = Some(a);
        }
    }
    let model = Balancing::new(p).map_err(|m| {
        let (rank, message) = where_from(&m.to_string());
        let r = [&client, &balancer, &backend][rank];
        error(at(r), false, message)
    })?;
    debug_assert_eq!(model.layout.nodes(), nodes);
    Ok(model)
}

/// A role table's one key, read as `T`; the error names the key.
fn value<T: serde::de::DeserializeOwned>(
    group: usize,
    key: &str,
    value: toml::Value,
) -> Result<T, ParamError> {
    T::deserialize(value).map_err(|e| error(group, false, format!("{key}: {}", e.message().trim())))
}

/// A schedule entry's `backend = "backend-2"` becomes the index 1 the model wants.
fn backend_by_name(item: &mut toml::Value, backends: u32) -> Result<(), String> {
    let Some(toml::Value::String(name)) = item.get("backend") else {
        return Ok(());
    };
    let index = name
        .strip_prefix("backend-")
        .and_then(|k| k.parse::<u32>().ok())
        .filter(|k| (1..=backends).contains(k))
        .ok_or_else(|| {
            format!(
                "backend {name:?}: expected a backend node name, backend-1 to backend-{backends}"
            )
        })?;
    if let toml::Value::Table(t) = item {
        t.insert("backend".into(), toml::Value::Integer(i64::from(index - 1)));
    }
    Ok(())
}

/// Which role's group a model validation message belongs to (0 client, 1 balancer,
/// 2 backend), and the message in the group's terms (without the role prefix).
fn where_from(message: &str) -> (usize, String) {
    for (prefix, rank) in [("client.", 0), ("balancer.", 1), ("backend.", 2)] {
        if let Some(rest) = message.strip_prefix(prefix) {
            return (rank, rest.to_string());
        }
    }
    let rank = if message.starts_with("workload") || message.starts_with("keys") {
        0
    } else if message.starts_with("autoscale") {
        2
    } else {
        1
    };
    (rank, message.to_string())
}
