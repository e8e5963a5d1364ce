//! Ctrl-C (and SIGTERM) during a sweep: the first signal stops handing out seeds, lets
//! the runs in flight finish, and the sweep writes and aggregates what finished; a
//! second signal quits at once.
//!
//! SIGTERM is what Kubernetes and Slurm send before killing a job that overran or was
//! preempted, so a shard on a batch scheduler keeps its finished seeds too. The
//! `ctrlc` crate installs the handler portably (doing it by hand needs unsafe libc
//! calls on Unix and another API on Windows); its handler runs on its own thread, so
//! it only has to set a flag.
//!
//! A command that is not a sweep (`run --trace`, `replay --trace`) calls
//! [`quit_on_signal`] instead: the first signal removes every unfinished temporary
//! file ([`crate::atomic::remove_live`]) and quits with exit 130, so a stopped run
//! leaves nothing behind; a sweep's second signal cleans up the same way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Set by the handler; read by the pool before it hands out each seed.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether a sweep is watching [`INTERRUPTED`]; if not, a signal quits at once.
static SWEEPING: AtomicBool = AtomicBool::new(false);

/// Whether the handler could be installed (another library may own the signal).
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// The flag a sweep watches, cleared for a new sweep. Installs the handler on first
/// use; if that fails, warns once and the sweep runs without it (Ctrl-C then kills the
/// process the usual way, losing unfinished output).
pub fn flag() -> &'static AtomicBool {
    install();
    SWEEPING.store(true, Ordering::SeqCst);
    INTERRUPTED.store(false, Ordering::SeqCst);
    &INTERRUPTED
}

/// For a command that is not a sweep: Ctrl-C or SIGTERM removes its unfinished
/// temporary files and quits with exit 130.
pub fn quit_on_signal() {
    SWEEPING.store(false, Ordering::SeqCst);
    install();
}

fn install() {
    let installed = INSTALLED.get_or_init(|| {
        ctrlc::set_handler(|| {
            if !SWEEPING.load(Ordering::SeqCst) {
                crate::atomic::remove_live();
                eprintln!("\ninterrupted: quitting; unfinished output files removed");
                std::process::exit(130);
            }
            if INTERRUPTED.swap(true, Ordering::SeqCst) {
                crate::atomic::remove_live();
                eprintln!("\ninterrupted again: quitting without writing results");
                std::process::exit(130);
            }
            eprintln!(
                "\ninterrupted: finishing the runs in flight, then writing what finished \
                 (interrupt again to quit at once)"
            );
        })
        .map_err(|e| e.to_string())
    });
    if let Err(e) = installed {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| eprintln!("warning: cannot handle Ctrl-C or SIGTERM: {e}"));
    }
}
