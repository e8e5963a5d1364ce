//! `[gallery]`: the optional section that makes a scenario a row of the README's
//! gallery table (`hasim gallery`): the row's title and the sweep figures it shows.
//! Only gallery scenarios carry it; a run ignores it.
//!
//! Figure names are checked here against the figures the model declares, so a typo is
//! a located error when the file is loaded, before any seed runs. Whether a declared
//! figure was actually reported on the sweep is the gallery's to check afterwards.

use super::known::Known;
use super::schema::GallerySpec;
use super::validate::Bad;
use toml::Spanned;

/// The gallery row of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gallery {
    /// The row's label.
    pub title: String,
    /// The sweep figures shown, in the file's order.
    pub figures: Vec<String>,
}

/// Validates `[gallery]` against the model's (or composition's) figures.
pub(super) fn resolve(
    spec: Option<&Spanned<GallerySpec>>,
    known: &Known,
) -> Result<Option<Gallery>, Bad> {
    let Some(spec) = spec else {
        return Ok(None);
    };
    let spec = spec.get_ref();
    let title = spec.title.get_ref().trim();
    if title.is_empty() {
        return Err(Bad::at(
            &spec.title,
            "gallery.title",
            "expected a non-empty title (the row's label in the gallery table)",
        ));
    }
    if spec.figures.get_ref().is_empty() {
        return Err(Bad::at(
            &spec.figures,
            "gallery.figures",
            "expected at least one figure name, such as [\"availability\"]",
        ));
    }
    let mut figures: Vec<String> = Vec::new();
    for (i, name) in spec.figures.get_ref().iter().enumerate() {
        let figure = name.get_ref();
        let field = format!("gallery.figures[{i}]");
        if known.figure(figure).is_none() {
            return Err(Bad::at(
                name,
                field,
                format!(
                    "{} reports no figure {figure:?}; expected one of: {}",
                    known.what,
                    known.figure_names()
                ),
            ));
        }
        if figures.iter().any(|f| f == figure) {
            return Err(Bad::at(name, field, format!("{figure:?} is listed twice")));
        }
        figures.push(figure.clone());
    }
    Ok(Some(Gallery {
        title: title.to_string(),
        figures,
    }))
}
