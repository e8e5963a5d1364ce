//! The sweep's progress bar on stderr: seeds done, failures so far, rate and ETA.
//!
//! Rate and ETA come from indicatif's own clock, which measures the sweep from the
//! outside and never reaches a run. The bar is hidden when stderr is not a terminal
//! (CI logs, batch jobs, pipes) or with `--quiet`, so logs hold no control sequences.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;

/// A bar for `len` seeds; hidden when `quiet` or when stderr is not a terminal.
pub fn bar(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{bar:30.cyan/blue} {pos}/{len} seeds  {rate:.bold}  ETA {eta}  {msg}",
    )
    .map(|s| {
        s.progress_chars("█▉▊▋▌▍▎▏ ").with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1} runs/s", state.per_sec());
            },
        )
    })
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Notes a finished seed on `bar`, with the count of failures so far.
pub fn advance(bar: &ProgressBar, failures: u64) {
    if failures > 0 {
        bar.set_message(format!("{failures} failing"));
    }
    bar.inc(1);
}
