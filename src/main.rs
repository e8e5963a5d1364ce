//! The `hasim` binary: sets up `RUST_LOG` tracing (stamped with simulated time, not
//! the wall clock) and hands over to the command line in `cli`.

mod cli;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .without_time()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    cli::main()
}
