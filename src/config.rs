//! Command line and environment: every flag has an env-var twin; the token and the
//! webhook secret are env-only (a flag would show them in `ps`) and never printed.
//!
//! Values are checked here, at the edge, into types that cannot hold a bad one: the
//! rest of the program never re-checks a URL, a secret or a username.

use std::fmt;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::content::Date;
use crate::lang::Lang;
use crate::store::{DEFAULT_CACHE_CHATS, DEFAULT_DATABASE_URL};
/// Where the web pages are served; its home is `web::url`, beside the pages that use it.
pub use crate::web::WebUrl;

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

    /// File holding the data key (32 bytes in base64) that protects stored chat ids;
    /// QANTAR_DATA_KEY (the key itself) wins over it. With neither, and SQLite, a key
    /// file is made beside the database on the first run (keep it apart: README).
    #[arg(long, env = "QANTAR_DATA_KEY_FILE", global = true)]
    pub data_key_file: Option<PathBuf>,

    /// Where chats' language choices and subscriptions are kept (sqlite://path, created
    /// if missing; or postgres://)
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
    #[arg(long, env = "TELOXIDE_API_URL", value_parser = parse_api_url, global = true)]
    pub api_url: Option<url::Url>,

    /// Seconds before a Bot API call is abandoned and retried (long polls wait a few
    /// seconds less)
    #[arg(long, env = "QANTAR_API_TIMEOUT", default_value_t = 17, value_parser = clap::value_parser!(u64).range(2..=120), global = true)]
    pub api_timeout: u64,

    /// Answers one chat gets at once before flood control steps in
    #[arg(long, env = "QANTAR_FLOOD_BURST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub flood_burst: u32,

    /// Public https URL Telegram should post updates to; switches from polling to webhooks
    #[arg(long, env = "QANTAR_WEBHOOK_URL", value_parser = WebhookUrl::parse, global = true)]
    pub webhook_url: Option<WebhookUrl>,

    /// Address the webhook, /healthz and /metrics listen on in webhook mode
    #[arg(
        long,
        env = "QANTAR_LISTEN",
        default_value = "0.0.0.0:8080",
        global = true
    )]
    pub listen: std::net::SocketAddr,

    /// Serve the record's web pages (the static site, and the Mini App's /api/subscribe)
    /// at the root of this address, e.g. 127.0.0.1:8090, behind the same TLS proxy
    #[arg(long, env = "QANTAR_WEB_LISTEN", global = true)]
    pub web_listen: Option<std::net::SocketAddr>,

    /// The public HTTPS address of those pages: readers get a "🌐 Open the record"
    /// button (a Telegram Mini App) and the chat's menu button opens it
    #[arg(long, env = "QANTAR_WEB_URL", value_parser = WebUrl::parse, global = true)]
    pub web_url: Option<WebUrl>,

    /// In polling mode, serve /healthz and /metrics on this address
    #[arg(long, env = "QANTAR_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<std::net::SocketAddr>,

    /// Broadcast messages per second overall (Telegram's free limit is about 30)
    #[arg(
        long,
        env = "QANTAR_BROADCAST_RATE",
        default_value_t = 25,
        global = true
    )]
    pub broadcast_rate: u32,

    /// Paid broadcasts (allow_paid_broadcast): up to 1,000 messages per second, each
    /// above the free 30/s paid in Telegram Stars from the bot's balance
    #[arg(long, env = "QANTAR_PAID_BROADCAST", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub paid_broadcast: bool,

    /// Broadcast messages in flight at once; also the most a crash can leave sent but
    /// unrecorded, to be sent again on restart
    #[arg(long, env = "QANTAR_BROADCAST_IN_FLIGHT", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256), global = true)]
    pub broadcast_in_flight: u16,

    /// Local time of day (HH:MM) at which "on this day" goes out
    #[arg(long, env = "QANTAR_DAILY_AT", default_value = "09:00", value_parser = crate::schedule::settings::parse_daily_at, global = true)]
    pub daily_at: jiff::civil::Time,

    /// Calendar days on which "on this day" may post: MM-DD..MM-DD ranges,
    /// comma-separated, or `all`
    #[arg(long, env = "QANTAR_DAILY_WINDOW", default_value = crate::schedule::window::DEFAULT_WINDOW, value_parser = crate::schedule::window::parse_window, global = true)]
    pub daily_window: crate::schedule::window::Window,

    /// Rehearsal mode: the outreach clock starts at this local date and time
    /// (2027-01-05T08:59) and moves on; every unprompted message goes to the admins and
    /// QANTAR_REHEARSAL_CHANNEL only, never to subscribers or QANTAR_CHANNELS
    #[arg(long, env = "QANTAR_REHEARSAL_AT", value_parser = crate::schedule::rehearsal::parse_at, global = true)]
    pub rehearsal_at: Option<jiff::civil::DateTime>,

    /// Rehearsal mode: a channel of the operator's to post to, as @name:lang or
    /// -1001234567890:lang
    #[arg(long, env = "QANTAR_REHEARSAL_CHANNEL", value_parser = crate::schedule::rehearsal::parse_channel, global = true)]
    pub rehearsal_channel: Option<crate::schedule::settings::Channel>,

    /// Time zone of QANTAR_DAILY_AT, from the tz database
    #[arg(long, env = "QANTAR_TIMEZONE", default_value = "Asia/Almaty", value_parser = crate::schedule::settings::parse_zone, global = true)]
    pub timezone: crate::schedule::settings::Zone,

    /// Channels the bot posts to, each with its language: @name:kk,-1001234567890:ru
    #[arg(long, env = "QANTAR_CHANNELS", default_value = "", value_parser = crate::schedule::settings::parse_channels, global = true)]
    pub channels: crate::schedule::settings::Channels,

    /// Telegram user ids allowed the admin commands (/stats, /reload, /purge, /announce,
    /// /broadcasts, /rehearse), comma-separated
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
    /// Validate content and locales, and that every translation was reviewed against
    /// the current English; list every problem; exit 0 or 1
    Check {
        /// Record that these translations now match their English (after a translator
        /// has checked them): <file>:<id>:<ru|kk>, <file>:<id> for both, or `all`
        #[arg(long, num_args = 1.., value_name = "FILE:ID[:LANG]")]
        reviewed: Vec<String>,
    },
    /// Ask a running bot's /healthz (exit 0 when healthy); for Docker's HEALTHCHECK
    Healthcheck,
    /// Print the deep links the channel can post (t.me/<bot>?start=…)
    Links {
        /// The bot's username, with or without @
        #[arg(long, value_parser = BotUsername::parse)]
        username: BotUsername,
    },
    /// Move every stored row from the current data key to a new one (run with the bot
    /// stopped; safe to interrupt and run again)
    Rekey {
        /// File with the new key (32 bytes in base64); or set QANTAR_NEW_DATA_KEY
        #[arg(long, env = "QANTAR_NEW_DATA_KEY_FILE")]
        new_key_file: Option<PathBuf>,
    },
    /// Print every planned "on this day" send between two dates: local time, item, and
    /// recipients per language (subscribers now, and channels)
    Schedule {
        /// First local date, YYYY-MM-DD
        #[arg(long)]
        from: jiff::civil::Date,
        /// Last local date, YYYY-MM-DD
        #[arg(long)]
        to: jiff::civil::Date,
    },
    /// Write the record as a static web site (every page in en, ru and kk, the maps, a
    /// sitemap) into a folder any static host serves
    Site {
        /// The folder to write (created if missing; files of the site are replaced)
        #[arg(long)]
        out: PathBuf,
        /// The address the site will be served at, for canonical links, hreflang, the
        /// sitemap and link cards, e.g. https://qantar.example.org/
        #[arg(long, value_parser = WebUrl::parse_any)]
        base_url: WebUrl,
    },
    /// Delete every per-chat row in every table, keeping the anonymous counts
    Purge {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Print what a user would receive for a command, offline, without a token; or,
    /// with --on-this-day, what subscribers get on that date
    Preview {
        /// The command as a user types it, e.g. /timeline or "/lang kk"
        #[arg(
            required_unless_present = "on_this_day",
            conflicts_with = "on_this_day"
        )]
        command: Option<String>,
        /// The "on this day" message sent on this local date, e.g. 2027-01-05
        #[arg(long, value_parser = parse_day)]
        on_this_day: Option<Date>,
        /// The language to render in
        #[arg(long, default_value = "en")]
        lang: Lang,
        /// For /map: the day to show (YYYY-MM-DD)
        #[arg(long)]
        date: Option<crate::content::Date>,
        /// Write the reply's picture (the map, also under "on this day") to this PNG file
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// A calendar date with its day (`2027-01-05`), for `preview --on-this-day`.
pub fn parse_day(raw: &str) -> Result<Date, String> {
    match raw.parse::<Date>() {
        Ok(date) if date.day.is_some() => Ok(date),
        Ok(_) => Err(format!("`{raw}` has no day: write YYYY-MM-DD")),
        Err(e) => Err(e.to_string()),
    }
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

impl Cli {
    /// True when this invocation runs the bot: no subcommand, or `run`.
    /// The data key for the store, and where it came from: QANTAR_DATA_KEY, else
    /// `--data-key-file`, else the default file beside a SQLite database.
    pub fn data_key(
        &self,
    ) -> Result<
        (crate::store::DataKey, crate::store::key_source::KeyOrigin),
        crate::store::key_source::KeyError,
    > {
        let env = std::env::var("QANTAR_DATA_KEY").ok();
        crate::store::key_source::resolve(
            env.as_deref(),
            self.data_key_file.as_deref(),
            &self.database_url,
        )
    }

    /// The outreach settings, checked against Telegram's limits.
    pub fn outreach(&self) -> Result<crate::schedule::Outreach, String> {
        crate::schedule::settings::check_rate(self.broadcast_rate, self.paid_broadcast)?;
        Ok(crate::schedule::Outreach {
            rate: self.broadcast_rate,
            paid: self.paid_broadcast,
            in_flight: usize::from(self.broadcast_in_flight),
            daily_at: self.daily_at,
            zone: self.timezone.clone(),
            window: self.daily_window.clone(),
            channels: self.channels.0.clone(),
            rehearsal: self
                .rehearsal_at
                .map(|at| crate::schedule::rehearsal::Rehearsal {
                    at,
                    channel: self.rehearsal_channel.clone(),
                }),
        })
    }

    pub fn runs_bot(&self) -> bool {
        matches!(self.command, None | Some(Cmd::Run))
    }

    /// The webhook secret when the bot runs in webhook mode: QANTAR_WEBHOOK_SECRET,
    /// checked, or a fresh one when none is set (enough for a single replica).
    pub fn webhook_secret(&self) -> Result<Option<WebhookSecret>, ConfigError> {
        if !self.runs_bot() || self.webhook_url.is_none() {
            return Ok(None);
        }
        match std::env::var("QANTAR_WEBHOOK_SECRET") {
            Ok(raw) => WebhookSecret::parse(&raw).map(Some),
            Err(std::env::VarError::NotPresent) => WebhookSecret::generate().map(Some),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::SecretShape),
        }
    }
}

