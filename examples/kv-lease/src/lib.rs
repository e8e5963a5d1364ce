//! `kv_lease`: a lease-based primary/backup key-value store, written from scratch
//! against hasim's public API only, as a user's own protocol would be: the worked
//! example of `docs/src/own-protocol.md`.
//!
//! Three pieces, each what any model needs:
//! - [`protocol`]: the state machine (`hasim::sim::Protocol`): messages, timers, state.
//! - the parameters of each role (serde structs with [`hasim::Params`] docs), here;
//! - [`KvLeaseModel`] ([`hasim::Model`]): how a scenario's groups become the
//!   configuration; and the [`hasim::Catalogue`] (properties, figures) in
//!   [`catalogue`].
//!
//! `main.rs` then gets the whole `hasim` command line in three lines.

pub mod catalogue;
pub mod protocol;

use hasim::models::groups::{invalid, Groups};
use hasim::sim::SimDuration;
use hasim::{params, GroupParams, Model, ParamError, Params, RoleDoc};
use serde::{Deserialize, Serialize};

pub use protocol::KvLease;

/// A replica's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicaParams {
    /// How often a primary renews its lease.
    pub heartbeat: SimDuration,
    /// How long a grant binds its replica (and how long a replica waits for a primary).
    pub lease: SimDuration,
    /// How much earlier than its grantors a primary stops serving: the clock error
    /// the lease tolerates. `"0ms"` is the known-unsafe variant.
    pub lease_margin: SimDuration,
}

impl Default for ReplicaParams {
    fn default() -> Self {
        ReplicaParams {
            heartbeat: SimDuration::from_millis(100),
            lease: SimDuration::from_secs(1),
            lease_margin: SimDuration::from_millis(300),
        }
    }
}

impl Params for ReplicaParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("heartbeat", "how often a primary renews its lease"),
        (
            "lease",
            "how long a grant binds a replica; a replica that hears no primary for this long stands for election",
        ),
        (
            "lease_margin",
            "how much earlier than its grantors a primary stops serving (the clock error tolerated; 0ms is unsafe)",
        ),
    ];
}

/// A client's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientParams {
    /// Gap between two requests (writes and reads alternate).
    pub interval: SimDuration,
    /// How long a client waits for an answer.
    pub timeout: SimDuration,
    /// How many keys requests spread over.
    pub keys: u64,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            interval: SimDuration::from_millis(20),
            timeout: SimDuration::from_millis(200),
            keys: 4,
        }
    }
}

impl Params for ClientParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        (
            "interval",
            "gap between two requests (writes and reads alternate)",
        ),
        ("timeout", "how long to wait for an answer"),
        ("keys", "how many keys the requests spread over"),
    ];
}

/// The `kv_lease` model: roles `replica` and `client`.
pub struct KvLeaseModel;

const ROLES: [&str; 2] = ["replica", "client"];

impl Model for KvLeaseModel {
    type Protocol = KvLease;
    const NAME: &'static str = "kv_lease";
    const SUMMARY: &'static str =
        "a primary/backup key-value store whose primary serves under a majority lease (example crate)";

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "replica",
                doc: "grants leases, stands for election when no primary renews, serves as primary under its lease",
                params: ReplicaParams::docs(),
            },
            RoleDoc {
                role: "client",
                doc: "sends writes and reads to the replica that last answered (the next after a refusal or a timeout), gives up after its timeout",
                params: ClientParams::docs(),
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<KvLease, ParamError> {
        let groups = Groups::new(Self::NAME, &ROLES, groups)?;
        groups.needs("replica")?;
        let mut roles = vec![None; nodes as usize];
        let mut rank = 0;
        for (i, g) in groups.all() {
            for node in g.nodes.clone() {
                roles[node as usize] = Some(match g.role {
                    "replica" => {
                        let p: ReplicaParams = params(i, g.params)?;
                        if p.heartbeat.is_zero() || p.lease_margin >= p.lease {
                            return Err(invalid(
                                i,
                                "expected a heartbeat above zero and a lease_margin below the lease",
                            ));
                        }
                        if p.heartbeat >= p.lease.saturating_sub(p.lease_margin) {
                            return Err(invalid(
                                i,
                                "expected a heartbeat shorter than lease - lease_margin, or no lease ever holds",
                            ));
                        }
                        rank += 1;
                        protocol::Role::Replica(p, rank - 1)
                    }
                    _ => {
                        let c: ClientParams = params(i, g.params)?;
                        if c.interval.is_zero() || c.timeout.is_zero() || c.keys == 0 {
                            return Err(invalid(
                                i,
                                "expected an interval, a timeout and keys above zero",
                            ));
                        }
                        protocol::Role::Client(c)
                    }
                });
            }
        }
        let roles = roles
            .into_iter()
            .map(|r| r.ok_or_else(|| invalid(0, "every node belongs to a group")))
            .collect::<Result<_, _>>()?;
        Ok(KvLease::new(roles))
    }
}
