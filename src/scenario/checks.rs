//! `[[check]]`: what must hold. Objectives on figures ("availability = \">= 99.9%\""),
//! safety invariants that must hold after every event, liveness that must hold within
//! a bound after the last fault, coverage that must happen at least once, and checks
//! of the finished run as a whole (lost writes, linearizability).

use hasim_sim::SimDuration;
use std::fmt;

/// A comparison in an objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `>=`
    AtLeast,
    /// `<=`
    AtMost,
    /// `>`
    Above,
    /// `<`
    Below,
    /// `==`
    Equal,
}

impl Comparison {
    /// Whether `measured` satisfies the comparison with `bound`.
    pub fn holds(self, measured: f64, bound: f64) -> bool {
        match self {
            Comparison::AtLeast => measured >= bound,
            Comparison::AtMost => measured <= bound,
            Comparison::Above => measured > bound,
            Comparison::Below => measured < bound,
            Comparison::Equal => measured == bound,
        }
    }
    /// The comparison as written in a scenario (`>=`).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::Below => "<",
            Comparison::Equal => "==",
        }
    }
}

/// How an objective's bound was written, to match it against the figure's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundUnit {
    /// "99.9%": stored as a fraction.
    Percent,
    /// "200ms": stored in seconds.
    Duration,
    /// A plain number.
    Number,
}

/// One check.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// A figure compared with a bound, after the run.
    Objective {
        /// The figure's name.
        figure: String,
        /// The comparison.
        comparison: Comparison,
        /// The bound in base units (fraction, seconds, count).
        bound: f64,
        /// How it was written.
        unit: BoundUnit,
        /// The bound as written ("99.9%").
        written: String,
    },
    /// A named property that must hold after every event.
    Invariant {
        /// The property's name.
        name: String,
    },
    /// A named property that must hold within `within` of the last fault.
    Eventually {
        /// The property's name.
        name: String,
        /// The bound.
        within: SimDuration,
    },
    /// A named property that must hold at least once.
    Sometimes {
        /// The property's name.
        name: String,
    },
    /// A named check of the finished run as a whole (no acknowledged write lost, the
    /// history is linearizable): judged once, after the last event.
    AtEnd {
        /// The check's name.
        name: String,
    },
}

impl Check {
    /// Parses a `[[check]]` table. The error names the offending key.
    pub fn parse(table: &toml::Table) -> Result<Check, (Option<String>, String)> {
        let text = |key: &str| -> Result<Option<String>, (Option<String>, String)> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err((
                    Some(key.to_string()),
                    format!("expected a string, found {}", other.type_str()),
                )),
            }
        };
        let only = |allowed: &[&str]| -> Result<(), (Option<String>, String)> {
            match table.keys().find(|k| !allowed.contains(&k.as_str())) {
                Some(k) => Err((
                    Some(k.clone()),
                    format!(
                        "unexpected key in this check; expected only {}",
                        allowed.join(", ")
                    ),
                )),
                None => Ok(()),
            }
        };
        if let Some(name) = text("invariant")? {
            only(&["invariant"])?;
            return Ok(Check::Invariant { name });
        }
        if let Some(name) = text("sometimes")? {
            only(&["sometimes"])?;
            return Ok(Check::Sometimes { name });
        }
        if let Some(name) = text("at_end")? {
            only(&["at_end"])?;
            return Ok(Check::AtEnd { name });
        }
        if let Some(name) = text("eventually")? {
            only(&["eventually", "within"])?;
            let within = text("within")?.ok_or((
                Some("within".to_string()),
                "a liveness check needs `within`, a duration such as \"5s\"".to_string(),
            ))?;
            let within = SimDuration::parse(&within)
                .map_err(|e| (Some("within".to_string()), e.to_string()))?;
            if within.is_zero() {
                return Err((
                    Some("within".to_string()),
                    "expected a bound above zero".to_string(),
                ));
            }
            return Ok(Check::Eventually { name, within });
        }
        if table.contains_key("within") {
            return Err((
                Some("within".to_string()),
                "`within` belongs to an `eventually` check".to_string(),
            ));
        }
        let mut keys = table.keys();
        let (Some(figure), None) = (keys.next(), keys.next()) else {
            return Err((
                None,
                "expected one of: `invariant = \"NAME\"`, `eventually = \"NAME\"` with `within`, `sometimes = \"NAME\"`, `at_end = \"NAME\"`, or one objective such as `availability = \">= 99.9%\"`".to_string(),
            ));
        };
        let (comparison, bound, unit, written) = match &table[figure] {
            toml::Value::String(s) => parse_objective(s).map_err(|m| (Some(figure.clone()), m))?,
            other => {
                return Err((
                    Some(figure.clone()),
                    format!(
                        "expected an objective such as \">= 99.9%\" or \"<= 200ms\", found {}",
                        other.type_str()
                    ),
                ))
            }
        };
        Ok(Check::Objective {
            figure: figure.clone(),
            comparison,
            bound,
            unit,
            written,
        })
    }

    /// The property name, for invariant, liveness and coverage checks.
    pub fn property(&self) -> Option<&str> {
        match self {
            Check::Objective { .. } | Check::AtEnd { .. } => None,
            Check::Invariant { name }
            | Check::Eventually { name, .. }
            | Check::Sometimes { name } => Some(name),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Objective {
                figure,
                comparison,
                written,
                ..
            } => write!(f, "{figure} {} {written}", comparison.symbol()),
            Check::Invariant { name } => write!(f, "always {name}"),
            Check::Eventually { name, within } => write!(f, "eventually {name} within {within}"),
            Check::Sometimes { name } => write!(f, "sometimes {name}"),
            Check::AtEnd { name } => write!(f, "at end {name}"),
        }
    }
}

