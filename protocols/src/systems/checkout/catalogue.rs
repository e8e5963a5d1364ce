//! The catalogue of `checkout`: the balancing model's figures (what clients saw) plus
//! the Raft model's with a `store_` prefix, both families' properties judged on their
//! parts, and the order store's end checks (no lost orders, log matching,
//! linearizability), all read through `Inspect` on projections of the run.

use super::{App, Checkout, DbLens, LbLens, Observation, View};
use crate::balancing::Balancing;
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use crate::replication::raft::{self, check, Raft};
use crate::replication::{check_history, SearchLimits};
use crate::systems::projected::{prefixed, project};
use hasim_sim::{Inspect, Projection, SimDuration};
use std::collections::BTreeMap;

/// The app role's own parameters, beside its backend ones.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppStore {
    /// How long an order's store write may take before the order fails.
    pub store_timeout: SimDuration,
    /// Orders go to keys `0..order_keys` of the store.
    pub order_keys: u32,
}

impl Default for AppStore {
    fn default() -> Self {
        AppStore {
            store_timeout: SimDuration::from_secs(1),
            order_keys: 64,
        }
    }
}

impl AppStore {
    /// The keys an app group's params table holds for the store; the rest are its
    /// balancing backend's.
    pub const KEYS: [&'static str; 2] = ["store_timeout", "order_keys"];
}

impl Params for AppStore {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        (
            "store_timeout",
            "an order's store write fails (error answer) when not acknowledged within this",
        ),
        (
            "order_keys",
            "orders are written to store keys 0..order_keys (rid mod order_keys)",
        ),
    ];
}

/// The balancer tier's share of a checkout run.
pub fn lb_part(sim: &impl Inspect<Checkout>) -> Projection<'_, Checkout, Balancing> {
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
pub fn db_part(sim: &impl Inspect<Checkout>) -> Projection<'_, Checkout, Raft> {
    let c = sim.protocol();
    Projection::new(sim, &c.store, c.db, |s| s.db(), |d| &d.db, DbLens::unwrap)
}

fn lb_view(v: &View) -> Option<crate::balancing::View> {
    v.lb.clone()
}
fn db_view(v: &View) -> Option<raft::View> {
    v.db
}
impl Catalogue for Checkout {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let mut f = <Balancing as Catalogue>::figure_docs();
        f.extend(prefixed("store_", <Raft as Catalogue>::figure_docs()));
        f.push(FigureDoc {
            name: "orders_held_at_end".into(),
            unit: Unit::Count,
            doc: "orders app servers still held (waiting for the store) when the run ended",
        });
        f
    }

    fn property_docs() -> Vec<PropertyDoc> {
        let mut p = <Balancing as Catalogue>::property_docs();
        p.extend(<Raft as Catalogue>::property_docs());
        p
    }

    fn end_check_docs() -> Vec<PropertyDoc> {
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

    fn property(&self, name: &str) -> Option<Predicate<Checkout>> {
        if let Some(p) = self.store.property(name) {
            return Some(project(self.db, p, db_view, DbLens::unwrap));
        }
        let p = self.balancing.property(name)?;
        Some(project(self.lb, p, lb_view, LbLens::unwrap))
    }

    fn role(view: &View) -> Option<&'static str> {
        match (&view.db, &view.lb) {
            (Some(v), _) if <Raft as Catalogue>::role(v).is_some() => <Raft as Catalogue>::role(v),
            (_, Some(v)) => <Balancing as Catalogue>::role(v),
            _ => None,
        }
    }

    fn request(o: &Observation) -> Option<crate::catalogue::RequestEvent> {
        match o {
            Observation::Lb(o) => <Balancing as Catalogue>::request(o),
            Observation::Db(_) => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
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
            .filter_map(|n| sim.state(hasim_sim::NodeId(n))?.app().map(App::held))
            .sum();
        out.insert("orders_held_at_end".into(), f64::from(held));
    }

    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
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
