//! What a scenario's checks and gallery may name: the figures, properties and end
//! checks of its model, or of its composition (each part's under the part's name).

use crate::models::{FigureDoc, ModelEntry};
use hasim_protocols::compose::Composed;

/// The names a scenario's model knows.
pub(super) struct Known {
    /// The model's name, or the composition's descriptor (`front:balancing+orders:raft`).
    pub(super) model: String,
    /// How messages call it: "the raft model", "the composition".
    pub(super) what: String,
    /// Every figure.
    pub(super) figures: Vec<FigureDoc>,
    /// Every property.
    pub(super) properties: Vec<String>,
    /// Every end check.
    pub(super) end_checks: Vec<String>,
}

impl Known {
    /// A registered model's names.
    pub(super) fn of_model(m: &ModelEntry) -> Known {
        Known {
            model: m.name.to_string(),
            what: format!("the {} model", m.name),
            figures: (m.figures)(),
            properties: (m.properties)()
                .iter()
                .map(|p| p.name.to_string())
                .collect(),
            end_checks: (m.end_checks)()
                .iter()
                .map(|p| p.name.to_string())
                .collect(),
        }
    }

    /// A composition's names: the generic ones, and each part's under its name.
    pub(super) fn of_composed(c: &Composed) -> Known {
        let mut figures = crate::generic::generic_figures();
        figures.extend(c.figure_docs_of());
        let mut properties: Vec<String> = crate::generic::generic_properties()
            .iter()
            .map(|p| p.name.to_string())
            .collect();
        let mut end_checks = Vec::new();
        for p in &c.parts {
            properties.extend(
                p.kind
                    .property_docs()
                    .iter()
                    .map(|d| format!("{}.{}", p.name, d.name)),
            );
            end_checks.extend(
                p.kind
                    .end_check_docs()
                    .iter()
                    .map(|d| format!("{}.{}", p.name, d.name)),
            );
        }
        Known {
            model: crate::models::composed::descriptor(c),
            what: "the composition".to_string(),
            figures,
            properties,
            end_checks,
        }
    }

    /// The figure named `name` (a per-node figure's `.*` matches any node).
    pub(super) fn figure(&self, name: &str) -> Option<&FigureDoc> {
        self.figures.iter().find(|f| {
            f.name == name
                || f.name
                    .strip_suffix('*')
                    .is_some_and(|p| name.starts_with(p) && name.len() > p.len())
        })
    }

    /// Every figure name, for a message.
    pub(super) fn figure_names(&self) -> String {
        let names: Vec<&str> = self.figures.iter().map(|f| &*f.name).collect();
        names.join(", ")
    }
}
