//! Command line and environment: every flag has an env-var twin; the token is env-only
//! (a flag would show it in `ps`) and never printed.

use std::fmt;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::lang::Lang;
use crate::store::{DEFAULT_CACHE_CHATS, DEFAULT_DATABASE_URL};

#[derive(Debug, Parser)]
#[command(
    name = "qantar-bot",
    version,
    about = "A Telegram bot telling the record of Kazakhstan's January 2022 events in English, Russian and Kazakh",
    after_help = "The bot token is read from TELOXIDE_TOKEN (get one from @BotFather)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,

    /// Folder with the curated YAML
    #[arg(
        long,
        env = "QANTAR_CONTENT_DIR",
        default_value = "content",
        global = true
    )]
    pub content_dir: PathBuf,

    /// Folder with en/, ru/, kk/ Fluent files
    #[arg(
        long,
        env = "QANTAR_LOCALES_DIR",
        default_value = "locales",
        global = true
    )]
    pub locales_dir: PathBuf,

    /// Where chats' language choices are kept (sqlite://path; created if missing)
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Chats whose language is kept in memory; 0 turns the cache off, as several bots
    /// sharing one database need
    #[arg(long, env = "QANTAR_LANG_CACHE", default_value_t = DEFAULT_CACHE_CHATS, global = true)]
    pub lang_cache: usize,

    /// Language for users whose Telegram language is not en, ru or kk
    #[arg(long, env = "QANTAR_DEFAULT_LANG", default_value = "en", global = true)]
    pub default_lang: Lang,

    /// Bot API server, for a local Bot API server or a test double
    #[arg(long, env = "TELOXIDE_API_URL", global = true)]
    pub api_url: Option<String>,

    /// Seconds before a Bot API call is abandoned and retried (long polls wait a few
    /// seconds less)
    #[arg(long, env = "QANTAR_API_TIMEOUT", default_value_t = 17, value_parser = clap::value_parser!(u64).range(2..=120), global = true)]
    pub api_timeout: u64,

    /// Answers one chat gets at once before flood control steps in
    #[arg(long, env = "QANTAR_FLOOD_BURST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub flood_burst: u32,

    /// Public https URL Telegram should post updates to; switches from polling to webhooks
    #[arg(long, env = "QANTAR_WEBHOOK_URL", global = true)]
    pub webhook_url: Option<url::Url>,

    /// Address the webhook, /healthz and /metrics listen on in webhook mode
    #[arg(
        long,
        env = "QANTAR_LISTEN",
        default_value = "0.0.0.0:8080",
        global = true
    )]
    pub listen: std::net::SocketAddr,

    /// In polling mode, serve /healthz and /metrics on this address
    #[arg(long, env = "QANTAR_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<std::net::SocketAddr>,

    /// Telegram user ids allowed /stats and /reload, comma-separated
    #[arg(long, env = "QANTAR_ADMINS", default_value = "", value_parser = parse_admins, global = true)]
    pub admins: Admins,

    /// Answers per minute one chat gets after its burst
    #[arg(long, env = "QANTAR_FLOOD_PER_MINUTE", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub flood_per_minute: u32,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run the bot (the default)
    Run,
    /// Validate content and locales; list every problem; exit 0 or 1
    Check,
    /// Ask a running bot's /healthz (exit 0 when healthy); for Docker's HEALTHCHECK
    Healthcheck,
    /// Print the deep links the channel can post (t.me/<bot>?start=…)
    Links {
        /// The bot's username, with or without @
        #[arg(long)]
        username: String,
    },
    /// Print what a user would receive for a command, offline, without a token
    Preview {
        /// The command as a user types it, e.g. /timeline or "/lang kk"
        command: String,
        /// The language to render in
        #[arg(long, default_value = "en")]
        lang: Lang,
    },
}

/// Admin user ids; empty (the default) means nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admins(pub Vec<u64>);

fn parse_admins(raw: &str) -> Result<Admins, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u64>()
                .map_err(|_| format!("`{s}` is not a Telegram user id (digits only)"))
        })
        .collect::<Result<Vec<u64>, String>>()
        .map(Admins)
}

/// The bot token. Its Debug and Display never show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error(
        "TELOXIDE_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot), then start it as `TELOXIDE_TOKEN=<token> qantar-bot`, or use `qantar-bot preview /start` to look around without one."
    )]
    Missing,
    #[error(
        "TELOXIDE_TOKEN does not look like a bot token (digits, a colon, then at least 30 letters, digits, - or _): copy it again from @BotFather and pass it as TELOXIDE_TOKEN."
    )]
    Malformed,
}

impl Token {
    /// Checks the shape @BotFather gives (`123456:AAH…`), so a pasted typo fails at
    /// start with a sentence rather than as a 401 deep inside a request.
    pub fn parse(raw: Option<&str>) -> Result<Token, TokenError> {
        let raw = raw.map(str::trim).filter(|t| !t.is_empty());
        let raw = raw.ok_or(TokenError::Missing)?;
        let (id, secret) = raw.split_once(':').ok_or(TokenError::Malformed)?;
        let id_ok = !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
        let secret_ok = secret.len() >= 30
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if id_ok && secret_ok {
            Ok(Token(raw.to_string()))
        } else {
            Err(TokenError::Malformed)
        }
    }

    /// Reads `TELOXIDE_TOKEN`.
    pub fn from_env() -> Result<Token, TokenError> {
        Token::parse(std::env::var("TELOXIDE_TOKEN").ok().as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_-";

    #[test]
    fn token_shapes() {
        assert!(Token::parse(Some(GOOD)).is_ok());
        assert_eq!(Token::parse(None), Err(TokenError::Missing));
        assert_eq!(Token::parse(Some("  ")), Err(TokenError::Missing));
        for bad in [
            "abc",
            "123:short",
            ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "12a:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        ] {
            assert_eq!(Token::parse(Some(bad)), Err(TokenError::Malformed), "{bad}");
        }
    }

    #[test]
    fn token_never_prints() {
        let t = Token::parse(Some(GOOD)).unwrap();
        assert!(!format!("{t:?}").contains("AAH"));
    }

    #[test]
    fn flags_parse_with_defaults() {
        let cli =
            Cli::try_parse_from(["qantar-bot", "preview", "/timeline", "--lang", "kk"]).unwrap();
        assert!(matches!(
            cli.command,
            Some(Cmd::Preview { lang: Lang::Kk, .. })
        ));
        assert!(Cli::try_parse_from(["qantar-bot", "--default-lang", "de"]).is_err());
        assert_eq!(parse_admins(""), Ok(Admins(vec![])));
        assert_eq!(parse_admins(" 42, 7 ,"), Ok(Admins(vec![42, 7])));
        assert!(parse_admins("42,abc").is_err());
    }
}
