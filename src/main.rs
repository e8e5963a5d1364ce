//! The `hasim` binary: the command line with every built-in model, through the same
//! public [`hasim::cli::Cli`] a user's own binary uses.

/// Counts each thread's bytes, so a scenario's `memory_max` can stop a run.
#[global_allocator]
static ALLOCATOR: hasim::memory::Counting = hasim::memory::Counting;

fn main() -> std::process::ExitCode {
    hasim::cli::Cli::new().run()
}
