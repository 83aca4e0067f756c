//! Start-up and the update loop: load and validate everything first, then talk to
//! Telegram by polling or by webhook; stop cleanly on SIGINT or SIGTERM.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::dispatching::Dispatcher;
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::update_listeners::UpdateListener;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::catalog::{Catalog, LiveCatalog};
use crate::config::{WebhookSecret, WebhookUrl};
use crate::decide::flood::FloodGuard;
use crate::deliver::client::ClientSettings;
use crate::deliver::menus;
use crate::handle::HandlerError;
use crate::handle::reload;
use crate::handle::schema;
use crate::lang::Lang;
use crate::metrics::Metrics;
use crate::problem::Problems;
use crate::store::{DataKey, Store, StoreError};
use crate::transport::http;
use crate::transport::ledger::{Ledger, confirm_when_handled};
use crate::transport::mini_app;
use crate::transport::poller::{self, LedgerPolling};
use crate::transport::signals::{stop_dispatcher_on, stop_signal};
use crate::transport::webhook;
use crate::usage::UsageCounter;

/// How updates arrive.
pub enum Transport {
    /// Long polling; /healthz and /metrics on `metrics_listen` if given.
    Polling { metrics_listen: Option<SocketAddr> },
    /// Telegram posts to `url`; we listen on `listen` and check `secret`.
    Webhook {
        url: WebhookUrl,
        listen: SocketAddr,
        secret: WebhookSecret,
    },
}

pub struct RunOptions {
    /// The token, the API's URL and the HTTP timeout: what each Bot API client is made
    /// from (the sender's thread makes its own).
    pub client: ClientSettings,
    pub content_dir: PathBuf,
    pub locales_dir: PathBuf,
    pub database_url: String,
    /// Protects the chat ids in the store.
    pub data_key: DataKey,
    /// What the channel sends unprompted, and how fast.
    pub outreach: crate::schedule::Outreach,
    /// Chats whose language is kept in memory (0: off); see `store::LangCache`.
    pub lang_cache: usize,
    pub default_lang: Lang,
    pub flood_burst: u32,
    pub flood_per_minute: u32,
    pub transport: Transport,
    pub admins: Vec<u64>,
    /// `QANTAR_WEB_LISTEN`: serve the web pages there.
    pub web_listen: Option<SocketAddr>,
    /// `QANTAR_WEB_URL`: the pages' public address, for the Mini App's buttons.
    pub web_url: Option<crate::web::WebUrl>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("content or locales are broken:\n{0}")]
    Content(Problems),
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot set up the HTTP client")]
    HttpClient,
    #[error("Telegram rejected the token: check TELOXIDE_TOKEN against what @BotFather gave you")]
    TokenRejected,
    #[error("cannot start the outreach sender's thread: {0}")]
    SenderThread(std::io::Error),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("Telegram refused the webhook: {0}")]
    Webhook(String),
    #[error("cannot start the rehearsal: {0}")]
    Rehearsal(String),
    #[error(
        "the operating system gives no randomness ({0}): without it this replica has no name \
         of its own on the outreach lease, and two replicas could both send"
    )]
    NoRandomness(getrandom::Error),
}

/// How long one getUpdates waits for news at most. Short enough that a stop never
/// waits long; always a few seconds under the HTTP timeout, or every idle poll would
/// end as a timeout error.
const POLL_TIMEOUT_MAX: Duration = Duration::from_secs(10);

/// How often usage counts are added to the store.
const USAGE_FLUSH_EVERY: Duration = Duration::from_secs(60);

