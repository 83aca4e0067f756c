//! The subcommands besides running the bot: `preview` (a reader's view, offline),
//! `check` (content and locales), `links` (deep links to post), `healthcheck`.

pub mod check;
pub mod healthcheck;
pub mod links;
pub mod preview;
pub mod run;

/// Prints a line; a closed pipe (`| head`) ends the output quietly instead of panicking.
pub fn out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}