/// What is wrong with a value, in one sentence that says how to put it right.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("QANTAR_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -.")]
    SecretShape,
    #[error(
        "cannot generate a webhook secret ({0}): set QANTAR_WEBHOOK_SECRET to 1-256 characters of A-Z, a-z, 0-9, _ and -."
    )]
    NoRandomness(getrandom::Error),
    #[error("`{0}` is not a URL: give a full address such as https://bot.example.org/telegram.")]
    NotAUrl(String),
    #[error("QANTAR_WEBHOOK_URL must be a public https:// address: Telegram posts only to https.")]
    NotHttps,
    #[error("`{0}` is not a Telegram bot username (5-32 letters, digits or _).")]
    Username(String),
}

fn parse_api_url(raw: &str) -> Result<url::Url, ConfigError> {
    url::Url::parse(raw).map_err(|_| ConfigError::NotAUrl(raw.to_string()))
}

/// Where Telegram posts updates: an https URL with a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<WebhookUrl, ConfigError> {
        let url = url::Url::parse(raw).map_err(|_| ConfigError::NotAUrl(raw.to_string()))?;
        if url.scheme() != "https" || url.host().is_none() {
            return Err(ConfigError::NotHttps);
        }
        Ok(WebhookUrl(url))
    }

    pub fn as_url(&self) -> &url::Url {
        &self.0
    }
}

