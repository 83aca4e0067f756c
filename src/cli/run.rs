//! `qantar-bot` / `qantar-bot run`: the bot itself, from flags to a running transport on
//! a one-thread runtime.

use std::process::ExitCode;

use crate::config::{Cli, Token, WebhookSecret};
use crate::store::key_source::KeyOrigin;
use crate::transport::{ClientSettings, RunOptions, Transport, run};

pub fn run_bot(cli: Cli, webhook_secret: Option<WebhookSecret>) -> ExitCode {
    let options = match options(cli, webhook_secret) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // One thread: one answers far more than Telegram lets a bot send, and on a small
    // machine a second worker thread only added wake-ups between threads (figures in
    // BENCHMARKS.md, "One-thread runtime"). Blocking work (SQLite, reloading content)
    // runs on threads of its own, and so does the outreach sender (`sender_thread`).
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

/// Everything the bot needs, checked before anything starts; each problem is one
/// sentence for the operator.
fn options(cli: Cli, webhook_secret: Option<WebhookSecret>) -> Result<RunOptions, String> {
    let token = Token::from_env().map_err(|e| e.to_string())?;
    let (data_key, origin) = cli.data_key().map_err(|e| e.to_string())?;
    warn_if_beside(&origin);
    let outreach = cli.outreach()?;
    Ok(RunOptions {
        outreach,
        client: ClientSettings {
            token,
            api_url: cli.api_url,
            timeout: std::time::Duration::from_secs(cli.api_timeout),
        },
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
        data_key,
        lang_cache: cli.lang_cache,
        default_lang: cli.default_lang,
        web_listen: cli.web_listen,
        web_url: cli.web_url,
    })
}

/// The key file beside the database protects nothing if the two are copied together:
/// say so at every start that uses it.
pub fn warn_if_beside(origin: &KeyOrigin) {
    if let KeyOrigin::BesideDatabase { path, created } = origin {
        let what = if *created { "created" } else { "using" };
        log::warn!(
            "no QANTAR_DATA_KEY or QANTAR_DATA_KEY_FILE: {what} the data key file {} beside the \
             database; it protects nothing if copied with the database, so keep it apart \
             (README, \"Privacy\")",
            path.display()
        );
    }
}
