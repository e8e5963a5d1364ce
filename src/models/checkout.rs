//! Registry entry for `checkout` (hasim_protocols::systems::checkout): the composed
//! e-commerce system. Roles `client`, `balancer` and `app` are the balancing model's
//! client, balancer and backend; `replica` is a Raft replica of the order store. Its
//! figures are the balancing model's (what clients saw) plus the Raft model's with a
//! `store_` prefix; its checks are both families', judged on their parts.

use super::parts::{prefixed, project};
use super::raft::RaftModel;
use super::{balancing, balancing::BalancingModel, params, unknown_role, Catalogue};
use super::{FigureDoc, GroupParams, Model, ParamDoc, ParamError, Predicate, PropertyDoc, RoleDoc};
use hasim_protocols::balancing::Balancing;
use hasim_protocols::replication::raft::{self, check, Raft, RaftParams};
use hasim_protocols::replication::{check_history, SearchLimits};
use hasim_protocols::systems::checkout::{self, Checkout, DbLens, LbLens, Observation, View};
use hasim_sim::{Inspect, Projection, Sim, SimDuration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The `checkout` model.
pub struct CheckoutModel;

/// The app role's own parameters, beside its backend ones.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AppStore {
    /// How long an order's store write may take before the order fails.
    store_timeout: SimDuration,
    /// Orders go to keys `0..order_keys` of the store.
    order_keys: u32,
}

impl Default for AppStore {
    fn default() -> Self {
        AppStore {
            store_timeout: SimDuration::from_secs(1),
            order_keys: 64,
        }
    }
}

const ROLES: [&str; 4] = ["client", "balancer", "app", "replica"];
const STORE_KEYS: [&str; 2] = ["store_timeout", "order_keys"];

/// The balancer tier's share of a checkout run.
fn lb_part(sim: &Sim<Checkout>) -> Projection<'_, Checkout, Balancing> {
    let c = sim.protocol();
    Projection::new(
        sim,
        &c.balancing,
        c.lb,
        |s| s.lb(),
        |d| &d.lb,
        LbLens::unwrap,
    )
}

/// The order store's share of a checkout run.
fn db_part(sim: &Sim<Checkout>) -> Projection<'_, Checkout, Raft> {
    let c = sim.protocol();
    Projection::new(sim, &c.store, c.db, |s| s.db(), |d| &d.db, DbLens::unwrap)
}

