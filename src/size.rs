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
