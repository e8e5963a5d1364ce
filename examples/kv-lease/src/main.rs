//! The `kv-lease` binary: hasim's whole command line (run, sweep, replay, shrink,
//! report, compare, …) with the `kv_lease` model registered beside the built-ins.

fn main() -> std::process::ExitCode {
    hasim::cli::Cli::new()
        .model::<hasim_example_kv_lease::KvLeaseModel>()
        .run()
}
