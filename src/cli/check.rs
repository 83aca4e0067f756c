//! `qantar-bot check`: loads content and locales as the bot would, and prints every
//! problem with its file and path, or a one-line summary.

use std::process::ExitCode;

use super::output;
use crate::catalog::Catalog;
use crate::config::Cli;

pub fn run(cli: &Cli) -> ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            let c = &catalog.content;
            output::line(&format!(
                "ok: {} events, {} sources, {} places, {} summary topics, petition, {} announcements; locales en, ru, kk",
                c.events.len(),
                c.sources.len(),
                c.places.len(),
                c.summary.topics.len(),
                c.announcements.len()
            ));
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("{} problem(s)", problems.0.len());
            ExitCode::FAILURE
        }
    }
}
