//! The `qantar-bot` binary: parse flags, start logging, hand over to the library.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use qantar_bot::cli::{
    check, healthcheck, links, output, preview, purge, rekey, run, schedule, site,
};
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

    let code = match cli.command {
        Some(Cmd::Check { ref reviewed }) => check::run(&cli, reviewed),
        Some(Cmd::Preview {
            ref command,
            on_this_day,
            lang,
            date,
            ref out,
        }) => match (command, on_this_day) {
            (_, Some(day)) => preview::run_on_this_day(&cli, day, lang, out.as_deref()),
            (Some(command), None) => preview::run(&cli, command, lang, date, out.as_deref()),
            // clap requires one of the two.
            (None, None) => ExitCode::from(2),
        },
        Some(Cmd::Links { ref username }) => links::run(&cli, username),
        Some(Cmd::Healthcheck) => healthcheck::run(&cli),
        Some(Cmd::Rekey { ref new_key_file }) => rekey::run(&cli, new_key_file.as_deref()),
        Some(Cmd::Purge { yes }) => purge::run(&cli, yes),
        Some(Cmd::Schedule { from, to }) => schedule::run(&cli, from, to),
        Some(Cmd::Site {
            ref out,
            ref base_url,
        }) => site::run(&cli, out, base_url),
        None | Some(Cmd::Run) => run::run_bot(cli, webhook_secret),
    };
    output::finish(code)
}
