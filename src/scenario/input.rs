//! The one bounded reader every scenario (and schedule) file goes through. A path such
//! as `/dev/zero` would otherwise be read until memory runs out, and a FIFO with no
//! writer blocks `open` forever, so both are refused before the file is opened.

use std::io::Read;
use std::path::Path;

/// The largest input file hasim reads (4 MiB); the biggest bundled scenario is a few KiB.
pub const INPUT_BYTES_MAX: u64 = 4 * 1024 * 1024;

/// Reads `path` as UTF-8 text if it is a regular file of at most [`INPUT_BYTES_MAX`]
/// bytes. The error is the reason only; callers put the file name in front.
pub fn read_bounded(path: &Path) -> Result<String, String> {
    // `metadata` follows symlinks, so a link to a regular file is fine; it does not
    // open the file, so a FIFO is refused here instead of blocking in `open`.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(format!(
            "not a regular file (a {}); give the path of a scenario file",
            kind(&meta.file_type())
        ));
    }
    if meta.len() > INPUT_BYTES_MAX {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // The length may change between `metadata` and reading: read at most one byte past
    // the limit so a file that grew is still refused without reading all of it.
    let mut bytes = Vec::new();
    file.take(INPUT_BYTES_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > INPUT_BYTES_MAX {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| "stream did not contain valid UTF-8".to_string())
}

fn too_large(len: u64) -> String {
    format!(
        "the file is larger than the 4 MiB an input may be ({len} bytes or more); is this the right file?"
    )
}

fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}
