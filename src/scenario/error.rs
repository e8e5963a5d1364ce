//! Typed errors for bad scenarios. Every one names the file, the line and column, the
//! field, and what was expected, so a user can fix the file without reading code.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Where in a file something is: 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The text of that line, for context.
    pub source_line: String,
}

impl Location {
    /// The location of byte offset `span.start` in `text`.
    pub fn of(file: &Path, text: &str, span: Option<Range<usize>>) -> Location {
        let offset = span.map_or(0, |s| s.start).min(text.len());
        let before = &text[..floor_char(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let source_line = text[line_start..].lines().next().unwrap_or("").to_string();
        Location {
            file: file.to_path_buf(),
            line,
            column,
            source_line,
        }
    }

    /// The key written on this location's line (`count` for `count = "three"`), if any.
    pub fn key_on_line(&self) -> Option<String> {
        let (left, _) = self.source_line.split_once('=')?;
        let key = left.trim().trim_start_matches('{').trim();
        let key = key.rsplit([',', '{']).next().unwrap_or(key).trim();
        let valid = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'));
        valid.then(|| key.trim_matches('"').to_string())
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Why a scenario cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The file could not be read.
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// Not valid TOML, or a value of the wrong shape for the schema (an unknown field,
    /// a string where a number belongs, a malformed duration).
    Syntax {
        /// Where.
        at: Location,
        /// The field, when it can be named.
        field: Option<String>,
        /// The parser's explanation, including what was expected.
        message: String,
    },
    /// Well-formed, but meaningless: an unknown role, a probability above 1, a zero
    /// count, a liveness bound past the end of the run.
    Invalid {
        /// Where.
        at: Location,
        /// The field.
        field: String,
        /// What was expected, and what was found.
        message: String,
    },
}

impl ScenarioError {
    /// The location, if the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ScenarioError::Io { .. } => None,
            ScenarioError::Syntax { at, .. } | ScenarioError::Invalid { at, .. } => Some(at),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (at, field, message) = match self {
            ScenarioError::Io { file, message } => {
                return write!(f, "{}: cannot read the scenario: {message}", file.display())
            }
            ScenarioError::Syntax { at, field, message } => (at, field.as_deref(), message),
            ScenarioError::Invalid { at, field, message } => (at, Some(field.as_str()), message),
        };
        write!(f, "{}:{}:{}: ", at.file.display(), at.line, at.column)?;
        if let Some(field) = field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{message}")?;
        if !at.source_line.is_empty() {
            write!(f, "\n {:>4} | {}", at.line, at.source_line)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
