//! The `qantar-bot` binary: parse flags, start logging, hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use qantar_bot::bot::{RunOptions, Transport, run};
use qantar_bot::catalog::Catalog;
use qantar_bot::config::{BotUsername, Cli, Cmd, Token, WebhookSecret};
use qantar_bot::{deeplink, healthcheck, logging, preview};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let token_env = std::env::var("TELOXIDE_TOKEN").unwrap_or_default();
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
        webhook_secret
            .as_ref()
            .map(WebhookSecret::expose)
            .unwrap_or_default(),
    ]);

    match cli.command {
        Some(Cmd::Check) => check(&cli),
        Some(Cmd::Preview { ref command, lang }) => {
            match Catalog::load(&cli.content_dir, &cli.locales_dir) {
                Ok(catalog) => {
                    out(&preview::preview(&catalog, lang, command));
                    ExitCode::SUCCESS
                }
                Err(problems) => {
                    eprintln!("{problems}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Cmd::Links { ref username }) => links(&cli, username),
        Some(Cmd::Healthcheck) => {
            let target =
                healthcheck::target(cli.webhook_url.is_some(), cli.listen, cli.metrics_listen);
            match target.map(healthcheck::healthy) {
                // Polling without a listener: being alive is all there is to check.
                None => ExitCode::SUCCESS,
                Some(Ok(true)) => ExitCode::SUCCESS,
                Some(Ok(false)) => {
                    eprintln!("unhealthy: /healthz did not answer 200");
                    ExitCode::FAILURE
                }
                Some(Err(e)) => {
                    eprintln!("unhealthy: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        None | Some(Cmd::Run) => run_bot(cli, webhook_secret),
    }
}

/// Prints a line; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
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

fn links(cli: &Cli, username: &BotUsername) -> ExitCode {
    match Catalog::load(&cli.content_dir, &cli.locales_dir) {
        Ok(catalog) => {
            for (url, label) in deeplink::all_links(username.as_str(), &catalog.content) {
                out(&format!("{url}  {label}"));
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{problems}");
            ExitCode::FAILURE
        }
    }
}

fn run_bot(cli: Cli, webhook_secret: Option<WebhookSecret>) -> ExitCode {
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
        api_timeout: std::time::Duration::from_secs(cli.api_timeout),
        flood_burst: cli.flood_burst,
        flood_per_minute: cli.flood_per_minute,
        admins: cli.admins.0,
        transport: match (cli.webhook_url, webhook_secret) {
            (Some(url), Some(secret)) => Transport::Webhook {
                url,
                listen: cli.listen,
                secret,
            },
            _ => Transport::Polling {
                metrics_listen: cli.metrics_listen,
            },
        },
        content_dir: cli.content_dir,
        locales_dir: cli.locales_dir,
        database_url: cli.database_url,
        lang_cache: cli.lang_cache,
        default_lang: cli.default_lang,
    };
    // One thread: one answers far more than Telegram lets a bot send, and on a small
    // machine a second worker thread only added wake-ups between threads (figures in
    // BENCHMARKS.md, "One-thread runtime"). Blocking work (SQLite, reloading content)
    // runs on threads of its own.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
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
