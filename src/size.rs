//! Byte sizes as a user writes them on the command line (`512MiB`, `1GB`) and as
//! hasim writes them back.

/// A size as `--trace-max` takes it: a whole number of bytes, optionally with a
/// unit, `B`, `KB`, `MB`, `GB` (powers of 1000) or `KiB`, `MiB`, `GiB` (of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let expected = || {
        format!("{text:?}: expected a size such as 512MiB, 10MB or 4096 (bytes; units B, KB, MB, GB, KiB, MiB, GiB)")
    };
    let n: u64 = number.parse().map_err(|_| expected())?;
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(expected()),
    };
    n.checked_mul(scale).ok_or_else(expected)
}

/// A byte count as the user would write it back: `512MiB`, `1000B`.
pub fn size_text(bytes: u64) -> String {
    for (unit, scale) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= scale && bytes % scale == 0 {
            return format!("{}{unit}", bytes / scale);
        }
    }
    format!("{bytes}B")
}

/// A byte count to read, not to write back: `1.5MiB`, `812KiB`, `37B` (one decimal
/// below 10 of a unit).
pub fn size_text_rounded(bytes: u64) -> String {
    for (unit, scale) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if bytes >= scale {
            let n = bytes as f64 / scale as f64;
            return if n < 10.0 {
                format!("{n:.1}{unit}")
            } else {
                format!("{n:.0}{unit}")
            };
        }
    }
    format!("{bytes}B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounded_sizes_pick_the_largest_unit_that_fits() {
        assert_eq!(size_text_rounded(37), "37B");
        assert_eq!(size_text_rounded(1536), "1.5KiB");
        assert_eq!(size_text_rounded(812 << 10), "812KiB");
        assert_eq!(size_text_rounded((3 << 30) + (1 << 29)), "3.5GiB");
    }

    #[test]
    fn written_sizes_read_back() {
        for bytes in [1u64, 4096, 1 << 20, 4 << 30, 1_000_000] {
            assert_eq!(parse_size(&size_text(bytes)), Ok(bytes));
        }
    }
}
