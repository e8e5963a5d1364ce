//! Output files are written atomically: to a temporary file in the same directory,
//! synced, then renamed over the target, so a reader never sees half a file and an
//! interrupted run leaves the old file intact.
//!
//! Nothing is left behind: the temporary file is a [`Temp`] guard removed when it is
//! dropped uncommitted (an error returned, a panic unwinding), and every live one is
//! listed so the signal handler can remove them before it quits ([`remove_live`]).
//! A target that is a symlink is written through: the temporary file goes beside the
//! link's target and replaces it, and the link stays a link.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files not yet committed or removed, for the signal handler.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A temporary file that becomes its target on [`Temp::commit`] and is removed if
/// dropped before that.
#[derive(Debug)]
pub struct Temp {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Temp {
    /// The temporary file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs `file` (the handle [`create`] returned, every write flushed) to disk
    /// and moves it over the target.
    pub fn commit(mut self, file: &File) -> std::io::Result<()> {
        file.sync_all()?;
        std::fs::rename(&self.path, &self.target)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        live().retain(|p| p != &self.path);
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Removes every temporary file not yet committed; for a handler about to quit.
pub fn remove_live() {
    for path in live().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// The file `target` names: itself, or what its chain of symlinks ends at (which
/// need not exist yet).
pub fn resolve(target: &Path) -> PathBuf {
    let mut path = target.to_path_buf();
    // As many hops as Linux follows before ELOOP; past that, write the last one.
    for _ in 0..40 {
        match std::fs::read_link(&path) {
            Ok(next) => {
                path = match path.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            Err(_) => break,
        }
    }
    path
}

/// Creates the temporary file for `target` (beside what a symlink points to);
/// returns its guard and handle.
pub fn create(target: &Path) -> std::io::Result<(Temp, File)> {
    let target = resolve(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let path = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    live().push(path.clone());
    let temp = Temp {
        path,
        target,
        committed: false,
    };
    let file = File::create(&temp.path)?;
    Ok((temp, file))
}

/// Writes `bytes` to `target` atomically.
pub fn write(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let (temp, mut file) = create(target)?;
    file.write_all(bytes)?;
    temp.commit(&file)
}
