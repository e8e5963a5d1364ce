//! `hasim completions SHELL` and `hasim man`: shell completions and a man page,
//! generated from the same clap definition as the parser, so they cannot drift from
//! the flags the binary takes.

use super::{Args, Failure};
use clap::CommandFactory;
use std::path::PathBuf;

/// Arguments of `hasim completions`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

/// Arguments of `hasim man`.
#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write the page here instead of to stdout (e.g. hasim.1).
    #[arg(short = 'o', long = "out", value_name = "FILE.1")]
    pub out: Option<PathBuf>,
}

/// Prints the completion script for `args.shell` on stdout.
pub fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    let mut command = Args::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "hasim", &mut script);
    crate::out!("{}", String::from_utf8_lossy(&script));
    Ok(())
}

/// The man page (roff): the command, every subcommand with its options, and the
/// examples each subcommand's help ends with.
pub fn man(args: ManArgs) -> Result<(), Failure> {
    let command = Args::command();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    let io = |e: std::io::Error| Failure::Input(format!("error: the man page: {e}"));
    man.render_title(&mut page).map_err(io)?;
    man.render_name_section(&mut page).map_err(io)?;
    man.render_synopsis_section(&mut page).map_err(io)?;
    man.render_description_section(&mut page).map_err(io)?;
    man.render_options_section(&mut page).map_err(io)?;
    man.render_subcommands_section(&mut page).map_err(io)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        page.extend_from_slice(
            format!(".SH \"HASIM {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        let mut section = Vec::new();
        let sub_man =
            clap_mangen::Man::new(sub.clone().bin_name(format!("hasim {}", sub.get_name())));
        sub_man.render_synopsis_section(&mut section).map_err(io)?;
        sub_man.render_options_section(&mut section).map_err(io)?;
        sub_man.render_extra_section(&mut section).map_err(io)?;
        // One level down: the subcommand's sections become subsections.
        let text = String::from_utf8_lossy(&section).replace(".SH ", ".SS ");
        page.extend_from_slice(text.as_bytes());
    }
    man.render_version_section(&mut page).map_err(io)?;
    match &args.out {
        Some(path) => {
            crate::output_paths::check(path, &[])?;
            crate::atomic::write(path, &page)
                .map_err(|e| Failure::Input(format!("error: {}: {e}", path.display())))?;
        }
        None => crate::out!("{}", String::from_utf8_lossy(&page)),
    }
    Ok(())
}
