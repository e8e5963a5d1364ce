//! Which seeds a sweep runs: the `--seeds` range and the `--shard K/N` slice of it.
//!
//! Shards stripe the range round-robin: shard K of N takes the seeds whose offset from
//! the range's start is ≡ K−1 (mod N). Striping rather than contiguous blocks because
//! a scenario's cost rarely depends on the seed but a batch scheduler's machines do
//! differ; striping gives every shard the same number of seeds (±1) from all over the
//! range, so a partial merge still samples the whole range. The shards of one range
//! are disjoint and together cover it exactly once, which is what makes merge exact.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A range of seeds, first to last inclusive, so it can end at `u64::MAX` like any seed
/// `run --seed` accepts. Written `A..B` (B excluded), `A..=B` or a single `N`, and
/// printed as `A..B` (or `A..=18446744073709551615` when it ends at the last seed), so
/// results files keep their format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SeedRange {
    /// First seed.
    pub start: u64,
    /// Last seed (included).
    pub last: u64,
}

impl SeedRange {
    /// The seeds `start..end`, `end` excluded (`end > start`).
    pub const fn until(start: u64, end: u64) -> SeedRange {
        SeedRange {
            start,
            last: end - 1,
        }
    }

    /// The one seed `seed`.
    pub const fn single(seed: u64) -> SeedRange {
        SeedRange {
            start: seed,
            last: seed,
        }
    }

    /// How many seeds the range holds (parsing refuses the one range of 2⁶⁴ seeds,
    /// `0..=u64::MAX`, so this never overflows).
    pub fn len(&self) -> u64 {
        self.last - self.start + 1
    }

    /// Whether the range holds no seed (never: a range holds at least one).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `seed` lies in the range.
    pub fn contains(&self, seed: u64) -> bool {
        (self.start..=self.last).contains(&seed)
    }
}

impl FromStr for SeedRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let number = |part: &str| -> Result<u64, String> {
            part.trim().replace('_', "").parse::<u64>().map_err(|_| {
                format!(
                    "`{part}` is not a seed (a whole number from 0 to {})",
                    u64::MAX
                )
            })
        };
        let empty = || {
            format!("seed range `{s}` is empty: write A..B with A < B, A..=B with A ≤ B, or a single seed")
        };
        let (start, last) = if let Some((a, b)) = s.split_once("..=") {
            let (a, b) = (number(a)?, number(b)?);
            if b < a {
                return Err(empty());
            }
            (a, b)
        } else if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (number(a)?, number(b)?);
            if b <= a {
                return Err(empty());
            }
            (a, b - 1)
        } else {
            let n = number(s)?;
            (n, n)
        };
        if start == 0 && last == u64::MAX {
            return Err(format!(
                "seed range `{s}` holds all 2^64 seeds, more than a sweep can count; give a smaller range"
            ));
        }
        Ok(SeedRange { start, last })
    }
}

impl fmt::Display for SeedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last.checked_add(1) {
            Some(end) => write!(f, "{}..{end}", self.start),
            None => write!(f, "{}..={}", self.start, self.last),
        }
    }
}

impl TryFrom<String> for SeedRange {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<SeedRange> for String {
    fn from(r: SeedRange) -> String {
        r.to_string()
    }
}

/// Shard `index` (1-based) of `count`. Written `K/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Shard {
    /// K, from 1 to `count`: batch schedulers number from 0, so their index + 1.
    pub index: u64,
    /// N, the number of shards.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("shard `{s}` should be K/N with 1 ≤ K ≤ N, for example 1/4");
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl TryFrom<String> for Shard {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Shard> for String {
    fn from(s: Shard) -> String {
        s.to_string()
    }
}

/// The seeds one sweep process runs, in order: a range, optionally one shard of it.
/// Computed by index rather than listed, so a billion-seed range costs nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedPlan {
    /// The whole range the sweep is part of.
    pub range: SeedRange,
    /// This process's shard of it, if split.
    pub shard: Option<Shard>,
}

impl SeedPlan {
    /// How many seeds this process runs.
    pub fn len(&self) -> u64 {
        match self.shard {
            None => self.range.len(),
            Some(Shard { index, count }) => {
                let total = self.range.len();
                // Offsets index-1, index-1+count, ... below total.
                total / count + u64::from(index - 1 < total % count)
            }
        }
    }

