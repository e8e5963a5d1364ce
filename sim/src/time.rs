//! Simulated time: integer nanoseconds, never floats, never the wall clock.
//!
//! `SimTime` is an instant on a clock (global or a node's local clock); `SimDuration`
//! is a span. Both parse and print human durations ("250ms", "1.5s", "2h") so that
//! scenario files, traces and summaries speak the same units.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in simulated time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant (about 584 years).
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// An instant `nanos` nanoseconds after the start.
    pub const fn from_nanos(nanos: u64) -> Self {
        SimTime(nanos)
    }
    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Seconds since the start, for reports only (never for scheduling).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
    /// `self + d`, saturating at [`SimTime::MAX`].
    pub const fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The longest representable span.
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    /// A span of `nanos` nanoseconds.
    pub const fn from_nanos(nanos: u64) -> Self {
        SimDuration(nanos)
    }
    /// A span of `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Self {
        SimDuration(micros * 1_000)
    }
    /// A span of `millis` milliseconds.
    pub const fn from_millis(millis: u64) -> Self {
        SimDuration(millis * 1_000_000)
    }
    /// A span of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs * 1_000_000_000)
    }
    /// A span from fractional seconds, rounded to the nearest nanosecond and clamped to
    /// `[0, MAX]`. Used for sampled values; never for arithmetic on time.
    #[inline]
    pub fn from_secs_f64(secs: f64) -> Self {
        if secs.is_nan() || secs <= 0.0 {
            SimDuration(0)
        } else if secs >= u64::MAX as f64 / 1e9 {
            SimDuration(u64::MAX)
        } else {
            SimDuration(round_nanos(secs * 1e9))
        }
    }
    /// Nanoseconds in the span.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Seconds in the span, for reports and sampling parameters.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    /// Whether the span is empty.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    /// `self * k`, saturating.
    pub const fn saturating_mul(self, k: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(k))
    }
    /// `self + other`, saturating.
    pub const fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }
    /// `self - other`, or zero.
    pub const fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }

    /// Parses a human duration: a decimal number followed by a unit, `ns`, `us`, `ms`,
    /// `s`, `m`, `h` or `d` ("250ms", "1.5s", "2h", "0s"). Compound forms are not
    /// accepted: one number, one unit, so a scenario reads unambiguously.
    pub fn parse(text: &str) -> Result<SimDuration, DurationError> {
        let text = text.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| {
                DurationError::new(text, "a unit after the number (ns, us, ms, s, m, h, d)")
            })?;
        let (number, unit) = text.split_at(split);
        let scale: u64 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" | "min" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            _ => {
                return Err(DurationError::new(
                    text,
                    "a unit of ns, us, ms, s, m, h or d",
                ))
            }
        };
        if number.is_empty() {
            return Err(DurationError::new(text, "a number before the unit"));
        }
        // Exact decimal arithmetic: "0.1s" must be exactly 100ms on every platform.
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number, ""),
        };
        if frac.contains('.') || (whole.is_empty() && frac.is_empty()) {
            return Err(DurationError::new(
                text,
                "a decimal number such as 250 or 1.5",
            ));
        }
        let overflow = || DurationError::new(text, "a duration under 584 years");
        let whole_value: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| overflow())?
        };
        let mut nanos = whole_value.checked_mul(scale).ok_or_else(overflow)?;
        let mut place = scale;
        for digit in frac.bytes() {
            place /= 10;
            if place == 0 {
                if digit != b'0' {
                    return Err(DurationError::new(
                        text,
                        "no precision finer than a nanosecond",
                    ));
                }
                continue;
            }
            nanos = nanos
                .checked_add(u64::from(digit - b'0') * place)
                .ok_or_else(overflow)?;
        }
        Ok(SimDuration(nanos))
    }
}

/// `libm::round(x) as u64` for `x > 0` (half away from zero), without the library
/// call for the values sampling produces, on every sampled latency and service time.
/// Below 2^52 the integer part is exact in an i64 and so is the fraction
/// `x - trunc(x)`, so comparing the fraction with one half rounds as `round` does.
#[inline(always)]
fn round_nanos(x: f64) -> u64 {
    if x < 4_503_599_627_370_496.0 {
        let whole = x as i64;
        let fraction = x - whole as f64;
        whole as u64 + u64::from(fraction >= 0.5)
    } else {
        libm::round(x) as u64
    }
}

/// A duration string that could not be parsed, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    /// The text as given.
    pub text: String,
    /// What a valid duration needs.
    pub expected: &'static str,
}

impl DurationError {
    fn new(text: &str, expected: &'static str) -> Self {
        DurationError {
            text: text.to_string(),
            expected,
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid duration {:?}: expected {}",
            self.text, self.expected
        )
    }
}

impl std::error::Error for DurationError {}

