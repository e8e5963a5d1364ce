//! A run's memory budget: the engine cannot see the heap, so the host hands it a
//! probe (a counting allocator's reading) and a limit, and the run ends as
//! [`Outcome::MemoryExhausted`](crate::Outcome::MemoryExhausted) rather than
//! aborting the process when it outgrows them.

/// How often, in queue entries, the run reads the probe: a probe costs a thread-local
/// read, cheap but not free, and no event allocates gigabytes on its own.
pub const MEMORY_CHECK_EVERY: u64 = 4096;

/// A limit on the bytes a run may hold beyond what was held when the budget was set.
#[derive(Clone, Copy, Debug)]
pub struct MemoryBudget {
    /// The most the run may hold above `base`, in bytes.
    pub limit: u64,
    /// Bytes the host holds now (live allocations, or whatever it counts). Readings
    /// are compared by wrapping subtraction, so a counter that dips below zero (a
    /// thread freeing what another allocated) still measures growth.
    pub probe: fn() -> u64,
    /// The probe's reading before the run was built: its own state counts.
    pub base: u64,
}

impl MemoryBudget {
    /// A budget of `limit` bytes counted by `probe` from now on.
    pub fn starting_now(limit: u64, probe: fn() -> u64) -> Self {
        MemoryBudget {
            limit,
            probe,
            base: probe(),
        }
    }

    /// The bytes held beyond `base`, when they are over the limit.
    pub fn exceeded(&self) -> Option<u64> {
        let grown = (self.probe)().wrapping_sub(self.base) as i64;
        let held = u64::try_from(grown).unwrap_or(0);
        (held > self.limit).then_some(held)
    }
}
