//! The table's place in the README: the text between the lines
//! `<!-- gallery-figures:begin -->` and `<!-- gallery-figures:end -->` (each a line of
//! its own, so prose can mention them), replaced as a
//! whole (`--write`) or compared (`--check`, with a short line diff). Markers that are
//! missing, repeated or out of order are an error, never a guess.

use super::error::GalleryError;
use std::ops::Range;
use std::path::Path;

/// The line before the table.
pub const BEGIN: &str = "<!-- gallery-figures:begin -->";
/// The line after the table.
pub const END: &str = "<!-- gallery-figures:end -->";

/// How many changed lines a diff shows before saying how many more there are.
pub const DIFF_LINES_SHOWN: usize = 20;

/// The byte range of the marked block in `text` (`file` names it in errors).
pub fn block_range(text: &str, file: &Path) -> Result<Range<usize>, GalleryError> {
    let bad = |message: String| GalleryError::Marker {
        file: file.to_path_buf(),
        message,
    };
    // A marker is a line of its own, so prose may mention the markers.
    let lines = || {
        text.split_inclusive('\n').scan(0usize, |offset, line| {
            let start = *offset;
            *offset += line.len();
            Some((start, line))
        })
    };
    let once = |marker: &str| -> Result<(usize, usize), GalleryError> {
        let mut found = lines()
            .filter(|(_, line)| line.trim() == marker)
            .map(|(start, line)| (start, start + line.trim_end().len()));
        let first = found.next().ok_or_else(|| {
            bad(format!(
                "no `{marker}` marker: the gallery table goes between a line `{BEGIN}` and a line `{END}`"
            ))
        })?;
        if found.next().is_some() {
            return Err(bad(format!(
                "the marker line `{marker}` appears more than once; keep one pair"
            )));
        }
        Ok(first)
    };
    let (_, begin) = once(BEGIN)?;
    let (end, _) = once(END)?;
    if end < begin {
        return Err(bad(format!("`{END}` comes before `{BEGIN}`")));
    }
    Ok(begin..end)
}

/// The block as `--write` puts `table` between the markers: on lines of its own, with
/// a blank line before the end marker so that no markdown renderer reads the marker
/// as part of the table.
pub fn block_of(table: &str) -> String {
    format!("\n{table}\n")
}

/// `text` with its marked block replaced by `table`.
pub fn replace(text: &str, file: &Path, table: &str) -> Result<String, GalleryError> {
    let range = block_range(text, file)?;
    Ok(format!(
        "{}{}{}",
        &text[..range.start],
        block_of(table),
        &text[range.end..]
    ))
}

/// The lines that differ between `old` and `new`, `-` for removed and `+` for added,
/// in order (a longest-common-subsequence diff); at most [`DIFF_LINES_SHOWN`].
pub fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..]. The blocks are a
    // table of a few rows, so the quadratic table is small.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut changes = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            changes.push(format!("- {}", a[i]));
            i += 1;
        } else {
            changes.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    let mut out: Vec<String> = changes.iter().take(DIFF_LINES_SHOWN).cloned().collect();
    if changes.len() > DIFF_LINES_SHOWN {
        out.push(format!(
            "… and {} more changed lines",
            changes.len() - DIFF_LINES_SHOWN
        ));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_is_replaced_and_the_rest_kept() {
        // Markers inside prose are not markers.
        let text = format!("intro `{BEGIN}`\n{BEGIN}\nold\n{END}\noutro `{END}`\n");
        let new = replace(&text, Path::new("R.md"), "a\nb\n").unwrap();
        assert_eq!(
            new,
            format!("intro `{BEGIN}`\n{BEGIN}\na\nb\n\n{END}\noutro `{END}`\n")
        );
        let range = block_range(&new, Path::new("R.md")).unwrap();
        assert_eq!(&new[range], block_of("a\nb\n"));
    }

    #[test]
    fn bad_markers_are_errors() {
        let p = Path::new("R.md");
        let messages: Vec<String> = [
            format!("{BEGIN}\n"),
            format!("{END}\n"),
            format!("{END}\n{BEGIN}\n"),
            format!("{BEGIN}\n{BEGIN}\n{END}\n"),
        ]
        .iter()
        .map(|t| block_range(t, p).unwrap_err().to_string())
        .collect();
        assert!(messages[0].starts_with("R.md: no `<!-- gallery-figures:end -->` marker"));
        assert!(messages[1].starts_with("R.md: no `<!-- gallery-figures:begin -->` marker"));
        assert!(messages[2].contains("comes before"), "{}", messages[2]);
        assert!(messages[3].contains("more than once"), "{}", messages[3]);
    }

    #[test]
    fn the_diff_shows_only_changed_lines_in_order() {
        let old = "h\n| a | 1 |\n| b | 2 |\n| c | 3 |\n";
        let new = "h\n| a | 1 |\n| b | 9 |\n| c | 3 |\n| d | 4 |\n";
        assert_eq!(diff(old, new), "- | b | 2 |\n+ | b | 9 |\n+ | d | 4 |\n");
        assert_eq!(diff(old, old), "\n");
        let long: String = (0..30).map(|i| format!("{i}\n")).collect();
        let d = diff("", &long);
        assert_eq!(d.lines().count(), DIFF_LINES_SHOWN + 1);
        assert!(d.ends_with("… and 10 more changed lines\n"), "{d}");
    }
}
