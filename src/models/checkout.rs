//! Registry entry for `checkout` (hasim_protocols::systems::checkout): the composed
//! e-commerce system. Roles `client`, `balancer` and `app` are the balancing model's
//! client, balancer and backend; `replica` is a Raft replica of the order store. Its
//! figures are the balancing model's (what clients saw) plus the Raft model's with a
//! `store_` prefix; its checks are both families', judged on their parts. The
//! catalogue is the system's own, in `hasim_protocols::systems::checkout::catalogue`.

use super::groups::{invalid, Groups};
use super::raft::RaftModel;
use super::{balancing, balancing::BalancingModel, params};
use super::{GroupParams, Model, ParamError, Params, RoleDoc};
use hasim_protocols::replication::raft::RaftParams;
use hasim_protocols::systems::checkout::{catalogue::AppStore, Checkout};

/// The `checkout` model.
pub struct CheckoutModel;

const ROLES: [&str; 4] = ["client", "balancer", "app", "replica"];

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
                r.params.extend(AppStore::docs());
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
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        // App groups' tables without the store's keys, owned here for the build.
        let mut rests: Vec<Option<toml::Table>> = vec![None; groups.all().count()];
        let mut store = AppStore::default();
        let mut replicas = 0u32;
        for (i, g) in groups.all() {
            match g.role {
                "replica" => replicas += g.nodes.end - g.nodes.start,
                _ if replicas > 0 => {
                    return Err(ParamError {
                        group: i,
                        role: true,
                        message: "the checkout lays nodes out as clients, balancers, app servers, then replicas: put the replica groups last".into(),
                    });
                }
                "app" => {
                    let (own, rest): (toml::Table, toml::Table) = g
                        .params
                        .clone()
                        .into_iter()
                        .partition(|(k, _)| AppStore::KEYS.contains(&k.as_str()));
                    if !own.is_empty() {
                        store = params(i, &own)?;
                    }
                    rests[i] = Some(rest);
                }
                _ => {}
            }
        }
        let (group, raft) = groups.shared::<RaftParams>(Some("replica"))?;
        let lb_groups: Vec<GroupParams<'_>> = groups
            .all()
            .zip(&rests)
            .filter(|((_, g), _)| g.role != "replica")
            .map(|((_, g), rest)| match rest {
                Some(rest) => GroupParams {
                    role: "backend",
                    nodes: g.nodes.clone(),
                    params: rest,
                },
                None => g.clone(),
            })
            .collect();
        let balancing = balancing::groups::build(nodes - replicas, &lb_groups)?;
        Checkout::new(
            balancing,
            raft,
            replicas,
            store.store_timeout,
            store.order_keys,
        )
        .map_err(|e| invalid(group, e))
    }
}
