//! The documentation's link check (CI runs it with the tests): every relative link
//! and image in README.md and docs/src points at a file that exists, every `#anchor`
//! at a heading of its target, and every chapter is in docs/src/SUMMARY.md. A test
//! rather than an external link checker: it needs nothing installed, runs offline and
//! knows the anchor rule GitHub and mdBook share.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The text outside fenced code blocks, with inline code spans blanked, so a link
/// shown as code is not checked.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            out.push('\n');
            continue;
        }
        if !in_block {
            out.push_str(line);
        }
        out.push('\n');
    }
    let mut plain = String::new();
    let mut in_code = false;
    for c in out.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code || c == '\n' {
            plain.push(c);
        }
    }
    plain
}

/// A heading's anchor as GitHub and mdBook make it: lower case, spaces to `-`, every
/// character other than letters, digits, `-` and `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown text: its headings' slugs, a repeated one with `-1`,
/// `-2`, ... as both renderers do.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if in_block || hashes == 0 || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// The targets of the inline links and images `[text](target)` of a text's prose.
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut found = Vec::new();
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        let tail = &rest[i + 2..];
        let end = tail.find([')', ' ', '\n']).unwrap_or(tail.len());
        found.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    found
}

/// What is wrong with the links of `file` (whose text is `text`): one line each.
fn broken_links(file: &Path, text: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for target in links(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
        let resolved: PathBuf = if path.is_empty() {
            file.to_path_buf()
        } else {
            file.parent().unwrap().join(path)
        };
        if !resolved.exists() {
            broken.push(format!("{}: {target}: no such file", file.display()));
            continue;
        }
        if anchor.is_empty() {
            continue;
        }
        let target_text = if path.is_empty() {
            text.to_string()
        } else {
            std::fs::read_to_string(&resolved).unwrap_or_default()
        };
        if !anchors(&target_text).contains(anchor) {
            broken.push(format!(
                "{}: {target}: no heading with anchor #{anchor}",
                file.display()
            ));
        }
    }
    broken
}

fn documentation_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("docs/src"))
        .expect("docs/src")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files.insert(0, root.join("README.md"));
    files
}

#[test]
fn every_relative_link_and_anchor_of_the_documentation_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in documentation_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        checked += links(&text).len();
        broken.extend(broken_links(&file, &text));
    }
    assert!(checked > 50, "too few links to judge: {checked}");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_chapter_is_in_the_summary() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let listed: BTreeSet<String> = links(&summary).into_iter().collect();
    let orphans: Vec<String> = documentation_files()
        .iter()
        .filter(|p| p.parent() == Some(src.as_path()))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "SUMMARY.md" && !listed.contains(name))
        .collect();
    assert!(
        orphans.is_empty(),
        "chapters not in SUMMARY.md: {orphans:?}"
    );
}

#[test]
fn the_checker_finds_a_missing_file_and_a_missing_anchor() {
    let dir = std::env::temp_dir().join(format!("hasim-doc-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("other.md"),
        "# Other\n\n## Raft (`protocol = \"raft\"`)\n",
    )
    .unwrap();
    let file = dir.join("this.md");
    let text = "# This\n\n[ok](other.md#raft-protocol--raft) [ok](#this) [gone](missing.md)\n\
                [bad](other.md#nothing) [bad](#nowhere)\n`[code](missing.md)`\n\
                ```\n[block](missing.md)\n```\n[web](https://example.invalid/x)\n";
    std::fs::write(&file, text).unwrap();
    let broken = broken_links(&file, text);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(
        broken[0].ends_with("missing.md: no such file"),
        "{}",
        broken[0]
    );
    assert!(broken[1].contains("#nothing"), "{}", broken[1]);
    assert!(broken[2].contains("#nowhere"), "{}", broken[2]);
}

#[test]
fn repeated_headings_get_numbered_anchors() {
    let a = anchors("# Figures\n## Figures\n```\n# not a heading\n```\n#nospace\n");
    assert_eq!(a.into_iter().collect::<Vec<_>>(), ["figures", "figures-1"]);
}
