//! Why `hasim gallery` could not make or place its table: typed, each naming the
//! file (scenario or README) and what to do about it.

use crate::scenario::ScenarioError;
use std::fmt;
use std::path::PathBuf;

/// A gallery failure that is bad input (exit code 2), not a violated check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GalleryError {
    /// A file or directory could not be read or written.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// A gallery scenario failed to load.
    Scenario(ScenarioError),
    /// A `gallery_*.toml` file without a `[gallery]` section.
    NotGallery {
        /// The scenario file.
        scenario: PathBuf,
    },
    /// A figure the scenario asks for that no seed of the sweep reported.
    FigureNotReported {
        /// The scenario file.
        scenario: PathBuf,
        /// The figure in `[gallery] figures`.
        figure: String,
        /// The figures the sweep did report.
        reported: Vec<String>,
    },
    /// A seed could not be run at all (the model refused its configuration).
    Run {
        /// The scenario file.
        scenario: PathBuf,
        /// The runner's reason.
        message: String,
    },
    /// The README's markers are missing, repeated or out of order.
    Marker {
        /// The README.
        file: PathBuf,
        /// What is wrong with them.
        message: String,
    },
    /// The seed range stated in the README's table cannot be read.
    StatedSeeds {
        /// The README.
        file: PathBuf,
        /// The line, and why.
        message: String,
    },
    /// A bad command-line value.
    Argument(String),
}

impl fmt::Display for GalleryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GalleryError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            GalleryError::Scenario(e) => write!(f, "{e}"),
            GalleryError::NotGallery { scenario } => write!(
                f,
                "{}: a gallery scenario needs a [gallery] section with a title and figures, \
                 such as:\n  [gallery]\n  title = \"Telecom edge\"\n  figures = [\"availability\"]",
                scenario.display()
            ),
            GalleryError::FigureNotReported {
                scenario,
                figure,
                reported,
            } => write!(
                f,
                "{}: field `gallery.figures`: no seed of the sweep reported the figure {figure:?}; \
                 the sweep reported: {}",
                scenario.display(),
                if reported.is_empty() {
                    "(no figure)".to_string()
                } else {
                    reported.join(", ")
                }
            ),
            GalleryError::Run { scenario, message } => {
                write!(f, "{}: {message}", scenario.display())
            }
            GalleryError::Marker { file, message } => write!(f, "{}: {message}", file.display()),
            GalleryError::StatedSeeds { file, message } => {
                write!(f, "{}: {message}", file.display())
            }
            GalleryError::Argument(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for GalleryError {}

impl From<ScenarioError> for GalleryError {
    fn from(e: ScenarioError) -> Self {
        GalleryError::Scenario(e)
    }
}