/// The secret Telegram sends with every webhook request. Its Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// Telegram's rule for the secret: 1-256 characters of A-Z, a-z, 0-9, _ and -.
    pub fn parse(raw: &str) -> Result<WebhookSecret, ConfigError> {
        let valid = (1..=256).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(WebhookSecret(raw.to_string()))
        } else {
            Err(ConfigError::SecretShape)
        }
    }

    /// A fresh random secret of 48 characters (288 bits), for a single replica that was
    /// not given one.
    pub fn generate() -> Result<WebhookSecret, ConfigError> {
        // 64 symbols: a byte modulo 64 picks each one without bias.
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bytes = [0u8; 48];
        getrandom::fill(&mut bytes).map_err(ConfigError::NoRandomness)?;
        Ok(WebhookSecret(
            bytes
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect(),
        ))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// A Telegram bot username, without the @.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotUsername(String);

impl BotUsername {
    /// Accepts the name with or without its leading @.
    pub fn parse(raw: &str) -> Result<BotUsername, ConfigError> {
        let name = raw.trim_start_matches('@');
        let valid = (5..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if valid {
            Ok(BotUsername(name.to_string()))
        } else {
            Err(ConfigError::Username(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
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
        let cli = Cli::try_parse_from([
            "qantar-bot",
            "preview",
            "--on-this-day",
            "2027-01-05",
            "--lang",
            "kk",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Cmd::Preview { command: None, on_this_day: Some(d), lang: Lang::Kk, .. })
                if d.to_string() == "2027-01-05"
        ));
        for bad in [
            &["qantar-bot", "preview"][..],
            &["qantar-bot", "preview", "--on-this-day", "2027-01"],
            &["qantar-bot", "preview", "--on-this-day", "5 January"],
            &[
                "qantar-bot",
                "preview",
                "/start",
                "--on-this-day",
                "2027-01-05",
            ],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
        }
        assert!(Cli::try_parse_from(["qantar-bot", "--default-lang", "de"]).is_err());
        assert_eq!(parse_admins(""), Ok(Admins(vec![])));
        assert_eq!(parse_admins(" 42, 7 ,"), Ok(Admins(vec![42, 7])));
        assert!(parse_admins("42,abc").is_err());
    }

    #[test]
    fn webhook_secrets() {
        assert!(WebhookSecret::parse("abc-DEF_123").is_ok());
        for bad in ["", "has space", "ключ", &"a".repeat(257)] {
            assert!(matches!(
                WebhookSecret::parse(bad),
                Err(ConfigError::SecretShape)
            ));
        }
        let generated = WebhookSecret::generate().unwrap();
        assert_eq!(generated.expose().len(), 48);
        assert!(WebhookSecret::parse(generated.expose()).is_ok());
        assert_ne!(generated, WebhookSecret::generate().unwrap());
        assert!(!format!("{generated:?}").contains(generated.expose()));
    }

    #[test]
    fn webhook_urls() {
        let url = WebhookUrl::parse("https://bot.example.org/telegram/hook").unwrap();
        assert_eq!(url.as_url().path(), "/telegram/hook");
        for bad in [
            "http://bot.example.org/hook",
            "file:///tmp/x",
            "unix:/run/bot",
        ] {
            assert!(
                matches!(WebhookUrl::parse(bad), Err(ConfigError::NotHttps)),
                "{bad}"
            );
        }
        assert!(WebhookUrl::parse("https://").is_err());
        assert!(matches!(
            WebhookUrl::parse("bot.example.org/hook"),
            Err(ConfigError::NotAUrl(_))
        ));
        assert!(Cli::try_parse_from(["qantar-bot", "--webhook-url", "http://x.org/h"]).is_err());
        assert!(parse_api_url("http://127.0.0.1:8081").is_ok());
        assert!(parse_api_url("not a url").is_err());
    }

    #[test]
    fn bot_usernames() {
        assert_eq!(
            BotUsername::parse("@qantar_bot").unwrap().as_str(),
            "qantar_bot"
        );
        assert_eq!(
            BotUsername::parse("qantar_bot").unwrap().as_str(),
            "qantar_bot"
        );
        for bad in ["@bot", "has-dash_bot", &"a".repeat(33)] {
            assert!(matches!(
                BotUsername::parse(bad),
                Err(ConfigError::Username(_))
            ));
        }
    }

    #[test]
    fn every_error_is_one_sentence() {
        let errors = [
            ConfigError::SecretShape,
            ConfigError::NotAUrl("x".into()),
            ConfigError::NotHttps,
            ConfigError::Username("x".into()),
        ];
        for e in errors {
            let text = e.to_string();
            assert!(text.ends_with('.') && !text.contains('\n'), "{text}");
        }
    }
}
