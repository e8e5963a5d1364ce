//! Where a command may write, checked before any run starts: an output may not be one
//! of the command's inputs (`hasim sweep s.toml --out s.toml` replaced the scenario),
//! its directory must exist and take new files, and it may not itself be a directory,
//! so an hour of seeds never ends in "cannot write".
//!
//! Paths are compared after canonicalisation (an output that does not exist yet by its
//! canonical directory), so `./s.toml`, `dir/../s.toml` and a symlink to the scenario
//! all count as the scenario; on Unix an existing output is also compared by inode,
//! which catches hard links.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a command may not write to an output path.
#[derive(Debug)]
pub enum OutputError {
    /// The output is one of the inputs.
    IsInput {
        /// The output path as given.
        output: PathBuf,
        /// The input it would replace, as given.
        input: PathBuf,
    },
    /// Two outputs of one command name the same file (the second would replace the
    /// first: `hasim report -o x --svg x`).
    Twice {
        /// The later output, as given.
        output: PathBuf,
        /// The earlier one it names, as given.
        earlier: PathBuf,
    },
    /// The output is a directory.
    IsDirectory {
        /// The output path as given.
        output: PathBuf,
    },
    /// The output's directory does not exist, or is not a directory.
    NoDirectory {
        /// The output path as given.
        output: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// The output's directory does not take new files (read-only, no permission).
    Unwritable {
        /// The output path as given.
        output: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// What creating a file there said.
        source: std::io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::IsInput { output, input } => write!(
                f,
                "{}: this output is the input {}; writing it would replace that file, so choose another output path",
                output.display(),
                input.display()
            ),
            OutputError::Twice { output, earlier } => write!(
                f,
                "{}: this output is also {}; one would replace the other, so give them different paths",
                output.display(),
                earlier.display()
            ),
            OutputError::IsDirectory { output } => write!(
                f,
                "{}: is a directory; expected the path of a file to write",
                output.display()
            ),
            OutputError::NoDirectory { output, dir } => write!(
                f,
                "{}: the directory {} does not exist",
                output.display(),
                dir.display()
            ),
            OutputError::Unwritable {
                output,
                dir,
                source,
            } => write!(
                f,
                "{}: cannot create files in {} ({source})",
                output.display(),
                dir.display()
            ),
        }
    }
}
impl std::error::Error for OutputError {}

/// Checks that `output` can be written and is none of `inputs`.
pub fn check(output: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Some(input) = inputs.iter().find(|input| same_file(output, &dir, input)) {
        return Err(OutputError::IsInput {
            output: output.to_path_buf(),
            input: input.to_path_buf(),
        });
    }
    if output.is_dir() {
        return Err(OutputError::IsDirectory {
            output: output.to_path_buf(),
        });
    }
    if !dir.is_dir() {
        return Err(OutputError::NoDirectory {
            output: output.to_path_buf(),
            dir,
        });
    }
    // Permission bits do not say what root or a read-only mount allows: try it, with
    // a name no output uses (the atomic writer's temporary files are `.NAME.PID.tmp`).
    let probe = dir.join(format!(".hasim-probe.{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        // Left over from an earlier process with our id: the directory takes files.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(OutputError::Unwritable {
            output: output.to_path_buf(),
            dir,
            source,
        }),
    }
}

/// Checks every output of one command as [`check`] does, and that no two name the
/// same file (canonically, as for inputs).
pub fn check_all(outputs: &[&Path], inputs: &[&Path]) -> Result<(), OutputError> {
    for (i, output) in outputs.iter().enumerate() {
        check(output, inputs)?;
        let dir = match output.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let canonical = |p: &Path| {
            std::fs::canonicalize(p).ok().or_else(|| {
                let parent = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
            })
        };
        let this = canonical(output);
        if let Some(earlier) = outputs[..i]
            .iter()
            .find(|e| this.is_some() && canonical(e) == this || same_file(output, &dir, e))
        {
            return Err(OutputError::Twice {
                output: output.to_path_buf(),
                earlier: earlier.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Whether `output` (in `dir`) names the same file as `input`.
fn same_file(output: &Path, dir: &Path, input: &Path) -> bool {
    let Ok(input_canonical) = std::fs::canonicalize(input) else {
        return false;
    };
    let output_canonical = std::fs::canonicalize(output).ok().or_else(|| {
        let name = output.file_name()?;
        Some(std::fs::canonicalize(dir).ok()?.join(name))
    });
    if output_canonical.as_deref() == Some(input_canonical.as_path()) {
        return true;
    }
    same_inode(output, input)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}