pub async fn run(options: RunOptions) -> Result<(), RunError> {
    // First, before anything is opened: a replica without a name of its own must not run.
    let holder = crate::outreach::sender::holder_name().map_err(RunError::NoRandomness)?;
    let catalog =
        Catalog::load(&options.content_dir, &options.locales_dir).map_err(RunError::Content)?;
    let catalog = Arc::new(LiveCatalog::new(catalog));
    let metrics = Metrics::new();
    metrics.set_content_generation(catalog.generation());
    let store = Store::open(
        &options.database_url,
        options.lang_cache,
        options.data_key.clone(),
    )
    .await?;
    let bot = options.client.bot().ok_or(RunError::HttpClient)?;

    let stop = stop_signal();
    let Some(me) = wait_for_me(&bot, &stop).await? else {
        store.close().await;
        return Ok(());
    };
    {
        let (bot, catalog) = (bot.clone(), catalog.clone());
        let (web_url, lang) = (options.web_url.clone(), options.default_lang);
        tokio::spawn(async move {
            menus::publish(&bot, &catalog.get()).await;
            if let Some(url) = web_url {
                menus::publish_menu_button(&bot, &catalog.get(), lang, &url).await;
            }
        });
    }
    if let Some(rehearsal) = &options.outreach.rehearsal {
        rehearsal
            .start_clock(&options.outreach.zone)
            .map_err(RunError::Rehearsal)?;
        log::warn!(
            "REHEARSAL MODE: the outreach clock starts at {} ({}) and moves on; every unprompted message goes to the {} admin(s){} ONLY, never to subscribers or QANTAR_CHANNELS",
            rehearsal.at,
            options.outreach.zone.0.iana_name().unwrap_or("UTC"),
            options.admins.len(),
            rehearsal
                .channel
                .as_ref()
                .map(|c| format!(" and {}", c.name))
                .unwrap_or_default()
        );
    }
    let app = Arc::new(make_app(
        &options,
        catalog,
        store.clone(),
        metrics,
        me.username(),
    ));
    reload::on_hangup(bot.clone(), Arc::clone(&app));
    {
        let (bot, app) = (bot.clone(), Arc::clone(&app));
        tokio::spawn(async move {
            crate::handle::publish_menus(&bot, &app).await;
            crate::outreach::channels::check(&bot, &app).await;
        });
    }
    let web = match (options.web_listen, &app.site) {
        (Some(addr), Some(site)) => Some(
            // The Mini App's Subscribe confirms in the chat with this client.
            http::serve(
                addr,
                crate::web::router(Arc::clone(site))
                    .merge(mini_app::routes(Arc::clone(&app)))
                    .layer(axum::Extension(bot.clone())),
                stop.clone(),
            )
            .await
            .map_err(|e| RunError::Listen(addr, e))?,
        ),
        _ => None,
    };
    let usage_flusher = flush_usage_every(Arc::clone(&app), stop.clone());
    crate::outreach::watch::spawn(bot.clone(), Arc::clone(&app), stop.clone());
    let sender = crate::outreach::sender_thread::start(
        options.client.clone(),
        Arc::clone(&app),
        (me.username().to_string(), holder),
        stop.clone(),
    )
    .map_err(RunError::SenderThread)?;
    // Updates in flight, so polling confirms only what has been handled.
    let ledger = Arc::new(Ledger::default());
    let mut dispatcher = make_dispatcher(bot.clone(), &app, &ledger);
    stop_dispatcher_on(dispatcher.shutdown_token(), stop.clone());
    let served = serve(&bot, (&app, &ledger), &mut dispatcher, options, &stop).await;
    // Dispatching is over, whatever ended it (a failed listen too): the sender finishes
    // the messages in hand and gives its lease up before the process goes.
    stop.cancel();
    sender.finished().await;
    if let Some(web) = web {
        let _ = web.await;
    }
    // A flush under way took its counts out of the counter: it ends (or puts them back)
    // before the last flush, which then writes everything left.
    let _ = usage_flusher.await;
    app.flush_usage().await;
    store.close().await;
    match served? {
        Ok(()) => {
            log::info!("stopped");
            Ok(())
        }
        Err(RequestError::Api(ApiError::InvalidToken)) => Err(RunError::TokenRejected),
        Err(e) => {
            // getMe worked a moment ago; a failure now is the network, and a restart fixes it.
            log::error!("could not start dispatching: {e}");
            Ok(())
        }
    }
}