/// Parses ">= 99.9%", "<= 200ms", "== 0".
fn parse_objective(text: &str) -> Result<(Comparison, f64, BoundUnit, String), String> {
    let t = text.trim();
    let (comparison, rest) = [
        (">=", Comparison::AtLeast),
        ("<=", Comparison::AtMost),
        ("==", Comparison::Equal),
        (">", Comparison::Above),
        ("<", Comparison::Below),
        ("≥", Comparison::AtLeast),
        ("≤", Comparison::AtMost),
    ]
    .iter()
    .find_map(|(sym, c)| t.strip_prefix(sym).map(|r| (*c, r.trim())))
    .ok_or_else(|| {
        format!("{text:?}: expected a comparison first (>=, <=, >, <, ==), as in \">= 99.9%\"")
    })?;
    if let Some(p) = rest.strip_suffix('%') {
        let v: f64 = p
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: expected a percentage such as 99.9%"))?;
        if !(0.0..=100.0).contains(&v) {
            return Err(format!("{text:?}: a percentage must be in [0, 100]"));
        }
        return Ok((comparison, v / 100.0, BoundUnit::Percent, rest.to_string()));
    }
    if let Ok(v) = rest.parse::<f64>() {
        if !v.is_finite() {
            return Err(format!("{text:?}: expected a finite number"));
        }
        return Ok((comparison, v, BoundUnit::Number, rest.to_string()));
    }
    let d = SimDuration::parse(rest).map_err(|e| {
        format!("{text:?}: expected a percentage (99.9%), a duration (200ms) or a number after the comparison ({e})")
    })?;
    Ok((
        comparison,
        d.as_secs_f64(),
        BoundUnit::Duration,
        rest.to_string(),
    ))
}

/// An objective's bound, judged against the unit of the figure it bounds: a bare
/// number on a duration (`"<= 50"`: 50 seconds or 50 ms?) or a bare number above 1 on a
/// fraction (`">= 85"`: never met) is a misreading waiting to happen, and `==` on a
/// figure measured continuously (a duration, a fraction) is almost never met exactly.
pub struct ObjectiveBound<'a> {
    /// The comparison.
    pub comparison: Comparison,
    /// How the bound was written.
    pub unit: BoundUnit,
    /// The bound in base units.
    pub value: f64,
    /// The bound as written ("85").
    pub written: &'a str,
}

impl ObjectiveBound<'_> {
    /// Why `figure`, of unit `unit`, cannot be compared with this bound, with the form
    /// that would be accepted; `None` when it can.
    pub fn refusal(&self, figure: &str, unit: crate::models::Unit) -> Option<String> {
        use crate::models::Unit;
        let sym = self.comparison.symbol();
        let w = self.written;
        let form = match (unit, self.unit) {
            (Unit::Seconds, BoundUnit::Duration)
            | (Unit::Fraction, BoundUnit::Percent)
            | (Unit::Count, BoundUnit::Number) => None,
            (Unit::Fraction, BoundUnit::Number) if (0.0..=1.0).contains(&self.value) => None,
            (Unit::Seconds, BoundUnit::Number) => Some(format!(
                "{figure} is a duration: \"{sym} {w}\" has no unit; write one, as in \"{sym} {w}ms\" or \"{sym} {w}s\""
            )),
            (Unit::Fraction, BoundUnit::Number) => Some(format!(
                "{figure} is a fraction: \"{sym} {w}\" is outside [0, 1]; write a percentage such as \"{sym} {w}%\" or a fraction such as \"{sym} {}\"",
                self.value / 100.0
            )),
            (Unit::Fraction, _) => Some(format!(
                "{figure} is compared with a percentage such as \">= 99.9%\" (or a fraction)"
            )),
            (Unit::Seconds, _) => Some(format!(
                "{figure} is compared with a duration such as \"<= 200ms\" (the unit is required)"
            )),
            (Unit::Count, _) => Some(format!(
                "{figure} is compared with a plain number such as \"<= 10\""
            )),
        };
        if form.is_some() {
            return form;
        }
        let continuous = match unit {
            Unit::Seconds => "a duration",
            Unit::Fraction => "a fraction",
            Unit::Count => return None,
        };
        (self.comparison == Comparison::Equal).then(|| {
            format!(
                "{figure} is {continuous}, measured on a continuous scale, so `== {w}` is almost never met exactly; write a range, such as \"<= {w}\" or \">= {w}\" (`==` is for counts)"
            )
        })
    }
}
