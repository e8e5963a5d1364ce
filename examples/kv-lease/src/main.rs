//! The `kv-lease` binary: hasim's whole command line (run, sweep, replay, shrink,
//! report, compare, …) with the `kv_lease` model registered beside the built-ins.

/// Counts each thread's bytes, so a scenario's `memory_max` can stop a run.
#[global_allocator]
static ALLOCATOR: hasim::memory::Counting = hasim::memory::Counting;

fn main() -> std::process::ExitCode {
    hasim::cli::Cli::new()
        .model::<hasim_example_kv_lease::KvLeaseModel>()
        .run()
}
