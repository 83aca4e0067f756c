//! The `qantar-bot` binary: parse flags, start logging, hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use qantar_bot::bot::{RunOptions, run};
use qantar_bot::catalog::Catalog;
use qantar_bot::config::{Cli, Cmd, Token};
use qantar_bot::{deeplink, logging, preview};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let token_env = std::env::var("TELOXIDE_TOKEN").unwrap_or_default();
    logging::init(&[token_env.as_str()]);

    match cli.command {
        Some(Cmd::Check) => check(&cli),
        Some(Cmd::Preview { ref command, lang }) => {
            match Catalog::load(&cli.content_dir, &cli.locales_dir) {
                Ok(catalog) => {
                    println!("{}", preview::preview(&catalog, lang, command));
                    ExitCode::SUCCESS
                }
                Err(problems) => {
                    eprintln!("{problems}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Cmd::Links { ref username }) => links(&cli, username),
        None | Some(Cmd::Run) => run_bot(cli),
    }
}

fn check(cli: &Cli) -> ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            let c = &catalog.content;
            println!(
                "ok: {} events, {} sources, {} summary topics, petition; locales en, ru, kk",
                c.events.len(),
                c.sources.len(),
                c.summary.topics.len()
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("{} problem(s)", problems.0.len());
            ExitCode::FAILURE
        }
    }
}

fn links(cli: &Cli, username: &str) -> ExitCode {
    let username = username.trim_start_matches('@');
    let valid = (5..=32).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        eprintln!("`{username}` is not a Telegram bot username (5-32 letters, digits or _)");
        return ExitCode::from(2);
    }
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            for (url, label) in deeplink::all_links(username, &catalog.content) {
                println!("{url}  {label}");
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            ExitCode::FAILURE
        }
    }
}

fn run_bot(cli: Cli) -> ExitCode {
    let token = match Token::from_env() {
        Ok(token) => token,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let options = RunOptions {
        token,
        api_url: cli.api_url,
        content_dir: cli.content_dir,
        locales_dir: cli.locales_dir,
        database_url: cli.database_url,
        lang_cache: cli.lang_cache,
        default_lang: cli.default_lang,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