/// Prints nanoseconds in the largest unit that keeps the value exact, trimming
/// trailing zeros: 1_500_000_000 → "1.5s", 250_000_000 → "250ms", 0 → "0s".
fn write_nanos(f: &mut fmt::Formatter<'_>, nanos: u64) -> fmt::Result {
    const UNITS: [(u64, &str); 4] = [
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if nanos == 0 {
        return f.write_str("0s");
    }
    if nanos >= 3_600_000_000_000 && nanos % 3_600_000_000_000 == 0 {
        return write!(f, "{}h", nanos / 3_600_000_000_000);
    }
    for (scale, unit) in UNITS {
        if nanos >= scale {
            let whole = nanos / scale;
            let rest = nanos % scale;
            if rest == 0 {
                return write!(f, "{whole}{unit}");
            }
            let width = scale.ilog10() as usize;
            let digits = format!("{rest:0width$}");
            return write!(f, "{whole}.{}{unit}", digits.trim_end_matches('0'));
        }
    }
    unreachable!("nanos > 0 is at least 1ns")
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_nanos(f, self.0)
    }
}
impl fmt::Debug for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_nanos(f, self.0)
    }
}
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_nanos(f, self.0)
    }
}
impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("@")?;
        write_nanos(f, self.0)
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.checked_add(d.0).expect("SimTime overflow"))
    }
}
impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}
impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        SimDuration(
            self.0
                .checked_sub(earlier.0)
                .expect("SimTime subtraction went negative"),
        )
    }
}
impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.checked_add(d.0).expect("SimDuration overflow"))
    }
}
impl Sub for SimDuration {
    type Output = SimDuration;
    fn sub(self, d: SimDuration) -> SimDuration {
        SimDuration(
            self.0
                .checked_sub(d.0)
                .expect("SimDuration subtraction went negative"),
        )
    }
}

impl Serialize for SimDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SimDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}
impl Serialize for SimTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for SimTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SimDuration::parse(&text)
            .map(|d| SimTime(d.0))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast rounding must agree with `libm::round` bit for bit, or every sampled
    /// duration (and every trace) would change: halves, the doubles either side of
    /// them, the 2^52 boundary, and a million random doubles of every magnitude below
    /// 2^64.
    #[test]
    fn round_nanos_agrees_with_libm_round() {
        let check = |x: f64| {
            if x > 0.0 && x < u64::MAX as f64 {
                assert_eq!(round_nanos(x), libm::round(x) as u64, "x = {x:e}");
            }
        };
        for k in [
            0u64,
            1,
            2,
            3,
            1_000_000,
            (1 << 51) - 1,
            1 << 51,
            (1 << 52) - 1,
        ] {
            let half = k as f64 + 0.5;
            for x in [half, k as f64, k as f64 + 1.0] {
                check(x);
                check(f64::from_bits(x.to_bits() + 1));
                check(f64::from_bits(x.to_bits().saturating_sub(1)));
            }
        }
        check(0.499_999_999_999_999_94);
        check(4_503_599_627_370_496.0);
        let mut state = 0x5EED_u64;
        for _ in 0..1_000_000 {
            // splitmix64: a fixed stream of bit patterns.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            // Exponents from 2^-12 to 2^64, any mantissa.
            let exponent = 1011 + (z >> 52) % 76;
            check(f64::from_bits((exponent << 52) | (z & ((1 << 52) - 1))));
        }
    }

    #[test]
    fn parses_units_exactly() {
        assert_eq!(
            SimDuration::parse("250ms").unwrap(),
            SimDuration::from_millis(250)
        );
        assert_eq!(
            SimDuration::parse("1.5s").unwrap(),
            SimDuration::from_millis(1500)
        );
        assert_eq!(
            SimDuration::parse("2h").unwrap(),
            SimDuration::from_secs(7200)
        );
        assert_eq!(
            SimDuration::parse("0.1s").unwrap(),
            SimDuration::from_millis(100)
        );
        assert_eq!(
            SimDuration::parse("3us").unwrap(),
            SimDuration::from_nanos(3000)
        );
        assert_eq!(
            SimDuration::parse("1d").unwrap(),
            SimDuration::from_secs(86_400)
        );
        assert_eq!(
            SimDuration::parse(".5s").unwrap(),
            SimDuration::from_millis(500)
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "5",
            "ms",
            "1.2.3s",
            "5 parsecs",
            "-1s",
            "1.5ns",
            "99999999999999999999s",
        ] {
            assert!(
                SimDuration::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "0s",
            "1ns",
            "250ms",
            "1.5s",
            "2h",
            "1.000001s",
            "90s",
            "3us",
        ] {
            let d = SimDuration::parse(text).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(SimDuration::parse(&d.to_string()).unwrap(), d);
        }
    }
}
