//! Compositions, registry side: a part's model name to its protocol (a
//! [`Kind`](hasim_protocols::compose::Kind)), built from the part's groups by the very
//! `Model::build` that builds the model alone, and the descriptor a composed
//! scenario's results carry where a model's name would be.

use super::{
    detection::DetectorModel, GroupParams, Model, ModelEntry, ParamError, RoleDoc, RunHandle,
};
use hasim_protocols::compose::{Composed, Kind};
use hasim_protocols::detection::{Heartbeat, PhiAccrual, Prometheus, Swim};

macro_rules! composable {
    ($($model:ty),+ $(,)?) => {
        /// Builds part model `model` on `nodes` nodes from its groups (renumbered from
        /// 0); `None` for a model that cannot be a part.
        pub fn build_part(
            model: &str,
            nodes: u32,
            groups: &[GroupParams<'_>],
        ) -> Option<Result<Kind, ParamError>> {
            $(if model == <$model as Model>::NAME {
                return Some(<$model as Model>::build(nodes, groups).map(Kind::from));
            })+
            None
        }

        /// The roles of part model `model`, with their parameters.
        pub fn part_roles(model: &str) -> Option<Vec<RoleDoc>> {
            $(if model == <$model as Model>::NAME {
                return Some(<$model as Model>::roles());
            })+
            None
        }

        /// The models a part can be, in `hasim list` order.
        pub fn composable() -> Vec<&'static str> {
            vec![$(<$model as Model>::NAME),+]
        }
    };
}

composable! {
    super::ping::PingModel,
    super::balancing::BalancingModel,
    DetectorModel<Heartbeat>,
    DetectorModel<PhiAccrual>,
    DetectorModel<Swim>,
    DetectorModel<Prometheus>,
    super::quorum::QuorumModel,
    super::isr::IsrModel,
    super::redundancy::RedundancyModel,
    super::supervisor::SupervisorModel,
    super::rereplication::RereplicationModel,
    super::compute::ComputeModel,
    super::raft::RaftModel,
    super::primary_backup::PrimaryBackupModel,
}

/// The descriptor of a composition: each part's name and model, `front:balancing+orders:raft`.
pub fn descriptor(c: &Composed) -> String {
    let parts: Vec<String> = c
        .parts
        .iter()
        .map(|p| format!("{}:{}", p.name, p.kind.model()))
        .collect();
    parts.join("+")
}

/// For a composition's descriptor and a figure of one of its parts
/// (`orders.availability`): the part's model and the figure's name in it.
pub fn part_figure<'a>(descriptor: &'a str, figure: &'a str) -> Option<(&'a str, &'a str)> {
    let (part, rest) = figure.split_once('.')?;
    descriptor.split('+').find_map(|p| {
        let (name, model) = p.split_once(':')?;
        (name == part).then_some((model, rest))
    })
}

/// Whether `model` is a composition's descriptor rather than a model's name.
pub fn is_descriptor(model: &str) -> bool {
    model.contains(':')
}

/// The entry a composed scenario carries in place of a model's: its figures (each
/// part's under its name), the generic properties, and no run of its own (the runner
/// runs the scenario's `composition`).
pub fn entry(c: &Composed) -> ModelEntry {
    let mut figures = crate::generic::generic_figures();
    figures.extend(c.figure_docs_of());
    ModelEntry {
        name: "composition",
        summary: "a system composed of parts in the scenario file",
        roles: Vec::new,
        figures: std::sync::Arc::new(move || figures.clone()),
        properties: crate::generic::generic_properties,
        end_checks: Vec::new,
        validate: |_, _| Ok(()),
        runs: RunHandle::new(()),
    }
}
