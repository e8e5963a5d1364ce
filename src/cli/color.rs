//! `--color auto|always|never`: whether stderr (the `RUST_LOG` lines, the progress
//! bars) carries colour. `auto` colours a terminal unless `NO_COLOR` is set to a
//! non-empty value (no-color.org), so logs and pipes hold no control sequences.

use std::io::IsTerminal;

/// When to colour.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether stderr gets colour, given `NO_COLOR`'s value and whether stderr is a
    /// terminal.
    pub fn colors(self, no_color: Option<&str>, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(str::is_empty),
        }
    }
}

/// Sets up `RUST_LOG` tracing (stamped with simulated time, not the wall clock) and
/// the progress bars' colours for `choice`.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var("NO_COLOR").ok();
    let ansi = choice.colors(no_color.as_deref(), std::io::stderr().is_terminal());
    console::set_colors_enabled_stderr(ansi);
    console::set_colors_enabled(ansi);
    // A second subscriber (a test that runs several command lines) is not an error.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .without_time()
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::ColorChoice::*;

    #[test]
    fn auto_colours_a_terminal_unless_no_color_is_set() {
        assert!(Auto.colors(None, true));
        assert!(Auto.colors(Some(""), true));
        assert!(!Auto.colors(Some("1"), true));
        assert!(!Auto.colors(None, false));
        assert!(Always.colors(Some("1"), false));
        assert!(!Never.colors(None, true));
    }
}
