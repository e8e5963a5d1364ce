//! The `hasim` binary: hands over to the command line in `cli`, which parses the
//! arguments, sets up `RUST_LOG` tracing (stamped with simulated time, not the wall
//! clock; coloured as `--color` says) and runs the command.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
