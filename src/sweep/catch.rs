//! A run whose model panics is a failing seed, not a dead sweep: each run is wrapped
//! in `catch_unwind`, and the panic's message and location are captured instead of
//! being printed over the progress bar by the default hook.
//!
//! The panic hook is process-wide, so ours is installed once and chains to the hook
//! it replaced: it captures only on threads currently inside [`catch`], and panics
//! anywhere else (a bug in hasim itself, another test) print as usual.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside `catch`, so the hook should capture.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The message of the panic caught on this thread, for `catch` to return.
    static CAUGHT: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                return previous(info);
            }
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with a non-text payload".to_string());
            let message = match info.location() {
                Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
                None => message,
            };
            CAUGHT.with(|c| *c.borrow_mut() = Some(message));
        }));
    });
}

/// Calls `f`; a panic inside it comes back as `Err(message with location)`.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    CATCHING.with(|c| c.set(true));
    // A run builds all its state inside `f` and only reads what it borrows, so nothing
    // half-updated outlives the panic: the run's partial state is dropped with it.
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    outcome.map_err(|_| {
        CAUGHT
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "panicked".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(catch(|| 7), Ok(7));
        let err = catch(|| -> u32 { panic!("leader {} lost its lease", 3) }).unwrap_err();
        assert!(err.starts_with("leader 3 lost its lease (at "), "{err}");
        assert!(err.contains("catch.rs"), "{err}");
        let err = catch(|| -> u32 { panic!("static text") }).unwrap_err();
        assert!(err.starts_with("static text"), "{err}");
        // The thread is usable afterwards, and not left capturing.
        assert_eq!(catch(|| 8), Ok(8));
        assert!(!CATCHING.with(Cell::get));
    }
}
