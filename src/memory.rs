//! The bytes a run holds, counted per thread by a global allocator, so that a
//! scenario's `memory_max` ends a runaway run as a failing seed instead of the
//! operating system killing the whole sweep.
//!
//! The count lives in a thread-local cell: a sweep's runs each have a thread, and
//! a reading costs no lock. A block freed on another thread than the one that
//! allocated it moves bytes between their counts; the engine compares readings
//! by wrapping subtraction, and a run's own state is allocated and freed on its
//! thread, so the growth a run is judged by is its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static NET: Cell<i64> = const { Cell::new(0) };
}

/// The system allocator, counting each thread's net bytes. The `hasim` binary
/// installs it; a binary of your own installs it the same way to give its runs
/// a memory budget:
///
/// ```ignore
/// #[global_allocator]
/// static ALLOCATOR: hasim::memory::Counting = hasim::memory::Counting;
/// ```
///
/// Without it [`thread_bytes`] reads zero and `memory_max` never stops a run.
pub struct Counting;

fn add(bytes: i64) {
    // `try_with`: during a thread's teardown the cell may be gone; the bytes then
    // go uncounted, which no budget notices.
    let _ = NET.try_with(|n| n.set(n.get().wrapping_add(bytes)));
}

// SAFETY: every call forwards to `System` with the same arguments; the counting
// touches only a thread-local integer and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// This thread's net allocated bytes, as a wrapping reading for
/// [`MemoryBudget`](hasim_sim::MemoryBudget): only differences mean anything.
pub fn thread_bytes() -> u64 {
    NET.try_with(Cell::get).unwrap_or(0) as u64
}