/// Serves updates by the chosen transport until the stop.
async fn serve(
    bot: &Bot,
    app: (&Arc<App>, &Arc<Ledger>),
    dispatcher: &mut Dispatcher<Bot, HandlerError, i64>,
    options: RunOptions,
    stop: &CancellationToken,
) -> Result<Result<(), RequestError>, RunError> {
    match options.transport {
        Transport::Polling { metrics_listen } => {
            poll(
                bot,
                app,
                dispatcher,
                options.client.timeout,
                (metrics_listen, stop.clone()),
            )
            .await
        }
        Transport::Webhook {
            url,
            listen,
            secret,
        } => serve_webhook(bot, app, dispatcher, (url, listen, secret), stop.clone()).await,
    }
}

fn make_app(
    options: &RunOptions,
    catalog: Arc<LiveCatalog>,
    store: Store,
    metrics: Metrics,
    bot_username: &str,
) -> App {
    let site = options.web_listen.map(|addr| {
        // Pages name themselves by their public address; without one, by the listener.
        let base = options.web_url.clone().unwrap_or_else(|| {
            crate::web::WebUrl::parse_any(&format!("http://{addr}/"))
                .expect("a socket address makes a valid http URL")
        });
        Arc::new(crate::web::LiveSite::new(&catalog.get(), base))
    });
    App {
        catalog,
        pictures: crate::deliver::photo::Pictures::new(store.clone()),
        store,
        default_lang: options.default_lang,
        flood: FloodGuard::new(
            options.flood_burst,
            f64::from(options.flood_per_minute) / 60.0,
        ),
        admins: options.admins.iter().copied().collect::<HashSet<u64>>(),
        usage: UsageCounter::default(),
        content_paths: crate::catalog::ContentPaths {
            content_dir: options.content_dir.clone(),
            locales_dir: options.locales_dir.clone(),
        },
        outreach: options.outreach.clone(),
        bot_username: bot_username.to_string(),
        notices: Default::default(),
        watch: Default::default(),
        channel_health: Default::default(),
        metrics,
        site,
        web_url: options.web_url.clone(),
        // A Mini App needs both its public address and the listener its page posts to.
        web_secret: (options.web_listen.is_some() && options.web_url.is_some())
            .then(|| crate::input::init_data::WebSecret::from_token(options.client.token.expose())),
    }
}

fn make_dispatcher(
    bot: Bot,
    app: &Arc<App>,
    ledger: &Arc<Ledger>,
) -> Dispatcher<Bot, HandlerError, i64> {
    Dispatcher::builder(bot, confirm_when_handled().chain(schema()))
        .dependencies(dptree::deps![Arc::clone(app), Arc::clone(ledger)])
        // One worker per chat keeps a chat's replies in order; inline queries have no
        // chat, so key them by user rather than funnel them all through one worker.
        .distribution_function(|update| {
            update
                .chat()
                .map(|c| c.id.0)
                .or_else(|| update.from().map(|u| u.id.0 as i64))
        })
        // teloxide's default logs whole updates: user text and identities. Kinds only.
        .default_handler(|update| async move {
            log::debug!("ignored update of kind {}", update_kind(&update));
        })
        .error_handler(Arc::new(LogError("handler")))
        .build()
}

/// Long polling until the stop, with /healthz and /metrics on `ops.0` if given.
async fn poll(
    bot: &Bot,
    (app, ledger): (&Arc<App>, &Arc<Ledger>),
    dispatcher: &mut Dispatcher<Bot, HandlerError, i64>,
    api_timeout: Duration,
    (metrics_listen, stop): (Option<SocketAddr>, CancellationToken),
) -> Result<Result<(), RequestError>, RunError> {
    let server = match metrics_listen {
        Some(addr) => Some(
            http::serve(addr, http::ops_routes(Arc::clone(app)), stop)
                .await
                .map_err(|e| RunError::Listen(addr, e))?,
        ),
        None => None,
    };
    remove_webhook(bot).await;
    let poll_timeout = api_timeout
        .saturating_sub(Duration::from_secs(5))
        .clamp(Duration::from_secs(1), POLL_TIMEOUT_MAX);
    let listener = LedgerPolling::new(bot.clone(), Arc::clone(ledger), poll_timeout);
    log::info!("polling for updates");
    let result = dispatch(dispatcher, listener).await;
    // Every handler has finished: tell Telegram, so a restart starts where we stopped.
    poller::confirm(bot, ledger).await;
    if let Some(server) = server {
        let _ = server.await;
    }
    Ok(result)
}