fn lb_view(v: &View) -> Option<hasim_protocols::balancing::View> {
    v.lb.clone()
}
fn db_view(v: &View) -> Option<raft::View> {
    v.db
}
impl Model for CheckoutModel {
    type Protocol = Checkout;
    const NAME: &'static str = "checkout";
    const SUMMARY: &'static str =
        "a composed checkout: clients → balancers with a floating address → autoscaled app servers → a Raft order store";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        let mut roles = BalancingModel::roles();
        for r in &mut roles {
            if r.role == "backend" {
                r.role = "app";
                r.doc = "an app server: a balancing backend whose ok answer waits until its order is stored in Raft (after the balancers)";
                r.params.push(ParamDoc {
                    name: "store_timeout".into(),
                    default: "\"1s\"".into(),
                    doc: "an order's store write fails (error answer) when not acknowledged within this",
                });
                r.params.push(ParamDoc {
                    name: "order_keys".into(),
                    default: "64".into(),
                    doc: "orders are written to store keys 0..order_keys (rid mod order_keys)",
                });
            }
        }
        roles.extend(
            RaftModel::roles()
                .into_iter()
                .filter(|r| r.role == "replica"),
        );
        roles
    }

    fn figures() -> Vec<FigureDoc> {
        static STORE: OnceLock<Vec<FigureDoc>> = OnceLock::new();
        let mut f = BalancingModel::figures();
        f.extend(prefixed(&STORE, "store_", RaftModel::figures));
        f.push(FigureDoc {
            name: "orders_held_at_end",
            unit: super::Unit::Count,
            doc: "orders app servers still held (waiting for the store) when the run ended",
        });
        f
    }

    fn properties() -> Vec<PropertyDoc> {
        let mut p = BalancingModel::properties();
        p.extend(RaftModel::properties());
        p
    }

    fn end_checks() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "no_lost_orders",
                doc: "every order the store acknowledged (so every ok answer) is in the committed log at the end",
            },
            PropertyDoc {
                name: "log_matching",
                doc: "the store's final logs that share an entry are identical up to it",
            },
            PropertyDoc {
                name: "linearizable",
                doc: "the app servers' store history is linearizable per key",
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Checkout, ParamError> {
        // App groups' tables without the store's keys, owned here for the build.
        let mut rests: Vec<Option<toml::Table>> = vec![None; groups.len()];
        let mut store = AppStore::default();
        let mut raft_params: Option<(usize, RaftParams)> = None;
        let mut replicas = 0u32;
        for (i, g) in groups.iter().enumerate() {
            let err = |message: String| ParamError {
                group: i,
                role: true,
                message,
            };
            match g.role {
                "client" | "balancer" | "app" if replicas > 0 => {
                    return Err(err("the checkout lays nodes out as clients, balancers, app servers, then replicas: put the replica groups last".into()));
                }
                "client" | "balancer" => {}
                "app" => {
                    let (own, rest): (toml::Table, toml::Table) = g
                        .params
                        .clone()
                        .into_iter()
                        .partition(|(k, _)| STORE_KEYS.contains(&k.as_str()));
                    if !own.is_empty() {
                        store = params(i, &own)?;
                    }
                    rests[i] = Some(rest);
                }
                "replica" => {
                    replicas += g.nodes.end - g.nodes.start;
                    super::raft::replica_params(&mut raft_params, i, g.params)?;
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            }
        }
        let lb_groups: Vec<GroupParams<'_>> = groups
            .iter()
            .zip(&rests)
            .filter(|(g, _)| g.role != "replica")
            .map(|(g, rest)| match rest {
                Some(rest) => GroupParams {
                    role: "backend",
                    nodes: g.nodes.clone(),
                    params: rest,
                },
                None => g.clone(),
            })
            .collect();
        let lb_nodes = nodes - replicas;
        let balancing = balancing::groups::build(lb_nodes, &lb_groups)?;
        let (group, raft) = raft_params.unwrap_or_default();
        Checkout::new(
            balancing,
            raft,
            replicas,
            store.store_timeout,
            store.order_keys,
        )
        .map_err(|message| ParamError {
            group,
            role: false,
            message,
        })
    }

    fn property(c: &Checkout, name: &str) -> Option<Predicate<Checkout>> {
        if let Some(p) = RaftModel::property(&c.store, name) {
            return Some(project(c.db, p, db_view, DbLens::unwrap));
        }
        let p = BalancingModel::property(&c.balancing, name)?;
        Some(project(c.lb, p, lb_view, LbLens::unwrap))
    }

    fn role(view: &View) -> Option<&'static str> {
        match (&view.db, &view.lb) {
            (Some(v), _) if RaftModel::role(v).is_some() => RaftModel::role(v),
            (_, Some(v)) => BalancingModel::role(v),
            _ => None,
        }
    }

    fn request(o: &Observation) -> Option<(bool, Option<SimDuration>)> {
        match o {
            Observation::Lb(o) => BalancingModel::request(o),
            Observation::Db(_) => None,
        }
    }

    fn report(sim: &Sim<Checkout>, out: &mut BTreeMap<String, f64>) {
        let mut lb = BTreeMap::new();
        <Balancing as Catalogue>::figures(&lb_part(sim), &mut lb);
        // Per-backend figures by node name: the checkout's backends are its app servers.
        out.extend(
            lb.into_iter()
                .map(|(k, v)| (k.replace(".backend-", ".app-"), v)),
        );
        for (name, value) in raft::figures::figures(&db_part(sim)) {
            out.insert(format!("store_{name}"), value);
        }
        let held: u32 = (0..sim.node_count())
            .filter_map(|n| {
                sim.state(hasim_sim::NodeId(n))?
                    .app()
                    .map(checkout::App::held)
            })
            .sum();
        out.insert("orders_held_at_end".into(), f64::from(held));
    }

    fn end_check(sim: &Sim<Checkout>, name: &str) -> Option<Result<(), String>> {
        let db = db_part(sim);
        match name {
            "no_lost_orders" => Some(check::no_lost_writes(&db)),
            "log_matching" => Some(check::final_log_matching(&db)),
            "linearizable" => Some(
                check_history(&check::history(db.observations()), &SearchLimits::default())
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            ),
            _ => None,
        }
    }
}
