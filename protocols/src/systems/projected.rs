//! What composed systems' catalogues share: a part's properties judged inside the
//! host's run, and a part's figure names with a prefix. Keeps a composed system's
//! catalogue to its own seams; the parts' checks and figures are the families' own.

use crate::catalogue::{FigureDoc, Predicate};
use hasim_sim::{Observed, Protocol, Span, World};

/// Judges a part's property `inner` on a host's world, event by event: the part's views
/// are the host's on `span` (unwrapped by `view`), its observations the host's that
/// `observation` unwraps, renumbered. The buffers live in the closure, so no event
/// allocates once they have grown.
pub fn project<H, P>(
    span: Span,
    mut inner: Predicate<P>,
    view: impl Fn(&H::View) -> Option<P::View> + 'static,
    observation: impl Fn(&H::Observation) -> Option<P::Observation> + 'static,
) -> Predicate<H>
where
    H: Protocol,
    P: Protocol,
{
    let mut views: Vec<Option<P::View>> = Vec::new();
    let mut observed: Vec<Observed<P::Observation>> = Vec::new();
    Box::new(move |w: &World<'_, H>| {
        views.clear();
        let (from, to) = (span.base as usize, (span.base + span.nodes) as usize);
        views.extend(w.views[from..to].iter().map(|v| v.as_ref().and_then(&view)));
        observed.clear();
        observed.extend(w.observations.iter().filter_map(|o| {
            Some(Observed {
                time: o.time,
                node: span.part(o.node)?,
                observation: observation(&o.observation)?,
            })
        }));
        inner(&World {
            now: w.now,
            node: w.node.and_then(|n| span.part(n)),
            views: &views,
            observations: &observed,
        })
    })
}

/// A part's figure documentation under a prefix (`store_` + `availability`).
pub fn prefixed(prefix: &str, figures: Vec<FigureDoc>) -> Vec<FigureDoc> {
    figures
        .into_iter()
        .map(|f| FigureDoc {
            name: format!("{prefix}{}", f.name).into(),
            unit: f.unit,
            doc: f.doc,
        })
        .collect()
}