/// Serves the webhook (and the ops routes beside it) until the stop.
async fn serve_webhook(
    bot: &Bot,
    (app, ledger): (&Arc<App>, &Arc<Ledger>),
    dispatcher: &mut Dispatcher<Bot, HandlerError, i64>,
    (url, listen, secret): (WebhookUrl, SocketAddr, WebhookSecret),
    stop: CancellationToken,
) -> Result<Result<(), RequestError>, RunError> {
    let (hook, listener) = webhook::endpoint(
        url.as_url().path(),
        secret.expose(),
        Arc::clone(app),
        Arc::clone(ledger),
    );
    let router = http::ops_routes(Arc::clone(app)).merge(hook);
    let server = http::serve(listen, router, stop)
        .await
        .map_err(|e| RunError::Listen(listen, e))?;
    webhook::register(bot, url.as_url(), secret.expose())
        .await
        .map_err(|e| RunError::Webhook(e.to_string()))?;
    log::info!("webhook registered; waiting for updates");
    // The webhook stays registered on the way out: other replicas may serve it.
    let result = dispatch(dispatcher, listener).await;
    let _ = server.await;
    Ok(result)
}

async fn dispatch<L>(
    dispatcher: &mut Dispatcher<Bot, HandlerError, i64>,
    listener: L,
) -> Result<(), RequestError>
where
    L: UpdateListener + Send,
    L::Err: std::fmt::Debug + std::fmt::Display + Send + 'static,
{
    dispatcher
        .try_dispatch_with_listener(listener, Arc::new(LogError("update listener")))
        .await
}

/// Adds usage counts to the store every minute until the stop; the stop is only heard
/// between flushes, so the task ends with no counts in hand.
fn flush_usage_every(app: Arc<App>, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(USAGE_FLUSH_EVERY);
        tick.tick().await;
        loop {
            let stopping = tokio::select! {
                _ = tick.tick() => false,
                _ = stop.cancelled() => true,
            };
            if stopping {
                return;
            }
            app.flush_usage().await;
        }
    })
}

/// Polling and a webhook exclude each other: a webhook left by an earlier deployment
/// would make every getUpdates fail.
async fn remove_webhook(bot: &Bot) {
    match bot.get_webhook_info().await {
        Ok(info) if info.url.is_none() => {}
        Ok(_) => {
            if let Err(e) = bot.delete_webhook().await {
                log::warn!("could not remove the webhook: {e}");
            }
        }
        Err(e) => log::warn!("getWebhookInfo failed: {e}"),
    }
}

/// Asks getMe until it answers, so a bot started while Telegram is unreachable waits
/// instead of dying. `None` means a stop was requested meanwhile.
async fn wait_for_me(bot: &Bot, stop: &CancellationToken) -> Result<Option<Me>, RunError> {
    let mut backoff = Duration::from_millis(500);
    loop {
        match bot.get_me().await {
            Ok(me) => return Ok(Some(me)),
            Err(RequestError::Api(ApiError::InvalidToken)) => return Err(RunError::TokenRejected),
            Err(e) => log::warn!("getMe failed, retrying in {}ms: {e}", backoff.as_millis()),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.cancelled() => return Ok(None),
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

fn update_kind(update: &Update) -> &'static str {
    use teloxide::types::UpdateKind as K;
    match &update.kind {
        K::Message(_) => "message",
        K::EditedMessage(_) => "edited_message",
        K::ChannelPost(_) => "channel_post",
        K::CallbackQuery(_) => "callback_query",
        K::InlineQuery(_) => "inline_query",
        K::MyChatMember(_) => "my_chat_member",
        K::ChatMember(_) => "chat_member",
        _ => "other",
    }
}

/// Logs errors by their Display, never `{:?}` of a value that may hold the bot.
struct LogError(&'static str);

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for LogError {
    fn handle_error(
        self: Arc<Self>,
        error: E,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async move { log::error!("{}: {error}", self.0) })
    }
}
