//! The one error a model's parameters give. Every family's `validate` and
//! constructor returns it, so whoever embeds a model (the CLI, a composed system, a
//! user's crate) gets a typed error to match on, and one reporting layer words it.

use core::fmt;

/// Parameters a model refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidParams {
    /// One parameter's value: the field as a scenario writes it (dotted for a nested
    /// one, `client.timeout`), and what it must be.
    Field {
        /// The parameter.
        field: String,
        /// What it must be (`must be longer than 0s`).
        expected: String,
    },
    /// Parameters each valid alone that contradict one another or the layout (the
    /// message names the fields).
    Rule(String),
}

impl InvalidParams {
    /// `field` must be `expected`.
    pub fn field(field: impl Into<String>, expected: impl Into<String>) -> Self {
        InvalidParams::Field {
            field: field.into(),
            expected: expected.into(),
        }
    }

    /// A rule between parameters, worded in full.
    pub fn rule(message: impl Into<String>) -> Self {
        InvalidParams::Rule(message.into())
    }

    /// The same error for a parameter set nested under `part` (`executor` +
    /// `crash_mtbf` is `executor.crash_mtbf`).
    pub fn within(self, part: &str) -> Self {
        match self {
            InvalidParams::Field { field, expected } => InvalidParams::Field {
                field: format!("{part}.{field}"),
                expected,
            },
            InvalidParams::Rule(m) => InvalidParams::Rule(format!("{part}: {m}")),
        }
    }
}

impl fmt::Display for InvalidParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidParams::Field { field, expected } => write!(f, "{field}: {expected}"),
            InvalidParams::Rule(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for InvalidParams {}

/// A rule worded in full, for the validations that build their message in one piece.
impl From<String> for InvalidParams {
    fn from(message: String) -> Self {
        InvalidParams::Rule(message)
    }
}

impl From<&str> for InvalidParams {
    fn from(message: &str) -> Self {
        InvalidParams::Rule(message.to_string())
    }
}