    /// Whether this process has no seed to run (a shard of a short range).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th seed of this process, `i < len()`.
    pub fn seed(&self, i: u64) -> u64 {
        match self.shard {
            None => self.range.start + i,
            Some(Shard { index, count }) => self.range.start + (index - 1) + i * count,
        }
    }

    /// The position of `seed` among this process's seeds (the `i` of [`SeedPlan::seed`]),
    /// or `None` when it is not one of them.
    pub fn index_of(&self, seed: u64) -> Option<u64> {
        if !self.contains(seed) {
            return None;
        }
        let offset = seed - self.range.start;
        Some(match self.shard {
            None => offset,
            Some(Shard { index, count }) => (offset - (index - 1)) / count,
        })
    }

    /// Whether `seed` belongs to this process.
    pub fn contains(&self, seed: u64) -> bool {
        self.range.contains(seed)
            && match self.shard {
                None => true,
                Some(Shard { index, count }) => (seed - self.range.start) % count == index - 1,
            }
    }
}

/// Compresses a sorted list of seeds into spans for messages: `3, 7..10, 12`.
pub fn spans(seeds: &[u64]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < seeds.len() {
        let mut j = i;
        while j + 1 < seeds.len() && seeds[j].checked_add(1) == Some(seeds[j + 1]) {
            j += 1;
        }
        if j == i {
            out.push(seeds[i].to_string());
        } else {
            out.push(format!("{}..={}", seeds[i], seeds[j]));
        }
        i = j + 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_in_all_three_forms() {
        assert_eq!("0..10".parse(), Ok(SeedRange::until(0, 10)));
        assert_eq!("5..=7".parse(), Ok(SeedRange { start: 5, last: 7 }));
        assert_eq!("42".parse(), Ok(SeedRange::single(42)));
        assert_eq!("1_000..2_000".parse(), Ok(SeedRange::until(1000, 2000)));
        assert!("10..10".parse::<SeedRange>().is_err());
        assert!("10..3".parse::<SeedRange>().is_err());
        assert!("10..=9".parse::<SeedRange>().is_err());
        assert!("a..3".parse::<SeedRange>().is_err());
        assert!("-1..3".parse::<SeedRange>().is_err());
    }

    #[test]
    fn every_seed_run_accepts_is_a_range_of_its_own() {
        let max = u64::MAX;
        for text in [format!("{max}..={max}"), format!("{max}")] {
            let r: SeedRange = text.parse().unwrap();
            assert_eq!((r.start, r.last, r.len()), (max, max, 1), "{text}");
            assert_eq!(r.to_string().parse::<SeedRange>(), Ok(r), "prints back");
        }
        let tail: SeedRange = format!("{}..={max}", max - 9).parse().unwrap();
        assert_eq!(tail.len(), 10);
        assert!(tail.contains(max));
        // The one range a u64 cannot count is refused with a reason, not wrapped.
        let all = format!("0..={max}").parse::<SeedRange>().unwrap_err();
        assert!(all.contains("2^64"), "{all}");
        // Ranges that end below the last seed print as before (results files).
        assert_eq!(SeedRange::until(1, 11).to_string(), "1..11");
    }

    #[test]
    fn shards_parse_and_reject_nonsense() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_cover_the_range_exactly_once() {
        let range: SeedRange = "3..20".parse().unwrap();
        for count in 1..=20 {
            let mut all = Vec::new();
            for index in 1..=count {
                let plan = SeedPlan {
                    range,
                    shard: Some(Shard { index, count }),
                };
                let seeds: Vec<u64> = (0..plan.len()).map(|i| plan.seed(i)).collect();
                assert!(seeds.iter().all(|&s| plan.contains(s)));
                for (i, &s) in seeds.iter().enumerate() {
                    assert_eq!(plan.index_of(s), Some(i as u64), "seed {s} of {plan:?}");
                }
                assert_eq!(plan.index_of(2), None);
                assert_eq!(plan.index_of(20), None);
                all.extend(seeds);
            }
            all.sort_unstable();
            assert_eq!(all, (3..20).collect::<Vec<_>>(), "N = {count}");
        }
    }

    #[test]
    fn spans_compress_runs() {
        assert_eq!(spans(&[1, 2, 3, 5, 7, 8]), "1..=3, 5, 7..=8");
        assert_eq!(spans(&[]), "");
    }
}
