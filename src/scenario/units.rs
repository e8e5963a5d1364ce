//! Values with units that scenarios write as text: probabilities ("1/100", 0.01,
//! "1%"), and distributions written as one duration where a mean or a fixed value is
//! meant. Each validates while it deserialises, so errors carry the value's position.

use hasim_sim::{Distribution, SimDuration};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A probability in [0, 1], written as a decimal (0.001), a ratio ("1/1000") or a
/// percentage ("0.1%").
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Probability(pub f64);

impl Probability {
    /// Parses the text forms: "1/100", "0.5%", "0.01".
    pub fn parse(text: &str) -> Result<Probability, String> {
        let t = text.trim();
        let value = if let Some((a, b)) = t.split_once('/') {
            let a: f64 = a.trim().parse().map_err(|_| expected(text))?;
            let b: f64 = b.trim().parse().map_err(|_| expected(text))?;
            if b == 0.0 {
                return Err(format!("{text:?} divides by zero; expected a probability"));
            }
            a / b
        } else if let Some(p) = t.strip_suffix('%') {
            p.trim().parse::<f64>().map_err(|_| expected(text))? / 100.0
        } else {
            t.parse().map_err(|_| expected(text))?
        };
        Probability::check(value)
    }

    fn check(value: f64) -> Result<Probability, String> {
        if value.is_finite() && (0.0..=1.0).contains(&value) {
            Ok(Probability(value))
        } else {
            Err(format!(
                "{value} is not a probability: expected a value in [0, 1] (such as 0.01, \"1/100\" or \"1%\")"
            ))
        }
    }
}

fn expected(text: &str) -> String {
    format!("{text:?} is not a probability: expected a decimal (0.01), a ratio (\"1/100\") or a percentage (\"1%\")")
}

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Probability;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a probability: a decimal (0.01), a ratio (\"1/100\") or a percentage (\"1%\")",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Probability, E> {
                Probability::check(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Probability, E> {
                Probability::check(v as f64).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Probability, E> {
                Probability::check(v as f64).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Probability, E> {
                Probability::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Probability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

/// A distribution where one duration means an exponential with that mean: times
/// between failures (`mtbf`), repair times (`mttr`), gaps between episodes (`every`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanDist(pub Distribution);

/// A distribution where one duration means exactly that: how long an episode lasts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FixedDist(pub Distribution);

fn deserialize_dist<'de, D: Deserializer<'de>>(
    d: D,
    from_one: fn(SimDuration) -> Distribution,
    what: &'static str,
) -> Result<Distribution, D::Error> {
    struct V(fn(SimDuration) -> Distribution, &'static str);
    impl<'de> Visitor<'de> for V {
        type Value = Distribution;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "a duration such as \"5s\" ({}) or a distribution such as {{ dist = \"uniform\", min = \"1s\", max = \"5s\" }}",
                self.1
            )
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Distribution, E> {
            let d = SimDuration::parse(v).map_err(E::custom)?;
            Ok((self.0)(d))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Distribution, A::Error> {
            let dist = Distribution::deserialize(de::value::MapAccessDeserializer::new(map))?;
            dist.validate().map_err(de::Error::custom)?;
            Ok(dist)
        }
    }
    d.deserialize_any(V(from_one, what))
}

impl<'de> Deserialize<'de> for MeanDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_dist(
            d,
            |mean| Distribution::Exponential { mean },
            "the mean of an exponential",
        )
        .map(MeanDist)
    }
}

impl<'de> Deserialize<'de> for FixedDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_dist(d, Distribution::constant, "exactly that long").map(FixedDist)
    }
}

/// A distribution that must be valid (ordered bounds, positive shapes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValidDist(pub Distribution);

impl<'de> Deserialize<'de> for ValidDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dist = Distribution::deserialize(d)?;
        dist.validate().map_err(de::Error::custom)?;
        Ok(ValidDist(dist))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_in_every_form() {
        assert_eq!(Probability::parse("1/100").unwrap().0, 0.01);
        assert_eq!(Probability::parse("50%").unwrap().0, 0.5);
        assert_eq!(Probability::parse("0.25").unwrap().0, 0.25);
        assert!(Probability::parse("3/2").is_err());
        assert!(Probability::parse("1/0").is_err());
        assert!(Probability::parse("-1%").is_err());
        assert!(Probability::parse("often").is_err());
    }
}
