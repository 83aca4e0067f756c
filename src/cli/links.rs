//! `qantar-bot links`: every deep link an admin may post, with what it opens.

use std::process::ExitCode;

use super::output;
use crate::catalog::Catalog;
use crate::config::{BotUsername, Cli};
use crate::input::deep_link;

pub fn run(cli: &Cli, username: &BotUsername) -> ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            let mut links = deep_link::all_links(username.as_str(), &catalog.content);
            // Mini App links work only once it is set up, which QANTAR_WEB_URL says.
            if cli.web_url.is_some() {
                links.extend(deep_link::mini_app_links(
                    username.as_str(),
                    &catalog.content,
                ));
            }
            for (url, label) in links {
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
