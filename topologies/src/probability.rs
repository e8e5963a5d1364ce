//! Loss probabilities as scenarios write them: a number (`0.001`), a ratio
//! (`"1/1000"`) or a percentage (`"0.1%"`), as DESIGN.md allows. Only the form is
//! checked here; the range [0, 1] is checked by `validate`, which knows the field name.

use core::fmt;
use serde::de::{self, Deserializer, Visitor};

/// A probability written in none of the accepted forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbabilityError {
    /// Not a number, a ratio or a percentage.
    Form {
        /// The text as written.
        text: String,
    },
    /// A ratio over zero.
    ZeroDenominator {
        /// The text as written.
        text: String,
    },
}

impl fmt::Display for ProbabilityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbabilityError::Form { text } => write!(
                f,
                "\"{text}\" is not a probability; expected 0.001, \"1/1000\" or \"0.1%\""
            ),
            ProbabilityError::ZeroDenominator { text } => {
                write!(f, "\"{text}\": the denominator is zero")
            }
        }
    }
}

impl std::error::Error for ProbabilityError {}

/// Parses `"1/1000"`, `"0.1%"` or `"0.001"`.
pub fn parse(text: &str) -> Result<f64, ProbabilityError> {
    let text = text.trim();
    let number = |s: &str| {
        s.trim().parse::<f64>().map_err(|_| ProbabilityError::Form {
            text: text.to_string(),
        })
    };
    if let Some((n, d)) = text.split_once('/') {
        let (n, d) = (number(n)?, number(d)?);
        if d == 0.0 {
            return Err(ProbabilityError::ZeroDenominator {
                text: text.to_string(),
            });
        }
        Ok(n / d)
    } else if let Some(p) = text.strip_suffix('%') {
        Ok(number(p)? / 100.0)
    } else {
        number(text)
    }
}

struct ProbabilityVisitor;

impl Visitor<'_> for ProbabilityVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a probability: a number such as 0.001, or a string \"1/1000\" or \"0.1%\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        parse(v).map_err(E::custom)
    }
}

/// `deserialize_with` for a probability field.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(ProbabilityVisitor)
}

/// `deserialize_with` for an optional probability field (use with `default`).
pub fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::{parse, ProbabilityError};

    #[test]
    fn forms() {
        assert_eq!(parse("1/4"), Ok(0.25));
        assert_eq!(parse("50%"), Ok(0.5));
        assert_eq!(parse("0.125"), Ok(0.125));
        assert!(matches!(
            parse("1/0"),
            Err(ProbabilityError::ZeroDenominator { .. })
        ));
        assert!(parse("lots").is_err());
    }
}
