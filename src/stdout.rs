//! Everything a command prints on stdout goes through [`out!`](crate::out) and
//! [`outln!`](crate::outln), so that a reader that goes away (`hasim replay … | head -1`)
//! ends the command quietly: Rust ignores SIGPIPE, and `println!` then panics on the
//! broken pipe (exit 101, a backtrace). Here the command exits at once with
//! [`CLOSED`], the code a shell reports for a tool that SIGPIPE ended, and no message.

use std::io::Write;

/// The exit code when stdout's reader has gone: 128 + SIGPIPE (13).
pub const CLOSED: i32 = 141;

/// Writes `args` to stdout; a closed pipe exits the process with [`CLOSED`].
pub fn print(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(CLOSED);
        }
        // Any other failure (a full disk behind a redirect) is as loud as println!'s.
        panic!("failed printing to stdout: {e}");
    }
}

/// `print!` that exits quietly when stdout's reader has gone (see [`crate::stdout`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout::print(format_args!($($arg)*))
    };
}

/// `println!` that exits quietly when stdout's reader has gone (see [`crate::stdout`]).
#[macro_export]
macro_rules! outln {
    () => {
        $crate::stdout::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::stdout::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
