//! `qantar-bot links`: every deep link an admin may post, with what it opens.

use std::process::ExitCode;

use super::output;
use crate::catalog::Catalog;
use crate::config::{BotUsername, Cli};
use crate::input::deep_link;

pub fn run(cli: &Cli, username: &BotUsername) -> ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            for (url, label) in deep_link::all_links(username.as_str(), &catalog.content) {
                output::line(&format!("{url}  {label}"));
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            ExitCode::FAILURE
        }
    }
}
