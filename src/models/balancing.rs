//! Registry entry for `balancing` (hasim_protocols::balancing): clients → (redundant)
//! load balancers → backends. The scenario's groups become the model's layout, and
//! each role's `params` table sets that role's part of the model's parameters
//! ([`groups`] says how); figures are the model's, renamed to read like every other
//! model's (`latency_p99`, per-backend figures by node name). The catalogue is the
//! protocol's own, in `hasim_protocols::balancing::catalogue`.

pub(crate) mod groups;

use super::Params as _;
use super::{GroupParams, Model, ParamDoc, ParamError, RoleDoc};
use hasim_protocols::balancing::params::{
    AutoscaleParams, BackendParams, BalancerParams, ClientParams, Params,
};
use hasim_protocols::balancing::Balancing;
use serde::Serialize;

/// The `balancing` model.
pub struct BalancingModel;

impl Model for BalancingModel {
    type Protocol = Balancing;
    const NAME: &'static str = "balancing";
    const SUMMARY: &'static str =
        "clients → load balancers (8 policies, health checks, outlier ejection, VRRP) → backends with queues; retries, autoscaling";
    // The figures are computed from the observations after the run.

    fn roles() -> Vec<RoleDoc> {
        let defaults = Params::default();
        let mut client = vec![
            doc(
                "workload",
                &defaults.workload,
                "offered load over all clients: {kind = \"open\", rate, schedule = [{at, rate}]} or {kind = \"closed\", users, think}",
            ),
            doc(
                "keys",
                &defaults.keys,
                "request keys are uniform on 0..keys (hash key, session)",
            ),
        ];
        client.extend(ClientParams::docs());
        let mut backend = BackendParams::docs();
        backend.push(doc(
            "autoscale",
            &AutoscaleParams::default(),
            "HPA autoscaling {target, tolerance, sync_period, stabilisation, replicas_min, startup_delay}; the group's count is replicas_max; off when absent",
        ));
        backend.push(ParamDoc {
            name: "serving".to_string(),
            default: "-".to_string(),
            doc: "with autoscale: backends in service at the start (default replicas_min)",
        });
        vec![
            RoleDoc {
                role: "client",
                doc: "offers requests to the balancers, with timeouts, retries, a budget and hedging (first group)",
                params: client,
            },
            RoleDoc {
                role: "balancer",
                doc: "proxies each request to a backend in rotation by its policy (after the clients)",
                params: BalancerParams::docs(),
            },
            RoleDoc {
                role: "backend",
                doc: "serves requests with worker slots and a bounded FIFO queue (after the balancers)",
                params: backend,
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Balancing, ParamError> {
        groups::build(nodes, groups)
    }
}

/// A hand-written parameter's documentation, its default rendered as TOML.
fn doc(name: &str, default: &impl Serialize, text: &'static str) -> ParamDoc {
    ParamDoc {
        name: name.to_string(),
        default: toml::Value::try_from(default).map_or("-".to_string(), |v| v.to_string()),
        doc: text,
    }
}
