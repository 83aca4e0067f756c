//! The `qantar-bot` binary: parse flags, start logging, hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use qantar_bot::cli::{check, healthcheck, links, preview, purge, rekey, run};
use qantar_bot::config::{Cli, Cmd, WebhookSecret};
use qantar_bot::logging;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let token_env = std::env::var("TELOXIDE_TOKEN").unwrap_or_default();
    let data_key_env = std::env::var("QANTAR_DATA_KEY").unwrap_or_default();
    // The webhook secret is settled before logging starts, so it can be scrubbed too.
    let webhook_secret = match cli.webhook_secret() {
        Ok(secret) => secret,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    logging::init(&[
        token_env.as_str(),
        data_key_env.as_str(),
        webhook_secret
            .as_ref()
            .map(WebhookSecret::expose)
            .unwrap_or_default(),
    ]);

    match cli.command {
        Some(Cmd::Check) => check::run(&cli),
        Some(Cmd::Preview {
            ref command,
            lang,
            date,
            ref out,
        }) => preview::run(&cli, command, lang, date, out.as_deref()),
        Some(Cmd::Links { ref username }) => links::run(&cli, username),
        Some(Cmd::Healthcheck) => healthcheck::run(&cli),
        Some(Cmd::Rekey { ref new_key_file }) => rekey::run(&cli, new_key_file.as_deref()),
        Some(Cmd::Purge { yes }) => purge::run(&cli, yes),
        None | Some(Cmd::Run) => run::run_bot(cli, webhook_secret),
    }
}
