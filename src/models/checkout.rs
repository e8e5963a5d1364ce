//! Registry entry for `checkout` (hasim_protocols::systems::checkout): the composed
//! e-commerce system. Roles `client`, `balancer` and `app` are the balancing model's
//! client, balancer and backend; `replica` is a Raft replica of the order store. Its
//! figures are the balancing model's (what clients saw) plus the Raft model's with a
//! `store_` prefix; its checks are both families', judged on their parts. The
//! catalogue is the system's own, in `hasim_protocols::systems::checkout::catalogue`.

use super::raft::RaftModel;
use super::{balancing, balancing::BalancingModel, params, unknown_role};
use super::{GroupParams, Model, ParamDoc, ParamError, RoleDoc};
use hasim_protocols::replication::raft::RaftParams;
use hasim_protocols::systems::checkout::Checkout;
use hasim_sim::SimDuration;
use serde::Deserialize;

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

impl Model for CheckoutModel {
    type Protocol = Checkout;
    const NAME: &'static str = "checkout";
    const SUMMARY: &'static str =
        "a composed checkout: clients → balancers with a floating address → autoscaled app servers → a Raft order store";

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
}
