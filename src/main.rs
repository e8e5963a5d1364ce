//! The `hasim` binary: the command line with every built-in model, through the same
//! public [`hasim::cli::Cli`] a user's own binary uses.

fn main() -> std::process::ExitCode {
    hasim::cli::Cli::new().run()
}
