//! The catalogue of a composition: every part's figures and checks under the part's
//! name (`front.success_rate`, `orders.one_leader_per_term`), judged on projections of
//! the run, plus what each store seam still held at the end.
//!
//! A composition's names depend on its scenario, so the static docs are empty and
//! [`Composed::figure_docs_of`] and [`Composed::knows`] give the instance's.

use super::{kinds, Composed, Observation, PartIx, View};
use crate::catalogue::{Catalogue, FigureDoc, Predicate, PropertyDoc, RequestEvent, Unit};
use hasim_sim::{Inspect, NodeId};
use std::collections::BTreeMap;

/// Which of a part's lists a name is looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listing {
    /// Its properties (invariants, eventually, sometimes).
    Property,
    /// Its end checks.
    EndCheck,
}

impl Composed {
    /// The part a prefixed name (`PART.NAME`) belongs to, and the rest of the name.
    pub fn split<'n>(&self, name: &'n str) -> Option<(PartIx, &'n str)> {
        let (part, rest) = name.split_once('.')?;
        Some((self.part_named(part)?, rest))
    }

    /// Every figure the system reports: each part's under its name, and each store
    /// seam's `held_at_end` under its front part's.
    pub fn figure_docs_of(&self) -> Vec<FigureDoc> {
        let mut out = Vec::new();
        for p in &self.parts {
            let prefix = format!("{}.", p.name);
            out.extend(crate::systems::projected::prefixed(
                &prefix,
                p.kind.figure_docs(),
            ));
        }
        for s in &self.stores {
            out.push(FigureDoc {
                name: format!("{}.held_at_end", self.parts[usize::from(s.front)].name).into(),
                unit: Unit::Count,
                doc: "requests the backends still held for the store when the run ended",
            });
        }
        out
    }

    /// Whether `name` (`PART.NAME`) is one of the system's properties or end checks;
    /// else what the names could be.
    pub fn knows(&self, name: &str, listing: Listing) -> Result<(), Vec<String>> {
        let docs = |p: &super::Part| -> Vec<PropertyDoc> {
            match listing {
                Listing::Property => p.kind.property_docs(),
                Listing::EndCheck => p.kind.end_check_docs(),
            }
        };
        if let Some((i, rest)) = self.split(name) {
            if docs(&self.parts[usize::from(i)])
                .iter()
                .any(|d| d.name == rest)
            {
                return Ok(());
            }
        }
        Err(self
            .parts
            .iter()
            .flat_map(|p| {
                docs(p)
                    .into_iter()
                    .map(move |d| format!("{}.{}", p.name, d.name))
            })
            .collect())
    }
}

impl Catalogue for Composed {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        Vec::new()
    }

    fn property_docs() -> Vec<PropertyDoc> {
        Vec::new()
    }

    fn property(&self, name: &str) -> Option<Predicate<Self>> {
        let (i, rest) = self.split(name)?;
        self.part_property(i, rest)
    }

    fn figures(run: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
        let sys = run.protocol();
        let mut part = BTreeMap::new();
        for (i, p) in sys.parts.iter().enumerate() {
            part.clear();
            Composed::part_figures(run, i as PartIx, &mut part);
            out.extend(
                std::mem::take(&mut part)
                    .into_iter()
                    .map(|(k, v)| (format!("{}.{k}", p.name), v)),
            );
        }
        for (k, s) in sys.stores.iter().enumerate() {
            let held: u32 = (0..run.node_count())
                .filter_map(|n| run.state(NodeId(n)))
                .map(|st| st.held(k))
                .sum();
            let name = &sys.parts[usize::from(s.front)].name;
            out.insert(format!("{name}.held_at_end"), f64::from(held));
        }
    }

    fn end_check(run: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        let (i, rest) = run.protocol().split(name)?;
        Composed::part_end_check(run, i, rest)
    }

    fn role(view: &View) -> Option<&'static str> {
        view.all().find_map(|(_, v)| kinds::view_role(v))
    }

    fn request(observation: &Observation) -> Option<RequestEvent> {
        kinds::request(observation)
    }

    fn suspicion(observation: &Observation) -> Option<(NodeId, bool)> {
        kinds::suspicion(observation)
    }
}
