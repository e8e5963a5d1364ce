//! Registry entry for `balancing` (hasim_protocols::balancing): clients → (redundant)
//! load balancers → backends. The scenario's groups become the model's layout, and
//! each role's `params` table sets that role's part of the model's parameters
//! ([`groups`] says how); figures are the model's, renamed to read like every other
//! model's (`latency_p99`, per-backend figures by node name). The catalogue is the
//! protocol's own, in `hasim_protocols::balancing::catalogue`.

pub(crate) mod groups;

use super::Params as _;
use super::{GroupParams, Model, ParamError, RoleDoc};
use hasim_protocols::balancing::catalogue::{Offered, Scaling};
use hasim_protocols::balancing::params::{BackendParams, BalancerParams, ClientParams};
use hasim_protocols::balancing::Balancing;

/// The `balancing` model.
pub struct BalancingModel;

impl Model for BalancingModel {
    type Protocol = Balancing;
    const NAME: &'static str = "balancing";
    const SUMMARY: &'static str =
        "clients → load balancers (8 policies, health checks, outlier ejection, VRRP) → backends with queues; retries, autoscaling";
    // The figures are computed from the observations after the run.

    fn roles() -> Vec<RoleDoc> {
        let mut client = Offered::docs();
        client.extend(ClientParams::docs());
        let mut backend = BackendParams::docs();
        backend.extend(Scaling::docs());
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
