//! Output files are written atomically: to a temporary file in the same directory,
//! then renamed over the target, so a reader never sees half a file and an
//! interrupted run leaves the old file intact.

use std::fs::File;
use std::path::{Path, PathBuf};

/// Creates the temporary file for `target`; returns its path and handle.
pub fn create(target: &Path) -> std::io::Result<(PathBuf, File)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let file = File::create(&temp)?;
    Ok((temp, file))
}

/// Moves the finished temporary file over the target.
pub fn commit(temp: &Path, target: &Path) -> std::io::Result<()> {
    std::fs::rename(temp, target)
}

/// Writes `bytes` to `target` atomically.
pub fn write(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let (temp, mut file) = create(target)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    commit(&temp, target)
}
